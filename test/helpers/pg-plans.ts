/**
 * What a statement read on PostgreSQL, without timing: for the tests of plans on tables never
 * analysed (test/store/unanalysed-*.test.ts).
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../src/store/schema.ts';

/**
 * Rows and index entries that `work` read on PostgreSQL (every relation of the schema, inside
 * functions too, which EXPLAIN shows as one node): the transaction's own statistics counters.
 */
export async function tuplesRead<T>(
  db: Kysely<DB>,
  work: (tx: Kysely<DB>) => Promise<T>,
): Promise<{ n: number; result: T }> {
  return db.transaction().execute(async (tx) => {
    const counted = () =>
      sql<{ n: string }>`select coalesce(sum(pg_stat_get_xact_tuples_returned(c.oid) +
          pg_stat_get_xact_tuples_fetched(c.oid)), 0) as n
        from pg_class as c where c.relnamespace = current_schema()::regnamespace`.execute(tx);
    const before = Number((await counted()).rows[0]?.n);
    const result = await work(tx);
    return { n: Number((await counted()).rows[0]?.n) - before, result };
  });
}
