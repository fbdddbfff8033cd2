// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// The send hour's fence (handed_at, lease_until) and the lease keeper's heartbeat (lease_until)
// write every row being sent, one statement a digest. With lease_until in an index, each such
// write is a new row version indexed again in every index of digests (five); without it, it can
// be a heap-only (HOT) update that touches no index. The unfinished rows are few, so the
// queries that look for expired leases (the claim, the reconciler) find them by status and test
// the lease on the row itself.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX digests_unfinished_idx;
    CREATE INDEX digests_unfinished_idx ON digests (status) WHERE status IN ('pending', 'building', 'ready', 'sending');
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX digests_unfinished_idx;
    CREATE INDEX digests_unfinished_idx ON digests (status, lease_until) WHERE status IN ('pending', 'building', 'ready', 'sending');
  `.execute(db);
}
