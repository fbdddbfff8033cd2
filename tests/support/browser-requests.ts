import type { TestStack } from './test-stack.ts';

/** What a browser asks for when it loads a page: errors come back as an HTML page, not JSON. */
export const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/**
 * What a browser sends when it submits one of our forms. A one-button form (no fields) sends
 * this with an empty body: no cookies, no CSRF token.
 */
export const FORM = { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' };

/** The path of a link we email: tests inject requests, so its host does not matter. */
export const pathOf = (url: string) => new URL(url).pathname;

/** An expiry a month away: long enough for any test, as a digest's links are. */
export const inAMonth = () => new Date(Date.now() + 30 * 86_400_000);

/**
 * Paths of the signed pages a partner reaches from our mail, signed by the file's stack (read
 * when called: the stack is built in beforeAll).
 */
export function partnerPagePaths(stack: () => TestStack) {
  return {
    interestPath: (partnerId: string, opportunityId: string) => pathOf(stack().c.links.interest(partnerId, opportunityId, inAMonth())),
    notRelevantPath: (partnerId: string, opportunityId: string) => pathOf(stack().c.links.notRelevant(partnerId, opportunityId, inAMonth())),
    unsubscribePath: (email: string) => pathOf(stack().c.links.unsubscribe(email)),
  };
}
