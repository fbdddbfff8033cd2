import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOpportunity, addPartner, digestMailsTo } from '../support/digest-fixtures.ts';
import { childEnv, createTestStack, type TestStack } from '../support/test-stack.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
let t: TestStack;

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/p2p-digest.mjs', ...args],
      {
        cwd: REPO_ROOT,
        env: childEnv(t),
        timeout: 60_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  t = await createTestStack();
  await addOpportunity(t, 'Sentinel onboarding for a hospital group', ['Sentinel']);
  await addPartner(t, 'socteam', ['Microsoft Sentinel']);
  await addPartner(t, 'quiet', ['SAP on Azure']);
});
afterAll(async () => {
  await t?.close();
});

describe('p2p-digest digest run', () => {
  it('runs a round now, prints what it did, and sends nothing the second time', async () => {
    const first = await cli('digest', 'run', '--now');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^digest round: 1 sent, 1 skipped, 0 failed, 0 already done \(2 new ledger rows\)$/m);
    expect(digestMailsTo(t, 'socteam@partners.example')).toHaveLength(1);

    const second = await cli('digest', 'run', '--now');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^digest round: 0 sent, 0 skipped, 0 failed, 2 already done \(0 new ledger rows\)$/m);
    expect(digestMailsTo(t, 'socteam@partners.example')).toHaveLength(1);
  });

  it('refuses a malformed period or partner id with a clear message', async () => {
    const period = await cli('digest', 'run', '--period', '2026-48');
    expect(period.code).not.toBe(0);
    expect(period.stderr).toContain('a period looks like 2026-W48 (a week) or 2026-11 (a month)');
    const partner = await cli('digest', 'run', '--partner', 'not-a-uuid');
    expect(partner.code).not.toBe(0);
    expect(partner.stderr).toContain('a partner id is a UUID');
  });
});
