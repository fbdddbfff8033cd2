// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// Matching at 100,000 partners (issue 14): matches.partner_id no longer has a foreign key.
//
// Matching stores an opportunity's matches with one INSERT … SELECT that reads each partner in
// the same statement. The foreign key's check then ran once per stored row, and each check takes
// FOR KEY SHARE on the partner's row: it writes the partner tuple's xmax, which dirties the
// partner's heap page and logs it (a full-page image the first time after each checkpoint). For a
// match of 3,000 partners that was about 50 ms of the backend's CPU and 15 MB of WAL, and the
// partners' pages written back again later: a write to partners for every read of them. Making
// the constraint DEFERRABLE moves the checks to commit, it does not remove the lock.
//
// What the key guarded is kept otherwise:
// - a match never names a partner that does not exist: the statement inserts only partner ids it
//   has just read from partners, and partners are never hard-deleted by the application (they are
//   deactivated; tests/matching/matches-without-fk.test.ts fails if src/ ever deletes from
//   partners);
// - ON DELETE CASCADE: a hard delete by hand (an operator's psql, a test's cleanup) still
//   removes the partner's matches, in a statement-level trigger on partners below, in the
//   deleting transaction.
// A partner deleted by hand while a match of theirs is being inserted could leave that match
// behind (the trigger does not see rows not yet committed); every reader joins partners, so such a
// row is never shown, and nothing in the application deletes partners.
// The foreign key on matches.opportunity_id stays: the opportunity's row is already locked by
// the matching transaction (FOR UPDATE), so its checks write nothing.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE matches DROP CONSTRAINT matches_partner_id_fkey`.execute(db);
  await sql`
    CREATE FUNCTION partners_delete_matches() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM matches m USING deleted_partners d WHERE m.partner_id = d.id;
      RETURN NULL;
    END
    $$
  `.execute(db);
  await sql`
    CREATE TRIGGER partners_delete_matches AFTER DELETE ON partners
      REFERENCING OLD TABLE AS deleted_partners
      FOR EACH STATEMENT EXECUTE FUNCTION partners_delete_matches()
  `.execute(db);
  await sql`
    COMMENT ON COLUMN matches.partner_id IS
      'partners.id, without a foreign key (its per-row check locked every matched partner row); a trigger on partners removes the matches of a deleted partner'
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER partners_delete_matches ON partners`.execute(db);
  await sql`DROP FUNCTION partners_delete_matches()`.execute(db);
  await sql`COMMENT ON COLUMN matches.partner_id IS NULL`.execute(db);
  await sql`DELETE FROM matches m WHERE NOT EXISTS (SELECT 1 FROM partners p WHERE p.id = m.partner_id)`.execute(db);
  await sql`
    ALTER TABLE matches ADD CONSTRAINT matches_partner_id_fkey
      FOREIGN KEY (partner_id) REFERENCES partners(id) ON DELETE CASCADE
  `.execute(db);
}
