// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// Two kinds of evidence matching weighs (issue 11):
//
// partner_profile_skills: the skills a partner's profile text names, kept apart from the skills
// the partner lists. Matching takes them as evidence, weighted below a listed skill, and says
// where it found them ("their profile mentions Business Central"). Everything else that reads a
// partner's skills (digests, the forms, the API's `skills`) keeps reading partner_skills alone.
// Recomputed by the partners feature whenever the profile or the listed skills change.
//
// skill_partner_counts: how many active partners list each skill, for specificity (a skill few
// partners hold says more). Counting in the matching statement itself cost 100 ms for a popular
// skill at 100,000 partners, and a partner's re-match runs the statement once per open
// opportunity, so matching keeps the counts here and refreshes them when they are a few minutes
// old (src/matching/skill-counts.repository.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE partner_profile_skills (
      partner_id uuid NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
      skill_id   integer NOT NULL REFERENCES skills(id),
      PRIMARY KEY (partner_id, skill_id)
    )
  `.execute(db);
  await sql`CREATE INDEX partner_profile_skills_skill_id_idx ON partner_profile_skills (skill_id)`.execute(db);
  await sql`
    CREATE TABLE skill_partner_counts (
      skill_id   integer PRIMARY KEY REFERENCES skills(id),
      partners   integer NOT NULL,
      counted_at timestamptz NOT NULL DEFAULT now()
    )
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE skill_partner_counts`.execute(db);
  await sql`DROP TABLE partner_profile_skills`.execute(db);
}
