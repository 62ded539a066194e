/**
 * /api/v1/orgs/{orgId}/requests (docs/api.md "Request log"): the org's logged SCIM requests,
 * newest first, with the filters of the CLI's `logs` command; one request with its (redacted)
 * bodies and its failure hint. Through the directory's RequestLogService only.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { parseStatusFilter, type RequestLogRecord } from '../../directory/request-log.ts';
import { OrgParams, requireOrg } from './orgs.ts';
import { ApiProblem } from './problems.ts';
import { Nullable, PageQuery, page, Timestamp, withProblems } from './schemas.ts';

const LoggedRequest = Type.Object({
  id: Type.Integer({ description: "The row's place in the log" }),
  at: Timestamp,
  requestId: Nullable(Type.String(), "The request's id, as in the server's log lines"),
  tokenId: Nullable(Type.String(), 'The SCIM token that authenticated it'),
  method: Type.String(),
  path: Type.String({ description: 'With the query string' }),
  status: Type.Integer(),
  durationMs: Type.Number(),
  scimType: Nullable(Type.String(), 'The SCIM error type of a failure'),
  idp: Nullable(Type.String(), 'The IdP the User-Agent names'),
  userAgent: Nullable(Type.String()),
  hint: Nullable(Type.String(), 'What a failure most likely means, and what to try'),
  quirks: Nullable(Type.Array(Type.String()), 'The IdP quirk rules applied (docs/idp-quirks.md)'),
});

const LoggedRequestWithBodies = Type.Object({
  ...LoggedRequest.properties,
  requestBody: Nullable(Type.String(), 'Redacted: passwords and tokens never appear'),
  responseBody: Nullable(Type.String(), 'Redacted'),
});

/** A record without its bodies (the list never reads them). */
function summary({ requestBody: _req, responseBody: _res, ...rest }: RequestLogRecord) {
  return rest;
}

export const requestLogRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { requestLog } = api.directory;

  api.get(
    '/orgs/:orgId/requests',
    {
      config: { setup: true },
      schema: {
        operationId: 'listRequests',
        tags: ['request log'],
        summary: "The org's logged SCIM requests, newest first; the filters combine with AND",
        params: OrgParams,
        querystring: Type.Object({
          ...PageQuery,
          status: Type.Optional(
            Type.String({
              pattern: '^([1-5][xX][xX]|[1-5][0-9][0-9])$',
              description: 'A class (2xx, 4xx, 5xx) or one status code (409)',
            }),
          ),
          path: Type.Optional(
            Type.String({ maxLength: 2048, description: 'The path (with query) contains this text' }),
          ),
          since: Type.Optional(Type.String({ format: 'date-time', description: 'From this time on' })),
          until: Type.Optional(Type.String({ format: 'date-time', description: 'Before this time' })),
        }),
        response: withProblems({ 200: page(LoggedRequest) }),
      },
    },
    async (request) => {
      const { orgId } = request.params;
      const { limit, cursor, status, path, since, until } = request.query;
      await requireOrg(request, orgId);
      const result = await requestLog.page(
        orgId,
        {
          status: status === undefined ? undefined : parseStatusFilter(status),
          pathContains: path,
          since,
          until,
        },
        { limit: limit ?? 50, cursor },
      );
      return { data: result.items.map(summary), nextCursor: result.nextCursor };
    },
  );

  api.get(
    '/orgs/:orgId/requests/:id',
    {
      config: { setup: true },
      schema: {
        operationId: 'getRequest',
        tags: ['request log'],
        summary: 'One logged request with its redacted bodies and failure hint',
        params: Type.Object({
          ...OrgParams.properties,
          id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
        }),
        response: withProblems({ 200: LoggedRequestWithBodies }),
      },
    },
    async (request) => {
      const { orgId, id } = request.params;
      await requireOrg(request, orgId);
      const row = await requestLog.get(orgId, id);
      if (!row) throw new ApiProblem('not_found', `No logged request ${id} of '${orgId}'`);
      return row;
    },
  );
};
