import type { Logger } from 'pino';

export interface Poller {
  /** Runs the task as soon as the current run (if any) is over, instead of at its next turn. */
  runNow(): void;
  stop(): Promise<void>;
}

/** A failing task first tries again after this long, then twice as long each time. */
export const FIRST_RETRY_MS = 1_000;
/** The longest a failing task waits before it tries again, unless its interval is longer. */
export const MAX_BACKOFF_MS = 10_000;

/**
 * The wait after `failures` failed runs in a row: the interval while all is well; after a failure
 * a second, doubled per failure, up to the longer of the interval and ten seconds. A frequent
 * task (the relay, every second) slows down while its server is away; a rare one (the reconciler,
 * every minute) tries again soon, so it catches the server as it comes back.
 */
export function nextDelayMs(intervalMs: number, failures: number): number {
  if (failures === 0) return intervalMs;
  return Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), Math.max(intervalMs, MAX_BACKOFF_MS));
}

/**
 * Runs `task` now and then every `intervalMs`, never two runs at once. A failing run is logged
 * and tried again with backoff (nextDelayMs) while it keeps failing (Postgres or Redis is away),
 * at its interval again once it succeeds: the scheduler outlives an outage without flooding the
 * log or the recovering server, and picks up soon after.
 */
export function poll(name: string, intervalMs: number, task: () => Promise<unknown>, log: Logger): Poller {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let failures = 0;

  const run = async () => {
    try {
      await task();
      if (failures) log.info({ task: name, failures }, 'scheduled task succeeded again');
      failures = 0;
    } catch (err) {
      failures++;
      log.warn({ err, task: name, failures, retryInMs: nextDelayMs(intervalMs, failures) }, 'scheduled task failed; will retry');
    }
    running = undefined;
    if (stopped) return;
    if (again) tick();
    else timer = setTimeout(tick, nextDelayMs(intervalMs, failures));
  };
  const tick = () => {
    again = false;
    clearTimeout(timer);
    running = run();
  };
  tick();
  return {
    runNow() {
      if (stopped) return;
      if (running) again = true;
      else tick();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
