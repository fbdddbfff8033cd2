import { describe, expect, it } from 'vitest';
import { isOpen, OPEN_STATUSES, OPPORTUNITY_STATUSES } from '../../src/opportunities/opportunity.schemas.ts';

describe('isOpen: the one list of statuses an opportunity can still move on from', () => {
  it('is open while it waits for confirmation or review, or is published', () => {
    expect(OPPORTUNITY_STATUSES.filter(isOpen)).toEqual(['pending_verification', 'pending_review', 'published']);
    expect([...OPEN_STATUSES]).toEqual(['pending_verification', 'pending_review', 'published']);
  });

  it('has ended once closed, withdrawn, expired or rejected', () => {
    for (const status of ['closed', 'withdrawn', 'expired', 'rejected'] as const) expect(isOpen(status)).toBe(false);
  });
});
