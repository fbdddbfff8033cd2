import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * The team's real raw emails (mail clients' replies, parser edge cases): `../shared/data/emails/`
 * next to the checkout. A clone elsewhere (CI's, say) finds them through SHARED_DATA_DIR or the
 * workplace's own copy. Missing samples fail the tests that need them, loudly: a skipped corpus
 * would prove nothing.
 */
function findEmailsDir(): URL {
  const candidates = [
    process.env.SHARED_DATA_DIR ? pathToFileURL(`${process.env.SHARED_DATA_DIR.replace(/\/$/, '')}/emails/`) : undefined,
    new URL('../../../shared/data/emails/', import.meta.url),
    pathToFileURL('/work/shared/data/emails/'),
  ].filter((u): u is URL => u !== undefined);
  const found = candidates.find((u) => existsSync(u));
  if (!found) {
    throw new Error(`no sample emails: set SHARED_DATA_DIR (looked in ${candidates.map((u) => u.pathname).join(', ')})`);
  }
  return found;
}

export const SAMPLE_EMAILS: URL = findEmailsDir();
