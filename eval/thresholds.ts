/**
 * What `npm run eval` must reach. TARGETS are issue 11's "done when"; FLOORS are the figures the
 * committed code has reached, which CI holds (tests/eval/eval.test.ts): a change that makes a
 * figure drop below its floor fails. Raise a floor when a change raises the figure; never lower
 * one, and never edit a gold answer to pass one.
 */
export interface EvalFigures {
  precisionAt5: number;
  ndcgAt5: number;
  idealRecallAt10: number;
  /** At most this many never-show partners in results (targets 0). */
  hardFilterViolations: number;
  skillsF1: number;
  startDate: number;
  regions: number;
  remote: number;
  budget: number;
  title: number;
}

export const TARGETS: EvalFigures = {
  precisionAt5: 0.95,
  ndcgAt5: 0.95,
  idealRecallAt10: 0.98,
  hardFilterViolations: 0,
  skillsF1: 0.85,
  startDate: 0.9,
  regions: 0.95,
  remote: 0.95,
  budget: 0.95,
  title: 0.95,
};

/**
 * Reached on 2026-12-04 (issue 11, first part: skill names as partners write them, directional
 * related skills, remote preference, own company, breadth; email titles, budgets vs rates, remote
 * negations, start dates in five languages and numeric forms). Later on 2026-12-04: email regions
 * from the GeoNames city data (0.886 → 1.0), budgets in thousands and millions as written and from
 * HTML table rows (0.914 → 0.971); email skills: signatures and disclaimers cut, ordinary words not
 * taken for skills, nice-to-have clauses, tables read row by row, a quoted-only opportunity read
 * (skills F1 0.804 → 0.964, start date and remote 1.0); together, budget 1.0. Matching
 * the same day: profile text as evidence, skill specificity, designation-only partners in their own
 * regions and last, every related link reviewed: precision@5 0.972 → 0.973, nDCG@5 0.922 → 0.989,
 * ideal in top 10 0.935 → 1.0.
 */
export const FLOORS: EvalFigures = {
  precisionAt5: 0.97,
  ndcgAt5: 0.98,
  idealRecallAt10: 1,
  hardFilterViolations: 0,
  skillsF1: 0.96,
  startDate: 1,
  regions: 1,
  remote: 1,
  budget: 1,
  title: 1,
};
