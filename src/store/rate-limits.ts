/** The `rate_limits` table (migration 0005): fixed-window counters shared by every instance. */
import { type Kysely, sql } from 'kysely';
import type { DB } from './schema.ts';

export interface CounterLimit {
  key: string;
  /** At least 1. */
  limit: number;
}

/**
 * Bumps each counter of `orgId` in the window that starts at `windowStart` by one, unless it
 * is already at its limit, in one statement: an upsert whose update only happens below the
 * limit. The check and the increment happen on the locked row, so concurrent requests from
 * any number of instances never push a counter past its limit. Returns the new value of each
 * counter that was bumped; a counter missing from the map was at its limit and is unchanged.
 */
export async function bumpCounters(
  db: Kysely<DB>,
  orgId: string,
  windowStart: number,
  expiresAt: number,
  counters: readonly CounterLimit[],
): Promise<Map<string, number>> {
  const limitOf = sql<number>`case ${sql.ref('rate_limits.key')} ${sql.join(
    counters.map((c) => sql`when ${c.key} then ${sql.lit(Math.trunc(c.limit))}`),
    sql` `,
  )} end`;
  const rows = await db
    .insertInto('rate_limits')
    .values(
      counters.map((c) => ({
        org_id: orgId,
        key: c.key,
        window_start: windowStart,
        count: 1,
        expires_at: expiresAt,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['org_id', 'key', 'window_start'])
        .doUpdateSet({ count: sql`${sql.ref('rate_limits.count')} + 1` })
        .where(sql<boolean>`${sql.ref('rate_limits.count')} < ${limitOf}`),
    )
    .returning(['key', 'count'])
    .execute();
  return new Map(rows.map((r) => [r.key, Number(r.count)]));
}

/** Takes back one count from each of `keys` (a request that another counter refused). */
export async function releaseCounters(
  db: Kysely<DB>,
  orgId: string,
  windowStart: number,
  keys: readonly string[],
): Promise<void> {
  if (keys.length === 0) return;
  await db
    .updateTable('rate_limits')
    .set({ count: sql`${sql.ref('count')} - 1` })
    .where('org_id', '=', orgId)
    .where('window_start', '=', windowStart)
    .where('key', 'in', [...keys])
    .execute();
}

/** Deletes the counters of windows that ended at or before `now`. */
export async function pruneCounters(db: Kysely<DB>, now: number): Promise<number> {
  const result = await db.deleteFrom('rate_limits').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
