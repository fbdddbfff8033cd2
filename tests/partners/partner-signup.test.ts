import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, csrfFrom, eventually, formBody, linkIn, tamper, type TestStack } from '../support/test-stack.ts';
import { BROWSER, FORM } from '../support/browser-requests.ts';
import { stackQueries } from '../support/stack-queries.ts';
import { opportunityInput } from '../support/factories.ts';
import { matchOpportunity } from '../../src/matching/match.service.ts';

let t: TestStack;

/** Each sign-up comes from its own client address, so the per-IP limit only bites in its own test. */
let nextIp = 1;
const freshIp = () => `10.0.0.${nextIp++}`;

const signup = (overrides: Record<string, string | string[] | undefined> = {}) => ({
  company: 'Fjordsky AS',
  contactName: 'Ingrid Dahl',
  email: 'ingrid@fjordsky.example',
  website: 'fjordsky.example',
  country: 'Norway',
  timezone: 'Europe/Oslo',
  regions: ['nordics', 'emea-west'],
  remoteOk: 'on',
  skills: ['azure-virtual-desktop', 'identity-access-management', 'intune'],
  profile: 'We run Azure Virtual Desktop and Intune for Norwegian municipalities.',
  consent: 'yes',
  ...overrides,
});

/** The /join form's CSRF token and the cookie that goes with it, as a browser holds them. */
async function openForm(stack: TestStack = t) {
  return csrfFrom(await stack.app.inject({ method: 'GET', url: '/join', headers: BROWSER }));
}

/** POSTs the fields to /join with a form's CSRF token and cookie (a freshly opened one by default). */
async function postJoin(
  fields: Record<string, string | string[] | undefined>,
  { stack = t, ip = freshIp(), form }: { stack?: TestStack; ip?: string; form?: { token: string; cookie: string } } = {},
) {
  const { token, cookie } = form ?? (await openForm(stack));
  return stack.app.inject({
    method: 'POST',
    url: '/join',
    remoteAddress: ip,
    headers: { ...FORM, cookie },
    payload: formBody({ _csrf: token, ...fields }),
  });
}

async function partnerByEmail(email: string) {
  return t.c.db.selectFrom('partners').selectAll().where('email', 'ilike', email).execute();
}

const { skillSlugsOf } = stackQueries(() => t);

const mailRequests = async () =>
  (await t.c.db.selectFrom('outbox').select('id').where('topic', '=', 'mail.requested').execute()).length;

const mailsTo = (email: string) =>
  t.smtp.received.filter((m) => m.envelope.to.some((to) => to.toLowerCase() === email.toLowerCase()));

/** The path of the confirmation link in the newest confirmation mail to `email`. */
async function confirmPathFor(email: string, nth = 1): Promise<string> {
  const mail = await eventually(async () => mailsTo(email)[nth - 1]);
  return new URL(linkIn(mail.parsed.text, '/join/confirm/')).pathname;
}

/** Signs up `email` and returns the partner row, still pending. */
async function pendingPartner(email: string) {
  const res = await postJoin(signup({ email, company: `Company of ${email}` }));
  expect(res.statusCode).toBe(303);
  const [row] = await partnerByEmail(email);
  expect(row?.status).toBe('pending');
  return row!;
}

beforeAll(async () => {
  t = await createTestStack();
  t.startBackground();
});
afterAll(async () => {
  await t?.close();
});

describe('GET /join', () => {
  it('serves the form with a CSRF token and labelled inputs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/join', headers: BROWSER });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<form method="post" action="/join"');
    expect(csrfFrom(res).token.length).toBeGreaterThan(10);
    for (const id of ['company', 'contactName', 'email', 'website', 'country', 'timezone', 'profile']) {
      expect(res.body, `label for ${id}`).toContain(`<label for="${id}">`);
      expect(res.body, `input ${id}`).toMatch(new RegExp(`<(input|select|textarea)[^>]* id="${id}" name="${id}"`));
    }
    expect(res.body).toMatch(/<label><input type="checkbox" name="consent" value="yes"/);
    expect(res.body).toMatch(/<label><input type="checkbox" name="regions" value="dach"/);
  });

  it('groups the skill checkboxes under their designation', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/join', headers: BROWSER });
    const groups = new Map(
      res.body
        .split('<details')
        .slice(1)
        .map((chunk) => [chunk.match(/<summary>([^<]+)<\/summary>/)?.[1], chunk] as const),
    );
    expect([...groups.keys()]).toEqual([
      'Data &amp; AI (Azure)',
      'Digital &amp; App Innovation (Azure)',
      'Infrastructure (Azure)',
      'Business Applications',
      'Modern Work',
      'Security',
    ]);
    const security = groups.get('Security')!;
    expect(security).toContain('name="skills" value="security"');
    expect(security).toContain('name="skills" value="identity-access-management"');
    expect(security).not.toContain('value="kubernetes-on-azure"');
    expect(groups.get('Digital &amp; App Innovation (Azure)')).toContain('name="skills" value="kubernetes-on-azure"');
    // Every checkbox sits inside its label.
    expect(security).toMatch(/<label[^>]*><input type="checkbox" name="skills" value="identity-access-management"[^>]*> <span>Identity and Access Management<\/span><\/label>/);
  });
});

describe('POST /join and the confirmation mail', () => {
  const email = 'ingrid@fjordsky.example';

  it('stores a pending partner and redirects to /join/sent', async () => {
    const res = await postJoin(signup({ email }));
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/join/sent');

    const rows = await partnerByEmail(email);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      company: 'Fjordsky AS',
      contactName: 'Ingrid Dahl',
      status: 'pending',
      source: 'signup',
      verifiedAt: null,
      website: 'https://fjordsky.example',
      regions: ['nordics', 'emea-west'],
      remoteOk: true,
      timezone: 'Europe/Oslo',
    });
    expect(await skillSlugsOf(rows[0]!.id)).toEqual(['azure-virtual-desktop', 'identity-access-management', 'intune']);

    const sent = await t.app.inject({ method: 'GET', url: '/join/sent', headers: BROWSER });
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('Check your inbox');
  });

  it('sends a confirmation mail with a confirm link, an HTML part and one-click unsubscribe', async () => {
    const mail = await eventually(async () => mailsTo(email)[0]);
    expect(mail.parsed.subject).toBe('Confirm your p2p-digest sign-up');
    expect(mail.parsed.text).toMatch(/http:\/\/p2p\.test\/join\/confirm\/[\w-]+\.[\w-]+\.[\w-]+/);
    expect(mail.parsed.text).toContain('Microsoft Azure Virtual Desktop');
    expect(mail.parsed.html).toEqual(expect.stringContaining('/join/confirm/'));
    expect(mail.raw).toMatch(/^List-Unsubscribe:\s+<http:\/\/p2p\.test\/u\/[\w.-]+>/m);
    expect(mail.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
  });

  it('only shows a page on GET and HEAD of the link, so mail scanners confirm nothing', async () => {
    const path = await confirmPathFor(email);
    for (let i = 0; i < 3; i++) {
      const get = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
      expect(get.statusCode).toBe(200);
      expect(get.body).toContain('<button type="submit">Confirm my sign-up</button>');
      expect(get.body).toContain(`action="${path}"`);
      const head = await t.app.inject({ method: 'HEAD', url: path });
      expect(head.statusCode).toBe(200);
    }
    const [row] = await partnerByEmail(email);
    expect(row).toMatchObject({ status: 'pending', verifiedAt: null });
  });

  it('activates the partner when the button is pressed, and again changes nothing', async () => {
    const path = await confirmPathFor(email);
    const page = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
    const form = csrfFrom(page);
    const press = () =>
      t.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie: form.cookie }, payload: formBody({ _csrf: form.token }) });

    const first = await press();
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Welcome aboard');
    const [confirmed] = await partnerByEmail(email);
    expect(confirmed!.status).toBe('active');
    expect(confirmed!.verifiedAt).toBeInstanceOf(Date);

    const second = await press();
    expect(second.statusCode).toBe(200);
    const [again] = await partnerByEmail(email);
    expect(again!.status).toBe('active');
    expect(again!.verifiedAt).toEqual(confirmed!.verifiedAt);
    expect(again!.updatedAt).toEqual(confirmed!.updatedAt);

    const after = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('is already confirmed');
  });

  it('needs the CSRF token to confirm', async () => {
    const row = await pendingPartner('nocsrf-confirm@fjordsky.example');
    const path = new URL(t.c.links.confirmPartner(row.id)).pathname;
    const res = await t.app.inject({ method: 'POST', url: path, headers: FORM, payload: '' });
    expect(res.statusCode).toBe(403);
    expect((await partnerByEmail(row.email))[0]!.status).toBe('pending');
  });
});

describe('bad confirmation links', () => {
  it('answers a tampered token with a friendly 400 page and changes nothing', async () => {
    const row = await pendingPartner('tampered@fjordsky.example');
    const good = new URL(t.c.links.confirmPartner(row.id)).pathname;
    const token = good.split('/').at(-1)!;
    const path = `/join/confirm/${tamper(token)}`;

    const get = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
    expect(get.statusCode).toBe(400);
    expect(get.headers['content-type']).toMatch(/^text\/html/);
    expect(get.body).toContain('This link does not work');
    expect(get.body).toContain('Nothing was changed');

    // Even with a valid CSRF token, the POST refuses it.
    const form = await openForm();
    const post = await t.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie: form.cookie }, payload: formBody({ _csrf: form.token }) });
    expect(post.statusCode).toBe(400);
    expect(post.body).toContain('This link does not work');

    const [after] = await partnerByEmail(row.email);
    expect(after).toMatchObject({ status: 'pending', verifiedAt: null, updatedAt: row.updatedAt });
  });

  it('refuses a genuine token made for another purpose', async () => {
    const row = await pendingPartner('purpose@fjordsky.example');
    const path = `/join/confirm/${t.c.signer.sign('unsubscribe', row.id, 3600)}`;

    const get = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
    expect(get.statusCode).toBe(400);
    expect(get.body).toContain('This link does not work');

    const form = await openForm();
    const post = await t.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie: form.cookie }, payload: formBody({ _csrf: form.token }) });
    expect(post.statusCode).toBe(400);

    const [after] = await partnerByEmail(row.email);
    expect(after).toMatchObject({ status: 'pending', verifiedAt: null, updatedAt: row.updatedAt });
  });
});

describe('a bad submission', () => {
  it('shows every field error and keeps what was typed', async () => {
    const before = await mailRequests();
    const res = await postJoin(
      signup({
        company: '',
        email: 'not-an-email',
        contactName: 'Ola "Ole" Nordmann',
        regions: undefined,
        remoteOk: undefined,
        skills: undefined,
        profile: 'We are a friendly team of consultants.',
        consent: undefined,
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^text\/html/);

    const errorFor = (field: string) => res.body.match(new RegExp(`<p class="error" id="${field}-error">([^<]*)</p>`))?.[1];
    expect(errorFor('company')).toBe('Enter your company&#39;s name');
    expect(errorFor('email')).toBe('Enter an email address like name@company.com');
    expect(errorFor('regions')).toBe('Choose at least one region you serve, or tick “We also take remote work anywhere”');
    expect(errorFor('skills')).toBe('Choose at least one skill, or name your skills in “What you do best”');
    expect(errorFor('consent')).toBe('Tick the box to get the weekly digest: it is what joining is for');
    expect(errorFor('contactName')).toBeUndefined();

    // What was typed comes back, escaped.
    expect(res.body).toContain('id="contactName" name="contactName" value="Ola &quot;Ole&quot; Nordmann"');
    expect(res.body).toContain('id="email" name="email" value="not-an-email"');
    expect(res.body).toContain('We are a friendly team of consultants.</textarea>');
    expect(res.body).toMatch(/<option value="Europe\/Oslo" selected>/);

    expect(await partnerByEmail('not-an-email')).toHaveLength(0);
    expect(await mailRequests()).toBe(before);
  });

  it('lists every problem at the top as a link to its field, and takes the focus there', async () => {
    const res = await postJoin(signup({ email: 'summary@fjordsky.example', company: '', regions: undefined, remoteOk: undefined, consent: undefined }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<title>Error: Join as a partner · p2p-digest</title>');
    const summary = /<div class="error-summary"([^>]*)>([\s\S]*?)<\/div>/.exec(res.body);
    expect(summary![1]).toMatch(/tabindex="-1" autofocus/);
    const links = [...(summary?.[2] ?? '').matchAll(/<a href="#([^"]+)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2]]);
    expect(links).toEqual([
      ['company', 'Enter your company&#39;s name'],
      ['regions', 'Choose at least one region you serve, or tick “We also take remote work anywhere”'],
      ['consent', 'Tick the box to get the weekly digest: it is what joining is for'],
    ]);
    for (const [id = ''] of links) expect(res.body, id).toMatch(new RegExp(`<(input|select|textarea)[^>]* id="${id}"`));
    expect(res.body).toMatch(/id="company" name="company" value="" required autocomplete="organization" class="invalid" aria-invalid="true" aria-describedby="company-error"/);
  });

  it('takes remote work anywhere without a region, as /submit does', async () => {
    const email = 'remote-only@fjordsky.example';
    const res = await postJoin(signup({ email, regions: undefined, remoteOk: 'on' }));
    expect(res.statusCode).toBe(303);
    expect((await partnerByEmail(email))[0]).toMatchObject({ regions: [], remoteOk: true, status: 'pending' });
  });

  it('can be corrected and sent again from the re-rendered form', async () => {
    const form = await openForm();
    const wrong = await postJoin(signup({ email: 'corrected@fjordsky.example', consent: undefined }), { form });
    expect(wrong.statusCode).toBe(400);
    const token = wrong.body.match(/name="_csrf" value="([^"]+)"/)?.[1];
    expect(token).toBeDefined();

    const fixed = await postJoin(signup({ email: 'corrected@fjordsky.example' }), { form: { token: token!, cookie: form.cookie } });
    expect(fixed.statusCode).toBe(303);
    expect(await partnerByEmail('corrected@fjordsky.example')).toHaveLength(1);
  });

  it('keeps the chosen skills and regions when another field is wrong', async () => {
    const res = await postJoin(signup({ email: 'kept-choices@fjordsky.example', company: ' ' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/name="skills" value="intune" checked/);
    expect(res.body).toMatch(/name="regions" value="nordics" checked/);
    expect(res.body).not.toMatch(/name="regions" value="dach" checked/);
    expect(await partnerByEmail('kept-choices@fjordsky.example')).toHaveLength(0);
  });

  it('names an unknown skill on the skills field', async () => {
    const res = await postJoin(signup({ email: 'unknown-skill@fjordsky.example', skills: ['intune', 'basket-weaving'] }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<p class="error" id="skills-error">Your skills: unknown skill &quot;basket-weaving&quot;</p>');
    expect(await partnerByEmail('unknown-skill@fjordsky.example')).toHaveLength(0);
  });
});

describe('abuse protection', () => {
  it('pretends to accept a bot that fills the honeypot, but stores and sends nothing', async () => {
    const before = await mailRequests();
    const res = await postJoin(signup({ email: 'bot@spam.example', company_site: 'https://spam.example' }));
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/join/sent');
    expect(await partnerByEmail('bot@spam.example')).toHaveLength(0);
    expect(await mailRequests()).toBe(before);
    expect(mailsTo('bot@spam.example')).toHaveLength(0);
  });

  it('refuses a post without the CSRF token, or without its cookie', async () => {
    const form = await openForm();
    const noToken = await t.app.inject({
      method: 'POST',
      url: '/join',
      headers: { ...FORM, cookie: form.cookie },
      payload: formBody(signup({ email: 'csrf1@fjordsky.example' })),
    });
    expect(noToken.statusCode).toBe(403);
    const noCookie = await t.app.inject({
      method: 'POST',
      url: '/join',
      headers: FORM,
      payload: formBody({ _csrf: form.token, ...signup({ email: 'csrf2@fjordsky.example' }) }),
    });
    expect(noCookie.statusCode).toBe(403);
    expect(await partnerByEmail('csrf1@fjordsky.example')).toHaveLength(0);
    expect(await partnerByEmail('csrf2@fjordsky.example')).toHaveLength(0);
  });
});

describe('signing up again', () => {
  it('with a pending address refreshes the details and sends a new link, without a second row', async () => {
    const email = 'twice@fjordsky.example';
    const first = await pendingPartner(email);
    await confirmPathFor(email, 1);

    const res = await postJoin(signup({ email: 'TWICE@fjordsky.example', company: 'Fjordsky Consulting AS', skills: ['sentinel'] }));
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/join/sent');

    const rows = await partnerByEmail(email);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: first.id, status: 'pending', company: 'Fjordsky Consulting AS' });
    expect(await skillSlugsOf(first.id)).toEqual(['sentinel']);

    await confirmPathFor(email, 2);
    expect(mailsTo(email)).toHaveLength(2);
  });

  it('with an active address answers the same and changes nothing', async () => {
    const active = await t.c.partners.createByAdmin({
      company: 'Vestland Cloud AS',
      contactName: 'Kari Vik',
      email: 'kari@vestland.example',
      regions: ['nordics'],
      remoteOk: true,
      timezone: 'Europe/Oslo',
      skills: ['intune'],
    });
    const [before] = await partnerByEmail(active.email);
    const requests = await mailRequests();

    const res = await postJoin(signup({ email: 'Kari@Vestland.example', company: 'Hijacked AS', skills: ['sentinel'] }));
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/join/sent');

    expect(await partnerByEmail(active.email)).toEqual([before]);
    expect(await skillSlugsOf(active.id)).toEqual(['intune']);
    expect(await mailRequests()).toBe(requests);
  });

  it('keeps the website, country and profile it is not given again, and the match reasons cite the profile it kept', async () => {
    const email = 'astrid@keeps.example';
    const partner = await t.c.partners.createByAdmin({
      company: 'Keeps AS',
      contactName: 'Astrid Holm',
      email,
      website: 'https://keeps.example',
      country: 'Norway',
      regions: ['nordics'],
      remoteOk: true,
      timezone: 'Europe/Oslo',
      skills: ['intune'],
      profile: 'We run Microsoft Sentinel for Norwegian municipalities.',
    });
    const unsubscribe = await t.app.inject({
      method: 'POST',
      url: new URL(t.c.links.unsubscribe(email)).pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(unsubscribe.statusCode).toBe(200);

    // Joins again with the form's required fields only: no website, country or profile typed.
    const res = await postJoin(signup({ email, company: 'Keeps AS', website: undefined, country: undefined, profile: undefined, skills: ['intune'] }));
    expect(res.statusCode).toBe(303);
    expect((await partnerByEmail(email))[0]).toMatchObject({
      status: 'pending',
      website: 'https://keeps.example',
      country: 'Norway',
      profile: 'We run Microsoft Sentinel for Norwegian municipalities.',
    });
    const confirmPath = await confirmPathFor(email);
    const page = await t.app.inject({ method: 'GET', url: confirmPath, headers: BROWSER });
    const { token, cookie } = csrfFrom(page);
    expect((await t.app.inject({ method: 'POST', url: confirmPath, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token }) })).statusCode).toBe(200);

    // Work that needs what only the profile names still reaches them, for the reason that is true.
    const { opportunity } = await t.c.opportunities.submit({
      source: 'api',
      caller: { kind: 'admin' },
      input: { ...opportunityInput({ requiredSkills: ['sentinel'], niceToHaveSkills: [], regions: ['nordics'] }) },
    });
    await matchOpportunity(t.c.db, opportunity.id, t.c.log);
    const matches = await t.app.inject({ method: 'GET', url: `/api/opportunities/${opportunity.id}/matches`, headers: t.adminHeaders });
    const ours = matches.json<{ matches: Array<{ partnerId: string; reasons: string[] }> }>().matches.find((m) => m.partnerId === partner.id);
    expect(ours?.reasons, JSON.stringify(ours)).toContain('Their profile mentions Microsoft Sentinel');
    const [stored] = await partnerByEmail(email);
    expect(stored!.profile).toContain('Sentinel');
  });

  it('after unsubscribing, joins again through a confirmation that lifts the unsubscribe', async () => {
    const email = 'leif@returning.example';
    const partner = await t.c.partners.createByAdmin({
      company: 'Returning AS',
      contactName: 'Leif Berg',
      email,
      regions: ['nordics'],
      remoteOk: true,
      timezone: 'Europe/Oslo',
      skills: ['intune'],
    });
    const unsubscribe = await t.app.inject({
      method: 'POST',
      url: new URL(t.c.links.unsubscribe(email)).pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(unsubscribe.statusCode).toBe(200);
    expect((await partnerByEmail(email))[0]?.status).toBe('unsubscribed');

    expect((await postJoin(signup({ email, company: 'Returning AS', skills: ['sentinel'] }))).statusCode).toBe(303);
    expect((await partnerByEmail(email))[0]?.status).toBe('pending');
    const confirmPath = await confirmPathFor(email); // the one email an unsubscribed address may get: it asked
    const page = await t.app.inject({ method: 'GET', url: confirmPath, headers: BROWSER });
    const { token, cookie } = csrfFrom(page);
    const confirmed = await t.app.inject({ method: 'POST', url: confirmPath, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token }) });
    expect(confirmed.statusCode).toBe(200);
    expect((await partnerByEmail(email))[0]).toMatchObject({ id: partner.id, status: 'active' });
    expect(await skillSlugsOf(partner.id)).toEqual(['sentinel']);
    expect(await t.c.db.selectFrom('suppressions').select('email').where('email', '=', email).execute()).toEqual([]);
  });
});

describe('rate limit', () => {
  let limited: TestStack;
  beforeAll(async () => {
    limited = await createTestStack({ SUBMIT_RATE_PER_HOUR: '2' });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('answers the third sign-up from one address within the hour with 429, a page and Retry-After', async () => {
    const ip = '192.0.2.7';
    const emails = ['rl1@limited.example', 'rl2@limited.example', 'rl3@limited.example'];
    const responses = [];
    for (const email of emails) responses.push(await postJoin(signup({ email }), { stack: limited, ip }));
    expect(responses.map((r) => r.statusCode)).toEqual([303, 303, 429]);
    const third = responses[2]!;
    expect(third.headers['content-type']).toMatch(/^text\/html/);
    expect(third.body).toContain('Slow down, please');
    const retryAfter = Number(third.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);

    const stored = await limited.c.db.selectFrom('partners').select('email').orderBy('email').execute();
    expect(stored.map((r) => r.email)).toEqual(['rl1@limited.example', 'rl2@limited.example']);

    // Another client is not affected.
    const other = await postJoin(signup({ email: 'rl4@limited.example' }), { stack: limited, ip: '192.0.2.8' });
    expect(other.statusCode).toBe(303);
  });
});

describe('signing up with the skills in the profile only', () => {
  it('is accepted, and the confirmation mail and page say which skills we read in the profile', async () => {
    const email = 'prose@fjordsky.example';
    const res = await postJoin(signup({ email, skills: undefined, profile: 'We run Microsoft Sentinel for Norwegian municipalities.' }));
    expect(res.statusCode).toBe(303);
    const path = await confirmPathFor(email);
    expect(mailsTo(email)[0]!.parsed.text).toMatch(/Named in your profile:?\s+Microsoft Sentinel/);
    const page = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
    expect(page.body).toContain('Named in your profile');
    expect(page.body).toContain('Microsoft Sentinel');
  });
});
