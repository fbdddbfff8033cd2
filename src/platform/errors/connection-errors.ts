/** Socket errors that mean "the server is not there (yet)", not "the request is wrong". */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE']);

/**
 * Postgres' own: the server is shutting down or starting up (57P01 admin_shutdown, 57P02
 * crash_shutdown, 57P03 cannot_connect_now), or the connection failed (08xxx).
 */
const POSTGRES_UNAVAILABLE = /^(57P0[1-3]|08...)$/;

/**
 * The drivers' words for a connection that ended or never came, which carry no code: pg's, and
 * ioredis' for a command given up while Redis is away (retries spent, or no offline queue).
 */
const CONNECTION_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Reached the max retries per request limit|Stream isn't writeable|Connection is closed)/;

/**
 * Whether an error says a server (Postgres, Redis) could not be reached, so the same step is
 * worth trying again later, as opposed to a bug or a bad request that would fail again.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || POSTGRES_UNAVAILABLE.test(code))) return true;
  if (CONNECTION_MESSAGES.test(error.message)) return true;
  // AggregateError: every address of a host refused (localhost resolving to ::1 and 127.0.0.1).
  return error instanceof AggregateError && error.errors.some(isConnectionError);
}
