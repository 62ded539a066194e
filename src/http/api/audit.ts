/**
 * /api/v1/orgs/{orgId}/audit (docs/api.md "Audit trail"): every committed change
 * of the org, newest first, through the directory's AuditService; `/audit/export` streams the
 * same entries as JSON Lines, read a batch at a time.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  ACTOR_KINDS,
  AUDIT_ACTIONS,
  AUDIT_RESOURCE_TYPES,
  type AuditFilter,
  auditView,
  DEPLOYMENT_TRAIL,
} from '../../directory/audit.ts';
import { OrgParams, requireOrg } from './orgs.ts';
import { Nullable, PageQuery, page, Timestamp, withProblems } from './schemas.ts';

const ActorKind = Type.Enum([...ACTOR_KINDS], {
  description:
    'scim_token (the IdP), api_key (the host app), cli (an operator at the command line), operator (one signed in to the console), setup_link (an IdP admin through a setup link), system (the service, e.g. a JIT sign-in creating a user)',
});

const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  requestId: Nullable(Type.String(), 'The request that made the change (its request log row has it too)'),
  actor: Type.Object({
    kind: ActorKind,
    id: Nullable(
      Type.String(),
      "The SCIM token's or API key's id; the CLI's OS login; a system task's name (e.g. sso:<connection id>)",
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

/** Whether a list request asks for JSON Lines: `?format=jsonl` or an Accept naming application/x-ndjson. */
function wantsJsonLines(format: string | undefined, accept: string | undefined): boolean {
  if (format !== undefined) return format === 'jsonl';
  return /\bapplication\/(x-)?ndjson\b/i.test(accept ?? '');
}

const JsonLines = {
  description: 'application/x-ndjson: one audit entry (the list form) per line, newest first',
  content: { 'application/x-ndjson': { schema: AuditEntry } },
};

export const auditRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { audit } = api.directory;

  /** Every entry matching `filter`, streamed as JSON Lines a batch at a time as the client reads. */
  function sendJsonLines(request: FastifyRequest, reply: FastifyReply, orgId: string, filter: AuditFilter) {
    const abort = new AbortController();
    reply.raw.once('close', () => abort.abort());
    // Bounds are checked here, before the 200 goes out; the entries are read as the client reads.
    const entries = audit.export(orgId, filter, abort.signal);
    async function* lines() {
      for await (const entry of entries) yield `${JSON.stringify(auditView(entry))}\n`;
    }
    request.log.debug({ orgId }, 'audit export');
    return reply
      .header('content-type', 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-${orgId}.jsonl"`)
      .send(Readable.from(lines()));
  }

  const ListQuery = Type.Object({
    ...PageQuery,
    ...AuditFilters,
    format: Type.Optional(
      Type.Enum(['json', 'jsonl'], {
        description: 'jsonl: every matching entry as JSON Lines, streamed (as /audit/export)',
      }),
    ),
  });
  const ListResponse = withProblems({
    200: {
      description: 'A page of entries, or (JSON Lines asked for) every matching entry',
      content: {
        'application/json': { schema: page(AuditEntry) },
        'application/x-ndjson': { schema: AuditEntry },
      },
    },
  });
  const LIST_SUMMARY =
    'newest first; the filters combine with AND. With `format=jsonl` or `Accept: application/x-ndjson`, every matching entry as JSON Lines (limit and cursor ignored)';

  /** A page of the trail `orgId`, or all of it as JSON Lines when asked for. */
  async function list(
    request: FastifyRequest,
    reply: FastifyReply,
    orgId: string,
    query: { limit?: number; cursor?: string; format?: string } & AuditFilter,
  ) {
    const { limit, cursor, format, ...filter } = query;
    if (wantsJsonLines(format, request.headers.accept)) return sendJsonLines(request, reply, orgId, filter);
    const result = await audit.page(orgId, filter, { limit: limit ?? 50, cursor });
    return reply
      .type('application/json; charset=utf-8')
      .send({ data: result.items.map(auditView), nextCursor: result.nextCursor });
  }

  api.get(
    '/orgs/:orgId/audit',
    {
      schema: {
        operationId: 'listAuditEntries',
        tags: ['audit trail'],
        summary: `The org's audit trail, ${LIST_SUMMARY}`,
        params: OrgParams,
        querystring: ListQuery,
        response: ListResponse,
      },
    },
    async (request, reply) => {
      await requireOrg(request, request.params.orgId);
      return list(request, reply, request.params.orgId, request.query) as never;
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
        response: withProblems({ 200: JsonLines }),
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      await requireOrg(request, orgId);
      // A stream, which the typed reply (the schema describes one line) does not know of.
      return sendJsonLines(request, reply, orgId, request.query) as never;
    },
  );

  api.get(
    '/audit',
    {
      schema: {
        operationId: 'listDeploymentAuditEntries',
        tags: ['audit trail'],
        summary: `The deployment's own audit trail (API keys, apps, operators, webhook endpoints of every org, org deletions), ${LIST_SUMMARY}`,
        querystring: ListQuery,
        response: ListResponse,
      },
    },
    async (request, reply) => list(request, reply, DEPLOYMENT_TRAIL, request.query) as never,
  );
};
