/**
 * /api/v1/orgs/{orgId}/groups (docs/api.md "Groups"): read-only like users (the IdP owns them);
 * a group's members are a separate, paged list, so no group is ever read whole.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { OrgParams, requireOrg } from './orgs.ts';
import { Group, Nullable, PageQuery, page, withProblems } from './schemas.ts';
import { idpOwnedWrites, ResourceId } from './users.ts';

const Member = Type.Object({
  id: Type.String(),
  type: Type.Enum(['user', 'group']),
  display: Nullable(Type.String({ description: "The member's displayName, else its userName" })),
});

const GroupParams = Type.Object({ ...OrgParams.properties, id: ResourceId });

export const groupRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { directory } = api;

  api.get(
    '/orgs/:orgId/groups',
    {
      config: { setup: true },
      schema: {
        operationId: 'listGroups',
        tags: ['groups'],
        summary: 'List groups, oldest first; the search parameters combine with AND',
        params: OrgParams,
        querystring: Type.Object({
          ...PageQuery,
          name: Type.Optional(
            Type.String({ minLength: 1, maxLength: 200, description: 'Contained in displayName, any case' }),
          ),
          externalId: Type.Optional(Type.String({ maxLength: 512, description: 'Exact externalId' })),
        }),
        response: withProblems({ 200: page(Group) }),
      },
    },
    async (request) => {
      await requireOrg(request, request.params.orgId);
      const { limit, cursor, name, externalId } = request.query;
      const result = await directory.views.listGroups(
        request.params.orgId,
        { name, externalId },
        { limit: limit ?? 50, cursor },
      );
      return { data: result.items, nextCursor: result.nextCursor };
    },
  );

  api.get(
    '/orgs/:orgId/groups/:id',
    {
      schema: {
        operationId: 'getGroup',
        tags: ['groups'],
        summary: 'One group (its members: listGroupMembers)',
        params: GroupParams,
        response: withProblems({ 200: Group }),
      },
    },
    async (request) => {
      await requireOrg(request, request.params.orgId);
      return directory.views.getGroup(request.params.orgId, request.params.id);
    },
  );

  api.get(
    '/orgs/:orgId/groups/:id/members',
    {
      schema: {
        operationId: 'listGroupMembers',
        tags: ['groups'],
        summary: "A page of the group's direct members (users and nested groups)",
        params: GroupParams,
        querystring: Type.Object(PageQuery),
        response: withProblems({ 200: page(Member) }),
      },
    },
    async (request) => {
      await requireOrg(request, request.params.orgId);
      const { limit, cursor } = request.query;
      const result = await directory.views.groupMembers(request.params.orgId, request.params.id, {
        limit: limit ?? 50,
        cursor,
      });
      return { data: result.items, nextCursor: result.nextCursor };
    },
  );

  idpOwnedWrites(api, 'groups', [
    { method: 'POST', url: '/orgs/:orgId/groups', operationId: 'createGroup', withId: false },
    { method: 'PATCH', url: '/orgs/:orgId/groups/:id', operationId: 'updateGroup', withId: true },
    { method: 'PUT', url: '/orgs/:orgId/groups/:id', operationId: 'replaceGroup', withId: true },
    { method: 'DELETE', url: '/orgs/:orgId/groups/:id', operationId: 'deleteGroup', withId: true },
  ]);
};
