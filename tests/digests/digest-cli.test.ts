import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOpportunity, addPartner, digestMailsTo } from '../support/digest-fixtures.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';
import { runCli } from '../support/cli-process.ts';

let t: TestStack;

const cli = (...args: string[]) => runCli(t, ...args);

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
