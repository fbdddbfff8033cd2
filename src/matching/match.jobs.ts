import { z } from 'zod';
import type { JobRegistry } from '../platform/queue/job-registry.ts';

/** The matching jobs (joined into the one registry in src/app/jobs.ts). */
export const matchJobs = {
  /** A newly published opportunity against every partner. */
  'match-opportunity': { queue: 'match', schema: z.object({ opportunityId: z.uuid() }) },
  /** A partner who joined or changed their profile against the open opportunities. */
  'match-partner': { queue: 'match', schema: z.object({ partnerId: z.uuid() }) },
} as const satisfies JobRegistry;
