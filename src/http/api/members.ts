/**
 * /api/v1/orgs/{orgId}/members (docs/api.md "Members"): members the host app adds by email,
 * outside SCIM (source `api`). When the org's IdP later creates the same person over SCIM the
 * member is linked, and the IdP owns it from then on (directory/resources.ts linkMember);
 * removing such a user here is then `idp_owned`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MAX_EMAIL } from '../../directory/resources.ts';
import { requestActor } from './actor.ts';
import { OrgParams, requireOrg } from './orgs.ts';
import { User, withProblems } from './schemas.ts';
import { ResourceId } from './users.ts';

const NewMember = Type.Object(
  {
    email: Type.String({ format: 'email', minLength: 3, maxLength: MAX_EMAIL }),
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "The member's displayName" }),
    ),
    userName: Type.Optional(
      Type.String({ minLength: 1, maxLength: 256, description: 'Defaults to the email' }),
    ),
  },
  { additionalProperties: false },
);

export const memberRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { directory } = api;

  api.post(
    '/orgs/:orgId/members',
    {
      schema: {
        operationId: 'addMember',
        tags: ['users'],
        summary:
          'Add a member by email, outside SCIM (source api); linked when the IdP later creates the same person',
        params: OrgParams,
        body: NewMember,
        response: withProblems({ 201: User }),
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      await requireOrg(request, orgId);
      const actor = requestActor(request, orgId);
      const record = await directory.resources.addMember(actor, request.body);
      reply.code(201).header('location', `${request.url.split('?')[0]}/${record.id}`);
      return directory.views.user(orgId, record);
    },
  );

  api.delete(
    '/orgs/:orgId/members/:id',
    {
      schema: {
        operationId: 'removeMember',
        tags: ['users'],
        summary: 'Remove a member the API added; one the IdP owns (source scim, linked too) is idp_owned',
        params: Type.Object({ ...OrgParams.properties, id: ResourceId }),
        response: withProblems({ 204: Type.Null({ description: 'Removed' }) }),
      },
    },
    async (request, reply) => {
      const { orgId, id } = request.params;
      await requireOrg(request, orgId);
      await directory.resources.removeMember(requestActor(request, orgId), id);
      return reply.code(204).send(null);
    },
  );
};
