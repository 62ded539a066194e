/**
 * Keyset pagination for RFC 9865 cursors: the next page is the rows strictly after the last
 * row of this one in the list's own order, `(sort key, pk)`. Unlike OFFSET, a position stays
 * meaningful while the directory changes: a deleted row simply is not there any more, a new
 * row appears once, where its key puts it, and nothing before the position is read again.
 */
import type { RawBuilder, SqlBool } from 'kysely';
import { sql } from 'kysely';

/** The last row a page returned: its sort key (null when it has none, or no sortBy) and pk. */
export interface KeysetPosition {
  key: string | number | null;
  pk: number;
}

/**
 * `(K, pk)` strictly after `after` in the order listQueries uses: ascending is
 * `K asc nulls last, pk asc`; descending is its exact reverse, `K desc nulls first, pk desc`.
 * `key` undefined: the order is pk alone (no sortBy, or a key that is the same for every row).
 * Every branch is two-valued for a NULL K, so no row falls between two pages.
 */
export function keysetAfter(
  key: RawBuilder<unknown> | undefined,
  descending: boolean,
  after: KeysetPosition,
): RawBuilder<SqlBool> {
  const pk = sql.ref('r.pk');
  if (!key) return descending ? sql<SqlBool>`${pk} < ${after.pk}` : sql<SqlBool>`${pk} > ${after.pk}`;
  const k = after.key;
  if (descending) {
    // NULL keys came first: after one of them, the remaining NULLs by pk, then every non-NULL.
    return k === null
      ? sql<SqlBool>`(${key} is not null or ${pk} < ${after.pk})`
      : sql<SqlBool>`(${key} < ${k} or (${key} = ${k} and ${pk} < ${after.pk}))`;
  }
  // Ascending: NULL keys come last, so they follow every non-NULL position.
  return k === null
    ? sql<SqlBool>`(${key} is null and ${pk} > ${after.pk})`
    : sql<SqlBool>`(${key} > ${k} or (${key} = ${k} and ${pk} > ${after.pk}) or ${key} is null)`;
}
