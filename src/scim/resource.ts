/**
 * Assembling the wire form of a resource from its stored parts (RFC 7643 §3: `schemas`, `id`,
 * `externalId`, `meta`), and weak ETags (RFC 7644 §3.14).
 */
import { createHash } from 'node:crypto';
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

/** One entry of a user's computed `groups` (RFC 7643 §4.1.2), as its representation shows it. */
export interface GroupEntry {
  /** The group's id: the entry's `value`. */
  id: string;
  display: string | null;
  type: string;
}

/**
 * The ETag of a resource (RFC 7644 §3.14): `W/"<version>"`, where `version` is the stored
 * counter every write of the resource bumps. A user's `groups` are computed, not stored, and
 * no membership change, group rename or group delete touches the user's row (that would make
 * one change of a group of 100,000 write 100,000 rows); so a user in any group gets
 * `W/"<version>-<digest>"`, the digest covering its groups as rendered (`value`, `display`,
 * `type`; `$ref` follows from `value` and the host the client used), sorted so that their
 * order never matters. No groups: the plain `W/"<version>"`.
 *
 * The only place an ETag is made; ResourceService's resourceEtag picks its inputs. The digest
 * is the first 12 hex digits (48 bits) of SHA-256: native and about a microsecond for the few
 * hundred bytes of a user's groups, and two states of one user's groups share a tag (a stale
 * tag that would still match) with a chance of 2^-48; a 32-bit FNV hash would be hand-written
 * and leave 2^-32.
 */
export function etagOf(version: number, groups: readonly GroupEntry[] = []): string {
  if (groups.length === 0) return `W/"${version}"`;
  const entries = groups.map((g) => JSON.stringify([g.id, g.display, g.type])).sort();
  const digest = createHash('sha256').update(entries.join('\n')).digest('hex').slice(0, 12);
  return `W/"${version}-${digest}"`;
}

/**
 * Whether an If-Match / If-None-Match header value (RFC 9110 §13.1.1: `*` or a list of entity
 * tags) names `etag`. Weak comparison: `W/"x"` and `"x"` name the same tag, so a client that
 * strips the weak prefix is understood (this server only issues weak tags).
 */
export function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const m of header.matchAll(/(?:W\/)?("[^"]*")/g)) {
    if (m[1] === opaque) return true;
  }
  return false;
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
