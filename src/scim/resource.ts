/**
 * Assembling the wire form of a resource from its stored parts (RFC 7643 §3: `schemas`, `id`,
 * `externalId`, `meta`). The tag shown as `meta.version` is made in etag.ts.
 */
import type { ResourceSchema } from './schema/types.ts';

export interface ResourceMeta {
  id: string;
  created: string;
  lastModified: string;
  /** The resource's ETag (etagOf), shown as `meta.version`. */
  version: string;
  /** Absolute URL of the resource. */
  location: string;
}

/** The full resource: `schemas`, `id`, `externalId`, the attributes, then `meta`. */
export function assembleResource(
  doc: Record<string, unknown>,
  rs: ResourceSchema,
  meta: ResourceMeta,
): Record<string, unknown> {
  const { schemas, externalId, ...rest } = doc;
  const out: Record<string, unknown> = {
    schemas: Array.isArray(schemas) && schemas.length > 0 ? schemas : [rs.core.id],
    id: meta.id,
  };
  if (externalId !== undefined) out.externalId = externalId;
  Object.assign(out, rest);
  out.meta = {
    resourceType: rs.type.name,
    created: meta.created,
    lastModified: meta.lastModified,
    location: meta.location,
    version: meta.version,
  };
  return out;
}
