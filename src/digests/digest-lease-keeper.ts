import type { Logger } from 'pino';
import type { Executor } from '../platform/db/database.ts';
import { renewLeases } from './digest-send.repository.ts';

/**
 * The heartbeat of the rows this process is handing to SMTP. A server that holds its "250" for
 * minutes, or a rate limit that queues messages in the pool, must not let a row's lease run out
 * while its message is on the way: the reconciler would give the row to another worker, and the
 * partner would get it twice. Every third of a lease, one statement renews the leases of every
 * row in hand (fenced by each claim's token). Rows claimed but not yet handed over are not
 * renewed: a claim takes only as many as can be sent within one lease (see claimSize).
 */
export function createLeaseKeeper(deps: { db: Executor; leaseSeconds: number; log: Logger }) {
  const inHand = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let beating = false;

  async function beat(): Promise<void> {
    const held = [...inHand].map(([id, claimToken]) => ({ id, claimToken }));
    // A beat slower than the interval (Postgres busy) is not stacked up on.
    if (held.length === 0 || beating) return;
    beating = true;
    try {
      const renewed = new Set(await renewLeases(deps.db, held, deps.leaseSeconds));
      const lost = held.filter((h) => !renewed.has(h.id) && inHand.get(h.id) === h.claimToken);
      // Finished meanwhile, or taken over: only the latter is news, and the finish will say so.
      if (lost.length) deps.log.debug({ digestIds: lost.map((h) => h.id) }, 'digest leases not renewed');
    } catch (err) {
      deps.log.warn({ err, rows: held.length }, 'digest lease heartbeat failed; retrying at the next beat');
    } finally {
      beating = false;
    }
  }

  const start = () => {
    timer ??= setInterval(() => void beat(), Math.max(100, (deps.leaseSeconds * 1000) / 3));
    timer.unref();
  };
  const stopWhenIdle = () => {
    if (inHand.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return {
    /** Keeps this row's lease alive until `release`: call it once the row is marked handed over. */
    hold(row: { id: string; claimToken: string }) {
      inHand.set(row.id, row.claimToken);
      start();
    },
    release(row: { id: string; claimToken: string }) {
      if (inHand.get(row.id) === row.claimToken) inHand.delete(row.id);
      stopWhenIdle();
    },
  };
}

export type LeaseKeeper = ReturnType<typeof createLeaseKeeper>;
