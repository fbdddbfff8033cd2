import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installLinkPageHooks } from '../../src/platform/links/link-page-hooks.ts';
import { isTokenPath, LINK_PATHS, redactUrl } from '../../src/platform/links/link-paths.ts';
import type { LinkPurpose } from '../../src/platform/links/link-tokens.ts';
import { createLogger } from '../../src/platform/logging/logger.ts';
import { BROWSER, FORM, pathOf } from '../support/browser-requests.ts';
import { addOpportunity } from '../support/digest-fixtures.ts';
import { createActivePartner } from '../support/factories.ts';
import { createTestStack, csrfFrom, formBody, tamper, type TestStack } from '../support/test-stack.ts';

const purposes = Object.keys(LINK_PATHS) as LinkPurpose[];

describe('redacting a request URL', () => {
  it('hides the token after every link path, and keeps what follows it', () => {
    for (const path of Object.values(LINK_PATHS)) {
      expect(redactUrl(`${path}/abc.DEF_1-x.sig?x=1`)).toBe(`${path}/[redacted]?x=1`);
    }
    expect(redactUrl('/o/abc.def.ghi/introduce')).toBe('/o/[redacted]/introduce');
    expect(redactUrl('/u/abc.def.ghi/less-often')).toBe('/u/[redacted]/less-often');
  });

  it('hides a token the router would still find: percent-encoded, in another case, behind a doubled slash', () => {
    expect(redactUrl('/%70/abc.def.ghi')).toBe('/p/[redacted]');
    expect(redactUrl('/JOIN/Confirm/abc.def.ghi')).toBe('/JOIN/Confirm/[redacted]');
    expect(redactUrl('//p/abc.def.ghi')).toBe('//p/[redacted]');
  });

  it('hides credential query parameters and any fragment, and leaves other URLs alone', () => {
    expect(redactUrl('/join/confirm?token=abc.def.ghi&lang=de')).toBe('/join/confirm?token=[redacted]&lang=de');
    expect(redactUrl('/inbound/raw?to=a%40b&key=s3cret&from=c')).toBe('/inbound/raw?to=a%40b&key=[redacted]&from=c');
    expect(redactUrl('/x?api_key=1&%6Bey=2&Access_Token=3&q=key')).toBe('/x?api_key=[redacted]&%6Bey=[redacted]&Access_Token=[redacted]&q=key');
    expect(redactUrl('/u/abc#frag')).toBe('/u/[redacted]#[redacted]');
    for (const url of ['/join', '/submit/sent', '/api/partners?cursor=abc&limit=5', '/pricing/x', '/docs/json']) {
      expect(redactUrl(url)).toBe(url);
    }
  });

  it('is the request serializer of the service logger', () => {
    const serializers = (createLogger('silent') as unknown as Record<symbol, { req: (r: { url: string }) => { url: string } }>)[pino.symbols.serializersSym]!;
    expect(serializers.req({ url: '/p/abc.def.ghi?token=x' }).url).toBe('/p/[redacted]?token=[redacted]');
  });

  it('censors credential keys in any logged object, at the top and one level down', () => {
    let line = '';
    const log = createLogger('info', { write: (l: string) => void (line += l) });
    log.info({ token: 'tok-1', key: 'key-1', headers: { authorization: 'Bearer adm-1', cookie: 'p2p_csrf=c-1' }, partner: { apiKey: 'api-1' } }, 'x');
    for (const secret of ['tok-1', 'key-1', 'adm-1', 'c-1', 'api-1']) expect(line).not.toContain(secret);
    expect(line).toContain('[redacted]');
  });

  it('knows a token page by its path only', () => {
    expect(isTokenPath('/p/abc')).toBe(true);
    expect(isTokenPath('/o/abc/introduce?x')).toBe(true);
    expect(isTokenPath('/join/confirm')).toBe(false);
    expect(isTokenPath('/pricing')).toBe(false);
  });
});

describe('a route that takes a link token', () => {
  it('cannot be registered outside LINK_PATHS', async () => {
    const app = Fastify();
    installLinkPageHooks(app);
    app.get('/p/:token', async () => 'ok');
    expect(() => app.get('/x/:token', async () => 'no')).toThrow(/not in LINK_PATHS/);
    await app.close();
  });
});

/** Every route of the app whose path takes a `:token`, with its methods (from Fastify's route tree). */
function tokenRoutes(tree: string): Array<{ url: string; methods: string[] }> {
  const stack: string[] = [];
  const routes: Array<{ url: string; methods: string[] }> = [];
  for (const line of tree.split('\n')) {
    // Each level indents by four characters; a node's text continues its parent's path.
    const m = line.match(/^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([^)]+)\))?$/);
    if (!m) continue;
    const depth = [...m[1]!].length / 4;
    const url = (stack[depth - 1] ?? '') + m[2]!;
    stack[depth] = url;
    stack.length = depth + 1;
    if (m[3] && url.includes(':token')) routes.push({ url, methods: m[3].split(', ').filter((x) => x !== 'HEAD') });
  }
  return routes;
}

describe('pages behind a token', () => {
  let t: TestStack;
  const tokens = new Map<LinkPurpose, string>();

  beforeAll(async () => {
    t = await createTestStack();
    const partner = await createActivePartner(t);
    const opportunityId = await addOpportunity(t, 'AKS platform for a bank', ['aks']);
    const subjects: Record<LinkPurpose, string> = {
      'confirm-partner': partner.id,
      'confirm-opportunity': opportunityId,
      'email-draft': opportunityId,
      'opportunity-status': opportunityId,
      unsubscribe: partner.email,
      preferences: partner.id,
      interest: `${partner.id}:${opportunityId}`,
      'not-relevant': `${partner.id}:${opportunityId}`,
      'admin-sign-in': randomUUID(),
      outcome: randomUUID(),
    };
    for (const purpose of purposes) tokens.set(purpose, t.c.signer.sign(purpose, subjects[purpose], 86_400));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('are every :token route of the app, each under a path of LINK_PATHS', () => {
    const routes = tokenRoutes(t.app.printRoutes({ commonPrefix: false }));
    expect(routes.length).toBeGreaterThanOrEqual(purposes.length);
    for (const purpose of purposes) expect(routes.map((r) => r.url)).toContain(`${LINK_PATHS[purpose]}/:token`);
  });

  it('answer Cache-Control: no-store to GET and POST, with a good token, a tampered one and an expired one', async () => {
    const routes = tokenRoutes(t.app.printRoutes({ commonPrefix: false }));
    const missing: string[] = [];
    for (const route of routes) {
      const purpose = purposes.find((p) => route.url.startsWith(`${LINK_PATHS[p]}/:token`))!;
      const good = tokens.get(purpose)!;
      const expired = t.c.signer.sign(purpose, 'x', -10);
      for (const [label, token] of [['good', good], ['tampered', tamper(good)], ['expired', expired]] as const) {
        for (const method of route.methods) {
          const url = route.url.replace(':token', token);
          const res = await t.app.inject({ method: method as 'GET' | 'POST', url, headers: method === 'GET' ? BROWSER : FORM, payload: method === 'GET' ? undefined : '' });
          expect(res.statusCode, `${method} ${route.url} (${label})`).toBeLessThan(500);
          if (res.headers['cache-control'] !== 'no-store') missing.push(`${method} ${route.url} (${label}): ${res.statusCode} ${String(res.headers['cache-control'])}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('a good page with a real subject is a page, and not cached', async () => {
    for (const purpose of ['preferences', 'opportunity-status', 'unsubscribe'] as const) {
      const res = await t.app.inject({ method: 'GET', url: `${LINK_PATHS[purpose]}/${tokens.get(purpose)!}`, headers: BROWSER });
      expect(res.statusCode, purpose).toBe(200);
      expect(res.headers['cache-control'], purpose).toBe('no-store');
    }
    // The answer to the page's own POST, CSRF token and all, is not cached either.
    const path = `${LINK_PATHS['opportunity-status']}/${tokens.get('opportunity-status')!}/end`;
    const { token, cookie } = csrfFrom(await t.app.inject({ method: 'GET', url: `${path}?as=closed`, headers: BROWSER }));
    const posted = await t.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token }) });
    expect(posted.statusCode).toBeLessThan(500);
    expect(posted.statusCode).not.toBe(403);
    expect(posted.headers['cache-control']).toBe('no-store');
  });

  it('leaves pages without a token cacheable as before', async () => {
    const res = await t.app.inject({ method: 'GET', url: pathOf('http://p2p.test/static/forms.js') });
    expect(res.headers['cache-control']).toBe('public, max-age=300');
  });
});
