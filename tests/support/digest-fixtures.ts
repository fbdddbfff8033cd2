import { createDigestService } from '../../src/digests/digest.service.ts';
import { digestSubject, loadDigestRenderer } from '../../src/digests/digest-render.ts';
import type { UrgentRules } from '../../src/digests/digest-urgent.repository.ts';
import { matchOpportunity, matchPartner } from '../../src/matching/match.service.ts';
import type { OpportunityInput } from '../../src/opportunities/opportunity.schemas.ts';
import type { PartnerInput } from '../../src/partners/partner.schemas.ts';
import { partnerInput } from './factories.ts';
import { expect } from 'vitest';
import { eventually, type TestStack } from './test-stack.ts';

/** A partner with sensible defaults; `key` names the company and the address. */
export async function addPartner(t: TestStack, key: string, skills: string[], overrides: Partial<PartnerInput> = {}): Promise<string> {
  const partner = await t.c.partners.createByAdmin(partnerInput(key, skills, overrides));
  // What the match worker does on the partner's 'partner.changed' event.
  await matchPartner(t.c.db, partner.id, t.c.log);
  return partner.id;
}

/** Publishes an opportunity (admin intake) and matches it at once. */
export async function addOpportunity(t: TestStack, title: string, requiredSkills: string[], overrides: Partial<OpportunityInput> = {}): Promise<string> {
  const { opportunity } = await t.c.opportunities.submit({
    source: 'api',
    caller: { kind: 'admin' },
    input: {
      title,
      description: `${title}: a project won by a partner who needs help with the skills below.`,
      requiredSkills,
      niceToHaveSkills: [],
      regions: ['dach'],
      remote: false,
      anonymous: false,
      urgent: false,
      submitter: { name: 'Sam Submitter', company: 'Submitter GmbH', email: 'sam@submitter.example' },
      ...overrides,
    },
  });
  await matchOpportunity(t.c.db, opportunity.id, t.c.log);
  return opportunity.id;
}

export const digestMailsTo = (t: TestStack, email: string) =>
  t.smtp.received.filter((m) => m.envelope.to.includes(email) && /^Message-ID: <digest\./im.test(m.raw));

/**
 * What the partner side writes when a partner presses "I'm interested" (made at `createdAt`,
 * default now; `withdrawn` as after "Withdraw my interest"). Returns the interest's id.
 */
export async function addInterest(
  t: TestStack,
  opportunityId: string,
  partnerId: string,
  extra: { note?: string; createdAt?: Date; withdrawn?: boolean } = {},
): Promise<string> {
  const row = await t.c.db
    .insertInto('interests')
    .values({
      opportunityId,
      partnerId,
      note: extra.note ?? '',
      ...(extra.createdAt ? { createdAt: extra.createdAt } : {}),
      ...(extra.withdrawn ? { status: 'withdrawn', withdrawnAt: new Date() } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Long enough for a mail that should not come to have arrived: to check that it did not. */
export const settle = () => new Promise((r) => setTimeout(r, 600));

/**
 * What a period's round delivered, per partner: the row's status and send attempts, and how many copies of its
 * digest (by its Message-ID) the SMTP sink received. The ledger holds one row per partner and
 * period, so a partner can never get two different digests of a period, only copies of the one.
 */
export async function deliveriesOf(t: TestStack, period: string): Promise<Array<{ email: string; status: string; attempts: number; copies: number }>> {
  const rows = await t.c.db
    .selectFrom('digests as d')
    .innerJoin('partners as p', 'p.id', 'd.partnerId')
    .select(['p.email', 'd.status', 'd.attempts', 'd.messageId'])
    .where('d.period', '=', period)
    .execute();
  return rows.map((row) => ({
    email: row.email,
    status: row.status,
    attempts: row.attempts,
    copies: t.smtp.received.filter((m) => m.envelope.to.includes(row.email) && row.messageId !== null && m.raw.includes(`Message-ID: ${row.messageId}`)).length,
  }));
}

/** Whether every partner's digest of the period is sent and in the sink. */
export async function roundDelivered(t: TestStack, period: string, partners: number): Promise<boolean> {
  const deliveries = await deliveriesOf(t, period);
  return deliveries.length === partners && deliveries.every((d) => d.status === 'sent' && d.copies >= 1);
}

/**
 * Waits until every one of `partners` ledger rows is sent, then checks each partner's copies as
 * the SMTP server counted them: exactly one each, carrying the row's Message-ID.
 */
export async function expectOneCopyEach(t: TestStack, partners: number): Promise<void> {
  await eventually(async () => {
    const rows = await t.c.db.selectFrom('digests').select('status').execute();
    return rows.length === partners && rows.every((r) => r.status === 'sent');
  }, 60_000);
  const rows = await t.c.db
    .selectFrom('digests as d')
    .innerJoin('partners as p', 'p.id', 'd.partnerId')
    .select(['p.email', 'd.messageId'])
    .execute();
  const copies = new Map<string, string[]>();
  for (const mail of t.smtp.received) {
    const id = mail.raw.match(/^Message-ID: (<digest\.[^>]+>)/im)?.[1] ?? '?';
    for (const to of mail.envelope.to) copies.set(to, [...(copies.get(to) ?? []), id]);
  }
  expect(Object.fromEntries(rows.map((r) => [r.email, copies.get(r.email)]))).toEqual(Object.fromEntries(rows.map((r) => [r.email, [r.messageId]])));
}

/**
 * The digest service as the container builds it, with urgent rules (and a clock) of the test's
 * choosing: quiet hours off, say, so a test of alerts passes at any hour of the day.
 */
export async function digestServiceWith(t: TestStack, urgent: UrgentRules, now?: () => Date) {
  return createDigestService({
    ...t.c,
    renderer: await loadDigestRenderer(),
    subjectFor: digestSubject,
    settings: {
      mailDomain: 'p2p.test',
      unsubscribeMailto: 'unsubscribe@localhost',
      operator: 'p2p-digest test operator',
      leaseSeconds: 60,
      maxSendAttempts: 3,
      urgent,
    },
    ...(now ? { now } : {}),
  });
}
