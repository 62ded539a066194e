/** /api/v1/orgs/{orgId}/scim: an org's SCIM connection, its IdP profile and tokens (docs/api.md). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MAX_TOKEN_LIFETIME_SECONDS, type TokenInfo } from '../../directory/orgs.ts';
import { requestAuthor } from './actor.ts';
import { IdpProfile, NewScimToken, OrgParams, requireOrg, ScimToken, scimBaseUrl } from './orgs.ts';
import { withProblems } from './schemas.ts';

const Connection = Type.Object({
  scimBaseUrl: Type.String(),
  idpProfile: IdpProfile,
});

function tokenView<T extends TokenInfo>({ orgId: _org, ...token }: T): Omit<T, 'orgId'> {
  return token;
}

export const scimConnectionRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { directory } = api;

  api.get(
    '/orgs/:orgId/scim',
    {
      config: { setup: true },
      schema: {
        operationId: 'getScimConnection',
        tags: ['scim connection'],
        summary: "The org's SCIM base URL and IdP profile",
        params: OrgParams,
        response: withProblems({ 200: Connection }),
      },
    },
    async (request) => {
      const org = await requireOrg(request, request.params.orgId);
      return { scimBaseUrl: scimBaseUrl(request, org.id), idpProfile: org.idpProfile };
    },
  );

  api.patch(
    '/orgs/:orgId/scim',
    {
      config: { setup: true },
      schema: {
        operationId: 'updateScimConnection',
        tags: ['scim connection'],
        summary: 'Set the IdP profile: which IdP quirks the SCIM endpoint accepts',
        params: OrgParams,
        body: Type.Object({ idpProfile: IdpProfile }, { additionalProperties: false }),
        response: withProblems({ 200: Connection }),
      },
    },
    async (request) => {
      const org = await directory.orgs.setIdpProfile(
        request.params.orgId,
        request.body.idpProfile,
        requestAuthor(request),
      );
      return { scimBaseUrl: scimBaseUrl(request, org.id), idpProfile: org.idpProfile };
    },
  );

  api.get(
    '/orgs/:orgId/scim/tokens',
    {
      schema: {
        operationId: 'listScimTokens',
        tags: ['scim connection'],
        summary: "The org's SCIM tokens, revoked ones included (never the secret)",
        params: OrgParams,
        response: withProblems({ 200: Type.Object({ data: Type.Array(ScimToken) }) }),
      },
    },
    async (request) => ({ data: (await directory.orgs.listTokens(request.params.orgId)).map(tokenView) }),
  );

  api.post(
    '/orgs/:orgId/scim/tokens',
    {
      config: { setup: true },
      schema: {
        operationId: 'createScimToken',
        tags: ['scim connection'],
        summary: 'Create another SCIM token (rotation); the token is shown only in this response',
        params: OrgParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            expiresInSeconds: Type.Optional(
              Type.Integer({ minimum: 1, maximum: MAX_TOKEN_LIFETIME_SECONDS }),
            ),
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 201: NewScimToken }),
      },
    },
    async (request, reply) => {
      const { name, expiresInSeconds } = request.body ?? {};
      const token = await directory.orgs.createToken(request.params.orgId, name ?? 'token', {
        expiresInSeconds,
        by: requestAuthor(request),
      });
      reply.code(201);
      return tokenView(token);
    },
  );

  api.delete(
    '/orgs/:orgId/scim/tokens/:tokenId',
    {
      schema: {
        operationId: 'revokeScimToken',
        tags: ['scim connection'],
        summary: 'Revoke a SCIM token at once',
        params: Type.Object({
          ...OrgParams.properties,
          tokenId: Type.String({ minLength: 1, maxLength: 200 }),
        }),
        response: withProblems({ 204: Type.Null({ description: 'Revoked' }) }),
      },
    },
    async (request, reply) => {
      await directory.orgs.revokeToken(request.params.orgId, request.params.tokenId, requestAuthor(request));
      return reply.code(204).send(null);
    },
  );
};
