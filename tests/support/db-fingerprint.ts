import { sql } from 'kysely';
import type { Database } from '../../src/platform/db/database.ts';

/**
 * A fingerprint of every row of the given tables (default: every table of ours): count and a
 * hash of the content. Equal before and after means nothing was inserted, updated or deleted.
 */
export async function databaseFingerprint(db: Database, tables?: string[]): Promise<Record<string, string>> {
  const names =
    tables ??
    (
      await sql<{ name: string }>`
        SELECT table_name AS name FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'kysely_%'
         ORDER BY table_name
      `.execute(db)
    ).rows.map((r) => r.name);
  const out: Record<string, string> = {};
  for (const name of names) {
    const row = await sql<{ digest: string }>`
      SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${sql.table(name)} t
    `.execute(db);
    out[name] = row.rows[0]!.digest;
  }
  return out;
}

/** The tables the interest loop writes, and the outbox that would carry its mail. */
export const INTEREST_LOOP_TABLES = ['interests', 'not_relevant', 'muted_submitters', 'introductions', 'outbox'];
