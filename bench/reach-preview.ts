import { performance } from 'node:perf_hooks';
import type { Database } from '../src/platform/db/database.ts';
import { previewReach, type ReachDraft } from '../src/matching/match.service.ts';

/** The reach preview's target: it shows on the submit form's confirmation page, so it must feel instant. */
export const REACH_PREVIEW_TARGET_MS = 200;

export interface ReachPreviewStats {
  drafts: number;
  medianMs: number;
  maxMs: number;
  /** Partners the drafts match, on average: the figure is not measured on empty answers. */
  avgMatched: number;
}

/**
 * Times `previewReach` (every variant in one statement, and the holders' count) on the given
 * opportunities read as drafts, one after another; one warm-up preview first, not counted.
 */
export async function measureReachPreview(db: Database, opportunityIds: string[]): Promise<ReachPreviewStats> {
  const rows = await db
    .selectFrom('opportunities')
    .select(['title', 'description', 'requiredSkillIds', 'niceSkillIds', 'regions', 'remote', 'submitterEmail', 'submitterCompany', 'submitterPartnerId'])
    .where('id', 'in', opportunityIds)
    .orderBy('id')
    .execute();
  const drafts: ReachDraft[] = rows;
  if (drafts[0]) await previewReach(db, drafts[0]);
  const times: number[] = [];
  let matched = 0;
  for (const draft of drafts) {
    const started = performance.now();
    const preview = await previewReach(db, draft);
    times.push(performance.now() - started);
    matched += preview?.matched ?? 0;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    drafts: drafts.length,
    medianMs: Math.round(median * 10) / 10,
    maxMs: Math.round((sorted.at(-1) ?? 0) * 10) / 10,
    avgMatched: Math.round(matched / Math.max(1, drafts.length)),
  };
}
