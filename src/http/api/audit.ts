/**
 * /api/v1/orgs/{orgId}/audit (docs/api.md "Audit trail"): every committed change of the org's
 * users and groups, newest first, through the directory's AuditService.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AUDIT_ACTIONS } from '../../directory/audit.ts';
import { OrgParams, requireOrg } from './orgs.ts';
import { Nullable, PageQuery, page, Timestamp, withProblems } from './schemas.ts';

const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  requestId: Nullable(Type.String(), 'The request that made the change (its request log row has it too)'),
  tokenId: Nullable(Type.String(), 'The SCIM token that made it; null for the CLI and the API'),
  action: Type.String({
    description: 'create, replace, patch or delete; hold, release, discard or supersede (safety valves)',
  }),
  resourceType: Nullable(Type.String(), 'User or Group'),
  resourceId: Nullable(Type.String()),
  attributes: Type.Array(Type.String(), { description: 'The changed attributes (names, never values)' }),
});

export const auditRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { audit } = api.directory;

  api.get(
    '/orgs/:orgId/audit',
    {
      schema: {
        operationId: 'listAuditEntries',
        tags: ['audit trail'],
        summary: "The org's audit trail, newest first; the filters combine with AND",
        params: OrgParams,
        querystring: Type.Object({
          ...PageQuery,
          action: Type.Optional(Type.Enum([...AUDIT_ACTIONS])),
          resourceType: Type.Optional(Type.Enum(['User', 'Group'])),
          resourceId: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
          since: Type.Optional(Type.String({ format: 'date-time', description: 'From this time on' })),
          until: Type.Optional(Type.String({ format: 'date-time', description: 'Before this time' })),
        }),
        response: withProblems({ 200: page(AuditEntry) }),
      },
    },
    async (request) => {
      const { orgId } = request.params;
      const { limit, cursor, ...filter } = request.query;
      await requireOrg(request, orgId);
      const result = await audit.page(orgId, filter, { limit: limit ?? 50, cursor });
      return { data: result.items, nextCursor: result.nextCursor };
    },
  );
};
