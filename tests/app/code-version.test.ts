/**
 * The build of the code a process runs, as the fingerprint of messages composed ahead reads it:
 * any change to a source file, a template or the package lock makes another build; the same
 * files make the same one.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { codeVersion } from '../../src/app/code-version.ts';

const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

/** A tree like the project's: src/ (with a subfolder), templates/ and, when given, a package lock. */
async function tree(files: Record<string, string>): Promise<URL> {
  const dir = await mkdtemp(path.join(tmpdir(), 'p2p-code-version-'));
  made.push(dir);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  return pathToFileURL(`${dir}/`);
}

const BASE = {
  'src/digests/digest-compose.ts': 'export const a = 1;\n',
  'src/platform/text/dates.ts': 'export const b = 2;\n',
  'templates/email/digest.mjml': '<mjml></mjml>\n',
  'package-lock.json': '{"lockfileVersion":3}\n',
};

describe('the code version', () => {
  it('is the same for the same files, wherever they lie', async () => {
    const [a, b] = await Promise.all([tree(BASE), tree(BASE)]);
    expect(await codeVersion(a)).toMatch(/^[\w-]{43}$/);
    expect(await codeVersion(a)).toBe(await codeVersion(b));
  });

  it.each([
    ['a source file changed', { 'src/platform/text/dates.ts': 'export const b = 3;\n' }],
    ['a source file added', { 'src/digests/digest-new-helper.ts': 'export {};\n' }],
    ['a template changed', { 'templates/email/digest.mjml': '<mjml><mj-body/></mjml>\n' }],
    ['a dependency upgraded', { 'package-lock.json': '{"lockfileVersion":3,"x":1}\n' }],
    ['a file moved to another folder', { 'src/digests/digest-compose.ts': undefined, 'src/platform/digest-compose.ts': BASE['src/digests/digest-compose.ts'] }],
  ])('differs when %s', async (_, change) => {
    const changed = Object.fromEntries(Object.entries({ ...BASE, ...change }).filter((e): e is [string, string] => e[1] !== undefined));
    const [before, after] = await Promise.all([tree(BASE), tree(changed)]);
    expect(await codeVersion(after)).not.toBe(await codeVersion(before));
  });

  it('is this checkout\'s for the running service', async () => {
    expect(await codeVersion()).toBe(await codeVersion(new URL('../../', import.meta.url)));
  });
});
