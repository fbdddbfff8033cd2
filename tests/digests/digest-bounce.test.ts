/**
 * A 5xx about an address fails the row and suppresses the address together. Before, the
 * suppression committed first: a crash before the row's finish left the row to be retried, and
 * the retry "skipped" it because the address was suppressed by then (issue 16).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack;
const reject = new Set(['gone@partners.example']);

beforeAll(async () => {
  t = await createTestStack({ DIGEST_LEASE_SECONDS: '1' }, { reject });
  await addOpportunity(t, 'Purview for a law firm', ['Microsoft Purview'], { remote: true, regions: [] });
});
afterAll(async () => {
  await t?.close();
});

const suppressions = () => t.c.db.selectFrom('suppressions').select('reason').where('email', '=', 'gone@partners.example').execute();

describe('a permanent SMTP refusal', () => {
  it('fails the row and suppresses the address in one transaction: neither without the other', async () => {
    const partnerId = await addPartner(t, 'gone', ['Microsoft Purview']);
    const [id] = await t.c.digests.enqueueRound({ everyone: true, partnerId });
    expect(await t.c.digests.build(id!)).toBe('ready');

    // The row's finish fails (as if the process died right there): the suppression must not stay.
    await sql`
      CREATE FUNCTION refuse_failed_digest() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'finish refused for the test'; END $$;
      CREATE TRIGGER refuse_failed_digest BEFORE UPDATE ON digests
        FOR EACH ROW WHEN (NEW.status = 'failed') EXECUTE FUNCTION refuse_failed_digest();
    `.execute(t.c.db);
    await expect(t.c.digests.send(id!)).rejects.toThrow(/finish refused/);
    expect(await suppressions()).toEqual([]);
    await sql`DROP TRIGGER refuse_failed_digest ON digests; DROP FUNCTION refuse_failed_digest();`.execute(t.c.db);

    // Once the lease has run out, the retry meets the same 550: failed and suppressed, not skipped.
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await t.c.digests.send(id!)).toBe('failed');
    const row = await t.c.db.selectFrom('digests').select(['status', 'lastError']).where('id', '=', id!).executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(row.lastError).toMatch(/550/);
    expect(await suppressions()).toEqual([{ reason: 'hard_bounce' }]);
  });
});
