import { z } from 'zod';
import type { JobRegistry } from '../platform/queue/job-registry.ts';
import { DIGEST_BATCH_MAX } from './digest-limits.ts';

const digestBatch = z.array(z.uuid()).min(1).max(DIGEST_BATCH_MAX);

/** The digests' jobs (joined into the one registry in src/app/jobs.ts). */
export const digestJobs = {
  /** Added hourly by a BullMQ job scheduler (see digest-scheduler.ts). */
  'digest-tick': { queue: 'digest', schema: z.object({}).passthrough() },
  /** Ledger rows are built and sent in batches: one statement builds a batch (see digest-limits.ts). */
  'digest-build': { queue: 'digest', schema: z.object({ digestIds: digestBatch }) },
  'digest-send': { queue: 'digest-send', schema: z.object({ digestIds: digestBatch }) },
  /** An urgent opportunity was matched: alert rows for its "as it comes" partners (see startUrgent). */
  'urgent-alert': { queue: 'digest', schema: z.object({ opportunityId: z.uuid() }) },
} as const satisfies JobRegistry;
