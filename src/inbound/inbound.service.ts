import { sql, type Selectable } from 'kysely';
import type { ParsedMail } from 'mailparser';
import type { Logger } from 'pino';
import type { Database } from '../platform/db/database.ts';
import type { InboundMessages } from '../platform/db/database.types.ts';
import type { Links } from '../platform/links/links.ts';
import type { InterestService } from '../interests/interest.service.ts';
import { addOutboxEvent } from '../platform/outbox/outbox.repository.ts';
import { findPartnerByEmail, findPartnerById } from '../partners/partner.repository.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import { suppress, unsubscribeEmail } from '../suppressions/suppression.repository.ts';
import { createEmailOpportunity } from './email-opportunity.service.ts';
import { checkSender, type DNSResolver, type SenderTrust } from './inbound-auth.ts';
import { complainedAddress, permanentFailures } from './inbound-bounce.ts';
import { digestIdOfReplyAddress, readDigestReply } from './inbound-digest-reply.ts';
import { addressOf, asksToUnsubscribe, classifyMail, envelopeSender, ownAddressSet, type MailKind } from './inbound-classify.ts';
import { headerLookup, parseStored } from './inbound-parse.ts';
import { claimReply } from './inbound-replies.ts';

export interface InboundServiceDeps {
  db: Database;
  /** Replies to digests record interest exactly as the button does. */
  interests: InterestService;
  catalogue: SkillCatalogue;
  links: Links;
  log: Logger;
  settings: {
    /** Our own addresses: mail from them, or carrying our loop header, is never processed. */
    ownAddresses: string[];
    mailDomain: string;
    /** The mailto: half of List-Unsubscribe: mail to it unsubscribes its (trusted) sender. */
    unsubscribeMailto: string;
    /** Our hostname in Authentication-Results. */
    mta: string;
    /** APP_SECRET and its predecessors: they check `reply+<token>@` digest-reply addresses. */
    replySecrets: string[];
    /** The same rules as the web form: moderation, and how long an opportunity stays open. */
    intake: { moderation: boolean; defaultLifetimeDays: number };
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

type StoredMessage = Pick<
  Selectable<InboundMessages>,
  'id' | 'receivedVia' | 'raw' | 'mailFrom' | 'rcptTo' | 'remoteIp' | 'helo' | 'attempts'
>;

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

  /**
   * Counts this attempt and loads the message, only while it is still 'received': a second job
   * for a finished message does nothing. (Two jobs racing on one message both run, but only the
   * first finish is written, suppressions are idempotent and replies are claimed once a day.)
   */
  async function start(inboundId: string): Promise<StoredMessage | undefined> {
    return db
      .updateTable('inboundMessages')
      .set({ attempts: sql`attempts + 1` })
      .where('id', '=', inboundId)
      .where('status', '=', 'received')
      .returning(['id', 'receivedVia', 'raw', 'mailFrom', 'rcptTo', 'remoteIp', 'helo', 'attempts'])
      .executeTakeFirst();
  }

  async function finish(id: string, result: InboundOutcome & { status: 'processed' | 'rejected' | 'failed' }): Promise<void> {
    await db
      .updateTable('inboundMessages')
      .set({ status: result.status, outcome: result.outcome.slice(0, 1000), opportunityId: result.opportunityId ?? null, processedAt: sql`now()` })
      .where('id', '=', id)
      .where('status', '=', 'received')
      .execute();
    log.info({ inboundId: id, status: result.status, outcome: result.outcome, opportunityId: result.opportunityId }, 'inbound message finished');
  }

  /** Bounces and complaints change whom we mail; everything else machine-made is only ignored. */
  async function handleMachineMail(message: StoredMessage, kind: Exclude<MailKind, { kind: 'person' }>): Promise<Decision> {
    if (kind.kind === 'complaint') {
      const address = complainedAddress(message.raw);
      if (!address) return { status: 'rejected', outcome: 'complaint report: no recipient named' };
      await suppress(db, address, 'complaint');
      return { status: 'rejected', outcome: `complaint report: ${address} suppressed` };
    }
    if (kind.kind === 'bounce') {
      const failures = kind.deliveryStatus ? permanentFailures(message.raw) : [];
      for (const f of failures) await suppress(db, f.address, 'hard_bounce');
      const suppressed = failures.map((f) => `${f.address} (${f.status})`).join(', ');
      return { status: 'rejected', outcome: suppressed ? `bounce: ${suppressed} suppressed` : `bounce (${kind.reason}): nothing suppressed` };
    }
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
    if (!asksToUnsubscribe(parsed.subject ?? '', parsed.text ?? '')) return { status: 'rejected', outcome: 'to the unsubscribe address, but not asking to unsubscribe' };
    const from = trust.fromAddress;
    if (!from) return { status: 'rejected', outcome: 'unsubscribe request without one From address' };
    const trusted = trust.verified || from === message.mailFrom.toLowerCase();
    if (!trusted) return { status: 'rejected', outcome: `unsubscribe request not trusted (${trust.reason})` };
    await unsubscribeEmail(db, from);
    return { status: 'processed', outcome: `unsubscribed ${from}` };
  }

  /** A person's mail to an intake address: who it is, whether we may answer, then understanding. */
  async function handlePersonMail(message: StoredMessage, parsed: ParsedMail, trust: SenderTrust): Promise<Decision> {
    const fromHeader = parsed.from?.value?.[0];
    const email = trust.fromAddress ?? fromHeader?.address?.toLowerCase() ?? '';
    if (!email) return { status: 'rejected', outcome: 'no sender address' };
    const partner = trust.verified ? await findPartnerByEmail(db, email) : undefined;
    const verifiedPartnerId = partner && partner.status === 'active' ? partner.id : null;
    const mayReply = await claimReply(db, email);
    const result = await createEmailOpportunity(
      { db, catalogue: deps.catalogue, links: deps.links, intake: settings.intake },
      { inboundId: message.id, parsed, sender: { email, name: fromHeader?.name ?? '' }, verifiedPartnerId, mayReply },
    );
    log.info({ inboundId: message.id, auth: trust.reason, verifiedPartnerId, mayReply }, 'inbound mail handed to understanding');
    return { status: 'processed', outcome: result.outcome, ...(result.opportunityId ? { opportunityId: result.opportunityId } : {}) };
  }

  /**
   * A reply to a digest records interest only for the digest's own partner, proven by DMARC (the
   * reply address alone proves nothing: anyone the digest was forwarded to has it too).
   */
  async function handleDigestReply(message: StoredMessage, parsed: ParsedMail, trust: SenderTrust, digestId: string): Promise<Decision> {
    const digest = await db.selectFrom('digests').select(['partnerId', 'status']).where('id', '=', digestId).executeTakeFirst();
    if (!digest || digest.status !== 'sent') return { status: 'rejected', outcome: 'digest reply: no such sent digest' };
    const partner = await findPartnerById(db, digest.partnerId);
    if (!partner || !trust.verified || trust.fromAddress !== partner.email.toLowerCase()) {
      return { status: 'rejected', outcome: `digest reply: sender not verified as the digest's partner (${trust.reason})` };
    }
    const intent = readDigestReply(parsed.text ?? '');
    if (intent.kind === 'unclear') {
      // One short answer pointing at the buttons, within the one-reply-a-day rule: the claim and
      // the outbox row commit together, and the row's dedupe key is the message, so a retried
      // job neither loses the answer nor queues it twice.
      const answered = await db.transaction().execute(async (trx) => {
        if (!(await claimReply(trx, partner.email))) return false;
        const help = { topic: 'mail.requested' as const, payload: { kind: 'digest-reply-help' as const, partnerId: partner.id } };
        await addOutboxEvent(trx, help, `digest-reply-help:${message.id}`);
        return true;
      });
      return { status: 'processed', outcome: `digest reply: unclear (${intent.why})${answered ? ', answered' : ''}` };
    }
    const item = await db
      .selectFrom('digestItems')
      .select('opportunityId')
      .where('digestId', '=', digestId)
      .where('position', '=', intent.card - 1)
      .executeTakeFirst();
    if (!item) return { status: 'processed', outcome: `digest reply: the digest has no card #${intent.card}` };
    const result = await interests.expressInterest(partner.id, item.opportunityId, undefined);
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

    const trust = await checkSender(message.raw, message, { mta: settings.mta, ...(deps.resolver ? { resolver: deps.resolver } : {}) });
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
      const message = await start(inboundId);
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
