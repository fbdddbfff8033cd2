import type { Logger } from 'pino';
import type { Database, Executor } from '../platform/db/database.ts';
import { describeMatch } from './match-reasons.ts';
import { ownMailDomainOf } from './own-company.ts';
import { inParts, reachPreviewOf, reachVariants, REGIONS_COUNTED, type ReachPreview, type ReachShape } from './reach-preview.ts';
import { reachSentence } from './reach-sentence.ts';
import {
  countMatches,
  countMatchesOfDrafts,
  regionsWithMostHolders,
  deleteUnsentMatchesOf,
  insertMatchesForOpportunity,
  listMatchedOpenOpportunities,
  listMatches,
  lockOpportunityForMatching,
  markOpportunityMatched,
  refreshSkillCountsIfStale,
} from './match.repository.ts';

/**
 * How old the per-skill partner counts behind specificity may get before a match refreshes them:
 * they move slowly, and counting costs a pass over every listed skill.
 */
const SKILL_COUNTS_MAX_AGE_SECONDS = 600;

export type MatchOutcome =
  | { status: 'matched'; matches: number; /** Alerts follow (src/app/ queues them). */ urgent: boolean }
  | { status: 'skipped'; reason: 'not-found' | 'not-published' | 'already-matched' };

/**
 * Matches one opportunity. The opportunity row is locked and `matched_at` set in the same
 * transaction as the matches, so a retried, duplicated or re-added job finds it done.
 */
export async function matchOpportunity(db: Database, opportunityId: string, log: Logger): Promise<MatchOutcome> {
  await refreshSkillCountsIfStale(db, SKILL_COUNTS_MAX_AGE_SECONDS);
  const outcome = await db.transaction().execute(async (trx): Promise<MatchOutcome> => {
    const opportunity = await lockOpportunityForMatching(trx, opportunityId);
    if (!opportunity) return { status: 'skipped', reason: 'not-found' };
    if (opportunity.status !== 'published') return { status: 'skipped', reason: 'not-published' };
    if (opportunity.matchedAt) return { status: 'skipped', reason: 'already-matched' };
    const matches = await insertMatchesForOpportunity(trx, { id: opportunityId, ownDomain: ownMailDomainOf(opportunity.submitterEmail) });
    await markOpportunityMatched(trx, opportunityId);
    return { status: 'matched', matches, urgent: opportunity.urgent };
  });
  log.info({ opportunityId, ...outcome }, 'opportunity match job done');
  return outcome;
}

/**
 * Matches one partner against every open opportunity that was matched before they joined or
 * changed their profile. Matches that no digest has carried yet are recomputed from the current
 * profile; those already sent stay, so nothing reaches the partner twice.
 */
export async function matchPartner(db: Database, partnerId: string, log: Logger): Promise<number> {
  await refreshSkillCountsIfStale(db, SKILL_COUNTS_MAX_AGE_SECONDS);
  const added = await db.transaction().execute(async (trx) => {
    await deleteUnsentMatchesOf(trx, partnerId);
    const open = await listMatchedOpenOpportunities(trx);
    let count = 0;
    for (const o of open) count += await insertMatchesForOpportunity(trx, { id: o.id, ownDomain: ownMailDomainOf(o.submitterEmail) }, partnerId);
    return count;
  });
  log.info({ partnerId, matches: added }, 'partner matched against open opportunities');
  return added;
}

/** How many partners an opportunity matched. */
export async function countMatchesOf(db: Executor, opportunityId: string): Promise<number> {
  return countMatches(db, opportunityId);
}

/** An opportunity's matched partners, best first, with the reasons as the operator reads them (about the partner). */
export async function describedMatchesOf(db: Executor, opportunityId: string) {
  const matches = await listMatches(db, opportunityId);
  return matches.map((m) => ({ partnerId: m.partnerId, company: m.company, score: m.score, reasons: describeMatch(m.reasons, 'operator') }));
}

/** An opportunity before it goes out (the form's values, an email draft, a stored row not yet published). */
export interface ReachDraft extends ReachShape {
  title: string;
  description: string;
  submitterEmail: string;
  submitterCompany: string;
  submitterPartnerId: string | null;
}

export type { ReachPreview };

/** How many statements a reach preview runs at once (each takes a pooled connection while it runs). */
const REACH_STATEMENTS = 3;

/**
 * How many partners matching would store for a draft now, and how allowing remote work or
 * adding a region changes that: the matching statement as a dry run (the variants split over up
 * to REACH_STATEMENTS statements, nothing written). Undefined without a required skill (an email
 * draft still missing them): matching needs one.
 */
export async function previewReach(db: Executor, draft: ReachDraft): Promise<ReachPreview | undefined> {
  if (draft.requiredSkillIds.length === 0) return undefined;
  const regions = await regionsWithMostHolders(db, draft.requiredSkillIds, draft.regions, REGIONS_COUNTED);
  const target = { ...draft, ownDomain: ownMailDomainOf(draft.submitterEmail) };
  // The variants are independent: a few statements side by side use the database's cores.
  const parts = await Promise.all(inParts(reachVariants(draft, regions), REACH_STATEMENTS).map((variants) => countMatchesOfDrafts(db, target, variants)));
  return reachPreviewOf(new Map(parts.flatMap((p) => [...p])));
}

/** The reach preview in one sentence for the submitter; undefined when there is nothing to preview. */
export async function describeReach(db: Executor, draft: ReachDraft): Promise<string | undefined> {
  const preview = await previewReach(db, draft);
  return preview && reachSentence(preview);
}
