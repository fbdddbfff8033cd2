import { regionLabel } from '../regions/regions.ts';
import type { ReachChange, ReachPreview } from './reach-preview.ts';

const partners = (n: number) => (n === 1 ? '1 partner' : `${n} partners`);

/** One change as the submitter reads it, without its count: "Allowing remote work". */
function changeText(change: ReachChange): string {
  switch (change.kind) {
    case 'remote':
      return 'Allowing remote work';
    case 'region':
      return `Adding ${regionLabel(change.region)}`;
  }
}

/**
 * The reach preview in words, for the submitter before the opportunity goes out: "14 partners
 * match now. Allowing remote work: 37. Adding Western Europe: 22." With none, it says so and
 * names the change that reaches the most, so nobody publishes into silence unknowingly.
 */
export function reachSentence(preview: ReachPreview): string {
  if (preview.matched === 0) {
    const best = [...preview.changes].sort((a, b) => b.matched - a.matched)[0];
    if (!best) {
      return 'No partner matches this opportunity now, and no single change of region or remote work would find one. You can still publish it: partners who join later are matched with it while it is open.';
    }
    return `No partner matches this opportunity now. The change that helps most: ${changeText(best).replace(/^./, (c) => c.toLowerCase())} would reach ${partners(best.matched)}.`;
  }
  const head = `${partners(preview.matched)} ${preview.matched === 1 ? 'matches' : 'match'} now.`;
  return [head, ...preview.changes.map((c) => `${changeText(c)}: ${c.matched}.`)].join(' ');
}
