import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * An SMTP server in a separate process that takes every message and throws it away: Postfix's
 * `smtp-sink` when installed (C, event-driven, far faster than anything we send), otherwise a
 * small Node child running `smtp-server`.
 */
export interface BenchSmtpSink {
  url: string;
  kind: 'postfix smtp-sink' | 'node smtp-server';
  pid: number;
  /** Messages the sink has accepted so far (best effort: the last counter line it printed). */
  accepted(): number | undefined;
  stop(): Promise<void>;
}

const POSTFIX_SINK = '/usr/sbin/smtp-sink';

/** A port nobody listens on right now (the kernel's choice). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something on the port answers with an SMTP greeting. */
async function waitForGreeting(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`SMTP sink exited early (code ${child.exitCode})`);
    const greeted = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setTimeout(1000);
      socket.once('data', (data) => {
        socket.end('QUIT\r\n');
        resolve(data.toString().startsWith('220'));
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (greeted) return;
    if (Date.now() > until) throw new Error(`SMTP sink did not answer on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startSmtpSink(): Promise<BenchSmtpSink> {
  const port = await freePort();
  // BENCH_SMTP_SINK=node forces the Node child even where Postfix's smtp-sink is installed.
  const postfix = process.env.BENCH_SMTP_SINK !== 'node' && existsSync(POSTFIX_SINK);
  let child: ChildProcess;
  if (postfix) {
    // -c: running counters on stdout ("sess=N quit=N mesg=N\r"); -u: smtp-sink refuses to keep
    // root privileges; 1000: listen backlog.
    const asRoot = process.getuid?.() === 0;
    const args = ['-c', ...(asRoot ? ['-u', 'nobody'] : []), `127.0.0.1:${port}`, '1000'];
    child = spawn(POSTFIX_SINK, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } else {
    const script = fileURLToPath(new URL('./smtp-sink-child.ts', import.meta.url));
    child = spawn(process.execPath, [script, String(port)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  }
  let accepted: number | undefined;
  let stderr = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const counts = [...chunk.matchAll(/mesg=(\d+)/g)];
    const last = counts.at(-1);
    if (last) accepted = Number(last[1]);
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForGreeting(port, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}${stderr ? `: ${stderr.trim()}` : ''}`, { cause: error });
  }
  if (child.pid === undefined) throw new Error('SMTP sink has no pid');
  const pid = child.pid;
  return {
    url: `smtp://127.0.0.1:${port}`,
    kind: postfix ? 'postfix smtp-sink' : 'node smtp-server',
    pid,
    accepted: () => accepted,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}
