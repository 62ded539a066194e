/**
 * Named statements on PostgreSQL (src/store/pg-statements.ts): the texts prepared.ts compiles
 * are prepared once per connection, and a plan made stale by a schema change is retried
 * unnamed instead of failing. PostgreSQL only: the statements are its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { insertOrg } from '../../src/store/orgs.ts';
import { nameStatement, useNamedStatements } from '../../src/store/pg-statements.ts';
import { insertRequestLogs, pgInsertParts } from '../../src/store/request-log.ts';
import { createResourceWith } from '../../src/store/resource-writes.ts';
import { getResource, insertResource, lockResource } from '../../src/store/resources.ts';
import type { DB } from '../../src/store/schema.ts';
import { findTokenWithOrgProfile } from '../../src/store/tokens.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { logEntry, newUser, T0 } from './store-fixtures.ts';

type Prepared = { name: string; statement: string };

describe('named statements on PostgreSQL', () => {
  let t: TestDatabase;
  before(async () => {
    t = await openTestDatabase('postgres');
    await insertOrg(t.database.db, { id: 'o1', name: 'O', createdAt: T0 });
    await t.database.db.transaction().execute((tx) => insertResource(tx, newUser('o1', 'u1')));
  });
  after(async () => {
    await t.cleanup();
  });

  test('a statement of prepared.ts is prepared on the connection that ran it, once', async () => {
    const { prepared, again } = await t.database.db.transaction().execute(async (tx) => {
      assert.equal((await getResource(tx, 'o1', 'User', 'u1'))?.id, 'u1');
      const first = await sql<Prepared>`select name, statement from pg_prepared_statements`.execute(tx);
      assert.equal(await getResource(tx, 'o1', 'User', 'nobody'), undefined);
      const second = await sql<Prepared>`select name, statement from pg_prepared_statements`.execute(tx);
      return { prepared: first.rows, again: second.rows };
    });
    const lookup = prepared.filter(
      (p) => /from "resources"/.test(p.statement) && /"u"."id"\) >= \(\$1, \$2, \$3\)/.test(p.statement),
    );
    assert.equal(lookup.length, 1, JSON.stringify(prepared));
    assert.match(lookup[0]?.name ?? '', /^scim_\d+_\d+$/);
    assert.deepEqual(again, prepared);
  });

  test('a plan made stale by a schema change is retried unnamed, and later calls work', async () => {
    const pool = new pg.Pool({ connectionString: t.url, max: 1 });
    useNamedStatements(pool);
    const text = 'select * from orgs where id = $1';
    nameStatement(text);
    const client = await pool.connect();
    try {
      assert.equal((await client.query(text, ['o1'])).rows[0].id, 'o1');
      const named = await client.query<Prepared>('select name, statement from pg_prepared_statements');
      assert.deepEqual(
        named.rows.map((r) => r.statement),
        [text],
      );
      await client.query('alter table orgs add column extra_for_test text');
      try {
        // select * now has another column: the prepared plan's result type changed.
        const after = await client.query(text, ['o1']);
        assert.equal(after.rows[0].id, 'o1');
        assert.ok('extra_for_test' in after.rows[0]);
        assert.equal((await client.query(text, ['o1'])).rows[0].id, 'o1');
      } finally {
        await client.query('alter table orgs drop column extra_for_test');
      }
    } finally {
      client.release();
      await pool.end();
    }
  });

  test('a column added later (another instance migrating first) leaves the hot statements valid, in a transaction too', async () => {
    const pool = new pg.Pool({ connectionString: t.url, max: 1 });
    useNamedStatements(pool);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    const read = () =>
      db.transaction().execute(async (tx) => ({
        resource: (await lockResource(tx, 'o1', 'User', 'u1'))?.id,
        token: await findTokenWithOrgProfile(tx, 'no such hash'),
      }));
    try {
      assert.deepEqual(await read(), { resource: 'u1', token: undefined });
      await sql`alter table resources add column later_column text`.execute(db);
      await sql`alter table tokens add column later_column text`.execute(db);
      try {
        // A stale plan would fail the transaction ("cached plan must not change result type").
        assert.deepEqual(await read(), { resource: 'u1', token: undefined });
        assert.equal((await getResource(db, 'o1', 'User', 'u1'))?.id, 'u1');
      } finally {
        await sql`alter table resources drop column later_column`.execute(db);
        await sql`alter table tokens drop column later_column`.execute(db);
      }
    } finally {
      await db.destroy();
    }
  });

  // PostgreSQL plans a named statement for its parameters' values five times, then keeps its
  // generic plan unless that costs more than the custom ones did. The create's statement (some
  // twenty relations) took its link keys as one array, whose length a generic plan does not
  // know: its generic plan cost more, and every create planned the statement again.
  test("a create's statement keeps its generic plan after the first executions", async () => {
    const pool = new pg.Pool({ connectionString: t.url, max: 1 });
    useNamedStatements(pool);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    try {
      const keys = (id: string) => ({ keys: [id, `${id}@example.com`], userName: id, externalId: null });
      for (let i = 0; i < 12; i++) {
        const id = `plan-${i}`;
        await createResourceWith(
          db,
          newUser('o1', id),
          {
            event: {
              orgId: 'o1',
              type: 'user.created',
              at: T0,
              resourceType: 'User',
              resourceId: id,
              data: { id },
            },
            audit: {
              orgId: 'o1',
              at: T0,
              requestId: null,
              actorKind: 'scim_token',
              tokenId: null,
              action: 'create',
              resourceType: 'User',
              resourceId: id,
              attributes: ['userName'],
            },
          },
          keys(id),
        );
      }
      const { rows } = await sql<{ generic_plans: string; custom_plans: string }>`
        select generic_plans, custom_plans from pg_prepared_statements
        where statement like 'with r as (%insert into resources%'`.execute(db);
      assert.equal(rows.length, 1, JSON.stringify(rows));
      assert.ok(Number(rows[0]?.custom_plans) <= 5, `planned again: ${JSON.stringify(rows[0])}`);
      assert.ok(Number(rows[0]?.generic_plans) >= 7, JSON.stringify(rows[0]));
    } finally {
      await db.destroy();
    }
  });

  // A flush writes whatever queued since the last one: with a text per row count, each new
  // count was parsed and planned again on every connection. A batch is cut into statements of
  // a few fixed row counts (store/request-log.ts pgInsertParts), all or none.
  test('request-log batches of any size take a few named statements, whose generic plans are kept', async () => {
    const pool = new pg.Pool({ connectionString: t.url, max: 1 });
    useNamedStatements(pool);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    try {
      const sizes = [...Array.from({ length: 12 }, (_, i) => i + 1), 100, 137, 100, 100, 100, 100, 100];
      const ids: string[] = [];
      for (const [b, size] of sizes.entries()) {
        const batch = Array.from({ length: size }, (_, i) => logEntry('o1', `batch-${b}-${i}`));
        await insertRequestLogs(db, batch);
        ids.push(...batch.map((e) => e.requestId as string));
      }
      const stored = await sql<{ request_id: string }>`
        select request_id from request_log where request_id like 'batch-%' order by id`.execute(db);
      assert.deepEqual(
        stored.rows.map((r) => r.request_id),
        ids,
        'every row, in the order given',
      );
      const { rows } = await sql<{ statement: string; generic_plans: string; custom_plans: string }>`
        select statement, generic_plans, custom_plans from pg_prepared_statements
        where statement like 'insert into %request_log%'`.execute(db);
      // 1 to 12 rows take statements of 8, 4, 2 and 1 rows; 137 takes 100, 32, 4 and 1.
      assert.equal(rows.length, 6, `statements: ${JSON.stringify(rows.map((r) => r.statement.length))}`);
      const full = rows.find((r) => (r.statement.match(/\(\$/g) ?? []).length === 100);
      assert.ok(full, 'a statement of 100 rows');
      assert.ok(Number(full.custom_plans) <= 5 && Number(full.generic_plans) >= 2, JSON.stringify(full));
      assert.deepEqual(
        pgInsertParts(137).map(([n]) => n),
        [100, 32, 4, 1],
      );
      assert.deepEqual(
        pgInsertParts(100).map(([n]) => n),
        [100],
      );
      assert.deepEqual(pgInsertParts(0), []);
    } finally {
      await db.destroy();
    }
  });

  // store/db.ts LOG_CONNECTION_OPTIONS: custom plans copied a batch's 1,500 values on each of
  // its first five runs per connection, on every connection of the pool.
  test('the request log writes on a connection of its own, with generic plans from the first batch', async () => {
    const { db, logDb } = t.database;
    assert.notEqual(logDb, db);
    const setting = async (on: typeof db, name: string) =>
      (await sql<{ v: string }>`select current_setting(${name}) as v`.execute(on)).rows[0]?.v;
    assert.equal(await setting(logDb, 'plan_cache_mode'), 'force_generic_plan');
    assert.equal(await setting(logDb, 'synchronous_commit'), 'off');
    assert.equal(await setting(logDb, 'jit'), 'off');
    assert.equal(await setting(db, 'plan_cache_mode'), 'auto', "the requests' connections plan as usual");
    assert.equal(await setting(db, 'synchronous_commit'), 'on', 'directory writes wait for their WAL flush');
    for (let b = 0; b < 3; b++)
      await insertRequestLogs(
        logDb,
        Array.from({ length: 100 }, (_, i) => logEntry('o1', `own-${b}-${i}`)),
      );
    const { rows } = await sql<{ generic_plans: string; custom_plans: string }>`
      select generic_plans, custom_plans from pg_prepared_statements
      where statement like 'insert into %request_log%'`.execute(logDb);
    assert.deepEqual(
      rows.map((r) => [Number(r.custom_plans), Number(r.generic_plans)]),
      [[0, 3]],
    );
    const stored = await sql<{ n: number }>`
      select count(*)::int as n from request_log where request_id like 'own-%'`.execute(db);
    assert.equal(stored.rows[0]?.n, 300);
  });

  test('a request-log batch of several statements is written all or none', async () => {
    const before = await sql<{ n: number }>`select count(*)::int as n from request_log`.execute(
      t.database.db,
    );
    const batch = Array.from({ length: 101 }, (_, i) => logEntry('o1', `whole-${i}`));
    // The last row breaks a NOT NULL column: its statement (the second) fails.
    const last = batch[100];
    assert.ok(last);
    (last as { method: unknown }).method = null;
    await assert.rejects(insertRequestLogs(t.database.db, batch));
    const after = await sql<{ n: number }>`select count(*)::int as n from request_log`.execute(t.database.db);
    assert.equal(after.rows[0]?.n, before.rows[0]?.n);
  });

  test('texts that were never registered go unnamed', async () => {
    const pool = new pg.Pool({ connectionString: t.url, max: 1 });
    useNamedStatements(pool);
    const client = await pool.connect();
    try {
      await client.query('select id from orgs where id = $1', ['o1']);
      const named = await client.query('select name from pg_prepared_statements');
      assert.equal(named.rowCount, 0);
    } finally {
      client.release();
      await pool.end();
    }
  });
});
