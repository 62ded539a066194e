/**
 * The server's own ANALYZE of its PostgreSQL tables (store/pg-analyze.ts): which tables a
 * round analyses, one instance at a time, the job's start with the server and its stop at
 * close, and why it is there: a lookup whose plan is bad on a table never analysed.
 *
 * Counters reach pg_stat_user_tables only when the backend that changed the rows flushes them;
 * every test waits for the counters it depends on (polling, with a deadline) before a round,
 * and the writes go through connections of their own, which are closed (a backend flushes
 * what it holds when it exits). No timing is asserted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { type Database, openDatabase } from '../../src/store/db.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import { ANALYZE_LOCK_PREFIX, analyzeRound } from '../../src/store/pg-analyze.ts';
import { insertResource } from '../../src/store/resources.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { tuplesRead } from '../helpers/pg-plans.ts';
import { newUser, T0 } from './store-fixtures.ts';

const noPostgres = !dialects.includes('postgres');

/** Runs `statements` on a connection of its own to the test schema, then closes it. */
async function run(url: string, ...statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end();
  }
}

interface TableStats {
  mods: number;
  live: number;
  analysed: boolean;
  lastAnalyze: string | null;
  reltuples: number;
}

async function stats(db: Database['db'], table: string): Promise<TableStats> {
  const { rows } = await sql<TableStats>`
    select s.n_mod_since_analyze::int as mods, s.n_live_tup::int as live,
      (s.last_analyze is not null or s.last_autoanalyze is not null) as analysed,
      s.last_analyze::text as "lastAnalyze", c.reltuples::float8 as reltuples
    from pg_stat_user_tables as s join pg_class as c on c.oid = s.relid
    where s.schemaname = current_schema() and s.relname = ${table}`.execute(db);
  const row = rows[0];
  assert.ok(row, `table ${table} exists`);
  return row;
}

/** Polls until `check` holds: counters arrive when other backends flush them. Fails after 60 s. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`still not so after 60 s: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const counted = (db: Database['db'], table: string, mods: number) =>
  until(`${table} counts ${mods} changes`, async () => (await stats(db, table)).mods === mods);

const rows = (table: string, n: number) =>
  `insert into ${table} (id, v) select g, g from generate_series(1, ${n}) as g`;

describe('which tables a round analyses (postgres)', { skip: noPostgres }, () => {
  let t: TestDatabase;
  before(async () => {
    t = await openTestDatabase('postgres');
  });
  after(async () => {
    await t?.cleanup();
  });

  test('a table changed past 50 + 10 % of its rows is analysed; one changed less is not', async () => {
    const db = t.database.db;
    const tables = ['big', 'small', 'fresh', 'few', 'lost'];
    await run(
      t.url,
      ...tables.map((name) => `create table ${name} (id int primary key, v int not null)`),
      rows('big', 1000),
      rows('small', 1000),
      rows('fresh', 100),
      rows('few', 10),
      rows('lost', 1000),
    );
    await counted(db, 'big', 1000);
    await counted(db, 'small', 1000);
    await counted(db, 'lost', 1000);
    // big and small analysed once (1,000 rows: their threshold is 150 changes); lost only
    // vacuumed (reltuples 1,000), its counters then reset, as after a crash.
    await run(t.url, 'analyze big, small', 'vacuum lost');
    await run(t.url, `select pg_stat_reset_single_table_counters('lost'::regclass)`);
    await counted(db, 'big', 0);
    await counted(db, 'small', 0);
    await counted(db, 'lost', 0);
    const smallBefore = await stats(db, 'small');
    assert.ok(smallBefore.analysed);
    assert.equal((await stats(db, 'lost')).analysed, false);
    assert.equal((await stats(db, 'lost')).reltuples, 1000);

    await run(
      t.url,
      'update big set v = v + 1 where id <= 200',
      'update small set v = v + 1 where id <= 140',
    );
    await counted(db, 'big', 200);
    await counted(db, 'small', 140);
    await counted(db, 'fresh', 100);
    await counted(db, 'few', 10);

    const round = await analyzeRound(db);
    assert.equal(round.skipped, false);
    const analysed = new Set(round.analysed);
    assert.ok(analysed.has('big'), `200 changes of 1,000 rows: ${round.analysed}`);
    assert.ok(analysed.has('fresh'), `never analysed, 100 rows inserted: ${round.analysed}`);
    assert.ok(analysed.has('lost'), `no analyse recorded, 1,000 rows: ${round.analysed}`);
    assert.ok(!analysed.has('small'), `140 changes of 1,000 rows: ${round.analysed}`);
    assert.ok(!analysed.has('few'), `never analysed, 10 rows: ${round.analysed}`);

    const big = await stats(db, 'big');
    assert.equal(big.mods, 0);
    const fresh = await stats(db, 'fresh');
    assert.ok(fresh.analysed && fresh.reltuples === 100, JSON.stringify(fresh));
    assert.ok((await stats(db, 'lost')).analysed);
    assert.deepEqual(await stats(db, 'small'), { ...smallBefore, mods: 140 });
    assert.equal((await stats(db, 'few')).analysed, false);

    // Nothing changed since: the next round leaves them alone.
    const next = await analyzeRound(db);
    assert.deepEqual(
      next.analysed.filter((name) => tables.includes(name)),
      [],
      JSON.stringify(next),
    );
  });
});

describe('one instance analyses at a time (postgres)', { skip: noPostgres }, () => {
  let t: TestDatabase;
  let second: Database;
  before(async () => {
    t = await openTestDatabase('postgres');
    second = await openDatabase(t.url);
  });
  after(async () => {
    await second?.close();
    await t?.cleanup();
  });

  test('a round skips while another instance holds the lock', async () => {
    const db = t.database.db;
    await run(t.url, 'create table held (id int primary key, v int not null)', rows('held', 100));
    await counted(db, 'held', 100);
    const other = new pg.Client({ connectionString: t.url });
    await other.connect();
    try {
      await other.query('select pg_advisory_lock(hashtextextended($1 || current_schema(), 0))', [
        ANALYZE_LOCK_PREFIX,
      ]);
      assert.deepEqual(await analyzeRound(db), { skipped: true, analysed: [] });
      assert.equal((await stats(db, 'held')).analysed, false);
      await other.query('select pg_advisory_unlock(hashtextextended($1 || current_schema(), 0))', [
        ANALYZE_LOCK_PREFIX,
      ]);
    } finally {
      await other.end();
    }
    const round = await analyzeRound(db);
    assert.equal(round.skipped, false);
    assert.ok(round.analysed.includes('held'), JSON.stringify(round));
  });

  test('two instances running a round at once analyse each table once', async () => {
    const db = t.database.db;
    await run(
      t.url,
      'create table twice_a (id int primary key, v int not null)',
      'create table twice_b (id int primary key, v int not null)',
      rows('twice_a', 200),
      rows('twice_b', 100),
    );
    await counted(db, 'twice_a', 200);
    await counted(db, 'twice_b', 100);
    const [one, two] = await Promise.all([analyzeRound(db), analyzeRound(second.db)]);
    const all = [...one.analysed, ...two.analysed].filter((name) => name.startsWith('twice_')).sort();
    assert.deepEqual(all, ['twice_a', 'twice_b'], JSON.stringify({ one, two }));
  });
});

describe('the job runs with the server (postgres)', { skip: noPostgres }, () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('postgres', { PG_ANALYZE_INTERVAL_SECONDS: '1' });
    // The job starts when the server is ready (listen() and the first inject() get it there).
    await t.app.ready();
  });
  after(async () => {
    await t?.close();
  });

  test('it analyses a table changed a lot, and stops when the server closes', async () => {
    const db = t.directory.database.db;
    const url = t.env.DATABASE_URL ?? '';
    await run(url, 'create table served (id int primary key, v int not null)', rows('served', 100));
    await until('the job analysed the table', async () => (await stats(db, 'served')).analysed);

    await t.app.close();
    // The directory stays open (the test's): had the job kept running, it would analyse this.
    await run(url, 'create table after_close (id int primary key, v int not null)', rows('after_close', 100));
    await counted(db, 'after_close', 100);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal((await stats(db, 'after_close')).analysed, false, 'analysed after the server closed');
  });
});

describe('PG_ANALYZE_INTERVAL_SECONDS', () => {
  test('default 10 s; 0 and off turn the job off; anything else is refused', () => {
    const interval = (value?: string) =>
      loadConfig(value === undefined ? {} : { PG_ANALYZE_INTERVAL_SECONDS: value }).pgAnalyzeIntervalSeconds;
    assert.equal(interval(), 10);
    assert.equal(interval('3'), 3);
    assert.equal(interval('0'), 0);
    assert.equal(interval('off'), 0);
    assert.equal(interval('OFF'), 0);
    assert.throws(() => interval('10s'), /PG_ANALYZE_INTERVAL_SECONDS/);
    assert.throws(() => interval('3601'), /PG_ANALYZE_INTERVAL_SECONDS/);
  });

  test('on SQLite there is no job', { skip: !dialects.includes('sqlite') }, async () => {
    const t = await startTestApp('sqlite', { PG_ANALYZE_INTERVAL_SECONDS: '1' });
    try {
      assert.equal(t.directory.startAnalyzing({ everyMs: 1000, onError: () => {} }), undefined);
    } finally {
      await t.close();
    }
  });
});

describe('a lookup on a table never analysed (postgres)', { skip: noPostgres }, () => {
  const USERS = 3000;
  const ORG = 'analyze';
  let t: TestDatabase;
  before(async () => {
    t = await openTestDatabase('postgres');
    const db = t.database.db;
    await insertOrg(db, { id: ORG, name: ORG, createdAt: T0 });
    await db.transaction().execute(async (tx) => {
      for (let i = 0; i < USERS; i++)
        await insertResource(tx, newUser(ORG, `u-${String(i).padStart(5, '0')}`));
    });
  });
  after(async () => {
    await t?.cleanup();
  });

  /** A user by id, written as plainly as SQL allows (not the store's own lookup). */
  const byId = (db: Database['db']) =>
    sql<{ pk: number }>`select pk from resources
      where org_id = ${ORG} and type = 'User' and id = ${'u-01500'} and deleted_at is null`.execute(db);

  test('reads the whole org before the job ran, and one row after', async () => {
    const db = t.database.db;
    assert.equal((await stats(db, 'resources')).analysed, false, 'never analysed');
    const unanalysed = await tuplesRead(db, byId);
    assert.equal(unanalysed.result.rows.length, 1);
    assert.ok(unanalysed.n >= USERS, `read ${unanalysed.n} rows and index entries without statistics`);

    // A generic plan made now, as a named statement's is after five executions.
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    const generic = async () => {
      await client.query('begin');
      const count = `select coalesce(sum(pg_stat_get_xact_tuples_returned(c.oid) +
        pg_stat_get_xact_tuples_fetched(c.oid)), 0)::int as n
        from pg_class as c where c.relnamespace = current_schema()::regnamespace`;
      const before = (await client.query<{ n: number }>(count)).rows[0]?.n ?? 0;
      const found = await client.query(`execute by_id('${ORG}', 'u-01500')`);
      const after = (await client.query<{ n: number }>(count)).rows[0]?.n ?? 0;
      await client.query('commit');
      assert.equal(found.rows.length, 1);
      return after - before;
    };
    try {
      await client.query('set plan_cache_mode = force_generic_plan');
      await client.query(`prepare by_id(text, text) as select pk from resources
        where org_id = $1 and type = 'User' and id = $2 and deleted_at is null`);
      const genericUnanalysed = await generic();
      assert.ok(genericUnanalysed >= USERS, `generic plan: ${genericUnanalysed} read without statistics`);

      await until('the inserts are counted', async () => (await stats(db, 'resources')).mods >= USERS);
      const round = await analyzeRound(db);
      assert.ok(round.analysed.includes('resources'), JSON.stringify(round));

      const analysed = await tuplesRead(db, byId);
      assert.equal(analysed.result.rows.length, 1);
      assert.ok(analysed.n <= 5, `read ${analysed.n} rows and index entries once analysed`);
      // The ANALYZE invalidated the prepared statement's plan: planned again, on statistics.
      const genericAnalysed = await generic();
      assert.ok(genericAnalysed <= 5, `generic plan: ${genericAnalysed} read once analysed`);
    } finally {
      await client.end();
    }
  });
});
