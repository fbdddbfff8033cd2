/** A named step of a bench's cleanup: each runs even when one before it failed. */
export type CleanupStep = readonly [name: string, step: () => Promise<unknown>];

/** Runs every step in order; a failing step is said and the rest still run (nothing left behind). */
export async function runCleanup(steps: readonly CleanupStep[], say: (line: string) => void): Promise<void> {
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (error) {
      say(`cleanup of ${name} failed: ${(error as Error).message}`);
    }
  }
}

/**
 * Ctrl-C or a kill: clean up first (its databases, processes, files), then exit 130. Returns what
 * stops listening, for the bench's own cleanup at its end.
 */
export function cleanUpOnSignal(cleanup: () => Promise<void>, say: (line: string) => void): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    say(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
}
