import type { LoopMonthRow } from '../outcomes/outcome.service.ts';

const COLUMNS: Array<{ key: keyof LoopMonthRow; title: string }> = [
  { key: 'month', title: 'month' },
  { key: 'digests_sent', title: 'digests sent' },
  { key: 'interests', title: 'interests' },
  { key: 'introductions', title: 'introductions' },
  { key: 'confirmed', title: 'confirmed work' },
];

/** `p2p-digest stats` on a terminal: one line a month, numbers right-aligned under their titles, and a total. */
export function loopTable(rows: LoopMonthRow[]): string {
  const total: LoopMonthRow = {
    month: 'total',
    digests_sent: rows.reduce((s, r) => s + r.digests_sent, 0),
    interests: rows.reduce((s, r) => s + r.interests, 0),
    introductions: rows.reduce((s, r) => s + r.introductions, 0),
    confirmed: rows.reduce((s, r) => s + r.confirmed, 0),
  };
  const all = [...rows, total];
  const widths = COLUMNS.map((c) => Math.max(c.title.length, ...all.map((r) => String(r[c.key]).length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [
    line(COLUMNS.map((c) => c.title)),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(COLUMNS.map((c) => String(r[c.key])))),
    line(widths.map((w) => '-'.repeat(w))),
    line(COLUMNS.map((c) => String(total[c.key]))),
  ].join('\n');
}
