import type { Logger } from 'pino';

export interface Poller {
  stop(): Promise<void>;
}

/**
 * Runs `task` now and then every `intervalMs`, never two runs at once. A failing run is logged
 * and the next one tries again: the scheduler must outlive a Postgres or Redis blip.
 */
export function poll(name: string, intervalMs: number, task: () => Promise<unknown>, log: Logger): Poller {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const run = async () => {
    try {
      await task();
    } catch (err) {
      log.warn({ err, task: name }, 'scheduled task failed; will retry');
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  const tick = () => {
    running = run();
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
