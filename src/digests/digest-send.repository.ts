import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CompiledQuery, sql } from 'kysely';
import { type Executor, prepared } from '../platform/db/database.ts';
import type { DigestRow } from './digest-ledger.repository.ts';

/** A row claimed for sending, with the token of the claim that holds it. */
export type ClaimedRow = DigestRow & {
  claimToken: string;
  createdAt: Date;
  sendAt: Date | null;
  /** What the stored message was composed from (storeComposed); null when none is stored. */
  composedFingerprint: string | null;
  /** The stored message as kept (deflated; `storedMessage` gives the bytes to send); null when none. */
  composedMessage: Buffer | null;
};

/**
 * Claims built rows for sending in one statement: ready, or sending with an expired lease (their
 * worker died), whose send moment has come (`send_at`, built ahead, against `at`: the service's
 * clock; now() without it), within the send window (from the send moment, or from the row's creation when it has
 * none), and with claims left that did not end in a transient failure. Every row gets the claim's
 * token, a lease, attempts + 1 and its deterministic Message-ID; rows that were not claimable are
 * not in the result. Each comes with its stored message (composed ahead), read here for the whole
 * claim rather than by each row's fence: a claimed row's message cannot change under it (only
 * ready rows are stored), and the fence, one statement a digest, then reads nothing out of line.
 */
export async function claimForSending(
  db: Executor,
  ids: readonly string[],
  settings: { token: string; leaseSeconds: number; maxAttempts: number; mailDomain: string; windowSeconds: number; at?: Date },
): Promise<ClaimedRow[]> {
  if (ids.length === 0) return [];
  const result = await sql<ClaimedRow>`
    UPDATE digests
       SET status = 'sending',
           claim_token = ${settings.token}::uuid,
           handed_at = NULL,
           lease_until = now() + make_interval(secs => ${settings.leaseSeconds}),
           attempts = attempts + 1,
           message_id = '<digest.' || id || '@' || ${settings.mailDomain}::text || '>',
           updated_at = now()
     WHERE id = ANY(${ids}::uuid[])
       AND attempts - deferrals < ${settings.maxAttempts}
       AND coalesce(send_at, created_at) > now() - make_interval(secs => ${settings.windowSeconds})
       AND (send_at IS NULL OR send_at <= coalesce(${settings.at ?? null}::timestamptz, now()))
       AND (status = 'ready' OR (status = 'sending' AND lease_until < now()))
    RETURNING id, partner_id AS "partnerId", period, status, lease_until AS "leaseUntil", attempts, message_id AS "messageId",
              claim_token AS "claimToken", created_at AS "createdAt", send_at AS "sendAt",
              composed_fingerprint AS "composedFingerprint", composed_message AS "composedMessage"
  `.execute(db);
  return result.rows;
}

/**
 * The fence before SMTP: the row is still this claim's (same token, lease not run out) and is
 * marked as being handed to SMTP, with a fresh lease that the holder's heartbeat keeps alive.
 * False when another worker took the row over meanwhile: the caller must not send it.
 */
const HAND_OVER_SQL = prepared(`
  UPDATE digests
     SET handed_at = now(), lease_until = now() + make_interval(secs => $3::int), updated_at = now()
   WHERE id = $1 AND claim_token = $2::uuid AND status = 'sending' AND lease_until > now()`);

/** Whether the row may go to SMTP. */
export interface HandOver {
  handed: boolean;
}

export async function markHandingToSmtp(db: Executor, row: { id: string; claimToken: string }, leaseSeconds: number): Promise<HandOver> {
  const result = await db.executeQuery(CompiledQuery.raw(HAND_OVER_SQL, [row.id, row.claimToken, leaseSeconds]));
  return { handed: Number(result.numAffectedRows ?? 0) === 1 };
}

/**
 * A row this claim still holds but could not hand over in time (its lease ran out while it
 * waited its turn) goes back to ready, and the claim does not count as an attempt: the message
 * never reached SMTP. updated_at is left as the claim set it, so the reconciler, which takes
 * ready rows untouched for its grace period, finds it soon.
 */
export async function giveBackUnsent(db: Executor, row: { id: string; claimToken: string }): Promise<boolean> {
  const result = await sql`
    UPDATE digests
       SET status = 'ready', lease_until = NULL, attempts = attempts - 1
     WHERE id = ${row.id} AND claim_token = ${row.claimToken}::uuid AND status = 'sending' AND handed_at IS NULL
  `.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** The heartbeat: renews the leases of rows still held by these claims; returns the ids renewed. */
export async function renewLeases(db: Executor, held: ReadonlyArray<{ id: string; claimToken: string }>, leaseSeconds: number): Promise<string[]> {
  if (held.length === 0) return [];
  const result = await sql<{ id: string }>`
    UPDATE digests d
       SET lease_until = now() + make_interval(secs => ${leaseSeconds})
      FROM unnest(${held.map((h) => h.id)}::uuid[], ${held.map((h) => h.claimToken)}::uuid[]) AS h(id, token)
     WHERE d.id = h.id AND d.claim_token = h.token AND d.status = 'sending'
    RETURNING d.id
  `.execute(db);
  return result.rows.map((r) => r.id);
}

/**
 * The last step of a digest, run once per email right after SMTP's answer: prepared once, it
 * skips query building on the busiest path of a round. Fenced by the claim's token, not by the
 * lease: once SMTP has answered, the truth is recorded even if the lease ran out meanwhile, as
 * long as nobody took the row over.
 */
const FINISH_SQL = prepared(`
  UPDATE digests
     SET status = $2::digest_status, lease_until = NULL, subject = coalesce($3, subject), last_error = $4,
         sent_at = CASE WHEN $2::digest_status = 'sent' THEN now() ELSE sent_at END, smtp_response = $6,
         composed_message = NULL, composed_fingerprint = NULL, updated_at = now()
   WHERE id = $1 AND claim_token = $5::uuid AND status = 'sending'`);

/** Finishes a claimed row; false when the claim had lost the row to another. */
export async function finishDigest(
  db: Executor,
  row: { id: string; claimToken: string },
  status: 'sent' | 'skipped' | 'failed',
  extra: { subject?: string; lastError?: string | null; smtpResponse?: string | null },
): Promise<boolean> {
  const result = await db.executeQuery(
    CompiledQuery.raw(FINISH_SQL, [row.id, status, extra.subject ?? null, extra.lastError ?? null, row.claimToken, extra.smtpResponse ?? null]),
  );
  return Number(result.numAffectedRows ?? 0) === 1;
}

/**
 * One round trip where two were: the previous row's SMTP answer recorded (FINISH_SQL as 'sent')
 * and the next row's fence (HAND_OVER_SQL), in one statement. A claim's rows go to SMTP one after
 * the other, so the finish of one and the fence of the next are due at the same moment; each
 * keeps its own condition (the finish fenced by the token, the hand-over by the token and the
 * lease), and neither depends on the other's outcome: a refused finish (the row taken over) does
 * not stop the next row, and a lost next row does not undo the finish. Both commit together.
 */
const FINISH_AND_HAND_OVER_SQL = prepared(`
  WITH finished AS (
    UPDATE digests
       SET status = 'sent', lease_until = NULL, subject = coalesce($3, subject), last_error = NULL,
           sent_at = now(), smtp_response = $4, composed_message = NULL, composed_fingerprint = NULL, updated_at = now()
     WHERE id = $1 AND claim_token = $2::uuid AND status = 'sending'
    RETURNING id
  ), handed AS (
    UPDATE digests
       SET handed_at = now(), lease_until = now() + make_interval(secs => $7::int), updated_at = now()
     WHERE id = $5 AND claim_token = $6::uuid AND status = 'sending' AND lease_until > now()
    RETURNING id
  )
  SELECT (SELECT count(*)::int FROM finished) AS finished, (SELECT count(*)::int FROM handed) AS handed`);

export async function finishSentAndHandOver(
  db: Executor,
  sent: { row: { id: string; claimToken: string }; subject: string | null; smtpResponse: string | null },
  next: { id: string; claimToken: string },
  leaseSeconds: number,
): Promise<HandOver & { finished: boolean }> {
  const result = await db.executeQuery<{ finished: number; handed: number }>(
    CompiledQuery.raw(FINISH_AND_HAND_OVER_SQL, [
      sent.row.id,
      sent.row.claimToken,
      sent.subject,
      sent.smtpResponse,
      next.id,
      next.claimToken,
      leaseSeconds,
    ]),
  );
  const counts = result.rows[0];
  return { finished: counts?.finished === 1, handed: counts?.handed === 1 };
}

/**
 * Stored messages are raw DEFLATE at level 1 (60 KB → about 9 KB, 0.2 ms to deflate at the
 * build, 0.06 ms to inflate at the send): each message passes through the driver twice, and
 * whole messages took a round's peak RSS from about 420 to 560 MB.
 */
const deflated = (message: Buffer) => deflateRawSync(message, { level: 1 });

/** The bytes of a claimed row's stored message (`composedMessage`), as the mailer's `compose` made them. */
export const storedMessage = (kept: Buffer): Buffer => inflateRawSync(kept);

/**
 * Keeps the messages composed ahead for built rows, with the subject each carries and the
 * fingerprint of what it was made from. Only rows still ready: one claimed meanwhile is
 * rendered by its sender. One statement for a few rows, each message a parameter of its own:
 * passed as an array, every message was escaped into one Postgres array literal (the HTML's
 * quotes), which cost more CPU and memory than the round trips it saved.
 */
export async function storeComposed(db: Executor, rows: ReadonlyArray<{ id: string; subject: string; fingerprint: string; composed: Buffer }>): Promise<number> {
  if (rows.length === 0) return 0;
  const values = rows.map((_, i) => `($${i * 4 + 1}::uuid, $${i * 4 + 2}::bytea, $${i * 4 + 3}, $${i * 4 + 4})`).join(', ');
  const result = await db.executeQuery(
    CompiledQuery.raw(
      `UPDATE digests d SET composed_message = c.composed, composed_fingerprint = c.fingerprint, subject = c.subject
         FROM (VALUES ${values}) AS c(id, composed, fingerprint, subject)
        WHERE d.id = c.id AND d.status = 'ready'`,
      rows.flatMap((r) => [r.id, deflated(r.composed), r.fingerprint, r.subject]),
    ),
  );
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Finishes a claimed row as skipped without sending it (the partner unsubscribed, paused or was
 * suppressed, or every opportunity closed, after the row was built): in the same statement its
 * digest_items go, so nothing it never carried counts as carried, and an opportunity still open
 * can reach the partner later. Fenced by the claim's token like finishDigest; false when the
 * claim had lost the row.
 */
export async function finishUnsent(db: Executor, row: { id: string; claimToken: string }, reason: string): Promise<boolean> {
  const result = await sql<{ id: string }>`
    WITH finished AS (
      UPDATE digests
         SET status = 'skipped', lease_until = NULL, last_error = ${reason},
             composed_message = NULL, composed_fingerprint = NULL, updated_at = now()
       WHERE id = ${row.id} AND claim_token = ${row.claimToken}::uuid AND status = 'sending'
      RETURNING id
    ), dropped AS (
      DELETE FROM digest_items di USING finished f WHERE di.digest_id = f.id
    )
    SELECT id FROM finished
  `.execute(db);
  return result.rows.length === 1;
}

/**
 * A claimed row some of whose opportunities closed (withdrawn, closed, expired) since it was
 * built: their digest_items go and the cards left are numbered again from 0, so card #n of the
 * email is the item at position n - 1 (a reply "interested #2" names it by that number). One
 * statement, fenced by the claim's token; false when the claim had lost the row.
 */
export async function keepOnlyItems(db: Executor, row: { id: string; claimToken: string }, opportunityIds: readonly string[]): Promise<boolean> {
  const result = await sql<{ id: string }>`
    WITH held AS (
      SELECT id FROM digests WHERE id = ${row.id} AND claim_token = ${row.claimToken}::uuid AND status = 'sending' FOR UPDATE
    ), kept AS (
      SELECT k.id, (k.n - 1)::smallint AS position FROM unnest(${opportunityIds}::uuid[]) WITH ORDINALITY AS k(id, n)
    ), dropped AS (
      DELETE FROM digest_items di USING held h
       WHERE di.digest_id = h.id AND NOT di.opportunity_id = ANY(${opportunityIds}::uuid[])
    ), renumbered AS (
      UPDATE digest_items di SET position = k.position
        FROM held h, kept k
       WHERE di.digest_id = h.id AND di.opportunity_id = k.id AND di.position <> k.position
    )
    SELECT id FROM held
  `.execute(db);
  return result.rows.length === 1;
}

/**
 * Gives a claimed row back after a transient SMTP failure, for a retry: the failure is counted
 * as a deferral, which does not use up the row's attempts. False when the claim had lost the row.
 */
export async function releaseDigest(db: Executor, row: { id: string; claimToken: string }, reason: string): Promise<boolean> {
  const result = await sql`
    UPDATE digests
       SET status = 'ready', lease_until = NULL, handed_at = NULL, deferrals = deferrals + 1, last_error = ${reason},
           updated_at = now()
     WHERE id = ${row.id} AND claim_token = ${row.claimToken}::uuid AND status = 'sending'
  `.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}

/**
 * Says that a job still carries these ready rows (a send that waited for SMTP and queued itself
 * again): the reconciler, which re-enqueues ready rows left alone for its grace period, then
 * does not add a job of its own for each of them at every pass of a long outage.
 */
export async function touchQueuedDigests(db: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`UPDATE digests SET updated_at = now() WHERE id = ANY(${ids}::uuid[]) AND status = 'ready'`.execute(db);
}

/** Fails a row nobody holds (ready, or sending past its lease): it ran out of window or attempts. */
export async function giveUpDigest(db: Executor, id: string, reason: string): Promise<boolean> {
  const result = await sql`
    UPDATE digests
       SET status = 'failed', lease_until = NULL, last_error = ${reason},
           composed_message = NULL, composed_fingerprint = NULL, updated_at = now()
     WHERE id = ${id} AND (status = 'ready' OR (status = 'sending' AND lease_until < now()))
  `.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}
