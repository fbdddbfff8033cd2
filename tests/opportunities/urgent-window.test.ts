/**
 * An opportunity may be marked urgent only with a start date within URGENT_WINDOW_DAYS (21 by
 * default), on every way in: the form and its confirmation page, the JSON API, the console's edit
 * before approving (a 422 or the form again, saying why), and email (the flag is ignored and the
 * acknowledgement says so politely).
 */
import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailOpportunity } from '../../src/inbound/drafts/email-opportunity.ts';
import { asksUrgent } from '../../src/inbound/understanding/urgency.ts';
import { createOpportunityService, UrgentWindowError } from '../../src/opportunities/opportunity.service.ts';
import { BROWSER, FORM } from '../support/browser-requests.ts';
import { opportunityInput } from '../support/factories.ts';
import { createTestStack, csrfFrom, eventually, formBody, linkIn, type TestStack } from '../support/test-stack.ts';

let t: TestStack;
let seq = 0;
const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

beforeAll(async () => {
  t = await createTestStack();
  t.startBackground();
});
afterAll(async () => t?.close());

const rowFor = (email: string) => t.c.db.selectFrom('opportunities').selectAll().where('submitterEmail', '=', email).execute();

async function postForm(fields: Record<string, string | string[] | undefined>) {
  const page = await t.app.inject({ method: 'GET', url: '/submit', headers: BROWSER });
  const { token, cookie } = csrfFrom(page);
  return t.app.inject({
    method: 'POST',
    url: '/submit',
    remoteAddress: `10.9.0.${++seq}`,
    headers: { ...FORM, cookie },
    payload: formBody({ _csrf: token, ...fields }),
  });
}

const form = (email: string, extra: Record<string, string>) => ({
  title: `Urgent AKS rescue ${++seq}`,
  description: 'Move shop-floor applications to Azure Kubernetes Service before the plant restarts.',
  requiredSkills: ['kubernetes-on-azure'],
  regions: ['dach'],
  'submitter.name': 'Max Huber',
  'submitter.company': 'Alpenwolke GmbH',
  'submitter.email': email,
  ...extra,
});

describe('the web form', () => {
  it('shows the urgent choice and refuses it with a start date too far away: 422, nothing stored', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/submit', headers: BROWSER });
    expect(page.body).toContain('name="urgent"');
    expect(page.body).toContain('within 21 days');
    const email = `far.${++seq}@alpenwolke.example`;
    const res = await postForm(form(email, { urgent: 'on', startDate: inDays(40) }));
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Urgent needs a start date within 21 days');
    expect(res.body).toMatch(/name="urgent" value="on" checked/);
    expect(await rowFor(email)).toEqual([]);
    // No start date at all is refused the same way.
    const none = await postForm(form(email, { urgent: 'on' }));
    expect(none.statusCode).toBe(422);
    expect(await rowFor(email)).toEqual([]);
  });

  it('keeps it with a start date within the window, and the confirmation step says so', async () => {
    const email = `near.${++seq}@alpenwolke.example`;
    const res = await postForm(form(email, { urgent: 'on', startDate: inDays(10) }));
    expect(res.statusCode).toBe(303);
    const [row] = await rowFor(email);
    expect(row).toMatchObject({ urgent: true, startDate: inDays(10), status: 'pending_verification' });
    const mail = await eventually(async () => t.smtp.received.find((m) => m.envelope.to.includes(email)));
    const confirm = await t.app.inject({ method: 'GET', url: linkIn(mail.parsed.text, '/submit/confirm/'), headers: BROWSER });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toMatch(/Urgent[\s\S]*Yes: partners who asked for urgent work get an alert/);
    // Looking at the page changed nothing.
    expect((await rowFor(email))[0]).toMatchObject({ status: 'pending_verification' });
  });
});

describe('the JSON API', () => {
  it('answers 422 with the reason for a start date outside the window, and stores an urgent one within it', async () => {
    const far = await t.app.inject({
      method: 'POST',
      url: '/api/opportunities',
      headers: t.adminHeaders,
      payload: opportunityInput({ urgent: true, startDate: inDays(22) }),
    });
    expect(far.statusCode).toBe(422);
    expect(far.json()).toMatchObject({ error: { code: 'urgent_needs_near_start', message: 'Urgent needs a start date within 21 days' } });
    const near = await t.app.inject({
      method: 'POST',
      url: '/api/opportunities',
      headers: t.adminHeaders,
      payload: opportunityInput({ urgent: true, startDate: inDays(21) }),
    });
    expect(near.statusCode).toBe(201);
    const created = near.json<{ id: string }>();
    const got = await t.app.inject({ method: 'GET', url: `/api/opportunities/${created.id}`, headers: t.adminHeaders });
    expect(got.json()).toMatchObject({ urgent: true, startDate: inDays(21) });
  });

  it('takes the window from URGENT_WINDOW_DAYS', () => {
    const service = createOpportunityService({ ...t.c, introductions: t.c.introductions, moderation: false, defaultLifetimeDays: 30, urgentWindowDays: 5 });
    expect(() => service.check(opportunityInput({ urgent: true, startDate: inDays(6) }))).toThrow(UrgentWindowError);
    expect(() => service.check(opportunityInput({ urgent: true, startDate: inDays(6) }))).toThrow('Urgent needs a start date within 5 days');
    expect(() => service.check(opportunityInput({ urgent: true, startDate: inDays(4) }))).not.toThrow();
    expect(() => service.check(opportunityInput({ urgent: false, startDate: inDays(60) }))).not.toThrow();
  });
});

describe('the console', () => {
  it('refuses an edit that marks an opportunity urgent with a start date outside the window', async () => {
    const moderated = createOpportunityService({ ...t.c, introductions: t.c.introductions, moderation: true, defaultLifetimeDays: 30 });
    const { opportunity } = await moderated.submit({ source: 'api', caller: { kind: 'admin' }, input: opportunityInput({ startDate: inDays(30) }) });
    expect(opportunity.status).toBe('pending_review');
    const patch = {
      title: opportunity.title,
      description: opportunity.description,
      requiredSkills: ['kubernetes-on-azure'],
      niceToHaveSkills: [],
      regions: ['dach'],
      remote: false,
      startDate: inDays(30),
      urgent: true,
    };
    await expect(moderated.reviseForReview(opportunity.id, patch)).rejects.toThrow('Urgent needs a start date within 21 days');
    const revised = await moderated.reviseForReview(opportunity.id, { ...patch, startDate: inDays(7) });
    expect(revised).toMatchObject({ urgent: true, startDate: inDays(7) });
  });
});

describe('email intake', () => {
  it('reads "Urgent", "Dringend", "Urgente" in the subject or an urgent line, and nothing else', () => {
    expect(asksUrgent('Urgent: AKS help needed', '')).toBe(true);
    expect(asksUrgent('Dringend - Intune Rollout', '')).toBe(true);
    expect(asksUrgent('[URGENTE] Migrazione SAP', '')).toBe(true);
    expect(asksUrgent('AKS help', 'Hello,\nUrgent: yes\nWe need…')).toBe(true);
    expect(asksUrgent('AKS help', 'Hello,\n\nURGENT\n\nWe need…')).toBe(true);
    expect(asksUrgent('AKS help needed urgently', 'This is not urgent at all, start in spring.')).toBe(false);
    expect(asksUrgent('Resurgent demand for AKS', '')).toBe(false);
  });

  async function receive(subject: string, body: string) {
    const from = `anna.${++seq}@fabrikam.example`;
    const raw = Buffer.from(
      [`From: Anna Berger <${from}>`, 'To: opportunities@p2p.test', `Subject: ${subject}`, `Message-ID: <u${seq}@fabrikam.example>`, 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n'),
    );
    const row = await t.c.db
      .insertInto('inboundMessages')
      .values({ receivedVia: 'smtp', mailFrom: from, rcptTo: ['opportunities@p2p.test'], dedupeKey: randomUUID(), raw, size: raw.length })
      .returning('id')
      .executeTakeFirstOrThrow();
    const result = await createEmailOpportunity(
      { catalogue: t.c.catalogue, opportunities: t.c.opportunities },
      { inboundId: row.id, parsed: await simpleParser(raw), sender: { email: from, name: 'Anna Berger' }, verifiedPartnerId: null, mayReply: true },
    );
    const o = await t.c.db.selectFrom('opportunities').selectAll().where('id', '=', result.opportunityId!).executeTakeFirstOrThrow();
    const ack = await eventually(async () => t.smtp.received.find((m) => m.envelope.to.includes(from) && /^Here is what we understood/.test(m.parsed.subject ?? '')));
    return { o, text: (ack.parsed.text ?? '').replace(/\s+/g, ' ') };
  }

  it('keeps the flag with a start date within the window', async () => {
    const start = inDays(12);
    const { o, text } = await receive('Urgent: AKS migration for a retailer in Munich', `Our customer moves its shop platform to Azure Kubernetes Service in Munich. Start ${start}.`);
    expect(o).toMatchObject({ urgent: true, startDate: start });
    expect(text).toContain('Marked urgent');
    expect(text).not.toContain('You asked for urgent handling');
  });

  it('ignores the flag with a start date too far away, and says so politely', async () => {
    const start = inDays(60);
    const { o, text } = await receive('Dringend: AKS migration for a retailer in Munich', `Our customer moves its shop platform to Azure Kubernetes Service in Munich. Start ${start}.`);
    expect(o).toMatchObject({ urgent: false, startDate: start });
    expect(text).toContain('You asked for urgent handling. We are sorry, but urgent needs a start date within 21 days');
    expect(text).not.toContain('Marked urgent');
  });

  it('ignores it without a start date', async () => {
    const { o, text } = await receive('AKS migration for a retailer in Munich', 'Urgent: yes\n\nOur customer moves its shop platform to Azure Kubernetes Service in Munich.');
    expect(o.urgent).toBe(false);
    expect(text).toContain('we found no start date');
  });
});
