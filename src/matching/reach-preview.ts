import type { ReachVariant } from './match.repository.ts';

/** A change the submitter could make, with how many partners matching would then store. */
export type ReachChange = { kind: 'remote'; matched: number } | { kind: 'region'; region: string; matched: number };

/**
 * A draft opportunity's reach now: how many matches matching would store (exactly), and the
 * single changes that would match more, best first: allowing remote work, the one or two regions
 * that add the most. Dropping a required skill is never among them: a partner needs any one of
 * the required skills, so dropping one cannot add a match (it only moves scores).
 */
export interface ReachPreview {
  matched: number;
  changes: ReachChange[];
}

/** The skills, regions and remote work of a draft: what the variants change. */
export interface ReachShape {
  requiredSkillIds: number[];
  niceSkillIds: number[];
  regions: string[];
  remote: boolean;
}

/**
 * Regions counted as additions: the three where most partners with a required skill are, of
 * which the two that add the most are shown (more reads as a list of everything, and each
 * counted region costs one more run of the matching CTEs).
 */
export const REGIONS_COUNTED = 3;
export const REGION_CHANGES_SHOWN = 2;

/**
 * The draft as it is, then every single change worth counting: remote work, and each of
 * `regions` added (the candidates: regionsWithMostHolders). Keys name the change ("region:dach").
 */
export function reachVariants(shape: ReachShape, regions: readonly string[]): ReachVariant[] {
  const base = { requiredSkillIds: shape.requiredSkillIds, niceSkillIds: shape.niceSkillIds, regions: shape.regions, remote: shape.remote };
  const variants: ReachVariant[] = [{ key: 'as-is', ...base }];
  if (!shape.remote) variants.push({ key: 'remote', ...base, remote: true });
  for (const region of regions) {
    if (!shape.regions.includes(region)) variants.push({ key: `region:${region}`, ...base, regions: [...shape.regions, region] });
  }
  return variants;
}

/** Splits items into at most `parts` lists of about equal length (statements run side by side). */
export function inParts<T>(items: T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: Math.min(parts, items.length) }, () => []);
  items.forEach((item, i) => out[i % out.length]!.push(item));
  return out;
}

/** Reads the counted variants back into a preview: the changes that match more partners than the draft as it is. */
export function reachPreviewOf(counts: Map<string, number>): ReachPreview {
  const matched = counts.get('as-is') ?? 0;
  const remote = counts.get('remote');
  const regions = [...counts]
    .filter(([key, n]) => key.startsWith('region:') && n > matched)
    .map(([key, n]) => ({ kind: 'region' as const, region: key.slice('region:'.length), matched: n }))
    .sort((a, b) => b.matched - a.matched || a.region.localeCompare(b.region))
    .slice(0, REGION_CHANGES_SHOWN);
  return { matched, changes: [...(remote !== undefined && remote > matched ? [{ kind: 'remote' as const, matched: remote }] : []), ...regions] };
}
