import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../platform/errors/app-errors.ts';
import type { ApiCaller, ApiKeyService } from './api-key.service.ts';

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/** The caller behind `Authorization: Bearer …`: the admin or a partner's API key. */
export async function requireCaller(request: FastifyRequest, apiKeys: ApiKeyService): Promise<ApiCaller> {
  const token = bearer(request);
  if (!token) throw new UnauthorizedError();
  const caller = await apiKeys.callerFor(token);
  if (!caller) throw new UnauthorizedError('The API key or admin token is not valid');
  return caller;
}

/** A preHandler for admin-only routes. */
export function adminOnly(apiKeys: ApiKeyService) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearer(request);
    if (!token) throw new UnauthorizedError('The admin token is required (Authorization: Bearer …)');
    if (!apiKeys.isAdminToken(token)) {
      const caller = await apiKeys.callerFor(token);
      throw caller ? new ForbiddenError() : new UnauthorizedError('The admin token is not valid');
    }
  };
}
