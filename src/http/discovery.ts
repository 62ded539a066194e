/**
 * Discovery endpoints, RFC 7644 §4 with the shapes of RFC 7643 §5–§7: what this server
 * supports, stated exactly. They need no token; with the org's token they also show the
 * extension schemas the org declared (directory/properties.ts).
 */
import type { Config } from '../config.ts';
import { allResourceSchemas } from '../scim/schema/definitions.ts';
import type { ResourceSchema, SchemaDef } from '../scim/schema/types.ts';

export const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** Resource types served. */
export function servedResourceSchemas(): ResourceSchema[] {
  return allResourceSchemas;
}

/** The schemas of these resource types (by default the deployment's), each once. */
export function servedSchemas(resourceSchemas: ResourceSchema[] = servedResourceSchemas()): SchemaDef[] {
  const byId = new Map<string, SchemaDef>();
  for (const rs of resourceSchemas) for (const s of [rs.core, ...rs.extensions]) byId.set(s.id, s);
  return [...byId.values()];
}

export function serviceProviderConfig(config: Config, base: string) {
  return {
    schemas: [SPC_SCHEMA],
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: { supported: true },
    bulk: { supported: true, maxOperations: config.bulkMaxOperations, maxPayloadSize: config.maxBodyBytes },
    filter: { supported: true, maxResults: config.maxPageSize },
    changePassword: { supported: true },
    sort: { supported: true },
    // RFC 9865 §4. Index paging stays the default (§2.4: existing clients expect it).
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: config.defaultPageSize,
      maxPageSize: config.maxPageSize,
      cursorTimeout: config.cursorTimeout,
    },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with a per-organization bearer token (RFC 6750).',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypeResource(rs: ResourceSchema, base: string) {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: rs.type.name,
    name: rs.type.name,
    endpoint: rs.type.endpoint,
    description: rs.type.description,
    schema: rs.type.schema,
    schemaExtensions: rs.type.schemaExtensions,
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/${rs.type.name}` },
  };
}

export function schemaResource(schema: SchemaDef, base: string) {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes,
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${schema.id}` },
  };
}
