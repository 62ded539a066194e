/**
 * /api/v1/api-keys (docs/api.md "Authentication"): the management API's own keys, for the
 * console's API keys page and any other client. A key is shown once, in the answer of create.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requestAuthor } from './actor.ts';
import { Nullable, Timestamp, withProblems } from './schemas.ts';

const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the key, to tell keys apart' }),
  createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp, 'Recorded to the minute'),
  revokedAt: Nullable(Timestamp),
});

export const apiKeyRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { apiKeys } = api.directory;

  api.get(
    '/api-keys',
    {
      schema: {
        operationId: 'listApiKeys',
        tags: ['api keys'],
        summary: 'Every API key, revoked ones included, oldest first (never the key)',
        response: withProblems({ 200: Type.Object({ data: Type.Array(ApiKey) }) }),
      },
    },
    async () => ({ data: await apiKeys.list() }),
  );

  api.post(
    '/api-keys',
    {
      schema: {
        operationId: 'createApiKey',
        tags: ['api keys'],
        summary: 'Create an API key; the key is shown only in this response',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: withProblems({
          201: Type.Object({
            ...ApiKey.properties,
            key: Type.String({ description: 'The key: shown only here' }),
          }),
        }),
      },
    },
    async (request, reply) => {
      reply.code(201);
      return apiKeys.create(request.body.name, requestAuthor(request));
    },
  );

  api.delete(
    '/api-keys/:keyId',
    {
      schema: {
        operationId: 'revokeApiKey',
        tags: ['api keys'],
        summary: 'Revoke an API key at once',
        params: Type.Object({ keyId: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: withProblems({ 204: Type.Null({ description: 'Revoked' }) }),
      },
    },
    async (request, reply) => {
      await apiKeys.revoke(request.params.keyId, requestAuthor(request));
      return reply.code(204).send(null);
    },
  );
};
