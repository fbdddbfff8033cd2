import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, type TestStack } from '../support/test-stack.ts';
import { stackQueries } from '../support/stack-queries.ts';

let t: TestStack;

interface PartnerJson {
  id: string;
  company: string;
  email: string;
  regions: string[];
  status: string;
  source: string;
  skills: Array<{ slug: string; label: string }>;
  verifiedAt: string | null;
}

let counter = 0;
const partner = (overrides: Record<string, unknown> = {}) => {
  counter++;
  return {
    company: `Partner ${counter} Ltd`,
    contactName: `Contact ${counter}`,
    email: `contact${counter}@partner${counter}.example`,
    regions: ['uk-ireland'],
    timezone: 'Europe/London',
    skills: ['Intune', 'Entra ID'],
    profile: 'Modern workplace rollouts for schools.',
    ...overrides,
  };
};

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers = t.adminHeaders) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

async function create(overrides: Record<string, unknown> = {}): Promise<PartnerJson> {
  const res = await api('POST', '/api/partners', partner(overrides));
  expect(res.statusCode).toBe(201);
  return res.json<PartnerJson>();
}

const row = (id: string) => t.c.db.selectFrom('partners').selectAll().where('id', '=', id).executeTakeFirst();

const { skillSlugsOf } = stackQueries(() => t);

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => {
  await t?.close();
});

describe('POST /api/partners', () => {
  it('creates an active, verified partner and returns its id', async () => {
    const res = await api('POST', '/api/partners', partner({ company: 'Thames Cloud Ltd', email: 'ops@thames.example', website: 'thames.example' }));
    expect(res.statusCode).toBe(201);
    const body = res.json<PartnerJson>();
    expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(body).toMatchObject({ company: 'Thames Cloud Ltd', status: 'active', source: 'admin' });
    expect(body.verifiedAt).not.toBeNull();

    const stored = await row(body.id);
    expect(stored).toMatchObject({
      company: 'Thames Cloud Ltd',
      email: 'ops@thames.example',
      website: 'https://thames.example',
      status: 'active',
      source: 'admin',
      regions: ['uk-ireland'],
      timezone: 'Europe/London',
    });
    expect(stored!.verifiedAt).toBeInstanceOf(Date);
    expect(await skillSlugsOf(body.id)).toEqual(['identity-access-management', 'intune']);
  });

  it('refuses a second partner with the same email in another case (409)', async () => {
    const first = await create({ email: 'Sales@Severn.example' });
    const res = await api('POST', '/api/partners', partner({ company: 'Other Ltd', email: 'sales@SEVERN.example' }));
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { code: 'email_taken' } });
    const rows = await t.c.db.selectFrom('partners').select('id').where('email', 'ilike', 'sales@severn.example').execute();
    expect(rows).toEqual([{ id: first.id }]);
  });

  it('refuses a bad body with the fields named, and stores nothing', async () => {
    const before = await t.c.db.selectFrom('partners').select('id').execute();
    const res = await api('POST', '/api/partners', { company: '', email: 'nope', regions: ['mars'], skills: [] });
    expect(res.statusCode).toBe(400);
    const { error } = res.json<{ error: { code: string; issues: Array<{ path: Array<string | number> }> } }>();
    expect(error.code).toBe('validation_failed');
    expect(error.issues.map((i) => String(i.path[0]))).toEqual(expect.arrayContaining(['company', 'contactName', 'email', 'regions', 'skills']));
    expect(await t.c.db.selectFrom('partners').select('id').execute()).toHaveLength(before.length);
  });
});

describe('GET /api/partners/:id', () => {
  it('returns the partner', async () => {
    const created = await create({ company: 'Mersey Networks' });
    const res = await api('GET', `/api/partners/${created.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(created);
  });

  it('answers 404 for an unknown id', async () => {
    const res = await api('GET', `/api/partners/${UNKNOWN_ID}`);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('answers 400 for an id that is not a uuid', async () => {
    const res = await api('GET', '/api/partners/not-a-uuid');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'validation_failed', issues: [{ path: ['id'] }] } });
  });
});

describe('PATCH /api/partners/:id', () => {
  it('replaces skills (by synonym) and regions, leaving other fields alone', async () => {
    const created = await create({ company: 'Clyde Desktop Ltd', website: 'https://clyde.example', country: 'United Kingdom' });
    const before = await row(created.id);

    const res = await api('PATCH', `/api/partners/${created.id}`, { skills: ['AVD', 'W365'], regions: ['uk-ireland', 'nordics'] });
    expect(res.statusCode).toBe(200);
    const body = res.json<PartnerJson>();
    expect(body.skills.map((s) => s.slug).sort()).toEqual(['azure-virtual-desktop', 'windows-365']);
    expect(body.regions).toEqual(['uk-ireland', 'nordics']);

    const after = await row(created.id);
    expect(after).toMatchObject({
      company: 'Clyde Desktop Ltd',
      website: 'https://clyde.example',
      country: 'United Kingdom',
      regions: ['uk-ireland', 'nordics'],
      status: 'active',
    });
    expect(after!.updatedAt.getTime()).toBeGreaterThan(before!.updatedAt.getTime());
    expect(await skillSlugsOf(created.id)).toEqual(['azure-virtual-desktop', 'windows-365']);
  });

  it('rejects an unknown skill and keeps the old ones', async () => {
    const created = await create();
    const res = await api('PATCH', `/api/partners/${created.id}`, { skills: ['AVD', 'Basket weaving'] });
    expect(res.statusCode).toBe(422);
    const { issues } = res.json<{ error: { issues: Array<{ path: unknown[]; message: string }> } }>().error;
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toEqual(['skills', 1]);
    expect(issues[0]!.message).toMatch(/^unknown skill "Basket weaving"/);
    expect(await skillSlugsOf(created.id)).toEqual(['identity-access-management', 'intune']);
  });

  it('refuses an email another partner has (409)', async () => {
    const a = await create({ email: 'a@tyne.example' });
    const b = await create({ email: 'b@tyne.example' });
    const res = await api('PATCH', `/api/partners/${b.id}`, { email: 'A@Tyne.example' });
    expect(res.statusCode).toBe(409);
    expect((await row(b.id))!.email).toBe('b@tyne.example');
    expect((await row(a.id))!.email).toBe('a@tyne.example');
  });

  it('answers 404 for an unknown id', async () => {
    const res = await api('PATCH', `/api/partners/${UNKNOWN_ID}`, { regions: ['dach'] });
    expect(res.statusCode).toBe(404);
  });
});

describe('DELETE /api/partners/:id', () => {
  it('deactivates the partner and keeps the row', async () => {
    const created = await create({ company: 'Avon Ops' });
    const res = await api('DELETE', `/api/partners/${created.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: created.id, status: 'deactivated' });

    const stored = await row(created.id);
    expect(stored).toMatchObject({ status: 'deactivated', company: 'Avon Ops' });
    expect(stored!.deactivatedAt).toBeInstanceOf(Date);
    expect((await api('GET', `/api/partners/${created.id}`)).json()).toMatchObject({ status: 'deactivated' });
  });

  it('answers 404 for an unknown id', async () => {
    const res = await api('DELETE', `/api/partners/${UNKNOWN_ID}`);
    expect(res.statusCode).toBe(404);
  });
});

describe('GET /api/partners (pagination)', () => {
  it('pages through every partner exactly once, newest first', async () => {
    for (let i = 0; i < 5; i++) await create();
    const all = await t.c.db.selectFrom('partners').select('id').orderBy('createdAt', 'desc').orderBy('id', 'desc').execute();
    expect(all.length).toBeGreaterThanOrEqual(5);

    const seen: string[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page++) {
      const url: string = `/api/partners?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await api('GET', url);
      expect(res.statusCode).toBe(200);
      const body = res.json<{ partners: PartnerJson[]; nextCursor: string | null }>();
      pageSizes.push(body.partners.length);
      seen.push(...body.partners.map((p) => p.id));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(cursor).toBeNull();
    expect(pageSizes.slice(0, -1).every((n) => n === 2)).toBe(true);
    expect(pageSizes.at(-1)).toBeGreaterThan(0);
    expect(seen).toEqual(all.map((r) => r.id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('filters by status', async () => {
    const res = await api('GET', '/api/partners?status=deactivated&limit=200');
    const body = res.json<{ partners: PartnerJson[] }>();
    const deactivated = await t.c.db.selectFrom('partners').select('id').where('status', '=', 'deactivated').execute();
    expect(deactivated.length).toBeGreaterThan(0);
    expect(body.partners.map((p) => p.id).sort()).toEqual(deactivated.map((r) => r.id).sort());
  });

  it('refuses a cursor it did not give out', async () => {
    const res = await api('GET', '/api/partners?cursor=bm90LWEtY3Vyc29y');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'validation_failed', issues: [{ path: ['cursor'] }] } });
  });
});

describe('authorization', () => {
  it('answers 401 without a token, and with a wrong one', async () => {
    const target = await create();
    for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token' }]) {
      expect((await api('GET', '/api/partners', undefined, headers as { authorization: string })).statusCode).toBe(401);
      expect((await api('GET', `/api/partners/${target.id}`, undefined, headers as { authorization: string })).statusCode).toBe(401);
      const del = await api('DELETE', `/api/partners/${target.id}`, undefined, headers as { authorization: string });
      expect(del.statusCode).toBe(401);
      expect(del.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
    expect((await row(target.id))!.status).toBe('active');
  });

  it('answers 403 to a partner API key, which is not the admin token', async () => {
    const owner = await create({ company: 'Key Holder Ltd' });
    const keyRes = await api('POST', `/api/partners/${owner.id}/api-keys`, { label: 'erp' });
    expect(keyRes.statusCode).toBe(201);
    const { key } = keyRes.json<{ key: string }>();
    const asPartner = { authorization: `Bearer ${key}` };

    const list = await api('GET', '/api/partners', undefined, asPartner);
    expect(list.statusCode).toBe(403);
    expect(list.json()).toMatchObject({ error: { code: 'forbidden' } });
    const patch = await api('PATCH', `/api/partners/${owner.id}`, { company: 'Taken Over Ltd' }, asPartner);
    expect(patch.statusCode).toBe(403);
    const newcomer = partner();
    expect((await api('POST', '/api/partners', newcomer, asPartner)).statusCode).toBe(403);
    expect(await t.c.db.selectFrom('partners').select('id').where('email', '=', newcomer.email).execute()).toEqual([]);

    expect((await row(owner.id))!.company).toBe('Key Holder Ltd');
  });
});
