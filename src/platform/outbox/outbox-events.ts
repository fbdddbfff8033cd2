import type { z } from 'zod';

/**
 * An outbox event: a topic and a payload of ids, never rows or rendered mail, so whatever runs
 * on it works on current data. The outbox knows no topic: features write their events, and
 * src/app/ says which job each topic becomes (see outbox-relay.ts).
 */
export interface OutboxEvent {
  topic: string;
  payload: object;
}

/** What becomes of one topic's events: the payload's schema, and the job it is published as. */
export interface OutboxRoute<P = unknown> {
  schema: z.ZodType<P>;
  /** Adds the event's job; the outbox row id makes a stable job id for events that may repeat. */
  publish(payload: P, outboxId: string): Promise<void>;
}

/** Topic → route. A row whose topic has no route, or whose payload fails its schema, is skipped and logged. */
export type OutboxRoutes = Record<string, OutboxRoute>;

/** Ties a route's payload type to its schema. */
export function outboxRoute<P>(schema: z.ZodType<P>, publish: (payload: P, outboxId: string) => Promise<void>): OutboxRoute<P> {
  return { schema, publish };
}
