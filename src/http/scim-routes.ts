/**
 * SCIM endpoints under /scim/v2/:org (RFC 7644 §3). Each route authenticates the org's token,
 * hands plain data to the directory, and writes the SCIM response.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../directory/deps.ts';
import { checkIfMatch, resourceEtag } from '../directory/resources.ts';
import { type CursorKeys, cursorKeys, cursorScope, openCursor, sealCursor } from '../scim/cursor.ts';
import { ScimError } from '../scim/errors.ts';
import { attributeListParam, type ListQuery, parseListQuery, SEARCH_REQUEST } from '../scim/list-query.ts';
import { etagMatches } from '../scim/resource.ts';
import type { ResourceSchema } from '../scim/schema/types.ts';
import type { ResourceRecord } from '../store/resources.ts';
import { runBulk } from './bulk.ts';
import {
  resourceTypeResource,
  schemaResource,
  servedResourceSchemas,
  servedSchemas,
  serviceProviderConfig,
} from './discovery.ts';
import { listBody, resourceBody } from './render.ts';
import { LIST_RESPONSE, listResponse, SCIM_CONTENT_TYPE, sendError, sendScim } from './responses.ts';

/** Above this many members, a Group PATCH without `attributes` answers 204 instead of the whole group. */
export const GROUP_PATCH_BODY_MAX_MEMBERS = 1000;

type Req = FastifyRequest<{ Params: { org: string; id?: string }; Querystring: Record<string, unknown> }>;

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function origin(app: FastifyInstance, request: FastifyRequest): string {
  return app.config.publicUrl ?? `${request.protocol}://${request.host}`;
}

function baseUrl(app: FastifyInstance, request: Req): string {
  return `${origin(app, request)}/scim/v2/${encodeURIComponent(request.params.org)}`;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

export async function scimRoutes(app: FastifyInstance) {
  const directory = app.directory;

  /** The actor of each authenticated request, for the IdP-quirks log line below. */
  const actors = new WeakMap<FastifyRequest, Actor>();
  // The directory lists the IdP quirks a write relied on (src/scim/quirks.ts); a successful
  // one is logged, so that an admin can see which non-RFC readings their IdP needs.
  app.addHook('onResponse', async (request, reply) => {
    const quirks = actors.get(request)?.appliedQuirks;
    if (quirks && quirks.length > 0 && reply.statusCode < 400) {
      request.log.info({ quirks }, 'IdP quirks applied');
    }
  });

  async function authenticate(request: Req): Promise<Actor> {
    const { tokenId, idpProfile } = await directory.orgs.authenticate(
      request.params.org,
      header(request, 'authorization'),
    );
    const actor: Actor = {
      orgId: request.params.org,
      tokenId,
      requestId: String(request.id),
      signal: request.budget,
      idpProfile,
      appliedQuirks: [],
    };
    actors.set(request, actor);
    request.scimActor = actor; // for the request log (request-log.ts)
    await app.rateLimit.admit(request, actor);
    return actor;
  }

  /** attributes / excludedAttributes apply to every response that returns a resource (§3.4.2.5, §3.9). */
  function projection(request: Req) {
    const q = request.query;
    const find = (name: string) => Object.keys(q).find((k) => k.toLowerCase() === name.toLowerCase());
    const a = find('attributes');
    const e = find('excludedAttributes');
    return {
      attributes: a ? attributeListParam('attributes', q[a]) : undefined,
      excludedAttributes: e ? attributeListParam('excludedAttributes', q[e]) : undefined,
    };
  }

  async function sendResource(
    request: Req,
    reply: FastifyReply,
    rs: ResourceSchema,
    record: ResourceRecord,
    status: number,
  ) {
    reply.header('etag', resourceEtag(record));
    if (status === 201) reply.header('location', `${baseUrl(app, request)}${rs.type.endpoint}/${record.id}`);
    const ctx = { directory, base: baseUrl(app, request) };
    return reply
      .code(status)
      .header('content-type', SCIM_CONTENT_TYPE)
      .send(await resourceBody(ctx, rs, record, projection(request)));
  }

  function preconditions(request: Req) {
    return { ifMatch: header(request, 'if-match'), ifNoneMatch: header(request, 'if-none-match') };
  }

  async function list(
    request: Req,
    reply: FastifyReply,
    rs: ResourceSchema,
    source: Record<string, unknown>,
  ) {
    const actor = await authenticate(request);
    const query = parseListQuery(source, rs, app.config);
    if (query.cursor !== undefined) return cursorList(request, reply, actor, rs, query);
    const result = await directory.resources.list(actor, rs, query);
    return sendList(request, reply, rs, query, result.records, {
      schemas: [LIST_RESPONSE],
      totalResults: result.total,
      startIndex: result.startIndex,
      itemsPerPage: result.records.length,
    });
  }

  /** A ListResponse (RFC 7644 §3.4.2) whose Resources are rendered like single resources. */
  async function sendList(
    request: Req,
    reply: FastifyReply,
    rs: ResourceSchema,
    query: ListQuery,
    records: ResourceRecord[],
    head: Record<string, unknown>,
  ) {
    const params = { attributes: query.attributes, excludedAttributes: query.excludedAttributes };
    const ctx = { directory, base: baseUrl(app, request) };
    return reply
      .code(200)
      .header('content-type', SCIM_CONTENT_TYPE)
      .send(await listBody(ctx, rs, head, records, params));
  }

  /**
   * The keys that seal cursors: from CURSOR_SECRET, else from the secret that migration 0002
   * stored in the database (shared by every instance on it), read once.
   */
  let sealing: Promise<CursorKeys> | undefined;
  function cursorSealing(): Promise<CursorKeys> {
    sealing ??= (async () => {
      const secret = app.config.cursorSecret ?? (await directory.storedCursorSecret());
      return cursorKeys(secret);
    })().catch((error: unknown) => {
      sealing = undefined;
      throw error;
    });
    return sealing;
  }

  /**
   * Cursor paging, RFC 9865 §2: the page after the cursor's position (keyset, no OFFSET), and
   * `nextCursor` unless it is the last page. No `startIndex` (the position is not an index)
   * and no `previousCursor` (optional; not offered).
   */
  async function cursorList(
    request: Req,
    reply: FastifyReply,
    actor: Actor,
    rs: ResourceSchema,
    query: ListQuery,
  ) {
    const keys = await cursorSealing();
    const scope = cursorScope(actor.orgId, rs.type.name, query);
    const now = directory.deps.now();
    const after = query.cursor
      ? openCursor(keys, query.cursor, scope, now, app.config.cursorTimeout)
      : undefined;
    const result = await directory.resources.listAfter(actor, rs, query, after);
    const head = {
      schemas: [LIST_RESPONSE],
      totalResults: result.total,
      itemsPerPage: result.records.length,
      ...(result.next ? { nextCursor: sealCursor(keys, scope, result.next, now) } : {}),
    };
    return sendList(request, reply, rs, query, result.records, head);
  }

  /** 405 for the methods a path does not support (RFC 7231 §6.5.5), as a SCIM error. */
  function refuseOtherMethods(url: string, allowed: readonly string[]) {
    const others = ALL_METHODS.filter((m) => !allowed.includes(m));
    if (others.length === 0) return;
    app.route({
      method: [...others],
      url,
      handler: async (request, reply) =>
        sendError(
          reply,
          ScimError.methodNotAllowed(
            `${request.method} is not supported on this endpoint`,
            allowed.join(', '),
          ),
        ),
    });
  }

  for (const rs of servedResourceSchemas()) {
    const collection = rs.type.endpoint;
    const item = `${collection}/:id`;

    app.get(collection, async (request: Req, reply) => list(request, reply, rs, request.query));

    app.post(`${collection}/.search`, async (request: Req, reply) => {
      const body = request.body;
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw ScimError.invalidSyntax('A search request body must be a JSON object');
      }
      const schemas = (body as Record<string, unknown>).schemas;
      if (
        schemas !== undefined &&
        !(
          Array.isArray(schemas) &&
          schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SEARCH_REQUEST.toLowerCase())
        )
      ) {
        throw ScimError.invalidSyntax(`A search request must carry the schema ${SEARCH_REQUEST}`);
      }
      return list(request, reply, rs, body as Record<string, unknown>);
    });
    refuseOtherMethods(`${collection}/.search`, ['POST']);

    app.post(collection, async (request: Req, reply) => {
      const actor = await authenticate(request);
      const record = await directory.resources.create(actor, rs, request.body);
      return sendResource(request, reply, rs, record, 201);
    });
    refuseOtherMethods(collection, ['GET', 'POST']);

    app.get(item, async (request: Req, reply) => {
      const actor = await authenticate(request);
      const record = await directory.resources.get(actor, rs, request.params.id ?? '');
      // RFC 9110 §13.2.2: If-Match first (412 when no tag matches), then If-None-Match (304).
      checkIfMatch(record, header(request, 'if-match'));
      const ifNoneMatch = header(request, 'if-none-match');
      if (ifNoneMatch !== undefined) {
        const etag = resourceEtag(record);
        if (etagMatches(ifNoneMatch, etag)) return reply.code(304).header('etag', etag).send();
      }
      return sendResource(request, reply, rs, record, 200);
    });

    app.put(item, async (request: Req, reply) => {
      const actor = await authenticate(request);
      const record = await directory.resources.replace(
        actor,
        rs,
        request.params.id ?? '',
        request.body,
        preconditions(request),
      );
      return sendResource(request, reply, rs, record, 200);
    });

    app.patch(item, async (request: Req, reply) => {
      const actor = await authenticate(request);
      const record = await directory.resources.patch(
        actor,
        rs,
        request.params.id ?? '',
        request.body,
        preconditions(request),
      );
      // RFC 7644 §3.5.2: 200 with the resource, or 204. A large group answers 204 (with its
      // ETag) unless the request asks for attributes: sending 100,000 members back after adding
      // one would make every membership change cost the size of the group.
      const p = projection(request);
      if (
        rs.type.name === 'Group' &&
        !p.attributes &&
        !p.excludedAttributes &&
        (await directory.resources.hasMoreMembersThan(record, GROUP_PATCH_BODY_MAX_MEMBERS))
      ) {
        return reply.code(204).header('etag', resourceEtag(record)).send();
      }
      return sendResource(request, reply, rs, record, 200);
    });

    app.delete(item, async (request: Req, reply) => {
      const actor = await authenticate(request);
      await directory.resources.delete(actor, rs, request.params.id ?? '', preconditions(request));
      return reply.code(204).send();
    });
    refuseOtherMethods(item, ['GET', 'PUT', 'PATCH', 'DELETE']);
  }

  // Discovery (RFC 7644 §4): the same for every org, no token needed, filters refused (403).
  function refuseFilter(request: Req) {
    if (Object.keys(request.query).some((k) => k.toLowerCase() === 'filter')) {
      throw ScimError.forbidden('Filtering is not supported on discovery endpoints (RFC 7644 §4)');
    }
  }

  app.get('/ServiceProviderConfig', async (request: Req, reply) =>
    sendScim(reply, 200, serviceProviderConfig(app.config, baseUrl(app, request))),
  );
  refuseOtherMethods('/ServiceProviderConfig', ['GET']);

  app.get('/ResourceTypes', async (request: Req, reply) => {
    refuseFilter(request);
    const all = servedResourceSchemas().map((rs) => resourceTypeResource(rs, baseUrl(app, request)));
    return sendScim(reply, 200, listResponse(all.length, 1, all));
  });
  refuseOtherMethods('/ResourceTypes', ['GET']);

  app.get('/ResourceTypes/:id', async (request: Req, reply) => {
    const rs = servedResourceSchemas().find((r) => r.type.name === request.params.id);
    if (!rs) throw ScimError.notFound(`No resource type '${request.params.id}'`);
    return sendScim(reply, 200, resourceTypeResource(rs, baseUrl(app, request)));
  });
  refuseOtherMethods('/ResourceTypes/:id', ['GET']);

  app.get('/Schemas', async (request: Req, reply) => {
    refuseFilter(request);
    const all = servedSchemas().map((s) => schemaResource(s, baseUrl(app, request)));
    return sendScim(reply, 200, listResponse(all.length, 1, all));
  });
  refuseOtherMethods('/Schemas', ['GET']);

  app.get('/Schemas/:id', async (request: Req, reply) => {
    const id = request.params.id ?? '';
    const schema = servedSchemas().find((s) => s.id.toLowerCase() === id.toLowerCase());
    if (!schema) throw ScimError.notFound(`No schema '${id}'`);
    return sendScim(reply, 200, schemaResource(schema, baseUrl(app, request)));
  });
  refuseOtherMethods('/Schemas/:id', ['GET']);

  // Endpoints of RFC 7644 this server does not offer (yet): a clear 501, not a bare 404.
  // Bulk (RFC 7644 §3.7); its body limit is MAX_BODY_BYTES, advertised as maxPayloadSize.
  app.post('/Bulk', async (request: Req, reply) => {
    const actor = await authenticate(request);
    const body = await runBulk(
      {
        directory,
        actor,
        base: baseUrl(app, request),
        resourceSchemas: servedResourceSchemas(),
        maxOperations: app.config.bulkMaxOperations,
        log: request.log,
      },
      request.body,
    );
    return sendScim(reply, 200, body);
  });
  refuseOtherMethods('/Bulk', ['POST']);

  for (const url of ['/Me', '/.search']) {
    app.route({
      method: [...ALL_METHODS],
      url,
      handler: async (request) => {
        await authenticate(request as Req);
        throw ScimError.notImplemented(`${url} is not supported by this server`);
      },
    });
  }
}
