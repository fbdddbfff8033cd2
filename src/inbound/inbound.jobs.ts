import { z } from 'zod';
import type { JobRegistry } from '../platform/queue/job-registry.ts';

/** The email intake's job (joined into the one registry in src/app/jobs.ts). */
export const inboundJobs = {
  /** A stored inbound message (email intake) to classify, authenticate and understand. */
  'inbound-process': { queue: 'inbound', schema: z.object({ inboundId: z.uuid() }) },
} as const satisfies JobRegistry;
