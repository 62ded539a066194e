/**
 * Entity tags, the one home of every ETag rule (RFC 7644 §3.14, RFC 9110 §8.8.3 and §13):
 * how a resource's tag is made (etagOf), how a header's tags are compared with it
 * (etagMatches, weak comparison), and in which order the preconditions of a request are
 * evaluated (evaluatePreconditions). The directory picks a record's inputs for etagOf and
 * checks writes under the row lock; http/ checks reads; both call these functions.
 */
import { createHash } from 'node:crypto';
import { ScimError } from './errors.ts';

/** One entry of a user's computed `groups` (RFC 7643 §4.1.2), as its representation shows it. */
export interface GroupEntry {
  /** The group's id: the entry's `value`. */
  id: string;
  display: string | null;
  type: string;
}

/** The conditional headers of a request (RFC 9110 §13.1), as sent. */
export interface Preconditions {
  /** If-Match header value (RFC 7644 §3.14). */
  ifMatch?: string | undefined;
  /** If-None-Match header value: on a write, a match refuses it (RFC 9110 §13.1.2). */
  ifNoneMatch?: string | undefined;
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
 * The only place an ETag is made; the directory's resourceEtag picks its inputs. The digest
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
 * tags) names `etag`. Weak comparison (RFC 9110 §8.8.3.2): `W/"x"` and `"x"` name the same
 * tag, so a client that strips the weak prefix is understood (this server only issues weak tags).
 */
export function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const m of header.matchAll(/(?:W\/)?("[^"]*")/g)) {
    if (m[1] === opaque) return true;
  }
  return false;
}

/**
 * The preconditions of a request against the resource's current tag, in the order of RFC 9110
 * §13.2.2: If-Match first (no tag matches: 412), then If-None-Match (a tag matches: 304 for a
 * read, 412 for a write). Returns 'notModified' when a read should answer 304, else 'proceed';
 * throws the 412. `subject` names the resource in the error detail ("User <id>").
 */
export function evaluatePreconditions(
  etag: string,
  pre: Preconditions,
  subject: string,
  method: 'read' | 'write',
): 'proceed' | 'notModified' {
  if (pre.ifMatch !== undefined && !etagMatches(pre.ifMatch, etag)) {
    throw ScimError.preconditionFailed(`If-Match does not match the current version ${etag} of ${subject}`);
  }
  if (pre.ifNoneMatch !== undefined && etagMatches(pre.ifNoneMatch, etag)) {
    if (method === 'read') return 'notModified';
    throw ScimError.preconditionFailed(`If-None-Match matches the current version ${etag} of ${subject}`);
  }
  return 'proceed';
}
