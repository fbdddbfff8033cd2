import { AppError } from '../../platform/errors/app-errors.ts';

/**
 * The bytes this process holds, all requests together, of webhook bodies whose sender is not
 * proven yet (a Mailgun form before its signature fields have arrived and checked out). Mailgun
 * may send the message part before its signature, so one request's unproven bytes cannot be
 * capped below the message size; what is capped is their sum, so a crowd of unsigned posts
 * cannot grow memory without bound. A request refused for it gets 503, which Mailgun retries.
 */
export interface UnverifiedBudget {
  /** Takes `bytes` from the budget; false (and nothing taken) when that would pass the cap. */
  take(bytes: number): boolean;
  release(bytes: number): void;
  /** Bytes currently taken (for tests and logs). */
  readonly held: number;
}

export function createUnverifiedBudget(maxBytes: number): UnverifiedBudget {
  let held = 0;
  return {
    take(bytes) {
      if (held + bytes > maxBytes) return false;
      held += bytes;
      return true;
    },
    release(bytes) {
      held = Math.max(0, held - bytes);
    },
    get held() {
      return held;
    },
  };
}

/** The answer when the budget has no room: 503, which Mailgun retries later. */
export class BudgetSpentError extends AppError {
  constructor() {
    super(503, 'busy', 'Too many unverified webhook bodies at once; try again later');
  }
}
