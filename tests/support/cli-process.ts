import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
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

export interface ServiceProcess {
  child: ChildProcess;
  /** What the process logged (stdout and stderr), line by line. */
  output(): string[];
  /** Whether it is still running. */
  alive(): boolean;
  /** Resolves once it has logged "started"; fails if it exits first or takes over 30 s. */
  started(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not stopped within five seconds. */
  stop(): Promise<void>;
}

/**
 * `p2p-digest start --role <roles>` in a child process against the stack, as production runs it.
 * `env` overrides the stack's (another DATABASE_URL, REDIS_URL, …).
 */
export function spawnService(t: TestStack, roles: string, env: Record<string, string> = {}): ServiceProcess {
  const child = spawn(process.execPath, ['bin/p2p-digest.mjs', 'start', '--role', roles], {
    cwd: REPO_ROOT,
    env: childEnv(t, { LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => lines.push(line));
  }
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => lines,
    alive,
    async started() {
      const until = Date.now() + 30_000;
      while (!lines.some((l) => l.includes('"msg":"started"'))) {
        if (!alive() || Date.now() > until) throw new Error(`service did not start:\n${lines.join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (!alive()) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The same, once it has started. */
export async function startService(t: TestStack, roles: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  const service = spawnService(t, roles, env);
  try {
    await service.started();
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}
