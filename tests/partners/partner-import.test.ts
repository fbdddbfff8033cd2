import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPartnersCsv } from '../../src/partners/partner-import.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';
import { runCli } from '../support/cli-process.ts';

let t: TestStack;
let tmp: string;

/** CSV lines joined as a spreadsheet exports them (CRLF). */
const csv = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;

// Columns in an unusual order, with the headers people write; "Notes" is not ours and is ignored.
const HEADER = 'E-mail,Skills,Company Name,Region,Contact Name,Remote,Time zone,Website,Notes';
const ALPHA = 'anna@alpha.example,BC; Power BI,Alpha GmbH,DACH,Anna Alpha,yes,Europe/Berlin,alpha.example,met at Inspire';
const BETA = 'bob@beta.example,Entra ID|Sentinel,Beta Ltd,uk-ireland;Western Europe,Bob Beta,no,Europe/London,,';

/** The mixed file: two good lines (2, 3) and one bad line for each kind of problem (4 to 8). */
const MIXED = csv(
  HEADER,
  ALPHA,
  BETA,
  'carl@gamma.example,Underwater basket weaving,Gamma AB,nordics,Carl Gamma,,,,',
  'not-an-email,AKS,Delta Oy,nordics,Dora Delta,,,,',
  'erin@epsilon.example,AKS,Epsilon BV,Atlantis,Erin Eps,,,,',
  'fred@zeta.example,AKS,,dach,Fred Zeta,,,,',
  'ANNA@alpha.example,AKS,Alpha Again GmbH,dach,Anna Two,,,,',
);

const partnersByEmail = () => t.c.db.selectFrom('partners').selectAll().orderBy('email').execute();

async function skillSlugsOf(email: string): Promise<string[]> {
  const rows = await t.c.db
    .selectFrom('partnerSkills as ps')
    .innerJoin('partners as p', 'p.id', 'ps.partnerId')
    .innerJoin('skills as s', 's.id', 'ps.skillId')
    .select('s.slug')
    .where('p.email', '=', email)
    .execute();
  return rows.map((r) => r.slug).sort();
}

const allPartnerSkills = () => t.c.db.selectFrom('partnerSkills').selectAll().orderBy('partnerId').orderBy('skillId').execute();

async function tmpFile(name: string, content: string): Promise<string> {
  const file = path.join(tmp, name);
  await writeFile(file, content);
  return file;
}

/** Runs the real command in a child process against this file's database and queue prefix. */
const cli = (...args: string[]) => runCli(t, ...args);

beforeAll(async () => {
  t = await createTestStack();
  tmp = await mkdtemp(path.join(tmpdir(), 'p2p-import-'));
});
afterAll(async () => {
  await t?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('importPartnersCsv', () => {
  it('creates the good lines and reports each bad line with its number and reasons', async () => {
    const report = await importPartnersCsv(MIXED, t.c.partners);
    expect(report).toMatchObject({ created: 2, updated: 0, unchanged: 0 });
    expect(report.rejected).toEqual([
      { line: 4, email: 'carl@gamma.example', reasons: ['skills: unknown skill "Underwater basket weaving"'] },
      { line: 5, email: 'not-an-email', reasons: ['email: must be an email address'] },
      { line: 6, email: 'erin@epsilon.example', reasons: [expect.stringMatching(/^regions\.0: /)] },
      { line: 7, email: 'fred@zeta.example', reasons: ['company: is required'] },
      { line: 8, email: 'ANNA@alpha.example', reasons: ['email: appears again (first on line 2)'] },
    ]);

    const stored = await partnersByEmail();
    expect(stored.map((p) => p.email)).toEqual(['anna@alpha.example', 'bob@beta.example']);
    expect(stored[0]).toMatchObject({
      company: 'Alpha GmbH',
      contactName: 'Anna Alpha',
      status: 'active',
      source: 'import',
      regions: ['dach'],
      remoteOk: true,
      timezone: 'Europe/Berlin',
      website: 'https://alpha.example',
      country: null,
    });
    expect(stored[0]!.verifiedAt).toBeInstanceOf(Date);
    expect(stored[1]).toMatchObject({
      company: 'Beta Ltd',
      status: 'active',
      regions: ['uk-ireland', 'emea-west'],
      remoteOk: false,
      website: null,
    });
    expect(await skillSlugsOf('anna@alpha.example')).toEqual(['d365-business-central', 'power-bi']);
    expect(await skillSlugsOf('bob@beta.example')).toEqual(['identity-access-management', 'sentinel']);
  });

  it('changes nothing when the same file is imported again', async () => {
    const partnersBefore = await partnersByEmail();
    const skillsBefore = await allPartnerSkills();

    const report = await importPartnersCsv(MIXED, t.c.partners);
    expect(report).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect(report.rejected.map((r) => r.line)).toEqual([4, 5, 6, 7, 8]);

    expect(await partnersByEmail()).toEqual(partnersBefore);
    expect(await allPartnerSkills()).toEqual(skillsBefore);
  });

  it('updates a changed line and leaves the others alone', async () => {
    const [, betaBefore] = await partnersByEmail();
    const changed = csv(HEADER, ALPHA.replace('BC; Power BI', 'BC; Power BI; Power Automate'), BETA);

    const report = await importPartnersCsv(changed, t.c.partners);
    expect(report).toEqual({ created: 0, updated: 1, unchanged: 1, rejected: [] });
    expect(await skillSlugsOf('anna@alpha.example')).toEqual(['d365-business-central', 'power-automate', 'power-bi']);
    const [, betaAfter] = await partnersByEmail();
    expect(betaAfter).toEqual(betaBefore);

    expect(await importPartnersCsv(changed, t.c.partners)).toEqual({ created: 0, updated: 0, unchanged: 2, rejected: [] });
  });

  it('clears an optional column emptied in the file, so the next import is unchanged', async () => {
    const noWebsite = csv(HEADER, ALPHA.replace('BC; Power BI', 'BC; Power BI; Power Automate').replace('alpha.example,met', ',met'), BETA);

    expect(await importPartnersCsv(noWebsite, t.c.partners)).toMatchObject({ updated: 1, unchanged: 1 });
    const [alpha] = await partnersByEmail();
    expect(alpha!.website).toBeNull();
    expect(await importPartnersCsv(noWebsite, t.c.partners)).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
  });

  it('refuses a file whose header lacks required columns, naming them', async () => {
    const before = await partnersByEmail();
    const file = csv('Company,E-mail,Skills', 'Omega Ltd,o@omega.example,AKS');
    await expect(importPartnersCsv(file, t.c.partners)).rejects.toThrow('The header row lacks columns: contactName, regions');
    expect(await partnersByEmail()).toEqual(before);
  });

  it('lets a later line for the same email stand in for a rejected one', async () => {
    const report = await importPartnersCsv(
      csv(HEADER, 'gamma@gamma.example,Basket weaving,Gamma BV,emea-west,Gus Gamma,yes,Europe/Amsterdam,,', 'gamma@gamma.example,AKS,Gamma BV,emea-west,Gus Gamma,yes,Europe/Amsterdam,,'),
      t.c.partners,
    );
    expect(report).toMatchObject({ created: 1, rejected: [{ line: 2, email: 'gamma@gamma.example' }] });
    expect(await skillSlugsOf('gamma@gamma.example')).toEqual(['kubernetes-on-azure']);
  });

  it('refuses such a header even when no line follows it', async () => {
    await expect(importPartnersCsv(csv('Company,E-mail,Skills'), t.c.partners)).rejects.toThrow(
      'The header row lacks columns: contactName, regions',
    );
  });
});

describe('p2p-digest partners import', () => {
  it('imports a file with bad lines, prints the report and exits 65', async () => {
    const file = await tmpFile('cli-mixed.csv', csv(HEADER, 'cli1@kappa.example,AKS,Kappa Oy,nordics,Kai Kappa,,,,', 'cli2@kappa.example,Knitting,Kappa Two Oy,nordics,Kim Kappa,,,,'));
    const { code, stdout } = await cli('partners', 'import', file);
    expect(stdout).toContain(`${file}: 1 created, 0 updated, 0 unchanged, 1 rejected`);
    expect(stdout).toContain('  line 3 (cli2@kappa.example): skills: unknown skill "Knitting"');
    expect(code).toBe(65);
    const [stored] = await t.c.db.selectFrom('partners').selectAll().where('email', '=', 'cli1@kappa.example').execute();
    expect(stored).toMatchObject({ company: 'Kappa Oy', status: 'active', source: 'import' });
    expect(await t.c.db.selectFrom('partners').select('id').where('email', '=', 'cli2@kappa.example').execute()).toEqual([]);
  });

  it('exits 0 when every line is fine, and reports a repeat as unchanged', async () => {
    const file = await tmpFile('cli-clean.csv', csv('company,contact name,email,regions,skills', 'Lambda AB,Lia Lambda,lia@lambda.example,nordics,AVD'));
    const first = await cli('partners', 'import', file);
    expect(first.stdout).toContain(`${file}: 1 created, 0 updated, 0 unchanged, 0 rejected`);
    expect(first.code).toBe(0);
    const second = await cli('partners', 'import', file);
    expect(second.stdout).toContain(`${file}: 0 created, 0 updated, 1 unchanged, 0 rejected`);
    expect(second.code).toBe(0);
    expect(await skillSlugsOf('lia@lambda.example')).toEqual(['azure-virtual-desktop']);
  });

  it('exits 65 with a message for a file without the required columns', async () => {
    const file = await tmpFile('cli-headers.csv', csv('firm,mail', 'Mu Ltd,mu@mu.example'));
    const { code, stdout, stderr } = await cli('partners', 'import', file);
    expect(stderr).toContain(`${file}: The header row lacks columns: company, contactName, email, regions, skills`);
    expect(stdout).toBe('');
    expect(code).toBe(65);
  });

  it('exits 66 for a file that cannot be read', async () => {
    const { code, stderr } = await cli('partners', 'import', path.join(tmp, 'missing.csv'));
    expect(stderr).toContain('Cannot read');
    expect(code).toBe(66);
  });
});
