import type { Logger } from 'pino';
import type { Database } from '../platform/db/database.ts';
import type { Queues } from '../platform/queue/queues.ts';
import type { inboundJobs } from './inbound.jobs.ts';
import { claimWebhookToken, findUnprocessed, forgetWebhookTokens, storeInbound, type InboundMessageInput, type StoredInbound } from './inbound.repository.ts';

export interface IntakeDeps {
  db: Database;
  queues: Pick<Queues<typeof inboundJobs>, 'enqueue'>;
  log: Logger;
}

/** What acceptInbound did: stored (or found stored), or refused a replayed webhook token. */
export type AcceptResult = ({ accepted: true } & StoredInbound) | { accepted: false; reason: 'replayed-token' };

/** Rows still 'received' this long after arriving have lost their job; the reconciler re-adds it. */
export const UNPROCESSED_GRACE_SECONDS = 60;
/** Webhook timestamps older than this are refused anyway; their tokens need no keeping. */
const REPLAY_TOKEN_KEEP_SECONDS = 24 * 3600;

/** The processing job's id: one per stored message, so a duplicate delivery adds nothing new. */
export const inboundJobId = (inboundId: string) => `inbound-${inboundId}`;

/**
 * The one way a message comes in, by SMTP or webhook: store the bytes first (and, for a signed
 * webhook, claim its one-time token in the same transaction), then queue the processing job.
 * Storing first means a crash or a Redis outage after the commit loses nothing: the caller may
 * answer 250/200, and the reconciler queues what the enqueue here could not.
 */
export async function acceptInbound(deps: IntakeDeps, message: InboundMessageInput, options: { replayToken?: string } = {}): Promise<AcceptResult> {
  const result = await deps.db.transaction().execute(async (trx): Promise<AcceptResult> => {
    if (options.replayToken !== undefined && !(await claimWebhookToken(trx, options.replayToken))) {
      return { accepted: false, reason: 'replayed-token' };
    }
    return { accepted: true, ...(await storeInbound(trx, message)) };
  });
  if (!result.accepted) return result;
  try {
    await deps.queues.enqueue('inbound-process', { inboundId: result.id }, inboundJobId(result.id));
  } catch (err) {
    // Stored is what counts: the reconciler re-queues rows still 'received' after a minute.
    deps.log.warn({ err, inboundId: result.id }, 'inbound message stored but not queued; the reconciler will queue it');
  }
  deps.log.info({ inboundId: result.id, duplicate: result.duplicate, via: message.receivedVia, size: message.raw.length }, 'inbound message stored');
  return result;
}

/**
 * One reconcile pass (the scheduler's): re-queues stored messages whose job was lost (Redis
 * flushed, a crash between commit and enqueue) and forgets old webhook tokens. The job id is the
 * same as the first one, so a job still waiting or running is not doubled.
 */
export async function reconcileInbound(deps: IntakeDeps, limit = 500): Promise<number> {
  const ids = await findUnprocessed(deps.db, UNPROCESSED_GRACE_SECONDS, limit);
  for (const inboundId of ids) await deps.queues.enqueue('inbound-process', { inboundId }, inboundJobId(inboundId));
  await forgetWebhookTokens(deps.db, REPLAY_TOKEN_KEEP_SECONDS);
  return ids.length;
}
