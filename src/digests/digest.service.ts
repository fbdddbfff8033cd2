import type { Logger } from 'pino';
import type { Database } from '../platform/db/database.ts';
import type { Links } from '../platform/links/links.ts';
import type { Mailer } from '../platform/mail/mailer.ts';
import { smtpFailureKind } from '../platform/mail/mailer.ts';
import { describeMatch, matchReasonsSchema } from '../matching/match-reasons.ts';
import { formatBudget, formatWhere, shorten } from '../opportunities/opportunity-format.ts';
import type { Queues } from '../platform/queue/queues.ts';
import type { digestJobs } from './digest.jobs.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import { currentPeriod, duePeriod, periodLabel } from './digest-period.ts';
import type { DigestCard, DigestView, RenderedDigest } from './digest-view.ts';
import { DIGEST_BATCH_SIZE } from './digest-limits.ts';
import { LOOP_HEADER } from '../platform/mail/loop-header.ts';
import {
  buildDigests,
  claimForSending,
  digestsSentPerDay,
  findDigest,
  findDigests,
  findItemAt,
  findLedgerRows,
  findRecipients,
  finishDigest,
  insertLedgerRows,
  listScheduleGroups,
  takeStaleDigests,
  openDigestItems,
  updateDigest,
  type CardOpportunity,
  type DigestItemContent,
  type DigestRow,
  type Recipient,
  type ScheduleGroup,
} from './digest.repository.ts';

export interface DigestRenderer {
  render(view: DigestView): RenderedDigest;
}

export interface DigestServiceDeps {
  db: Database;
  queues: Pick<Queues<typeof digestJobs>, 'enqueue' | 'enqueueMany'>;
  mailer: Mailer;
  renderer: DigestRenderer;
  subjectFor: (count: number, topics: string[]) => string;
  links: Links;
  catalogue: SkillCatalogue;
  /**
   * A hard bounce puts the address on the do-not-email list (the suppressions service, wired in
   * src/app/; named by shape so digests and suppressions stay apart).
   */
  suppressions: { suppress(email: string, reason: 'hard_bounce'): Promise<void> };
  log: Logger;
  settings: {
    /** Domain of the deterministic Message-IDs and of List-Id. */
    mailDomain: string;
    unsubscribeMailto: string;
    operator: string;
    /** How long a worker may hold a row while sending before others may take it over. */
    leaseSeconds: number;
    /** After this many send attempts a row is failed instead of retried again. */
    maxSendAttempts: number;
    /** The digest's Reply-To (`reply+<token>@<intake domain>`): a reply saying "interested #2" records interest. */
    replyAddress?: (digestId: string) => string;
  };
  now?: () => Date;
}

export type BuildOutcome = 'ready' | 'skipped' | 'busy' | 'done-before';
export type SendOutcome = 'sent' | 'skipped' | 'failed' | 'busy' | 'done-before' | 'not-built';
/** A send's outcome, or the transient SMTP failure that left the row ready for a retry. */
export type SendResult = { outcome: SendOutcome; error?: undefined } | { outcome: 'transient'; error: TransientSendError };

/** A 4xx reply or a network failure: the row is released and the job retried with backoff. */
export class TransientSendError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientSendError';
  }
}

export interface RoundResult {
  created: number;
  sent: number;
  skipped: number;
  failed: number;
  /** Rows of this round that were finished by an earlier run. */
  alreadyDone: number;
}

/** Short names of the designations, for subjects: "for your Azure and Security skills". */
const TOPIC_OF_DESIGNATION: Record<string, string> = {
  'data-ai-azure': 'Azure',
  'digital-app-innovation-azure': 'Azure',
  'infrastructure-azure': 'Azure',
  'business-applications': 'Business Applications',
  'modern-work': 'Modern Work',
  security: 'Security',
};

const FINISHED = new Set(['sent', 'skipped', 'failed']);

type CardBase = Omit<DigestCard, 'skills' | 'reasons' | 'interestUrl' | 'notRelevantUrl'> & {
  skills: Array<{ id: number; required: boolean; label: string; topic: string | undefined }>;
};

/** Splits ids into job-sized batches. */
export function batches<T>(items: readonly T[], size = DIGEST_BATCH_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A deterministic job id per batch: the same batch re-added is not queued twice. */
const batchJobId = (step: 'build' | 'send', ids: readonly string[], suffix = '') =>
  `digest-${step}-${ids[0]}-n${ids.length}${suffix}`;

/**
 * The digest ledger's life: the tick creates rows for partners whose send time has come, a build
 * picks the items, a send renders and hands the email to SMTP. Each step claims the row in a
 * transaction first, so a retried, duplicated or re-added job finds the work done and does
 * nothing twice; the reconciler re-enqueues whatever a lost job or a dead worker left behind.
 */
export function createDigestService(deps: DigestServiceDeps) {
  const { db, catalogue, links, settings } = deps;
  const now = deps.now ?? (() => new Date());
  const messageIdOf = (digestId: string) => `<digest.${digestId}@${settings.mailDomain}>`;

  async function enqueueBuild(ids: string[]): Promise<void> {
    await deps.queues.enqueueMany(
      'digest-build',
      batches(ids).map((digestIds) => ({ data: { digestIds }, jobId: batchJobId('build', digestIds) })),
    );
  }

  /** Schedules with the period each one is in: due ones only, or all of them (`everyone`). */
  async function periodsFor(at: Date, options: { everyone: boolean; period?: string; partnerId?: string }) {
    const groups = await listScheduleGroups(db, options.partnerId);
    // A given period only concerns the partners whose frequency uses that kind of period.
    const weeklyPeriod = options.period?.includes('-W');
    return groups.flatMap((g): Array<ScheduleGroup & { period: string }> => {
      if (options.period && weeklyPeriod === (g.frequency === 'monthly')) return [];
      const schedule = { timezone: g.timezone, frequency: g.frequency, day: g.day, hour: g.hour };
      const period = options.period ?? (options.everyone ? currentPeriod(schedule, at) : duePeriod(schedule, at));
      return period ? [{ ...g, period }] : [];
    });
  }

  /** Builds a batch of rows; rows missing from the result were busy elsewhere or built before. */
  async function buildMany(ids: readonly string[]): Promise<Map<string, 'ready' | 'skipped'>> {
    const built = await buildDigests(db, ids);
    deps.log.debug({ requested: ids.length, built: built.size }, 'digests built');
    return built;
  }

  async function build(digestId: string): Promise<BuildOutcome> {
    const built = (await buildMany([digestId])).get(digestId);
    if (built) return built;
    const row = await findDigest(db, digestId);
    return row && (row.status === 'pending' || row.status === 'building') ? 'busy' : 'done-before';
  }

  /** Why rows could not be claimed for sending (the rare path); gives up on rows out of attempts. */
  async function explainUnclaimed(ids: readonly string[]): Promise<Map<string, SendOutcome>> {
    const rows = new Map((await findDigests(db, ids)).map((r) => [r.id, r]));
    const outcomes = new Map<string, SendOutcome>();
    for (const id of ids) {
      const row = rows.get(id);
      if (!row || FINISHED.has(row.status)) outcomes.set(id, 'done-before');
      else if (row.status === 'pending' || row.status === 'building') outcomes.set(id, 'not-built');
      else if (row.status === 'sending' && row.leaseUntil && row.leaseUntil > now()) outcomes.set(id, 'busy');
      else if (row.attempts >= settings.maxSendAttempts) {
        await updateDigest(db, id, { status: 'failed', leaseUntil: null, lastError: `gave up after ${row.attempts} attempts` });
        outcomes.set(id, 'failed');
      } else outcomes.set(id, 'busy');
    }
    return outcomes;
  }

  /** What a card shows of an opportunity whoever gets it; worked out once per batch. */
  const cardBases = new WeakMap<CardOpportunity, CardBase>();
  function cardBase(o: CardOpportunity): CardBase {
    let base = cardBases.get(o);
    if (!base) {
      const skill = (id: number, required: boolean) => {
        const found = catalogue.get(id);
        const designation = found?.kind === 'designation' ? found : found?.designationId ? catalogue.get(found.designationId) : undefined;
        return { id, required, label: found?.label ?? `skill ${id}`, topic: designation ? TOPIC_OF_DESIGNATION[designation.slug] : undefined };
      };
      base = {
        title: o.title,
        company: o.anonymous ? null : o.submitterCompany,
        where: formatWhere(o.regions, o.remote),
        budget: formatBudget(o.budgetMin, o.budgetMax, o.currency),
        startDate: o.startDate,
        summary: shorten(o.description, 320),
        skills: [...o.requiredSkillIds.map((id) => skill(id, true)), ...o.niceSkillIds.map((id) => skill(id, false))],
      };
      cardBases.set(o, base);
    }
    return base;
  }

  function compose(row: DigestRow, partner: Recipient, items: DigestItemContent[]): { view: DigestView; count: number } | undefined {
    if (items.length === 0) return undefined;
    const yours = new Set(partner.skillIds);
    const topicCounts = new Map<string, number>();
    const cards: DigestCard[] = [];
    for (const item of items) {
      const { skills, ...base } = cardBase(item.opportunity);
      for (const { topic } of skills.filter((s) => s.topic && yours.has(s.id))) {
        topicCounts.set(topic!, (topicCounts.get(topic!) ?? 0) + 1);
      }
      const reasons = matchReasonsSchema.safeParse(item.reasons);
      cards.push({
        ...base,
        skills: skills.map((s) => ({ label: s.label, yours: yours.has(s.id), required: s.required })),
        reasons: reasons.success ? describeMatch(reasons.data) : [],
        interestUrl: links.interest(partner.id, item.opportunityId, item.opportunity.expiresAt),
        notRelevantUrl: links.notRelevant(partner.id, item.opportunityId, item.opportunity.expiresAt),
      });
    }
    if (cards.length === 0) return undefined;
    const topics = [...topicCounts.entries()].sort((a, b) => b[1] - a[1]).map(([t]) => t);
    const subject = deps.subjectFor(cards.length, topics);
    return {
      count: cards.length,
      view: {
        subject,
        preheader: cards.slice(0, 2).map((c) => c.title).join(' · '),
        partnerName: partner.contactName,
        company: partner.company,
        periodLabel: periodLabel(row.period),
        cards,
        footer: {
          reason: `You receive this digest because ${partner.company} joined p2p-digest with ${partner.email}. It holds only opportunities that match your skills and regions.`,
          preferencesUrl: links.preferences(partner.id),
          unsubscribeUrl: links.unsubscribe(partner.email),
          operator: settings.operator,
        },
      },
    };
  }

  /** Renders one claimed digest and hands it to SMTP; the row is finished right after SMTP's answer. */
  async function deliver(row: DigestRow, partner: Recipient | undefined, items: DigestItemContent[]): Promise<SendResult> {
    const finish = async (status: 'sent' | 'skipped' | 'failed', extra: { lastError?: string | null; subject?: string } = {}) => {
      await finishDigest(db, row.id, status, extra);
      deps.log.info({ digestId: row.id, partnerId: row.partnerId, period: row.period, status, reason: extra.lastError }, 'digest finished');
      return { outcome: status };
    };

    if (!partner || partner.status !== 'active') return finish('skipped', { lastError: `partner is ${partner?.status ?? 'gone'}` });
    if (partner.suppressed) return finish('skipped', { lastError: 'address is suppressed' });
    const composed = compose(row, partner, items);
    if (!composed) return finish('skipped', { lastError: 'every opportunity closed before sending' });

    const rendered = deps.renderer.render(composed.view);
    const unsubscribeUrl = composed.view.footer.unsubscribeUrl;
    try {
      await deps.mailer.send({
        to: partner.email,
        subject: composed.view.subject,
        html: rendered.html,
        text: rendered.text,
        messageId: row.messageId ?? messageIdOf(row.id),
        ...(settings.replyAddress ? { replyTo: settings.replyAddress(row.id) } : {}),
        headers: {
          'List-Unsubscribe': `<${unsubscribeUrl}>, <mailto:${settings.unsubscribeMailto}?subject=unsubscribe>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'List-Id': `p2p-digest opportunities <opportunities.${settings.mailDomain}>`,
          'Auto-Submitted': 'auto-generated',
          'X-Auto-Response-Suppress': 'All',
          [LOOP_HEADER]: settings.mailDomain,
        },
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message.slice(0, 500) : String(error);
      if (smtpFailureKind(error) === 'permanent') {
        // The server's final word on this address: stop mailing it, no endless retries.
        await deps.suppressions.suppress(partner.email, 'hard_bounce');
        return finish('failed', { lastError: reason });
      }
      // Release the claim so the retry (BullMQ backoff, or the reconciler) can take it again.
      await updateDigest(db, row.id, { status: 'ready', leaseUntil: null, lastError: reason });
      return { outcome: 'transient', error: new TransientSendError(`digest ${row.id}: ${reason}`, { cause: error }) };
    }
    return finish('sent', { subject: composed.view.subject, lastError: null });
  }

  /**
   * Sends a batch of built rows: one statement claims them all, one query each loads their
   * recipients and open items, then each is rendered, sent and finished in turn.
   */
  async function sendMany(ids: readonly string[]): Promise<Map<string, SendResult>> {
    const claimed = await claimForSending(db, ids, {
      leaseSeconds: settings.leaseSeconds,
      maxAttempts: settings.maxSendAttempts,
      mailDomain: settings.mailDomain,
    });
    const results = new Map<string, SendResult>();
    const claimedIds = new Set(claimed.map((r) => r.id));
    const unclaimed = ids.filter((id) => !claimedIds.has(id));
    if (unclaimed.length) for (const [id, outcome] of await explainUnclaimed(unclaimed)) results.set(id, { outcome });
    if (claimed.length === 0) return results;

    const [recipients, items] = await Promise.all([
      findRecipients(db, [...new Set(claimed.map((r) => r.partnerId))]),
      openDigestItems(db, [...claimedIds]),
    ]);
    for (const row of claimed) results.set(row.id, await deliver(row, recipients.get(row.partnerId), items.get(row.id) ?? []));
    return results;
  }

  async function send(digestId: string): Promise<SendOutcome> {
    const result = (await sendMany([digestId])).get(digestId)!;
    if (result.outcome === 'transient') throw result.error;
    return result.outcome;
  }

  return {
    build,
    send,
    buildMany,
    sendMany,

    /** The hourly tick: ledger rows and build jobs for every partner whose send time has come. */
    async tick(): Promise<{ created: number }> {
      const ids = await insertLedgerRows(db, await periodsFor(now(), { everyone: false }));
      await enqueueBuild(ids);
      if (ids.length) deps.log.info({ created: ids.length }, 'digest tick: rows created');
      return { created: ids.length };
    },

    /** Starts a round on the queues: ledger rows and build jobs, for workers to finish. */
    async enqueueRound(options: { everyone: boolean; period?: string; partnerId?: string }): Promise<string[]> {
      const ids = await insertLedgerRows(db, await periodsFor(now(), options), options.partnerId);
      await enqueueBuild(ids);
      return ids;
    },

    /** A build job: builds its batch, and queues the digests that have something to send. */
    async buildJob(digestIds: string[]): Promise<void> {
      const built = await buildMany(digestIds);
      const ready = digestIds.filter((id) => built.get(id) === 'ready');
      if (ready.length) await deps.queues.enqueue('digest-send', { digestIds: ready }, batchJobId('send', ready));
    },

    /**
     * A send job. A transient SMTP failure of a lone digest fails the job, for BullMQ's backoff;
     * in a batch, each such digest is queued as a lone job of its own, so the rest of the batch
     * is not sent again.
     */
    async sendJob(digestIds: string[], retryDelayMs = 2_000): Promise<void> {
      const results = await sendMany(digestIds);
      const transient = [...results].filter((entry): entry is [string, Extract<SendResult, { outcome: 'transient' }>] => entry[1].outcome === 'transient');
      if (transient.length === 0) return;
      if (digestIds.length === 1) throw transient[0]![1].error;
      for (const [id] of transient) {
        await deps.queues.enqueue('digest-send', { digestIds: [id] }, `digest-send-${id}-t${Date.now()}`, { delayMs: retryDelayMs });
      }
    },

    /**
     * Re-enqueues rows whose job was lost (Redis flushed) or whose worker died (lease expired).
     * Job ids are per row and step, so a job still waiting in Redis is not duplicated.
     */
    async reconcile(graceSeconds = 120): Promise<{ builds: number; sends: number }> {
      const stale = await takeStaleDigests(db, graceSeconds);
      const toBuild = stale.filter((r) => r.status === 'pending' || r.status === 'building');
      const toSend = stale.filter((r) => r.status === 'ready' || r.status === 'sending');
      // The job of a worker that died stays "active" in Redis until BullMQ notices it stalled (up
      // to a minute), and would swallow a re-add under the same id. Re-adds therefore get ids of
      // their own per pass; the ledger's claims keep any duplicate job from doing anything twice.
      const pass = `-r${Date.now()}`;
      const jobs = (rows: DigestRow[], step: 'build' | 'send') =>
        batches(rows.map((r) => r.id)).map((digestIds) => ({ data: { digestIds }, jobId: batchJobId(step, digestIds, pass) }));
      await deps.queues.enqueueMany('digest-build', jobs(toBuild, 'build'));
      await deps.queues.enqueueMany('digest-send', jobs(toSend, 'send'));
      if (stale.length) deps.log.info({ builds: toBuild.length, sends: toSend.length }, 'digest reconciler re-enqueued work');
      return { builds: toBuild.length, sends: toSend.length };
    },

    /**
     * A whole round in this process, for `p2p-digest digest run`: creates the rows (due partners,
     * or everyone with `everyone`), then builds and sends every unfinished row of the round.
     * Running it again for the same period sends nothing.
     */
    async runRound(options: { everyone: boolean; period?: string; partnerId?: string; concurrency?: number }): Promise<RoundResult> {
      const groups = await periodsFor(now(), options);
      const created = await insertLedgerRows(db, groups, options.partnerId);
      const rows = await findLedgerRows(db, groups, options.partnerId);
      const result: RoundResult = { created: created.length, sent: 0, skipped: 0, failed: 0, alreadyDone: 0 };
      const unfinished = rows.filter((row) => !FINISHED.has(row.status));
      result.alreadyDone = rows.length - unfinished.length;
      const workerCount = Math.max(1, options.concurrency ?? 8);
      // Batches small enough that every worker gets some, as large as a job's otherwise.
      const size = Math.max(1, Math.min(DIGEST_BATCH_SIZE, Math.ceil(unfinished.length / workerCount)));
      const queue = batches(unfinished, size);
      const count = (outcome: SendOutcome | 'transient') => {
        if (outcome === 'sent') result.sent++;
        else if (outcome === 'skipped') result.skipped++;
        else if (outcome === 'failed' || outcome === 'transient') result.failed++;
        else if (outcome === 'done-before') result.alreadyDone++;
      };
      const worker = async () => {
        for (let batch = queue.shift(); batch; batch = queue.shift()) {
          const toBuild = batch.filter((row) => row.status === 'pending' || row.status === 'building').map((row) => row.id);
          const built = await buildMany(toBuild);
          const toSend = batch.map((row) => row.id).filter((id) => built.get(id) !== 'skipped');
          for (const id of batch.map((row) => row.id)) if (built.get(id) === 'skipped') count('skipped');
          for (const sent of (await sendMany(toSend)).values()) count(sent.outcome);
        }
      };
      await Promise.all(Array.from({ length: workerCount }, worker));
      return result;
    },

    findDigest: (id: string) => findDigest(db, id),

    /** The opportunity on card #`card` (1 = the first from the top) of a digest: a reply names it so. */
    opportunityOnCard: (digestId: string, card: number) => findItemAt(db, digestId, card - 1),
    /** How many sent digests carried an opportunity, per day: the submitter's status page shows it. */
    sentPerDay: (opportunityId: string) => digestsSentPerDay(db, opportunityId),
  };
}

export type DigestService = ReturnType<typeof createDigestService>;
