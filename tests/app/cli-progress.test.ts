/**
 * Long commands (partners import, digest run, seed) count up on a terminal and end with how long
 * they took; piped or redirected, they write nothing extra, so what scripts parse stays the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressLine } from '../../src/cli/progress.ts';
import { importPartnersCsv } from '../../src/partners/partner-import.ts';
import { seedDemo } from '../../src/seed/demo-seed.ts';
import { addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

/** A stream that is a terminal or not, and what was written to it. */
function stream(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, written, write: (text: string) => written.push(text) > 0 };
}

describe('the progress line', () => {
  it('counts up in place on a terminal, at most ten times a second, and ends with the time taken', () => {
    let clock = 0;
    const tty = stream(true);
    const progress = progressLine(tty, 'importing partners.csv', () => clock);
    progress.update(1, 4);
    clock = 50;
    progress.update(2, 4); // too soon after the last: not drawn
    clock = 150;
    progress.update(3, 4);
    clock = 160;
    progress.update(4, 4); // the last one always is
    clock = 2_340;
    progress.finish();
    expect(tty.written).toEqual([
      '\r\x1b[2Kimporting partners.csv: 1/4 (25 %) · 0.0 s',
      '\r\x1b[2Kimporting partners.csv: 3/4 (75 %) · 0.1 s',
      '\r\x1b[2Kimporting partners.csv: 4/4 (100 %) · 0.2 s',
      '\r\x1b[2Kimporting partners.csv: 4/4 in 2.3 s\n',
    ]);
  });

  it('writes nothing when stderr is not a terminal', () => {
    const pipe = stream(false);
    const progress = progressLine(pipe, 'digest round');
    progress.update(1, 2);
    progress.update(2, 2);
    progress.finish();
    expect(pipe.written).toEqual([]);
  });
});

describe('what the long commands report', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await createTestStack();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('partners import: after every line, rejected ones included, up to all of them', async () => {
    const calls: Array<[number, number]> = [];
    const csv = [
      'company,contact_name,email,regions,skills',
      'Alpha GmbH,Anna Alpha,anna@alpha.example,dach,AKS',
      'Beta GmbH,Bob Beta,not-an-email,dach,AKS',
      'Gamma GmbH,Carl Gamma,carl@gamma.example,dach,Intune',
    ].join('\n');
    const report = await importPartnersCsv(csv, t.c.partners, (done, total) => calls.push([done, total]));
    expect(report).toMatchObject({ created: 2, rejected: [{ line: 3 }] });
    expect(calls).toEqual([[1, 3], [2, 3], [3, 3]]);
  });

  it('digest run: rows handled of the round, ending with all of them', async () => {
    await addOpportunity(t, 'AKS platform', ['AKS'], { remote: true, regions: [] });
    await addPartner(t, 'kube', ['AKS']);
    await addPartner(t, 'idle', ['SAP on Azure']);
    const calls: Array<[number, number]> = [];
    await t.c.digests.runRound({ everyone: true, onProgress: (handled, total) => calls.push([handled, total]) });
    expect(calls[0]![0]).toBe(0);
    const total = calls[0]![1];
    expect(total).toBeGreaterThanOrEqual(2);
    expect(calls.at(-1)).toEqual([total, total]);
    expect(calls.map(([handled]) => handled)).toEqual([...calls.map(([handled]) => handled)].sort((a, b) => a - b));
  });

  it('seed: after every demo partner and opportunity', async () => {
    const calls: Array<[number, number]> = [];
    const result = await seedDemo(t.c, new Date(), (done, total) => calls.push([done, total]));
    expect(result.seeded).toBe(true);
    const total = result.partners + result.opportunities.length;
    expect(calls).toHaveLength(total);
    expect(calls.at(-1)).toEqual([total, total]);
  });
});
