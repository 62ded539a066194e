/**
 * POST /Bulk, RFC 7644 §3.7. The operations run in bulk.ts; the body limit is MAX_BODY_BYTES,
 * advertised as bulk.maxPayloadSize.
 */
import type { FastifyInstance } from 'fastify';
import { runBulk } from './bulk.ts';
import { servedResourceSchemas } from './discovery.ts';
import { sendScim } from './responses.ts';
import { authenticate, baseUrl, orgSchema, type Req, refuseOtherMethods } from './scim-request.ts';

export async function bulkRoutes(app: FastifyInstance) {
  app.post('/Bulk', async (request: Req, reply) => {
    const actor = await authenticate(app, request);
    const body = await runBulk(
      {
        directory: app.directory,
        actor,
        base: baseUrl(app, request),
        resourceSchemas: await Promise.all(servedResourceSchemas().map((rs) => orgSchema(app, actor, rs))),
        maxOperations: app.config.bulkMaxOperations,
        log: request.log,
      },
      request.body,
    );
    return sendScim(reply, 200, body);
  });
  refuseOtherMethods(app, '/Bulk', ['POST']);
}
