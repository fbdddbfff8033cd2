import { isConnectionError } from './connection-errors.ts';

export type Server = 'Postgres' | 'Redis';

/**
 * A server the command needs could not be reached or refused us, said in one line for a person:
 * what failed, the URL without its password, what to try. The CLI prints `message` alone on stderr
 * and exits 69 (EX_UNAVAILABLE), instead of the drivers' stack traces.
 */
export class StartupError extends Error {
  /** Whether waiting could mend it: the server may still be starting (refused, timed out). */
  readonly transient: boolean;

  constructor(message: string, transient: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StartupError';
    this.transient = transient;
  }
}

/** The URL as an operator may see it: the password, if any, replaced by `***`. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(an unreadable URL)';
  }
}

const VARIABLE: Record<Server, string> = { Postgres: 'DATABASE_URL', Redis: 'REDIS_URL' };

/** The driver's words without stack or line breaks, never the URL's password. */
function reasonOf(error: unknown): string {
  const inner: unknown = error instanceof AggregateError && error.errors.length ? (error.errors[0] as unknown) : error;
  const text = inner instanceof Error ? inner.message : String(inner);
  return text.split('\n')[0]!.trim() || 'no reason given';
}

function userOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).username) || 'the user';
  } catch {
    return 'the user';
  }
}

/** What went wrong and what to try, for the server's own error codes that waiting will not mend. */
function advice(server: Server, url: string, error: unknown): { what: string; tryThis: string; transient: boolean } {
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const variable = VARIABLE[server];
  const shown = withoutPassword(url);
  if (code === 'ENOTFOUND') {
    return { what: `cannot reach ${server} at ${shown}`, tryThis: `check the host name in ${variable}`, transient: false };
  }
  if (code === '28P01' || /WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message)) {
    return { what: `${server} at ${shown} refused the login`, tryThis: `check the user and password in ${variable}`, transient: false };
  }
  if (code === '28000' && /no PostgreSQL user name/i.test(message)) {
    // The URL names no user and neither PGUSER nor USER is set (root in a container, say).
    return { what: `${server} at ${shown} refused the login`, tryThis: `name the user in ${variable} (postgres://USER@host/database) or set PGUSER`, transient: false };
  }
  if (code === '28000') {
    const user = userOf(url);
    return {
      what: `${server} at ${shown} refused the login`,
      tryThis: /does not exist/.test(message) ? `create the role (createuser ${user}) or fix the user in ${variable}` : `allow ${user} in pg_hba.conf or fix ${variable}`,
      transient: false,
    };
  }
  if (code === '3D000') return { what: `${server} at ${shown} has no such database`, tryThis: `create it (createdb) or fix the database name in ${variable}`, transient: false };
  if (code === '42501') {
    return { what: `${server} at ${shown} did not let ${userOf(url)} do what start needs`, tryThis: `create the database yourself (createdb) or grant the role CREATEDB`, transient: false };
  }
  if (isConnectionError(error)) return { what: `cannot reach ${server} at ${shown}`, tryThis: `start ${server} or fix the host and port in ${variable}`, transient: true };
  return { what: `${server} at ${shown} failed`, tryThis: `check ${variable} and ${server}'s log`, transient: false };
}

/**
 * Turns a driver's error at start into a StartupError, or returns undefined when the error is
 * not about reaching or logging in to the server (a bug, a failing migration): those keep their
 * stack trace, which is what a developer needs then.
 */
export function startupErrorOf(server: Server, url: string, error: unknown): StartupError | undefined {
  if (error instanceof StartupError) return error;
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const serverSide = /^(28...|3D000|42501)$/.test(code) || code === 'ENOTFOUND' || isConnectionError(error);
  const redisAuth = server === 'Redis' && typeof e.message === 'string' && /WRONGPASS|NOAUTH/.test(e.message);
  if (!serverSide && !redisAuth) return undefined;
  const { what, tryThis, transient } = advice(server, url, error);
  return new StartupError(`p2p-digest: ${what} (${reasonOf(error)}): ${tryThis}.`, transient, { cause: error });
}
