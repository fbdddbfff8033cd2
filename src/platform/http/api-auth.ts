import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../errors/app-errors.ts';

/** Who an API request comes from: the admin, or a partner by their API key. */
export type ApiCaller = { kind: 'admin' } | { kind: 'partner'; partnerId: string };

/** Tells callers apart by their bearer token (the partners' API key service, wired in src/app/). */
export interface ApiCallers {
  callerFor(token: string): Promise<ApiCaller | undefined>;
  isAdminToken(token: string): boolean;
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/** The caller behind `Authorization: Bearer …`: the admin or a partner's API key. */
export async function requireCaller(request: FastifyRequest, apiKeys: ApiCallers): Promise<ApiCaller> {
  const token = bearer(request);
  if (!token) throw new UnauthorizedError();
  const caller = await apiKeys.callerFor(token);
  if (!caller) throw new UnauthorizedError('The API key or admin token is not valid');
  return caller;
}

/** A preHandler for admin-only routes. */
export function adminOnly(apiKeys: ApiCallers) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearer(request);
    if (!token) throw new UnauthorizedError('The admin token is required (Authorization: Bearer …)');
    if (!apiKeys.isAdminToken(token)) {
      const caller = await apiKeys.callerFor(token);
      throw caller ? new ForbiddenError() : new UnauthorizedError('The admin token is not valid');
    }
  };
}
