import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { InboundService } from '../../src/inbound/inbound.service.ts';
import { composeRaw, dkimKeyFor, inboundServiceWith, storeInbound, stubResolver } from '../support/inbound-fixtures.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

/**
 * No backscatter: an automatic reply goes only to a sender whose From domain vouches for the
 * message (aligned SPF or DKIM pass, DMARC published or not). A forged From still leaves its
 * draft for the operator, but nobody is answered.
 */
const ATTACKER_IP = '198.51.100.66';
const SENDER_IP = '192.0.2.44';
// Signs its mail, publishes no DMARC and no SPF: DKIM alone aligns.
const signerKey = dkimKeyFor('signs-only.example');
// A company whose staff all write from one DKIM-signed domain.
const busyKey = dkimKeyFor('busy.example');
// The attacker signs with and sends for its own domain: both pass, neither is the victim's.
const attackerKey = dkimKeyFor('attacker.example');
const resolver = stubResolver({
  [`${signerKey.selector}._domainkey.${signerKey.domain}`]: signerKey.record,
  [`${attackerKey.selector}._domainkey.${attackerKey.domain}`]: attackerKey.record,
  [`${busyKey.selector}._domainkey.${busyKey.domain}`]: busyKey.record,
  'attacker.example': `v=spf1 ip4:${ATTACKER_IP} -all`,
  // SPF only, on the bounce subdomain: aligned with the From's organisational domain.
  'bounces.spf-only.example': `v=spf1 ip4:${SENDER_IP} -all`,
  // Publishes DMARC and SPF; mail from elsewhere fails DMARC.
  'strict.example': `v=spf1 ip4:${SENDER_IP} -all`,
  '_dmarc.strict.example': 'v=DMARC1; p=reject',
  // A private public suffix: neighbours under it are different organisations.
  'mallory.github.io': `v=spf1 ip4:${ATTACKER_IP} -all`,
});

let t: TestStack;
let inbound: InboundService;

beforeAll(async () => {
  t = await createTestStack();
  inbound = inboundServiceWith(t, resolver);
});
afterAll(async () => t?.close());

const text = 'We need a Kubernetes partner in Munich for six months. Budget 80k EUR. Call +49 30 1234567 now!';

async function receive(from: string, envelope: { mailFrom: string; remoteIp: string }, key?: Parameters<typeof composeRaw>[1]) {
  const raw = await composeRaw({ from, to: 'opportunities@p2p.test', subject: 'Project for you', text }, key);
  const id = await storeInbound(t, raw, envelope);
  const result = await inbound.process(id);
  return { id, result };
}

const acknowledgementsOf = async (inboundId: string) =>
  (await t.c.db.selectFrom('outbox').select('id').where('dedupeKey', '=', `mail:email-acknowledgement:${inboundId}`).execute()).length;
/** Any outbox row naming the address, whatever its kind: the victim must hear nothing at all. */
const outboxRowsNaming = async (address: string) =>
  (await t.c.db.selectFrom('outbox').select('id').where(sql<string>`payload::text`, 'ilike', `%${address}%`).execute()).length;
const replyClaimOf = (address: string) => t.c.db.selectFrom('inboundReplies').select('address').where('address', '=', address).executeTakeFirst();
const opportunityOf = (id: string) =>
  t.c.db.selectFrom('opportunities').select(['status', 'submitterEmail', 'submitterPartnerId']).where('id', '=', id).executeTakeFirstOrThrow();

describe('automatic replies go only to an authenticated From', () => {
  it('a forged From with no SPF or DKIM of its own: the draft is kept, nothing is sent to the forged address', async () => {
    const { id, result } = await receive('Victim <victim@victim.example>', { mailFrom: 'bounce@attacker.example', remoteIp: ATTACKER_IP });
    expect(result).toMatchObject({ status: 'processed', outcome: 'awaiting confirmation' });
    expect(await opportunityOf(result.status === 'processed' ? result.opportunityId! : '')).toMatchObject({
      status: 'pending_verification',
      submitterEmail: 'victim@victim.example',
      submitterPartnerId: null,
    });
    expect(await acknowledgementsOf(id)).toBe(0);
    expect(await outboxRowsNaming('victim@victim.example')).toBe(0);
    // Nor does the forger use up the real sender's one reply of the day.
    expect(await replyClaimOf('victim@victim.example')).toBeUndefined();
  });

  it("a forged From signed by the attacker's own domain (DKIM and SPF pass, not aligned): no reply", async () => {
    const { id, result } = await receive('victim2@victim.example', { mailFrom: 'bounce@attacker.example', remoteIp: ATTACKER_IP }, attackerKey);
    expect(result).toMatchObject({ status: 'processed', outcome: 'awaiting confirmation' });
    expect(await acknowledgementsOf(id)).toBe(0);
    expect(await outboxRowsNaming('victim2@victim.example')).toBe(0);
  });

  it('an SPF pass for a neighbour under a public suffix (github.io) is not aligned: no reply', async () => {
    const { id } = await receive('alice@alice.github.io', { mailFrom: 'm@mallory.github.io', remoteIp: ATTACKER_IP });
    expect(await acknowledgementsOf(id)).toBe(0);
  });

  it('a From whose domain publishes DMARC and fails it: no reply', async () => {
    const { id, result } = await receive('ceo@strict.example', { mailFrom: 'ceo@strict.example', remoteIp: ATTACKER_IP });
    expect(result).toMatchObject({ status: 'processed', outcome: 'awaiting confirmation' });
    expect(await acknowledgementsOf(id)).toBe(0);
  });

  it('a DKIM-signed (aligned) mail from a domain without DMARC or SPF gets its acknowledgement', async () => {
    const { id, result } = await receive('Dana <dana@signs-only.example>', { mailFrom: 'dana@signs-only.example', remoteIp: ATTACKER_IP }, signerKey);
    expect(result).toMatchObject({ status: 'processed', outcome: 'awaiting confirmation' });
    expect(await acknowledgementsOf(id)).toBe(1);
  });

  it('an aligned SPF pass (bounce subdomain of the From domain), unsigned and without DMARC, gets its acknowledgement', async () => {
    const { id, result } = await receive('Sam <sam@spf-only.example>', { mailFrom: 'b-1@bounces.spf-only.example', remoteIp: SENDER_IP });
    expect(result).toMatchObject({ status: 'processed', outcome: 'awaiting confirmation' });
    expect(await acknowledgementsOf(id)).toBe(1);
  });

  it('a DMARC pass gets its acknowledgement', async () => {
    const { id } = await receive('Ceo <ceo2@strict.example>', { mailFrom: 'ceo2@strict.example', remoteIp: SENDER_IP });
    expect(await acknowledgementsOf(id)).toBe(1);
  });
});

describe('automatic replies are counted per inbox and per domain, whatever the address says', () => {
  it('+tags and case make no new inbox: one acknowledgement a day for Dana, however she writes her address', async () => {
    const first = await receive('Dana <Dana+projects@signs-only.example>', { mailFrom: 'dana@signs-only.example', remoteIp: ATTACKER_IP }, signerKey);
    const second = await receive('Dana <dana+other@Signs-Only.example>', { mailFrom: 'dana@signs-only.example', remoteIp: ATTACKER_IP }, signerKey);
    // The earlier test in this file acknowledged dana@signs-only.example already today.
    expect(await acknowledgementsOf(first.id)).toBe(0);
    expect(await acknowledgementsOf(second.id)).toBe(0);
    expect(first.result).toMatchObject({ status: 'processed', outcome: 'awaiting confirmation' });
  });

  it('one domain gets at most INBOUND_REPLIES_PER_DOMAIN_DAILY acknowledgements a day; the drafts are all kept', async () => {
    const capped = inboundServiceWith(t, resolver, { repliesPerDomainDaily: 2 });
    const acknowledged: number[] = [];
    for (const who of ['ann', 'ben', 'cat']) {
      const raw = await composeRaw({ from: `${who}@busy.example`, to: 'opportunities@p2p.test', subject: 'Project for you', text }, busyKey);
      const id = await storeInbound(t, raw, { mailFrom: `${who}@busy.example`, remoteIp: SENDER_IP });
      expect(await capped.process(id)).toMatchObject({ status: 'processed', outcome: 'awaiting confirmation' });
      acknowledged.push(await acknowledgementsOf(id));
    }
    expect(acknowledged).toEqual([1, 1, 0]);
    // Another domain is not held back by this one.
    const raw = await composeRaw({ from: 'eve@signs-only.example', to: 'opportunities@p2p.test', subject: 'Project for you', text }, signerKey);
    const id = await storeInbound(t, raw, { mailFrom: 'eve@signs-only.example', remoteIp: SENDER_IP });
    await capped.process(id);
    expect(await acknowledgementsOf(id)).toBe(1);
  });
});
