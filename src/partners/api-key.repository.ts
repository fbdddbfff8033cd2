import type { Executor } from '../platform/db/database.ts';

export async function insertApiKey(db: Executor, partnerId: string, keyHash: string, label: string): Promise<string> {
  const row = await db
    .insertInto('partnerApiKeys')
    .values({ partnerId, keyHash, label })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The active partner an unrevoked key belongs to. */
export async function findPartnerIdByKeyHash(db: Executor, keyHash: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('partnerApiKeys as k')
    .innerJoin('partners as p', 'p.id', 'k.partnerId')
    .select('k.partnerId')
    .where('k.keyHash', '=', keyHash)
    .where('k.revokedAt', 'is', null)
    .where('p.status', '=', 'active')
    .executeTakeFirst();
  return row?.partnerId;
}
