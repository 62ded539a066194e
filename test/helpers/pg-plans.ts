/**
 * What a statement read on PostgreSQL, without timing: for the tests of plans on tables never
 * analysed (test/store/unanalysed-*.test.ts).
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../src/store/schema.ts';

/** A per-relation statistics function of the transaction's own counters. */
type Counter = 'tuples' | 'blocks';

const SUMS: Record<Counter, string> = {
  tuples: 'pg_stat_get_xact_tuples_returned(c.oid) + pg_stat_get_xact_tuples_fetched(c.oid)',
  blocks: 'pg_stat_get_xact_blocks_fetched(c.oid)',
};

/** How much `counter` grew, summed over every relation of the schema, while `work` ran. */
async function counted<T>(
  db: Kysely<DB>,
  counter: Counter,
  work: (tx: Kysely<DB>) => Promise<T>,
): Promise<{ n: number; result: T }> {
  return db.transaction().execute(async (tx) => {
    const total = async () =>
      Number(
        (
          await sql<{ n: string }>`select coalesce(sum(${sql.raw(SUMS[counter])}), 0) as n
            from pg_class as c where c.relnamespace = current_schema()::regnamespace`.execute(tx)
        ).rows[0]?.n,
      );
    const before = await total();
    const result = await work(tx);
    return { n: (await total()) - before, result };
  });
}

/**
 * Rows and index entries that `work` read on PostgreSQL (every relation of the schema, inside
 * functions too, which EXPLAIN shows as one node): the transaction's own statistics counters.
 */
export function tuplesRead<T>(db: Kysely<DB>, work: (tx: Kysely<DB>) => Promise<T>) {
  return counted(db, 'tuples', work);
}

/**
 * Buffers `work` fetched on PostgreSQL (hits and reads, every relation of the schema): unlike
 * tuplesRead, this counts the index pages a scan walks past without returning their entries.
 */
export function blocksFetched<T>(db: Kysely<DB>, work: (tx: Kysely<DB>) => Promise<T>) {
  return counted(db, 'blocks', work);
}
