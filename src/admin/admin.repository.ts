import { sql, type Selectable } from 'kysely';
import type { Executor } from '../platform/db/database.ts';
import type { AdminAudit, AdminSessions, Json } from '../platform/db/database.types.ts';

export type AdminSessionRow = Pick<Selectable<AdminSessions>, 'id' | 'email' | 'createdAt' | 'lastSeenAt' | 'expiresAt'>;
export type AuditRow = Selectable<AdminAudit>;

/** A sign-in request: the emailed link names it. */
export async function insertSignInRequest(db: Executor, email: string, expiresAt: Date): Promise<string> {
  const row = await db.insertInto('adminSignInRequests').values({ email, expiresAt }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** The request a link names, while it can still be used (unused, not expired). */
export async function findUsableSignInRequest(db: Executor, id: string) {
  return db
    .selectFrom('adminSignInRequests')
    .select(['id', 'email', 'expiresAt'])
    .where('id', '=', id)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

/**
 * Marks a request used, once: of two posts of the same link, one gets the email back, the other
 * nothing (the row's update is the single-use guard, not a read before it).
 */
export async function consumeSignInRequest(db: Executor, id: string): Promise<string | undefined> {
  const row = await db
    .updateTable('adminSignInRequests')
    .set({ usedAt: sql`now()` })
    .where('id', '=', id)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', sql<Date>`now()`)
    .returning('email')
    .executeTakeFirst();
  return row?.email;
}

/**
 * Housekeeping: sign-in requests and sessions past their expiry sign nobody in any more (every
 * read checks expires_at); deleting them keeps the tables to what can still be used. A revoked
 * session is refused by revoked_at and goes at its expiry like any other.
 */
export async function deleteExpiredSignIns(db: Executor): Promise<{ signInRequests: number; sessions: number }> {
  const requests = await db.deleteFrom('adminSignInRequests').where('expiresAt', '<', sql<Date>`now()`).executeTakeFirst();
  const sessions = await db.deleteFrom('adminSessions').where('expiresAt', '<', sql<Date>`now()`).executeTakeFirst();
  return { signInRequests: Number(requests.numDeletedRows), sessions: Number(sessions.numDeletedRows) };
}

export async function insertSession(db: Executor, values: { tokenHash: string; email: string; expiresAt: Date }): Promise<string> {
  const row = await db.insertInto('adminSessions').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** The live session with this cookie hash: not revoked, not expired. */
export async function findLiveSession(db: Executor, tokenHash: string): Promise<AdminSessionRow | undefined> {
  return db
    .selectFrom('adminSessions')
    .select(['id', 'email', 'createdAt', 'lastSeenAt', 'expiresAt'])
    .where('tokenHash', '=', tokenHash)
    .where('revokedAt', 'is', null)
    .where('expiresAt', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

/** Moves a session's last-seen time to now, at most once a minute (a page's every request need not write). */
export async function touchSession(db: Executor, id: string): Promise<void> {
  await db
    .updateTable('adminSessions')
    .set({ lastSeenAt: sql`now()` })
    .where('id', '=', id)
    .where('lastSeenAt', '<', sql<Date>`now() - interval '1 minute'`)
    .execute();
}

export async function revokeSession(db: Executor, id: string): Promise<void> {
  await db.updateTable('adminSessions').set({ revokedAt: sql`now()` }).where('id', '=', id).where('revokedAt', 'is', null).execute();
}

/** Every live session of an operator: "sign out everywhere". Returns how many ended (expired ones had ended already). */
export async function revokeSessionsOf(db: Executor, email: string): Promise<number> {
  const rows = await db
    .updateTable('adminSessions')
    .set({ revokedAt: sql`now()` })
    .where('email', '=', email)
    .where('revokedAt', 'is', null)
    .where('expiresAt', '>', sql<Date>`now()`)
    .returning('id')
    .execute();
  return rows.length;
}

export async function insertAudit(db: Executor, entry: { actor: string; action: string; target: string | null; details: Json }): Promise<void> {
  await db.insertInto('adminAudit').values({ ...entry, details: JSON.stringify(entry.details) }).execute();
}

/** Newest first, `limit` rows older than the row `before` (keyset: ids only grow). */
export async function listAudit(db: Executor, options: { limit: number; before?: string }): Promise<AuditRow[]> {
  let query = db.selectFrom('adminAudit').selectAll().orderBy('id', 'desc').limit(options.limit);
  if (options.before !== undefined) query = query.where('id', '<', options.before);
  return query.execute();
}
