import { REGION_SLUGS } from '../regions/regions.ts';
import type { ReachVariant, VariantReach } from './match.repository.ts';

/**
 * A change the submitter could make, with how many partners it would reach (`reaching`: matched
 * and above their own minimum score, so the opportunity would be in their digest).
 */
export type ReachChange =
  | { kind: 'remote'; reaching: number }
  | { kind: 'region'; region: string; reaching: number }
  | { kind: 'drop-skill'; skillId: number; holders: number; reaching: number };

/**
 * A draft opportunity's reach now: `matched` is how many matches matching would store, exactly;
 * `reaching` how many of those partners would see it (score at or above their minimum score).
 * `changes` are the single changes that would reach more, best first: allowing remote work, the
 * one or two regions that add the most, dropping a required skill (raises the score of partners
 * holding the others above their minimum).
 */
export interface ReachPreview {
  matched: number;
  reaching: number;
  changes: ReachChange[];
}

/** The skills, regions and remote work of a draft: what the variants change. */
export interface ReachShape {
  requiredSkillIds: number[];
  niceSkillIds: number[];
  regions: string[];
  remote: boolean;
}

/** Region additions shown: the two that add the most (more reads as a list of everything). */
export const REGION_CHANGES_SHOWN = 2;

/** The draft as it is, then every single change worth counting. Keys name the change ("region:dach"). */
export function reachVariants(shape: ReachShape): ReachVariant[] {
  const base = { requiredSkillIds: shape.requiredSkillIds, niceSkillIds: shape.niceSkillIds, regions: shape.regions, remote: shape.remote };
  const variants: ReachVariant[] = [{ key: 'as-is', ...base }];
  if (!shape.remote) variants.push({ key: 'remote', ...base, remote: true });
  for (const region of REGION_SLUGS) {
    if (!shape.regions.includes(region)) variants.push({ key: `region:${region}`, ...base, regions: [...shape.regions, region] });
  }
  // Dropping the only required skill leaves nothing to match on: a change no submitter can make.
  if (shape.requiredSkillIds.length > 1) {
    for (const id of shape.requiredSkillIds) {
      variants.push({ key: `drop-skill:${id}`, ...base, requiredSkillIds: shape.requiredSkillIds.filter((s) => s !== id) });
    }
  }
  return variants;
}

/** Reads the counted variants back into a preview: the changes that reach more partners than the draft as it is. */
export function reachPreviewOf(counts: Map<string, VariantReach>, holders: Map<number, number>): ReachPreview {
  const asIs = counts.get('as-is') ?? { matched: 0, reaching: 0 };
  const better = (prefix: string) =>
    [...counts]
      .filter(([key, n]) => key.startsWith(prefix) && n.reaching > asIs.reaching)
      .map(([key, n]) => ({ rest: key.slice(prefix.length), reaching: n.reaching }))
      .sort((a, b) => b.reaching - a.reaching || a.rest.localeCompare(b.rest));
  const changes: ReachChange[] = [
    ...better('remote').map((c) => ({ kind: 'remote' as const, reaching: c.reaching })),
    ...better('region:')
      .slice(0, REGION_CHANGES_SHOWN)
      .map((c) => ({ kind: 'region' as const, region: c.rest, reaching: c.reaching })),
    ...better('drop-skill:').map((c) => ({ kind: 'drop-skill' as const, skillId: Number(c.rest), holders: holders.get(Number(c.rest)) ?? 0, reaching: c.reaching })),
  ];
  return { matched: asIs.matched, reaching: asIs.reaching, changes };
}
