/** /api/v1/orgs: the tenants (docs/api.md "Orgs"). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Organization } from '../../directory/orgs.ts';
import { IDP_PROFILES } from '../../scim/quirks.ts';
import { requestAuthor } from './actor.ts';
import { ApiProblem } from './problems.ts';
import { Nullable, OrgId, PageQuery, page, Timestamp, withProblems } from './schemas.ts';

export const IdpProfile = Type.Enum(IDP_PROFILES, {
  description: "Which IdP's quirks the org's SCIM endpoint accepts (docs/idp-quirks.md)",
});

export const Org = Type.Object({
  id: OrgId,
  name: Type.String(),
  idpProfile: IdpProfile,
  scimBaseUrl: Type.String({ description: "The org's SCIM 2.0 base URL, for its IdP" }),
  createdAt: Timestamp,
});

export const ScimToken = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the token, to tell tokens apart' }),
  createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
  expiresAt: Nullable(Timestamp),
});

export const NewScimToken = Type.Object({
  ...ScimToken.properties,
  token: Type.String({ description: 'The bearer token for the IdP: shown only in this response' }),
});

const OrgName = Type.String({ minLength: 1, maxLength: 200 });
export const OrgParams = Type.Object({ orgId: OrgId });

export function scimBaseUrl(request: FastifyRequest, orgId: string): string {
  const origin = request.server.config.publicUrl ?? `${request.protocol}://${request.host}`;
  return `${origin}/scim/v2/${orgId}`;
}

export function orgView(request: FastifyRequest, org: Organization) {
  return {
    id: org.id,
    name: org.name,
    idpProfile: org.idpProfile,
    scimBaseUrl: scimBaseUrl(request, org.id),
    createdAt: org.createdAt,
  };
}

/** The org, or a not_found problem. */
export async function requireOrg(request: FastifyRequest, orgId: string): Promise<Organization> {
  const org = await request.server.directory.orgs.get(orgId);
  if (!org) throw new ApiProblem('not_found', `No organization '${orgId}'`);
  return org;
}

export const orgRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { directory } = api;

  api.get(
    '/orgs',
    {
      schema: {
        operationId: 'listOrgs',
        tags: ['orgs'],
        summary: 'List orgs, by id',
        querystring: Type.Object({
          ...PageQuery,
          q: Type.Optional(
            Type.String({ maxLength: 200, description: "Contained in the org's id or name, any case" }),
          ),
        }),
        response: withProblems({ 200: page(Org) }),
      },
    },
    async (request) => {
      const result = await directory.orgs.page({
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor,
        search: request.query.q,
      });
      return { data: result.items.map((o) => orgView(request, o)), nextCursor: result.nextCursor };
    },
  );

  api.post(
    '/orgs',
    {
      schema: {
        operationId: 'createOrg',
        tags: ['orgs'],
        summary: 'Create an org and its first SCIM token (shown once)',
        body: Type.Object(
          {
            name: OrgName,
            id: Type.Optional(OrgId),
            idpProfile: Type.Optional(IdpProfile),
          },
          { additionalProperties: false },
        ),
        response: withProblems({
          201: Type.Object({ ...Org.properties, scimToken: NewScimToken }),
        }),
      },
    },
    async (request, reply) => {
      const { name, id, idpProfile } = request.body;
      const { org, token } = await directory.orgs.create(name, {
        ...(id ? { id } : {}),
        ...(idpProfile ? { idpProfile } : {}),
        by: requestAuthor(request),
      });
      const { orgId: _org, ...scimToken } = token;
      reply.code(201).header('location', `${request.url.split('?')[0]}/${org.id}`);
      return { ...orgView(request, org), scimToken };
    },
  );

  api.get(
    '/orgs/:orgId',
    {
      config: { setup: true },
      schema: {
        operationId: 'getOrg',
        tags: ['orgs'],
        summary: 'One org',
        params: OrgParams,
        response: withProblems({ 200: Org }),
      },
    },
    async (request) => orgView(request, await requireOrg(request, request.params.orgId)),
  );

  api.patch(
    '/orgs/:orgId',
    {
      schema: {
        operationId: 'updateOrg',
        tags: ['orgs'],
        summary: 'Rename an org (its id and SCIM base URL stay)',
        params: OrgParams,
        body: Type.Object({ name: OrgName }, { additionalProperties: false }),
        response: withProblems({ 200: Org }),
      },
    },
    async (request) =>
      orgView(
        request,
        await directory.orgs.rename(request.params.orgId, request.body.name, requestAuthor(request)),
      ),
  );

  api.delete(
    '/orgs/:orgId',
    {
      schema: {
        operationId: 'deleteOrg',
        tags: ['orgs'],
        summary: 'Delete an org with all its data; `confirm` must repeat its id',
        params: OrgParams,
        querystring: Type.Object({
          confirm: Type.Optional(Type.String({ maxLength: 63, description: "The org's id, again" })),
        }),
        response: withProblems({
          200: Type.Object({
            id: OrgId,
            deleted: Type.Object({
              users: Type.Integer(),
              groups: Type.Integer(),
              scimTokens: Type.Integer(),
            }),
          }),
        }),
      },
    },
    async (request) => {
      const { orgId } = request.params;
      const counts = await directory.orgs.delete(orgId, request.query.confirm, requestAuthor(request));
      return {
        id: orgId,
        deleted: { users: counts.users, groups: counts.groups, scimTokens: counts.tokens },
      };
    },
  );
};
