// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// Matching at 100,000 partners (issue 14): each partner's skills also as arrays on the partner
// row, for matching alone. partners.skill_ids holds the ids partner_skills lists for the partner,
// partners.profile_skill_ids those partner_profile_skills holds (the skills its profile names),
// both sorted. A GIN index on each finds the partners holding any of an opportunity's skills in
// one bitmap scan of partners, and the scoring reads a candidate's skills from its own row
// instead of joining partner_skills again (src/matching/match.repository.ts, docs/matching.md).
//
// The two tables stay the truth; the arrays are kept in step by statement-level triggers on them
// (INSERT, UPDATE, DELETE, TRUNCATE), so every writer (the partners service, CSV import, the
// seeders, tests) keeps them right without knowing they exist. No code writes the arrays.
// Both indexes are built without GIN's pending list (fastupdate off): a search would otherwise
// scan every entry not merged yet, and partners change their skills rarely.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE partners
      ADD COLUMN skill_ids integer[] NOT NULL DEFAULT '{}',
      ADD COLUMN profile_skill_ids integer[] NOT NULL DEFAULT '{}'
  `.execute(db);
  await sql`
    COMMENT ON COLUMN partners.skill_ids IS 'partner_skills.skill_id of this partner, sorted; kept by trigger, for matching'
  `.execute(db);
  await sql`
    COMMENT ON COLUMN partners.profile_skill_ids IS 'partner_profile_skills.skill_id of this partner, sorted; kept by trigger, for matching'
  `.execute(db);

  for (const [table, column] of [
    ['partner_skills', 'skill_ids'],
    ['partner_profile_skills', 'profile_skill_ids'],
  ] as const) {
    // One function per table; the INSERT and DELETE triggers name their rows changed_rows, the
    // UPDATE trigger names the old rows changed_rows and the new ones new_rows (a partner_id may move).
    await sql`
      CREATE FUNCTION ${sql.raw(`${table}_sync_partner`)}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          UPDATE partners SET ${sql.raw(column)} = '{}' WHERE ${sql.raw(column)} <> '{}';
        ELSIF TG_OP = 'UPDATE' THEN
          UPDATE partners p
             SET ${sql.raw(column)} = x.ids
            FROM (SELECT c.partner_id,
                         ARRAY(SELECT t.skill_id FROM ${sql.raw(table)} t WHERE t.partner_id = c.partner_id ORDER BY t.skill_id) AS ids
                    FROM (SELECT partner_id FROM changed_rows UNION SELECT partner_id FROM new_rows) c) x
           WHERE p.id = x.partner_id AND p.${sql.raw(column)} IS DISTINCT FROM x.ids;
        ELSE
          UPDATE partners p
             SET ${sql.raw(column)} = x.ids
            FROM (SELECT c.partner_id,
                         ARRAY(SELECT t.skill_id FROM ${sql.raw(table)} t WHERE t.partner_id = c.partner_id ORDER BY t.skill_id) AS ids
                    FROM (SELECT DISTINCT partner_id FROM changed_rows) c) x
           WHERE p.id = x.partner_id AND p.${sql.raw(column)} IS DISTINCT FROM x.ids;
        END IF;
        RETURN NULL;
      END
      $$
    `.execute(db);
    const fn = sql.raw(`${table}_sync_partner()`);
    const t = sql.raw(table);
    await sql`CREATE TRIGGER ${sql.raw(`${table}_sync_partner_insert`)} AFTER INSERT ON ${t}
                REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}`.execute(db);
    await sql`CREATE TRIGGER ${sql.raw(`${table}_sync_partner_delete`)} AFTER DELETE ON ${t}
                REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}`.execute(db);
    await sql`CREATE TRIGGER ${sql.raw(`${table}_sync_partner_update`)} AFTER UPDATE ON ${t}
                REFERENCING OLD TABLE AS changed_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}`.execute(db);
    await sql`CREATE TRIGGER ${sql.raw(`${table}_sync_partner_truncate`)} AFTER TRUNCATE ON ${t}
                FOR EACH STATEMENT EXECUTE FUNCTION ${fn}`.execute(db);
  }

  await sql`
    UPDATE partners p
       SET skill_ids = ARRAY(SELECT ps.skill_id FROM partner_skills ps WHERE ps.partner_id = p.id ORDER BY ps.skill_id),
           profile_skill_ids = ARRAY(SELECT pps.skill_id FROM partner_profile_skills pps WHERE pps.partner_id = p.id ORDER BY pps.skill_id)
  `.execute(db);
  await sql`CREATE INDEX partners_skill_ids_idx ON partners USING gin (skill_ids) WITH (fastupdate = off)`.execute(db);
  await sql`CREATE INDEX partners_profile_skill_ids_idx ON partners USING gin (profile_skill_ids) WITH (fastupdate = off)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['partner_skills', 'partner_profile_skills']) {
    for (const event of ['insert', 'delete', 'update', 'truncate']) {
      await sql`DROP TRIGGER ${sql.raw(`${table}_sync_partner_${event}`)} ON ${sql.raw(table)}`.execute(db);
    }
    await sql`DROP FUNCTION ${sql.raw(`${table}_sync_partner()`)}`.execute(db);
  }
  await sql`ALTER TABLE partners DROP COLUMN skill_ids, DROP COLUMN profile_skill_ids`.execute(db);
}
