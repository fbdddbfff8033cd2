import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Database, Executor } from '../platform/db/database.ts';
import type { Links } from '../platform/links/links.ts';
import type { Mailer, OutgoingMail } from '../platform/mail/mailer.ts';
import { smtpFailureKind } from '../platform/mail/mailer.ts';
import type { Queues } from '../platform/queue/queues.ts';
import type { digestJobs } from './digest.jobs.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import { currentPeriod, duePeriod, dueWithin } from './digest-period.ts';
import type { DigestRenderer } from './digest-render.ts';
import { DEFAULT_MAX_REACH_PER_ROUND, DIGEST_BATCH_SIZE, DIGEST_RUN_CONCURRENCY } from './digest-limits.ts';
import { createLeaseKeeper } from './digest-lease-keeper.ts';
import { createDigestComposer } from './digest-compose.ts';
import type { Metrics } from '../platform/metrics/metrics.ts';
import {
  digestsSentPerDay,
  findDigest,
  findItemAt,
  findLedgerStates,
  takeStaleDigests,
  countDigestsByStatus,
  listDigestsOfPartner,
  listFailedDigests,
  listSentDigests,
  countDigestsByPeriod,
  reopenFailedDigests,
  type ReopenFilter,
  type DigestRow,
} from './digest-ledger.repository.ts';
import {
  chooseRoundReach,
  findLedgerRows,
  insertLedgerRows,
  listScheduleGroups,
  lockRoundStart,
  type LedgerRow,
  type RoundGroup,
} from './digest-rounds.repository.ts';
import {
  buildDigests,
  findRecipients,
  openDigestItems,
  type DigestItemContent,
  type Recipient,
} from './digest-build.repository.ts';
import {
  claimForSending,
  finishDigest,
  finishSentAndHandOver,
  storeComposed,
  storedMessage,
  finishUnsent,
  keepOnlyItems,
  giveBackUnsent,
  giveUpDigest,
  markHandingToSmtp,
  releaseDigest,
  touchQueuedDigests,
  type ClaimedRow,
  type HandOver,
} from './digest-send.repository.ts';
import {
  insertAlertRows,
  insertDailyRows,
  lockUrgentStart,
  type UrgentRules,
} from './digest-urgent.repository.ts';

export interface DigestServiceDeps {
  db: Database;
  queues: Pick<Queues<typeof digestJobs>, 'enqueue' | 'enqueueMany'>;
  mailer: Mailer;
  /** Which build of the code this process runs (src/app/code-version.ts): part of a composed message's fingerprint. */
  codeVersion: string;
  renderer: DigestRenderer;
  /** The digest's subject from its best card's title (cards come best first), the count and the partner's topics. */
  subjectFor: (bestTitle: string, count: number, topics: string[]) => string;
  links: Links;
  catalogue: SkillCatalogue;
  /**
   * A hard bounce puts the address on the do-not-email list (the suppressions service, wired in
   * src/app/; named by shape so digests and suppressions stay apart).
   */
  suppressions: { suppress(email: string, reason: 'hard_bounce', executor?: Executor): Promise<unknown> };
  log: Logger;
  /** Counts each digest's outcome for /metrics. */
  metrics?: Pick<Metrics, 'digestFinished'>;
  settings: {
    /** Domain of the deterministic Message-IDs and of List-Id. */
    mailDomain: string;
    unsubscribeMailto: string;
    operator: string;
    /** How long a worker may hold a row while sending before others may take it over. */
    leaseSeconds: number;
    /**
     * After this many claims that ended without any answer from SMTP (a worker that died, a lost
     * row), a row is failed instead of retried again. Transient SMTP failures do not count.
     */
    maxSendAttempts: number;
    /** How long after its send moment (or, without one, its row's creation) a digest keeps waiting out SMTP trouble (default 24 h). */
    sendWindowMs?: number;
    /**
     * Build ahead (DIGEST_BUILD_AHEAD_MINUTES): the tick also creates and builds the rows of
     * partners due within this many minutes, and they are sent at their due moment. Default 0:
     * rows are created when due, as before (the configuration's default is 60).
     */
    buildAheadMinutes?: number;
    /** Rows one send claims at a time: what it can send within a lease (see claimSize; default a batch). */
    claimSize?: number;
    /** The most partners one round carries an opportunity to, best first (MAX_REACH_PER_ROUND; default 25). */
    maxReachPerRound?: number;
    /** Urgent work: alerts per partner per local day and quiet hours (URGENT_ALERTS_PER_DAY, URGENT_QUIET_HOURS). */
    urgent?: UrgentRules;
    /** The digest's Reply-To (`reply+<token>@<intake domain>`): a reply saying "interested #2" records interest. */
    replyAddress?: (digestId: string) => string;
  };
  now?: () => Date;
}

export type BuildOutcome = 'ready' | 'skipped' | 'busy' | 'done-before';
/** 'returned': the claim's lease ran out before the row's turn and it went back to 'ready', unsent. */
/** 'not-due': the row was built ahead and its send moment has not come; nothing was done. */
export type SendOutcome = 'sent' | 'skipped' | 'failed' | 'busy' | 'returned' | 'done-before' | 'not-built' | 'not-due';
/**
 * A send's outcome; or the transient SMTP failure that left the row ready for a retry; or, while
 * SMTP is unreachable, 'paused': the row was not even claimed, and SMTP is probed at `retryAt`.
 */
export type SendResult =
  | { outcome: SendOutcome; error?: undefined }
  | { outcome: 'transient'; error: TransientSendError }
  | { outcome: 'paused'; retryAt: Date };

/** Messages composed ahead stored by one statement (see composeAhead). */
const COMPOSED_PER_STATEMENT = 10;

/**
 * A claimed row checked and ready for its fence and SMTP: rendered now (`mail`), or to go as the
 * message composed ahead for it (`stored`, its bytes: the claim read it, and its fingerprint
 * still matches what it is made from).
 */
type ReadyMessage = { row: ClaimedRow; partner: Recipient } & ({ mail: OutgoingMail; stored?: undefined } | { stored: Buffer });

/** A row SMTP accepted whose finish ("sent", with SMTP's answer) is not yet written. */
interface AcceptedMessage {
  row: ClaimedRow;
  /** The subject sent; null when the row's stored one (composed ahead) went. */
  subject: string | null;
  smtpResponse: string | null;
}

/** A 4xx reply or a network failure: the row is released and the job retried with backoff. */
export class TransientSendError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientSendError';
  }
}

/** Every row of a round, by what became of it (from the ledger at the end, not from this run's guesses). */
export interface RoundResult {
  created: number;
  sent: number;
  skipped: number;
  failed: number;
  /** Rows of this round that were finished by an earlier run. */
  alreadyDone: number;
  /** Rows still unsent after a transient failure or while SMTP was unreachable: workers or the next run retry them. */
  leftForRetry: number;
  /** Rows another process is sending right now (a live lease that is not ours). */
  heldElsewhere: number;
  /** Rows the tick built ahead whose send moment has not come: a delayed job sends them then. */
  notDue: number;
  /** While rows are left: when SMTP will be tried again (the next probe), at the earliest. */
  nextAttemptAt?: Date;
  /** While rows are left: when the first of them runs out of its send window and is failed. */
  giveUpAt?: Date;
}

const FINISHED = new Set(['sent', 'skipped', 'failed']);

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
  const { db, settings } = deps;
  const now = deps.now ?? (() => new Date());
  const { compose, mailOf, fingerprintOf, messageIdOf } = createDigestComposer(deps);
  const sendWindowMs = settings.sendWindowMs ?? 24 * 3_600_000;
  const claimSize = Math.max(1, settings.claimSize ?? DIGEST_BATCH_SIZE);
  const leases = createLeaseKeeper({ db, leaseSeconds: settings.leaseSeconds, log: deps.log });
  // The send window counts from the send moment of a row built ahead, else from its creation.
  const windowEnds = (row: { createdAt: Date; sendAt: Date | null }) => new Date((row.sendAt ?? row.createdAt).getTime() + sendWindowMs);
  const buildAheadMs = Math.max(0, settings.buildAheadMinutes ?? 0) * 60_000;
  const maxReachPerRound = Math.max(1, settings.maxReachPerRound ?? DEFAULT_MAX_REACH_PER_ROUND);
  const urgentRules: UrgentRules = settings.urgent ?? { alertsPerDay: 3, quietHours: { start: 20, end: 8 } };

  /** Send jobs for rows built ahead: one per send moment, delayed until it (the job id names the moment). */
  async function enqueueAtSendMoment(sendAtOf: ReadonlyMap<string, Date>): Promise<void> {
    const byMoment = new Map<number, string[]>();
    for (const [id, at] of sendAtOf) {
      const ids = byMoment.get(at.getTime());
      if (ids) ids.push(id);
      else byMoment.set(at.getTime(), [id]);
    }
    for (const [at, ids] of byMoment) {
      await deps.queues.enqueue('digest-send', { digestIds: ids }, batchJobId('send', ids, `-at${at}`), { delayMs: Math.max(1, at - now().getTime()) });
    }
  }

  async function enqueueBuild(ids: string[]): Promise<void> {
    await deps.queues.enqueueMany(
      'digest-build',
      batches(ids).map((digestIds) => ({ data: { digestIds }, jobId: batchJobId('build', digestIds) })),
    );
  }

  /**
   * Schedules with the period each one is in: due ones only, or all of them (`everyone`). With
   * `aheadMs` (the tick), also the schedules whose next period becomes due within that span, with
   * their due moment as the rows' send moment.
   */
  async function periodsFor(at: Date, options: { everyone: boolean; period?: string; partnerId?: string; aheadMs?: number }) {
    const groups = await listScheduleGroups(db, options.partnerId);
    // A given period only concerns the partners whose frequency uses that kind of period.
    const weeklyPeriod = options.period?.includes('-W');
    const until = new Date(at.getTime() + (options.aheadMs ?? 0));
    return groups.flatMap((g): RoundGroup[] => {
      if (options.period && weeklyPeriod === (g.frequency === 'monthly')) return [];
      const schedule = { timezone: g.timezone, frequency: g.frequency, day: g.day, hour: g.hour };
      const period = options.period ?? (options.everyone ? currentPeriod(schedule, at) : duePeriod(schedule, at));
      const due: RoundGroup[] = period ? [{ ...g, period }] : [];
      const ahead = options.aheadMs && !options.period && !options.everyone ? dueWithin(schedule, at, until) : null;
      if (ahead) due.push({ ...g, period: ahead.period, sendAt: ahead.at });
      return due;
    });
  }

  /**
   * Starts a round: its ledger rows and, in the same transaction, which of them may carry each
   * opportunity (at most `maxReachPerRound` per opportunity, best first). Decided once, here, so
   * that however its batches are built later (in any order, by many workers) the cap holds; and
   * committed together, so no row is ever built without its round's choice.
   */
  async function startRound(groups: RoundGroup[], partnerId?: string): Promise<string[]> {
    return await db.transaction().execute(async (trx) => {
      await lockRoundStart(trx);
      const ids = await insertLedgerRows(trx, groups, partnerId);
      await chooseRoundReach(trx, ids, maxReachPerRound);
      return ids;
    });
  }

  /** Builds a batch of rows; rows missing from the result were busy elsewhere or built before. */
  async function buildMany(ids: readonly string[]): Promise<Map<string, 'ready' | 'skipped'>> {
    const built = await buildDigests(db, ids);
    deps.log.debug({ requested: ids.length, built: built.size }, 'digests built');
    await composeAhead([...built].filter(([, outcome]) => outcome === 'ready').map(([id]) => id));
    // Nothing new for the partner: the build finishes the row as skipped, no email.
    deps.metrics?.digestFinished('skipped', [...built.values()].filter((outcome) => outcome === 'skipped').length);
    return built;
  }

  async function build(digestId: string): Promise<BuildOutcome> {
    const built = (await buildMany([digestId])).get(digestId);
    if (built) return built;
    const row = await findDigest(db, digestId);
    return row && (row.status === 'pending' || row.status === 'building') ? 'busy' : 'done-before';
  }

  /**
   * Why rows could not be claimed for sending (the rare path). Rows nobody holds that are out of
   * their send window, or out of claims that never got an answer, are failed here.
   */
  async function explainUnclaimed(ids: readonly string[]): Promise<Map<string, SendOutcome>> {
    const rows = new Map((await findLedgerStates(db, ids)).map((r) => [r.id, r]));
    const outcomes = new Map<string, SendOutcome>();
    for (const id of ids) {
      const row = rows.get(id);
      if (!row || FINISHED.has(row.status)) outcomes.set(id, 'done-before');
      else if (row.status === 'pending' || row.status === 'building') outcomes.set(id, 'not-built');
      else if (row.status === 'sending' && row.leaseUntil && row.leaseUntil > now()) outcomes.set(id, 'busy');
      else if (row.status === 'ready' && row.sendAt && row.sendAt > now()) outcomes.set(id, 'not-due');
      else {
        const reason =
          windowEnds(row) <= now()
            ? `send window ended after ${row.deferrals} transient failures${row.lastError ? `; last: ${row.lastError}` : ''}`
            : row.attempts - row.deferrals >= settings.maxSendAttempts
              ? `gave up after ${row.attempts - row.deferrals} claims that never got an answer from SMTP`
              : undefined;
        const failed = Boolean(reason && (await giveUpDigest(db, id, reason.slice(0, 500))));
        if (failed) deps.metrics?.digestFinished('failed');
        outcomes.set(id, failed ? 'failed' : 'busy');
      }
    }
    return outcomes;
  }

  /** Records a row's outcome after SMTP's answer (or its release), with its log line and metric. */
  function recordFinish(row: ClaimedRow, status: 'sent' | 'skipped' | 'failed', recorded: boolean, reason?: string | null): SendResult {
    // Only possible when the lease ran out without a heartbeat (Postgres unreachable meanwhile).
    if (!recorded) deps.log.warn({ digestId: row.id, status }, 'digest outcome not recorded: another worker took the row over');
    if (recorded) deps.metrics?.digestFinished(status);
    deps.log.info({ digestId: row.id, partnerId: row.partnerId, period: row.period, status, reason }, 'digest finished');
    return { outcome: status };
  }

  async function finish(
    row: ClaimedRow,
    status: 'sent' | 'skipped' | 'failed',
    extra: { lastError?: string | null; subject?: string; smtpResponse?: string | null } = {},
  ): Promise<SendResult> {
    return recordFinish(row, status, await finishDigest(db, row, status, extra), extra.lastError);
  }

  /**
   * Everything a claimed row needs before its fence: what can change between the build and the
   * send (an hour, for a row built ahead) is checked again here: the partner (gone, no longer
   * active, paused, suppressed: skipped, and the row's items released) and the opportunities
   * (`items` holds only those still open; when some closed, their items go and the rest are
   * numbered again, `closed`). Then the message is rendered. A row not to be sent comes back
   * finished, as its SendResult.
   */
  async function prepare(row: ClaimedRow, partner: Recipient | undefined, items: DigestItemContent[], closed: boolean): Promise<ReadyMessage | SendResult> {
    // Not sent: the row is skipped and its items released in one fenced statement.
    const unsent = async (reason: string): Promise<SendResult> => {
      const recorded = await finishUnsent(db, row, reason);
      if (!recorded) deps.log.warn({ digestId: row.id }, 'digest outcome not recorded: another worker took the row over');
      else deps.metrics?.digestFinished('skipped');
      deps.log.info({ digestId: row.id, partnerId: row.partnerId, period: row.period, status: 'skipped', reason }, 'digest finished');
      return { outcome: recorded ? 'skipped' : 'busy' };
    };
    if (!partner || partner.status !== 'active') return unsent(`partner is ${partner?.status ?? 'gone'}`);
    if (partner.suppressed) return unsent('address is suppressed');
    if (partner.paused) return unsent('partner paused their digests');
    // Composed ahead from the same partner, cards and templates: the stored message goes as it is.
    if (!closed && row.composedMessage && row.composedFingerprint === fingerprintOf(row, partner, items)) {
      const stored = readStored(row);
      if (stored) return { row, partner, stored };
    }
    const composed = compose(row, partner, items);
    if (!composed) return unsent('every opportunity closed before sending');
    if (closed && !(await keepOnlyItems(db, row, items.map((i) => i.opportunityId)))) {
      deps.log.info({ digestId: row.id }, 'digest not sent here: another worker took the row over');
      return { outcome: 'busy' };
    }

    return { row, partner, mail: mailOf(row, partner, composed) };
  }

  /** The row's stored message as bytes to send; null (it is rendered again) when it cannot be read. */
  function readStored(row: ClaimedRow): Buffer | null {
    try {
      return storedMessage(row.composedMessage!);
    } catch (err) {
      deps.log.warn({ err, digestId: row.id }, 'stored digest message unreadable; rendering it again');
      return null;
    }
  }

  /**
   * Composes the messages of freshly built rows and stores them (composed ahead), so that the
   * send moment hands SMTP stored bytes. Rows whose partner cannot be mailed now are left to the
   * send's checks. An optimisation only: when it fails, the rows are built all the same and
   * their sender renders them.
   */
  async function composeAhead(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      const rows = await findLedgerStates(db, ids);
      const [recipients, items] = await Promise.all([findRecipients(db, [...new Set(rows.map((r) => r.partnerId))]), openDigestItems(db, ids)]);
      let stored = 0;
      // A few at a time: a message of 60 KB is held only until its statement is sent.
      for (const chunk of batches(rows, COMPOSED_PER_STATEMENT)) {
        const messages = [];
        for (const row of chunk) {
          const partner = recipients.get(row.partnerId);
          const cards = items.get(row.id) ?? [];
          if (row.status !== 'ready' || !partner || partner.status !== 'active' || partner.suppressed || partner.paused) continue;
          const composed = compose(row, partner, cards);
          if (!composed) continue;
          const mail = mailOf(row, partner, composed);
          messages.push({ id: row.id, subject: mail.subject, fingerprint: fingerprintOf(row, partner, cards), composed: deps.mailer.compose(mail) });
        }
        stored += await storeComposed(db, messages);
      }
      deps.log.debug({ built: ids.length, composed: stored }, 'digests composed ahead');
    } catch (err) {
      deps.log.warn({ err, digestIds: ids.length }, 'digests not composed ahead; their senders render them');
    }
  }

  /**
   * The fence of a prepared row, and the finish of the row SMTP accepted just before it (`sent`)
   * in the same round trip: one statement checks the row is still this claim's and marks it
   * handed over; from then until its finish, the lease keeper renews its lease. Returns whether
   * the row may go to SMTP, and the earlier row's result.
   */
  async function handOver(ready: ReadyMessage, sent: AcceptedMessage | undefined): Promise<HandOver & { sentResult?: SendResult }> {
    if (!sent) return await markHandingToSmtp(db, ready.row, settings.leaseSeconds);
    try {
      const both = await finishSentAndHandOver(db, sent, ready.row, settings.leaseSeconds);
      return { ...both, sentResult: recordFinish(sent.row, 'sent', both.finished, null) };
    } finally {
      leases.release(sent.row);
    }
  }

  /**
   * Hands one fenced message to SMTP. Accepted: its finish is left to the caller, to go with the
   * next row's fence (`handOver`) or alone (`finishAccepted`), and its lease is held until then.
   * Refused or unreachable: the row is finished or released here (afterSmtpFailure).
   */
  async function transmit(ready: ReadyMessage): Promise<AcceptedMessage | SendResult> {
    const { row } = ready;
    leases.hold(row);
    let accepted: { response?: string };
    let subject: string | null = null;
    try {
      if (ready.stored) {
        accepted = await deps.mailer.sendComposed({ to: ready.partner.email, messageId: row.messageId ?? messageIdOf(row.id), composed: ready.stored });
      } else {
        subject = ready.mail.subject;
        accepted = await deps.mailer.send(ready.mail);
      }
    } catch (error) {
      try {
        return await afterSmtpFailure(row, ready.partner, error);
      } finally {
        leases.release(row);
      }
    }
    // SMTP's "250 …" goes into the same statement that marks the row sent.
    return { row, subject, smtpResponse: accepted.response?.slice(0, 500) ?? null };
  }

  /**
   * The fence refused the row: taken over by another worker (then this does nothing), or our
   * lease ran out before its turn. Given back to 'ready' (not taken over): nobody else will queue
   * it before the reconciler's grace period, so the send job queues it again at once ('returned').
   */
  async function notHandedOver(row: ClaimedRow): Promise<SendResult> {
    const returned = await giveBackUnsent(db, row);
    deps.log.info({ digestId: row.id, returned }, 'digest not sent here: the claim lost it before its turn');
    return { outcome: returned ? 'returned' : 'busy' };
  }

  async function finishAccepted(sent: AcceptedMessage): Promise<SendResult> {
    try {
      return await finish(sent.row, 'sent', { ...(sent.subject ? { subject: sent.subject } : {}), lastError: null, smtpResponse: sent.smtpResponse });
    } finally {
      leases.release(sent.row);
    }
  }

  /**
   * A 5xx about the address fails the row and suppresses the address in one transaction. Any
   * other failure gives the row back for a retry without using up its attempts, until its send
   * window has ended.
   */
  async function afterSmtpFailure(
    row: ClaimedRow,
    partner: Recipient,
    error: unknown,
  ): Promise<SendResult> {
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    if (smtpFailureKind(error) === 'permanent') {
      // The server's final word on this address: stop mailing it, no endless retries. Together,
      // so a crash in between cannot leave the row to be retried and then "skipped" as suppressed.
      await db.transaction().execute(async (trx) => {
        await deps.suppressions.suppress(partner.email, 'hard_bounce', trx);
        await finishDigest(trx, row, 'failed', { lastError: reason });
      });
      deps.metrics?.digestFinished('failed');
      deps.log.info({ digestId: row.id, partnerId: row.partnerId, period: row.period, status: 'failed', reason }, 'digest finished');
      return { outcome: 'failed' };
    }
    if (windowEnds(row) <= now()) return finish(row, 'failed', { lastError: `send window ended: ${reason}`.slice(0, 500) });
    // Release the claim so the retry (BullMQ backoff, or the reconciler) can take it again.
    await releaseDigest(db, row, reason);
    deps.metrics?.digestFinished('deferred');
    return { outcome: 'transient', error: new TransientSendError(`digest ${row.id}: ${reason}`, { cause: error }) };
  }

  /**
   * Sends a batch of built rows, a claim at a time: one statement claims up to `claimSize` rows,
   * one query each loads their recipients and open items, then each is rendered, sent and
   * finished in turn. While SMTP is unreachable, the rest is not claimed at all ('paused').
   */
  async function sendMany(ids: readonly string[]): Promise<Map<string, SendResult>> {
    const results = new Map<string, SendResult>();
    for (const chunk of batches(ids, claimSize)) {
      const smtp = await deps.mailer.availability();
      if (!smtp.ok) {
        for (const id of ids) if (!results.has(id)) results.set(id, { outcome: 'paused', retryAt: smtp.retryAt });
        break;
      }
      for (const [id, result] of await sendClaim(chunk)) results.set(id, result);
    }
    return results;
  }

  async function sendClaim(ids: readonly string[]): Promise<Map<string, SendResult>> {
    const claimed = await claimForSending(db, ids, {
      token: randomUUID(),
      leaseSeconds: settings.leaseSeconds,
      maxAttempts: settings.maxSendAttempts,
      mailDomain: settings.mailDomain,
      windowSeconds: sendWindowMs / 1000,
      at: now(),
    });
    const results = new Map<string, SendResult>();
    const claimedIds = new Set(claimed.map((r) => r.id));
    const unclaimed = ids.filter((id) => !claimedIds.has(id));
    if (unclaimed.length) for (const [id, outcome] of await explainUnclaimed(unclaimed)) results.set(id, { outcome });
    if (claimed.length === 0) return results;

    const closed = new Set<string>();
    const [recipients, items] = await Promise.all([
      findRecipients(db, [...new Set(claimed.map((r) => r.partnerId))]),
      openDigestItems(db, [...claimedIds], closed),
    ]);
    // The claim's rows go to SMTP one after the other; the finish of each accepted row waits for
    // the next row's fence, so a row costs one statement, not two (the last one's finish alone).
    let sent: AcceptedMessage | undefined;
    try {
      for (const row of claimed) {
        const ready = await prepare(row, recipients.get(row.partnerId), items.get(row.id) ?? [], closed.has(row.id));
        if ('outcome' in ready) {
          results.set(row.id, ready);
          continue;
        }
        const { handed, sentResult } = await handOver(ready, sent);
        if (sent) results.set(sent.row.id, sentResult!);
        sent = undefined;
        if (!handed) {
          results.set(row.id, await notHandedOver(row));
          continue;
        }
        const outcome = await transmit(ready);
        if ('outcome' in outcome) results.set(row.id, outcome);
        else sent = outcome;
      }
    } catch (error) {
      // SMTP's answer is the truth to keep, whatever failed after it (the original error wins).
      if (sent) await finishAccepted(sent).catch((err: unknown) => deps.log.warn({ err, digestId: sent!.row.id }, 'digest outcome not recorded'));
      throw error;
    }
    if (sent) results.set(sent.row.id, await finishAccepted(sent));
    return results;
  }

  async function send(digestId: string): Promise<SendOutcome> {
    const result = (await sendMany([digestId])).get(digestId)!;
    if (result.outcome === 'transient') throw result.error;
    if (result.outcome === 'paused') throw new TransientSendError(`digest ${digestId}: SMTP is unreachable until ${result.retryAt.toISOString()}`);
    return result.outcome;
  }

  /** One pass over a round's unfinished rows: built and sent by `concurrency` workers in this process. */
  async function sendRoundPass(
    unfinished: DigestRow[],
    concurrency: number,
    onBatch: (rows: number) => void = () => undefined,
    onBuilt: () => void = () => undefined,
  ) {
    const workerCount = Math.max(1, concurrency);
    // Batches small enough that every worker gets some, as large as a job's otherwise.
    const inBatches = <T>(items: T[]) => batches(items, Math.max(1, Math.min(DIGEST_BATCH_SIZE, Math.ceil(items.length / workerCount))));
    const inParallel = async <T>(queue: T[][], work: (batch: T[]) => Promise<void>) => {
      const worker = async () => {
        for (let batch = queue.shift(); batch; batch = queue.shift()) await work(batch);
      };
      await Promise.all(Array.from({ length: workerCount }, worker));
    };
    // First every row is built (as the tick's build jobs do ahead of the send moment), then sent.
    const skipped = new Set<string>();
    const toBuild = unfinished.filter((row) => row.status === 'pending' || row.status === 'building').map((row) => row.id);
    await inParallel(inBatches(toBuild), async (batch) => {
      let n = 0;
      for (const [id, outcome] of await buildMany(batch)) {
        if (outcome !== 'skipped') continue;
        skipped.add(id);
        n++;
      }
      if (n) onBatch(n);
    });
    onBuilt();
    const toSend = unfinished.map((row) => row.id).filter((id) => !skipped.has(id));
    await inParallel(inBatches(toSend), async (batch) => {
      await sendMany(batch);
      onBatch(batch.length);
    });
    return await deps.mailer.availability();
  }

  const notDue = (row: LedgerRow) => row.status === 'ready' && row.sendAt !== null && row.sendAt > now();

  /** A round's rows by what became of them, and when those left will be tried and given up. */
  async function countRound(rows: LedgerRow[], finishedBefore: Set<string>, created: number): Promise<RoundResult> {
    const result: RoundResult = { created, sent: 0, skipped: 0, failed: 0, alreadyDone: 0, leftForRetry: 0, heldElsewhere: 0, notDue: 0 };
    const left: string[] = [];
    for (const row of rows) {
      if (finishedBefore.has(row.id)) result.alreadyDone++;
      else if (notDue(row)) result.notDue++;
      else if (row.status === 'sent') result.sent++;
      else if (row.status === 'skipped') result.skipped++;
      else if (row.status === 'failed') result.failed++;
      else if (row.status === 'sending' && row.leaseUntil && row.leaseUntil > now()) result.heldElsewhere++;
      else {
        result.leftForRetry++;
        left.push(row.id);
      }
    }
    if (left.length) {
      const smtp = await deps.mailer.availability();
      result.nextAttemptAt = smtp.ok ? now() : smtp.retryAt;
      const states = await findLedgerStates(db, left);
      result.giveUpAt = new Date(Math.min(...states.map((r) => windowEnds(r).getTime())));
    }
    return result;
  }

  return {
    /** How many digests of these periods are in each status (the operator's overview). */
    countByStatus: (periods: string[]) => countDigestsByStatus(db, periods),
    build,
    send,
    buildMany,
    sendMany,

    /**
     * Urgent work: alert rows for partners who take it "as it comes" (outside their quiet hours,
     * within the day's cap) and, on a scheduler pass (no `opportunityId`), today's daily summaries
     * that are due; built and sent by the ordinary jobs. Decided from Postgres alone, so a pass
     * after lost jobs or ended quiet hours finds what is still to do; the ledger's UNIQUE keys
     * make a repeated pass create nothing twice.
     */
    async startUrgent(options: { opportunityId?: string } = {}): Promise<{ alerts: string[]; daily: string[] }> {
      const at = now();
      const created = await db.transaction().execute(async (trx) => {
        await lockUrgentStart(trx);
        const alerts = await insertAlertRows(trx, at, urgentRules, options.opportunityId);
        const daily = options.opportunityId ? [] : await insertDailyRows(trx, at);
        return { alerts, daily };
      });
      const ids = [...created.alerts, ...created.daily];
      await enqueueBuild(ids);
      if (ids.length) deps.log.info({ alerts: created.alerts.length, daily: created.daily.length, opportunityId: options.opportunityId }, 'urgent work: rows created');
      return created;
    },

    /**
     * The hourly tick: ledger rows and build jobs for every partner whose send time has come, and
     * (build ahead) for those whose send time comes within `buildAheadMinutes`: their rows carry
     * that moment, are built now and sent then.
     */
    async tick(): Promise<{ created: number }> {
      const ids = await startRound(await periodsFor(now(), { everyone: false, aheadMs: buildAheadMs }));
      await enqueueBuild(ids);
      if (ids.length) deps.log.info({ created: ids.length }, 'digest tick: rows created');
      return { created: ids.length };
    },

    /** Starts a round on the queues: ledger rows and build jobs, for workers to finish. */
    async enqueueRound(options: { everyone: boolean; period?: string; partnerId?: string }): Promise<string[]> {
      const ids = await startRound(await periodsFor(now(), options), options.partnerId);
      await enqueueBuild(ids);
      return ids;
    },

    /**
     * A build job: builds its batch, and queues the digests that have something to send; those
     * built ahead in a job delayed until their send moment.
     */
    async buildJob(digestIds: string[]): Promise<void> {
      const built = await buildMany(digestIds);
      const ready = digestIds.filter((id) => built.get(id) === 'ready');
      if (ready.length === 0) return;
      const later = new Map((await findLedgerStates(db, ready)).flatMap((r) => (r.sendAt && r.sendAt > now() ? [[r.id, r.sendAt] as const] : [])));
      const nowIds = ready.filter((id) => !later.has(id));
      if (nowIds.length) await deps.queues.enqueue('digest-send', { digestIds: nowIds }, batchJobId('send', nowIds));
      await enqueueAtSendMoment(later);
    },

    /**
     * A send job. A transient SMTP failure of a lone digest fails the job, for BullMQ's backoff;
     * in a batch, each such digest is queued as a lone job of its own, so the rest of the batch
     * is not sent again. Rows left unclaimed because SMTP is unreachable go back to the queue as
     * one job, delayed until the next probe: waiting for SMTP uses none of BullMQ's attempts.
     */
    async sendJob(digestIds: string[], retryDelayMs = 2_000): Promise<void> {
      const results = await sendMany(digestIds);
      // Arrived before the send moment (a job from elsewhere, a clock ahead): nothing was sent;
      // the rows wait in a job delayed until their moment.
      const early = [...results].filter(([, r]) => r.outcome === 'not-due').map(([id]) => id);
      if (early.length) {
        const states = await findLedgerStates(db, early);
        await enqueueAtSendMoment(new Map(states.flatMap((r) => (r.sendAt && r.status === 'ready' ? [[r.id, r.sendAt] as const] : []))));
      }
      const paused = [...results].filter((entry): entry is [string, Extract<SendResult, { outcome: 'paused' }>] => entry[1].outcome === 'paused');
      if (paused.length) {
        const ids = paused.map(([id]) => id);
        const retryAt = Math.min(...paused.map(([, r]) => r.retryAt.getTime()));
        await touchQueuedDigests(db, ids);
        // Jobs paused by the same outage share `retryAt`: a batch queued twice is queued once.
        await deps.queues.enqueue('digest-send', { digestIds: ids }, batchJobId('send', ids, `-p${retryAt}`), {
          delayMs: Math.max(1, retryAt - Date.now()),
        });
      }
      const returned = [...results].filter(([, r]) => r.outcome === 'returned').map(([id]) => id);
      if (returned.length) await deps.queues.enqueue('digest-send', { digestIds: returned }, batchJobId('send', returned, `-r${Date.now()}`));
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
      // Rows built ahead are not stale before their send moment (by the service's clock).
      const stale = await takeStaleDigests(db, graceSeconds, undefined, now());
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
     * or everyone with `everyone`), then builds and sends every unfinished row of the round. For
     * up to `waitMs` it waits out transient failures, an unreachable SMTP server and rows another
     * process holds, and tries them again. The result counts every row of the round as the ledger
     * has it at the end. Running it again for the same period sends nothing.
     */
    async runRound(options: {
      everyone: boolean;
      period?: string;
      partnerId?: string;
      concurrency?: number;
      waitMs?: number;
      /** Told as each batch of a pass is handled: rows handled (or finished before) of the round's rows. */
      onProgress?: (handled: number, total: number) => void;
      /** Told once, when the first pass has built every row and starts sending (the bench times the two parts). */
      onBuilt?: () => void;
    }): Promise<RoundResult> {
      const groups = await periodsFor(now(), options);
      const created = await startRound(groups, options.partnerId);
      const ledger = () => findLedgerRows(db, groups, options.partnerId);
      const initial = await ledger();
      const finishedBefore = new Set(initial.filter((row) => FINISHED.has(row.status)).map((row) => row.id));
      const deadline = Date.now() + Math.max(0, options.waitMs ?? 0);
      let rows = initial;
      for (let pause = 1000; ; pause = Math.min(pause * 2, 30_000)) {
        const unfinished = rows.filter((row) => !FINISHED.has(row.status));
        const total = rows.length;
        let handled = total - unfinished.length;
        options.onProgress?.(handled, total);
        const onBuilt = rows === initial ? options.onBuilt : undefined;
        const smtp = await sendRoundPass(
          unfinished,
          options.concurrency ?? DIGEST_RUN_CONCURRENCY,
          (count) => options.onProgress?.((handled += count), total),
          onBuilt,
        );
        rows = await ledger();
        // Rows the tick built ahead wait for their send moment: a delayed job sends them then.
        const left = rows.filter((row) => !FINISHED.has(row.status) && !notDue(row));
        if (left.length === 0 || Date.now() >= deadline) break;
        // Wake for the next SMTP probe, the first lease another process holds, or the backoff.
        const leaseEnds = left.flatMap((row) => (row.status === 'sending' && row.leaseUntil ? [row.leaseUntil.getTime() + 50] : []));
        const wakeAt = Math.min(smtp.ok ? Date.now() + pause : smtp.retryAt.getTime(), ...leaseEnds, deadline);
        await new Promise((resolve) => setTimeout(resolve, Math.max(50, wakeAt - Date.now())));
      }
      return await countRound(rows, finishedBefore, created.length);
    },

    findDigest: (id: string) => findDigest(db, id),
    /** The latest `periods` periods' rows by status, newest period first (the console's digests page). */
    countByPeriod: (periods = 12) => countDigestsByPeriod(db, periods),
    /** A period's failed rows with their partner and SMTP's last answer. */
    failedOf: (period: string, limit = 200) => listFailedDigests(db, period, limit),
    sentOf: (period: string, limit = 20) => listSentDigests(db, period, limit),

    /**
     * Sends failed digests again, through the ledger: the rows go back to ready in one statement
     * (with the caller's audit line in the same transaction), then a send job takes them. Only
     * rows failed at that moment are reopened, so a resend posted twice sends once; the claim's
     * fence keeps even a duplicated job from sending a row twice. Returns the ids reopened.
     */
    async resendFailed(filter: ReopenFilter, options: { inSameTransaction?: (trx: Executor, ids: string[]) => Promise<void> } = {}): Promise<string[]> {
      const ids = await db.transaction().execute(async (trx) => {
        const reopened = await reopenFailedDigests(trx, filter);
        if (reopened.length) await options.inSameTransaction?.(trx, reopened);
        return reopened;
      });
      // After the commit. Should Redis not take the job, the reconciler finds the ready rows.
      if (ids.length) {
        await deps.queues.enqueueMany(
          'digest-send',
          batches(ids).map((digestIds) => ({ data: { digestIds }, jobId: batchJobId('send', digestIds, `-resend${Date.now()}`) })),
        );
        deps.log.info({ digests: ids.length }, 'failed digests reopened for sending');
      }
      return ids;
    },

    /** A partner's digests, newest first, with SMTP's last answer to each (the operator's partner page). */
    historyOf: (partnerId: string, limit = 50) => listDigestsOfPartner(db, partnerId, limit),

    /** The opportunity on card #`card` (1 = the first from the top) of a digest: a reply names it so. */
    opportunityOnCard: (digestId: string, card: number) => findItemAt(db, digestId, card - 1),
    /** How many sent digests carried an opportunity, per day: the submitter's status page shows it. */
    sentPerDay: (opportunityId: string) => digestsSentPerDay(db, opportunityId),
  };
}

export type DigestService = ReturnType<typeof createDigestService>;

export type { DigestHistoryRow } from './digest-ledger.repository.ts';
