import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminAuthService } from '../../src/admin/admin-auth.service.ts';
import { startScheduler } from '../../src/app/roles.ts';
import { BROWSER, FORM, pathOf } from '../support/browser-requests.ts';
import { databaseFingerprint } from '../support/db-fingerprint.ts';
import { matchOpportunity } from '../../src/matching/match.service.ts';
import { addOpportunity, addPartner, digestMailsTo } from '../support/digest-fixtures.ts';
import { createActivePartner, opportunityPayload } from '../support/factories.ts';
import { storeInbound } from '../support/inbound-fixtures.ts';
import { createTestStack, csrfFrom, deleteKeys, eventually, formBody, linkIn, type TestStack } from '../support/test-stack.ts';

/**
 * The operator console: sign-in by an emailed one-time link, the session cookie, CSRF on every
 * action, the audit log, moderation and suppressions.
 */
const OPERATOR = 'ops@operator.example';
let t: TestStack;

beforeAll(async () => {
  t = await createTestStack({ MODERATION: 'on', ADMIN_EMAILS: `${OPERATOR}, second@operator.example` });
  t.startBackground();
});
afterAll(async () => {
  await t?.close();
});

let ipSeq = 0;
const freshIp = () => `10.9.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

/** Asks for a sign-in link on the form, as a browser does. */
async function askForLink(email: string) {
  const form = await t.app.inject({ method: 'GET', url: '/admin/sign-in', headers: BROWSER });
  const { token, cookie } = csrfFrom(form);
  return t.app.inject({ method: 'POST', url: '/admin/sign-in', remoteAddress: freshIp(), headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, email }) });
}

const signInMails = (to: string) => t.smtp.received.filter((m) => m.envelope.to.includes(to) && m.parsed.subject?.includes('sign-in link'));

/** The path of the newest sign-in link mailed to `to`. */
async function mailedLink(to: string, after = 0): Promise<string> {
  const mail = await t.smtp.waitFor((m) => m.envelope.to.includes(to) && m.parsed.subject?.includes('sign-in link') === true && signInMails(to).indexOf(m) >= after);
  return pathOf(linkIn(mail.parsed.text, '/admin/sign-in/'));
}

/** Signs in through the emailed link; returns the session cookie and a CSRF pair for actions. */
async function signIn(email = OPERATOR) {
  // This file signs in more often than an address may ask in a quarter hour: start its allowance afresh.
  await deleteKeys(t.c.redis, `${t.config.queuePrefix}:rl:admin-sign-in-address`);
  const before = signInMails(email).length;
  expect((await askForLink(email)).statusCode).toBe(200);
  const path = await mailedLink(email, before);
  const page = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
  const { token, cookie } = csrfFrom(page);
  const res = await t.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token }) });
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe('/admin');
  const session = res.cookies.find((c) => c.name === 'p2p_admin')!;
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
  const sessionCookie = `p2p_admin=${session.value}`;
  const overview = await t.app.inject({ method: 'GET', url: '/admin', headers: { ...BROWSER, cookie: `${sessionCookie}; ${cookie}` } });
  expect(overview.statusCode).toBe(200);
  const csrfToken = overview.body.match(/name="_csrf" value="([^"]+)"/)![1]!;
  return { cookie: `${sessionCookie}; ${cookie}`, sessionCookie, csrfCookie: cookie, csrfToken };
}

type Session = Awaited<ReturnType<typeof signIn>>;
const post = (s: Pick<Session, 'cookie'>, url: string, fields: Record<string, string | string[]>) =>
  t.app.inject({ method: 'POST', url, headers: { ...FORM, cookie: s.cookie }, payload: formBody(fields) });
const get = (s: Pick<Session, 'cookie'>, url: string) => t.app.inject({ method: 'GET', url, headers: { ...BROWSER, cookie: s.cookie } });

/**
 * The opportunity under moderation and the audit log, to show a refused action wrote nothing. Only
 * that opportunity's row: an earlier test's approval has the match worker set `matched_at` on
 * another opportunity whenever it gets to it.
 */
const moderationState = async (id: string) => ({
  opportunity: JSON.stringify(await t.c.db.selectFrom('opportunities').selectAll().where('id', '=', id).executeTakeFirst()),
  ...(await databaseFingerprint(t.c.db, ['admin_audit'])),
});
const auditActions = async () => (await t.c.db.selectFrom('adminAudit').select(['actor', 'action', 'target']).orderBy('id').execute());

describe('signing in', () => {
  it('mails no link to an address that is not an operator, and answers as for one', async () => {
    const stranger = await askForLink('nobody@elsewhere.example');
    const operator = await askForLink(OPERATOR);
    await mailedLink(OPERATOR);
    const strip = (body: string) => body.replace(/name="_csrf" value="[^"]+"/g, '').replace(/<strong>[^<]+<\/strong>/, '');
    expect(stranger.statusCode).toBe(operator.statusCode);
    expect(strip(stranger.body)).toBe(strip(operator.body));
    await new Promise((r) => setTimeout(r, 300));
    expect(t.smtp.received.filter((m) => m.envelope.to.includes('nobody@elsewhere.example'))).toEqual([]);
    const requests = await t.c.db.selectFrom('adminSignInRequests').select('email').execute();
    expect(requests.map((r) => r.email)).not.toContain('nobody@elsewhere.example');
  });

  it('mails an operator a link whose GET changes nothing; the page POST signs in once', async () => {
    const before = signInMails(OPERATOR).length;
    await askForLink(OPERATOR);
    const path = await mailedLink(OPERATOR, before);
    const mail = signInMails(OPERATOR).at(-1)!;
    expect(mail.parsed.text).toContain('works once');
    expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated');

    // A mail scanner: HEAD and GETs without cookies.
    const fingerprint = await databaseFingerprint(t.c.db);
    for (const method of ['HEAD', 'GET', 'GET'] as const) {
      const res = await t.app.inject({ method, url: path });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.cookies.find((c) => c.name === 'p2p_admin')).toBeUndefined();
    }
    // A POST without the page's CSRF token (a scanner that submits forms) is refused.
    const noCsrf = await t.app.inject({ method: 'POST', url: path, headers: FORM, payload: '' });
    expect(noCsrf.statusCode).toBe(403);
    expect(await databaseFingerprint(t.c.db)).toEqual(fingerprint);

    const page = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
    expect(page.body).toContain(`sign in as ${OPERATOR}`);
    const { token, cookie } = csrfFrom(page);
    const first = await t.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token }) });
    expect(first.statusCode).toBe(303);
    expect(first.cookies.find((c) => c.name === 'p2p_admin')?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await t.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token }) });
    expect(again.statusCode).toBe(410);
    expect(again.cookies.find((c) => c.name === 'p2p_admin')).toBeUndefined();

    const stored = await t.c.db.selectFrom('adminSessions').select(['tokenHash', 'email']).execute();
    expect(stored.map((s) => s.tokenHash)).not.toContain(first.cookies.find((c) => c.name === 'p2p_admin')!.value);
    expect((await auditActions()).at(-1)).toMatchObject({ actor: OPERATOR, action: 'sign-in' });
  });

  it('refuses a sign-in link after its time', async () => {
    const before = signInMails(OPERATOR).length;
    await askForLink(OPERATOR);
    const path = await mailedLink(OPERATOR, before);
    await t.c.db.updateTable('adminSignInRequests').set({ expiresAt: sql`now() - interval '1 second'` }).where('usedAt', 'is', null).execute();
    const page = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
    expect(page.statusCode).toBe(410);
  });

  it('asks again for something that is not an address, and writes nothing', async () => {
    const fingerprint = await databaseFingerprint(t.c.db);
    const res = await askForLink('ops at operator');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Please enter an email address.');
    expect(await databaseFingerprint(t.c.db)).toEqual(fingerprint);
  });

  it('limits sign-in requests per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await askForLink('limited@elsewhere.example')).statusCode);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('the session', () => {
  it('opens the console; without one, a page asks to sign in and an action changes nothing', async () => {
    const s = await signIn();
    expect((await get(s, '/admin')).body).toContain('Overview');
    const anonymous = await t.app.inject({ method: 'GET', url: '/admin', headers: BROWSER });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/admin/sign-in');
    await t.c.suppressions.suppress('keep@suppressed.example', 'hard_bounce');
    const fingerprint = await databaseFingerprint(t.c.db);
    const noSession = await post({ cookie: s.csrfCookie }, '/admin/suppressions/lift', { _csrf: s.csrfToken, email: 'keep@suppressed.example' });
    expect(noSession.statusCode).toBe(401);
    const noCsrf = await post(s, '/admin/suppressions/lift', { email: 'keep@suppressed.example' });
    expect(noCsrf.statusCode).toBe(403);
    const forged = await post({ cookie: `p2p_admin=${'A'.repeat(43)}; ${s.csrfCookie}` }, '/admin/suppressions/lift', { _csrf: s.csrfToken, email: 'keep@suppressed.example' });
    expect(forged.statusCode).toBe(401);
    expect(await databaseFingerprint(t.c.db)).toEqual(fingerprint);
    expect(await t.c.suppressions.suppressionOf('keep@suppressed.example')).toBe('hard_bounce');
  });

  it('guards the queue view behind the same sign-in', async () => {
    const s = await signIn();
    expect((await t.app.inject({ method: 'GET', url: '/admin/queues', headers: BROWSER })).statusCode).toBe(303);
    expect((await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues' })).statusCode).toBe(303);
    const board = await get(s, '/admin/queues');
    expect(board.statusCode).toBe(200);
    expect(board.body).toContain('<base href="/admin/queues/"');
    const api = await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { cookie: s.cookie } });
    expect(api.statusCode).toBe(200);
    expect(api.json<{ queues: Array<{ name: string; readOnlyMode: boolean }> }>().queues.map((q) => q.name).sort()).toEqual(['digest', 'digest-send', 'inbound', 'mail', 'match']);
    // Read-only: its buttons would act with neither CSRF token nor audit line.
    const headers = { cookie: s.cookie };
    expect((await t.app.inject({ method: 'PUT', url: '/admin/queues/api/queues/mail/pause', headers })).statusCode).toBe(405);
    expect((await t.app.inject({ method: 'PUT', url: '/admin/queues/api/queues/mail/empty', headers })).statusCode).toBe(405);
    await t.app.inject({ method: 'PUT', url: '/admin/queues/api/queues/pause', headers });
    expect(await t.c.queues.queue('mail').isPaused()).toBe(false);
  });

  it('refuses a session past its lifetime', async () => {
    const s = await signIn();
    await t.c.db.updateTable('adminSessions').set({ expiresAt: sql`now() - interval '1 second'` }).execute();
    expect((await get(s, '/admin')).statusCode).toBe(303);
  });

  it('deletes expired sign-in requests and sessions in the scheduler\'s housekeeping, and keeps live ones', async () => {
    const live = await signIn();
    const past = sql<Date>`now() - interval '1 minute'`;
    const oldRequest = await t.c.db.insertInto('adminSignInRequests').values({ email: OPERATOR, expiresAt: past }).returning('id').executeTakeFirstOrThrow();
    const oldSession = await t.c.db
      .insertInto('adminSessions')
      .values({ tokenHash: `expired-${Date.now()}`, email: OPERATOR, expiresAt: past })
      .returning('id')
      .executeTakeFirstOrThrow();
    const exists = async (table: 'adminSignInRequests' | 'adminSessions', id: string) =>
      (await t.c.db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    // A second scheduler with a short housekeeping interval, next to the one startBackground runs.
    const scheduler = startScheduler(t.c, { relayMs: 50, reconcileMs: 3_600_000, housekeepingMs: 100 });
    try {
      await eventually(async () => !(await exists('adminSignInRequests', oldRequest.id)) && !(await exists('adminSessions', oldSession.id)));
    } finally {
      await scheduler.stop();
    }
    expect((await get(live, '/admin')).statusCode).toBe(200);
    expect(await t.c.adminAuth.deleteExpired()).toEqual({ signInRequests: 0, sessions: 0 });
    // Leaves no live session behind for the tests that count them.
    expect((await post(live, '/admin/sign-out', { _csrf: live.csrfToken })).statusCode).toBe(200);
  });

  it('ends at sign-out; "sign out everywhere" ends every session of the operator', async () => {
    const a = await signIn();
    const b = await signIn();
    const other = await signIn('second@operator.example');
    const out = await post(a, '/admin/sign-out', { _csrf: a.csrfToken });
    expect(out.statusCode).toBe(200);
    expect((await get(a, '/admin')).statusCode).toBe(303);
    expect((await get(b, '/admin')).statusCode).toBe(200);
    const c = await signIn();
    const everywhere = await post(c, '/admin/sign-out-everywhere', { _csrf: c.csrfToken });
    expect(everywhere.body, everywhere.body).toContain('2 sessions ended');
    expect((await get(b, '/admin')).statusCode).toBe(303);
    expect((await get(c, '/admin')).statusCode).toBe(303);
    expect((await get(other, '/admin')).statusCode).toBe(200);
    const actions = (await auditActions()).map((r) => r.action);
    expect(actions).toContain('sign-out');
    expect(actions).toContain('sign-out-everywhere');
  });

  it('refuses an operator taken out of ADMIN_EMAILS at once', async () => {
    const s = await signIn('second@operator.example');
    const cookieValue = s.sessionCookie.split('=')[1]!;
    const before = createAdminAuthService({ db: t.c.db, operators: ['second@operator.example'], sessionMs: 3_600_000 });
    const after = createAdminAuthService({ db: t.c.db, operators: [OPERATOR], sessionMs: 3_600_000 });
    expect(await before.sessionOf(cookieValue)).toMatchObject({ email: 'second@operator.example' });
    expect(await after.sessionOf(cookieValue)).toBeUndefined();
  });
});

describe('console actions', () => {
  let seq = 0;
  async function moderated() {
    const n = ++seq;
    const payload = opportunityPayload({
      title: `Moderated AKS rollout ${n}`,
      requiredSkills: ['kubernetes-on-azure'],
      submitter: { name: 'Mia Roth', company: 'Roth Bau GmbH', email: `mia.${n}@rothbau.example` },
    });
    const res = await t.app.inject({ method: 'POST', url: '/api/opportunities', headers: t.adminHeaders, payload });
    expect(res.json<{ status: string }>().status).toBe('pending_review');
    return { id: res.json<{ id: string }>().id, payload };
  }

  it('approves a moderated opportunity: published, the submitter is told, the audit log says who', async () => {
    const s = await signIn();
    const { id, payload } = await moderated();
    expect((await get(s, '/admin/moderation')).body).toContain(payload.title);
    const fingerprint = await moderationState(id);
    expect((await post({ cookie: s.csrfCookie }, `/admin/moderation/${id}/approve`, { _csrf: s.csrfToken })).statusCode).toBe(401);
    expect((await post(s, `/admin/moderation/${id}/approve`, {})).statusCode).toBe(403);
    expect(await moderationState(id)).toEqual(fingerprint);

    const res = await post(s, `/admin/moderation/${id}/approve`, { _csrf: s.csrfToken });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Approved');
    const row = await t.c.db.selectFrom('opportunities').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('published');
    const mail = await t.smtp.waitFor((m) => m.envelope.to.includes(payload.submitter.email) && m.parsed.subject === `Approved: ${payload.title}`);
    expect(mail.parsed.text).toContain('/o/');
    expect((await auditActions()).at(-1)).toEqual({ actor: OPERATOR, action: 'opportunity.approve', target: `opportunity:${id}` });
  });

  it('rejects with a reason the submitter receives', async () => {
    const s = await signIn();
    const { id, payload } = await moderated();
    const res = await post(s, `/admin/moderation/${id}/reject`, { _csrf: s.csrfToken, reason: 'Please name the budget.' });
    expect(res.statusCode).toBe(200);
    const mail = await t.smtp.waitFor((m) => m.envelope.to.includes(payload.submitter.email) && m.parsed.subject === `Not published: ${payload.title}`);
    expect(mail.parsed.text).toContain('Please name the budget.');
    const audit = await t.c.db.selectFrom('adminAudit').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor: OPERATOR, action: 'opportunity.reject', target: `opportunity:${id}`, details: { reason: 'Please name the budget.' } });
  });

  it('edits an opportunity before approving, with the submission\'s validation; unknown skills are answered next to the field', async () => {
    const s = await signIn();
    const { id } = await moderated();
    const form = { _csrf: s.csrfToken, title: 'AKS landing zone, corrected', description: 'Corrected by the moderator: a landing zone for AKS with Entra ID.', requiredSkills: 'kubernetes-on-azure, Microsoft Sentinel', regions: ['dach', 'nordics'] };
    const fingerprint = await moderationState(id);
    expect((await post({ cookie: s.csrfCookie }, `/admin/moderation/${id}/edit`, form)).statusCode).toBe(401);
    expect((await post(s, `/admin/moderation/${id}/edit`, { ...form, _csrf: '' })).statusCode).toBe(403);
    const unknown = await post(s, `/admin/moderation/${id}/edit`, { ...form, requiredSkills: 'kubernetes-on-azure, cobol-on-mars' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.body).toMatch(new RegExp(`id="requiredSkills-${id}-error">[^<]*cobol-on-mars`));
    const short = await post(s, `/admin/moderation/${id}/edit`, { ...form, title: 'AKS', regions: [] });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain(`id="title-${id}-error"`);
    expect(short.body).toContain(`id="regions-${id}-error"`);
    // The public forms' error summary: each problem a link to its field in this item's form, focus on it.
    expect(short.body).toContain('<title>Error: Moderation · p2p-digest</title>');
    expect(short.body).not.toContain('Please check the highlighted fields');
    const shortSummary = /<div class="error-summary"([^>]*)>([\s\S]*?)<\/div>/.exec(short.body);
    expect(shortSummary, 'an error summary').not.toBeNull();
    expect(shortSummary![1]).toMatch(/tabindex="-1"[^>]*autofocus|autofocus[^>]*tabindex="-1"/);
    expect(shortSummary![2]!).toContain('not saved');
    expect([...shortSummary![2]!.matchAll(/<a href="#([^"]+)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2]])).toEqual([
      [`title-${id}`, 'Enter a title of at least 5 characters'],
      [`regions-${id}`, 'Choose at least one region, or tick “Remote work is fine”'],
    ]);
    expect(short.body).toContain(`id="regions-${id}"`);
    expect(short.body).toMatch(new RegExp(`id="title-${id}" name="title"[^>]*aria-invalid="true"`));
    expect(await moderationState(id)).toEqual(fingerprint);

    expect((await post(s, `/admin/moderation/${id}/edit`, form)).statusCode).toBe(200);
    const o = await t.c.opportunities.get(id);
    expect(o).toMatchObject({ status: 'pending_review', title: form.title, description: form.description, regions: ['dach', 'nordics'] });
    expect(o.requiredSkills.map((k) => k.slug).sort()).toEqual(['kubernetes-on-azure', 'sentinel']);
    expect((await auditActions()).at(-1)).toEqual({ actor: OPERATOR, action: 'opportunity.edit', target: `opportunity:${id}` });
    expect((await post(s, `/admin/moderation/${id}/approve`, { _csrf: s.csrfToken })).statusCode).toBe(200);
    expect((await post(s, `/admin/moderation/${id}/edit`, form)).statusCode).toBe(409);
  });

  it('edits budget, start date and nice-to-have skills before approving, with the submission\'s checks', async () => {
    const s = await signIn();
    const { id } = await moderated();
    const form = {
      _csrf: s.csrfToken,
      title: 'AKS landing zone with a budget',
      description: 'Corrected by the moderator: a landing zone for AKS with Entra ID, budget agreed.',
      requiredSkills: 'kubernetes-on-azure',
      niceToHaveSkills: 'Microsoft Sentinel',
      regions: ['dach'],
      budgetMin: '20000',
      budgetMax: '35000',
      currency: 'eur',
      startDate: '2027-02-01',
    };
    const before = await moderationState(id);
    const wrong = await post(s, `/admin/moderation/${id}/edit`, { ...form, budgetMin: '40000', currency: '', niceToHaveSkills: 'cobol-on-mars', startDate: '2027-02-31' });
    expect(wrong.statusCode).toBe(400);
    for (const field of ['budgetMax', 'currency', 'startDate']) expect(wrong.body).toContain(`id="${field}-${id}-error"`);
    // What was typed comes back in the form.
    expect(wrong.body).toContain('value="40000"');
    const unknown = await post(s, `/admin/moderation/${id}/edit`, { ...form, niceToHaveSkills: 'cobol-on-mars' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.body).toMatch(new RegExp(`id="niceToHaveSkills-${id}-error">[^<]*cobol-on-mars`));
    expect(await moderationState(id)).toEqual(before);

    expect((await post(s, `/admin/moderation/${id}/edit`, form)).statusCode).toBe(200);
    const o = await t.c.opportunities.get(id);
    expect(o).toMatchObject({ status: 'pending_review', budgetMin: 20000, budgetMax: 35000, currency: 'EUR', startDate: '2027-02-01' });
    expect(o.niceToHaveSkills.map((k) => k.slug)).toEqual(['sentinel']);
    // The page shows the corrections, ready to be edited again.
    const page = await get(s, '/admin/moderation');
    for (const text of ['value="20000"', 'value="35000"', 'value="EUR"', 'value="2027-02-01"', 'value="sentinel"']) expect(page.body).toContain(text);

    // An emptied budget is no budget.
    expect((await post(s, `/admin/moderation/${id}/edit`, { ...form, budgetMin: '', budgetMax: '', currency: '', startDate: '' })).statusCode).toBe(200);
    expect(await t.c.opportunities.get(id)).toMatchObject({ budgetMin: null, budgetMax: null, currency: null, startDate: null });
  });

  it('lifts a suppression, audited with what it was', async () => {
    const s = await signIn();
    await t.c.suppressions.suppress('lift.me@bounced.example', 'hard_bounce');
    expect((await get(s, '/admin/suppressions')).body).toContain('lift.me@bounced.example');
    const res = await post(s, '/admin/suppressions/lift', { _csrf: s.csrfToken, email: 'lift.me@bounced.example' });
    expect(res.statusCode).toBe(200);
    expect(await t.c.suppressions.suppressionOf('lift.me@bounced.example')).toBeUndefined();
    const audit = await t.c.db.selectFrom('adminAudit').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor: OPERATOR, action: 'suppression.lift', target: 'email:lift.me@bounced.example', details: { reason: 'hard_bounce' } });
    expect((await post(s, '/admin/suppressions/lift', { _csrf: s.csrfToken, email: 'lift.me@bounced.example' })).statusCode).toBe(404);
  });

  it('shows every action in the audit log, newest first, a page at a time', async () => {
    const s = await signIn();
    const page = await get(s, '/admin/audit');
    expect(page.statusCode).toBe(200);
    for (const action of ['sign-in', 'opportunity.approve', 'opportunity.reject', 'suppression.lift']) expect(page.body).toContain(action);
    const ids = (await t.c.db.selectFrom('adminAudit').select('id').orderBy('id', 'desc').execute()).map((r) => r.id);
    const older = await get(s, `/admin/audit?before=${ids[1]}`);
    expect(older.body.match(/<tr><td data-label="when">/g)!.length).toBe(ids.length - 2);
  });

  it('shows the overview: partners, opportunities, digests, the week, intake and queues', async () => {
    const s = await signIn();
    const page = await get(s, '/admin');
    for (const heading of ['Partners', 'Opportunities', 'Digests this period', 'The last 7 days', 'Email intake', 'Queues']) expect(page.body).toContain(heading);
    expect(page.body).toMatch(/<dt>published<\/dt><dd>[1-9]/);
    expect(page.body).toContain('<td data-label="queue">digest-send</td>');
  });

  it('shows the loop per month on the overview: digests sent, interests, introductions, confirmed work, newest month first', async () => {
    const s = await signIn();
    const page = await get(s, '/admin');
    expect(page.body).toContain('The loop, per month');
    const months = [...page.body.matchAll(/<td data-label="month">(\d{4}-\d{2})<\/td>/g)].map((m) => m[1]);
    expect(months).toHaveLength(6);
    expect(months[0]).toBe(new Date().toISOString().slice(0, 7));
    expect(page.body).toMatch(/<td data-label="confirmed work">\d+<\/td>/);
  });
});

describe('partners in the console', () => {
  // The outbox's rows change as the relay marks them sent; their number says whether one was added.
  const AUDITED = ['partners', 'partner_skills', 'admin_audit'];
  const outboxRows = async () => Number((await t.c.db.selectFrom('outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

  it('finds partners by company or email, skill, region and status, a page at a time', async () => {
    const s = await signIn();
    const nordic = await createActivePartner(t, { company: 'Fjord Sentinel AB', email: 'ops@fjord-sentinel.example', regions: ['nordics'], skills: ['sentinel'] });
    const aks = await createActivePartner(t, { company: 'Kube 100% Alpin GmbH', email: 'hello@kube-alpin.example', regions: ['dach'], skills: ['AKS'] });
    const ids = (body: string) => [...body.matchAll(/href="\/admin\/partners\/([0-9a-f-]{36})"/g)].map((m) => m[1]);

    expect(ids((await get(s, '/admin/partners?q=FJORD')).body)).toEqual([nordic.id]);
    expect(ids((await get(s, '/admin/partners?q=kube-alpin.example')).body)).toEqual([aks.id]);
    // A typed % is a letter, not a wildcard.
    expect(ids((await get(s, '/admin/partners?q=100%25')).body)).toEqual([aks.id]);
    const bySkill = ids((await get(s, '/admin/partners?skill=Microsoft%20Sentinel')).body);
    expect(bySkill).toContain(nordic.id);
    expect(bySkill).not.toContain(aks.id);
    const byRegion = ids((await get(s, '/admin/partners?region=nordics')).body);
    expect(byRegion).toContain(nordic.id);
    expect(byRegion).not.toContain(aks.id);
    expect(ids((await get(s, '/admin/partners?q=fjord&status=deactivated')).body)).toEqual([]);
    const unknown = await get(s, '/admin/partners?skill=cobol-on-mars');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('No skill is called');

    for (let i = 0; i < 51; i++) await createActivePartner(t, { company: `Paging ${i} GmbH` });
    const first = await get(s, '/admin/partners?q=paging');
    expect(ids(first.body)).toHaveLength(50);
    const next = first.body.match(/href="(\/admin\/partners\?[^"]+)">Next page/)![1]!.replaceAll('&amp;', '&');
    const second = await get(s, next);
    expect(ids(second.body)).toHaveLength(1);
    expect(ids(first.body)).not.toContain(ids(second.body)[0]);
  });

  it('shows one partner: profile, skills, digest settings, digests with SMTP\'s answer, interests', async () => {
    const s = await signIn();
    const p = await createActivePartner(t, { company: 'Ledger View GmbH', profile: 'We run AKS for plants.' });
    await t.c.db.insertInto('digests').values({ partnerId: p.id, period: '2026-W40', status: 'failed', attempts: 1, lastError: '550 5.1.1 mailbox unavailable' }).execute();
    const page = await get(s, `/admin/partners/${p.id}`);
    expect(page.statusCode).toBe(200);
    for (const text of ['Ledger View GmbH', 'We run AKS for plants.', 'Kubernetes on Microsoft Azure', 'weekly', '2026-W40', '550 5.1.1 mailbox unavailable', 'No interest expressed']) expect(page.body).toContain(text);
    // Readable values: the region's label, not its slug; a moment written one way.
    expect(page.body).toContain('DACH (Germany, Austria, Switzerland)');
    expect(page.body).not.toMatch(/<dd>dach\b/);
    expect(page.body).toMatch(/Joined<\/dt><dd>[a-z]+, \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC/);
    expect((await get(s, '/admin/partners/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it('edits a partner with the API\'s validation; an unknown skill is answered next to the field', async () => {
    const s = await signIn();
    const p = await createActivePartner(t, { company: 'Before Edit GmbH' });
    const form = { _csrf: s.csrfToken, company: 'After Edit GmbH', contactName: 'Jana Berg', email: p.email, regions: ['dach', 'nordics'], remoteOk: 'on', timezone: 'Europe/Berlin', skills: ['sentinel'] };

    const fingerprint = await databaseFingerprint(t.c.db, AUDITED);
    const outboxBefore = await outboxRows();
    expect((await post({ cookie: s.csrfCookie }, `/admin/partners/${p.id}/edit`, form)).statusCode).toBe(401);
    expect((await post(s, `/admin/partners/${p.id}/edit`, { ...form, _csrf: '' })).statusCode).toBe(403);
    const unknown = await post(s, `/admin/partners/${p.id}/edit`, { ...form, skills: ['cobol-on-mars'] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.body).toMatch(/id="skills-error">[^<]*cobol-on-mars/);
    // No region and no remote work anywhere (remote work anywhere alone needs no region, as on /join).
    const { remoteOk: _remote, ...notRemote } = form;
    const bad = await post(s, `/admin/partners/${p.id}/edit`, { ...notRemote, email: 'not-an-address', regions: [] });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="email-error"');
    expect(bad.body).toContain('id="regions-error"');
    // The public forms' error summary, not "check the highlighted fields": each problem a link to its field.
    expect(bad.body).toContain('<title>Error: Edit partner · p2p-digest</title>');
    expect(bad.body).not.toContain('Please check the highlighted fields');
    const badSummary = /<div class="error-summary"([^>]*)>([\s\S]*?)<\/div>/.exec(bad.body);
    expect(badSummary, 'an error summary').not.toBeNull();
    expect(badSummary![1]).toMatch(/role="alert"/);
    expect(badSummary![2]).toContain('Nothing was saved.');
    expect([...badSummary![2]!.matchAll(/<a href="#([^"]+)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2]])).toEqual([
      ['email', 'Enter an email address like name@company.com'],
      ['regions', 'Choose at least one region, or tick “Takes remote work anywhere”'],
    ]);
    expect(bad.body).toMatch(/<input type="checkbox" name="regions" value="[^"]+" id="regions"/);
    expect(await databaseFingerprint(t.c.db, AUDITED)).toEqual(fingerprint);
    expect(await outboxRows()).toBe(outboxBefore);

    const saved = await post(s, `/admin/partners/${p.id}/edit`, form);
    expect(saved.statusCode).toBe(200);
    const row = await t.c.partners.get(p.id);
    expect(row).toMatchObject({ company: 'After Edit GmbH', regions: ['dach', 'nordics'], skills: [{ slug: 'sentinel' }] });
    const audit = await t.c.db.selectFrom('adminAudit').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor: OPERATOR, action: 'partner.update', target: `partner:${p.id}` });
  });

  it('deactivates and reactivates a partner, audited; reactivating one that unsubscribed is refused', async () => {
    const s = await signIn();
    const p = await createActivePartner(t);
    expect((await post(s, `/admin/partners/${p.id}/deactivate`, { _csrf: s.csrfToken })).statusCode).toBe(200);
    expect((await t.c.partners.get(p.id)).status).toBe('deactivated');
    const page = await post(s, `/admin/partners/${p.id}/reactivate`, { _csrf: s.csrfToken });
    expect(page.statusCode).toBe(200);
    expect((await t.c.partners.get(p.id)).status).toBe('active');
    expect((await auditActions()).slice(-2)).toEqual([
      { actor: OPERATOR, action: 'partner.deactivate', target: `partner:${p.id}` },
      { actor: OPERATOR, action: 'partner.reactivate', target: `partner:${p.id}` },
    ]);

    await t.c.partners.markUnsubscribed(p.email, t.c.db);
    const fingerprint = await databaseFingerprint(t.c.db, AUDITED);
    const refused = await post(s, `/admin/partners/${p.id}/reactivate`, { _csrf: s.csrfToken });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Nothing was changed');
    expect(await databaseFingerprint(t.c.db, AUDITED)).toEqual(fingerprint);
  });

  it('sends a partner the preferences link, audited', async () => {
    const s = await signIn();
    const p = await createActivePartner(t, { email: 'prefs.link@kubeworks.example' });
    expect((await post(s, `/admin/partners/${p.id}/preferences-link`, { _csrf: s.csrfToken })).statusCode).toBe(200);
    const mail = await t.smtp.waitFor((m) => m.envelope.to.includes(p.email) && m.parsed.subject === 'Your p2p-digest preferences');
    expect(mail.parsed.text).toContain('/p/');
    expect((await auditActions()).at(-1)).toEqual({ actor: OPERATOR, action: 'partner.preferences-link', target: `partner:${p.id}` });
  });
});

describe('digests in the console', () => {
  /** A digest the SMTP server refused (550): failed, and its address suppressed as a hard bounce. */
  async function failedDigest(key: string) {
    const email = `${key}@partners.example`;
    const partnerId = await addPartner(t, key, ['kubernetes-on-azure']);
    // MODERATION is on in this file: published once approved, then matched as the match worker would.
    const opportunityId = await addOpportunity(t, `AKS migration for ${key}`, ['kubernetes-on-azure']);
    await t.c.opportunities.approve(opportunityId, {});
    await matchOpportunity(t.c.db, opportunityId, t.c.log);
    t.smtp.options.reject = new Set([email]);
    try {
      expect(await t.c.digests.runRound({ everyone: true, partnerId })).toMatchObject({ failed: 1 });
    } finally {
      t.smtp.options.reject = undefined;
    }
    const row = await t.c.db.selectFrom('digests').select(['id', 'period', 'lastError']).where('partnerId', '=', partnerId).executeTakeFirstOrThrow();
    return { ...row, email, partnerId };
  }

  it('counts a period by state and shows the failed ones with their SMTP answer', async () => {
    const s = await signIn();
    const d = await failedDigest('refused-one');
    const page = await get(s, `/admin/digests?period=${d.period}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(d.period);
    expect(page.body).toContain('refused-one Ltd');
    expect(page.body).toContain('550');
    expect(page.body).toMatch(/Resend all \d+ failed/);
  });

  it('keeps SMTP\'s answer to a sent digest, shown on the partner page and the digests page', async () => {
    const s = await signIn();
    const partnerId = await addPartner(t, 'accepted-one', ['kubernetes-on-azure']);
    const opportunityId = await addOpportunity(t, 'AKS migration for accepted-one', ['kubernetes-on-azure']);
    await t.c.opportunities.approve(opportunityId, {});
    await matchOpportunity(t.c.db, opportunityId, t.c.log);
    expect(await t.c.digests.runRound({ everyone: true, partnerId })).toMatchObject({ sent: 1 });
    const row = await t.c.db.selectFrom('digests').select(['period', 'smtpResponse']).where('partnerId', '=', partnerId).executeTakeFirstOrThrow();
    // The test SMTP server's own answer, as nodemailer reports it.
    expect(row.smtpResponse).toMatch(/^250 /);
    expect((await get(s, `/admin/partners/${partnerId}`)).body).toContain(row.smtpResponse);
    const digests = await get(s, `/admin/digests?period=${row.period}`);
    expect(digests.body).toContain('accepted-one Ltd');
    expect(digests.body).toContain(row.smtpResponse);
  });

  it('resends a failed digest through the ledger: posted twice, exactly one mail arrives; audited', async () => {
    const s = await signIn();
    const d = await failedDigest('resend-once');
    await t.c.suppressions.lift(d.email, t.c.db);

    // Without a session or a CSRF token nothing is reopened.
    expect((await post({ cookie: s.csrfCookie }, `/admin/digests/${d.id}/resend`, { _csrf: s.csrfToken })).statusCode).toBe(401);
    expect((await post(s, `/admin/digests/${d.id}/resend`, {})).statusCode).toBe(403);
    expect((await t.c.digests.findDigest(d.id))?.status).toBe('failed');

    const answers = await Promise.all([post(s, `/admin/digests/${d.id}/resend`, { _csrf: s.csrfToken }), post(s, `/admin/digests/${d.id}/resend`, { _csrf: s.csrfToken })]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    const again = await post(s, `/admin/digests/${d.id}/resend`, { _csrf: s.csrfToken });
    expect(again.statusCode).toBe(409);

    await t.smtp.waitFor((m) => m.envelope.to.includes(d.email));
    await eventually(async () => (await t.c.digests.findDigest(d.id))?.status === 'sent');
    // Time for a duplicate to arrive, had anything sent it twice.
    await new Promise((r) => setTimeout(r, 1500));
    expect(digestMailsTo(t, d.email)).toHaveLength(1);
    const audit = await t.c.db.selectFrom('adminAudit').selectAll().where('action', '=', 'digest.resend').execute();
    expect(audit).toEqual([expect.objectContaining({ actor: OPERATOR, target: `digest:${d.id}`, details: { digests: [d.id] } })]);
  });

  it('resends a digest whose send window ended: the window starts afresh', async () => {
    const s = await signIn();
    const d = await failedDigest('window-ended');
    await t.c.suppressions.lift(d.email, t.c.db);
    await t.c.db.updateTable('digests').set({ createdAt: new Date(Date.now() - 3 * 86_400_000), lastError: 'send window ended after 40 transient failures' }).where('id', '=', d.id).execute();
    expect((await post(s, `/admin/digests/${d.id}/resend`, { _csrf: s.csrfToken })).statusCode).toBe(200);
    await eventually(async () => (await t.c.digests.findDigest(d.id))?.status === 'sent');
    expect(digestMailsTo(t, d.email)).toHaveLength(1);
  });

  it('resends every failed digest of a period at once', async () => {
    const s = await signIn();
    const a = await failedDigest('all-a');
    const b = await failedDigest('all-b');
    for (const d of [a, b]) await t.c.suppressions.lift(d.email, t.c.db);
    const res = await post(s, '/admin/digests/resend-failed', { _csrf: s.csrfToken, period: a.period });
    expect(res.statusCode).toBe(200);
    for (const d of [a, b]) {
      await t.smtp.waitFor((m) => m.envelope.to.includes(d.email));
      await eventually(async () => (await t.c.digests.findDigest(d.id))?.status === 'sent');
    }
    expect((await post(s, '/admin/digests/resend-failed', { _csrf: s.csrfToken, period: 'not-a-period' })).statusCode).toBe(400);
    expect((await auditActions()).at(-1)).toEqual({ actor: OPERATOR, action: 'digest.resend', target: `period:${a.period}` });
  });
});

describe('the email intake in the console', () => {
  const mail = (subject: string, body: string) =>
    Buffer.from(
      [
        'From: Eva Stein <eva@stein-consulting.example>',
        'To: opportunities@p2p.test',
        `Subject: ${subject}`,
        'Message-ID: <intake-console-' + Math.random().toString(36).slice(2) + '@stein-consulting.example>',
        'Content-Type: text/plain; charset=utf-8',
        '',
        body,
      ].join('\r\n'),
    );

  /** A stored message as processing leaves one that failed on its last attempt. */
  async function failedMessage(subject: string, body = 'We need help with an AKS landing zone in Munich.') {
    const id = await storeInbound(t, mail(subject, body), { mailFrom: 'eva@stein-consulting.example' });
    await t.c.db.updateTable('inboundMessages').set({ status: 'failed', outcome: 'failed: understanding crashed', attempts: 5, processedAt: new Date() }).where('id', '=', id).execute();
    return id;
  }

  it('lists messages with their outcome, and filters by status', async () => {
    const s = await signIn();
    const id = await failedMessage('Listed failure');
    const all = await get(s, '/admin/inbound');
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain(`/admin/inbound/${id}`);
    expect(all.body).toContain('failed: understanding crashed');
    expect((await get(s, '/admin/inbound?status=failed')).body).toContain(id);
    expect((await get(s, '/admin/inbound?status=processed')).body).not.toContain(id);
  });

  it('shows the raw message as escaped text, never as HTML, and at most its first 64 KiB', async () => {
    const s = await signIn();
    const id = await failedMessage('<b>bold</b> subject', `<script>alert("pwned")</script>\r\n<img src=x onerror=alert(1)>\r\n${'x'.repeat(70 * 1024)}TAIL-MARKER`);
    const page = await get(s, `/admin/inbound/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).not.toContain('TAIL-MARKER');
    expect(page.body).toContain('the first 65536 are shown');
  });

  it('reprocesses a failed message once, audited; a message that is not failed is not processed again', async () => {
    const s = await signIn();
    const id = await failedMessage('AKS landing zone for a Munich plant');
    expect((await post({ cookie: s.csrfCookie }, `/admin/inbound/${id}/reprocess`, { _csrf: s.csrfToken })).statusCode).toBe(401);
    expect((await post(s, `/admin/inbound/${id}/reprocess`, {})).statusCode).toBe(403);
    const answers = await Promise.all([post(s, `/admin/inbound/${id}/reprocess`, { _csrf: s.csrfToken }), post(s, `/admin/inbound/${id}/reprocess`, { _csrf: s.csrfToken })]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    const done = await eventually(async () => {
      const row = await t.c.db.selectFrom('inboundMessages').select(['status', 'attempts', 'processedAt', 'outcome']).where('id', '=', id).executeTakeFirstOrThrow();
      return row.status !== 'received' && row;
    }, 20_000);
    expect(done.status).not.toBe('failed');
    expect(done.attempts).toBe(1);
    const again = await post(s, `/admin/inbound/${id}/reprocess`, { _csrf: s.csrfToken });
    expect(again.statusCode).toBe(409);
    const after = await t.c.db.selectFrom('inboundMessages').select(['status', 'attempts', 'processedAt']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(after).toEqual({ status: done.status, attempts: 1, processedAt: done.processedAt });
    const audit = await t.c.db.selectFrom('adminAudit').select(['actor', 'action', 'target']).where('action', '=', 'inbound.reprocess').execute();
    expect(audit).toEqual([{ actor: OPERATOR, action: 'inbound.reprocess', target: `inbound:${id}` }]);
  });
});

describe('opportunities in the console', () => {
  /** A published opportunity with a matching partner and that partner's interest. */
  async function published(key: string) {
    const partnerId = await addPartner(t, key, ['kubernetes-on-azure']);
    const id = await addOpportunity(t, `Fleet upgrade ${key}`, ['kubernetes-on-azure'], { description: `Upgrade forty AKS clusters for ${key}; zero downtime.` });
    await t.c.opportunities.approve(id, {});
    await matchOpportunity(t.c.db, id, t.c.log);
    await t.c.db.insertInto('interests').values({ opportunityId: id, partnerId, note: `We did this for ${key}'s neighbour.` }).execute();
    return { id, partnerId, company: `${key} Ltd` };
  }

  it('searches by text and filters by status', async () => {
    const s = await signIn();
    const o = await published('opp-search');
    expect((await get(s, '/admin/opportunities?q=FORTY%20AKS')).body).toContain(`/admin/opportunities/${o.id}`);
    expect((await get(s, '/admin/opportunities?q=fleet&status=published')).body).toContain(`/admin/opportunities/${o.id}`);
    expect((await get(s, '/admin/opportunities?q=fleet&status=closed')).body).not.toContain(`/admin/opportunities/${o.id}`);
    expect((await get(s, '/admin/opportunities?q=no-such-words-anywhere')).body).toContain('No opportunity matches');
  });

  it('pages through the search 50 at a time, newest first, with a cursor that cannot be forged', async () => {
    const s = await signIn();
    const ids = (body: string) => [...body.matchAll(/href="\/admin\/opportunities\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    const made: string[] = [];
    for (let i = 0; i < 51; i++) made.push(await addOpportunity(t, `Paged rollout ${i}`, ['kubernetes-on-azure']));
    const first = await get(s, '/admin/opportunities?q=paged%20rollout');
    expect(ids(first.body)).toHaveLength(50);
    expect(ids(first.body)[0]).toBe(made.at(-1));
    const next = first.body.match(/href="(\/admin\/opportunities\?[^"]+)">Next page/)![1]!.replaceAll('&amp;', '&');
    expect(next).toContain('q=paged+rollout');
    const second = await get(s, next);
    expect(ids(second.body)).toEqual([made[0]]);
    expect(second.body).not.toContain('Next page');
    expect((await get(s, '/admin/opportunities?cursor=bm90LWEtY3Vyc29y')).statusCode).toBe(400);
  });

  it('shows one opportunity: matches with reasons, reach, interests, introductions', async () => {
    const s = await signIn();
    const o = await published('opp-detail');
    const page = await get(s, `/admin/opportunities/${o.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="/admin/partners/${o.partnerId}">${o.company}`);
    expect(page.body).toMatch(/<h2>Matches \([1-9]/);
    expect(page.body).toContain('Kubernetes on Microsoft Azure');
    expect(page.body).toContain('0 digests carried it');
    expect(page.body).toContain('neighbour');
    expect((await get(s, '/admin/opportunities/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });

  it('closes or withdraws an open opportunity, audited; an ended one is not ended again', async () => {
    const s = await signIn();
    const a = await published('opp-close');
    const b = await published('opp-withdraw');
    expect((await post({ cookie: s.csrfCookie }, `/admin/opportunities/${a.id}/close`, { _csrf: s.csrfToken })).statusCode).toBe(401);
    expect((await post(s, `/admin/opportunities/${a.id}/close`, {})).statusCode).toBe(403);
    expect((await t.c.opportunities.getRow(a.id)).status).toBe('published');

    expect((await post(s, `/admin/opportunities/${a.id}/close`, { _csrf: s.csrfToken })).statusCode).toBe(200);
    expect((await t.c.opportunities.getRow(a.id)).status).toBe('closed');
    expect((await post(s, `/admin/opportunities/${b.id}/withdraw`, { _csrf: s.csrfToken })).statusCode).toBe(200);
    expect((await t.c.opportunities.getRow(b.id)).status).toBe('withdrawn');
    // The interested partner hears it ended.
    await t.smtp.waitFor((m) => m.envelope.to.includes('opp-close@partners.example'));
    const refused = await post(s, `/admin/opportunities/${a.id}/withdraw`, { _csrf: s.csrfToken });
    expect(refused.statusCode).toBe(409);
    expect((await t.c.opportunities.getRow(a.id)).status).toBe('closed');
    expect((await auditActions()).slice(-2)).toEqual([
      { actor: OPERATOR, action: 'opportunity.close', target: `opportunity:${a.id}` },
      { actor: OPERATOR, action: 'opportunity.withdraw', target: `opportunity:${b.id}` },
    ]);
  });
});
