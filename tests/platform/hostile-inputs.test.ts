import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkPurpose } from '../../src/platform/links/link-tokens.ts';
import { routesOf, PURPOSE_BY_PREFIX } from '../support/app-routes.ts';
import { BROWSER } from '../support/browser-requests.ts';
import { addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { opportunityInput, partnerInput } from '../support/factories.ts';
import { createTestStack, csrfFrom, formBody, type TestStack } from '../support/test-stack.ts';

/**
 * Every route the app registers, walked with the same hostile inputs (NUL strings, huge numbers,
 * wrong JSON types, year-0 dates, forged cursors, non-uuid params and token subjects): none may
 * answer 5xx. The routes come from the app itself, so a new route is walked without a change here.
 * Bounded: a fixed set of inputs, about 1,600 requests, a few seconds.
 */

let t: TestStack;

/** Every field name a form or a JSON body of ours takes: hostile bodies fill each one. */
const FIELDS = [
  'title', 'description', 'requiredSkills', 'niceToHaveSkills', 'regions', 'remote', 'budgetMin', 'budgetMax', 'currency',
  'startDate', 'expiresAt', 'anonymous', 'submitter', 'submitter.name', 'submitter.company', 'submitter.email',
  'company', 'contactName', 'email', 'website', 'country', 'remoteOk', 'timezone', 'skills', 'profile', 'consent', 'status',
  'digestFrequency', 'digestDay', 'digestHour', 'maxItems', 'minScore', 'note', 'action', 'reason', 'interest', 'end', 'label',
];

const NUL_TEXT = 'hostile\u0000text\u001b[31m';
const fill = (value: unknown) => Object.fromEntries(FIELDS.map((f) => [f, value]));
const forgedCursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** JSON bodies: each is one kind of hostility over every field. */
const JSON_BODIES: unknown[] = [
  fill(NUL_TEXT),
  fill([NUL_TEXT, NUL_TEXT]),
  fill(1e308),
  fill(-1e20),
  fill({ $gt: '' }),
  fill([[1], { a: 1 }]),
  fill('0000-01-01'),
  { ...fill(null), startDate: '0000-01-01', expiresAt: '0000-01-01T00:00:00Z', submitter: { name: NUL_TEXT, company: 1, email: [] } },
  [1, 2, 3],
  123,
  'just a string',
];

/** urlencoded bodies, as a crafted form post sends them. */
const FORM_BODIES: Array<Record<string, string | string[]>> = [
  fill(NUL_TEXT) as Record<string, string>,
  { ...(fill('99999999999999999999999') as Record<string, string>), startDate: '0000-01-01', expiresAt: '0000-01-01' },
  fill(['a', NUL_TEXT]) as Record<string, string[]>,
];

const QUERIES = [
  `cursor=${forgedCursor(['99999999999999999999', randomUUID()])}&limit=99999999999999999999`,
  `cursor=${forgedCursor(['1', '------------------------------------'])}&status=%00`,
  'cursor=%00%00&limit=-1&raw=%00&part=%00',
  'limit=1e309&status=published%00',
];

let nextIp = 1;
const freshIp = () => `10.77.${Math.floor(nextIp / 250) % 250}.${nextIp++ % 250}`;

/** Values for each route's parameters: well-formed ones for rows that exist, and hostile ones. */
interface Live {
  tokens: Record<LinkPurpose, string>;
  partnerId: string;
  opportunityId: string;
}

function paramValues(url: string, live: Live): string[] {
  const prefix = url.split('/')[1] ?? '';
  if (url.includes(':token')) {
    const purpose = PURPOSE_BY_PREFIX[prefix]!;
    return [
      live.tokens[purpose],
      t.c.signer.sign(purpose, 'not-a-uuid', 3600),
      t.c.signer.sign(purpose, `${randomUUID()}\u0000`, 3600),
      'a.b.c',
      '%00',
    ];
  }
  if (url.includes(':id')) {
    const id = url.startsWith('/api/partners') ? live.partnerId : live.opportunityId;
    return [id, randomUUID(), 'not-a-uuid', '99999999999999999999', '%00'];
  }
  if (url.includes(':name')) return ['x.eml', '%00.eml'];
  return [''];
}

const fillParams = (url: string, value: string) => url.replace(/:[a-z]+/g, value).replace('*', 'x');

beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => {
  await t?.close();
});

describe('every route under hostile input', () => {
  it('finds the routes in the app', () => {
    const routes = routesOf(t.app.printRoutes({ commonPrefix: false }));
    expect(routes).toEqual(expect.arrayContaining([{ method: 'POST', url: '/submit' }, { method: 'POST', url: '/o/:token/introduce' }, { method: 'GET', url: '/api/partners' }]));
  });

  it('answers no request with a 5xx', { timeout: 120_000 }, async () => {
    const partnerId = await addPartner(t, 'walker', ['kubernetes-on-azure']);
    const opportunityId = await addOpportunity(t, 'AKS platform the walker visits', ['kubernetes-on-azure']);
    const { opportunity: pendingOpportunity } = await t.c.opportunities.submit({ source: 'form', input: opportunityInput() });
    await t.c.partners.signUp(partnerInput('walker-pending', ['intune']));
    const pendingPartner = (await t.c.partners.findRowByEmail('walker-pending@partners.example'))!;
    const sign = (purpose: LinkPurpose, subject: string) => t.c.signer.sign(purpose, subject, 3600);
    const live: Live = {
      partnerId,
      opportunityId,
      tokens: {
        'confirm-partner': sign('confirm-partner', pendingPartner.id),
        'confirm-opportunity': sign('confirm-opportunity', pendingOpportunity.id),
        'opportunity-status': sign('opportunity-status', opportunityId),
        'email-draft': sign('email-draft', pendingOpportunity.id),
        preferences: sign('preferences', partnerId),
        interest: sign('interest', `${partnerId}:${opportunityId}`),
        'not-relevant': sign('not-relevant', `${partnerId}:${opportunityId}`),
        unsubscribe: sign('unsubscribe', 'walker-unsubscribe@partners.example'),
        'admin-sign-in': sign('admin-sign-in', randomUUID()),
        outcome: sign('outcome', randomUUID()),
      },
    };
    const { token: csrfToken, cookie } = csrfFrom(await t.app.inject({ method: 'GET', url: '/join', headers: BROWSER }));
    const headers = { ...t.adminHeaders, cookie, 'x-csrf-token': csrfToken };

    const failures: string[] = [];
    let requests = 0;
    const send = async (method: string, url: string, body?: { type: string; payload: string }) => {
      requests++;
      const res = await t.app.inject({
        method: method as 'GET',
        url,
        remoteAddress: freshIp(),
        headers: body ? { ...headers, 'content-type': body.type } : headers,
        payload: body?.payload,
      });
      if (res.statusCode >= 500) failures.push(`${res.statusCode} ${method} ${url} ${body?.payload.slice(0, 120) ?? ''}`);
    };

    const routes = routesOf(t.app.printRoutes({ commonPrefix: false }));
    expect(routes.length).toBeGreaterThan(30);
    for (const route of routes) {
      for (const value of paramValues(route.url, live)) {
        const url = fillParams(route.url, value);
        if (route.method === 'GET') {
          await send('GET', url);
          for (const query of QUERIES) await send('GET', `${url}?${query}`);
          continue;
        }
        await send(route.method, url);
        for (const body of JSON_BODIES) await send(route.method, url, { type: 'application/json', payload: JSON.stringify(body) });
        for (const fields of FORM_BODIES) {
          await send(route.method, url, { type: 'application/x-www-form-urlencoded', payload: formBody({ _csrf: csrfToken, ...fields }) });
        }
      }
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(1_000);
  });
});
