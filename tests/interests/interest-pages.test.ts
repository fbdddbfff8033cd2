import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOpportunity, addPartner, digestMailsTo } from '../support/digest-fixtures.ts';
import { createTestStack, csrfFrom, formBody, linkIn, type TestStack } from '../support/test-stack.ts';
import { databaseFingerprint, INTEREST_LOOP_TABLES } from '../support/db-fingerprint.ts';
import { BROWSER, FORM, partnerPagePaths, pathOf } from '../support/browser-requests.ts';

/**
 * The partner side of the interest loop, through HTTP against the real stack: the pages behind a
 * digest's "I'm interested" and "Not relevant" links, what their POSTs store, and that a muted
 * submitter's later opportunities reach neither the partner's matches nor their digest.
 */
let t: TestStack;

let seq = 0;
const unique = (name: string) => `${name}-${++seq}`;

const { interestPath, notRelevantPath } = partnerPagePaths(() => t);

/** A partner and an opportunity they were matched with, from a submitter of its own. */
async function pair(overrides: { submitterEmail?: string } = {}) {
  const key = unique('kube');
  const partnerId = await addPartner(t, key, ['kubernetes-on-azure']);
  const opportunityId = await addOpportunity(t, `AKS platform ${key}`, ['kubernetes-on-azure'], {
    submitter: { name: 'Sam Submitter', company: 'Submitter GmbH', email: overrides.submitterEmail ?? `sam@${key}.example` },
  });
  return { key, partnerId, opportunityId, email: `${key}@partners.example`, company: `${key} Ltd` };
}

const loopState = () => databaseFingerprint(t.c.db, INTEREST_LOOP_TABLES);

const interestRows = (partnerId: string, opportunityId: string) =>
  t.c.db
    .selectFrom('interests')
    .select(['partnerId', 'note', 'status', 'createdAt', 'withdrawnAt', 'notifiedAt'])
    .where('partnerId', '=', partnerId)
    .where('opportunityId', '=', opportunityId)
    .execute();

const notRelevantRows = (partnerId: string) =>
  t.c.db.selectFrom('notRelevant').select(['opportunityId', 'reason']).where('partnerId', '=', partnerId).execute();

const mutes = (partnerId: string) =>
  t.c.db.selectFrom('mutedSubmitters').select('submitterEmail').where('partnerId', '=', partnerId).execute();

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: BROWSER });

/** Opens the page (as the partner's browser does) and presses its button with these fields. */
async function press(url: string, fields: Record<string, string | undefined>) {
  const { token, cookie } = csrfFrom(await get(url));
  return t.app.inject({ method: 'POST', url, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, ...fields }) });
}

beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => {
  await t?.close();
});

describe('GET and HEAD, as a mail scanner sends them', () => {
  it('write nothing, three times over, without cookies, whatever the partner said before', async () => {
    const fresh = await pair();
    const interested = await pair();
    expect((await press(interestPath(interested.partnerId, interested.opportunityId), { note: 'We can help' })).statusCode).toBe(200);
    const dismissed = await pair();
    expect((await press(notRelevantPath(dismissed.partnerId, dismissed.opportunityId), { reason: 'mute-submitter' })).statusCode).toBe(200);

    const before = await loopState();
    for (let k = 0; k < 3; k++) {
      for (const p of [fresh, interested, dismissed]) {
        for (const url of [interestPath(p.partnerId, p.opportunityId), notRelevantPath(p.partnerId, p.opportunityId)]) {
          const page = await t.app.inject({ method: 'GET', url });
          expect(page.statusCode, url).toBe(200);
          expect(page.headers['cache-control']).toBe('no-store');
          const head = await t.app.inject({ method: 'HEAD', url });
          expect(head.statusCode, url).toBe(200);
          expect(head.body).toBe('');
        }
      }
    }
    expect(await loopState()).toEqual(before);
  });

  it('the interest page says who acts, and offers a note and one button that posts back', async () => {
    const p = await pair();
    const url = interestPath(p.partnerId, p.opportunityId);
    const page = await get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`You are acting as <strong>${p.company}</strong> (${p.email})`);
    expect(page.body).toContain('How we can help');
    expect(page.body).toContain('<textarea id="note" name="note"');
    expect(page.body).toContain(`<form method="post" action="${url}">`);
    expect(page.body).toContain('<input type="hidden" name="action" value="interest">');
    expect(page.body).toContain('I&#39;m interested</button>');
    expect(page.body).not.toMatch(/http-equiv="refresh"|\.submit\(\)|onload=/i);
  });

  it('the not-relevant page has one plain "Not relevant" button and a button per reason', async () => {
    const p = await pair();
    const page = await get(notRelevantPath(p.partnerId, p.opportunityId));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`You are acting as <strong>${p.company}</strong>`);
    expect(page.body).toContain('<button type="submit" class="big">Not relevant</button>');
    for (const reason of ['skills', 'region', 'budget', 'mute-submitter']) {
      expect(page.body).toContain(`<button type="submit" name="reason" value="${reason}"`);
    }
    expect(page.body).toContain('Don&#39;t show me this submitter&#39;s opportunities again');
  });
});

describe('"I\'m interested"', () => {
  it('is recorded once; the second press is a no-op that says when the first was', async () => {
    const p = await pair();
    const url = interestPath(p.partnerId, p.opportunityId);
    const first = await press(url, { action: 'interest', note: 'We built three AKS landing zones this year.' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body).toContain('We let the submitter know that you are interested');
    expect(first.body).toContain('You are interested');
    expect(first.body).toContain('We built three AKS landing zones this year.');
    const [row] = await interestRows(p.partnerId, p.opportunityId);
    expect(row).toMatchObject({ status: 'active', note: 'We built three AKS landing zones this year.', withdrawnAt: null, notifiedAt: null });

    const before = await loopState();
    const second = await press(url, { action: 'interest', note: 'A different note' });
    expect(second.statusCode).toBe(200);
    expect(second.body).toMatch(/You already told them on \d{1,2} \w+ \d{4} at \d{2}:\d{2}\. Nothing was changed\./);
    expect(second.body).toContain('We built three AKS landing zones this year.');
    expect(second.body).not.toContain('A different note');
    expect(await loopState()).toEqual(before);

    // The page itself now says so, with the date, the note and a way back.
    const page = await get(url);
    expect(page.body).toMatch(/You told them on \d{1,2} \w+ \d{4} at \d{2}:\d{2}\./);
    expect(page.body).toContain('<input type="hidden" name="action" value="withdraw">');
    expect(page.body).toContain('Withdraw my interest</button>');
    expect(page.body).not.toContain('<textarea');
  });

  it('presses that arrive together still make one interest', async () => {
    const p = await pair();
    const url = interestPath(p.partnerId, p.opportunityId);
    const { token, cookie } = csrfFrom(await get(url));
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.app.inject({ method: 'POST', url, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, note: 'Quick' }) }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.filter((a) => a.body.includes('We let the submitter know'))).toHaveLength(1);
    expect(answers.filter((a) => a.body.includes('You already told them on'))).toHaveLength(4);
    expect(await interestRows(p.partnerId, p.opportunityId)).toHaveLength(1);
  });

  it('can be withdrawn, which the page shows, and renewed with a new note', async () => {
    const p = await pair();
    const url = interestPath(p.partnerId, p.opportunityId);
    await press(url, { note: 'First note' });

    const withdrawn = await press(url, { action: 'withdraw' });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.body).toContain('You withdrew your interest.');
    const [row] = await interestRows(p.partnerId, p.opportunityId);
    expect(row!.status).toBe('withdrawn');
    expect(row!.withdrawnAt).toBeInstanceOf(Date);

    const page = await get(url);
    expect(page.body).toMatch(/You withdrew your interest on \d{1,2} \w+ \d{4} at \d{2}:\d{2}\./);
    expect(page.body).toContain('Interested again?');
    expect(page.body).toContain('I&#39;m interested again</button>');
    expect(page.body).toContain('>First note</textarea>');

    const before = await loopState();
    const again = await press(url, { action: 'withdraw' });
    expect(again.body).toContain('You already withdrew your interest on');
    expect(await loopState()).toEqual(before);

    const renewed = await press(url, { action: 'interest', note: 'Second note' });
    expect(renewed.body).toContain('You are interested again');
    const rows = await interestRows(p.partnerId, p.opportunityId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'active', note: 'Second note', withdrawnAt: null, notifiedAt: null });
    // New to the submitter: the notifier's clock starts again.
    expect(rows[0]!.createdAt.getTime()).toBeGreaterThan(row!.createdAt.getTime());
  });

  it('withdrawing without an interest changes nothing', async () => {
    const p = await pair();
    const before = await loopState();
    const res = await press(interestPath(p.partnerId, p.opportunityId), { action: 'withdraw' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('nothing to withdraw');
    expect(await loopState()).toEqual(before);
  });

  it('stores the note trimmed, with control characters and direction overrides removed', async () => {
    const p = await pair();
    await press(interestPath(p.partnerId, p.opportunityId), { note: '  \u0000We do AKS\r\nand\tGitOps\u0007.\u202e  \n' });
    const [row] = await interestRows(p.partnerId, p.opportunityId);
    expect(row!.note).toBe('We do AKS\nand\tGitOps.');
  });

  it('without a note stores an empty one', async () => {
    const p = await pair();
    expect((await press(interestPath(p.partnerId, p.opportunityId), {})).statusCode).toBe(200);
    expect((await interestRows(p.partnerId, p.opportunityId))[0]!.note).toBe('');
  });

  it('accepts a note of 2000 characters, counted as Postgres counts them', async () => {
    const p = await pair();
    const note = '🙂'.repeat(2000); // 4000 UTF-16 units, 2000 characters
    const res = await press(interestPath(p.partnerId, p.opportunityId), { note });
    expect(res.statusCode).toBe(200);
    expect((await interestRows(p.partnerId, p.opportunityId))[0]!.note).toBe(note);
  });

  it('rejects a note of 2001 characters with a 400 page that keeps the text, and writes nothing', async () => {
    const p = await pair();
    const url = interestPath(p.partnerId, p.opportunityId);
    const before = await loopState();
    const res = await press(url, { note: 'x'.repeat(2001) });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Nothing was sent');
    expect(res.body).toContain('Your note is too long: 2001 characters, and at most 2000 fit.');
    expect(res.body).toContain(`>${'x'.repeat(2001)}</textarea>`);
    expect(await loopState()).toEqual(before);
  });

  it('refuses a POST without a CSRF token, or without its cookie, and writes nothing', async () => {
    const p = await pair();
    const url = interestPath(p.partnerId, p.opportunityId);
    const before = await loopState();
    const noToken = await t.app.inject({ method: 'POST', url, headers: FORM, payload: formBody({ action: 'interest', note: 'hi' }) });
    expect(noToken.statusCode).toBe(403);
    const { token } = csrfFrom(await get(url));
    const noCookie = await t.app.inject({ method: 'POST', url, headers: FORM, payload: formBody({ _csrf: token, action: 'interest' }) });
    expect(noCookie.statusCode).toBe(403);
    const { cookie } = csrfFrom(await get(url));
    const wrongToken = await t.app.inject({ method: 'POST', url, headers: { ...FORM, cookie }, payload: formBody({ _csrf: 'made-up', action: 'interest' }) });
    expect(wrongToken.statusCode).toBe(403);
    expect(await loopState()).toEqual(before);
  });

  it('refuses an action it does not know with a 400 page', async () => {
    const p = await pair();
    const before = await loopState();
    const res = await press(interestPath(p.partnerId, p.opportunityId), { action: 'delete-everything' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Nothing was changed');
    expect(await loopState()).toEqual(before);
  });
});

describe('"Not relevant"', () => {
  it('stores each reason; skills, region and budget mute nobody', async () => {
    for (const reason of ['skills', 'region', 'budget'] as const) {
      const p = await pair();
      const res = await press(notRelevantPath(p.partnerId, p.opportunityId), { reason });
      expect(res.statusCode, reason).toBe(200);
      expect(res.body).toContain('Thank you, we stored it');
      expect(await notRelevantRows(p.partnerId)).toEqual([{ opportunityId: p.opportunityId, reason }]);
      expect(await mutes(p.partnerId)).toEqual([]);
    }
  });

  it('a second answer replaces the first; the same answer again changes nothing', async () => {
    const p = await pair();
    const url = notRelevantPath(p.partnerId, p.opportunityId);
    await press(url, { reason: 'skills' });
    const changed = await press(url, { reason: 'budget' });
    expect(changed.body).toContain('We changed your answer to: The budget doesn&#39;t fit.');
    expect(await notRelevantRows(p.partnerId)).toEqual([{ opportunityId: p.opportunityId, reason: 'budget' }]);

    const page = await get(url);
    expect(page.body).toMatch(/You told us on \d{1,2} \w+ \d{4} at \d{2}:\d{2}: The budget doesn&#39;t fit\./);
    expect(page.body).toMatch(/<button type="submit" name="reason" value="budget" id="reason-budget" class="secondary chosen" aria-describedby="reason-chosen">✓ The budget/);

    const before = await loopState();
    const same = await press(url, { reason: 'budget' });
    expect(same.statusCode).toBe(200);
    expect(same.body).toContain('This is stored already');
    expect(await loopState()).toEqual(before);
  });

  it('with a reason it does not know, answers 400 and writes nothing', async () => {
    const p = await pair();
    const url = notRelevantPath(p.partnerId, p.opportunityId);
    const before = await loopState();
    for (const reason of ['too-expensive', 'skills; DROP TABLE not_relevant']) {
      const res = await press(url, { reason });
      expect(res.statusCode, String(reason)).toBe(400);
      expect(res.body).toContain('We do not know that reason: choose one of the buttons.');
    }
    expect(await loopState()).toEqual(before);
  });

  it('in one tap without a reason stores it, and offers the reasons after', async () => {
    const p = await pair();
    const url = notRelevantPath(p.partnerId, p.opportunityId);
    for (const reason of [undefined, '']) {
      const res = await press(url, { reason });
      expect(res.statusCode, String(reason)).toBe(200);
    }
    expect(await notRelevantRows(p.partnerId)).toEqual([{ opportunityId: p.opportunityId, reason: null }]);
    const page = await get(url);
    expect(page.body).toMatch(/You marked it not relevant on \d{1,2} \w+ \d{4} at \d{2}:\d{2}\./);
    expect(page.body).not.toContain('class="big">Not relevant</button>');
    for (const reason of ['skills', 'region', 'budget', 'mute-submitter']) {
      expect(page.body).toContain(`<button type="submit" name="reason" value="${reason}"`);
    }

    // The reason can be added after; a plain tap later never takes it away again.
    const added = await press(url, { reason: 'region' });
    expect(added.body).toContain('Thank you, we added your reason: The region doesn&#39;t fit.');
    const again = await press(url, {});
    expect(again.body).toContain('This is stored already');
    expect(await notRelevantRows(p.partnerId)).toEqual([{ opportunityId: p.opportunityId, reason: 'region' }]);
  });

  it('refuses a POST without a CSRF token and writes nothing', async () => {
    const p = await pair();
    const before = await loopState();
    const res = await t.app.inject({
      method: 'POST',
      url: notRelevantPath(p.partnerId, p.opportunityId),
      headers: FORM,
      payload: formBody({ reason: 'mute-submitter' }),
    });
    expect(res.statusCode).toBe(403);
    expect(await loopState()).toEqual(before);
  });

  it('"mute-submitter" mutes the lower-cased address; moving to another reason lifts it', async () => {
    const p = await pair({ submitterEmail: 'Mixed.Case@Muted-Submitter.example' });
    const url = notRelevantPath(p.partnerId, p.opportunityId);
    const res = await press(url, { reason: 'mute-submitter' });
    expect(res.body).toContain('You will not see opportunities from this submitter again.');
    expect(await mutes(p.partnerId)).toEqual([{ submitterEmail: 'mixed.case@muted-submitter.example' }]);
    expect((await get(url)).body).toContain('You no longer see opportunities from this submitter.');

    await press(url, { reason: 'skills' });
    expect(await mutes(p.partnerId)).toEqual([]);
  });

  it('a mute set on two opportunities of one submitter outlives changing one of them', async () => {
    const p = await pair({ submitterEmail: 'twice@muted-submitter.example' });
    const other = await addOpportunity(t, `Second AKS job ${p.key}`, ['kubernetes-on-azure'], {
      submitter: { name: 'Sam', company: 'Submitter GmbH', email: 'TWICE@muted-submitter.example' },
    });
    await press(notRelevantPath(p.partnerId, p.opportunityId), { reason: 'mute-submitter' });
    await press(notRelevantPath(p.partnerId, other), { reason: 'mute-submitter' });
    await press(notRelevantPath(p.partnerId, p.opportunityId), { reason: 'region' });
    expect(await mutes(p.partnerId)).toEqual([{ submitterEmail: 'twice@muted-submitter.example' }]);
  });
});

describe('a muted submitter, later', () => {
  it("is matched to the partner no more and stays out of the partner's next digest, from the digest's own link", async () => {
    const skills = ['penetration-testing'];
    const muter = unique('muter');
    const other = unique('other');
    const muterId = await addPartner(t, muter, skills);
    const otherId = await addPartner(t, other, skills);
    const submitter = { name: 'Mo Muted', company: 'Loud Leads Ltd', email: 'Mo@Loud-Leads.example' };

    await addOpportunity(t, 'Pen test of a web shop', skills, { submitter });
    await t.c.digests.runRound({ everyone: true, period: '2099-W04' });
    const [digest] = digestMailsTo(t, `${muter}@partners.example`);
    expect(digest!.parsed.text).toContain('Pen test of a web shop');
    // Matched before the mute, not yet in a digest: the digest build must leave it out.
    const matchedBefore = await addOpportunity(t, 'Pen test of a mobile app', skills, { submitter });

    const link = pathOf(linkIn(digest!.parsed.text, '/n/'));
    const res = await press(link, { reason: 'mute-submitter' });
    expect(res.statusCode).toBe(200);
    expect(await mutes(muterId)).toEqual([{ submitterEmail: 'mo@loud-leads.example' }]);

    const after = await addOpportunity(t, 'Pen test of an API gateway', skills, {
      submitter: { ...submitter, email: 'MO@LOUD-LEADS.EXAMPLE' },
    });
    const unrelated = await addOpportunity(t, 'Pen test of a VPN', skills, {
      submitter: { name: 'Vera', company: 'Quiet Leads Ltd', email: 'vera@quiet-leads.example' },
    });
    const matchedPartners = async (opportunityId: string) =>
      (await t.c.db.selectFrom('matches').select('partnerId').where('opportunityId', '=', opportunityId).execute()).map((m) => m.partnerId);
    expect(await matchedPartners(after)).not.toContain(muterId);
    expect(await matchedPartners(after)).toContain(otherId);
    expect(await matchedPartners(matchedBefore)).toContain(muterId);
    expect(await matchedPartners(unrelated)).toContain(muterId);

    await t.c.digests.runRound({ everyone: true, period: '2099-W05' });
    const muterMails = digestMailsTo(t, `${muter}@partners.example`);
    expect(muterMails).toHaveLength(2);
    const next = `${muterMails[1]!.parsed.text ?? ''}${String(muterMails[1]!.parsed.html)}`;
    expect(next).toContain('Pen test of a VPN');
    expect(next).not.toContain('Pen test of an API gateway');
    expect(next).not.toContain('Pen test of a mobile app');
    expect(next).not.toContain('Loud Leads');

    // The partner who did not mute gets them all.
    const otherMails = digestMailsTo(t, `${other}@partners.example`);
    expect(otherMails).toHaveLength(2);
    for (const title of ['Pen test of an API gateway', 'Pen test of a mobile app', 'Pen test of a VPN']) {
      expect(otherMails[1]!.parsed.text).toContain(title);
    }
  });

  it('an opportunity marked "not relevant" before its first digest never reaches one', async () => {
    const skills = ['soc-mdr'];
    const key = unique('soc');
    const partnerId = await addPartner(t, key, skills);
    const dismissed = await addOpportunity(t, '24/7 SOC for a hospital', skills);
    await addOpportunity(t, 'MDR for a logistics firm', skills);
    await press(notRelevantPath(partnerId, dismissed), { reason: 'region' });
    await t.c.digests.runRound({ everyone: true, period: '2099-W06' });
    const [mail, ...more] = digestMailsTo(t, `${key}@partners.example`);
    expect(more).toHaveLength(0);
    expect(mail!.parsed.text).toContain('MDR for a logistics firm');
    expect(mail!.parsed.text).not.toContain('24/7 SOC for a hospital');
  });
});

describe('who may act, on what', () => {
  it("a partner cannot be interested in their own opportunity (by submitter address or partner id)", async () => {
    const key = unique('self');
    const partnerId = await addPartner(t, key, ['kubernetes-on-azure']);
    const byAddress = await addOpportunity(t, `AKS job by ${key}`, ['kubernetes-on-azure'], {
      submitter: { name: 'Me', company: 'Someone Else GmbH', email: `${key.toUpperCase()}@PARTNERS.example` },
    });
    const byId = await addOpportunity(t, `AKS job by id ${key}`, ['kubernetes-on-azure']);
    await t.c.db.updateTable('opportunities').set({ submitterPartnerId: partnerId }).where('id', '=', byId).execute();
    const { token, cookie } = csrfFrom(await get('/submit'));

    const before = await loopState();
    for (const opportunityId of [byAddress, byId]) {
      for (const url of [interestPath(partnerId, opportunityId), notRelevantPath(partnerId, opportunityId)]) {
        const page = await get(url);
        expect(page.statusCode, url).toBe(403);
        expect(page.body).toContain('This is your own opportunity');
        const post = await t.app.inject({
          method: 'POST',
          url,
          headers: { ...FORM, cookie },
          payload: formBody({ _csrf: token, note: 'me!', reason: 'mute-submitter' }),
        });
        expect(post.statusCode, url).toBe(403);
      }
    }
    expect(await loopState()).toEqual(before);
  });

  it('a partner who is not active, or no longer exists, gets a friendly page and writes nothing', async () => {
    const paused = await pair();
    await t.c.db.updateTable('partners').set({ status: 'paused' }).where('id', '=', paused.partnerId).execute();
    const deactivated = await pair();
    await t.c.partners.deactivate(deactivated.partnerId);
    const unsubscribed = await pair();
    await t.c.db.updateTable('partners').set({ status: 'unsubscribed' }).where('id', '=', unsubscribed.partnerId).execute();
    const pending = await pair();
    await t.c.db.updateTable('partners').set({ status: 'pending' }).where('id', '=', pending.partnerId).execute();
    const { opportunityId } = await pair();
    const { token, cookie } = csrfFrom(await get('/submit'));

    const before = await loopState();
    const cases: Array<[string, string, number, string]> = [
      [paused.partnerId, paused.opportunityId, 403, 'Your account is paused'],
      [deactivated.partnerId, deactivated.opportunityId, 403, 'switched off'],
      [unsubscribed.partnerId, unsubscribed.opportunityId, 403, 'You unsubscribed'],
      [pending.partnerId, pending.opportunityId, 403, 'confirm your email address first'],
      [randomUUID(), opportunityId, 404, 'We could not find your partner account'],
    ];
    for (const [partnerId, oppId, status, says] of cases) {
      for (const url of [interestPath(partnerId, oppId), notRelevantPath(partnerId, oppId)]) {
        const page = await get(url);
        expect(page.statusCode, url).toBe(status);
        expect(page.body).toContain(says);
        expect(page.body).not.toContain('AKS platform');
        for (const fields of [{ action: 'interest' }, { action: 'withdraw' }, { reason: 'mute-submitter' }]) {
          const post = await t.app.inject({ method: 'POST', url, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, ...fields }) });
          expect(post.statusCode, url).toBe(status);
        }
      }
    }
    expect(await loopState()).toEqual(before);
  });

  it('an opportunity that closes while its page is open takes no interest, no withdrawal and no reason (410)', async () => {
    for (const end of ['closed', 'withdrawn', 'expired'] as const) {
      const p = await pair();
      const i = interestPath(p.partnerId, p.opportunityId);
      const n = notRelevantPath(p.partnerId, p.opportunityId);
      const interested = await pair();
      await press(interestPath(interested.partnerId, interested.opportunityId), { note: 'before it closed' });
      const pages = await Promise.all([i, n, interestPath(interested.partnerId, interested.opportunityId)].map(get));
      if (end === 'expired') {
        await t.c.db
          .updateTable('opportunities')
          .set({ expiresAt: new Date(Date.now() - 1000) })
          .where('id', 'in', [p.opportunityId, interested.opportunityId])
          .execute();
      } else {
        await t.c.opportunities.end(p.opportunityId, end);
        await t.c.opportunities.end(interested.opportunityId, end);
      }

      const before = await loopState();
      const post = (url: string, page: (typeof pages)[number], fields: Record<string, string>) => {
        const { token, cookie } = csrfFrom(page);
        return t.app.inject({ method: 'POST', url, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, ...fields }) });
      };
      const answers = [
        await post(i, pages[0]!, { action: 'interest', note: 'too late' }),
        await post(n, pages[1]!, { reason: 'mute-submitter' }),
        await post(interestPath(interested.partnerId, interested.opportunityId), pages[2]!, { action: 'withdraw' }),
      ];
      for (const answer of answers) {
        expect(answer.statusCode, end).toBe(410);
        expect(answer.body).toContain('This opportunity is closed');
      }
      expect(await loopState()).toEqual(before);
      expect((await interestRows(interested.partnerId, interested.opportunityId))[0]!.status).toBe('active');
    }
  });
});
