import { expect, it } from 'vitest';
import { syncTaxonomy } from '../../src/skills/skills.service.ts';
import { captureStatements } from '../support/sql-capture.ts';

// The taxonomy sync for a one-skill file, lock first: a change to what a start runs against the
// skills table shows as a diff in __snapshots__/. Never run here.
it('keeps the taxonomy sync statements under review', async () => {
  const taxonomy = {
    version: 1,
    skills: [{ slug: 'intune', label: 'Microsoft Intune', kind: 'practice' as const, designation: null, synonyms: ['Endpoint Manager'], related: [] }],
  };
  await expect(await captureStatements((db) => syncTaxonomy(db, taxonomy))).toMatchFileSnapshot('./__snapshots__/taxonomy-sync.sql');
});
