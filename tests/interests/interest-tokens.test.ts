import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinkSigner, type LinkPurpose } from '../../src/platform/links/link-tokens.ts';
import { addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { APP_SECRET, createTestStack, csrfFrom, formBody, tamper, type TestStack } from '../support/test-stack.ts';
import { databaseFingerprint, INTEREST_LOOP_TABLES } from '../support/db-fingerprint.ts';
import { BROWSER, FORM } from '../support/browser-requests.ts';

/**
 * The tokens behind /i/ and /n/: only a well-signed token for that button, still valid, signed
 * with the current or a listed previous secret, opens a page or records anything, and it always
 * acts for the partner it names. Every bad token gets a friendly page on GET and on POST, and
 * nothing is written. The service here runs after a rotation: APP_SECRET is new, the tests'
 * usual secret is APP_SECRET_PREVIOUS, and a third, older one is no longer listed.
 */
let t: TestStack;

const NEW_SECRET = 'rotated-app-secret-abcdefghijklmnopqrstuvwxyz';
const RETIRED_SECRET = 'retired-app-secret-abcdefghijklmnopqrstuvwxyz';
const previous = createLinkSigner([APP_SECRET]);
const retired = createLinkSigner([RETIRED_SECRET]);

const HOUR = 3600;
const PREFIX: Record<'interest' | 'not-relevant', string> = { interest: '/i/', 'not-relevant': '/n/' };

let seq = 0;

async function pair() {
  const key = `tok-${++seq}`;
  const partnerId = await addPartner(t, key, ['kubernetes-on-azure']);
  const opportunityId = await addOpportunity(t, `AKS platform ${key}`, ['kubernetes-on-azure'], {
    submitter: { name: 'Sam', company: 'Submitter GmbH', email: `sam@${key}.example` },
  });
  return { key, partnerId, opportunityId, subject: `${partnerId}:${opportunityId}` };
}

const sign = (purpose: LinkPurpose, subject: string, ttl = HOUR, now?: Date) => t.c.signer.sign(purpose, subject, ttl, now);

const loopState = () => databaseFingerprint(t.c.db, INTEREST_LOOP_TABLES);

/** A CSRF token and cookie from a page of ours: a bad link's POST must fail on the link, not on CSRF. */
async function csrf() {
  return csrfFrom(await t.app.inject({ method: 'GET', url: '/submit', headers: BROWSER }));
}

/** GET, HEAD and every kind of POST of a URL, answered with `status` and the friendly page; nothing written. */
async function expectRefused(url: string, status: number, says: string) {
  const before = await loopState();
  const { token, cookie } = await csrf();
  const get = await t.app.inject({ method: 'GET', url, headers: BROWSER });
  expect(get.statusCode, `GET ${url}`).toBe(status);
  expect(get.body).toContain(says);
  expect(get.body).toContain('Nothing was changed');
  expect(get.body).not.toContain('AKS platform');
  expect(get.body).not.toContain('<form');
  expect((await t.app.inject({ method: 'HEAD', url })).statusCode).toBe(status);
  for (const fields of [{ action: 'interest', note: 'hello' }, { action: 'withdraw' }, { reason: 'mute-submitter' }]) {
    const post = await t.app.inject({ method: 'POST', url, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, ...fields }) });
    expect(post.statusCode, `POST ${url} ${JSON.stringify(fields)}`).toBe(status);
    expect(post.body).toContain(says);
  }
  expect(await loopState()).toEqual(before);
}

/** Opens the page for a token and presses its button. */
async function press(url: string, fields: Record<string, string>) {
  const page = await t.app.inject({ method: 'GET', url, headers: BROWSER });
  expect(page.statusCode, url).toBe(200);
  const { token, cookie } = csrfFrom(page);
  return t.app.inject({ method: 'POST', url, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, ...fields }) });
}

beforeAll(async () => {
  t = await createTestStack({ APP_SECRET: NEW_SECRET, APP_SECRET_PREVIOUS: APP_SECRET });
});
afterAll(async () => {
  await t?.close();
});

describe('bad tokens, on GET, HEAD and POST, for both buttons', () => {
  for (const purpose of ['interest', 'not-relevant'] as const) {
    const other = purpose === 'interest' ? 'not-relevant' : 'interest';

    it(`${purpose}: a tampered signature`, async () => {
      const p = await pair();
      await expectRefused(`${PREFIX[purpose]}${tamper(sign(purpose, p.subject))}`, 400, 'This link does not work');
    });

    it(`${purpose}: malformed tokens`, async () => {
      const p = await pair();
      const good = sign(purpose, p.subject);
      for (const token of ['not-a-token', good.split('.').slice(0, 2).join('.'), `${good}.x`, good.replace('.', '.%2F')]) {
        await expectRefused(`${PREFIX[purpose]}${token}`, 400, 'This link does not work');
      }
    });

    it(`${purpose}: expired, by a negative lifetime or by a clock an hour and a half back`, async () => {
      const p = await pair();
      await expectRefused(`${PREFIX[purpose]}${sign(purpose, p.subject, -60)}`, 410, 'This link has expired');
      const signedEarlier = sign(purpose, p.subject, HOUR, new Date(Date.now() - 90 * 60_000));
      await expectRefused(`${PREFIX[purpose]}${signedEarlier}`, 410, 'This link has expired');
    });

    it(`${purpose}: a token for another purpose (the other button, unsubscribe, preferences, the status page)`, async () => {
      const p = await pair();
      for (const wrong of [other, 'unsubscribe', 'preferences', 'opportunity-status', 'confirm-partner'] as const) {
        await expectRefused(`${PREFIX[purpose]}${sign(wrong, p.subject)}`, 400, 'This link does not work');
      }
      // The partner's real preferences link (subject: the partner id alone) does not open it either.
      await expectRefused(`${PREFIX[purpose]}${new URL(t.c.links.preferences(p.partnerId)).pathname.slice(3)}`, 400, 'This link does not work');
    });

    it(`${purpose}: signed with a secret that is neither APP_SECRET nor APP_SECRET_PREVIOUS`, async () => {
      const p = await pair();
      await expectRefused(`${PREFIX[purpose]}${retired.sign(purpose, p.subject, HOUR)}`, 400, 'This link does not work');
    });

    it(`${purpose}: a subject swapped for another partner's, under the first partner's signature`, async () => {
      const a = await pair();
      const b = await pair();
      const [keyId, , signature] = sign(purpose, a.subject).split('.');
      const payload = Buffer.from(JSON.stringify({ p: purpose, s: b.subject, e: Math.floor(Date.now() / 1000) + HOUR })).toString('base64url');
      await expectRefused(`${PREFIX[purpose]}${keyId}.${payload}.${signature}`, 400, 'This link does not work');
    });

    it(`${purpose}: a well-signed subject that is not "<partner>:<opportunity>"`, async () => {
      const p = await pair();
      for (const subject of [p.partnerId, `${p.partnerId}:${p.opportunityId}:x`, `${p.partnerId}:not-a-uuid`, `${p.opportunityId}`]) {
        await expectRefused(`${PREFIX[purpose]}${sign(purpose, subject)}`, 400, 'This link does not work');
      }
    });
  }
});

describe('after a rotation', () => {
  it('a link signed with APP_SECRET_PREVIOUS still opens its page and records, for its partner', async () => {
    const p = await pair();
    const i = `/i/${previous.sign('interest', p.subject, HOUR)}`;
    const n = `/n/${previous.sign('not-relevant', p.subject, HOUR)}`;
    expect((await press(i, { note: 'still works' })).statusCode).toBe(200);
    expect((await press(n, { reason: 'budget' })).statusCode).toBe(200);
    expect(await t.c.db.selectFrom('interests').select(['partnerId', 'note']).where('opportunityId', '=', p.opportunityId).execute()).toEqual([
      { partnerId: p.partnerId, note: 'still works' },
    ]);
    expect(await t.c.db.selectFrom('notRelevant').select(['partnerId', 'reason']).where('opportunityId', '=', p.opportunityId).execute()).toEqual([
      { partnerId: p.partnerId, reason: 'budget' },
    ]);
  });

  it('new links are signed with the new secret: the previous signer cannot verify them', async () => {
    const p = await pair();
    const token = new URL(t.c.links.interest(p.partnerId, p.opportunityId, new Date(Date.now() + 86_400_000 * 3))).pathname.slice(3);
    expect(previous.verify(token, 'interest')).toEqual({ ok: false, reason: 'bad-signature' });
    expect(createLinkSigner([NEW_SECRET]).verify(token, 'interest').ok).toBe(true);
  });
});

describe('the token binds the partner', () => {
  it("partner A's link acts as A, whoever opens it, and never touches B", async () => {
    const a = await pair();
    const b = await pair();
    // B's own opportunity would be the same for both; A's link names A's partner and A's opportunity.
    const url = new URL(t.c.links.interest(a.partnerId, a.opportunityId, new Date(Date.now() + 86_400_000 * 3))).pathname;
    const page = await t.app.inject({ method: 'GET', url, headers: BROWSER });
    expect(page.body).toContain(`You are acting as <strong>${a.key} Ltd</strong> (${a.key}@partners.example)`);
    expect(page.body).not.toContain(`${b.key}@partners.example`);

    // B's browser, with B's own CSRF cookie from B's own page, presses the button on A's link.
    const bPage = await t.app.inject({
      method: 'GET',
      url: new URL(t.c.links.interest(b.partnerId, b.opportunityId, new Date(Date.now() + 86_400_000 * 3))).pathname,
      headers: BROWSER,
    });
    const { token, cookie } = csrfFrom(bPage);
    const res = await t.app.inject({ method: 'POST', url, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, note: 'from B' }) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`You are acting as <strong>${a.key} Ltd</strong>`);
    const rows = await t.c.db
      .selectFrom('interests')
      .select(['partnerId', 'opportunityId'])
      .where('partnerId', 'in', [a.partnerId, b.partnerId])
      .execute();
    expect(rows).toEqual([{ partnerId: a.partnerId, opportunityId: a.opportunityId }]);
  });

  it("A's link for one opportunity cannot reach A's standing on another", async () => {
    const a = await pair();
    await addOpportunity(t, `Second AKS platform ${a.key}`, ['kubernetes-on-azure']);
    await press(new URL(t.c.links.notRelevant(a.partnerId, a.opportunityId, new Date(Date.now() + 86_400_000 * 3))).pathname, {
      reason: 'skills',
    });
    const rows = await t.c.db.selectFrom('notRelevant').select('opportunityId').where('partnerId', '=', a.partnerId).execute();
    expect(rows).toEqual([{ opportunityId: a.opportunityId }]);
  });
});
