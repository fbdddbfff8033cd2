import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database, Executor } from '../platform/db/database.ts';
import type { InboundChannel, InboundStatus } from '../platform/db/database.types.ts';
import { mailboxOf } from '../platform/mail/mailbox.ts';
import { messageIdOf } from './intake/raw-headers.ts';

/** A message as it reached us, before anything is decided about it. */
export interface InboundMessageInput {
  receivedVia: InboundChannel;
  /** The envelope sender; '' is the null sender (bounces). */
  mailFrom: string;
  rcptTo: string[];
  /** The SMTP client's address; null for webhooks (the provider's address says nothing about the sender). */
  remoteIp: string | null;
  helo: string | null;
  raw: Buffer;
}

export interface StoredInbound {
  id: string;
  /** True when the same message (same Message-ID and recipients, or the same bytes) was stored before. */
  duplicate: boolean;
}

/**
 * The same message delivered twice (a sender's retry after a lost 250, a provider's webhook
 * retry) has the same key. Without a Message-ID only identical bytes count as the same.
 */
export function dedupeKeyOf(messageId: string | null, rcptTo: string[], raw: Buffer): string {
  const hash = createHash('sha256');
  if (messageId) {
    const recipients = [...new Set(rcptTo.map((r) => r.toLowerCase()))].sort();
    hash.update(`${messageId.toLowerCase()}\n${recipients.join('\n')}`);
  } else {
    hash.update(raw);
  }
  return hash.digest('hex');
}

/**
 * Stores a message verbatim, once. Runs inside the caller's transaction when given one; a
 * concurrent insert of the same message waits on the UNIQUE key and then finds the row.
 */
export async function storeInbound(db: Executor, input: InboundMessageInput): Promise<StoredInbound> {
  const messageId = messageIdOf(input.raw);
  const dedupeKey = dedupeKeyOf(messageId, input.rcptTo, input.raw);
  const inserted = await db
    .insertInto('inboundMessages')
    .values({
      receivedVia: input.receivedVia,
      mailFrom: input.mailFrom,
      rcptTo: input.rcptTo,
      remoteIp: input.remoteIp,
      helo: input.helo,
      messageId,
      dedupeKey,
      raw: input.raw,
      size: input.raw.length,
    })
    .onConflict((oc) => oc.column('dedupeKey').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, duplicate: false };
  const existing = await db.selectFrom('inboundMessages').select('id').where('dedupeKey', '=', dedupeKey).executeTakeFirstOrThrow();
  return { id: existing.id, duplicate: true };
}

/** Messages still waiting for processing after `olderThanSeconds`: their job was lost or never added. */
export async function findUnprocessed(db: Database, olderThanSeconds: number, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('inboundMessages')
    .select('id')
    .where('status', '=', 'received')
    .where('receivedAt', '<', sql<Date>`now() - make_interval(secs => ${olderThanSeconds}::double precision)`)
    .orderBy('receivedAt')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Records a webhook's one-time token (Mailgun's `token`). False when it was seen before: the
 * request is a replay. Meant to run in the transaction that stores the message, so a failed
 * store does not burn the token and the provider's retry still gets through.
 */
export async function claimWebhookToken(db: Executor, token: string): Promise<boolean> {
  const row = await db
    .insertInto('webhookReplays')
    .values({ token })
    .onConflict((oc) => oc.column('token').doNothing())
    .returning('token')
    .executeTakeFirst();
  return row !== undefined;
}

/** Tokens older than any timestamp we still accept can go: a replay of them fails the age check. */
export async function forgetWebhookTokens(db: Database, olderThanSeconds: number): Promise<number> {
  const result = await db
    .deleteFrom('webhookReplays')
    .where('seenAt', '<', sql<Date>`now() - make_interval(secs => ${olderThanSeconds}::double precision)`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** A stored message being processed: what the processing reads of its row. */
export interface StoredMessage {
  id: string;
  receivedVia: string;
  raw: Buffer;
  mailFrom: string;
  rcptTo: string[];
  remoteIp: string | null;
  helo: string | null;
  attempts: number;
}

/**
 * Counts a processing attempt and loads the message, only while it is still 'received': a
 * second job for a finished message gets undefined and does nothing. (Two jobs racing on one
 * message both run, but only the first finish is written, suppressions are idempotent, replies
 * are claimed once a day and an emailed opportunity's Message-ID is UNIQUE.)
 */
export async function startProcessing(db: Executor, inboundId: string): Promise<StoredMessage | undefined> {
  return db
    .updateTable('inboundMessages')
    .set({ attempts: sql`attempts + 1` })
    .where('id', '=', inboundId)
    .where('status', '=', 'received')
    .returning(['id', 'receivedVia', 'raw', 'mailFrom', 'rcptTo', 'remoteIp', 'helo', 'attempts'])
    .executeTakeFirst();
}

/**
 * Records what became of a message, only while it is still 'received' (the first finish wins),
 * in the transaction that made it so when there is one.
 */
export async function finishProcessing(
  db: Executor,
  inboundId: string,
  result: { status: 'processed' | 'rejected' | 'failed'; outcome: string; opportunityId: string | null },
): Promise<void> {
  await db
    .updateTable('inboundMessages')
    .set({ status: result.status, outcome: result.outcome.slice(0, 1000), opportunityId: result.opportunityId, processedAt: sql`now()` })
    .where('id', '=', inboundId)
    .where('status', '=', 'received')
    .execute();
}

/** The stored message an opportunity was read from (the newest, should there be several). */
export async function findInboundOf(db: Executor, opportunityId: string): Promise<{ id: string; raw: Buffer } | undefined> {
  return db
    .selectFrom('inboundMessages')
    .select(['id', 'raw'])
    .where('opportunityId', '=', opportunityId)
    .orderBy('receivedAt', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findInboundById(db: Executor, inboundId: string): Promise<{ opportunityId: string | null } | undefined> {
  // Not the raw bytes: what the acknowledgement says of them came with its job.
  return db.selectFrom('inboundMessages').select(['opportunityId']).where('id', '=', inboundId).executeTakeFirst();
}

/**
 * At most one automatic reply per inbox per 24 hours, whatever they send us: the guard against
 * a mail loop with a robot we failed to recognise, and against being used to spam an address.
 * Keyed by inbox (`mailboxOf`): `Bob+1@x.example` and `bob+2@x.example` share one reply.
 *
 * One statement claims the right to reply: it inserts the inbox, or moves its timestamp only if
 * the last reply is older than a day, and only while fewer than `perDomainDaily` other inboxes of
 * its domain were answered that day. Two workers racing on the same sender cannot both win (the
 * domain cap may be passed by the few claims racing at its edge: it bounds volume, it is not a
 * ledger). The claim is taken before the reply is queued, so a crash in between costs a reply,
 * never sends two.
 */
export async function claimReply(db: Executor, address: string, perDomainDaily: number): Promise<boolean> {
  const { mailbox, domain } = mailboxOf(address);
  const result = await sql<{ address: string }>`
    INSERT INTO inbound_replies (address, last_replied_at)
    SELECT ${mailbox}, now()
     WHERE (SELECT count(*) FROM inbound_replies
             WHERE split_part(address, '@', 2) = ${domain}
               AND address <> ${mailbox}
               AND last_replied_at > now() - interval '24 hours') < ${perDomainDaily}
    ON CONFLICT (address) DO UPDATE SET last_replied_at = now()
     WHERE inbound_replies.last_replied_at < now() - interval '24 hours'
    RETURNING address`.execute(db);
  return result.rows.length > 0;
}

/** One stored message as the operator lists it: the envelope and what was decided, not the bytes. */
export interface InboundSummary {
  id: string;
  receivedAt: Date;
  receivedVia: InboundChannel;
  mailFrom: string;
  rcptTo: string[];
  remoteIp: string | null;
  messageId: string | null;
  size: number;
  status: InboundStatus;
  outcome: string | null;
  opportunityId: string | null;
}

/**
 * Newest first, optionally of one status; `after` is the last id of the previous page (a keyset
 * on received_at and id, compared in the database so no timestamp precision is lost).
 */
export async function listInbound(db: Database, query: { status?: InboundStatus | undefined; after?: string | undefined; limit: number }): Promise<InboundSummary[]> {
  let select = db
    .selectFrom('inboundMessages as m')
    .select(['m.id', 'm.receivedAt', 'm.receivedVia', 'm.mailFrom', 'm.rcptTo', 'm.remoteIp', 'm.messageId', 'm.size', 'm.status', 'm.outcome', 'm.opportunityId']);
  if (query.status) select = select.where('m.status', '=', query.status);
  const after = query.after;
  if (after) {
    select = select.where((eb) =>
      eb(eb.refTuple('m.receivedAt', 'm.id'), '<', eb.selectFrom('inboundMessages as p').select(['p.receivedAt', 'p.id']).where('p.id', '=', after).$asTuple('receivedAt', 'id')),
    );
  }
  return select.orderBy('m.receivedAt', 'desc').orderBy('m.id', 'desc').limit(query.limit).execute();
}

/** How many stored inbound messages are in each status (the operator's overview). */
export async function countInboundByStatus(db: Executor): Promise<Array<{ status: InboundStatus; count: number }>> {
  const rows = await db.selectFrom('inboundMessages').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('status').execute();
  return rows.map((r) => ({ status: r.status, count: Number(r.n) }));
}

/** One stored message for the operator: its summary and the first `rawBytes` bytes of the message as stored. */
export async function findInboundForOperator(db: Executor, inboundId: string, rawBytes: number) {
  return db
    .selectFrom('inboundMessages')
    .select(['id', 'receivedAt', 'receivedVia', 'mailFrom', 'rcptTo', 'remoteIp', 'helo', 'messageId', 'size', 'status', 'outcome', 'opportunityId', 'attempts', 'processedAt'])
    .select(sql<Buffer>`substring(raw from 1 for ${rawBytes})`.as('rawStart'))
    .where('id', '=', inboundId)
    .executeTakeFirst();
}

/**
 * A failed message goes back to 'received' with its attempts afresh, to be processed again. Only
 * one that is failed now: a processed or rejected message is never processed twice, and of two
 * reprocess requests one reopens it and the other finds nothing.
 */
export async function reopenFailedInbound(db: Executor, inboundId: string): Promise<boolean> {
  const result = await db
    .updateTable('inboundMessages')
    .set({ status: 'received', attempts: 0, processedAt: null })
    .where('id', '=', inboundId)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
