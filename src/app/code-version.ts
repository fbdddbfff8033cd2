import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Which build of the code this process runs: one hash over every file of `src/` and
 * `templates/` and the package lock (paths and contents, in path order). The service runs its
 * TypeScript sources as they are (Node strips the types), so the sources are the build.
 *
 * Digests composed ahead carry it in their fingerprint (digest-compose.ts): a message composed
 * by another build (a deploy between the build and the send hour) is rendered again by the
 * build that sends it, whatever part of the code changed: the card's wording, a budget's format,
 * a header. Cheaper rules ("only these files make a message") go stale the day someone adds a
 * helper; a deploy inside the hour before a send costs only that hour's renders.
 */
export function codeVersion(root: URL = new URL('../../', import.meta.url)): Promise<string> {
  let version = versions.get(root.href);
  if (!version) {
    version = hashTree(root);
    versions.set(root.href, version);
  }
  return version;
}

const versions = new Map<string, Promise<string>>();

const PARTS = ['src', 'templates'];
const LOCK_FILE = 'package-lock.json';

async function hashTree(root: URL): Promise<string> {
  const rootDir = fileURLToPath(root);
  const files: string[] = [];
  for (const part of PARTS) {
    for (const entry of await readdir(path.join(rootDir, part), { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) files.push(path.relative(rootDir, path.join(entry.parentPath, entry.name)));
    }
  }
  if ((await readdir(rootDir)).includes(LOCK_FILE)) files.push(LOCK_FILE);
  files.sort();
  // Read side by side (a few hundred small files; one after the other took most of the time).
  const contents = await Promise.all(files.map((file) => readFile(path.join(rootDir, file))));
  const hash = createHash('sha256');
  files.forEach((file, i) => {
    const content = contents[i]!;
    // Length-prefixed: no two different trees hash the same bytes.
    hash.update(`${file}\0${content.length}\0`).update(content);
  });
  return hash.digest('base64url');
}
