/**
 * Assembling the wire form of a resource from its stored parts (RFC 7643 §3: `schemas`, `id`,
 * `externalId`, `meta`), and weak ETags from versions (RFC 7644 §3.14).
 */
import type { ResourceSchema } from './schema/types.ts';

export interface ResourceMeta {
  id: string;
  created: string;
  lastModified: string;
  version: number;
  /** Absolute URL of the resource. */
  location: string;
}

export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/**
 * Parses an If-Match / If-None-Match header value (RFC 9110 §13.1.1) into the list of
 * versions it names, or '*' for any. Weak and strong forms compare the same (weak comparison).
 */
export function parseEtagList(header: string): number[] | '*' {
  if (header.trim() === '*') return '*';
  const versions: number[] = [];
  for (const m of header.matchAll(/(?:W\/)?"([^"]*)"/g)) {
    const v = m[1] ?? '';
    if (/^\d{1,15}$/.test(v)) versions.push(Number(v));
  }
  return versions;
}

export function etagMatches(header: string, version: number): boolean {
  const list = parseEtagList(header);
  return list === '*' || list.includes(version);
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
    version: etagOf(meta.version),
  };
  return out;
}
