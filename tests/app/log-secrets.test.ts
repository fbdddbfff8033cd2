import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logging/logger.ts';
import { BROWSER, FORM, pathOf } from '../support/browser-requests.ts';
import { partnerPayload } from '../support/factories.ts';
import { ADMIN_TOKEN, APP_SECRET, createTestStack, csrfFrom, eventually, formBody, linkIn, type TestStack } from '../support/test-stack.ts';

/**
 * The whole loop in one process, with the service's own logger writing into a string: sign-up and
 * confirmation, a submission and its confirmation, the status page, a digest round, interest and
 * "not relevant", preferences, unsubscribe, an email draft's correction page, the admin API, a
 * partner's API key and the inbound webhook's `?key=`. Then every token and secret used is looked
 * for in the log: none may be there.
 */
const WEBHOOK_SECRET = 'inbound-webhook-secret-for-logs-0123456789';
const INTAKE = 'opportunities@p2p.test';
const PARTNER = { company: 'Kubeworks Logs GmbH', email: 'jana@kubeworks-logs.example' };
const SUBMITTER = 'max@alpenwolke-logs.example';

let t: TestStack;
let logged = '';
const secrets = new Map<string, string>();

/** Remembers the token of a link we emailed (the segment after its path) and returns the path. */
function remember(label: string, url: string): string {
  const path = pathOf(url);
  const token = path.split('/').filter(Boolean).pop()!;
  expect(token.length).toBeGreaterThan(20);
  secrets.set(`${label} token`, token);
  return path;
}

const mailTo = (email: string, subject: RegExp) =>
  t.smtp.waitFor((m) => m.envelope.to.includes(email) && subject.test(m.parsed.subject ?? ''));

/** GET the page, then POST its form with the page's CSRF token and any fields. */
async function openAndPost(path: string, fields: Record<string, string | string[]> = {}) {
  const page = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
  expect(page.statusCode).toBe(200);
  const { token, cookie } = csrfFrom(page);
  secrets.set(`csrf of ${path}`, token);
  secrets.set(`csrf cookie of ${path}`, cookie.split('=')[1]!);
  return t.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, ...fields }) });
}

beforeAll(async () => {
  const log = createLogger('trace', { write: (line: string) => void (logged += line) });
  t = await createTestStack({ INBOUND_WEBHOOK_SECRET: WEBHOOK_SECRET, INTAKE_ADDRESSES: INTAKE, INTEREST_BATCH_MINUTES: '0' }, {}, log);
  t.startBackground();
  secrets.set('ADMIN_TOKEN', ADMIN_TOKEN);
  secrets.set('APP_SECRET', APP_SECRET);
  secrets.set('INBOUND_WEBHOOK_SECRET', WEBHOOK_SECRET);
});
afterAll(async () => {
  await t?.close();
});

describe('the log of a whole loop', () => {
  it('holds no link token, API key, admin token or secret', { timeout: 60_000 }, async () => {
    // A partner joins by the form and confirms.
    const join = await openAndPost('/join', {
      company: PARTNER.company,
      contactName: 'Jana Berg',
      email: PARTNER.email,
      regions: ['dach'],
      skills: ['aks'],
      digestFrequency: 'weekly',
      consent: 'yes',
    });
    expect(join.statusCode).toBe(303);
    const confirmPartner = remember('join confirm', linkIn((await mailTo(PARTNER.email, /confirm/i)).parsed.text, '/join/confirm/'));
    expect((await openAndPost(confirmPartner)).statusCode).toBe(200);
    const partner = await eventually(() =>
      t.c.db.selectFrom('partners').select(['id', 'status']).where('email', '=', PARTNER.email).where('status', '=', 'active').executeTakeFirst(),
    );

    // A submitter sends the form and confirms; the answer leads to the status page.
    const submitted = await openAndPost('/submit', {
      title: 'AKS landing zone for a logistics firm',
      description: 'Our customer in Vienna needs its route planning moved to Azure Kubernetes Service by spring.',
      requiredSkills: ['aks'],
      regions: ['dach'],
      'submitter.name': 'Max Huber',
      'submitter.company': 'Alpenwolke GmbH',
      'submitter.email': SUBMITTER,
    });
    expect(submitted.statusCode).toBe(303);
    const confirmOpportunity = remember('submit confirm', linkIn((await mailTo(SUBMITTER, /^Confirm your opportunity/)).parsed.text, '/submit/confirm/'));
    const confirmed = await openAndPost(confirmOpportunity);
    expect(confirmed.statusCode).toBe(303);
    const statusPath = remember('status page', `http://p2p.test${confirmed.headers.location as string}`);
    expect((await t.app.inject({ method: 'GET', url: statusPath, headers: BROWSER })).statusCode).toBe(200);

    // The match worker matches them; a digest round mails the partner.
    await eventually(() => t.c.db.selectFrom('matches').select('partnerId').where('partnerId', '=', partner.id).executeTakeFirst());
    await t.c.digests.enqueueRound({ everyone: true, partnerId: partner.id, period: '2099-W05' });
    // The digest: its subject names its best card, its Message-ID says what it is.
    const digest = (await t.smtp.waitFor((m) => m.envelope.to.includes(PARTNER.email) && /^Message-ID: <digest\./im.test(m.raw))).parsed.text;
    const interest = remember('interest', linkIn(digest, '/i/'));
    const notRelevant = remember('not relevant', linkIn(digest, '/n/'));
    const preferences = remember('preferences', linkIn(digest, '/p/'));
    const unsubscribe = remember('unsubscribe', linkIn(digest, '/u/'));

    expect((await openAndPost(interest, { action: 'interest', note: 'We run AKS for three hauliers.' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: notRelevant, headers: BROWSER })).statusCode).toBe(200);
    expect((await openAndPost(preferences, { digestFrequency: 'monthly' })).statusCode).toBeLessThan(500);
    // A token put where a link path is not, as a query parameter, is hidden all the same.
    await t.app.inject({ method: 'GET', url: `/join/confirm?token=${secrets.get('join confirm token')}`, headers: BROWSER });
    expect((await t.app.inject({ method: 'GET', url: unsubscribe, headers: BROWSER })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: unsubscribe, headers: FORM, payload: '' })).statusCode).toBe(200);

    // The admin API and a partner's API key.
    const keyRes = await t.app.inject({ method: 'POST', url: `/api/partners/${partner.id}/api-keys`, headers: t.adminHeaders, payload: { label: 'erp' } });
    expect(keyRes.statusCode).toBe(201);
    const apiKey = keyRes.json<{ key: string }>().key;
    secrets.set('partner API key', apiKey);
    const other = await t.app.inject({ method: 'POST', url: '/api/partners', headers: t.adminHeaders, payload: partnerPayload() });
    expect(other.statusCode).toBe(201);
    await t.app.inject({ method: 'GET', url: '/api/opportunities', headers: { authorization: `Bearer ${apiKey}` } });

    // An opportunity by email through the webhook's ?key=, then its correction page.
    const messageId = '<logs-1@fabrikam-logs.example>';
    const raw = [
      'From: Anna Berger <anna@fabrikam-logs.example>',
      `To: ${INTAKE}`,
      'Subject: AKS migration for a retailer in Munich',
      `Message-ID: ${messageId}`,
      '',
      'Hi, our customer in Munich moves its shop platform to Azure Kubernetes Service (AKS).',
      'We need a partner with AKS experience for about three months. Budget 40,000 - 60,000 EUR.',
      '',
    ].join('\r\n');
    const stored = await t.app.inject({ method: 'POST', url: `/inbound/raw?key=${WEBHOOK_SECRET}`, headers: { 'content-type': 'message/rfc822' }, payload: raw });
    expect(stored.statusCode).toBe(200);
    const draft = await eventually(() =>
      t.c.db.selectFrom('opportunities').select('id').where('sourceMessageId', '=', messageId).executeTakeFirst(),
    );
    const draftPath = remember('email draft', t.c.links.emailDraft(draft.id));
    expect((await openAndPost(draftPath, { title: 'AKS migration for a retailer in Munich' })).statusCode).toBeLessThan(500);

    // Let the workers finish what the loop started, so their log lines are in too.
    await new Promise((r) => setTimeout(r, 500));

    expect(secrets.size).toBeGreaterThan(20);
    const found = [...secrets].filter(([, value]) => logged.includes(value)).map(([label]) => label);
    expect(found).toEqual([]);

    // The log is there, and it shows where each request went, without the token.
    expect(logged).toContain('"incoming request"');
    for (const path of ['/join/confirm', '/submit/confirm', '/o', '/i', '/n', '/p', '/u', '/e']) {
      expect(logged).toContain(`"url":"${path}/[redacted]`);
    }
    expect(logged).toContain('key=[redacted]');
    expect(logged).toContain('token=[redacted]');
  });
});
