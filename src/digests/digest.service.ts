import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import type { Links } from '../links/links.js';
import type { Mailer } from '../mail/mailer.js';
import { smtpFailureKind } from '../mail/mailer.js';
import { describeMatch, matchReasonsSchema } from '../matching/match-reasons.js';
import { formatBudget, formatWhere, shorten } from '../opportunities/opportunity-format.js';
import type { Queues } from '../queue/queues.js';
import type { SkillCatalogue } from '../skills/skill-catalogue.js';
import { suppress } from '../suppressions/suppression.repository.js';
import { currentPeriod, duePeriod, periodLabel } from './digest-period.js';
import type { DigestCard, DigestView, RenderedDigest } from './digest-view.js';
import {
  claimForSending,
  findDigest,
  findRecipient,
  findLedgerRows,
  findStaleDigests,
  insertDigestItems,
  insertLedgerRows,
  listScheduleGroups,
  lockDigest,
  openDigestItems,
  selectCandidates,
  updateDigest,
  type DigestRow,
  type Recipient,
  type ScheduleGroup,
} from './digest.repository.js';

export interface DigestRenderer {
  render(view: DigestView): RenderedDigest;
}

export interface DigestServiceDeps {
  db: Database;
  queues: Queues;
  mailer: Mailer;
  renderer: DigestRenderer;
  subjectFor: (count: number, topics: string[]) => string;
  links: Links;
  catalogue: SkillCatalogue;
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
  };
  now?: () => Date;
}

export type BuildOutcome = 'ready' | 'skipped' | 'busy' | 'done-before';
export type SendOutcome = 'sent' | 'skipped' | 'failed' | 'busy' | 'done-before' | 'not-built';

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
      ids.map((id) => ({ data: { digestId: id }, jobId: `digest-build-${id}` })),
    );
  }

  async function enqueueSend(id: string): Promise<void> {
    await deps.queues.enqueue('digest-send', { digestId: id }, `digest-send-${id}`);
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

  async function build(digestId: string): Promise<BuildOutcome> {
    const outcome = await db.transaction().execute(async (trx): Promise<BuildOutcome> => {
      const row = await lockDigest(trx, digestId);
      if (!row) return 'busy';
      if (row.status !== 'pending' && row.status !== 'building') return 'done-before';
      const items = await selectCandidates(trx, row.partnerId);
      if (items.length === 0) {
        await updateDigest(trx, digestId, { status: 'skipped', leaseUntil: null, lastError: 'nothing new to send' });
        return 'skipped';
      }
      // UNIQUE (partner, opportunity) on digest_items: no opportunity can enter two digests.
      await insertDigestItems(trx, digestId, row.partnerId, items);
      await updateDigest(trx, digestId, { status: 'ready', leaseUntil: null, builtAt: now() });
      return 'ready';
    });
    deps.log.debug({ digestId, outcome }, 'digest built');
    return outcome;
  }

  /** Claims a built row for sending, or says why there is nothing (more) to do. */
  async function claimForSend(digestId: string): Promise<{ row: DigestRow; outcome?: undefined } | { row?: undefined; outcome: SendOutcome }> {
    const claimed = await claimForSending(db, digestId, {
      leaseSeconds: settings.leaseSeconds,
      maxAttempts: settings.maxSendAttempts,
      mailDomain: settings.mailDomain,
    });
    if (claimed) return { row: claimed };
    // Not claimable: find out why (the rare path, so a second query is fine).
    const row = await findDigest(db, digestId);
    if (!row || FINISHED.has(row.status)) return { outcome: 'done-before' };
    if (row.status === 'pending' || row.status === 'building') return { outcome: 'not-built' };
    if (row.status === 'sending' && row.leaseUntil && row.leaseUntil > now()) return { outcome: 'busy' };
    if (row.attempts >= settings.maxSendAttempts) {
      await updateDigest(db, digestId, { status: 'failed', leaseUntil: null, lastError: `gave up after ${row.attempts} attempts` });
      return { outcome: 'failed' };
    }
    return { outcome: 'busy' };
  }

  async function compose(row: DigestRow, partner: Recipient): Promise<{ view: DigestView; count: number } | undefined> {
    const items = await openDigestItems(db, row.id);
    if (items.length === 0) return undefined;
    const yours = new Set(partner.skillIds);
    const topicCounts = new Map<string, number>();
    const cards: DigestCard[] = [];
    for (const o of items) {
      const skills = [
        ...o.requiredSkillIds.map((id) => ({ id, required: true })),
        ...o.niceSkillIds.map((id) => ({ id, required: false })),
      ];
      for (const { id } of skills.filter((s) => yours.has(s.id))) {
        const skill = catalogue.get(id);
        const designation = skill?.kind === 'designation' ? skill : skill?.designationId ? catalogue.get(skill.designationId) : undefined;
        const topic = designation ? TOPIC_OF_DESIGNATION[designation.slug] : undefined;
        if (topic) topicCounts.set(topic, (topicCounts.get(topic) ?? 0) + 1);
      }
      const reasons = matchReasonsSchema.safeParse(o.reasons);
      cards.push({
        title: o.title,
        company: o.anonymous ? null : o.submitterCompany,
        where: formatWhere(o.regions, o.remote),
        budget: formatBudget(o.budgetMin, o.budgetMax, o.currency),
        startDate: o.startDate,
        summary: shorten(o.description, 320),
        skills: skills.map((s) => ({ label: catalogue.get(s.id)?.label ?? `skill ${s.id}`, yours: yours.has(s.id), required: s.required })),
        reasons: reasons.success ? describeMatch(reasons.data) : [],
        interestUrl: links.interest(partner.id, o.opportunityId, o.expiresAt),
        notRelevantUrl: links.notRelevant(partner.id, o.opportunityId, o.expiresAt),
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

  async function send(digestId: string): Promise<SendOutcome> {
    const claim = await claimForSend(digestId);
    if (!claim.row) return claim.outcome;
    const row = claim.row;
    const finish = async (status: 'sent' | 'skipped' | 'failed', extra: { lastError?: string | null; subject?: string } = {}) => {
      await updateDigest(db, digestId, { status, leaseUntil: null, ...(status === 'sent' ? { sentAt: now() } : {}), ...extra });
      deps.log.info({ digestId, partnerId: row.partnerId, period: row.period, status, reason: extra.lastError }, 'digest finished');
      return status;
    };

    const partner = await findRecipient(db, row.partnerId);
    if (!partner || partner.status !== 'active') return finish('skipped', { lastError: `partner is ${partner?.status ?? 'gone'}` });
    if (partner.suppressed) return finish('skipped', { lastError: 'address is suppressed' });
    const composed = await compose(row, partner);
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
        headers: {
          'List-Unsubscribe': `<${unsubscribeUrl}>, <mailto:${settings.unsubscribeMailto}?subject=unsubscribe>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'List-Id': `p2p-digest opportunities <opportunities.${settings.mailDomain}>`,
          'Auto-Submitted': 'auto-generated',
          'X-Auto-Response-Suppress': 'All',
        },
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message.slice(0, 500) : String(error);
      if (smtpFailureKind(error) === 'permanent') {
        // The server's final word on this address: stop mailing it, no endless retries.
        await suppress(db, partner.email, 'hard_bounce');
        return finish('failed', { lastError: reason });
      }
      // Release the claim so the retry (BullMQ backoff, or the reconciler) can take it again.
      await updateDigest(db, digestId, { status: 'ready', leaseUntil: null, lastError: reason });
      throw new TransientSendError(`digest ${digestId}: ${reason}`, { cause: error });
    }
    return finish('sent', { subject: composed.view.subject, lastError: null });
  }

  return {
    build,
    send,

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

    /** After a build job: a built digest goes on to sending. */
    async afterBuild(digestId: string, outcome: BuildOutcome): Promise<void> {
      if (outcome === 'ready') await enqueueSend(digestId);
    },

    /**
     * Re-enqueues rows whose job was lost (Redis flushed) or whose worker died (lease expired).
     * Job ids are per row and step, so a job still waiting in Redis is not duplicated.
     */
    async reconcile(graceSeconds = 120): Promise<{ builds: number; sends: number }> {
      const stale = await findStaleDigests(db, graceSeconds);
      let builds = 0;
      let sends = 0;
      // The job of a worker that died stays "active" in Redis until BullMQ notices it stalled (up
      // to a minute), and would swallow a re-add under the same id. Re-adds therefore get ids of
      // their own per attempt; the ledger's claim keeps any duplicate job from doing anything twice.
      for (const row of stale) {
        if (row.status === 'pending' || row.status === 'building') {
          await deps.queues.enqueue('digest-build', { digestId: row.id }, `digest-build-${row.id}-r${row.attempts}`);
          builds++;
        } else {
          await deps.queues.enqueue('digest-send', { digestId: row.id }, `digest-send-${row.id}-r${row.attempts}`);
          sends++;
        }
      }
      if (stale.length) deps.log.info({ builds, sends }, 'digest reconciler re-enqueued work');
      return { builds, sends };
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
      const queue = [...rows];
      const workerCount = Math.max(1, options.concurrency ?? 8);
      const worker = async () => {
        for (let row = queue.shift(); row; row = queue.shift()) {
          if (FINISHED.has(row.status)) {
            result.alreadyDone++;
            continue;
          }
          const built = row.status === 'pending' ? await build(row.id) : 'ready';
          const outcome = built === 'skipped' ? 'skipped' : await send(row.id).catch((error: unknown) => {
            if (error instanceof TransientSendError) return 'transient' as const;
            throw error;
          });
          if (outcome === 'sent') result.sent++;
          else if (outcome === 'skipped') result.skipped++;
          else if (outcome === 'failed' || outcome === 'transient') result.failed++;
          else if (outcome === 'done-before') result.alreadyDone++;
        }
      };
      await Promise.all(Array.from({ length: workerCount }, worker));
      return result;
    },

    findDigest: (id: string) => findDigest(db, id),
  };
}

export type DigestService = ReturnType<typeof createDigestService>;
