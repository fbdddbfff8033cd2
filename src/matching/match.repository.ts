import { sql, type RawBuilder } from 'kysely';
import type { Database, Executor } from '../platform/db/database.ts';
import { matchReasonsSchema, type MatchReasons } from './match-reasons.ts';

/**
 * Scoring weights. A required skill counts fully when the partner lists it, 0.75 when only the
 * partner's profile text names it (profile evidence: a sentence may be loose, a list is a
 * claim), 0.6 when the partner lists a closely related skill (a practice serving that
 * specialization, or the reverse), 0.3 when they only share the designation. Kept here, next to
 * the SQL that uses them.
 */
export const MATCH_WEIGHTS = {
  tier: { exact: 1, profile: 0.75, related: 0.6, designation: 0.3 },
  required: 0.8,
  nice: 0.1,
  text: 0.1,
  /**
   * Breadth: a partner listing many skills says less about each. Up to `from` skills cost
   * nothing; the score then falls linearly to (1 − maxPenalty) at `from + span` skills and stays
   * there, so a twenty-skill generalist with the exact skill ranks below the specialists who
   * have it, and still above partners who only have a related one. Skills only the profile
   * names count as well.
   */
  breadth: { from: 6, span: 14, maxPenalty: 0.25 },
  /**
   * Remote work from elsewhere: when the work is remote, a partner who serves none of its regions
   * is a little less of a fit than one who does (a buyer prefers someone near, at equal skills).
   */
  elsewhere: 0.05,
  /**
   * A partner whose only link to the required skills is their designation ("Solutions Partner
   * for Security" for Conditional Access work) is matched only for work in a region they serve,
   * scores at most this, and is listed after every partner with a real skill match.
   */
  designationOnlyMax: 0.2,
  /**
   * Worked with partners through p2p-digest: each introduction of the partner's that either side
   * confirmed ("yes", partner_outcome_stats, kept by the outcome loop) multiplies the score by
   * 1 + perConfirmed, at most 1 + maxBonus, and never past 1. Introductions alone earn nothing.
   */
  workedWith: { perConfirmed: 0.03, maxBonus: 0.09 },
} as const;

/**
 * Matches one published opportunity against every eligible partner in one set-based statement
 * and stores the results. Hard filters: partner active and not suppressed, not the submitter's
 * own company (by partner id, by company name without legal form and punctuation, or by the
 * submitter's company mail domain), the partner has not muted the submitter's address, a shared
 * region, or remote work that the partner takes, and at least one required skill matched: listed
 * exactly or through a related skill, named in the partner's profile, or (ranked last) the
 * required skill's designation listed. Existing matches are kept as they are (ON CONFLICT DO
 * NOTHING), so running it twice changes nothing.
 *
 * With `onlyPartnerId`, only that partner is considered (a partner who joined or changed their
 * profile after the opportunity was matched).
 *
 * Returns how many new matches were stored.
 *
   * It reads partners (with their skills as the arrays partners.skill_ids and
   * partners.profile_skill_ids, which triggers keep equal to partner_skills and
   * partner_profile_skills), skills, suppressions, muted_submitters and partner_outcome_stats
   * directly, on purpose: matching is one set-based statement (100,000 partners in a few tenths of
   * a second), which calls through the owning features' services would turn into a loop over
   * partners.
 */
export async function insertMatchesForOpportunity(db: Executor, opportunity: OpportunityToMatch, onlyPartnerId?: string): Promise<number> {
  const result = await matchingStatement(opportunity, onlyPartnerId).execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** An opportunity to match, with the mail domain of the submitter's own company (see own-company.ts). */
export interface OpportunityToMatch {
  id: string;
  /** Partners on this domain (or under it) are the submitter's own company; null: not known. */
  ownDomain: string | null;
}

/**
 * The matching statement itself; its SQL is snapshotted in tests/matching/__snapshots__/matching.sql.
 * It inserts only partner ids it has just read from `partners`: `matches.partner_id` has no
 * foreign key (its per-row check locked every matched partner's row; migration
 * 2026_12_06_0022, docs/matching.md), and partners are never deleted by the application.
 */
export function matchingStatement({ id: opportunityId, ownDomain }: OpportunityToMatch, onlyPartnerId?: string) {
  return sql`
    WITH o AS (
      SELECT id, required_skill_ids, nice_skill_ids, regions, remote, submitter_partner_id,
             company_key(submitter_company) AS submitter_company_key, search_tsv,
             lower(submitter_email) AS submitter_email
        FROM opportunities
       WHERE id = ${opportunityId} AND status = 'published'
    ),
${matchedPartners(ownDomain, onlyPartnerId)}
    INSERT INTO matches (opportunity_id, partner_id, score, reasons)
    SELECT ${opportunityId}, partner_id, round(score::numeric, 4), reasons FROM scored
    ON CONFLICT (opportunity_id, partner_id) DO NOTHING
  `;
}

/**
 * Every step of matching after the opportunity: the CTEs from `wanted` to `scored`, reading the
 * opportunity from a CTE named `o` (a stored row for the insert, a draft for the reach preview).
 * One copy of the filters and the scores for both, so a preview counts what the insert stores.
 */
function matchedPartners(ownDomain: string | null, onlyPartnerId?: string) {
  const w = MATCH_WEIGHTS;
  return sql`    -- The wanted skills, each with its specificity: a skill few active partners list says more
    -- than one half of them list (1 + ln((1 + most listed) / (1 + listed)), an IDF over the
    -- counts in skill_partner_counts). Required and nice-to-have skills are each averaged by it.
    wanted AS (
      SELECT s.*, 1 + ln((1 + coalesce(most.partners, 0))::float8 / (1 + coalesce(c.partners, 0))) AS weight
        FROM (
          SELECT s.id, s.label, s.designation_id, s.related_ids, 'required' AS role
            FROM skills s, o WHERE s.id = ANY (o.required_skill_ids)
          UNION ALL
          SELECT s.id, s.label, s.designation_id, s.related_ids, 'nice'
            FROM skills s, o WHERE s.id = ANY (o.nice_skill_ids) AND NOT s.id = ANY (o.required_skill_ids)
        ) s
        LEFT JOIN skill_partner_counts c ON c.skill_id = s.id
        CROSS JOIN (SELECT max(partners) AS partners FROM skill_partner_counts) most
    ),
    -- Every listed skill that relates to a wanted one, with its tier: 4 exact, 2 related, 1 the
    -- wanted skill's designation itself, 0 another skill of the same designation (3 is profile
    -- evidence, below). "Related" has a direction: a skill's related_ids are the work its holders
    -- can also do (a Business Central partner can do Finance work), not the reverse (a partner
    -- listing Finance may know only Finance & Operations, which a buyer of Business Central work
    -- would not accept).
    related AS MATERIALIZED (
      SELECT w.id AS wanted_id, w.label AS wanted_label, w.role, w.weight, s.id AS skill_id, s.label AS via,
             CASE
               WHEN s.id = w.id THEN 4
               WHEN w.id = ANY (s.related_ids) OR s.designation_id = w.id THEN 2
               WHEN s.id = w.designation_id THEN 1
               ELSE 0
             END AS tier
        FROM wanted w
        JOIN skills s
          ON s.id = w.id
          OR w.id = ANY (s.related_ids)
          OR s.designation_id = w.id OR s.id = w.designation_id
          OR (w.designation_id IS NOT NULL AND s.designation_id = w.designation_id)
    ),
    -- Per wanted skill, the listed skills linking to it by tier (from related): 2 related, 1 the
    -- wanted skill's designation, 0 another skill of that designation, each list in label order
    -- with its labels beside it (a reason names the first one the partner lists). Tier 4 is the
    -- wanted skill itself, tier 3 the wanted skill named in the profile. In id order: every
    -- partner's sums below add the same terms in the same order.
    tiers AS MATERIALIZED (
      SELECT w.id, w.label, w.role, w.weight,
             coalesce(array_agg(r.skill_id ORDER BY r.via) FILTER (WHERE r.tier = 2), '{}') AS related_ids,
             coalesce(array_agg(r.via ORDER BY r.via) FILTER (WHERE r.tier = 2), '{}') AS related_labels,
             coalesce(array_agg(r.skill_id ORDER BY r.via) FILTER (WHERE r.tier = 1), '{}') AS designation_ids,
             coalesce(array_agg(r.via ORDER BY r.via) FILTER (WHERE r.tier = 1), '{}') AS designation_labels,
             coalesce(array_agg(r.skill_id ORDER BY r.via) FILTER (WHERE r.tier = 0), '{}') AS sibling_ids,
             coalesce(array_agg(r.via ORDER BY r.via) FILTER (WHERE r.tier = 0), '{}') AS sibling_labels
        FROM wanted w
        LEFT JOIN related r ON r.wanted_id = w.id
       GROUP BY w.id, w.label, w.role, w.weight
       ORDER BY w.id
    ),
    -- The hard filters first, so the scoring below only sees partners that can match: active, not
    -- suppressed, not the submitter, not muting the submitter ("don't show me this submitter
    -- again", by lower-cased address), in a wanted region (unless remote), and holding a required
    -- skill: listed exactly, through a related skill or by its designation, or named in the
    -- profile. Found through the GIN indexes on partners.skill_ids and partners.profile_skill_ids
    -- (partner_skills and partner_profile_skills as arrays on the partner row, kept by triggers):
    -- one bitmap scan of partners, and each candidate's skills come with its row.
    candidates AS (
      SELECT p.id, p.regions, p.skill_ids, p.profile_skill_ids, p.profile_tsv
        FROM partners p
        CROSS JOIN o
       WHERE (p.skill_ids && (SELECT array_agg(skill_id) FROM related WHERE role = 'required' AND tier >= 1)
              OR p.profile_skill_ids && (SELECT array_agg(id) FROM wanted WHERE role = 'required'))
         AND (${onlyPartnerId ?? null}::uuid IS NULL OR p.id = ${onlyPartnerId ?? null}::uuid)
         AND p.status = 'active'
         AND p.id IS DISTINCT FROM o.submitter_partner_id
         AND p.company_key IS DISTINCT FROM o.submitter_company_key
         AND (${ownDomain}::text IS NULL
              OR NOT (split_part(lower(p.email), '@', 2) = ${ownDomain}::text
                      OR right(split_part(lower(p.email), '@', 2), length(${ownDomain}::text) + 1) = '.' || ${ownDomain}::text))
         AND (p.regions && o.regions OR (o.remote AND p.remote_ok))
         AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.email = lower(p.email))
         AND NOT EXISTS (SELECT 1 FROM muted_submitters ms
                          WHERE ms.partner_id = p.id AND ms.submitter_email = o.submitter_email)
    ),
    -- Per candidate and wanted skill, the best tier it holds (4 listed, 3 named in its profile, 2
    -- a related skill listed, 1 the designation, 0 another skill of the designation; profile
    -- evidence counts only for the wanted skill itself, never through a link: prose is weaker
    -- evidence than a list), summed into the required and nice-to-have scores, each averaged by
    -- specificity. Array tests on the candidate's own row: no join, no sort.
    per_partner AS (
      SELECT c.id AS partner_id, c.regions, c.skill_ids, c.profile_skill_ids, c.profile_tsv, s.required_score, s.nice_score, s.best_required_tier
        FROM candidates c
        CROSS JOIN LATERAL (
          SELECT coalesce(sum(b.weight * CASE b.tier WHEN 4 THEN ${w.tier.exact}::float8 WHEN 3 THEN ${w.tier.profile}::float8
                                  WHEN 2 THEN ${w.tier.related}::float8 ELSE ${w.tier.designation}::float8 END) FILTER (WHERE b.role = 'required'), 0)
                   / coalesce((SELECT nullif(sum(weight), 0) FROM wanted WHERE role = 'required'), 1) AS required_score,
                 coalesce(sum(b.weight * CASE b.tier WHEN 4 THEN ${w.tier.exact}::float8 WHEN 3 THEN ${w.tier.profile}::float8
                                  WHEN 2 THEN ${w.tier.related}::float8 ELSE ${w.tier.designation}::float8 END) FILTER (WHERE b.role = 'nice'), 0)
                   / (SELECT nullif(sum(weight), 0) FROM wanted WHERE role = 'nice') AS nice_score,
                 max(b.tier) FILTER (WHERE b.role = 'required') AS best_required_tier
            FROM (SELECT t.role, t.weight, ${tierOf(sql`t`, sql`c`)} AS tier FROM tiers t) b
           WHERE b.tier IS NOT NULL
        ) s
    ),
    -- The partners kept (the eligibility filter), with what their score needs.
    kept AS MATERIALIZED (
      SELECT pp.partner_id, pp.regions, pp.skill_ids, pp.profile_skill_ids, pp.profile_tsv,
             pp.required_score, pp.nice_score, pp.best_required_tier
        FROM per_partner pp
        CROSS JOIN o
       WHERE pp.best_required_tier >= 2
          -- A designation alone is too little to go on for remote work from anywhere: only for
          -- work in a region the partner serves.
          OR (pp.best_required_tier = 1 AND pp.regions && o.regions)
    ),
    -- Text relevance ranks each kept partner's profile against the opportunity's lexemes as one
    -- OR query (ts_rank_cd, cover density; backslashes left out: they would break the tsquery
    -- syntax). Its cost grows with the query's size for every
    -- partner, and for an OR query the rank depends only on the query's words the profile holds:
    -- so the query keeps only the lexemes some kept partner's profile holds, and ranks exactly as
    -- the whole one would (tests/matching/text-relevance.test.ts compares the two).
    text_query AS (
      SELECT (SELECT string_agg(quote_literal(lexeme), ' | ')
                FROM unnest(tsvector_to_array(o.search_tsv)) AS lexeme
               WHERE lexeme !~ '[\\\\]'
                 AND lexeme IN (SELECT unnest(tsvector_to_array(k.profile_tsv)) FROM kept k))::tsquery AS query
        FROM o
    ),
    -- Breadth counts every skill listed and every one only the profile names (the two never
    -- overlap). OFFSET 0 keeps this a subquery of its own, so each value is computed once per kept
    -- partner, not once per use below (the text relevance is most of a match's cost), and a count
    -- (the reach preview) computes none of them.
    eligible AS (
      SELECT k.partner_id, k.required_score, k.nice_score, k.best_required_tier, k.skill_ids, k.profile_skill_ids,
             cardinality(k.skill_ids) + cardinality(k.profile_skill_ids) AS skill_count,
             ARRAY(SELECT unnest(k.regions) INTERSECT SELECT unnest(o.regions) ORDER BY 1) AS shared_regions,
             o.remote,
             coalesce(ts_rank_cd(k.profile_tsv, (SELECT query FROM text_query), 32), 0) AS text_relevance
        FROM kept k
        CROSS JOIN o
      OFFSET 0
    ),
    raw AS (
      SELECT e.partner_id, e.best_required_tier, e.skill_ids, e.profile_skill_ids, e.shared_regions, e.remote, e.text_relevance,
             coalesce(pos.confirmed_count, 0) AS worked_with,
             least(1, CASE WHEN nice_score IS NULL
                   THEN required_score * ${w.required + w.nice}::float8
                   ELSE required_score * ${w.required}::float8 + nice_score * ${w.nice}::float8 END
               + text_relevance * ${w.text}::float8)
             * (1 - ${w.breadth.maxPenalty}::float8
                    * least(1, greatest(0, skill_count - ${w.breadth.from})::float8 / ${w.breadth.span}::float8))
             * CASE WHEN cardinality(shared_regions) = 0 THEN 1 - ${w.elsewhere}::float8 ELSE 1 END
             * (1 + least(${w.workedWith.maxBonus}::float8, ${w.workedWith.perConfirmed}::float8 * coalesce(pos.confirmed_count, 0))) AS score
        FROM eligible e
        LEFT JOIN partner_outcome_stats pos ON pos.partner_id = e.partner_id
    ),
    -- The reasons, for the partners kept only: each wanted skill the partner holds, best tier
    -- first, with the first listed skill (by label) that links it for tiers below the profile's.
    scored AS (
      SELECT r.partner_id,
             CASE WHEN r.best_required_tier >= 2 THEN least(1, r.score) ELSE least(r.score, ${w.designationOnlyMax}::float8) END AS score,
             jsonb_build_object(
               'skills', (
                 SELECT jsonb_agg(jsonb_build_object(
                          'skill', b.label, 'role', b.role,
                          'tier', CASE b.tier WHEN 4 THEN 'exact' WHEN 3 THEN 'profile' WHEN 2 THEN 'related' ELSE 'designation' END,
                          'via', CASE b.tier
                                   WHEN 2 THEN ${firstHeld(sql`b.related_ids`, sql`b.related_labels`)}
                                   WHEN 1 THEN ${firstHeld(sql`b.designation_ids`, sql`b.designation_labels`)}
                                   WHEN 0 THEN ${firstHeld(sql`b.sibling_ids`, sql`b.sibling_labels`)}
                                 END
                        ) ORDER BY b.role DESC, b.tier DESC, b.label)
                   FROM (SELECT t.*, ${tierOf(sql`t`, sql`r`)} AS tier FROM tiers t) b
                  WHERE b.tier IS NOT NULL),
               'regions', to_jsonb(r.shared_regions),
               'remote', r.remote, 'textRelevance', round(r.text_relevance::numeric, 3))
               || CASE WHEN r.worked_with > 0 THEN jsonb_build_object('workedWith', r.worked_with) ELSE '{}'::jsonb END AS reasons
        FROM raw r
    )`;
}

/**
 * The best tier a partner (`p`, with skill_ids and profile_skill_ids) holds for a wanted skill
 * (`t`, a row of tiers); NULL when none links them.
 */
function tierOf(t: RawBuilder<unknown>, p: RawBuilder<unknown>) {
  return sql`CASE WHEN ${t}.id = ANY (${p}.skill_ids) THEN 4
                  WHEN ${t}.id = ANY (${p}.profile_skill_ids) THEN 3
                  WHEN ${p}.skill_ids && ${t}.related_ids THEN 2
                  WHEN ${p}.skill_ids && ${t}.designation_ids THEN 1
                  WHEN ${p}.skill_ids && ${t}.sibling_ids THEN 0
             END`;
}

/** The label of the first skill in `ids` (in label order, `labels` beside them) that the partner `r` lists. */
function firstHeld(ids: RawBuilder<unknown>, labels: RawBuilder<unknown>) {
  return sql`(SELECT u.label FROM unnest(${ids}, ${labels}) WITH ORDINALITY AS u (id, label, n)
                WHERE u.id = ANY (r.skill_ids) ORDER BY u.n LIMIT 1)`;
}

/** An opportunity not stored yet (the form's values, an email draft): what matching reads of it. */
export interface DraftToMatch {
  title: string;
  description: string;
  submitterEmail: string;
  submitterCompany: string;
  /** The submitting partner, when known (a partner's API key, a verified partner's email). */
  submitterPartnerId: string | null;
  /** See OpportunityToMatch. */
  ownDomain: string | null;
}

/** One form of a draft to count matches for: its own skills, regions and remote work. */
export interface ReachVariant {
  key: string;
  requiredSkillIds: number[];
  niceSkillIds: number[];
  regions: string[];
  remote: boolean;
}

/**
 * How many matches matching would store for each variant of a draft. One statement, nothing
 * written: the same CTEs as the insert (matchedPartners), with `o` read from a VALUES row instead
 * of the opportunities table, once per variant (a LATERAL subquery, so `o` may read the variant's
 * columns). Only the count is selected, so Postgres leaves out the scores and reasons (text
 * relevance is most of a match's cost: `eligible` is a subquery of its own, whose unused columns
 * the planner drops) and keeps every filter. The draft's text becomes a
 * tsvector exactly as the generated `opportunities.search_tsv` column makes it.
 */
export async function countMatchesOfDrafts(db: Executor, draft: DraftToMatch, variants: ReachVariant[]): Promise<Map<string, number>> {
  if (variants.length === 0) return new Map();
  const { rows } = await reachStatement(draft, variants).execute(db);
  return new Map(rows.map((r) => [r.key, Number(r.matched)]));
}

/** The reach preview's statement; its SQL is snapshotted in tests/matching/__snapshots__/reach.sql. */
export function reachStatement(draft: DraftToMatch, variants: ReachVariant[]) {
  const rows = variants.map(
    (v) => sql`(${v.key}::text, ${v.requiredSkillIds}::int[], ${v.niceSkillIds}::int[], ${v.regions}::text[], ${v.remote}::boolean)`,
  );
  return sql<{ key: string; matched: string }>`
    WITH draft AS MATERIALIZED (
      SELECT ${draft.submitterPartnerId}::uuid AS submitter_partner_id,
             company_key(${draft.submitterCompany}::text) AS submitter_company_key, search_tsv,
             lower(${draft.submitterEmail}::text) AS submitter_email
        FROM (SELECT to_tsvector('english', ${draft.title}::text || ' ' || ${draft.description}::text) AS search_tsv) t
    )
    SELECT v.key, n.matched
      FROM (VALUES ${sql.join(rows)}) AS v (key, required_skill_ids, nice_skill_ids, regions, remote)
     CROSS JOIN LATERAL (
      WITH o AS (
        SELECT NULL::uuid AS id, v.required_skill_ids, v.nice_skill_ids, v.regions, v.remote, d.submitter_partner_id,
               d.submitter_company_key, d.search_tsv, d.submitter_email
          FROM draft d
      ),
${matchedPartners(draft.ownDomain)}
      SELECT count(*) AS matched FROM scored
    ) n
  `;
}

/**
 * The regions not yet in a draft where most active partners list one of its required skills,
 * most first: which regions the reach preview counts exactly (with the matching statement). A
 * ranking only, so the preview counts two or three regions instead of all ten; no number shown
 * comes from it.
 */
export async function regionsWithMostHolders(db: Executor, requiredSkillIds: number[], exclude: string[], limit: number): Promise<string[]> {
  const { rows } = await sql<{ region: string }>`
    SELECT r.region
      FROM partners p CROSS JOIN LATERAL unnest(p.regions) AS r (region)
     WHERE p.status = 'active'
       AND NOT r.region = ANY (${exclude}::text[])
       AND p.skill_ids && ${requiredSkillIds}::int[]
     GROUP BY r.region
     ORDER BY count(*) DESC, r.region
     LIMIT ${limit}
  `.execute(db);
  return rows.map((r) => r.region);
}

/**
 * Counts, per skill, the active partners who list it (the specificity in the matching statement
 * reads them), when the counts are older than `maxAgeSeconds` or missing. One refresher at a
 * time (a transaction-scoped advisory lock); the others go on with the counts as they are.
 */
export async function refreshSkillCountsIfStale(db: Database, maxAgeSeconds: number): Promise<boolean> {
  const stale = async (executor: Executor) => {
    const row = await sql<{ stale: boolean }>`
      SELECT coalesce(min(counted_at) < now() - make_interval(secs => ${maxAgeSeconds}), true) AS stale FROM skill_partner_counts
    `.execute(executor);
    return row.rows[0]?.stale ?? true;
  };
  if (!(await stale(db))) return false;
  return db.transaction().execute(async (trx) => {
    const locked = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(hashtext('skill_partner_counts')) AS locked`.execute(trx);
    if (!locked.rows[0]?.locked || !(await stale(trx))) return false;
    await sql`DELETE FROM skill_partner_counts`.execute(trx);
    await sql`
      INSERT INTO skill_partner_counts (skill_id, partners)
      SELECT ps.skill_id, count(*) FROM partner_skills ps JOIN partners p ON p.id = ps.partner_id
       WHERE p.status = 'active'
       GROUP BY ps.skill_id
    `.execute(trx);
    return true;
  });
}

export interface StoredMatch {
  partnerId: string;
  company: string;
  score: number;
  reasons: MatchReasons;
}

/**
 * The matches of one opportunity, best first: every partner with a real skill match before those
 * who share only a designation; on equal scores the more specialised partner (fewer skills
 * listed) first, then by name so the order is stable.
 */
export async function listMatches(db: Executor, opportunityId: string): Promise<StoredMatch[]> {
  const rows = await db
    .selectFrom('matches as m')
    .innerJoin('partners as p', 'p.id', 'm.partnerId')
    .select(['m.partnerId', 'p.company', 'm.score', 'm.reasons'])
    .where('m.opportunityId', '=', opportunityId)
    .orderBy(sql`NOT EXISTS (SELECT 1 FROM jsonb_array_elements(m.reasons -> 'skills') AS s
                             WHERE s ->> 'role' = 'required' AND s ->> 'tier' <> 'designation')`)
    .orderBy('m.score', 'desc')
    .orderBy((eb) => eb.selectFrom('partnerSkills as ps').select((e) => e.fn.countAll().as('n')).whereRef('ps.partnerId', '=', 'm.partnerId'))
    .orderBy('p.company')
    .execute();
  return rows.map((r) => ({ ...r, reasons: matchReasonsSchema.parse(r.reasons) }));
}

export async function countMatches(db: Executor, opportunityId: string): Promise<number> {
  const row = await db
    .selectFrom('matches')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('opportunityId', '=', opportunityId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// Matching keeps its own bookkeeping on the opportunity row: `matched_at` says the opportunity's
// matches are stored, and the row lock taken while matching orders a match job against closing.
// Those columns are read and written here, in the matcher's transaction, on purpose: the
// opportunity service reads matches through matching, so the two services cannot each be built
// from the other. Every other opportunity column belongs to the opportunities feature.

/** Locks an opportunity for matching (in the caller's transaction); undefined when it does not exist. */
export async function lockOpportunityForMatching(trx: Executor, opportunityId: string) {
  return trx.selectFrom('opportunities').select(['status', 'matchedAt', 'submitterEmail', 'urgent']).where('id', '=', opportunityId).forUpdate().executeTakeFirst();
}

/** Records that an opportunity's matches are stored, so a retried or duplicated job does nothing. */
export async function markOpportunityMatched(trx: Executor, opportunityId: string): Promise<void> {
  await trx.updateTable('opportunities').set({ matchedAt: new Date() }).where('id', '=', opportunityId).execute();
}

/** Drops a partner's matches that no digest has carried yet (sent ones stay: nothing reaches them twice). */
export async function deleteUnsentMatchesOf(trx: Executor, partnerId: string): Promise<void> {
  await trx
    .deleteFrom('matches as m')
    .where('m.partnerId', '=', partnerId)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('digestItems as di')
            .select('di.opportunityId')
            .whereRef('di.partnerId', '=', 'm.partnerId')
            .whereRef('di.opportunityId', '=', 'm.opportunityId'),
        ),
      ),
    )
    .execute();
}

/** Published, unexpired opportunities that were matched already: a new partner is matched against them. */
export async function listMatchedOpenOpportunities(trx: Executor): Promise<Array<{ id: string; submitterEmail: string }>> {
  return trx
    .selectFrom('opportunities')
    .select(['id', 'submitterEmail'])
    .where('status', '=', 'published')
    .where('matchedAt', 'is not', null)
    .where('expiresAt', '>', new Date())
    .execute();
}

/** Published opportunities never matched, published more than `graceSeconds` ago, oldest first. */
export async function listUnmatchedOpportunityIds(db: Executor, graceSeconds: number, limit = 1000): Promise<string[]> {
  const rows = await db
    .selectFrom('opportunities')
    .select('id')
    .where('status', '=', 'published')
    .where('matchedAt', 'is', null)
    .where('publishedAt', '<', sql<Date>`now() - make_interval(secs => ${graceSeconds})`)
    .orderBy('publishedAt')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
