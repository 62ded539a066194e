/**
 * One resource at a time, RFC 7644 §3.3 and §3.5–§3.6: POST to a collection, and GET, PUT,
 * PATCH, DELETE of `<collection>/:id`, with their preconditions (RFC 9110 §13).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { checkPreconditions, type Resource, resourceEtag } from '../directory/resources.ts';
import type { ResourceSchema } from '../scim/schema/types.ts';
import { servedResourceSchemas } from './discovery.ts';
import { resourceBody, resourceText } from './render.ts';
import { SCIM_CONTENT_TYPE } from './responses.ts';
import {
  authenticate,
  authenticateWith,
  baseUrl,
  header,
  notImplemented,
  orgSchema,
  projection,
  type Req,
  refuseOtherMethods,
} from './scim-request.ts';

/** Above this many members, a Group PATCH without `attributes` answers 204 instead of the whole group. */
export const GROUP_PATCH_BODY_MAX_MEMBERS = 1000;

function preconditions(request: Req) {
  return { ifMatch: header(request, 'if-match'), ifNoneMatch: header(request, 'if-none-match') };
}

export async function resourceRoutes(app: FastifyInstance) {
  const directory = app.directory;

  function sendResource(
    request: Req,
    reply: FastifyReply,
    rs: ResourceSchema,
    record: Resource,
    status: number,
  ): FastifyReply | Promise<FastifyReply> {
    const base = baseUrl(app, request);
    reply.header('etag', resourceEtag(record));
    if (status === 201) reply.header('location', `${base}${rs.type.endpoint}/${record.id}`);
    reply.code(status).header('content-type', SCIM_CONTENT_TYPE);
    const ctx = { directory, base };
    const p = projection(request);
    // A user (or a group's absence of members to read) renders at once: no promise to wait on.
    const text = resourceText(ctx, rs, record, p);
    if (text !== undefined) return reply.send(text);
    return resourceBody(ctx, rs, record, p).then((body) => reply.send(body));
  }

  for (const base of servedResourceSchemas()) {
    const collection = base.type.endpoint;
    const item = `${collection}/:id`;

    // GET of the collection is a list (scim-lists.ts).
    app.post(collection, async (request: Req, reply) => {
      const actor = await authenticate(app, request);
      const rs = await orgSchema(app, actor, base);
      const record = await directory.resources.create(actor, rs, request.body);
      return sendResource(request, reply, rs, record, 201);
    });
    refuseOtherMethods(app, collection, ['GET', 'POST']);

    app.get(item, async (request: Req, reply) => {
      // The token is read in the same statement as the resource: one round trip.
      const { actor, value } = await authenticateWith(app, request, async (authorization) => {
        const { credentials, resource } = await directory.getAuthenticated(
          request.params.org,
          authorization,
          base,
          request.params.id ?? '',
        );
        return { credentials, value: resource };
      });
      const record = value(); // 404 here, once the request is admitted
      // The org's schema (for the projection) by the version read with the token.
      const rs = await orgSchema(app, actor, base);
      // RFC 9110 §13.2.2: If-Match first (412 when no tag matches), then If-None-Match (304).
      if (checkPreconditions(record, preconditions(request), 'read') === 'notModified') {
        return reply.code(304).header('etag', resourceEtag(record)).send();
      }
      return sendResource(request, reply, rs, record, 200);
    });

    /**
     * A PUT's or PATCH's authentication, with the read its write starts from in the same
     * statement (Directory.readAuthenticated; for a user): one round trip less.
     */
    const authenticateWrite = (request: Req) =>
      authenticateWith(app, request, async (authorization) => {
        const { credentials, prior } = await directory.readAuthenticated(
          request.params.org,
          authorization,
          base,
          request.params.id ?? '',
        );
        return { credentials, value: prior };
      });

    app.put(item, async (request: Req, reply) => {
      const { actor, value: prior } = await authenticateWrite(request);
      const rs = await orgSchema(app, actor, base);
      const record = await directory.resources.replace(
        actor,
        rs,
        request.params.id ?? '',
        request.body,
        preconditions(request),
        prior,
      );
      return sendResource(request, reply, rs, record, 200);
    });

    app.patch(item, async (request: Req, reply) => {
      const { actor, value: prior } = await authenticateWrite(request);
      const rs = await orgSchema(app, actor, base);
      const record = await directory.resources.patch(
        actor,
        rs,
        request.params.id ?? '',
        request.body,
        preconditions(request),
        prior,
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
      const actor = await authenticate(app, request);
      const rs = await orgSchema(app, actor, base);
      await directory.resources.delete(actor, rs, request.params.id ?? '', preconditions(request));
      return reply.code(204).send();
    });
    refuseOtherMethods(app, item, ['GET', 'PUT', 'PATCH', 'DELETE']);
  }

  // /Me (RFC 7644 §3.11) is not offered.
  notImplemented(app, '/Me');
}
