/** The audit actor of a management API request: its API key, the signed-in operator, or a setup link. */
import type { FastifyRequest } from 'fastify';
import type { Author } from '../../directory/audit.ts';
import type { Actor } from '../../directory/deps.ts';

/** Who makes the request, for changes that name their org apart (or belong to none). */
export function requestAuthor(request: FastifyRequest): Author {
  const credential = request.credential;
  return {
    kind: credential?.kind ?? 'api_key',
    tokenId: credential?.id ?? request.apiKeyId,
    requestId: String(request.id),
  };
}

export function requestActor(request: FastifyRequest, orgId: string): Actor {
  return { orgId, ...requestAuthor(request) };
}
