/**
 * Discovery endpoints, RFC 7644 §4: /ServiceProviderConfig, /ResourceTypes and /Schemas. No
 * token needed; filters are refused (403). A request with the org's token also sees the
 * extension schemas the org declared (docs/properties.md); without one, or with a token that
 * does not authenticate, the deployment's. Neither is rate-limited. The documents themselves
 * are built in discovery.ts.
 */
import type { FastifyInstance } from 'fastify';
import { ScimError } from '../scim/errors.ts';
import type { ResourceSchema } from '../scim/schema/types.ts';
import {
  resourceTypeResource,
  schemaResource,
  servedResourceSchemas,
  servedSchemas,
  serviceProviderConfig,
} from './discovery.ts';
import { listResponse, sendScim } from './responses.ts';
import { baseUrl, header, type Req, refuseOtherMethods, requireOrg } from './scim-request.ts';

function refuseFilter(request: Req) {
  if (Object.keys(request.query).some((k) => k.toLowerCase() === 'filter')) {
    throw ScimError.forbidden('Filtering is not supported on discovery endpoints (RFC 7644 §4)');
  }
}

export async function discoveryRoutes(app: FastifyInstance) {
  /** The resource types as this request may see them: the org's own with its token. */
  async function served(request: Req): Promise<ResourceSchema[]> {
    const authorization = header(request, 'authorization');
    if (authorization === undefined) return servedResourceSchemas();
    let schemaVersion: number;
    try {
      ({ schemaVersion } = await app.directory.orgs.authenticate(request.params.org, authorization));
    } catch (error) {
      if (error instanceof ScimError && error.status === 401) return servedResourceSchemas();
      throw error;
    }
    const actor = { orgId: request.params.org, schemaVersion };
    return Promise.all(
      servedResourceSchemas().map((rs) => app.directory.properties.resourceSchema(actor, rs)),
    );
  }

  // The same documents for every org, but never for an org that does not exist: a 200 there
  // would let a wrong base URL pass an IdP's connection test.
  app.addHook('preHandler', async (request: Req) => requireOrg(app, request));
  app.get('/ServiceProviderConfig', async (request: Req, reply) =>
    sendScim(reply, 200, serviceProviderConfig(app.config, baseUrl(app, request))),
  );
  refuseOtherMethods(app, '/ServiceProviderConfig', ['GET']);

  app.get('/ResourceTypes', async (request: Req, reply) => {
    refuseFilter(request);
    const all = (await served(request)).map((rs) => resourceTypeResource(rs, baseUrl(app, request)));
    return sendScim(reply, 200, listResponse(all.length, 1, all));
  });
  refuseOtherMethods(app, '/ResourceTypes', ['GET']);

  app.get('/ResourceTypes/:id', async (request: Req, reply) => {
    const rs = (await served(request)).find((r) => r.type.name === request.params.id);
    if (!rs) throw ScimError.notFound(`No resource type '${request.params.id}'`);
    return sendScim(reply, 200, resourceTypeResource(rs, baseUrl(app, request)));
  });
  refuseOtherMethods(app, '/ResourceTypes/:id', ['GET']);

  app.get('/Schemas', async (request: Req, reply) => {
    refuseFilter(request);
    const all = servedSchemas(await served(request)).map((s) => schemaResource(s, baseUrl(app, request)));
    return sendScim(reply, 200, listResponse(all.length, 1, all));
  });
  refuseOtherMethods(app, '/Schemas', ['GET']);

  app.get('/Schemas/:id', async (request: Req, reply) => {
    const id = request.params.id ?? '';
    const schema = servedSchemas(await served(request)).find((s) => s.id.toLowerCase() === id.toLowerCase());
    if (!schema) throw ScimError.notFound(`No schema '${id}'`);
    return sendScim(reply, 200, schemaResource(schema, baseUrl(app, request)));
  });
  refuseOtherMethods(app, '/Schemas/:id', ['GET']);
}
