import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './link-scanner.ts';

export interface PrivateRedis {
  url: string;
  /** SIGKILL: Redis is gone, with everything it held (no persistence). */
  kill(): Promise<void>;
  /** A new, empty redis-server on the same port, as after a restart without persistence. */
  start(): Promise<void>;
  /** FLUSHALL on this server, never on the shared one. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A redis-server of the test's own on a free port, without persistence: a test may kill, restart
 * or flush it. The shared Redis other test files use is never touched.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let server: ChildProcess | undefined;

  const ping = async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  };
  const start = async () => {
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: 'ignore',
    });
    for (let waited = 0; !(await ping()); waited += 50) {
      if (waited > 10_000) throw new Error(`redis-server on port ${port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async () => {
    const running = server;
    server = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    url,
    kill,
    start,
    async flush() {
      const client = new Redis(url);
      try {
        await client.flushall();
      } finally {
        client.disconnect();
      }
    },
    close: kill,
  };
}
