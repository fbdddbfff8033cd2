import type { PartnerStatus } from '../../src/platform/db/database.types.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, csrfFrom, formBody, tamper, type TestStack } from '../support/test-stack.ts';
import { BROWSER, FORM } from '../support/browser-requests.ts';
import { createActivePartner } from '../support/factories.ts';
import { stackQueries } from '../support/stack-queries.ts';

let t: TestStack;

/** An active partner (admin API): DACH, Kubernetes on Azure, the default digest settings. */
const activePartner = () => createActivePartner(t, { timezone: 'Europe/Berlin', profile: 'We run AKS clusters for manufacturers.' });

const prefsPath = (partnerId: string) => new URL(t.c.links.preferences(partnerId)).pathname;

/** Everything the page can change, plus status and updated_at: equal snapshots mean nothing was written. */
async function stored(partnerId: string) {
  const row = await t.c.db
    .selectFrom('partners')
    .select(['status', 'digestFrequency', 'digestDay', 'digestHour', 'maxItems', 'minScore', 'timezone', 'regions', 'remoteOk', 'profile', 'updatedAt'])
    .where('id', '=', partnerId)
    .executeTakeFirstOrThrow();
  const skills = await t.c.db
    .selectFrom('partnerSkills as ps')
    .innerJoin('skills as s', 's.id', 'ps.skillId')
    .select('s.slug')
    .where('ps.partnerId', '=', partnerId)
    .orderBy('s.slug')
    .execute();
  return { ...row, skills: skills.map((s) => s.slug) };
}

const { rematches, suppression } = stackQueries(() => t);

const setStatus = (partnerId: string, status: PartnerStatus) =>
  t.c.db.updateTable('partners').set({ status }).where('id', '=', partnerId).execute();

// Reading the rendered form back, as a browser would submit it.
function selectHtml(html: string, name: string): string {
  const match = html.match(new RegExp(`<select id="${name}" name="${name}"[^>]*>([\\s\\S]*?)</select>`));
  if (!match) throw new Error(`no <select name="${name}"> on the page`);
  return match[1]!;
}
const selectedIn = (html: string, name: string) => [...selectHtml(html, name).matchAll(/<option value="([^"]*)" selected>/g)].map((m) => m[1]);
const checkedIn = (html: string, name: string) =>
  [...html.matchAll(new RegExp(`<input type="checkbox" name="${name}" value="([^"]*)"(?: id="[^"]*")? checked>`, 'g'))].map((m) => m[1]);
const inputValue = (html: string, name: string) => html.match(new RegExp(`<input [^>]*name="${name}"[^>]*value="([^"]*)"`))?.[1];
const textareaIn = (html: string, name: string) => html.match(new RegExp(`<textarea [^>]*name="${name}"[^>]*>([\\s\\S]*?)</textarea>`))?.[1];
const errorOf = (html: string, name: string) => html.match(new RegExp(`<p class="error" id="${name}-error">([^<]*)</p>`))?.[1];

async function openForm(path: string) {
  const res = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
  expect(res.statusCode).toBe(200);
  return { res, ...csrfFrom(res) };
}

/** A complete, valid submission that differs from the defaults in every field. */
const changed = (overrides: Record<string, string | string[] | undefined> = {}) => ({
  digestFrequency: 'biweekly',
  digestDay: '3',
  digestHour: '14',
  timezone: 'America/New_York',
  maxItems: '7',
  minScore: '0.6',
  regions: ['north-america', 'uk-ireland'],
  skills: ['azure-virtual-desktop', 'intune'],
  profile: 'We run Azure Virtual Desktop for hospitals.',
  ...overrides,
});

/** POSTs the fields with the CSRF token and cookie of a freshly opened form (of `formPath`). */
async function postPrefs(path: string, fields: Record<string, string | string[] | undefined>, formPath = path) {
  const { token, cookie } = await openForm(formPath);
  return t.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, ...fields }) });
}

beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => {
  await t?.close();
});

describe('GET /p/<token>', () => {
  it("shows the partner's current settings in the form", async () => {
    const p = await activePartner();
    await t.c.db
      .updateTable('partners')
      .set({ digestFrequency: 'monthly', digestDay: 5, digestHour: 17, maxItems: 12, minScore: 0.3, remoteOk: false })
      .where('id', '=', p.id)
      .execute();
    const res = await t.app.inject({ method: 'GET', url: prefsPath(p.id), headers: BROWSER });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain(p.email);
    expect(selectedIn(res.body, 'digestFrequency')).toEqual(['monthly']);
    expect(selectedIn(res.body, 'digestDay')).toEqual(['5']);
    expect(selectedIn(res.body, 'digestHour')).toEqual(['17']);
    expect(selectedIn(res.body, 'timezone')).toEqual(['Europe/Berlin']);
    expect(selectedIn(res.body, 'minScore')).toEqual(['0.3']);
    expect(inputValue(res.body, 'maxItems')).toBe('12');
    expect(checkedIn(res.body, 'regions')).toEqual(['dach']);
    expect(checkedIn(res.body, 'remoteOk')).toEqual([]);
    expect(checkedIn(res.body, 'skills')).toEqual(['kubernetes-on-azure']);
    expect(textareaIn(res.body, 'profile')).toBe('We run AKS clusters for manufacturers.');
    expect(res.body).toContain('Friday');
    expect(res.body).toContain('Only strong fits (0.6)');
    expect(res.body).not.toContain('Saved');
  });

  it('shows everything we hold about the partner: website, country, regions, skills, profile', async () => {
    const p = await createActivePartner(t, {
      website: 'https://kubeworks.example',
      country: 'Austria',
      regions: ['dach', 'nordics'],
      remoteOk: true,
      skills: ['AKS'],
      profile: 'We run AKS clusters and Microsoft Sentinel for manufacturers.',
    });
    const res = await t.app.inject({ method: 'GET', url: prefsPath(p.id), headers: BROWSER });
    const held = /<section class="held"[\s\S]*?<\/section>/.exec(res.body)?.[0] ?? '';
    const facts: Record<string, string> = Object.fromEntries([...held.matchAll(/<dt>([^<]*)<\/dt><dd[^>]*>([^<]*)<\/dd>/g)].map((m) => [m[1]!, m[2]!]));
    expect(facts).toMatchObject({
      Email: p.email,
      Website: 'https://kubeworks.example',
      Country: 'Austria',
      Skills: 'Kubernetes on Microsoft Azure',
      'Named in your profile': 'Microsoft Sentinel',
      Profile: 'We run AKS clusters and Microsoft Sentinel for manufacturers.',
    });
    expect(facts.Regions).toMatch(/^DACH.*Nordics.*, remote work anywhere$/);
  });

  it('saves remote work anywhere without a region, as /join and /submit take it', async () => {
    const p = await activePartner();
    const res = await postPrefs(prefsPath(p.id), changed({ regions: undefined, remoteOk: 'on' }));
    expect(res.statusCode).toBe(200);
    expect(await stored(p.id)).toMatchObject({ regions: [], remoteOk: true });
    const refused = await postPrefs(prefsPath(p.id), changed({ regions: undefined }));
    expect(refused.statusCode).toBe(400);
    expect(errorOf(refused.body, 'regions')).toBe('Choose at least one region you serve, or tick “We also take remote work anywhere”');
    expect(refused.body).toContain('<a href="#regions">Choose at least one region you serve');
  });

  it('offers every time zone the runtime knows and the default score among the choices', async () => {
    const p = await activePartner();
    const res = await t.app.inject({ method: 'GET', url: prefsPath(p.id), headers: BROWSER });
    const zones = [...selectHtml(res.body, 'timezone').matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
    expect(zones).toEqual(expect.arrayContaining(['UTC', ...Intl.supportedValuesOf('timeZone')]));
    // A partner who never changed anything sees the column defaults selected.
    expect(selectedIn(res.body, 'digestFrequency')).toEqual(['weekly']);
    expect(selectedIn(res.body, 'digestDay')).toEqual(['1']);
    expect(selectedIn(res.body, 'digestHour')).toEqual(['8']);
    expect(selectedIn(res.body, 'minScore')).toEqual(['0.2']);
    expect(inputValue(res.body, 'maxItems')).toBe('10');
    expect(checkedIn(res.body, 'remoteOk')).toEqual(['on']);
  });

  it('keeps a score that is not among the choices as the selected option', async () => {
    const p = await activePartner();
    await t.c.db.updateTable('partners').set({ minScore: 0.45 }).where('id', '=', p.id).execute();
    const res = await t.app.inject({ method: 'GET', url: prefsPath(p.id), headers: BROWSER });
    expect(selectedIn(res.body, 'minScore')).toEqual(['0.45']);
  });

  it('GET and HEAD, three times each, change nothing', async () => {
    const p = await activePartner();
    await setStatus(p.id, 'paused');
    const before = await stored(p.id);
    const events = await rematches(p.id);
    for (let i = 0; i < 3; i++) {
      expect((await t.app.inject({ method: 'GET', url: prefsPath(p.id), headers: BROWSER })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'HEAD', url: prefsPath(p.id) })).statusCode).toBe(200);
    }
    expect(await stored(p.id)).toEqual(before);
    expect(await rematches(p.id)).toBe(events);
  });

  it('a bad, tampered, expired or wrong-purpose token gets a friendly page and no form', async () => {
    const p = await activePartner();
    const token = prefsPath(p.id).slice('/p/'.length);
    const cases: Array<[string, number, string]> = [
      ['not-a-token', 400, 'This link does not work'],
      [tamper(token), 400, 'This link does not work'],
      [t.c.signer.sign('unsubscribe', p.id, 3600), 400, 'This link does not work'],
      [t.c.signer.sign('preferences', p.id, -60), 410, 'This link has expired'],
    ];
    for (const [bad, status, title] of cases) {
      const res = await t.app.inject({ method: 'GET', url: `/p/${bad}`, headers: BROWSER });
      expect(res.statusCode).toBe(status);
      expect(res.body).toContain(title);
      expect(res.body).not.toContain('<form');
      expect(res.body).not.toContain(p.email);
    }
  });

  it('a token for a partner that no longer exists gets a 404 page', async () => {
    const res = await t.app.inject({ method: 'GET', url: prefsPath('00000000-0000-4000-8000-000000000000'), headers: BROWSER });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('<form');
  });
});

describe('POST /p/<token>', () => {
  it('saves every field; the database and the page show the new settings', async () => {
    const p = await activePartner();
    const before = await stored(p.id);
    const res = await postPrefs(prefsPath(p.id), changed());
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Saved — your next digest uses these settings');
    const after = await stored(p.id);
    expect(after).toMatchObject({
      status: 'active',
      digestFrequency: 'biweekly',
      digestDay: 3,
      digestHour: 14,
      maxItems: 7,
      timezone: 'America/New_York',
      regions: ['north-america', 'uk-ireland'],
      remoteOk: false,
      profile: 'We run Azure Virtual Desktop for hospitals.',
      skills: ['azure-virtual-desktop', 'intune'],
    });
    expect(after.minScore).toBeCloseTo(0.6, 5);
    expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    // The page shown after saving holds the saved values.
    expect(selectedIn(res.body, 'digestFrequency')).toEqual(['biweekly']);
    expect(selectedIn(res.body, 'minScore')).toEqual(['0.6']);
    expect(checkedIn(res.body, 'skills')).toEqual(['azure-virtual-desktop', 'intune']);
  });

  it('keeps the remote checkbox and other values when ticked, and saving twice is harmless', async () => {
    const p = await activePartner();
    const fields = changed({ remoteOk: 'on', minScore: '0', digestFrequency: 'monthly', digestDay: '7', digestHour: '0' });
    expect((await postPrefs(prefsPath(p.id), fields)).statusCode).toBe(200);
    expect((await postPrefs(prefsPath(p.id), fields)).statusCode).toBe(200);
    expect(await stored(p.id)).toMatchObject({ remoteOk: true, minScore: 0, digestFrequency: 'monthly', digestDay: 7, digestHour: 0 });
  });

  it('invalid values answer 400 with an error at each field, keep what was typed and save nothing', async () => {
    const p = await activePartner();
    const before = await stored(p.id);
    const events = await rematches(p.id);
    const res = await postPrefs(
      prefsPath(p.id),
      changed({ digestHour: '25', maxItems: '0', timezone: 'Mars/Olympus', regions: undefined, profile: 'Typed but not saved.' }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Nothing was saved');
    expect(res.body).not.toContain('Saved —');
    expect(errorOf(res.body, 'digestHour')).toBeTruthy();
    expect(errorOf(res.body, 'maxItems')).toBeTruthy();
    expect(errorOf(res.body, 'timezone')).toMatch(/time zone/);
    expect(errorOf(res.body, 'regions')).toMatch(/region/);
    // Valid fields carry no error.
    expect(errorOf(res.body, 'digestDay')).toBeUndefined();
    expect(errorOf(res.body, 'skills')).toBeUndefined();
    // What was typed is still in the form.
    expect(inputValue(res.body, 'maxItems')).toBe('0');
    expect(selectedIn(res.body, 'digestHour')).toEqual(['25']);
    expect(selectedIn(res.body, 'timezone')).toEqual(['Mars/Olympus']);
    expect(selectedIn(res.body, 'digestFrequency')).toEqual(['biweekly']);
    expect(selectedIn(res.body, 'minScore')).toEqual(['0.6']);
    expect(checkedIn(res.body, 'skills')).toEqual(['azure-virtual-desktop', 'intune']);
    expect(checkedIn(res.body, 'regions')).toEqual([]);
    expect(textareaIn(res.body, 'profile')).toBe('Typed but not saved.');
    // The form can be sent again.
    expect(res.body).toMatch(/name="_csrf" value="[^"]+"/);
    expect(await stored(p.id)).toEqual(before);
    expect(await rematches(p.id)).toBe(events);
  });

  it('rejects each invalid value on its own', async () => {
    const p = await activePartner();
    const before = await stored(p.id);
    const cases: Array<[Record<string, string | string[] | undefined>, string]> = [
      [{ digestHour: '25' }, 'digestHour'],
      [{ digestHour: '-1' }, 'digestHour'],
      [{ digestDay: '8' }, 'digestDay'],
      [{ maxItems: '0' }, 'maxItems'],
      [{ maxItems: '51' }, 'maxItems'],
      [{ maxItems: 'lots' }, 'maxItems'],
      [{ minScore: '1.5' }, 'minScore'],
      [{ digestFrequency: 'daily' }, 'digestFrequency'],
      [{ timezone: 'Mars/Olympus' }, 'timezone'],
      [{ timezone: undefined }, 'timezone'],
      [{ regions: undefined }, 'regions'],
      [{ regions: ['atlantis'] }, 'regions'],
      // Neither skills nor a profile; skills none and a profile that names none of ours (a
      // profile that names skills is enough: tests/matching/profile-evidence.test.ts).
      [{ skills: undefined, profile: '' }, 'skills'],
      [{ skills: undefined, profile: 'We are a friendly team of consultants.' }, 'skills'],
      [{ skills: ['kubernetes-on-azure', 'underwater-basket-weaving'] }, 'skills'],
      [{ profile: 'x'.repeat(4001) }, 'profile'],
    ];
    for (const [override, field] of cases) {
      const res = await postPrefs(prefsPath(p.id), changed(override));
      expect(res.statusCode, JSON.stringify(override)).toBe(400);
      expect(errorOf(res.body, field), JSON.stringify(override)).toBeTruthy();
    }
    expect(await stored(p.id)).toEqual(before);
  });

  it('without the CSRF token nothing is saved', async () => {
    const p = await activePartner();
    const before = await stored(p.id);
    const { cookie } = await openForm(prefsPath(p.id));
    const noToken = await t.app.inject({ method: 'POST', url: prefsPath(p.id), headers: { ...FORM, cookie }, payload: formBody(changed()) });
    expect(noToken.statusCode).toBe(403);
    const { token } = await openForm(prefsPath(p.id));
    const noCookie = await t.app.inject({ method: 'POST', url: prefsPath(p.id), headers: FORM, payload: formBody({ _csrf: token, ...changed() }) });
    expect(noCookie.statusCode).toBe(403);
    expect(await stored(p.id)).toEqual(before);
  });

  it('a bad or tampered token (with a valid CSRF token) gets the friendly page and saves nothing', async () => {
    const p = await activePartner();
    const before = await stored(p.id);
    const token = prefsPath(p.id).slice('/p/'.length);
    for (const bad of [tamper(token), 'not-a-token', t.c.signer.sign('interest', p.id, 3600)]) {
      const res = await postPrefs(`/p/${bad}`, changed(), prefsPath(p.id));
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('This link does not work');
      expect(res.body).not.toContain('Saved');
    }
    const expired = await postPrefs(`/p/${t.c.signer.sign('preferences', p.id, -60)}`, changed(), prefsPath(p.id));
    expect(expired.statusCode).toBe(410);
    expect(await stored(p.id)).toEqual(before);
  });

  it("one partner's token never changes another partner", async () => {
    const a = await activePartner();
    const b = await activePartner();
    const beforeB = await stored(b.id);
    expect((await postPrefs(prefsPath(a.id), changed())).statusCode).toBe(200);
    expect(await stored(b.id)).toEqual(beforeB);
  });
});

describe('matching again after a change', () => {
  it('new skills, regions or profile announce partner.changed once per save', async () => {
    const p = await activePartner();
    const events = await rematches(p.id);
    expect((await postPrefs(prefsPath(p.id), changed())).statusCode).toBe(200);
    expect(await rematches(p.id)).toBe(events + 1);
    // Saving the same values again changes nothing matching reads.
    expect((await postPrefs(prefsPath(p.id), changed())).statusCode).toBe(200);
    expect(await rematches(p.id)).toBe(events + 1);
  });

  it('a new schedule alone does not', async () => {
    const p = await activePartner();
    const events = await rematches(p.id);
    const same = {
      regions: ['dach'],
      remoteOk: 'on',
      skills: ['kubernetes-on-azure'],
      profile: 'We run AKS clusters for manufacturers.',
      timezone: 'Asia/Tokyo',
    };
    expect((await postPrefs(prefsPath(p.id), changed(same))).statusCode).toBe(200);
    expect(await stored(p.id)).toMatchObject({ digestFrequency: 'biweekly', digestHour: 14, timezone: 'Asia/Tokyo' });
    expect(await rematches(p.id)).toBe(events);
  });

  it('a paused partner switched on again is announced; an unsubscribed one is not', async () => {
    const paused = await activePartner();
    await setStatus(paused.id, 'paused');
    const pausedEvents = await rematches(paused.id);
    expect((await postPrefs(prefsPath(paused.id), changed({ digestFrequency: 'weekly' }))).statusCode).toBe(200);
    expect(await rematches(paused.id)).toBe(pausedEvents + 1);

    const gone = await activePartner();
    await setStatus(gone.id, 'unsubscribed');
    const goneEvents = await rematches(gone.id);
    expect((await postPrefs(prefsPath(gone.id), changed())).statusCode).toBe(200);
    expect(await rematches(gone.id)).toBe(goneEvents);
  });
});

describe('partner status', () => {
  it('a paused partner who chooses weekly becomes active', async () => {
    const p = await activePartner();
    await setStatus(p.id, 'paused');
    const page = await t.app.inject({ method: 'GET', url: prefsPath(p.id), headers: BROWSER });
    expect(page.body).toContain('Your digest is paused');
    const res = await postPrefs(prefsPath(p.id), changed({ digestFrequency: 'weekly' }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Saved — your next digest uses these settings');
    expect(res.body).toContain('switched on again');
    expect(await stored(p.id)).toMatchObject({ status: 'active', digestFrequency: 'weekly', digestDay: 3 });
  });

  it('a paused partner who keeps the digest paused stays paused', async () => {
    const p = await activePartner();
    await setStatus(p.id, 'paused');
    expect((await postPrefs(prefsPath(p.id), changed({ digestFrequency: 'paused' }))).statusCode).toBe(200);
    expect(await stored(p.id)).toMatchObject({ status: 'paused', digestFrequency: 'paused' });
  });

  it('an active partner who pauses the digest stays active (and matched) with digest_frequency paused', async () => {
    const p = await activePartner();
    const res = await postPrefs(prefsPath(p.id), changed({ digestFrequency: 'paused' }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('your digest is paused');
    expect(await stored(p.id)).toMatchObject({ status: 'active', digestFrequency: 'paused' });
  });

  it('an unsubscribed partner sees a notice, and saving keeps them unsubscribed and suppressed', async () => {
    const p = await activePartner();
    const unsubscribe = await t.app.inject({
      method: 'POST',
      url: new URL(t.c.links.unsubscribe(p.email)).pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(unsubscribe.statusCode).toBe(200);
    expect((await stored(p.id)).status).toBe('unsubscribed');

    const page = await t.app.inject({ method: 'GET', url: prefsPath(p.id), headers: BROWSER });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('is unsubscribed');
    expect(page.body).toContain('href="/join"');

    const res = await postPrefs(prefsPath(p.id), changed({ digestFrequency: 'weekly' }));
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('your next digest uses these settings');
    expect(res.body).toContain('is unsubscribed');
    expect(await stored(p.id)).toMatchObject({ status: 'unsubscribed', digestFrequency: 'weekly', digestDay: 3 });
    expect(await suppression(p.email)).toMatchObject({ reason: 'unsubscribe' });
  });

  it('a deactivated partner stays deactivated', async () => {
    const p = await activePartner();
    const off = await t.app.inject({ method: 'DELETE', url: `/api/partners/${p.id}`, headers: t.adminHeaders });
    expect(off.statusCode).toBeLessThan(300);
    expect((await stored(p.id)).status).toBe('deactivated');
    const res = await postPrefs(prefsPath(p.id), changed({ digestFrequency: 'weekly' }));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('switched off');
    expect((await stored(p.id)).status).toBe('deactivated');
  });

  it('only the status paused is lifted: the update statement touches no other partner', async () => {
    const a = await activePartner();
    const b = await activePartner();
    await setStatus(a.id, 'paused');
    await setStatus(b.id, 'paused');
    expect((await postPrefs(prefsPath(a.id), changed({ digestFrequency: 'weekly' }))).statusCode).toBe(200);
    expect((await stored(a.id)).status).toBe('active');
    expect((await stored(b.id)).status).toBe('paused');
  });
});
