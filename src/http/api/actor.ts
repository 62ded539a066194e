/** The audit actor of a management API request: its API key, or the signed-in operator. */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../directory/deps.ts';

export function requestActor(request: FastifyRequest, orgId: string): Actor {
  const credential = request.credential;
  return {
    orgId,
    kind: credential?.kind ?? 'api_key',
    tokenId: credential?.id ?? request.apiKeyId,
    requestId: String(request.id),
  };
}
