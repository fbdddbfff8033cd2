import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, eventually, type TestStack } from '../support/test-stack.ts';
import { opportunityPayload } from '../support/factories.ts';
import { stackQueries } from '../support/stack-queries.ts';

let t: TestStack;
let kubeworksId: string;

let seq = 0;
const opportunity = (overrides: Record<string, unknown> = {}) => {
  const n = ++seq;
  return opportunityPayload({
    title: `AKS platform ${n} for a machine builder`,
    requiredSkills: ['kubernetes-on-azure'],
    submitter: { name: 'Max Huber', company: 'Alpenwolke GmbH', email: `max.${n}@alpenwolke.example` },
    ...overrides,
  });
};

async function submit() {
  const payload = opportunity();
  const res = await t.app.inject({ method: 'POST', url: '/api/opportunities', headers: t.adminHeaders, payload });
  expect(res.statusCode).toBe(201);
  return { ...res.json<{ id: string; status: string }>(), payload };
}

const decide = (id: string, action: 'approve' | 'reject') =>
  t.app.inject({ method: 'POST', url: `/api/opportunities/${id}/${action}`, headers: t.adminHeaders });

const { opportunityRow: dbRow } = stackQueries(() => t);

const matchCount = async (id: string) =>
  Number((await t.c.db.selectFrom('matches').select((eb) => eb.fn.countAll().as('n')).where('opportunityId', '=', id).executeTakeFirstOrThrow()).n);

const publishedEvents = async (id: string) =>
  Number(
    (
      await t.c.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('topic', '=', 'opportunity.published')
        .where(sql<string>`payload->>'opportunityId'`, '=', id)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Waits for the receipt mail: proof that the relay and the worker have handled this opportunity's events. */
const receiptFor = (payload: ReturnType<typeof opportunity>) =>
  t.smtp.waitFor((m) => m.envelope.to.includes(payload.submitter.email) && m.parsed.subject === `Received: ${payload.title}`);

beforeAll(async () => {
  t = await createTestStack({ MODERATION: 'on' });
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/partners',
    headers: t.adminHeaders,
    payload: { company: 'Kubeworks GmbH', contactName: 'Jana Berg', email: 'jana@kubeworks.example', regions: ['dach'], skills: ['AKS'] },
  });
  expect(res.statusCode).toBe(201);
  kubeworksId = res.json<{ id: string }>().id;
  t.startBackground();
});
afterAll(async () => {
  await t?.close();
});

describe('MODERATION=on', () => {
  it('holds an admin-API submission in pending_review, unmatched, while the background runs', async () => {
    const { id, status, payload } = await submit();
    expect(status).toBe('pending_review');

    const receipt = await receiptFor(payload);
    expect(receipt.parsed.text).toContain('waiting for a quick review');
    await new Promise((r) => setTimeout(r, 1000));

    const row = await dbRow(id);
    expect(row.status).toBe('pending_review');
    expect(row.verifiedAt).not.toBeNull();
    expect(row.publishedAt).toBeNull();
    expect(row.matchedAt).toBeNull();
    expect(await matchCount(id)).toBe(0);
    expect(await publishedEvents(id)).toBe(0);
  });

  it('publishes on approve, and then the opportunity is matched', async () => {
    const { id, payload } = await submit();
    await receiptFor(payload);
    const res = await decide(id, 'approve');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id, status: 'published' });
    expect((await dbRow(id)).publishedAt).not.toBeNull();

    await eventually(async () => (await dbRow(id)).matchedAt);
    const matches = await t.c.db.selectFrom('matches').select('partnerId').where('opportunityId', '=', id).execute();
    expect(matches.map((m) => m.partnerId)).toEqual([kubeworksId]);
  });

  it('marks a rejected opportunity rejected and never matches it', async () => {
    const { id, payload } = await submit();
    await receiptFor(payload);
    const res = await decide(id, 'reject');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id, status: 'rejected' });
    const row = await dbRow(id);
    expect(row.status).toBe('rejected');
    expect(row.closedAt).not.toBeNull();
    expect(row.publishedAt).toBeNull();
    expect(await publishedEvents(id)).toBe(0);

    // A rejected one cannot be approved afterwards.
    const late = await decide(id, 'approve');
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ error: { code: 'not_awaiting_review' } });
    expect((await dbRow(id)).status).toBe('rejected');
  });

  it('accepts approving an already published opportunity again, publishing it once', async () => {
    const { id } = await submit();
    const first = await decide(id, 'approve');
    const publishedAt = (await dbRow(id)).publishedAt;
    const second = await decide(id, 'approve');
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ id, status: 'published' });
    const row = await dbRow(id);
    expect(row.status).toBe('published');
    expect(row.publishedAt).toEqual(publishedAt);
    expect(await publishedEvents(id)).toBe(1);
  });

  it('answers approving an unknown id with 404', async () => {
    const res = await decide('00000000-0000-4000-8000-000000000000', 'approve');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('needs the admin token to approve', async () => {
    const { id } = await submit();
    const res = await t.app.inject({ method: 'POST', url: `/api/opportunities/${id}/approve` });
    expect(res.statusCode).toBe(401);
    expect((await dbRow(id)).status).toBe('pending_review');
  });
});
