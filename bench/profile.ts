import { readFile } from 'node:fs/promises';
import { Session, type Profiler } from 'node:inspector';

/**
 * Light profiling for the benchmark: where this process's main thread spends a round (V8's
 * sampling profiler, in-process), and how much CPU other processes (Postgres backends, the SMTP
 * sink) used meanwhile (/proc, Linux only, best effort).
 */

/** Which part of the code a stack frame belongs to; undefined for runtime/native frames. */
function categoryOf(frame: Profiler.ProfileNode['callFrame']): string | undefined {
  const { url, functionName } = frame;
  if (functionName === '(idle)') return 'idle (waiting on Postgres/SMTP)';
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)') return 'V8/native (unattributed)';
  if (!url || url.startsWith('node:')) return undefined;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg) {
    if (pkg === 'pg' || pkg.startsWith('pg-') || pkg === 'pgpass') return 'pg driver (protocol, parsing)';
    if (pkg === 'kysely') return 'kysely (query building)';
    if (pkg === 'nodemailer') return 'nodemailer (MIME, base64, SMTP)';
    if (pkg === 'eta') return 'eta (HTML template)';
    if (pkg === 'zod') return 'zod (match reasons parse)';
    return `other package: ${pkg}`;
  }
  if (url.includes('/src/digests/digest-render')) return 'digest text part + view prep';
  if (url.includes('/src/platform/links/')) return 'link signing (HMAC)';
  if (url.includes('/src/platform/mail/')) return 'mailer wrapper';
  if (url.includes('/src/digests/')) return 'digest service (compose, ledger)';
  if (url.includes('/src/')) return 'other app code';
  if (url.includes('/bench/')) return 'bench harness';
  return undefined;
}

export interface CpuProfileSummary {
  totalMs: number;
  /** Milliseconds per category, largest first. A sample counts for the deepest frame with a category. */
  byCategory: Array<{ category: string; ms: number; share: number }>;
  /** The functions with the most self time (idle excluded). */
  topFunctions: Array<{ name: string; ms: number; share: number }>;
}

export function summarizeProfile(profile: Profiler.Profile): CpuProfileSummary {
  const parent = new Map<number, number>();
  const byId = new Map<number, Profiler.ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const memo = new Map<number, string>();
  const categoryOfNode = (id: number): string => {
    const known = memo.get(id);
    if (known) return known;
    let category: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !category; at = parent.get(at)) {
      const node = byId.get(at);
      if (node) category = categoryOf(node.callFrame);
    }
    const result = category ?? 'node internals (unattributed)';
    memo.set(id, result);
    return result;
  };
  const totals = new Map<string, number>();
  const self = new Map<string, number>();
  const nameOf = (id: number) => {
    const frame = byId.get(id)?.callFrame;
    if (!frame) return '?';
    const where = frame.url ? ` ${frame.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '')}:${frame.lineNumber + 1}` : '';
    return `${frame.functionName || '(anonymous)'}${where}`;
  };
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  samples.forEach((id, i) => {
    const ms = (deltas[i] ?? 0) / 1000;
    total += ms;
    const category = categoryOfNode(id);
    totals.set(category, (totals.get(category) ?? 0) + ms);
    const name = nameOf(id);
    if (name !== '(idle)') self.set(name, (self.get(name) ?? 0) + ms);
  });
  return {
    totalMs: total,
    byCategory: [...totals.entries()]
      .map(([category, ms]) => ({ category, ms, share: total ? ms / total : 0 }))
      .sort((a, b) => b.ms - a.ms),
    topFunctions: [...self.entries()]
      .map(([name, ms]) => ({ name, ms, share: total ? ms / total : 0 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 15),
  };
}

/** Runs `fn` under the V8 sampling profiler of this process. */
export async function withCpuProfile<T>(fn: () => Promise<T>): Promise<{ result: T; profile: Profiler.Profile }> {
  const session = new Session();
  session.connect();
  const post = <R>(method: string, params?: object) =>
    new Promise<R>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as R))));
  try {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 500 });
    await post('Profiler.start');
    const result = await fn();
    const { profile } = await post<{ profile: Profiler.Profile }>('Profiler.stop');
    return { result, profile };
  } finally {
    session.disconnect();
  }
}

/**
 * Starts V8's sampling profiler of this process now (the bench starts it when a round's rows are
 * built, so the profile is the send hour's alone); `stop` ends it and returns the profile.
 */
export function startCpuProfile(): { stop(): Promise<Profiler.Profile> } {
  const session = new Session();
  session.connect();
  const post = <R>(method: string, params?: object) =>
    new Promise<R>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as R))));
  const started = (async () => {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 500 });
    await post('Profiler.start');
  })();
  return {
    async stop() {
      try {
        await started;
        return (await post<{ profile: Profiler.Profile }>('Profiler.stop')).profile;
      } finally {
        session.disconnect();
      }
    },
  };
}

/** utime + stime of a process in seconds, or undefined when /proc cannot tell. */
async function cpuSecondsOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the command.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / 100 : undefined; // USER_HZ is 100 on Linux.
  } catch {
    return undefined;
  }
}

/** CPU seconds of a set of processes; pids that vanish count as what they had when last seen. */
export async function cpuSecondsOfAll(pids: number[]): Promise<Map<number, number>> {
  const seconds = new Map<number, number>();
  for (const pid of pids) {
    const s = await cpuSecondsOf(pid);
    if (s !== undefined) seconds.set(pid, s);
  }
  return seconds;
}

/** Sum of CPU seconds used between two snapshots (new pids count from zero). */
export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, s] of after) total += s - (before.get(pid) ?? 0);
  return total;
}
