/**
 * SCIM endpoints under /scim/v2/:org (RFC 7644 §3), one Fastify plugin per concern: single
 * resources (scim-resources.ts), lists and searches (scim-lists.ts), discovery
 * (scim-discovery.ts) and Bulk (scim-bulk.ts). Each route authenticates the org's token
 * (scim-request.ts), hands plain data to the directory, and writes the SCIM response.
 */
import type { FastifyInstance } from 'fastify';
import { bulkRoutes } from './scim-bulk.ts';
import { discoveryRoutes } from './scim-discovery.ts';
import { listRoutes } from './scim-lists.ts';
import { type Req, reportUnknownOrg } from './scim-request.ts';
import { resourceRoutes } from './scim-resources.ts';

export async function scimRoutes(app: FastifyInstance) {
  // The directory lists the IdP quirks a write relied on (src/scim/quirks.ts); a successful
  // one is logged, so that an admin can see which non-RFC readings their IdP needs. Added
  // before the plugins below, so it covers their routes.
  app.addHook('onResponse', (request, reply, done) => {
    const quirks = request.scimActor?.appliedQuirks;
    if (quirks && quirks.length > 0 && reply.statusCode < 400) {
      request.log.info({ quirks }, 'IdP quirks applied');
    }
    done();
  });
  // A 401 for an org that does not exist gets a log line (the client's answer stays the 401
  // any refused token gets). Before the response goes out, so it is counted when it arrives.
  // Synchronous but for a 401: no promise for every other response.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode !== 401 || request.scimActor) return done(null, payload);
    const req = request as Req;
    app.directory.orgs.exists(req.params.org).then(
      (exists) => {
        if (!exists) reportUnknownOrg(app, req);
        done(null, payload);
      },
      (error: unknown) => done(error as Error),
    );
  });

  await app.register(resourceRoutes);
  await app.register(listRoutes);
  await app.register(discoveryRoutes);
  await app.register(bulkRoutes);
}
