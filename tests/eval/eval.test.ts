import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvaluation, type EvalReport } from '../../eval/evaluate.ts';
import { FLOORS, type EvalFigures } from '../../eval/thresholds.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

/**
 * `npm run eval` in CI: the labelled set must score at least the floors the committed code has
 * reached (eval/thresholds.ts). A change that makes matching or email understanding worse on it
 * fails here, with the figure that dropped.
 */
let t: TestStack;
let report: EvalReport;

beforeAll(async () => {
  t = await createTestStack();
  report = await runEvaluation(t.c, t.c.log);
}, 120_000);
afterAll(async () => t?.close());

describe('matching and email understanding on the labelled set (eval/)', () => {
  const higherIsBetter = (Object.keys(FLOORS) as Array<keyof EvalFigures>).filter((k) => k !== 'hardFilterViolations');

  it.each(higherIsBetter)('%s stays at or above its floor', (figure) => {
    expect(report.figures[figure], `${figure}: ${report.figures[figure].toFixed(3)} < floor ${FLOORS[figure]}`).toBeGreaterThanOrEqual(FLOORS[figure]);
  });

  it('shows no partner that must never be shown', () => {
    const shown = report.matching.perOpportunity.filter((o) => o.violations.length).map((o) => `${o.key}: ${o.violations.join(', ')}`);
    expect(shown).toEqual([]);
    expect(report.figures.hardFilterViolations).toBeLessThanOrEqual(FLOORS.hardFilterViolations);
  });

  it('refuses no opportunity of the set', () => {
    expect(report.matching.refusedOpportunities).toEqual([]);
  });
});
