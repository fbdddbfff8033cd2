import { sql } from 'kysely';
import type { Database } from '../src/platform/db/database.ts';
import { REGION_SLUGS, type RegionSlug } from '../src/regions/regions.ts';

/**
 * Set-based seeding for the benchmark: a few SQL statements per batch, however many partners.
 * The shapes follow src/seed/demo-data.ts: a partner has a home region (with a matching time
 * zone and country), sometimes a second or third region, and 2–6 skills mostly from one
 * designation; an opportunity asks for 1–3 required and 0–2 nice-to-have skills of one
 * designation, in one or two regions or remote. `setseed` makes every run seed the same data.
 */

/** Home regions: relative weight, and the time zones (with their country) partners there use. */
const HOMES: Array<{ region: RegionSlug; weight: number; zones: Array<[timezone: string, country: string]> }> = [
  {
    region: 'north-america',
    weight: 22,
    zones: [
      ['America/New_York', 'United States'],
      ['America/Chicago', 'United States'],
      ['America/Denver', 'United States'],
      ['America/Los_Angeles', 'United States'],
      ['America/Toronto', 'Canada'],
    ],
  },
  { region: 'latin-america', weight: 6, zones: [['America/Sao_Paulo', 'Brazil'], ['America/Mexico_City', 'Mexico'], ['America/Bogota', 'Colombia']] },
  { region: 'uk-ireland', weight: 12, zones: [['Europe/London', 'United Kingdom'], ['Europe/Dublin', 'Ireland']] },
  {
    region: 'emea-west',
    weight: 12,
    zones: [['Europe/Paris', 'France'], ['Europe/Amsterdam', 'Netherlands'], ['Europe/Brussels', 'Belgium'], ['Europe/Madrid', 'Spain'], ['Europe/Lisbon', 'Portugal']],
  },
  { region: 'dach', weight: 14, zones: [['Europe/Berlin', 'Germany'], ['Europe/Vienna', 'Austria'], ['Europe/Zurich', 'Switzerland']] },
  { region: 'nordics', weight: 6, zones: [['Europe/Stockholm', 'Sweden'], ['Europe/Oslo', 'Norway'], ['Europe/Copenhagen', 'Denmark'], ['Europe/Helsinki', 'Finland']] },
  { region: 'emea-central', weight: 8, zones: [['Europe/Warsaw', 'Poland'], ['Europe/Prague', 'Czechia'], ['Europe/Budapest', 'Hungary'], ['Europe/Bucharest', 'Romania']] },
  { region: 'middle-east-africa', weight: 6, zones: [['Asia/Dubai', 'United Arab Emirates'], ['Africa/Johannesburg', 'South Africa'], ['Africa/Lagos', 'Nigeria']] },
  { region: 'apac', weight: 8, zones: [['Asia/Singapore', 'Singapore'], ['Asia/Tokyo', 'Japan'], ['Asia/Kolkata', 'India']] },
  { region: 'anz', weight: 6, zones: [['Australia/Sydney', 'Australia'], ['Australia/Melbourne', 'Australia'], ['Pacific/Auckland', 'New Zealand']] },
];

/** How often each designation is a partner's (or an opportunity's) main field. */
const DESIGNATION_WEIGHTS: Record<string, number> = {
  'modern-work': 28,
  'infrastructure-azure': 20,
  security: 16,
  'business-applications': 16,
  'data-ai-azure': 10,
  'digital-app-innovation-azure': 10,
};

/** Expands weights into slots: picking a uniformly random slot picks by weight. */
function slots<T>(entries: Array<[T, number]>): T[] {
  return entries.flatMap(([value, weight]) => Array.from({ length: weight }, () => value));
}

const homeSlots = slots(
  HOMES.flatMap((h) => h.zones.map(([tz, country]): [[RegionSlug, string, string], number] => [[h.region, tz, country], Math.round((h.weight * 12) / h.zones.length)])),
);

/** Region slots for opportunities: where the work is, weighted like where partners are. */
const regionSlots = slots(HOMES.map((h): [RegionSlug, number] => [h.region, h.weight]));

export interface SkillRow {
  id: number;
  slug: string;
  kind: string;
  designationId: number | null;
}

async function liveSkills(db: Database): Promise<SkillRow[]> {
  return db.selectFrom('skills').select(['id', 'slug', 'kind', 'designationId']).where('retiredAt', 'is', null).orderBy('id').execute();
}

function designationSlots(skills: SkillRow[]): number[] {
  const idOf = new Map(skills.map((s) => [s.slug, s.id]));
  return slots(
    Object.entries(DESIGNATION_WEIGHTS).map(([slug, weight]): [number, number] => {
      const id = idOf.get(slug);
      if (id === undefined) throw new Error(`taxonomy has no live designation '${slug}'`);
      return [id, weight];
    }),
  );
}

const SECTORS = ['manufacturing', 'retail', 'healthcare', 'public sector', 'financial services', 'logistics', 'education', 'legal', 'energy', 'non-profit', 'insurance', 'construction'];
const FIRST = ['Anna', 'Jonas', 'Sophie', 'Lukas', 'Fiona', 'Daniel', 'Aoife', 'Marco', 'Elena', 'Pieter', 'Ingrid', 'Tomasz', 'Priya', 'Kenji', 'Olivia', 'Mateo', 'Amara', 'Liam', 'Chloé', 'Sven'];
const LAST = ['Keller', 'Becker', 'Schulz', 'Meier', 'MacLeod', 'Hughes', 'Byrne', 'Rossi', 'García', 'de Vries', 'Larsen', 'Nowak', 'Sharma', 'Tanaka', 'Smith', 'Silva', 'Okafor', 'Murphy', 'Dubois', 'Nilsson'];
const WORD1 = ['Alpen', 'Rhein', 'North', 'Blue', 'Harbour', 'Summit', 'Cedar', 'Granite', 'Bright', 'Silver', 'Pine', 'Iron', 'Coastal', 'Red', 'Clear', 'Swift'];
const WORD2 = ['Cloud', 'Systems', 'Digital', 'Data', 'Networks', 'IT Services', 'Consulting', 'Solutions', 'Labs', 'Works'];
const SUFFIX = ['GmbH', 'Ltd', 'BV', 'AB', 'Inc.', 'LLC', 'S.A.', 'Pty Ltd', 'AG', 'Oy'];

/**
 * Inserts `count` active partners, numbered from `first` (emails partner<N>@bench.example), with
 * their skills: four statements, all set-based, in one transaction.
 */
export async function seedPartners(db: Database, first: number, count: number, seed = 0.42): Promise<void> {
  const skills = await liveSkills(db);
  const designations = designationSlots(skills);
  await db.transaction().execute(async (trx) => {
    await sql`SELECT setseed(${seed})`.execute(trx);
    await sql`
      CREATE TEMP TABLE bench_p ON COMMIT DROP AS
      SELECT i, gen_random_uuid() AS id,
             1 + floor(random() * ${homeSlots.length})::int AS home,
             (${designations}::int[])[1 + floor(random() * ${designations.length})::int] AS designation_id,
             2 + floor(random() * 5)::int AS n_skills,
             CASE WHEN random() < 0.30 THEN (${REGION_SLUGS}::text[])[1 + floor(random() * ${REGION_SLUGS.length})::int] END AS second_region,
             CASE WHEN random() < 0.08 THEN (${REGION_SLUGS}::text[])[1 + floor(random() * ${REGION_SLUGS.length})::int] END AS third_region,
             random() AS r_frequency, random() AS r_day, random() AS r_hour, random() AS r_remote,
             floor(random() * 1000)::int AS r_words, 3 + floor(random() * 60)::int AS consultants
        FROM generate_series(${first}::int, ${first + count - 1}::int) AS i
    `.execute(trx);
    // 2–6 skills each, mostly (not only) from the partner's main designation: the ORDER BY key
    // puts that designation's skills first most of the time. Correlated on bp, so evaluated per partner.
    await sql`
      CREATE TEMP TABLE bench_ps ON COMMIT DROP AS
      SELECT bp.i, bp.id AS partner_id, pick.id AS skill_id, pick.label,
             (ARRAY['certified', 'specialized', 'experienced', 'experienced']::skill_level[])[1 + floor(random() * 4)::int] AS level
        FROM bench_p bp
        CROSS JOIN LATERAL (
          SELECT s.id, s.label
            FROM skills s
           WHERE s.retired_at IS NULL
           ORDER BY CASE WHEN s.id = bp.designation_id OR s.designation_id = bp.designation_id
                         THEN random() * 0.5 ELSE 0.3 + random() END
           LIMIT bp.n_skills
        ) pick
    `.execute(trx);
    await sql`
      INSERT INTO partners (id, company, contact_name, email, website, country, regions, remote_ok, timezone, profile,
                            status, source, digest_frequency, digest_day, digest_hour, consent_at, consent_source, verified_at)
      SELECT bp.id,
             format('%s %s %s', (${WORD1}::text[])[1 + bp.r_words % ${WORD1.length}],
                    (${WORD2}::text[])[1 + (bp.r_words / ${WORD1.length}) % ${WORD2.length}],
                    (${SUFFIX}::text[])[1 + bp.i % ${SUFFIX.length}]),
             format('%s %s', (${FIRST}::text[])[1 + bp.i % ${FIRST.length}], (${LAST}::text[])[1 + (bp.i / ${FIRST.length}) % ${LAST.length}]),
             format('partner%s@bench.example', bp.i),
             format('https://www.partner%s.bench.example', bp.i),
             (${homeSlots.map((h) => h[2])}::text[])[bp.home],
             ARRAY(SELECT DISTINCT r FROM unnest(ARRAY[(${homeSlots.map((h) => h[0])}::text[])[bp.home], bp.second_region, bp.third_region]) AS r
                    WHERE r IS NOT NULL ORDER BY r),
             bp.r_remote < 0.75,
             (${homeSlots.map((h) => h[1])}::text[])[bp.home],
             format('%s-based partner with %s consultants. We deliver %s for %s clients, from assessment to managed service.',
                    (${homeSlots.map((h) => h[2])}::text[])[bp.home], bp.consultants, sk.labels,
                    (${SECTORS}::text[])[1 + bp.r_words % ${SECTORS.length}]),
             'active', 'import',
             CASE WHEN bp.r_frequency < 0.85 THEN 'weekly'::digest_frequency WHEN bp.r_frequency < 0.95 THEN 'biweekly' ELSE 'monthly' END,
             CASE WHEN bp.r_day < 0.7 THEN 1 ELSE 1 + floor(bp.r_day * 10)::int % 5 END,
             7 + floor(bp.r_hour * 3)::int,
             now(), 'bench', now()
        FROM bench_p bp
        JOIN (SELECT i, string_agg(label, ', ' ORDER BY label) AS labels FROM bench_ps GROUP BY i) sk ON sk.i = bp.i
    `.execute(trx);
    await sql`INSERT INTO partner_skills (partner_id, skill_id, level) SELECT partner_id, skill_id, level FROM bench_ps`.execute(trx);
  });
  await sql`ANALYZE partners, partner_skills`.execute(db);
}

/**
 * Inserts `count` published, open, not yet matched opportunities (numbered from `first`) and
 * returns their ids in order.
 */
export async function seedOpportunities(db: Database, first: number, count: number, seed = 0.17): Promise<string[]> {
  const skills = await liveSkills(db);
  const designations = designationSlots(skills);
  return db.transaction().execute(async (trx) => {
    await sql`SELECT setseed(${seed})`.execute(trx);
    await sql`
      CREATE TEMP TABLE bench_o ON COMMIT DROP AS
      SELECT i, gen_random_uuid() AS id,
             (${designations}::int[])[1 + floor(random() * ${designations.length})::int] AS designation_id,
             CASE WHEN r < 0.4 THEN 1 WHEN r < 0.8 THEN 2 ELSE 3 END AS n_required,
             floor(random() * 3)::int AS n_nice,
             random() < 0.3 AS remote,
             random() AS r_regions,
             (${regionSlots}::text[])[1 + floor(random() * ${regionSlots.length})::int] AS region1,
             (${regionSlots}::text[])[1 + floor(random() * ${regionSlots.length})::int] AS region2,
             floor(random() * 1000)::int AS r_words,
             5000 + floor(random() * 20)::int * 2500 AS budget_min,
             random() AS r_budget
        FROM (SELECT i, random() AS r FROM generate_series(${first}::int, ${first + count - 1}::int) AS i) g
    `.execute(trx);
    await sql`
      CREATE TEMP TABLE bench_or ON COMMIT DROP AS
      SELECT bo.*,
             ARRAY(SELECT s.id FROM skills s
                    WHERE s.retired_at IS NULL AND s.designation_id = bo.designation_id
                    ORDER BY random() LIMIT bo.n_required) AS required
        FROM bench_o bo
    `.execute(trx);
    const rows = await sql<{ id: string }>`
      INSERT INTO opportunities (id, title, description, required_skill_ids, nice_skill_ids, regions, remote,
                                 budget_min, budget_max, currency, start_date, expires_at, anonymous, status, source,
                                 submitter_name, submitter_company, submitter_email, created_at, verified_at, published_at)
      SELECT bo.id,
             format('%s %s for a %s client', first_skill.label,
                    (ARRAY['specialist needed', 'project support', 'rollout partner wanted', 'consultant (3 months)', 'delivery partner'])[1 + bo.r_words % 5],
                    (${SECTORS}::text[])[1 + bo.r_words % ${SECTORS.length}]),
             format('We won a %s project with a %s customer and need an experienced partner for %s. '
                    'The customer has around %s employees across several sites; the work covers assessment, design, '
                    'implementation and handover to their internal IT team. We expect roughly %s person-days over the first '
                    'phase, with a possible follow-up engagement for run and optimisation. Our own team covers project '
                    'management and the customer relationship; you would work under our lead with direct access to the '
                    'customer''s technical staff. Please describe comparable references and the people you would propose.',
                    first_skill.label, (${SECTORS}::text[])[1 + bo.r_words % ${SECTORS.length}],
                    (SELECT string_agg(s.label, ', ') FROM skills s WHERE s.id = ANY (bo.required)),
                    50 + bo.r_words * 7, 10 + bo.r_words % 90),
             bo.required,
             ARRAY(SELECT s.id FROM skills s
                    WHERE s.retired_at IS NULL AND s.designation_id = bo.designation_id AND NOT s.id = ANY (bo.required)
                    ORDER BY random() LIMIT bo.n_nice),
             CASE WHEN bo.remote AND bo.r_regions < 0.5 THEN '{}'::text[]
                  WHEN bo.r_regions < 0.75 OR bo.region1 = bo.region2 THEN ARRAY[bo.region1]
                  ELSE ARRAY[bo.region1, bo.region2] END,
             bo.remote,
             bo.budget_min, bo.budget_min + 5000 + floor(bo.r_budget * 20)::int * 2500,
             (ARRAY['EUR', 'USD', 'GBP'])[1 + bo.r_words % 3],
             current_date + (7 + bo.r_words % 50),
             now() + interval '30 days',
             bo.r_budget < 0.1,
             'published', 'api',
             (${FIRST}::text[])[1 + bo.i % ${FIRST.length}] || ' ' || (${LAST}::text[])[1 + (bo.i / 3) % ${LAST.length}],
             format('Submitter %s Ltd', bo.i),
             -- A domain of their own: matching never shows a submitter partners on its own mail domain.
             format('submitter%s@submitters-bench.example', bo.i),
             now() - interval '6 days' * bo.r_budget, now() - interval '6 days' * bo.r_budget, now() - interval '6 days' * bo.r_budget
        FROM bench_or bo
        JOIN LATERAL (SELECT s.label FROM skills s WHERE s.id = bo.required[1]) first_skill ON true
       ORDER BY bo.i
      RETURNING id
    `.execute(trx);
    return rows.rows.map((r) => r.id);
  });
}
