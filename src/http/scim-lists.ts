/**
 * Lists and searches, RFC 7644 §3.4.2–§3.4.3: GET of a collection and POST
 * `<collection>/.search`, paged by `startIndex`/`count` or by RFC 9865 cursors.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Actor } from '../directory/deps.ts';
import type { ListResult, Resource } from '../directory/resources.ts';
import {
  type CursorKeys,
  cursorKeys,
  cursorScope,
  openCursor,
  rootCursorScope,
  sealCursor,
} from '../scim/cursor.ts';
import { ScimError } from '../scim/errors.ts';
import { type ListQuery, parseListQuery, parseRootQuery, SEARCH_REQUEST } from '../scim/list-query.ts';
import type { ResourceSchema } from '../scim/schema/types.ts';
import { servedResourceSchemas } from './discovery.ts';
import { listBody, listText, type Schemas } from './render.ts';
import { LIST_RESPONSE, SCIM_CONTENT_TYPE } from './responses.ts';
import {
  authenticate,
  authenticateWith,
  baseUrl,
  orgSchema,
  type Req,
  refuseOtherMethods,
} from './scim-request.ts';

export async function listRoutes(app: FastifyInstance) {
  const directory = app.directory;

  async function list(
    request: Req,
    reply: FastifyReply,
    base: ResourceSchema,
    source: Record<string, unknown>,
  ) {
    let query: ListQuery;
    try {
      query = parseListQuery(source, base, app.config);
    } catch (error) {
      // A 401 before any complaint about the query. An org that declared extension schemas
      // (docs/properties.md) may name their attributes: parsed against its own schema, read
      // the ordinary way (the deployment's schema knows nothing the org's does not, so a
      // query that parses against it means the same against the org's).
      const actor = await authenticate(app, request);
      const rs = await orgSchema(app, actor, base);
      if (rs === base) throw error;
      const own = parseListQuery(source, rs, app.config);
      if (own.cursor !== undefined) return cursorList(request, reply, actor, rs, own);
      return sendPage(request, reply, rs, own, await directory.resources.list(actor, rs, own));
    }
    if (query.cursor !== undefined) {
      const actor = await authenticate(app, request);
      return cursorList(request, reply, actor, await orgSchema(app, actor, base), query);
    }
    // The IdP's `userName eq` lookup reads the token in the same statement: one round trip.
    const { actor, value: list } = await authenticateWith(app, request, async (authorization) => {
      const { credentials, list } = await directory.listAuthenticated(
        request.params.org,
        authorization,
        base,
        query,
      );
      return { credentials, value: list };
    });
    const result = await list(actor);
    // Rendered against the org's schema (its extensions are returned and projected).
    return sendPage(request, reply, await orgSchema(app, actor, base), query, result);
  }

  function sendPage(
    request: Req,
    reply: FastifyReply,
    rs: ResourceSchema,
    query: ListQuery,
    result: ListResult,
  ) {
    return sendList(request, reply, rs, query, result.records, {
      schemas: [LIST_RESPONSE],
      totalResults: result.total,
      startIndex: result.startIndex,
      itemsPerPage: result.records.length,
    });
  }

  /** A ListResponse (RFC 7644 §3.4.2) whose Resources are rendered like single resources. */
  function sendList(
    request: Req,
    reply: FastifyReply,
    rs: Schemas,
    query: Pick<ListQuery, 'attributes' | 'excludedAttributes'>,
    records: Resource[],
    head: Record<string, unknown>,
  ): FastifyReply | Promise<FastifyReply> {
    const params = { attributes: query.attributes, excludedAttributes: query.excludedAttributes };
    const ctx = { directory, base: baseUrl(app, request) };
    reply.code(200).header('content-type', SCIM_CONTENT_TYPE);
    // Users whose groups are known render at once: no generator, no promise.
    const text = listText(ctx, rs, head, records, params);
    if (text !== undefined) return reply.send(text);
    return listBody(ctx, rs, head, records, params).then((body) => reply.send(body));
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

  /** The body of a POST …/.search: a SearchRequest (RFC 7644 §3.4.3), schemas optional. */
  function searchRequest(body: unknown): Record<string, unknown> {
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
    return body as Record<string, unknown>;
  }

  for (const rs of servedResourceSchemas()) {
    const collection = rs.type.endpoint;

    // The collection's other methods (POST, and the 405s) are in scim-resources.ts.
    app.get(collection, async (request: Req, reply) => list(request, reply, rs, request.query));

    app.post(`${collection}/.search`, async (request: Req, reply) =>
      list(request, reply, rs, searchRequest(request.body)),
    );
    refuseOtherMethods(app, `${collection}/.search`, ['POST']);
  }

  /**
   * A search at the service root, RFC 7644 §3.4.3: Users and Groups in one result, each
   * resource with its own schemas; filter attributes a type lacks are unassigned on it
   * (docs/filter-semantics.md).
   */
  const served = servedResourceSchemas();
  app.post('/.search', async (request: Req, reply) => {
    const actor = await authenticate(app, request);
    const own = await Promise.all(served.map((rs) => orgSchema(app, actor, rs)));
    const schemas = new Map(own.map((rs) => [rs.type.name, rs]));
    const query = parseRootQuery(searchRequest(request.body), [...schemas.values()], app.config);
    if (query.cursor === undefined) {
      const result = await directory.resources.search(actor, query);
      return sendList(request, reply, schemas, query, result.records, {
        schemas: [LIST_RESPONSE],
        totalResults: result.total,
        startIndex: result.startIndex,
        itemsPerPage: result.records.length,
      });
    }
    const keys = await cursorSealing();
    const scope = rootCursorScope(actor.orgId, query);
    const now = directory.deps.now();
    const after = query.cursor
      ? openCursor(keys, query.cursor, scope, now, app.config.cursorTimeout)
      : undefined;
    const result = await directory.resources.search(actor, query, { after });
    return sendList(request, reply, schemas, query, result.records, {
      schemas: [LIST_RESPONSE],
      totalResults: result.total,
      itemsPerPage: result.records.length,
      ...(result.next ? { nextCursor: sealCursor(keys, scope, result.next, now) } : {}),
    });
  });
  refuseOtherMethods(app, '/.search', ['POST']);
}
