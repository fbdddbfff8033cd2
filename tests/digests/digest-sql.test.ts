import { expect, it } from 'vitest';
import { takeStaleDigests } from '../../src/digests/digest-ledger.repository.ts';
import { chooseRoundReach, findLedgerRows, insertLedgerRows } from '../../src/digests/digest-rounds.repository.ts';
import { buildDigests, findRecipients, openDigestItems } from '../../src/digests/digest-build.repository.ts';
import {
  claimForSending,
  finishDigest,
  giveBackUnsent,
  giveUpDigest,
  finishSentAndHandOver,
  storeComposed,
  markHandingToSmtp,
  releaseDigest,
  renewLeases,
  touchQueuedDigests,
} from '../../src/digests/digest-send.repository.ts';
import { insertAlertRows, insertDailyRows } from '../../src/digests/digest-urgent.repository.ts';
import { captureStatement } from '../support/sql-capture.ts';

// The digest ledger's raw statements, kept under review: a change to one shows as a diff of its
// file in __snapshots__/. Compiled with fixed arguments, never run.
const DIGEST_IDS = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
const PARTNER_ID = '00000000-0000-4000-8000-0000000000aa';
const CLAIM = { id: DIGEST_IDS[0]!, claimToken: '00000000-0000-4000-8000-0000000000cc' };
const OPPORTUNITY_ID = '00000000-0000-4000-8000-0000000000bb';
const AT = new Date('2026-12-07T09:00:00Z');
const SCHEDULES = [{ timezone: 'Europe/Vienna', frequency: 'weekly' as const, day: 1, hour: 8, period: '2026-W49' }];

it.each([
  ['digest-build', (db) => buildDigests(db, DIGEST_IDS)],
  ['digest-claim', (db) => claimForSending(db, DIGEST_IDS, { token: CLAIM.claimToken, leaseSeconds: 300, maxAttempts: 5, mailDomain: 'p2p.test', windowSeconds: 86_400 })],
  ['digest-hand-over', (db) => markHandingToSmtp(db, CLAIM, 300)],
  ['digest-finish-and-hand-over', (db) => finishSentAndHandOver(db, { row: CLAIM, subject: 'Your digest', smtpResponse: '250 OK' }, { ...CLAIM, id: DIGEST_IDS[1]! }, 300)],
  ['digest-store-composed', (db) => storeComposed(db, [0, 1].map((i) => ({ id: DIGEST_IDS[i]!, subject: 'Your digest', fingerprint: `f${i}`, composed: Buffer.from('To: x\r\n\r\nbody') })))],
  ['digest-heartbeat', (db) => renewLeases(db, [CLAIM], 300)],
  ['digest-finish', (db) => finishDigest(db, CLAIM, 'sent', { subject: 'Your digest', lastError: null })],
  ['digest-release', (db) => releaseDigest(db, CLAIM, '451 try again later')],
  ['digest-give-back', (db) => giveBackUnsent(db, CLAIM)],
  ['digest-give-up', (db) => giveUpDigest(db, DIGEST_IDS[0]!, 'send window ended')],
  ['digest-touch-queued', (db) => touchQueuedDigests(db, DIGEST_IDS)],
  ['digest-ledger-insert', (db) => insertLedgerRows(db, SCHEDULES, PARTNER_ID)],
  ['digest-ledger-find', (db) => findLedgerRows(db, SCHEDULES, PARTNER_ID)],
  ['digest-items', (db) => openDigestItems(db, DIGEST_IDS)],
  ['digest-recipients', (db) => findRecipients(db, [PARTNER_ID])],
  ['digest-stale', (db) => takeStaleDigests(db, 600, 5000)],
  ['digest-round-reach', (db) => chooseRoundReach(db, DIGEST_IDS, 25)],
  ['urgent-alert-rows', (db) => insertAlertRows(db, AT, { alertsPerDay: 3, quietHours: { start: 20, end: 8 } }, OPPORTUNITY_ID)],
  ['urgent-daily-rows', (db) => insertDailyRows(db, AT)],
] satisfies Array<[string, Parameters<typeof captureStatement>[0]]>)('keeps the %s statement under review', async (name, run) => {
  await expect(await captureStatement(run)).toMatchFileSnapshot(`./__snapshots__/${name}.sql`);
});
