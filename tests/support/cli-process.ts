import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childEnv, type TestStack } from './test-stack.ts';

/** The checkout's root: where `bin/p2p-digest.mjs` runs from. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs the real `p2p-digest` command in a child process against the stack's database, queue
 * prefix and SMTP sink. `code` is the exit code (-1 when it was killed or timed out).
 */
export function runCli(t: TestStack, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCliWithEnv(t, {}, ...args);
}

/** The same with settings of its own (`childEnv`'s `extra`): a shorter lease, another SMTP URL. */
export function runCliWithEnv(t: TestStack, env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/p2p-digest.mjs', ...args], { cwd: REPO_ROOT, env: childEnv(t, env), timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
