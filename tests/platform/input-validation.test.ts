import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkPurpose } from '../../src/platform/links/link-tokens.ts';
import { BROWSER, FORM, inAMonth, pathOf } from '../support/browser-requests.ts';
import { addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { createActivePartner, opportunityInput, opportunityPayload, partnerPayload } from '../support/factories.ts';
import { createTestStack, csrfFrom, formBody, type TestStack } from '../support/test-stack.ts';

// Each case below is a request that answered 500 before the edge checked it (issue 10, item 2).

let t: TestStack;
let nextIp = 1;
const freshIp = () => `10.9.${Math.floor(nextIp / 250)}.${nextIp++ % 250}`;
const NUL = '\u0000';

/** A CSRF token and its cookie: the cookie holds the secret, so one page's token serves every form. */
const csrf = async () => csrfFrom(await t.app.inject({ method: 'GET', url: '/join', headers: BROWSER }));

async function postForm(url: string, fields: Record<string, string | string[] | undefined>) {
  const { token, cookie } = await csrf();
  return t.app.inject({ method: 'POST', url, remoteAddress: freshIp(), headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, ...fields }) });
}

/** A JSON body sent to a form route, with a valid CSRF token: only the shape of the fields is wrong. */
async function postJson(url: string, body: Record<string, unknown>) {
  const { token, cookie } = await csrf();
  return t.app.inject({
    method: 'POST',
    url,
    remoteAddress: freshIp(),
    headers: { 'content-type': 'application/json', cookie },
    payload: JSON.stringify({ _csrf: token, ...body }),
  });
}

const issuesOf = (res: { json: () => unknown }) => (res.json() as { error: { issues: Array<{ path: unknown[] }> } }).error.issues;
const partnerNamed = (company: string) => t.c.db.selectFrom('partners').select('id').where('company', '=', company).execute();

const submitFields = (overrides: Record<string, string | string[]> = {}) => ({
  title: 'AKS platform for a machine builder',
  description: 'Move shop-floor applications to Azure Kubernetes Service with a security baseline.',
  requiredSkills: ['kubernetes-on-azure'],
  regions: ['dach'],
  'submitter.name': 'Max Huber',
  'submitter.company': 'Alpenwolke GmbH',
  'submitter.email': 'max@alpenwolke.example',
  ...overrides,
});

const joinFields = (overrides: Record<string, string | string[]> = {}) => ({
  company: 'Fjordsky AS',
  contactName: 'Ingrid Dahl',
  email: `ingrid.${randomUUID().slice(0, 8)}@fjordsky.example`,
  timezone: 'Europe/Oslo',
  regions: ['nordics'],
  skills: ['intune'],
  consent: 'yes',
  ...overrides,
});

const prefsFields = (overrides: Record<string, string | string[]> = {}) => ({
  digestFrequency: 'weekly',
  digestDay: '1',
  digestHour: '8',
  maxItems: '10',
  minScore: '0.2',
  timezone: 'Europe/Berlin',
  regions: ['dach'],
  skills: ['AKS'],
  profile: 'We build Kubernetes platforms.',
  ...overrides,
});

beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => {
  await t?.close();
});

describe('a NUL byte or another control character in a text field', () => {
  it('is a 400 naming the field in the opportunities API, and nothing is stored', async () => {
    for (const [overrides, path] of [
      [{ title: `AKS platform${NUL} for a machine builder` }, ['title']],
      [{ description: `Move shop-floor applications${NUL} to Azure Kubernetes Service.` }, ['description']],
      // Fastify's schema errors give a list index as a string, as they always have.
      [{ requiredSkills: [`kubernetes-on-azure${NUL}`] }, ['requiredSkills', '0']],
      [{ submitter: { name: 'Max\u001bHuber', company: 'Alpenwolke GmbH', email: 'max@alpenwolke.example' } }, ['submitter', 'name']],
    ] as const) {
      const res = await t.app.inject({ method: 'POST', url: '/api/opportunities', headers: t.adminHeaders, payload: opportunityPayload(overrides) });
      expect(res.statusCode, JSON.stringify(overrides)).toBe(400);
      expect(issuesOf(res), JSON.stringify(issuesOf(res))).toContainEqual(expect.objectContaining({ path, message: 'must not contain control characters' }));
    }
  });

  it('keeps line breaks and tabs in a multi-line field', async () => {
    const description = 'Move shop-floor applications\r\n\tto Azure Kubernetes Service with a baseline.';
    const res = await t.app.inject({ method: 'POST', url: '/api/opportunities', headers: t.adminHeaders, payload: opportunityPayload({ description }) });
    expect(res.statusCode).toBe(201);
  });

  it('is a 400 naming the field in the partners API (create, update, API key label)', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/partners',
      headers: t.adminHeaders,
      payload: partnerPayload({ email: 'nul@kubeworks.example', company: `Kube${NUL}works`, profile: `We build${NUL} platforms.` }),
    });
    expect(created.statusCode).toBe(400);
    expect(issuesOf(created).map((i) => i.path)).toEqual(expect.arrayContaining([['company'], ['profile']]));

    const p = await createActivePartner(t);
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/partners/${p.id}`, headers: t.adminHeaders, payload: { contactName: `Jana${NUL}` } });
    expect(patched.statusCode).toBe(400);
    expect(issuesOf(patched)).toContainEqual(expect.objectContaining({ path: ['contactName'] }));

    const key = await t.app.inject({ method: 'POST', url: `/api/partners/${p.id}/api-keys`, headers: t.adminHeaders, payload: { label: `ci${NUL}` } });
    expect(key.statusCode).toBe(400);
    expect(issuesOf(key)).toContainEqual(expect.objectContaining({ path: ['label'] }));
  });

  it('is a field error on /submit and /join', async () => {
    const submitted = await postForm('/submit', submitFields({ title: `AKS platform${NUL} for a machine builder` }));
    expect(submitted.statusCode).toBe(400);
    expect(submitted.body).toContain('must not contain control characters');

    const joined = await postForm('/join', joinFields({ company: `Fjord${NUL}sky AS`, email: 'nul.join@fjordsky.example' }));
    expect(joined.statusCode).toBe(400);
    expect(joined.body).toContain('must not contain control characters');
    expect(await t.c.db.selectFrom('partners').select('id').where('email', '=', 'nul.join@fjordsky.example').execute()).toEqual([]);
  });

  it('is a field error on the preferences page and the email draft page', async () => {
    const p = await createActivePartner(t);
    const prefs = await postForm(pathOf(t.c.links.preferences(p.id)), prefsFields({ profile: `We build${NUL} platforms.` }));
    expect(prefs.statusCode).toBe(400);
    expect(prefs.body).toContain('must not contain control characters');

    const { opportunity } = await t.c.opportunities.submit({ source: 'form', input: opportunityInput() });
    const draft = await postForm(pathOf(t.c.links.emailDraft(opportunity.id)), submitFields({ description: `A machine builder${NUL} moves to AKS with single sign-on.` }));
    expect(draft.statusCode).toBe(400);
    expect(draft.body).toContain('must not contain control characters');
  });
});

describe('dates out of range', () => {
  it('are a 400 naming the field: year 0, before 2000, after 2100', async () => {
    for (const [overrides, path] of [
      [{ startDate: '0000-01-01' }, ['startDate']],
      [{ startDate: '1999-12-31' }, ['startDate']],
      [{ expiresAt: '0000-01-01T00:00:00Z' }, ['expiresAt']],
      [{ expiresAt: '2101-01-01' }, ['expiresAt']],
    ] as const) {
      const res = await t.app.inject({ method: 'POST', url: '/api/opportunities', headers: t.adminHeaders, payload: opportunityPayload(overrides) });
      expect(res.statusCode, JSON.stringify(overrides)).toBe(400);
      expect(issuesOf(res)).toContainEqual(expect.objectContaining({ path }));
    }
  });

  it('are a field error on /submit', async () => {
    const res = await postForm('/submit', submitFields({ startDate: '0000-01-01' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('must be between 2000-01-01 and 2100-12-31');
  });
});

describe('a forged cursor on GET /api/partners', () => {
  const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('is a 400 naming the cursor: out-of-range bigint, not a uuid, garbage', async () => {
    const uuid = randomUUID();
    for (const cursor of [
      cursorOf(['99999999999999999999', uuid]),
      cursorOf(['9223372036854775808', uuid]),
      cursorOf(['1', '------------------------------------']),
      cursorOf(['1', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz']),
      cursorOf({ a: 1 }),
      cursorOf(null),
      '%%%not-base64%%%',
      '',
    ]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/partners?cursor=${encodeURIComponent(cursor)}`, headers: t.adminHeaders });
      if (cursor === '') continue; // an empty cursor is no cursor: the first page
      expect(res.statusCode, cursor).toBe(400);
      expect(issuesOf(res)).toContainEqual(expect.objectContaining({ path: ['cursor'] }));
    }
  });

  it('still pages with the cursor it gave out', async () => {
    await createActivePartner(t);
    await createActivePartner(t);
    const first = await t.app.inject({ method: 'GET', url: '/api/partners?limit=1', headers: t.adminHeaders });
    const { nextCursor } = first.json<{ nextCursor: string }>();
    const second = await t.app.inject({ method: 'GET', url: `/api/partners?limit=1&cursor=${nextCursor}`, headers: t.adminHeaders });
    expect(second.statusCode).toBe(200);
  });
});

describe('JSON shapes a form does not take', () => {
  it('are a 400 on every form route, naming the field, and nothing is written', async () => {
    const p = await addPartner(t, 'shapes', ['kubernetes-on-azure']);
    const o = await addOpportunity(t, 'AKS platform for shapes', ['kubernetes-on-azure']);
    const { opportunity: draft } = await t.c.opportunities.submit({ source: 'form', input: opportunityInput() });
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['/submit', { ...submitFields(), title: 12345 }, 'title'],
      ['/join', { ...joinFields({ company: 'Shapes AS' }), skills: { $ne: 1 } }, 'skills'],
      [pathOf(t.c.links.interest(p, o, inAMonth())), { note: { text: 'hello' } }, 'note'],
      [pathOf(t.c.links.notRelevant(p, o, inAMonth())), { reason: 7 }, 'reason'],
      [pathOf(t.c.links.preferences(p)), { ...prefsFields(), profile: ['a', ['b']] }, 'profile'],
      [`${pathOf(t.c.links.opportunityStatus(o, inAMonth()))}/introduce`, { interest: 1 }, 'interest'],
      [`${pathOf(t.c.links.opportunityStatus(o, inAMonth()))}/end`, { end: { closed: true } }, 'end'],
      [pathOf(t.c.links.emailDraft(draft.id)), { ...submitFields(), description: 42 }, 'description'],
    ];
    for (const [url, body, field] of cases) {
      const res = await postJson(url, body);
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ error: { code: 'validation_failed', message: 'The form sent something we do not understand' } });
      expect(issuesOf(res), url).toEqual([{ path: [field], message: 'must be text' }]);
    }
    expect(await partnerNamed('Shapes AS')).toEqual([]);
    const interests = await t.c.db.selectFrom('interests').select('id').where('partnerId', '=', p).execute();
    expect(interests).toEqual([]);
  });
});

describe('two /join posts with the same new address at once', () => {
  it('both answer as a second sign-up would: one partner, no 500', async () => {
    const fields = joinFields({ company: 'Racing AS' });
    const [a, b] = await Promise.all([postForm('/join', fields), postForm('/join', fields)]);
    expect([a.statusCode, b.statusCode]).toEqual([303, 303]);
    expect(a.headers.location).toBe('/join/sent');
    expect(b.headers.location).toBe('/join/sent');
    expect(await partnerNamed('Racing AS')).toHaveLength(1);
  });

  it('the service answers the racing sign-up as it answers a second one', async () => {
    const input = { company: 'Racing Two AS', contactName: 'Ingrid', email: 'race2@fjordsky.example', regions: ['nordics' as const], remoteOk: true, timezone: 'UTC', skills: ['intune'] };
    const outcomes = await Promise.all([t.c.partners.signUp(input), t.c.partners.signUp(input)]);
    expect(outcomes.sort()).toEqual(['confirmation-resent', 'created']);
  });
});

describe('a well-signed token whose subject is not what its purpose names', () => {
  const routes: Array<{ purpose: LinkPurpose; paths: (token: string) => Array<[method: 'GET' | 'POST', url: string]> }> = [
    { purpose: 'confirm-partner', paths: (k) => [['GET', `/join/confirm/${k}`], ['POST', `/join/confirm/${k}`]] },
    { purpose: 'confirm-opportunity', paths: (k) => [['GET', `/submit/confirm/${k}`], ['POST', `/submit/confirm/${k}`]] },
    { purpose: 'opportunity-status', paths: (k) => [['GET', `/o/${k}`], ['GET', `/o/${k}/end?as=closed`], ['POST', `/o/${k}/end`], ['GET', `/o/${k}/undo`], ['POST', `/o/${k}/undo`], ['POST', `/o/${k}/introduce`]] },
    { purpose: 'email-draft', paths: (k) => [['GET', `/e/${k}`], ['POST', `/e/${k}`]] },
    { purpose: 'preferences', paths: (k) => [['GET', `/p/${k}`], ['POST', `/p/${k}`]] },
    { purpose: 'interest', paths: (k) => [['GET', `/i/${k}`], ['POST', `/i/${k}`]] },
    { purpose: 'not-relevant', paths: (k) => [['GET', `/n/${k}`], ['POST', `/n/${k}`]] },
    { purpose: 'unsubscribe', paths: (k) => [['GET', `/u/${k}`], ['POST', `/u/${k}/less-often`], ['POST', `/u/${k}/pause`]] },
  ];

  it('gets the "bad link" page on every token route, GET and POST', async () => {
    const { token, cookie } = await csrf();
    for (const { purpose, paths } of routes) {
      for (const subject of ['not-a-uuid', `${randomUUID()}${NUL}`, "1' OR '1'='1"]) {
        for (const [method, url] of paths(t.c.signer.sign(purpose, subject, 3600))) {
          const res = await t.app.inject({
            method,
            url,
            headers: method === 'POST' ? { ...FORM, cookie } : BROWSER,
            payload: method === 'POST' ? formBody({ _csrf: token, end: 'closed', reason: 'skills', interest: randomUUID() }) : undefined,
          });
          expect(res.statusCode, `${method} ${url} (${purpose}, ${JSON.stringify(subject)})`).toBe(400);
          expect(res.body).toContain('This link does not work');
        }
      }
    }
  });

  it('unsubscribes nobody from a one-click POST whose subject is not an address', async () => {
    const res = await t.app.inject({ method: 'POST', url: `/u/${t.c.signer.sign('unsubscribe', `a${NUL}@b.example`, 3600)}`, headers: FORM, payload: '' });
    expect(res.statusCode).toBe(200);
    expect(await t.c.db.selectFrom('suppressions').select('email').execute()).toEqual([]);
  });
});
