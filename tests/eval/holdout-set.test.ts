import { readdir, readFile } from 'node:fs/promises';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { loadEmailSet } from '../../eval/email-eval.ts';
import { EVAL_DATA } from '../../eval/evaluate.ts';
import { REGION_SLUGS } from '../../src/regions/regions.ts';
import { fileCatalogue } from '../support/file-catalogue.ts';

/**
 * The seen mails (eval/email-seen, blind once, fixed against since) and the held-out mails
 * (eval/email-holdout, blind) are never gated by a floor: their figures are a measurement. What
 * is checked is that each set is sound, so `npm run eval` can read it: every mail labelled once,
 * every label naming a real skill slug and region, every mail parseable with a Date (the
 * reader's "now").
 */
const REPORTED_SETS: Array<[string, URL]> = [
  ['eval/email-seen', EVAL_DATA.emailSeen],
  ['eval/email-holdout', EVAL_DATA.emailHoldout],
];

describe.each(REPORTED_SETS)('the reported email set %s', (_name, dir) => {
  it('labels every mail once, with known skill slugs and regions', async () => {
    const catalogue = await fileCatalogue();
    const gold = await loadEmailSet(dir, catalogue);
    const mails = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();

    expect(gold.map((g) => g.file).sort()).toEqual(mails);
    expect(mails.length).toBeGreaterThanOrEqual(15);
    const slugs = new Set(catalogue.skills.map((s) => s.slug));
    for (const g of gold) {
      expect([...g.requiredSkills, ...g.niceToHaveSkills].filter((s) => !slugs.has(s)), g.file).toEqual([]);
      expect(g.regions.filter((r) => !(REGION_SLUGS as readonly string[]).includes(r)), g.file).toEqual([]);
    }
  });

  it('parses every mail with a subject and a Date', async () => {
    const mails = (await readdir(dir)).filter((f) => f.endsWith('.eml'));
    for (const file of mails) {
      const parsed = await simpleParser(await readFile(new URL(file, dir)));
      expect(parsed.subject, file).toBeTruthy();
      expect(parsed.date, file).toBeInstanceOf(Date);
    }
  });
});
