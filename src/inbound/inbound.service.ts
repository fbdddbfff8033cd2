import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import type { Links } from '../links/links.js';
import type { SkillCatalogue } from '../skills/skill-catalogue.js';

export interface InboundServiceDeps {
  db: Database;
  catalogue: SkillCatalogue;
  links: Links;
  log: Logger;
  settings: {
    /** Our own addresses: mail from them, or carrying our loop header, is never processed. */
    ownAddresses: string[];
    mailDomain: string;
  };
}

/** What became of one stored inbound message. */
export type InboundOutcome = { status: 'processed' | 'rejected'; outcome: string; opportunityId?: string } | { status: 'skipped'; outcome: 'done-before' };

/**
 * Works on one stored inbound message (the 'inbound-process' job): decides what it is, whom it
 * is from, what it says, and what follows. The raw bytes were stored before this ran; this never
 * loses them, whatever it decides.
 */
export function createInboundService(deps: InboundServiceDeps) {
  return {
    async process(inboundId: string): Promise<InboundOutcome> {
      const row = await deps.db.selectFrom('inboundMessages').select(['id', 'status']).where('id', '=', inboundId).executeTakeFirst();
      if (!row || row.status !== 'received') return { status: 'skipped', outcome: 'done-before' };
      // Placeholder until the processing pipeline lands: the message stays stored, unprocessed.
      return { status: 'rejected', outcome: 'not processed yet' };
    },
  };
}

export type InboundService = ReturnType<typeof createInboundService>;
