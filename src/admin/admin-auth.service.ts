import { createHash, randomBytes } from 'node:crypto';
import type { Database, Executor } from '../platform/db/database.ts';
import type { Json } from '../platform/db/database.types.ts';
import { requestMail } from '../platform/mail/mail-kinds.ts';
import { adminMailJob } from './admin.mails.ts';
import {
  consumeSignInRequest,
  deleteExpiredSignIns,
  findUsableSignInRequest,
  insertAudit,
  insertSession,
  insertSignInRequest,
  listAudit,
  revokeSession,
  revokeSessionsOf,
  findLiveSession,
  touchSession,
  type AdminSessionRow,
  type AuditRow,
} from './admin.repository.ts';

/** How long an emailed sign-in link works: long enough for a slow inbox, short enough to be stale soon. */
export const SIGN_IN_LINK_MINUTES = 15;

/** A signed-in operator, as the console's routes see them. */
export type OperatorSession = AdminSessionRow;

/** One line of the audit log, as the console shows it. */
export type AuditEntry = AuditRow;

export interface AdminAuthDeps {
  db: Database;
  /** ADMIN_EMAILS, lower-cased: read at every request, so removing an address refuses it at once. */
  operators: readonly string[];
  sessionMs: number;
  now?: () => Date;
}

/** The cookie is a random secret; only its hash is stored, so a read of the table signs nobody in. */
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** A well-formed cookie value: 43 base64url characters (32 random bytes). Anything else is not looked up. */
const COOKIE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export type AdminAuthService = ReturnType<typeof createAdminAuthService>;

/**
 * Operators' sign-in and sessions, and the audit log every console action writes to. Operators
 * are the configured addresses, nothing in the database: an address taken out of ADMIN_EMAILS
 * loses its sessions at its next request.
 */
export function createAdminAuthService(deps: AdminAuthDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const isOperator = (email: string) => deps.operators.includes(email.trim().toLowerCase());

  /** Writes one audit line in the caller's transaction, so the log holds exactly what was done. */
  const record = (executor: Executor, actor: string, action: string, target: string | null, details: Json = {}) =>
    insertAudit(executor, { actor, action, target, details });

  return {
    isOperator,
    record,

    /**
     * Mails a one-time link to an operator's address; any other address gets nothing, and the
     * caller answers both alike, so the form tells nobody which addresses are operators'.
     */
    async requestSignIn(email: string): Promise<void> {
      const address = email.trim().toLowerCase();
      if (!isOperator(address)) return;
      const expiresAt = new Date(now().getTime() + SIGN_IN_LINK_MINUTES * 60_000);
      await db.transaction().execute(async (trx) => {
        const requestId = await insertSignInRequest(trx, address, expiresAt);
        await requestMail(trx, adminMailJob, { kind: 'admin-sign-in', requestId }, `mail:admin-sign-in:${requestId}`);
      });
    },

    /** The request a link names while it can still sign in (for the page and the mail's draft). */
    usableRequest: (requestId: string) => findUsableSignInRequest(db, requestId),

    /**
     * The sign-in page's POST: uses up the request and opens a session. Undefined when the link
     * was used, ran out, or its address is no longer an operator's.
     */
    async signIn(requestId: string, from: { ip: string }): Promise<{ token: string; session: { email: string; expiresAt: Date } } | undefined> {
      return db.transaction().execute(async (trx) => {
        const email = await consumeSignInRequest(trx, requestId);
        if (!email || !isOperator(email)) return undefined;
        const token = randomBytes(32).toString('base64url');
        const expiresAt = new Date(now().getTime() + deps.sessionMs);
        const sessionId = await insertSession(trx, { tokenHash: hashOf(token), email, expiresAt });
        await record(trx, email, 'sign-in', `session:${sessionId}`, { ip: from.ip });
        return { token, session: { email, expiresAt } };
      });
    },

    /** The operator behind a session cookie, or undefined (unknown, expired, revoked, no longer an operator). */
    async sessionOf(cookie: string | undefined): Promise<OperatorSession | undefined> {
      if (!cookie || !COOKIE_SHAPE.test(cookie)) return undefined;
      const session = await findLiveSession(db, hashOf(cookie));
      if (!session || !isOperator(session.email)) return undefined;
      if (now().getTime() - session.lastSeenAt.getTime() > 60_000) await touchSession(db, session.id);
      return session;
    },

    async signOut(session: OperatorSession): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await revokeSession(trx, session.id);
        await record(trx, session.email, 'sign-out', `session:${session.id}`);
      });
    },

    /** Ends every session of the operator, this one included (a lost laptop, a shared computer). */
    async signOutEverywhere(session: OperatorSession): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const ended = await revokeSessionsOf(trx, session.email);
        await record(trx, session.email, 'sign-out-everywhere', `operator:${session.email}`, { sessions: ended });
        return ended;
      });
    },

    /** Deletes sign-in requests and sessions past their expiry (the scheduler's housekeeping). */
    deleteExpired: () => deleteExpiredSignIns(db),

    /** The audit log, newest first, a page at a time (`before`: the last id of the previous page). */
    audit: (options: { limit: number; before?: string }) => listAudit(db, options),
  };
}
