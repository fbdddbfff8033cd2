import { sql } from 'kysely';
import type { Executor } from '../platform/db/database.ts';
import type { DigestFrequency } from '../digests/digest-period.ts';

export type { DigestFrequency };

export type PartnerStatus = 'pending' | 'active' | 'paused' | 'unsubscribed' | 'deactivated';
export type PartnerSource = 'signup' | 'admin' | 'import' | 'demo';

/** What a partner tells us about themselves: the columns forms, API and import write. */
export interface PartnerValues {
  company: string;
  contactName: string;
  email: string;
  website: string | null;
  country: string | null;
  regions: string[];
  remoteOk: boolean;
  timezone: string;
  profile: string;
}

export interface PartnerRow extends PartnerValues {
  id: string;
  status: PartnerStatus;
  source: PartnerSource;
  createdAt: Date;
  verifiedAt: Date | null;
  skillIds: number[];
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
    .select(sql<string>`(extract(epoch from p.created_at) * 1000000)::bigint::text`.as('createdAtMicros'));
}

function toRow(r: Awaited<ReturnType<ReturnType<typeof selectPartners>['executeTakeFirstOrThrow']>>): PartnerRow {
  return { ...r, status: r.status as PartnerStatus, source: r.source as PartnerSource };
}

export async function findPartnerById(db: Executor, id: string): Promise<PartnerRow | undefined> {
  const row = await selectPartners(db).where('p.id', '=', id).executeTakeFirst();
  return row && toRow(row);
}

export async function findPartnerByEmail(db: Executor, email: string): Promise<PartnerRow | undefined> {
  const row = await selectPartners(db)
    .where(sql<string>`lower(p.email)`, '=', email.toLowerCase())
    .executeTakeFirst();
  return row && toRow(row);
}

export async function insertPartner(
  db: Executor,
  values: PartnerValues & { status: PartnerStatus; source: PartnerSource; verifiedAt: Date | null; consentSource: string },
  skillIds: number[],
): Promise<string> {
  const { id } = await db
    .insertInto('partners')
    .values({ ...values, consentAt: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await replacePartnerSkills(db, id, skillIds);
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

export async function replacePartnerSkills(db: Executor, partnerId: string, skillIds: number[]): Promise<void> {
  await db.deleteFrom('partnerSkills').where('partnerId', '=', partnerId).execute();
  if (skillIds.length === 0) return;
  await db
    .insertInto('partnerSkills')
    .values(skillIds.map((skillId) => ({ partnerId, skillId })))
    .execute();
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
  return (await q.execute()).map(toRow);
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

/** When and how much a partner's digest holds (the partners table's digest_* columns). */
export interface DigestSettings {
  digestFrequency: DigestFrequency;
  /** ISO day of the week: 1 = Monday … 7 = Sunday, in the partner's time zone. */
  digestDay: number;
  /** 0–23, local time. */
  digestHour: number;
  maxItems: number;
  /** 0..1: matches scoring below this are left out. */
  minScore: number;
}

export async function findDigestSettings(db: Executor, partnerId: string): Promise<DigestSettings | undefined> {
  const row = await db
    .selectFrom('partners')
    .select(['digestFrequency', 'digestDay', 'digestHour', 'maxItems', 'minScore'])
    .where('id', '=', partnerId)
    .executeTakeFirst();
  return row && { ...row, digestFrequency: row.digestFrequency as DigestFrequency };
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
