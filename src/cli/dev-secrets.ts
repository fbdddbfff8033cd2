import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../platform/config/config.ts';

const FILE = 'var/dev-secrets.json';

async function readStored(): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(FILE, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

/**
 * Development only: secrets generated at a first start are kept in var/ (git-ignored), so the
 * admin token and links in already-sent emails keep working across restarts. Production never
 * gets here: there a missing secret stops the start.
 */
export async function withStoredDevSecrets(env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  if (env.NODE_ENV === 'production') return env;
  const stored = await readStored();
  return { ...env, APP_SECRET: env.APP_SECRET || stored.APP_SECRET, ADMIN_TOKEN: env.ADMIN_TOKEN || stored.ADMIN_TOKEN };
}

export async function storeDevSecrets(config: Config): Promise<void> {
  if (config.generatedSecrets.length === 0) return;
  const stored = await readStored();
  if (config.generatedSecrets.includes('APP_SECRET')) stored.APP_SECRET = config.appSecret;
  if (config.generatedSecrets.includes('ADMIN_TOKEN')) stored.ADMIN_TOKEN = config.adminToken;
  await mkdir(path.dirname(FILE), { recursive: true });
  await writeFile(FILE, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
}
