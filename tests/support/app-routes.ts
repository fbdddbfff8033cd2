import { LINK_PATHS } from '../../src/platform/links/link-paths.ts';
import type { LinkPurpose } from '../../src/platform/links/link-tokens.ts';

export interface Route {
  method: string;
  url: string;
}

/** The routes in Fastify's own tree (`printRoutes({ commonPrefix: false })`), HEAD left out (it is GET without a body). */
export function routesOf(tree: string): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^(.*?)(?:├── |└── )(.+) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const depth = [...match[1]!].length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const url = stack.join('');
    for (const method of match[3]!.split(', ')) if (method !== 'HEAD') routes.push({ method, url });
  }
  return routes;
}

/**
 * Which purpose a token in a route's first path segment is signed for ('p' → 'preferences'), read
 * from the one table of link paths, so a new kind of link is walked without editing the tests.
 */
export const PURPOSE_BY_PREFIX: Record<string, LinkPurpose> = Object.fromEntries(
  (Object.entries(LINK_PATHS) as Array<[LinkPurpose, string]>).map(([purpose, path]) => [path.split('/')[1]!, purpose]),
);
