import { describe, expect, it } from 'vitest';
import { ndcgAtK, precisionAtK, prf, recallAtK, setCounts } from '../../eval/metrics.ts';

const grades = new Map<string, 0 | 1 | 2>([
  ['ideal1', 2],
  ['ideal2', 2],
  ['ok', 1],
]);

describe('the measures npm run eval reports', () => {
  it('precision@k judges what is shown, and an empty list only when nobody was right', () => {
    expect(precisionAtK(['ideal1', 'wrong', 'ok', 'wrong2'], grades, 5)).toBe(0.5);
    expect(precisionAtK(['ideal1'], grades, 5)).toBe(1);
    expect(precisionAtK([], grades, 5)).toBe(0);
    expect(precisionAtK([], new Map(), 5)).toBe(1);
  });

  it('nDCG@k is 1 for the ideal order and less for any worse one', () => {
    expect(ndcgAtK(['ideal1', 'ideal2', 'ok'], grades, 5)).toBeCloseTo(1);
    expect(ndcgAtK(['ideal2', 'ideal1', 'ok', 'x'], grades, 5)).toBeCloseTo(1);
    const swapped = ndcgAtK(['ok', 'ideal1', 'ideal2'], grades, 5);
    expect(swapped).toBeLessThan(1);
    expect(swapped).toBeGreaterThan(ndcgAtK(['x', 'y', 'ok'], grades, 5));
    expect(ndcgAtK(['x'], grades, 5)).toBe(0);
  });

  it('recall@k counts the wanted keys in the first k places', () => {
    expect(recallAtK(['a', 'b', 'c'], ['a', 'c', 'z'], 2)).toBeCloseTo(1 / 3);
    expect(recallAtK([], [], 10)).toBe(1);
  });

  it('precision, recall and F1 from set counts', () => {
    const c = setCounts(['a', 'b', 'x'], ['a', 'b', 'c', 'd']);
    expect(c).toEqual({ truePositives: 2, falsePositives: 1, falseNegatives: 2 });
    const m = prf(c);
    expect(m.precision).toBeCloseTo(2 / 3);
    expect(m.recall).toBeCloseTo(0.5);
    expect(m.f1).toBeCloseTo((2 * (2 / 3) * 0.5) / (2 / 3 + 0.5));
  });
});
