import { ValidationError } from '../errors/app-errors.ts';

/** A keyset position, newest first: a row's created_at in microseconds (as text) and its id. */
export interface KeysetPosition {
  createdAtMicros: string;
  id: string;
}

/** The opaque `nextCursor` handed out for a page's last row. */
export function encodeKeysetCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAtMicros, position.id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Postgres' largest bigint: a cursor beyond it would fail the `::bigint` cast in SQL. */
const MAX_BIGINT = 9_223_372_036_854_775_807n;

/**
 * The keyset position a `nextCursor` names. Anyone can send any cursor, so every part is checked
 * here, before it reaches the `::bigint` and `::uuid` casts of the query.
 */
export function decodeKeysetCursor(cursor: string): KeysetPosition {
  const invalid = () => new ValidationError('The cursor is not one this API gave out', [{ path: ['cursor'], message: 'is invalid' }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw invalid();
  const [createdAtMicros, id] = decoded as [unknown, unknown];
  if (typeof createdAtMicros !== 'string' || !/^\d{1,19}$/.test(createdAtMicros) || BigInt(createdAtMicros) > MAX_BIGINT) throw invalid();
  if (typeof id !== 'string' || !UUID.test(id)) throw invalid();
  return { createdAtMicros, id };
}
