/**
 * The ranking and field measures `npm run eval` reports. Pure functions over keys and grades, so
 * their definitions can be read (and tested) apart from the service.
 */

/** A partner's grade for one opportunity: 2 ideal, 1 acceptable, 0 anything else. */
export type Grades = ReadonlyMap<string, 0 | 1 | 2>;

/**
 * Of what we show in the first k places, the share a buyer would accept (grade ≥ 1). We send only
 * matches, so a short list is judged on its own length; an empty list is right only when nobody
 * was right to show.
 */
export function precisionAtK(ranked: readonly string[], grades: Grades, k: number): number {
  const shown = ranked.slice(0, k);
  if (shown.length === 0) return [...grades.values()].some((g) => g > 0) ? 0 : 1;
  return shown.filter((key) => (grades.get(key) ?? 0) > 0).length / shown.length;
}

/** Normalised discounted cumulative gain at k, with gains 2^grade − 1 (3 ideal, 1 acceptable). */
export function ndcgAtK(ranked: readonly string[], grades: Grades, k: number): number {
  const dcg = (gradesInOrder: readonly number[]) =>
    gradesInOrder.slice(0, k).reduce((sum, grade, i) => sum + (2 ** grade - 1) / Math.log2(i + 2), 0);
  const ideal = dcg([...grades.values()].sort((a, b) => b - a));
  if (ideal === 0) return ranked.length === 0 ? 1 : 0;
  return dcg(ranked.map((key) => grades.get(key) ?? 0)) / ideal;
}

/** The share of `wanted` found in the first k places (1 when nothing is wanted). */
export function recallAtK(ranked: readonly string[], wanted: readonly string[], k: number): number {
  if (wanted.length === 0) return 1;
  const top = new Set(ranked.slice(0, k));
  return wanted.filter((key) => top.has(key)).length / wanted.length;
}

export interface SetCounts {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

export function setCounts(predicted: Iterable<string>, gold: Iterable<string>): SetCounts {
  const p = new Set(predicted);
  const g = new Set(gold);
  const truePositives = [...p].filter((x) => g.has(x)).length;
  return { truePositives, falsePositives: p.size - truePositives, falseNegatives: g.size - truePositives };
}

export function addCounts(a: SetCounts, b: SetCounts): SetCounts {
  return {
    truePositives: a.truePositives + b.truePositives,
    falsePositives: a.falsePositives + b.falsePositives,
    falseNegatives: a.falseNegatives + b.falseNegatives,
  };
}

/** Micro-averaged precision, recall and F1 (1 where nothing was predicted or nothing was due). */
export function prf(c: SetCounts): { precision: number; recall: number; f1: number } {
  const precision = c.truePositives + c.falsePositives === 0 ? 1 : c.truePositives / (c.truePositives + c.falsePositives);
  const recall = c.truePositives + c.falseNegatives === 0 ? 1 : c.truePositives / (c.truePositives + c.falseNegatives);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

export const mean = (values: readonly number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
