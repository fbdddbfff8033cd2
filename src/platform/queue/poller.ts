import type { Logger } from 'pino';

export interface Poller {
  /** Runs the task as soon as the current run (if any) is over, instead of at its next turn. */
  runNow(): void;
  stop(): Promise<void>;
}

/** The longest a failing task waits before it tries again, unless its interval is longer. */
export const MAX_BACKOFF_MS = 10_000;

/** The wait after `failures` failed runs in a row: the interval, doubled per failure up to the cap. */
export function nextDelayMs(intervalMs: number, failures: number): number {
  if (failures === 0) return intervalMs;
  return Math.max(intervalMs, Math.min(intervalMs * 2 ** failures, MAX_BACKOFF_MS));
}

/**
 * Runs `task` now and then every `intervalMs`, never two runs at once. A failing run is logged
 * and the next one tries again, later each time while it keeps failing (Postgres or Redis is
 * away), at its interval again once it succeeds: the scheduler outlives an outage and does not
 * flood the log or the recovering server meanwhile.
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
