import type { LinkPurpose } from './link-tokens.ts';

/**
 * Where each kind of emailed link lives: `<path>/<token>`. One table for the URLs we build
 * (links.ts), the log's redaction and the pages' `Cache-Control: no-store`: a new purpose does not
 * compile until it has a path here, and a `:token` route outside this table fails at start.
 */
export const LINK_PATHS = {
  'confirm-partner': '/join/confirm',
  'confirm-opportunity': '/submit/confirm',
  'email-draft': '/e',
  'opportunity-status': '/o',
  unsubscribe: '/u',
  preferences: '/p',
  interest: '/i',
  'not-relevant': '/n',
  outcome: '/w',
  'admin-sign-in': '/admin/sign-in',
} as const satisfies Record<LinkPurpose, string>;

export const REDACTED = '[redacted]';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Longest first, so '/join/confirm' is tried before any shorter path it could share a start with.
const alternatives = Object.values(LINK_PATHS)
  .sort((a, b) => b.length - a.length)
  .map(escapeRegExp)
  .join('|');

/**
 * The token segment after any link path, anywhere in a path: a request the router would not take
 * (`//p/<token>`, `/x/p/<token>`) still carries someone's token, so it is hidden as well.
 */
const TOKEN_SEGMENT = new RegExp(`(${alternatives})/[^/?#]+`, 'gi');
const TOKEN_PATH = new RegExp(`^(?:${alternatives})/[^/?#]+`, 'i');

/** Query parameters whose value is a credential: `token`, `key`, and names ending so (`api_key`). */
const SECRET_PARAM = /(token|key|secret|signature|password)$/i;

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      const name = pair.slice(0, eq);
      return SECRET_PARAM.test(decoded(name.replace(/\+/g, ' ')).trim()) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
}

/**
 * A request URL as it may be logged: link tokens in the path and credential query parameters
 * replaced by `[redacted]`, any fragment dropped. The path is percent-decoded first, because the
 * router decodes it too (`/%70/<token>` opens the preferences page).
 */
export function redactUrl(url: string): string {
  const hash = url.indexOf('#');
  const withoutHash = hash === -1 ? url : url.slice(0, hash);
  const q = withoutHash.indexOf('?');
  const path = q === -1 ? withoutHash : withoutHash.slice(0, q);
  const query = q === -1 ? undefined : withoutHash.slice(q + 1);
  const plain = decoded(path);
  const redacted = plain.replace(TOKEN_SEGMENT, `$1/${REDACTED}`);
  const safePath = redacted === plain ? path : redacted;
  return `${safePath}${query === undefined ? '' : `?${redactQuery(query)}`}${hash === -1 ? '' : `#${REDACTED}`}`;
}

/** Whether a request path opens a page behind an emailed token (such pages are never cached). */
export function isTokenPath(url: string): boolean {
  const q = url.search(/[?#]/);
  return TOKEN_PATH.test(decoded(q === -1 ? url : url.slice(0, q)));
}

/** Whether a route pattern (`/p/:token`, `/o/:token/introduce`) takes a token under a link path. */
export function isLinkRoute(routeUrl: string): boolean {
  return Object.values(LINK_PATHS).some((path) => routeUrl.startsWith(`${path}/:token`));
}
