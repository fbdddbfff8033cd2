import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describedMatchesOf } from '../../src/matching/match.service.ts';
import { addInterest, addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

// Fair exposure: an opportunity reaches at most MAX_REACH_PER_ROUND partners in one digest round,
// best first; the rest get it in a later round while it is open and nobody was introduced.

const MAX_REACH = 25;
const PARTNERS = 30;

let t: TestStack;
/** The round's partners, in the order they were added (p00 … p29). */
const partners: string[] = [];

beforeAll(async () => {
  t = await createTestStack({ MAX_REACH_PER_ROUND: String(MAX_REACH) });
  for (let i = 0; i < PARTNERS; i++) {
    // Every other partner lists a second skill: on equal scores matching ranks the more specialised first.
    const key = `p${String(i).padStart(2, '0')}`;
    partners.push(await addPartner(t, key, i % 2 ? ['AKS', 'Intune'] : ['AKS']));
  }
});

afterAll(async () => {
  await t?.close();
});

/** An AKS opportunity every partner matches, with the scores given (by partner), or as matched. */
async function opportunityScored(title: string, scoreOf?: (index: number) => number): Promise<string> {
  const id = await addOpportunity(t, title, ['AKS']);
  if (scoreOf) {
    for (const [index, partnerId] of partners.entries()) {
      await t.c.db.updateTable('matches').set({ score: scoreOf(index) }).where('opportunityId', '=', id).where('partnerId', '=', partnerId).execute();
    }
  }
  return id;
}

/** Partner i scores 0.60 + i/100: the best are the last added. */
const rising = (index: number) => 0.6 + index / 100;
const bestByRising = (n: number) => partners.slice(PARTNERS - n);

/** The partners a digest carried the opportunity to, with the period of that digest. */
const carriers = async (opportunityId: string) =>
  t.c.db
    .selectFrom('digestItems as di')
    .innerJoin('digests as d', 'd.id', 'di.digestId')
    .select(['di.partnerId', 'd.period'])
    .where('di.opportunityId', '=', opportunityId)
    .execute();

const partnersOf = (rows: Array<{ partnerId: string }>) => rows.map((r) => r.partnerId).sort();
const round = (period: string, concurrency = 8) => t.c.digests.runRound({ everyone: true, period, concurrency });

describe('fair exposure in a digest round', () => {
  it('carries an opportunity to its best 25 partners of the round, and to the other 5 in the next round', async () => {
    const opportunity = await opportunityScored('AKS landing zone for a retailer', rising);
    expect((await describedMatchesOf(t.c.db, opportunity)).length).toBe(PARTNERS);

    const first = await round('2027-W01');
    expect(first).toMatchObject({ created: PARTNERS, sent: MAX_REACH, skipped: PARTNERS - MAX_REACH, failed: 0 });
    expect(partnersOf(await carriers(opportunity))).toEqual([...bestByRising(MAX_REACH)].sort());

    await round('2027-W02');
    const all = await carriers(opportunity);
    expect(partnersOf(all)).toEqual([...partners].sort());
    expect(partnersOf(all.filter((c) => c.period === '2027-W02'))).toEqual([...partners.slice(0, PARTNERS - MAX_REACH)].sort());
  });

  it('counts a period as one round: a later start of the same period (another hour) gives only the places left', async () => {
    const opportunity = await opportunityScored('AKS platform for a hospital group', rising);
    // The weakest partner is due an hour earlier (another time zone): its start gives it a place.
    await t.c.digests.runRound({ everyone: true, period: '2027-W40', partnerId: partners[0]! });
    expect(partnersOf(await carriers(opportunity))).toEqual([partners[0]]);

    await round('2027-W40');
    const all = await carriers(opportunity);
    expect(all).toHaveLength(MAX_REACH);
    expect(partnersOf(all)).toEqual([partners[0]!, ...bestByRising(MAX_REACH - 1)].sort());

    // The next period is a new round: the partners held back come first.
    await round('2027-W41');
    expect(partnersOf(await carriers(opportunity))).toEqual([...partners].sort());
  });

  it('breaks ties as matching ranks partners', async () => {
    const opportunity = await opportunityScored('AKS upgrade for a bank', () => 0.7);
    await round('2027-W03');
    const ranked = (await describedMatchesOf(t.c.db, opportunity)).map((m) => m.partnerId);
    expect(partnersOf(await carriers(opportunity))).toEqual(ranked.slice(0, MAX_REACH).sort());
  });

  it('carries it no further once it is closed', async () => {
    const opportunity = await opportunityScored('AKS migration for a logistics firm', rising);
    await round('2027-W06');
    expect(await carriers(opportunity)).toHaveLength(MAX_REACH);

    await t.c.opportunities.end(opportunity, 'closed');
    await round('2027-W07');
    expect(await carriers(opportunity)).toHaveLength(MAX_REACH);
  });

  it('keeps the cap when the round is started twice at once and built in concurrent batches', async () => {
    const opportunity = await opportunityScored('AKS disaster recovery for a hospital', rising);
    // Two `digest run`s of one period at once, each building in 8 concurrent batches of 4 rows.
    await Promise.all([round('2027-W08'), round('2027-W08')]);
    expect(partnersOf(await carriers(opportunity))).toEqual([...bestByRising(MAX_REACH)].sort());
  });

  it('starts one round at a time: a start waits for the round being started to commit', async () => {
    const rowsOf = async (period: string) => (await t.c.db.selectFrom('digests').select('id').where('period', '=', period).execute()).length;
    let started: Promise<unknown> | undefined;
    await t.c.db.transaction().execute(async (trx) => {
      // What another process starting a round holds until it commits its rows and their reach.
      await sql`SELECT pg_advisory_xact_lock(hashtext('digest_round_start'))`.execute(trx);
      started = round('2027-W11');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await rowsOf('2027-W11')).toBe(0);
    });
    await started;
    expect(await rowsOf('2027-W11')).toBe(PARTNERS);
  });

  // Last: the partner who joins here takes part in every later round.
  it('carries it no further to the partners held back once the submitter was introduced, but still to a partner who joins', async () => {
    const opportunity = await opportunityScored('AKS cost review for an insurer', rising);
    await round('2027-W09');
    expect(await carriers(opportunity)).toHaveLength(MAX_REACH);

    const interest = await addInterest(t, opportunity, partners[PARTNERS - 1]!);
    expect(await t.c.introductions.introduce(opportunity, [interest])).toBe(1);
    // As before the cap: a partner who joins finds the opportunities already open in their first digest.
    const late = await addPartner(t, 'late', ['AKS']);
    await round('2027-W10');
    const all = await carriers(opportunity);
    expect(all).toHaveLength(MAX_REACH + 1);
    expect(all.filter((c) => c.period === '2027-W10').map((c) => c.partnerId)).toEqual([late]);
  });
});
