/**
 * PostgreSQL hashes a filter's set of pks (store/filter-chain.ts pkIn) only if it expects the
 * hash table to fit in work_mem × hash_mem_multiplier. At the defaults (8 MB, 262,144 rows) a
 * set larger than that, once statistics show it, is re-read for every row instead: the square
 * of the org's size. The service's connections raise the multiplier (store/db.ts
 * PG_CONNECTION_OPTIONS); here a table of a million analysed rows, half of them in the set,
 * is planned on a connection of the service's and on one with PostgreSQL's defaults.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { pkIn } from '../../src/store/filter-chain.ts';
import type { DB } from '../../src/store/schema.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';

const ROWS = 1_000_000;

/** The plan's text (EXPLAIN's default format, which says `hashed SubPlan` where it hashes). */
const planText = (rows: { 'QUERY PLAN': string }[]) => rows.map((r) => r['QUERY PLAN']).join('\n');

/** The statement a filtered listing makes of a set: the rows of `big` whose pk is in it. */
const statement = (db: Kysely<DB>) =>
  sql`select count(*) as n from big as r where ${pkIn(sql`select pk from big where flag`, 'postgres')}`.compile(
    db,
  );

describe('a large set of pks is hashed (postgres)', { skip: !dialects.includes('postgres') }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await openTestDatabase('postgres');
    await sql`create table big as select g::bigint as pk, g % 2 = 0 as flag from generate_series(1, ${sql.lit(ROWS)}) as g`.execute(
      t.database.db,
    );
    await sql`analyze big`.execute(t.database.db);
  });
  after(async () => {
    await t?.cleanup();
  });

  test("on the service's connections, planned as a hashed SubPlan and answered", async () => {
    const db = t.database.db;
    const compiled = statement(db);
    const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${sql.raw(compiled.sql)}`.execute(db);
    assert.match(planText(rows), /hashed SubPlan 1/, planText(rows));
    const answer = await sql<{ n: string }>`${sql.raw(compiled.sql)}`.execute(db);
    assert.equal(Number(answer.rows[0]?.n), ROWS / 2);
  });

  test("with PostgreSQL's defaults, the same set is not hashed (what the setting is for)", async () => {
    // A plain connection to the same schema, set to the defaults whatever the server's are.
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    try {
      await client.query('set hash_mem_multiplier = 2');
      await client.query("set work_mem = '4MB'");
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `explain ${statement(t.database.db).sql}`,
      );
      assert.match(planText(rows), /SubPlan 1/, planText(rows));
      assert.doesNotMatch(planText(rows), /hashed SubPlan/, planText(rows));
    } finally {
      await client.end();
    }
  });
});
