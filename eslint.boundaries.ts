// The rooms of src/ and what each may import: the rules in docs/architecture.md ("Rooms and
// their doors"), kept by ESLint's own no-restricted-imports so a violation fails `npm run lint`.
//
//   src/platform/   shared plumbing (config, db, queue, mail, http helpers, links, logging, outbox):
//                   imports no feature and nothing of src/app/.
//   src/<feature>/  one folder a feature; its *.repository.ts is private to it: other features,
//                   src/app/ and the CLI reach it through the feature's service.
//   *.routes.ts     call services only: never a repository, the feature's own included.
//   src/app/, src/cli/, src/seed/   the composition root and the entry points: may import any
//                   feature's service, never a feature's repository.

import type { Linter } from 'eslint';

/** Every feature folder under src/. A new feature is added here, or lint cannot guard it. */
export const FEATURES: readonly string[] = ['admin', 'digests', 'inbound', 'interests', 'matching', 'opportunities', 'outcomes', 'partners', 'regions', 'skills', 'suppressions'];

const repositoriesOf = (features: readonly string[]): string[] => features.map((f) => `**/${f}/**/*.repository.ts`);

interface Restriction {
  group: string[];
  message: string;
}

const restrict = (files: string[], patterns: Restriction[]): Linter.Config => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

const ROUTES_CALL_SERVICES: Restriction = {
  group: ['**/*.repository.ts', './*.repository.ts'],
  message: 'Routes call services only, never a repository.',
};

const PLATFORM_IMPORTS_NO_FEATURE: Restriction = {
  group: [...FEATURES.map((f) => `**/${f}/**`), '**/app/**', '**/cli/**', '**/seed/**'],
  message: 'Platform code is shared plumbing: it imports no feature (features plug into it from src/app/).',
};

const ENTRY_POINTS_CALL_SERVICES: Restriction = {
  group: repositoriesOf(FEATURES),
  message: "The composition root and the entry points call a feature's service, never its repository.",
};

/** What a file of `feature` may not import. */
const featureRestrictions = (feature: string): Restriction[] => [
  {
    group: repositoriesOf(FEATURES.filter((f) => f !== feature)),
    message: `A feature's repository is private to it: call that feature's service instead (${feature} may use its own repository only).`,
  },
  { group: ['**/app/**', '**/cli/**'], message: 'A feature does not import the composition root or the CLI: they import it.' },
];

/**
 * The rules, as flat-config objects. ESLint takes a rule's options from the last object that
 * matches a file, so a routes file gets one object holding both its feature's and the routes' rules.
 */
export const boundaries: Linter.Config[] = [
  ...FEATURES.flatMap((feature) => [
    restrict([`src/${feature}/**/*.ts`], featureRestrictions(feature)),
    restrict([`src/${feature}/**/*.routes.ts`], [...featureRestrictions(feature), ROUTES_CALL_SERVICES]),
  ]),
  restrict(['src/app/**/*.ts', 'src/cli/**/*.ts', 'src/seed/**/*.ts'], [
    ENTRY_POINTS_CALL_SERVICES,
  ]),
  restrict(['src/app/**/*.routes.ts'], [
    ENTRY_POINTS_CALL_SERVICES,
    ROUTES_CALL_SERVICES,
  ]),
  restrict(['src/platform/**/*.ts'], [
    PLATFORM_IMPORTS_NO_FEATURE,
  ]),
  restrict(['src/platform/**/*.routes.ts'], [
    PLATFORM_IMPORTS_NO_FEATURE,
    ROUTES_CALL_SERVICES,
  ]),
];
