import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIGEST_SEND_CLAIMS } from '../../src/app/jobs.ts';
import { addOpportunity, addPartner, digestMailsTo } from '../support/digest-fixtures.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack;
const defer = new Set<string>();

const row = (id: string) =>
  t.c.db.selectFrom('digests').select(['status', 'attempts', 'deferrals', 'lastError']).where('id', '=', id).executeTakeFirstOrThrow();

async function builtRowFor(key: string): Promise<string> {
  const partnerId = await addPartner(t, key, ['Azure Arc']);
  const [id] = await t.c.digests.enqueueRound({ everyone: true, partnerId });
  expect(await t.c.digests.build(id!)).toBe('ready');
  return id!;
}

beforeAll(async () => {
  t = await createTestStack({}, { defer });
  await addOpportunity(t, 'Azure Arc for 40 branch servers', ['Azure Arc'], { remote: true, regions: [] });
});
afterAll(async () => {
  await t?.close();
});

describe('transient SMTP failures', () => {
  it('cost time, not attempts: a row deferred more often than it may be claimed is still sent', async () => {
    const id = await builtRowFor('patient');
    defer.add('patient@partners.example');
    for (let i = 0; i < DIGEST_SEND_CLAIMS + 2; i++) await expect(t.c.digests.send(id)).rejects.toThrow(/451/);
    expect(await row(id)).toMatchObject({ status: 'ready', deferrals: DIGEST_SEND_CLAIMS + 2 });
    defer.delete('patient@partners.example');
    expect(await t.c.digests.send(id)).toBe('sent');
    expect(digestMailsTo(t, 'patient@partners.example')).toHaveLength(1);
  });

  it('fail the row once its send window has ended, saying why', async () => {
    const id = await builtRowFor('late');
    defer.add('late@partners.example');
    await expect(t.c.digests.send(id)).rejects.toThrow(/451/);
    // The row was created longer ago than the send window (24 h by default).
    await t.c.db.updateTable('digests').set({ createdAt: new Date(Date.now() - 25 * 3_600_000) }).where('id', '=', id).execute();
    expect(await t.c.digests.send(id)).toBe('failed');
    const after = await row(id);
    expect(after.status).toBe('failed');
    expect(after.lastError).toMatch(/^send window ended after 1 transient failures; last: .*451/);
    expect(digestMailsTo(t, 'late@partners.example')).toHaveLength(0);
  });
});
