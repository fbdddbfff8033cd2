import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../platform/db/database.ts';
import { NotFoundError } from '../platform/errors/app-errors.ts';
import type { ApiCaller } from '../platform/http/api-auth.ts';
import { findPartnerIdByKeyHash, insertApiKey } from './api-key.repository.ts';
import { findPartnerById } from './partner.repository.ts';

const KEY_PREFIX = 'p2p_';

export type { ApiCaller };

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * API keys for partners who submit opportunities by API. Only a hash is stored; the key itself
 * is shown once, when it is created.
 */
export function createApiKeyService(deps: { db: Database; adminToken: string }) {
  const adminToken = Buffer.from(deps.adminToken);
  const isAdminToken = (token: string) => {
    const given = Buffer.from(token);
    return given.length === adminToken.length && timingSafeEqual(given, adminToken);
  };

  return {
    isAdminToken,

    async create(partnerId: string, label: string): Promise<{ id: string; key: string }> {
      if (!(await findPartnerById(deps.db, partnerId))) throw new NotFoundError('partner', partnerId);
      const key = `${KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
      const id = await insertApiKey(deps.db, partnerId, hashKey(key), label);
      return { id, key };
    },

    /** Who a bearer token stands for, or undefined when it stands for no one. */
    async callerFor(token: string): Promise<ApiCaller | undefined> {
      if (isAdminToken(token)) return { kind: 'admin' };
      if (!token.startsWith(KEY_PREFIX)) return undefined;
      const partnerId = await findPartnerIdByKeyHash(deps.db, hashKey(token));
      return partnerId ? { kind: 'partner', partnerId } : undefined;
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
