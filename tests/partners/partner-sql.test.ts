import { expect, it } from 'vitest';
import { findPartnerByEmail, listPartners } from '../../src/partners/partner.repository.ts';
import { captureStatement } from '../support/sql-capture.ts';

// The partner queries with SQL of their own (the case-insensitive email, the skills array, the
// keyset page's microsecond cursor): a change shows as a diff in __snapshots__/. Never run here.
it.each([
  ['partner-by-email', (db) => findPartnerByEmail(db, 'Someone@Partners.example')],
  [
    'partner-page',
    (db) => listPartners(db, { limit: 50, status: 'active', after: { createdAtMicros: '1796000000000000', id: '00000000-0000-4000-8000-0000000000aa' } }),
  ],
] satisfies Array<[string, Parameters<typeof captureStatement>[0]]>)('keeps the %s statement under review', async (name, run) => {
  await expect(await captureStatement(run)).toMatchFileSnapshot(`./__snapshots__/${name}.sql`);
});
