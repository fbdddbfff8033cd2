import type { ParsedMail } from 'mailparser';
import type { Logger } from 'pino';
import type { Database, Executor } from '../platform/db/database.ts';
import type { Queues } from '../platform/queue/queues.ts';
import type { DigestService } from '../digests/digest.service.ts';
import type { InterestService } from '../interests/interest.service.ts';
import type { OpportunityService } from '../opportunities/opportunity.service.ts';
import type { PartnerService } from '../partners/partner.service.ts';
import { requestMail } from '../platform/mail/mail-kinds.ts';
import { inboundMailJob } from './inbound.mails.ts';
import type { inboundJobs } from './inbound.jobs.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import type { SuppressionService } from '../suppressions/suppression.service.ts';
import type { UnsubscribeService } from '../suppressions/unsubscribe.service.ts';
import { createEmailOpportunity } from './drafts/email-opportunity.ts';
import { storableText } from './drafts/storable-text.ts';
import {
  claimReply,
  claimWebhookToken,
  findInboundForOperator,
  findInboundOf,
  findUnprocessed,
  finishProcessing,
  forgetWebhookTokens,
  listInbound,
  reopenFailedInbound,
  startProcessing,
  storeInbound,
  type InboundMessageInput,
  countInboundByStatus,
  type InboundSummary,
  type StoredInbound,
  type StoredMessage,
} from './inbound.repository.ts';
import { digestIdOfReplyAddress, readDigestReply } from './replies/digest-reply.ts';
import type { ReturnPaths } from '../platform/mail/return-path.ts';
import { complaintEvidence, permanentFailures } from './trust/bounces.ts';
import { addressOf, asksToUnsubscribe, classifyMail, envelopeSender, ownAddressSet, type MailKind } from './trust/classify.ts';
import { checkSender, type DNSResolver, type SenderTrust } from './trust/sender-auth.ts';
import { headerLookup, parseStored } from './understanding/parse.ts';
import { readBody } from './understanding/understand.ts';
import type { Metrics } from '../platform/metrics/metrics.ts';

export type { InboundMessageInput, InboundSummary };
export { prepareUnderstanding } from './understanding/understand.ts';

// ---- Accepting: the one way a message comes in, by SMTP or webhook ----

export interface IntakeDeps {
  db: Database;
  queues: Pick<Queues<typeof inboundJobs>, 'enqueue'>;
  log: Logger;
}

/** What acceptInbound did: stored (or found stored), or refused a replayed webhook token. */
export type AcceptResult = ({ accepted: true } & StoredInbound) | { accepted: false; reason: 'replayed-token' };

/** Rows still 'received' this long after arriving have lost their job; the reconciler re-adds it. */
export const UNPROCESSED_GRACE_SECONDS = 60;
/** Webhook timestamps older than this are refused anyway; their tokens need no keeping. */
const REPLAY_TOKEN_KEEP_SECONDS = 24 * 3600;

/** The processing job's id: one per stored message, so a duplicate delivery adds nothing new. */
export const inboundJobId = (inboundId: string) => `inbound-${inboundId}`;

/**
 * The one way a message comes in, by SMTP or webhook: store the bytes first (and, for a signed
 * webhook, claim its one-time token in the same transaction), then queue the processing job.
 * Storing first means a crash or a Redis outage after the commit loses nothing: the caller may
 * answer 250/200, and the reconciler queues what the enqueue here could not.
 */
export async function acceptInbound(deps: IntakeDeps, message: InboundMessageInput, options: { replayToken?: string } = {}): Promise<AcceptResult> {
  const result = await deps.db.transaction().execute(async (trx): Promise<AcceptResult> => {
    if (options.replayToken !== undefined && !(await claimWebhookToken(trx, options.replayToken))) {
      return { accepted: false, reason: 'replayed-token' };
    }
    return { accepted: true, ...(await storeInbound(trx, message)) };
  });
  if (!result.accepted) return result;
  try {
    await deps.queues.enqueue('inbound-process', { inboundId: result.id }, inboundJobId(result.id));
  } catch (err) {
    // Stored is what counts: the reconciler re-queues rows still 'received' after a minute.
    deps.log.warn({ err, inboundId: result.id }, 'inbound message stored but not queued; the reconciler will queue it');
  }
  deps.log.info({ inboundId: result.id, duplicate: result.duplicate, via: message.receivedVia, size: message.raw.length }, 'inbound message stored');
  return result;
}

/**
 * One reconcile pass (the scheduler's): re-queues stored messages whose job was lost (Redis
 * flushed, a crash between commit and enqueue) and forgets old webhook tokens. The job id is the
 * same as the first one, so a job still waiting or running is not doubled. `graceSeconds` is 0
 * when the scheduler knows Redis lost its jobs: then no stored message has a job to wait for.
 */
export async function reconcileInbound(deps: IntakeDeps, graceSeconds = UNPROCESSED_GRACE_SECONDS, limit = 500): Promise<number> {
  const ids = await findUnprocessed(deps.db, graceSeconds, limit);
  for (const inboundId of ids) await deps.queues.enqueue('inbound-process', { inboundId }, inboundJobId(inboundId));
  await forgetWebhookTokens(deps.db, REPLAY_TOKEN_KEEP_SECONDS);
  return ids.length;
}

/**
 * The operator's "reprocess" of a failed message: back to 'received' (with the caller's audit
 * line, in one transaction), then queued under a job id of its own, since the first job may
 * still be kept in Redis as failed and would swallow a re-add under its id. False when the
 * message is not failed (then nothing changes); should the queue refuse, the reconciler queues it.
 */
export async function reprocessInbound(deps: IntakeDeps, inboundId: string, options: { inSameTransaction?: (trx: Executor) => Promise<void> }): Promise<boolean> {
  const reopened = await deps.db.transaction().execute(async (trx) => {
    if (!(await reopenFailedInbound(trx, inboundId))) return false;
    await options.inSameTransaction?.(trx);
    return true;
  });
  if (!reopened) return false;
  try {
    await deps.queues.enqueue('inbound-process', { inboundId }, `${inboundJobId(inboundId)}-r${Date.now()}`);
  } catch (err) {
    deps.log.warn({ err, inboundId }, 'inbound message reopened but not queued; the reconciler will queue it');
  }
  deps.log.info({ inboundId }, 'failed inbound message reopened for processing');
  return true;
}

/** Names of the attachments of the mail an opportunity was read from: listed, never opened or shown. */
export async function attachmentNamesOf(db: Database, opportunityId: string): Promise<string[]> {
  const inbound = await findInboundOf(db, opportunityId);
  if (!inbound) return [];
  // Parsed as processing parses (in turns, no conversions): the web process must not stall either.
  const read = await parseStored(inbound.raw);
  return read.ok ? read.parsed.attachments.map((a) => a.filename ?? '(no name)') : [];
}

export type InboundIntake = ReturnType<typeof createInboundIntake>;

/**
 * The intake's doors as one object, built once in the container: the SMTP listener and the
 * webhook route accept through it, the scheduler reconciles through it, the draft page lists
 * attachments through it, the operator's API lists messages through it. Callers hold this, never the database.
 */
export function createInboundIntake(deps: IntakeDeps) {
  return {
    accept: (message: InboundMessageInput, options?: { replayToken?: string }) => acceptInbound(deps, message, options),
    reconcile: (graceSeconds?: number) => reconcileInbound(deps, graceSeconds),
    attachmentNamesOf: (opportunityId: string) => attachmentNamesOf(deps.db, opportunityId),
    /** For the operator: what came in and what was decided, e.g. the reports that were not obeyed. */
    list: (query: Parameters<typeof listInbound>[1]) => listInbound(deps.db, query),
    /** How many stored messages are in each status: waiting (received), processed, rejected, failed. */
    countByStatus: () => countInboundByStatus(deps.db),
    /** One message for the operator, with the start of its raw bytes (at most `rawBytes`). */
    get: (inboundId: string, rawBytes: number) => findInboundForOperator(deps.db, inboundId, rawBytes),
    reprocess: (inboundId: string, options: { inSameTransaction?: (trx: Executor) => Promise<void> } = {}) => reprocessInbound(deps, inboundId, options),
  };
}

// ---- Processing: the 'inbound-process' job on one stored message ----

export interface InboundServiceDeps {
  db: Database;
  /** Emailed opportunities go in the one way every opportunity does. */
  opportunities: Pick<OpportunityService, 'submit' | 'urgentWindowDays'>;
  /** Replies to digests record interest exactly as the button does. */
  interests: Pick<InterestService, 'expressInterest'>;
  /** Which partner a digest went to, and which opportunity a reply's card number names. */
  digests: Pick<DigestService, 'findDigest' | 'opportunityOnCard'>;
  partners: Pick<PartnerService, 'findById' | 'findRowByEmail'>;
  /** Bounces, complaints and mailto: unsubscribes change whom we mail. */
  suppressions: Pick<SuppressionService, 'suppress'>;
  /** A mailto: unsubscribe: the address leaves the way the unsubscribe page's button does it. */
  unsubscribe: Pick<UnsubscribeService, 'unsubscribe'>;
  catalogue: SkillCatalogue;
  /** Checks the signed return paths (VERP) that bounces and complaints must name to be obeyed. */
  returnPaths: Pick<ReturnPaths, 'verify' | 'looksLikeReturnPath'>;
  log: Logger;
  /** Counts each message's outcome for /metrics. */
  metrics?: Pick<Metrics, 'inboundFinished'>;
  settings: {
    /** Our own addresses: mail from them, or carrying our loop header, is never processed. */
    ownAddresses: string[];
    /** The mailto: half of List-Unsubscribe: mail to it unsubscribes its (trusted) sender. */
    unsubscribeMailto: string;
    /** Our hostname in Authentication-Results. */
    mta: string;
    /** Each DNS lookup of the sender check (SPF, DKIM, DMARC); the check as a whole gets a few of these. */
    dnsTimeoutMs: number;
    /** APP_SECRET and its predecessors: they check `reply+<token>@` digest-reply addresses. */
    replySecrets: string[];
    /** Automatic replies one recipient domain may get a day (one per inbox, whatever its +tags). */
    repliesPerDomainDaily: number;
  };
  /** DNS for SPF/DKIM/DMARC; left out in production (the system resolver), stubbed in tests. */
  resolver?: DNSResolver;
  /** The 'inbound-process' job's attempts: the last one marks the message 'failed' instead of retrying. */
  maxAttempts?: number;
}

/** What became of one stored inbound message. */
export type InboundOutcome =
  | { status: 'processed' | 'rejected' | 'failed'; outcome: string; opportunityId?: string }
  | { status: 'skipped'; outcome: 'done-before' };

type Decision = { status: 'processed' | 'rejected'; outcome: string; opportunityId?: string };

/**
 * Works on one stored inbound message (the 'inbound-process' job): decides what it is, whom it
 * is from, what it says, and what follows. The raw bytes were stored before this ran; this never
 * loses them, whatever it decides: only status, outcome and the opportunity id are ever written.
 */
export function createInboundService(deps: InboundServiceDeps) {
  const { db, log, settings } = deps;
  const own = ownAddressSet(settings.ownAddresses);
  const unsubscribeAddress = addressOf(settings.unsubscribeMailto);
  const maxAttempts = deps.maxAttempts ?? 5;
  const { interests } = deps;

  async function finish(id: string, result: InboundOutcome & { status: 'processed' | 'rejected' | 'failed' }): Promise<void> {
    await finishProcessing(db, id, { status: result.status, outcome: storableText(result.outcome), opportunityId: result.opportunityId ?? null });
    log.info({ inboundId: id, status: result.status, outcome: result.outcome, opportunityId: result.opportunityId }, 'inbound message finished');
    deps.metrics?.inboundFinished(result.status);
  }

  /**
   * The addresses among `candidates` that one of `returnPaths` was signed for: the only ones a
   * report may suppress. Everything else in it is a claim anyone could have written.
   */
  function provenRecipients(returnPaths: readonly string[], candidates: readonly string[]): { proven: string[]; why: string } {
    const ours = returnPaths.filter((address) => deps.returnPaths.looksLikeReturnPath(address));
    if (ours.length === 0) return { proven: [], why: 'names none of our return paths' };
    const checks = candidates.flatMap((candidate) => ours.map((rp) => ({ candidate, check: deps.returnPaths.verify(rp, candidate) })));
    const proven = [...new Set(checks.filter((c) => c.check.valid).map((c) => c.candidate))];
    const refusal = checks.map((c) => c.check).find((check) => !check.valid);
    return { proven, why: refusal && !refusal.valid ? refusal.why : 'no recipient named' };
  }

  /** A complaint suppresses only the recipient a signed return path in (or on) it was made for. */
  async function handleComplaint(message: StoredMessage): Promise<Decision> {
    const evidence = complaintEvidence(message.raw);
    if (evidence.recipients.length === 0) return { status: 'rejected', outcome: 'complaint report: no recipient named; stored, not acted on' };
    const { proven, why } = provenRecipients([...message.rcptTo, ...evidence.returnPaths], evidence.recipients);
    if (proven.length === 0) return { status: 'rejected', outcome: `complaint report about ${evidence.recipients.join(', ')}: ${why}; stored, not acted on` };
    for (const address of proven) await deps.suppressions.suppress(address, 'complaint');
    return { status: 'rejected', outcome: `complaint report: ${proven.join(', ')} suppressed` };
  }

  /** A delivery report suppresses only when it came to a return path signed for the address that failed. */
  async function handleBounce(message: StoredMessage, kind: Extract<MailKind, { kind: 'bounce' }>): Promise<Decision> {
    const failures = kind.deliveryStatus ? permanentFailures(message.raw) : [];
    if (failures.length === 0) return { status: 'rejected', outcome: `bounce (${kind.reason}): nothing suppressed` };
    const suppressed: string[] = [];
    const refused: string[] = [];
    for (const failure of failures) {
      const { proven, why } = provenRecipients(message.rcptTo, failure.addresses);
      for (const address of proven) await deps.suppressions.suppress(address, 'hard_bounce');
      if (proven.length) suppressed.push(`${proven.join(', ')} (${failure.status})`);
      else refused.push(`${failure.addresses[0]} (${failure.status}): ${why}`);
    }
    const parts = [suppressed.length ? `${suppressed.join(', ')} suppressed` : '', refused.length ? `not acted on: ${refused.join('; ')}` : ''];
    return { status: 'rejected', outcome: `bounce: ${parts.filter(Boolean).join('; ')}` };
  }

  /** Bounces and complaints change whom we mail, when they prove they answer our mail; other machine mail is only ignored. */
  async function handleMachineMail(message: StoredMessage, kind: Exclude<MailKind, { kind: 'person' }>): Promise<Decision> {
    if (kind.kind === 'complaint') return handleComplaint(message);
    if (kind.kind === 'bounce') return handleBounce(message, kind);
    if (kind.kind === 'own') return { status: 'rejected', outcome: `own mail (${kind.reason})` };
    if (kind.kind === 'list') return { status: 'rejected', outcome: `mailing list (${kind.reason})` };
    return { status: 'rejected', outcome: `auto-reply (${kind.reason})` };
  }

  /**
   * RFC 8058's mailto: half. Unsubscribing needs the sender to be who From says: DMARC passes, or
   * (for domains without DMARC) From equals the envelope sender. The latter can be forged too, but
   * the harm is small (the partner can subscribe again, and we never answer, so there is no
   * backscatter), and unsubscribing must work from any plain mail client.
   */
  async function handleUnsubscribe(message: StoredMessage, parsed: ParsedMail, trust: SenderTrust): Promise<Decision> {
    if (!asksToUnsubscribe(parsed.subject ?? '', await readBody(parsed))) return { status: 'rejected', outcome: 'to the unsubscribe address, but not asking to unsubscribe' };
    const from = trust.fromAddress;
    if (!from) return { status: 'rejected', outcome: 'unsubscribe request without one From address' };
    const trusted = trust.verified || from === message.mailFrom.toLowerCase();
    if (!trusted) return { status: 'rejected', outcome: `unsubscribe request not trusted (${trust.reason})` };
    await deps.unsubscribe.unsubscribe(from);
    return { status: 'processed', outcome: `unsubscribed ${from}` };
  }

  /** A person's mail to an intake address: who it is, whether we may answer, then understanding. */
  async function handlePersonMail(message: StoredMessage, parsed: ParsedMail, trust: SenderTrust): Promise<Decision> {
    const fromHeader = parsed.from?.value?.[0];
    const email = trust.fromAddress ?? fromHeader?.address?.toLowerCase() ?? '';
    if (!email) return { status: 'rejected', outcome: 'no sender address' };
    const partner = trust.verified ? await deps.partners.findRowByEmail(email) : undefined;
    const verifiedPartnerId = partner && partner.status === 'active' ? partner.id : null;
    // An answer to a forged From is backscatter: it quotes the forger's text to a stranger. The
    // draft is kept either way; only an authenticated sender uses up, and gets, the day's reply.
    const mayReply = trust.fromAuthenticated && (await claimReply(db, email, settings.repliesPerDomainDaily));
    const result = await createEmailOpportunity(
      { catalogue: deps.catalogue, opportunities: deps.opportunities },
      { inboundId: message.id, parsed, sender: { email, name: fromHeader?.name ?? '' }, verifiedPartnerId, mayReply },
    );
    log.info({ inboundId: message.id, auth: trust.reason, fromAuthenticated: trust.fromAuthenticated, verifiedPartnerId, mayReply }, 'inbound mail handed to understanding');
    return { status: 'processed', outcome: result.outcome, ...(result.opportunityId ? { opportunityId: result.opportunityId } : {}) };
  }

  /**
   * A reply to a digest records interest only for the digest's own partner, proven by DMARC (the
   * reply address alone proves nothing: anyone the digest was forwarded to has it too).
   */
  async function handleDigestReply(message: StoredMessage, parsed: ParsedMail, trust: SenderTrust, digestId: string): Promise<Decision> {
    const digest = await deps.digests.findDigest(digestId);
    if (!digest || digest.status !== 'sent') return { status: 'rejected', outcome: 'digest reply: no such sent digest' };
    const partner = await deps.partners.findById(digest.partnerId);
    if (!partner || !trust.verified || trust.fromAddress !== partner.email.toLowerCase()) {
      return { status: 'rejected', outcome: `digest reply: sender not verified as the digest's partner (${trust.reason})` };
    }
    const intent = readDigestReply(await readBody(parsed));
    if (intent.kind === 'unclear') {
      // One short answer pointing at the buttons, within the one-reply-a-day rule: the claim and
      // the outbox row commit together, and the row's dedupe key is the message, so a retried
      // job neither loses the answer nor queues it twice.
      const answered = await db.transaction().execute(async (trx) => {
        if (!(await claimReply(trx, partner.email, settings.repliesPerDomainDaily))) return false;
        await requestMail(trx, inboundMailJob, { kind: 'digest-reply-help', partnerId: partner.id }, `digest-reply-help:${message.id}`);
        return true;
      });
      return { status: 'processed', outcome: `digest reply: unclear (${intent.why})${answered ? ', answered' : ''}` };
    }
    const opportunityId = await deps.digests.opportunityOnCard(digestId, intent.card);
    if (!opportunityId) return { status: 'processed', outcome: `digest reply: the digest has no card #${intent.card}` };
    const result = await interests.expressInterest(partner.id, opportunityId, undefined);
    return { status: 'processed', outcome: `digest reply: interest ${result.ok ? result.outcome : result.refusal} (card #${intent.card})` };
  }

  async function decide(message: StoredMessage): Promise<Decision> {
    const read = await parseStored(message.raw);
    if (!read.ok) return { status: 'rejected', outcome: read.reason };
    const { parsed } = read;
    const header = headerLookup(parsed);
    const fromAddress = addressOf(header('from'));
    const mailFrom = envelopeSender(message.receivedVia, message.mailFrom, header('return-path'));
    const kind = classifyMail({ mailFrom, fromAddress, subject: parsed.subject ?? '', header }, own);
    if (kind.kind !== 'person') return handleMachineMail(message, kind);
    // A return path takes reports only: a person writing to it is not writing to the intake.
    if (message.rcptTo.some((r) => deps.returnPaths.looksLikeReturnPath(r))) {
      return { status: 'rejected', outcome: 'to a return path, but not a delivery or complaint report' };
    }

    const trust = await checkSender(message.raw, message, {
      mta: settings.mta,
      dnsTimeoutMs: settings.dnsTimeoutMs,
      ...(deps.resolver ? { resolver: deps.resolver } : {}),
    });
    const replyAddress = message.rcptTo.find((r) => r.toLowerCase().startsWith('reply+'));
    if (replyAddress) {
      const digestId = digestIdOfReplyAddress(settings.replySecrets, replyAddress);
      if (!digestId) return { status: 'rejected', outcome: 'digest reply: reply address not ours (bad token)' };
      return handleDigestReply(message, parsed, trust, digestId);
    }
    const toUnsubscribe = unsubscribeAddress !== null && message.rcptTo.some((r) => r.toLowerCase() === unsubscribeAddress);
    if (toUnsubscribe) return handleUnsubscribe(message, parsed, trust);
    return handlePersonMail(message, parsed, trust);
  }

  return {
    async process(inboundId: string): Promise<InboundOutcome> {
      const message = await startProcessing(db, inboundId);
      if (!message) return { status: 'skipped', outcome: 'done-before' };
      let decision: Decision;
      try {
        decision = await decide(message);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        log.warn({ inboundId, attempts: message.attempts, err: error }, 'inbound message processing failed');
        // Until the last attempt the job's retry (with backoff) tries again; then it stays stored, 'failed'.
        if (message.attempts < maxAttempts) throw error;
        const failed = { status: 'failed' as const, outcome: `failed: ${reason}` };
        await finish(message.id, failed);
        return failed;
      }
      await finish(message.id, decision);
      return decision;
    },
  };
}

export type InboundService = ReturnType<typeof createInboundService>;
