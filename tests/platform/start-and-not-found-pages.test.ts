/**
 * The start page says what the service is and leads to Join and Submit; a page that is not there
 * is an HTML page for a browser (leading back to them) and stays JSON for the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER } from '../support/browser-requests.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack;
beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => {
  await t?.close();
});

const hrefs = (html: string) => [...html.matchAll(/<a [^>]*href="([^"]+)"/g)].map((m) => m[1]);

describe('the start page at /', () => {
  it('says what the service is and leads to Join and Submit, on a page of its own (no redirect)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/', headers: BROWSER });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<h1>Income in your inbox</h1>');
    expect(res.body).toMatch(/partners who have those skills/);
    expect(res.body).toMatch(/weekly digest/);
    expect(res.body).toContain('<a class="button" href="/join">Join as a partner</a>');
    expect(res.body).toContain('<a class="button secondary" href="/submit">Submit an opportunity</a>');
    // Readable on a phone: the layout's viewport, and the buttons stack on a narrow screen.
    expect(res.body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(res.body).toMatch(/@media \(max-width: 560px\) \{.*\.cta a\.button \{ display:block;/);
  });
});

describe('a page that is not there', () => {
  it('is an HTML 404 page for a browser, leading to the start page, Join and Submit', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/no/such/page', headers: BROWSER });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<h1>Page not found</h1>');
    expect(hrefs(res.body)).toEqual(expect.arrayContaining(['/', '/join', '/submit']));
    expect(res.body).toContain('class="button" href="/">Start page</a>');
  });

  it('is JSON for the API and for clients that do not ask for HTML', async () => {
    for (const [url, headers] of [['/api/no-such-thing', BROWSER], ['/no/such/page', { accept: 'application/json' }], ['/no/such/page', {}]] as const) {
      const res = await t.app.inject({ method: 'GET', url, headers });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/^application\/json/);
      expect(res.json(), url).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});
