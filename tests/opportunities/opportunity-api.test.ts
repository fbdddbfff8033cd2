import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, eventually, type TestStack } from '../support/test-stack.ts';
import { opportunityPayload, partnerPayload } from '../support/factories.ts';

let t: TestStack;

const partner = (overrides: Record<string, unknown> = {}) => partnerPayload({ skills: ['AKS', 'Entra ID'], ...overrides });
const opportunity = opportunityPayload;

beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => {
  await t?.close();
});

describe('POST /api/partners (admin)', () => {
  it('creates an active partner, resolving skills by synonym', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/partners', headers: t.adminHeaders, payload: partner() });
    expect(res.statusCode).toBe(201);
    const body = res.json<{ id: string; status: string; skills: Array<{ slug: string }> }>();
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.status).toBe('active');
    expect(body.skills.map((s) => s.slug).sort()).toEqual(['identity-access-management', 'kubernetes-on-azure']);
  });

  it('rejects unknown skills with 422, the offending item named', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/partners',
      headers: t.adminHeaders,
      payload: partner({ email: 'x@y.example', skills: ['AKS', 'Underwater basket weaving'] }),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      error: { code: 'unknown_skills', issues: [{ path: ['skills', 1], message: expect.stringMatching(/^unknown skill "Underwater basket weaving"/) as string }] },
    });
  });

  it('needs the admin token', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/partners', payload: partner() });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });
});

describe('POST /api/opportunities', () => {
  it('refuses callers without a key', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/opportunities', payload: opportunity() });
    expect(res.statusCode).toBe(401);
  });

  it('answers a bad body with every issue, in the documented error shape', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/opportunities',
      headers: t.adminHeaders,
      payload: { title: 'x', requiredSkills: [], submitter: { email: 'nope' } },
    });
    expect(res.statusCode).toBe(400);
    const { error } = res.json<{ error: { code: string; issues: Array<{ path: string[] }> } }>();
    expect(error.code).toBe('validation_failed');
    const paths = error.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['title', 'description', 'requiredSkills', 'submitter.email']));
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/opportunities',
      headers: { ...t.adminHeaders, 'content-type': 'application/json' },
      payload: '{"title": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toHaveProperty('error.code');
  });

  it('creates one opportunity per Idempotency-Key, and refuses the key for another body', async () => {
    const headers = { ...t.adminHeaders, 'idempotency-key': 'req-42' };
    const first = await t.app.inject({ method: 'POST', url: '/api/opportunities', headers, payload: opportunity() });
    const second = await t.app.inject({ method: 'POST', url: '/api/opportunities', headers, payload: opportunity() });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json<{ id: string }>().id).toBe(first.json<{ id: string }>().id);
    expect(second.headers['idempotent-replayed']).toBe('true');
    const rows = await t.c.db.selectFrom('opportunities').select('id').where('idempotencyKey', '=', 'admin:req-42').execute();
    expect(rows).toHaveLength(1);

    const other = await t.app.inject({ method: 'POST', url: '/api/opportunities', headers, payload: opportunity({ title: 'Something else entirely' }) });
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ error: { code: 'idempotency_key_reused' } });
  });

  it('lets a partner submit with its own API key, straight to publication', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/partners',
      headers: t.adminHeaders,
      payload: partner({ company: 'Alpenwolke GmbH', email: 'max@alpenwolke.example', skills: ['Business Central'] }),
    });
    const partnerId = created.json<{ id: string }>().id;
    const keyRes = await t.app.inject({ method: 'POST', url: `/api/partners/${partnerId}/api-keys`, headers: t.adminHeaders, payload: { label: 'erp' } });
    expect(keyRes.statusCode).toBe(201);
    const { key } = keyRes.json<{ key: string }>();

    const res = await t.app.inject({
      method: 'POST',
      url: '/api/opportunities',
      headers: { authorization: `Bearer ${key}` },
      payload: opportunity({ title: 'Second AKS project for the same customer' }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'published' });

    const stranger = await t.app.inject({
      method: 'POST',
      url: '/api/opportunities',
      headers: { authorization: `Bearer ${key}` },
      payload: opportunity({ submitter: { name: 'Eve', company: 'Elsewhere', email: 'eve@elsewhere.example' } }),
    });
    expect(stranger.statusCode).toBe(400);

    const forged = await t.app.inject({
      method: 'POST',
      url: '/api/opportunities',
      headers: { authorization: `Bearer ${key}x` },
      payload: opportunity(),
    });
    expect(forged.statusCode).toBe(401);
  });

  it('is stored, queued and matched, and the matches explain themselves', async () => {
    t.startBackground();
    const res = await t.app.inject({ method: 'POST', url: '/api/opportunities', headers: t.adminHeaders, payload: opportunity({ title: 'Third: AKS in Munich' }) });
    const { id } = res.json<{ id: string }>();
    await eventually(async () => (await t.c.opportunities.getRow(id)).matchedAt);

    const matches = await t.app.inject({ method: 'GET', url: `/api/opportunities/${id}/matches`, headers: t.adminHeaders });
    expect(matches.statusCode).toBe(200);
    const body = matches.json<{ matches: Array<{ company: string; score: number; reasons: string[] }> }>();
    expect(body.matches.map((m) => m.company)).toEqual(['Kubeworks GmbH']);
    expect(body.matches[0]!.reasons).toContain('Matches their skills: Identity and Access Management, Kubernetes on Microsoft Azure');
    expect(body.matches[0]!.reasons).toContain('Serves DACH (Germany, Austria, Switzerland)');

    const detail = await t.app.inject({ method: 'GET', url: `/api/opportunities/${id}`, headers: t.adminHeaders });
    expect(detail.json()).toMatchObject({ id, status: 'published', matchCount: 1 });

    // The receipt reached the submitter over SMTP, with a plain-text part and one-click unsubscribe.
    const receipt = await t.smtp.waitFor((m) => m.parsed.subject === 'Received: Third: AKS in Munich');
    expect(receipt.envelope.to).toEqual(['max@alpenwolke.example']);
    expect(receipt.parsed.text).toContain('/o/');
    expect(receipt.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(receipt.raw).toMatch(/^List-Unsubscribe:\s+<http:\/\/p2p\.test\/u\/[\w.-]+>/m);
  });

  it('lists opportunities for the admin, newest first, with match counts', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/opportunities?limit=2', headers: t.adminHeaders });
    expect(res.statusCode).toBe(200);
    const { opportunities } = res.json<{ opportunities: Array<{ title: string; matchCount: number }> }>();
    expect(opportunities).toHaveLength(2);
    expect(opportunities[0]).toMatchObject({ title: 'Third: AKS in Munich', matchCount: 1 });
    const bad = await t.app.inject({ method: 'GET', url: '/api/opportunities?status=lost', headers: t.adminHeaders });
    expect(bad.statusCode).toBe(400);
  });

  it('serves an OpenAPI document generated from the schemas', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ paths: Record<string, Record<string, { requestBody?: unknown }>> }>();
    expect(doc.paths['/api/opportunities']?.post?.requestBody).toBeDefined();
    expect(doc.paths['/api/opportunities/{id}/matches']).toBeDefined();
    expect(JSON.stringify(doc.paths['/api/opportunities']?.post)).toContain('requiredSkills');
  });
});
