import { sql, type Selectable } from 'kysely';
import type { Executor } from '../platform/db/database.ts';
import { OPPORTUNITY_CARD_COLUMNS, type OpportunityCard } from '../opportunities/opportunity-columns.ts';
import type { Partners } from '../platform/db/database.types.ts';
import { MAX_CARDS_PER_DIGEST } from './digest-limits.ts';

// These statements read other features' tables in SQL on purpose: see the note at the top of
// digest-ledger.repository.ts.

export type BuildResult = 'ready' | 'skipped';

/**
 * Builds a batch of ledger rows in one statement: it locks those still pending (skipping rows
 * another worker holds), ranks each partner's matches in the digest's reach (the opportunities
 * its round chose it for, see chooseRoundReach) that no digest has carried yet (above
 * their minimum score, opportunities still published and not expired, not marked "not relevant"
 * and not from a submitter the partner muted, best first), stores the top ones as the digest's
 * items and marks each row ready, or skipped when nothing was left.
 * Rows not in the result were locked elsewhere, finished before, or do not exist.
 *
 * One statement per batch instead of a transaction per digest: per-row round trips were most of
 * a round's time. ON CONFLICT keeps UNIQUE (partner, opportunity) from failing the batch when a
 * partner has two rows in it (or a concurrent build): the opportunity goes to one of them.
 */
export async function buildDigests(db: Executor, ids: readonly string[]): Promise<Map<string, BuildResult>> {
  if (ids.length === 0) return new Map();
  const result = await sql<{ id: string; status: BuildResult }>`
    WITH claimed AS (
      SELECT d.id, d.partner_id
        FROM digests d
       WHERE d.id = ANY(${ids}::uuid[]) AND d.status IN ('pending', 'building')
         FOR UPDATE SKIP LOCKED
    ), ranked AS (
      SELECT c.id AS digest_id, c.partner_id, m.opportunity_id, m.score,
             row_number() OVER (PARTITION BY c.id ORDER BY m.score DESC, o.published_at DESC, o.id) AS rank,
             least(p.max_items, ${MAX_CARDS_PER_DIGEST}) AS cap
        FROM claimed c
        JOIN partners p ON p.id = c.partner_id
        -- Only what the round chose this digest for (chooseRoundReach): fair exposure.
        JOIN digest_reach r ON r.digest_id = c.id AND NOT r.held_back
        JOIN matches m ON m.partner_id = c.partner_id AND m.opportunity_id = r.opportunity_id AND m.score >= p.min_score
        JOIN opportunities o ON o.id = m.opportunity_id AND o.status = 'published' AND o.expires_at > now()
       WHERE NOT EXISTS (SELECT 1 FROM digest_items di
                          WHERE di.partner_id = c.partner_id AND di.opportunity_id = m.opportunity_id)
         -- Matched before the partner said so: a mute or a "not relevant" holds from the next digest on.
         AND NOT EXISTS (SELECT 1 FROM not_relevant nr
                          WHERE nr.partner_id = c.partner_id AND nr.opportunity_id = m.opportunity_id)
         AND NOT EXISTS (SELECT 1 FROM muted_submitters ms
                          WHERE ms.partner_id = c.partner_id AND ms.submitter_email = lower(o.submitter_email))
    ), items AS (
      INSERT INTO digest_items (digest_id, partner_id, opportunity_id, position, score)
      SELECT digest_id, partner_id, opportunity_id, (rank - 1)::smallint, score FROM ranked WHERE rank <= cap
      ON CONFLICT DO NOTHING
      RETURNING digest_id
    ), counted AS (
      SELECT digest_id, count(*) AS n FROM items GROUP BY digest_id
    )
    UPDATE digests d
       SET status = CASE WHEN k.n IS NULL THEN 'skipped'::digest_status ELSE 'ready' END,
           lease_until = NULL,
           built_at = CASE WHEN k.n IS NULL THEN NULL ELSE now() END,
           last_error = CASE WHEN k.n IS NULL THEN 'nothing new to send' ELSE d.last_error END,
           updated_at = now()
      FROM claimed c
      LEFT JOIN counted k ON k.digest_id = c.id
     WHERE d.id = c.id
    RETURNING d.id, d.status
  `.execute(db);
  return new Map(result.rows.map((r) => [r.id, r.status]));
}

/** What a digest card shows of an opportunity (the opportunities feature names the columns). */
export type CardOpportunity = OpportunityCard;

/** One card of a digest: the partner's match and the opportunity (shared by every digest of a batch). */
export interface DigestItemContent {
  digestId: string;
  opportunityId: string;
  score: number;
  reasons: unknown;
  opportunity: CardOpportunity;
  /** The card columns of the opportunity as Postgres hashed them (what a fingerprint needs of it). */
  opportunityHash: string;
}

/**
 * The items of these built digests whose opportunity is still open now, grouped by digest in
 * digest order. Two queries: the items with their match reasons, then each opportunity once
 * (a batch's digests share most of them).
 *
 * The reasons come from a correlated subquery on purpose: it is always one primary-key lookup
 * per item, where a join let the planner, misled by a freshly filled digest_items, hash-join a
 * sequential scan of every match (200 ms a batch instead of 2).
 *
 * `closedIn`, when given, receives the ids of the digests that lost an item this way.
 */
export async function openDigestItems(
  db: Executor,
  digestIds: readonly string[],
  closedIn?: Set<string>,
): Promise<Map<string, DigestItemContent[]>> {
  const byDigest = new Map<string, DigestItemContent[]>();
  if (digestIds.length === 0) return byDigest;
  const items = await sql<Omit<DigestItemContent, 'opportunity' | 'opportunityHash'>>`
    SELECT di.digest_id AS "digestId", di.opportunity_id AS "opportunityId", di.score,
           (SELECT m.reasons FROM matches m
             WHERE m.opportunity_id = di.opportunity_id AND m.partner_id = di.partner_id) AS reasons
      FROM digest_items di
     WHERE di.digest_id = ANY(${digestIds}::uuid[])
     ORDER BY di.digest_id, di.position
  `.execute(db);
  const opportunityIds = [...new Set(items.rows.map((i) => i.opportunityId))];
  if (opportunityIds.length === 0) return byDigest;
  // The hash is Postgres's work, on its own core: hashed here, each opportunity's text was
  // serialised and hashed again for every claim that carried it.
  const open = await db
    .selectFrom('opportunities')
    .select(OPPORTUNITY_CARD_COLUMNS)
    .select(sql<string>`encode(sha256(convert_to(ROW(${sql.join(OPPORTUNITY_CARD_COLUMNS.map((c) => sql.ref(c)))})::text, 'UTF8')), 'base64')`.as('contentHash'))
    .where('id', 'in', opportunityIds)
    .where('status', '=', 'published')
    .where('expiresAt', '>', sql<Date>`now()`)
    .execute();
  const byId = new Map(open.map(({ contentHash, ...opportunity }) => [opportunity.id, { opportunity, opportunityHash: contentHash }]));
  for (const item of items.rows) {
    const card = byId.get(item.opportunityId);
    if (!card) {
      closedIn?.add(item.digestId); // closed, withdrawn or expired since the digest was built
      continue;
    }
    const list = byDigest.get(item.digestId);
    const entry = { ...item, ...card };
    if (list) list.push(entry);
    else byDigest.set(item.digestId, [entry]);
  }
  return byDigest;
}

/** A raw-SQL projection of partners, typed from the table where it is the table's. */
export interface Recipient extends Pick<Selectable<Partners>, 'id' | 'email' | 'company' | 'contactName' | 'status'> {
  skillIds: number[];
  suppressed: boolean;
  /** The partner paused their digests (digest_frequency 'paused'). */
  paused: boolean;
}

/** The partners digests go to, with their skills, whether their address is suppressed and whether they paused. */
export async function findRecipients(db: Executor, partnerIds: readonly string[]): Promise<Map<string, Recipient>> {
  if (partnerIds.length === 0) return new Map();
  const result = await sql<Recipient>`
    SELECT p.id, p.email, p.company, p.contact_name AS "contactName", p.status,
           ARRAY(SELECT skill_id FROM partner_skills ps WHERE ps.partner_id = p.id) AS "skillIds",
           EXISTS (SELECT 1 FROM suppressions s WHERE s.email = lower(p.email)) AS suppressed,
           p.digest_frequency = 'paused' AS paused
      FROM partners p
     WHERE p.id = ANY(${partnerIds}::uuid[])
  `.execute(db);
  return new Map(result.rows.map((r) => [r.id, r]));
}
