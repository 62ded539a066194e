/**
 * /api/v1/orgs/{orgId}/users (docs/api.md "Users"): read-only, because the org's IdP owns its
 * users over SCIM; a write answers the problem `idp_owned` instead of fighting the IdP.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { OrgParams, requireOrg } from './orgs.ts';
import { ApiProblem } from './problems.ts';
import { Nullable, PageQuery, page, User, withProblems } from './schemas.ts';

export const ResourceId = Type.String({ minLength: 1, maxLength: 1024 });

const UserWithGroups = Type.Object({
  ...User.properties,
  groups: Type.Array(
    Type.Object({
      id: Type.String(),
      displayName: Nullable(Type.String()),
      direct: Type.Boolean({ description: 'In the group itself, not only through a nested group' }),
    }),
  ),
});

/** Answers writes to SCIM-managed data with `idp_owned`, documented as such. */
export function idpOwnedWrites(
  api: Parameters<FastifyPluginAsyncTypebox>[0],
  what: 'users' | 'groups',
  routes: {
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    url: string;
    operationId: string;
    withId: boolean;
  }[],
): void {
  for (const route of routes) {
    api.route({
      method: route.method,
      url: route.url,
      schema: {
        operationId: route.operationId,
        tags: [what],
        summary: `Refused: the org's IdP owns its ${what} (problem code idp_owned)`,
        params: route.withId ? Type.Object({ ...OrgParams.properties, id: ResourceId }) : OrgParams,
        response: withProblems({}),
      },
      handler: async (request) => {
        await requireOrg(request, (request.params as { orgId: string }).orgId);
        throw new ApiProblem(
          'idp_owned',
          `The org's identity provider manages its ${what} over SCIM: make this change in the IdP, which pushes it here`,
        );
      },
    });
  }
}

export const userRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { directory } = api;

  api.get(
    '/orgs/:orgId/users',
    {
      config: { setup: true },
      schema: {
        operationId: 'listUsers',
        tags: ['users'],
        summary: 'List users, oldest first; the search parameters combine with AND',
        params: OrgParams,
        querystring: Type.Object({
          ...PageQuery,
          email: Type.Optional(Type.String({ maxLength: 512, description: 'An email address, any case' })),
          userName: Type.Optional(Type.String({ maxLength: 512, description: 'Exact userName, any case' })),
          externalId: Type.Optional(Type.String({ maxLength: 512, description: 'Exact externalId' })),
          name: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 200,
              description: 'Contained in displayName or name (formatted, given, family), any case',
            }),
          ),
          active: Type.Optional(Type.Boolean()),
        }),
        response: withProblems({ 200: page(User) }),
      },
    },
    async (request) => {
      const { limit, cursor, email, userName, externalId, name, active } = request.query;
      await requireOrg(request, request.params.orgId);
      const result = await directory.views.listUsers(
        request.params.orgId,
        { email, userName, externalId, name, active },
        { limit: limit ?? 50, cursor },
      );
      return { data: result.items, nextCursor: result.nextCursor };
    },
  );

  api.get(
    '/orgs/:orgId/users/:id',
    {
      schema: {
        operationId: 'getUser',
        tags: ['users'],
        summary: 'One user, with its groups (direct and nested)',
        params: Type.Object({ ...OrgParams.properties, id: ResourceId }),
        response: withProblems({ 200: UserWithGroups }),
      },
    },
    async (request) => {
      await requireOrg(request, request.params.orgId);
      return directory.views.getUser(request.params.orgId, request.params.id);
    },
  );

  idpOwnedWrites(api, 'users', [
    { method: 'POST', url: '/orgs/:orgId/users', operationId: 'createUser', withId: false },
    { method: 'PATCH', url: '/orgs/:orgId/users/:id', operationId: 'updateUser', withId: true },
    { method: 'PUT', url: '/orgs/:orgId/users/:id', operationId: 'replaceUser', withId: true },
    { method: 'DELETE', url: '/orgs/:orgId/users/:id', operationId: 'deleteUser', withId: true },
  ]);
};
