/**
 * /api/v1/orgs/{orgId}/audit (docs/api.md "Audit trail"): every committed change
 * of the org, newest first, through the directory's AuditService; `/audit/export` streams the
 * same entries as JSON Lines, read a batch at a time.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  ACTOR_KINDS,
  AUDIT_ACTIONS,
  AUDIT_RESOURCE_TYPES,
  type AuditEntry as AuditRecord,
} from '../../directory/audit.ts';
import { OrgParams, requireOrg } from './orgs.ts';
import { Nullable, PageQuery, page, Timestamp, withProblems } from './schemas.ts';

const ActorKind = Type.Enum([...ACTOR_KINDS], {
  description:
    'scim_token (the IdP), api_key (the host app), cli (an operator), system (the service, e.g. a release of held changes)',
});

const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  requestId: Nullable(Type.String(), 'The request that made the change (its request log row has it too)'),
  actor: Type.Object({
    kind: ActorKind,
    id: Nullable(
      Type.String(),
      "The SCIM token's or API key's id; the CLI's OS login; a system task's name (e.g. release)",
    ),
  }),
  tokenId: Nullable(Type.String(), 'The SCIM token that made it; null for every other actor'),
  action: Type.String({ description: 'create, replace, patch, delete, acknowledge, hold, release, …' }),
  resourceType: Nullable(Type.String(), 'User, Group, Deprovisioning, …'),
  resourceId: Nullable(Type.String()),
  attributes: Type.Array(Type.String(), { description: 'The changed attributes (names, never values)' }),
});

const AuditFilters = {
  action: Type.Optional(Type.Enum([...AUDIT_ACTIONS])),
  actorKind: Type.Optional(ActorKind),
  actorId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "The actor's id" })),
  resourceType: Type.Optional(Type.Enum([...AUDIT_RESOURCE_TYPES])),
  resourceId: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'From this time on' })),
  until: Type.Optional(Type.String({ format: 'date-time', description: 'Before this time' })),
};

/** An entry as the API shows it. */
export function auditView(e: AuditRecord) {
  return {
    id: e.id,
    at: e.at,
    requestId: e.requestId,
    actor: { kind: e.actorKind, id: e.tokenId },
    tokenId: e.actorKind === 'scim_token' ? e.tokenId : null,
    action: e.action,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    attributes: e.attributes,
  };
}

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
        querystring: Type.Object({ ...PageQuery, ...AuditFilters }),
        response: withProblems({ 200: page(AuditEntry) }),
      },
    },
    async (request) => {
      const { orgId } = request.params;
      const { limit, cursor, ...filter } = request.query;
      await requireOrg(request, orgId);
      const result = await audit.page(orgId, filter, { limit: limit ?? 50, cursor });
      return { data: result.items.map(auditView), nextCursor: result.nextCursor };
    },
  );

  api.get(
    '/orgs/:orgId/audit/export',
    {
      schema: {
        operationId: 'exportAuditEntries',
        tags: ['audit trail'],
        summary: 'Every matching entry as JSON Lines (one entry per line, newest first), streamed',
        params: OrgParams,
        querystring: Type.Object(AuditFilters),
        response: withProblems({
          200: {
            description: 'application/x-ndjson: one audit entry (the list form) per line',
            content: { 'application/x-ndjson': { schema: AuditEntry } },
          },
        }),
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      await requireOrg(request, orgId);
      const abort = new AbortController();
      reply.raw.once('close', () => abort.abort());
      // Bounds are checked here, before the 200 goes out; the entries are read as the client reads.
      const entries = audit.export(orgId, request.query, abort.signal);
      async function* lines() {
        for await (const entry of entries) yield `${JSON.stringify(auditView(entry))}\n`;
      }
      return (
        reply
          .header('content-type', 'application/x-ndjson; charset=utf-8')
          .header('content-disposition', `attachment; filename="audit-${orgId}.jsonl"`)
          // A stream, which the typed reply (the schema describes one line) does not know of.
          .send(Readable.from(lines()) as never)
      );
    },
  );
};
