import { expect, it } from 'vitest';
import { isSubmitterMuted, recordNotRelevant } from '../../src/interests/interest.repository.ts';
import { captureStatements } from '../support/sql-capture.ts';

// "Not relevant" and the submitter mute compare lower(submitter_email) in SQL, as matching and the
// digest build do: a change to these statements shows as a diff in __snapshots__/. Never run here.
const PARTNER_ID = '00000000-0000-4000-8000-0000000000aa';
const OPPORTUNITY_ID = '00000000-0000-4000-8000-000000000001';

it.each([
  ['submitter-muted', (db) => isSubmitterMuted(db, PARTNER_ID, OPPORTUNITY_ID)],
  ['not-relevant-mute', (db) => recordNotRelevant(db, PARTNER_ID, OPPORTUNITY_ID, 'mute-submitter')],
  ['not-relevant-unmute', (db) => recordNotRelevant(db, PARTNER_ID, OPPORTUNITY_ID, 'skills')],
] satisfies Array<[string, Parameters<typeof captureStatements>[0]]>)('keeps the %s statements under review', async (name, run) => {
  await expect(await captureStatements(run)).toMatchFileSnapshot(`./__snapshots__/${name}.sql`);
});
