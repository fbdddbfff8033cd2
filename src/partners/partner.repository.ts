import { sql, type Selectable } from 'kysely';
import type { Executor } from '../platform/db/database.ts';
import type { DigestFrequency, Partners, PartnerSource, PartnerStatus } from '../platform/db/database.types.ts';

export type { DigestFrequency, PartnerSource, PartnerStatus };

/** What a partner tells us about themselves: the columns forms, API and import write. */
export type PartnerValues = Pick<
  Selectable<Partners>,
  'company' | 'contactName' | 'email' | 'website' | 'country' | 'regions' | 'remoteOk' | 'timezone' | 'profile'
> & {
  /** How urgent opportunities reach the partner; left out: the column's default ('digest') or unchanged. */
  urgentDelivery?: Selectable<Partners>['urgentDelivery'];
};

type Unaliased<C> = C extends `p.${infer Column}` ? Column : never;

/** The partners row (its `columns`) with the partner's skills. */
export interface PartnerRow extends Pick<Selectable<Partners>, Unaliased<(typeof columns)[number]>> {
  skillIds: number[];
  /** Skills only the profile text names (profile evidence), kept apart from the listed ones. */
  profileSkillIds: number[];
  /** created_at in microseconds since the epoch: exact, unlike a JS Date, so it can page. */
  createdAtMicros: string;
}

const columns = [
  'p.id',
  'p.company',
  'p.contactName',
  'p.email',
  'p.website',
  'p.country',
  'p.regions',
  'p.remoteOk',
  'p.timezone',
  'p.urgentDelivery',
  'p.profile',
  'p.status',
  'p.source',
  'p.createdAt',
  'p.verifiedAt',
] as const;

function selectPartners(db: Executor) {
  return db
    .selectFrom('partners as p')
    .select(columns)
    .select(
      sql<number[]>`ARRAY(SELECT skill_id FROM partner_skills ps WHERE ps.partner_id = p.id ORDER BY skill_id)`.as(
        'skillIds',
      ),
    )
    .select(sql<number[]>`ARRAY(SELECT skill_id FROM partner_profile_skills pps WHERE pps.partner_id = p.id ORDER BY skill_id)`.as('profileSkillIds'))
    .select(sql<string>`(extract(epoch from p.created_at) * 1000000)::bigint::text`.as('createdAtMicros'));
}

export async function findPartnerById(db: Executor, id: string): Promise<PartnerRow | undefined> {
  return await selectPartners(db).where('p.id', '=', id).executeTakeFirst();
}

export async function findPartnerByEmail(db: Executor, email: string): Promise<PartnerRow | undefined> {
  return await selectPartners(db)
    .where(sql<string>`lower(p.email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

export async function insertPartner(
  db: Executor,
  values: PartnerValues & { status: PartnerStatus; source: PartnerSource; verifiedAt: Date | null; consentSource: string },
  skills: PartnerSkillIds,
): Promise<string> {
  const { id } = await db
    .insertInto('partners')
    .values({ ...values, consentAt: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await replacePartnerSkills(db, id, skills);
  return id;
}

export async function updatePartner(
  db: Executor,
  id: string,
  values: Partial<PartnerValues> & { status?: PartnerStatus; verifiedAt?: Date; deactivatedAt?: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('partners')
    .set({ ...values, updatedAt: sql`now()` })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The skills a partner lists, and those only its profile names (matching's profile evidence). */
export interface PartnerSkillIds {
  listed: number[];
  fromProfile: number[];
}

export async function replacePartnerSkills(db: Executor, partnerId: string, skills: PartnerSkillIds): Promise<void> {
  await db.deleteFrom('partnerSkills').where('partnerId', '=', partnerId).execute();
  await db.deleteFrom('partnerProfileSkills').where('partnerId', '=', partnerId).execute();
  if (skills.listed.length) {
    await db
      .insertInto('partnerSkills')
      .values(skills.listed.map((skillId) => ({ partnerId, skillId })))
      .execute();
  }
  if (skills.fromProfile.length) {
    await db
      .insertInto('partnerProfileSkills')
      .values(skills.fromProfile.map((skillId) => ({ partnerId, skillId })))
      .execute();
  }
}

/** Only the skills a partner's profile names (profile evidence), as recomputed from the profile. */
export async function replaceProfileSkills(db: Executor, partnerId: string, skillIds: number[]): Promise<void> {
  await db.deleteFrom('partnerProfileSkills').where('partnerId', '=', partnerId).execute();
  if (skillIds.length === 0) return;
  await db
    .insertInto('partnerProfileSkills')
    .values(skillIds.map((skillId) => ({ partnerId, skillId })))
    .execute();
}

/** A page of partners by id (after `afterId`), with what profile evidence is computed from. */
export async function listPartnerProfiles(db: Executor, afterId: string | null, limit: number) {
  let q = selectPartners(db).orderBy('p.id').limit(limit);
  if (afterId) q = q.where('p.id', '>', afterId);
  return await q.execute();
}

/** Keyset pagination, newest first: stable while partners are being added. */
export async function listPartners(
  db: Executor,
  query: { limit: number; after?: { createdAtMicros: string; id: string }; status?: PartnerStatus },
): Promise<PartnerRow[]> {
  let q = selectPartners(db).orderBy('p.createdAt', 'desc').orderBy('p.id', 'desc').limit(query.limit);
  if (query.status) q = q.where('p.status', '=', query.status);
  if (query.after) {
    const { createdAtMicros, id } = query.after;
    q = q.where(
      sql<boolean>`((extract(epoch from p.created_at) * 1000000)::bigint, p.id) < (${createdAtMicros}::bigint, ${id}::uuid)`,
    );
  }
  return await q.execute();
}

/** What the console searches partners by; every part optional, all given parts must hold. */
export interface PartnerSearch {
  /** A piece of the company name or the email address (case-insensitive). */
  text?: string;
  /** Partners with at least one of these skills. */
  skillIds?: number[];
  region?: string;
  status?: PartnerStatus;
}

/** `%` and `_` typed by a person are letters, not LIKE wildcards. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Like `listPartners` (newest first, keyset), filtered for the operator's search. */
export async function searchPartners(
  db: Executor,
  query: PartnerSearch & { limit: number; after?: { createdAtMicros: string; id: string } },
): Promise<PartnerRow[]> {
  let q = selectPartners(db).orderBy('p.createdAt', 'desc').orderBy('p.id', 'desc').limit(query.limit);
  if (query.status) q = q.where('p.status', '=', query.status);
  if (query.text) {
    const pattern = likePattern(query.text);
    q = q.where((eb) => eb.or([eb('p.company', 'ilike', pattern), eb('p.email', 'ilike', pattern)]));
  }
  if (query.skillIds?.length) {
    const ids = query.skillIds;
    q = q.where((eb) => eb.exists(eb.selectFrom('partnerSkills as ps').select('ps.skillId').whereRef('ps.partnerId', '=', 'p.id').where('ps.skillId', 'in', ids)));
  }
  if (query.region) q = q.where(sql<boolean>`${query.region} = ANY(p.regions)`);
  if (query.after) {
    const { createdAtMicros, id } = query.after;
    q = q.where(sql<boolean>`((extract(epoch from p.created_at) * 1000000)::bigint, p.id) < (${createdAtMicros}::bigint, ${id}::uuid)`);
  }
  return await q.execute();
}

/** A deactivated partner becomes active again; any other status stays. True when it was deactivated. */
export async function reactivatePartner(db: Executor, partnerId: string): Promise<boolean> {
  const result = await db
    .updateTable('partners')
    .set({ status: 'active', deactivatedAt: null, updatedAt: sql`now()` })
    .where('id', '=', partnerId)
    .where('status', '=', 'deactivated')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Partners using this address (case-insensitively) who could still get mail become unsubscribed. */
export async function unsubscribePartnersByEmail(db: Executor, email: string): Promise<void> {
  await db
    .updateTable('partners')
    .set({ status: 'unsubscribed', updatedAt: sql`now()` })
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .where('status', 'in', ['pending', 'active', 'paused'])
    .execute();
}

/**
 * When and how much a partner's digest holds (the partners table's digest_* columns): digestDay
 * is the ISO day of the week (1 = Monday … 7 = Sunday) and digestHour 0–23, both in the partner's
 * time zone; matches scoring below minScore (0..1) are left out.
 */
export type DigestSettings = Pick<Selectable<Partners>, 'digestFrequency' | 'digestDay' | 'digestHour' | 'maxItems' | 'minScore' | 'urgentDelivery'>;

export async function findDigestSettings(db: Executor, partnerId: string): Promise<DigestSettings | undefined> {
  return await db
    .selectFrom('partners')
    .select(['digestFrequency', 'digestDay', 'digestHour', 'maxItems', 'minScore', 'urgentDelivery'])
    .where('id', '=', partnerId)
    .executeTakeFirst();
}

export async function updateDigestSettings(db: Executor, partnerId: string, settings: Partial<DigestSettings>): Promise<boolean> {
  const result = await db
    .updateTable('partners')
    .set({ ...settings, updatedAt: sql`now()` })
    .where('id', '=', partnerId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** A paused partner becomes active again; any other status stays. True when it was paused. */
export async function resumePausedPartner(db: Executor, partnerId: string): Promise<boolean> {
  const result = await db
    .updateTable('partners')
    .set({ status: 'active', updatedAt: sql`now()` })
    .where('id', '=', partnerId)
    .where('status', '=', 'paused')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** How many partners are in each status (the operator's overview). */
export async function countPartnersByStatus(db: Executor): Promise<Array<{ status: PartnerStatus; count: number }>> {
  const rows = await db.selectFrom('partners').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('status').execute();
  return rows.map((r) => ({ status: r.status, count: Number(r.n) }));
}
