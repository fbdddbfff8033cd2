import { expect, it } from 'vitest';
import { digestsSentPerDay } from '../../src/digests/digest-ledger.repository.ts';
import { captureStatement } from '../support/sql-capture.ts';

// The submitter's "sent in N digests per day" count: a change shows as a diff in __snapshots__/.
it('keeps the digests-sent-per-day statement under review', async () => {
  const statement = await captureStatement((db) => digestsSentPerDay(db, '00000000-0000-4000-8000-000000000001'));
  await expect(statement).toMatchFileSnapshot('./__snapshots__/digests-sent-per-day.sql');
});
