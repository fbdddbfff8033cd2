/**
 * The lint rules that keep the rooms (eslint.boundaries.ts) must fail on a deliberate violation:
 * a rule that matches nothing would let every later change through unnoticed.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { boundaries, FEATURES } from '../../eslint.boundaries.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The digest ledger's SQL, split by concern: each file is a repository of the digests feature. */
const DIGEST_REPOSITORIES = [
  'digest-ledger.repository.ts',
  'digest-rounds.repository.ts',
  'digest-build.repository.ts',
  'digest-send.repository.ts',
  'digest-urgent.repository.ts',
];

const eslint = new ESLint({
  cwd: ROOT,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...boundaries],
});

/** The messages ESLint gives a file at `filePath` that holds only `source`. */
async function problems(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: `${ROOT}${filePath}` });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('lint keeps the rooms', () => {
  it('fails a route that imports a repository, its own feature included', async () => {
    expect(await problems('src/partners/example.routes.ts', "import { findPartnerById } from './partner.repository.ts';\n")).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*Routes call services only/),
    ]);
    expect(await problems('src/interests/example.routes.ts', "import { x } from '../opportunities/opportunity.repository.ts';\n")).toHaveLength(2);
  });

  it('keeps the feature rules on routes files too: a route does not import the composition root', async () => {
    expect(await problems('src/partners/example.routes.ts', "import type { AppDeps } from '../app/app-deps.ts';\n")).toEqual([
      expect.stringMatching(/does not import the composition root/),
    ]);
  });

  it("fails a feature that imports another feature's repository, at any depth", async () => {
    expect(await problems('src/digests/example.ts', "import { x } from '../partners/partner.repository.ts';\n")).toEqual([
      expect.stringMatching(/repository is private to it/),
    ]);
    expect(await problems('src/inbound/intake/example.ts', "import { x } from '../../suppressions/suppression.repository.ts';\n")).toEqual([
      expect.stringMatching(/repository is private to it/),
    ]);
    for (const repository of DIGEST_REPOSITORIES) {
      expect(await problems('src/admin/example.ts', `import { x } from '../digests/${repository}';\n`)).toEqual([
        expect.stringMatching(/repository is private to it/),
      ]);
    }
  });

  it('lets a feature use its own repository and another feature’s service', async () => {
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(`${ROOT}src/digests`).filter((f) => f.endsWith('.repository.ts')).sort()).toEqual([...DIGEST_REPOSITORIES].sort());
    for (const repository of DIGEST_REPOSITORIES) {
      expect(await problems('src/digests/example.service.ts', `import { x } from './${repository}';\n`)).toEqual([]);
    }
    expect(await problems('src/inbound/intake/example.ts', "import { x } from '../inbound.repository.ts';\n")).toEqual([]);
    expect(await problems('src/digests/example.service.ts', "import { x } from '../partners/partner.service.ts';\n")).toEqual([]);
  });

  it('fails platform code that imports a feature or the composition root', async () => {
    for (const feature of FEATURES) {
      expect(await problems('src/platform/mail/example.ts', `import { x } from '../../${feature}/${feature}.service.ts';\n`)).toEqual([
        expect.stringMatching(/imports no feature/),
      ]);
    }
    expect(await problems('src/platform/queue/example.ts', "import { x } from '../../app/container.ts';\n")).not.toEqual([]);
    expect(await problems('src/platform/queue/example.ts', "import { x } from '../db/database.ts';\n")).toEqual([]);
  });

  it("fails the composition root reaching into a feature's repository", async () => {
    expect(await problems('src/app/container.ts', "import { x } from '../skills/skills.repository.ts';\n")).not.toEqual([]);
    expect(await problems('src/app/container.ts', "import { x } from '../skills/skills.service.ts';\n")).toEqual([]);
  });

  it('knows every feature folder under src/', async () => {
    const { readdirSync } = await import('node:fs');
    const folders = readdirSync(`${ROOT}src`, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !['app', 'cli', 'platform', 'seed'].includes(d.name))
      .map((d) => d.name)
      .sort();
    expect(folders).toEqual([...FEATURES].sort());
  });
});
