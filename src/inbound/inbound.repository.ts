import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database, Executor } from '../platform/db/database.ts';
import type { InboundChannel } from '../platform/db/database.types.ts';
import { messageIdOf } from './raw-headers.ts';

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
