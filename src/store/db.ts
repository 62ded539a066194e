/**
 * Opening a database: SQLite through better-sqlite3 (the embedded default) or PostgreSQL
 * through a pg Pool. Both come back as one `Kysely<DB>` with identical value types, migrated.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  type DatabaseIntrospector,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  sql,
  type TableMetadata,
} from 'kysely';
import pg from 'pg';
import { BACKSTOP_AUTOCHECKPOINT_PAGES, type Checkpointer, startCheckpointer } from './checkpointer.ts';
import { migrateToLatest } from './migrations.ts';
import { PgLongReads } from './pg-long-reads.ts';
import { traceStatements, useNamedStatements } from './pg-statements.ts';
import { ReadProcesses, registerLongReads } from './read-process.ts';
import type { DB } from './schema.ts';
import { SplitSqliteDialect, SplitSqliteDriver, StatementCache } from './sqlite-driver.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  /**
   * Where the request log is written. On SQLite, a connection of its own to the log's file
   * (requestLogPath): a log flush then never holds a transaction open on the directory's
   * writer, during which reads made outside a transaction would move to the reader connection
   * and its small cache. `db` itself on PostgreSQL and for an in-memory database. `db` reads
   * the same table (the file is attached there as `requests`).
   */
  logDb: Kysely<DB>;
  dialect: Dialect;
  close(): Promise<void>;
  /** Figures for /metrics: the PostgreSQL pool, or the SQLite WAL files and checkpoint failures. */
  stats(): DatabaseStats;
}

export interface DatabaseStats {
  pool?: { total: number; idle: number; waiting: number };
  /** Bytes in each WAL file: one that keeps growing means checkpoints cannot keep up. */
  wal?: { file: string; bytes: number }[];
  checkpointFailures?: number;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

/**
 * pg returns int8 (bigint keys, count(*)) and numeric as strings, because they can exceed a
 * JS number. Our bigints are row keys and counts, far below 2^53, so numbers they are; scoped
 * to our pool instead of pg's process-wide parser table.
 */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (format !== 'binary' && (oid === PG_INT8 || oid === PG_NUMERIC)) {
      return (value: string) => Number(value);
    }
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
};

/** `sqlite:<path>` → the file path (relative to cwd), or `:memory:`. */
function sqlitePath(url: string): string {
  let rest = url.slice('sqlite:'.length);
  if (rest.startsWith('//')) rest = rest.slice(2);
  if (rest === '') throw new Error(`database URL ${url} names no file`);
  return rest === ':memory:' ? rest : resolve(rest);
}

/**
 * The request log's own SQLite file beside the database (`scim.db` → `scim.requests.db`), or
 * `:memory:` for an in-memory database. The directory's connections ATTACH it as `requests`;
 * the request_log table lives there alone (migration 0010), so unqualified SQL finds it, and
 * the log's writes go through a connection of its own (Database.logDb). A log flush every
 * hundred requests then commits to that file only: the main file's WAL does not move, so the
 * reader connection's page cache of the directory, which SQLite drops whenever another
 * connection commits to the file, stays warm; the directory's writer holds no transaction for
 * it; and log churn never bloats the main file.
 */
export function requestLogPath(path: string): string {
  if (path === ':memory:') return path;
  const ext = extname(path);
  return ext === '' ? `${path}.requests` : `${path.slice(0, -ext.length)}.requests${ext}`;
}

/** The request_log table in the attached file, created if it is not there (first start, or the file was removed). */
const REQUEST_LOG_DDL = [
  `create table if not exists requests.request_log (
    id integer primary key autoincrement, org_id text not null, at text not null,
    request_id text, token_id text, method text not null, path text not null,
    status integer not null, duration_ms real not null, scim_type text, idp text,
    user_agent text, request_body text, response_body text, hint text, quirks text)`,
  'create index if not exists requests.request_log_org_at_idx on request_log (org_id, at)',
];

function attachRequestLog(database: SqliteDatabase.Database, logPath: string, create: boolean) {
  database.prepare('attach database ? as requests').run(logPath);
  if (logPath !== ':memory:') {
    database.pragma('requests.journal_mode = WAL');
    database.pragma('requests.synchronous = NORMAL');
  }
  // Appends and the newest rows: a small cache does.
  database.pragma('requests.cache_size = -2048');
  if (create) for (const ddl of REQUEST_LOG_DDL) database.exec(ddl);
}

function openSqlite(url: string): {
  db: Kysely<DB>;
  logDb: Kysely<DB>;
  reads?: ReadProcesses;
  stats: () => DatabaseStats;
} {
  const path = sqlitePath(url);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const logPath = requestLogPath(path);
  let checkpointFailures = 0;
  const stats = (): DatabaseStats =>
    path === ':memory:'
      ? {}
      : {
          wal: [path, logPath].map((file) => ({ file, bytes: fileSize(`${file}-wal`) })),
          checkpointFailures,
        };
  const writer = new SqliteDatabase(path);
  // WAL: readers never block the writer; NORMAL is durable across application crashes in WAL.
  writer.pragma('journal_mode = WAL');
  writer.pragma('synchronous = NORMAL');
  configureSqlite(writer);
  attachRequestLog(writer, logPath, true);
  // A second connection for the reads made outside transactions (src/store/sqlite-driver.ts),
  // and checkpoints on a thread of their own (checkpointer.ts), the writer's automatic one a
  // backstop. An in-memory database is private to its connection and has no WAL: the writer
  // alone.
  let reader: SqliteDatabase.Database | undefined;
  let checkpointer: Checkpointer | undefined;
  if (path !== ':memory:') {
    reader = new SqliteDatabase(path);
    configureSqlite(reader);
    attachRequestLog(reader, logPath, false);
    reader.pragma('query_only = ON');
    // It serves only the reads made while the writer has a transaction open, and SQLite drops
    // its cache at every commit of the writer's to the main file anyway: 4 MB.
    reader.pragma('cache_size = -4096');
    writer.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
    checkpointer = startCheckpointer([path, logPath], (message) => {
      checkpointFailures++;
      process.emitWarning(`SQLite checkpoint of ${path} failed: ${message}`);
    });
  }
  const dialect = new SplitSqliteDialect(
    new SplitSqliteDriver(
      new StatementCache(writer),
      reader ? new StatementCache(reader) : undefined,
      path,
      checkpointer,
    ),
  );
  const db = new Kysely<DB>({ dialect });
  dialect.register(db);
  if (path === ':memory:') return { db, logDb: db, stats };
  const reads = new ReadProcesses(path);
  registerLongReads(db, reads);
  // The log's own connection, opened once the writer has made its table. Its checkpoints are
  // the checkpoint thread's too; its automatic one is only a backstop.
  const log = new SqliteDatabase(logPath);
  log.pragma('journal_mode = WAL');
  log.pragma('synchronous = NORMAL');
  log.pragma('busy_timeout = 5000');
  log.pragma('cache_size = -2048');
  log.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
  const logDialect = new SplitSqliteDialect(
    new SplitSqliteDriver(new StatementCache(log), undefined, logPath),
  );
  const logDb = new Kysely<DB>({ dialect: logDialect });
  logDialect.register(logDb);
  return { db, logDb, reads, stats };
}

function configureSqlite(database: SqliteDatabase.Database) {
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // SQLite's default page cache is 2 MB: far too small once an org has 100,000 users, whose
  // indexes then come from the OS on every lookup. 24 MB (the writer's; the reader's is set
  // below) keeps the hot index pages (the id, userName, externalId and live indexes of 100,000
  // users take ~20 MB); no mmap,
  // whose mapped pages would count against the process's memory as the database grows.
  database.pragma('cache_size = -24576');
  database.pragma('temp_store = MEMORY');
}

/** Every PostgreSQL connection's startup settings (withStartupOptions says why). */
const PG_CONNECTION_OPTIONS = ['-c jit=off', '-c hash_mem_multiplier=16'];

/**
 * The request log's own connection on PostgreSQL: one, so that its batches never take a
 * connection from the requests, and with two settings of its own at startup:
 * - `plan_cache_mode=force_generic_plan`: a batch is a named INSERT of up to 1,500 parameters
 *   (store/request-log.ts). PostgreSQL plans the first five runs of a prepared statement on
 *   each connection for their values, copying the whole VALUES list as constants each time;
 *   measured with 100 rows of a logged GET, 44 µs of backend CPU per row so planned against
 *   12 µs with the generic plan. Spread over the pool, every statement size on every
 *   connection paid that five times.
 * - `synchronous_commit=off`: a batch's commit does not wait for its WAL flush. The rows are
 *   a best-effort record already (held in memory for up to 200 ms before they are written);
 *   a crash of PostgreSQL may lose the last fraction of a second of them, never a directory
 *   change, which goes through the other connections.
 */
const LOG_CONNECTION_OPTIONS = ['-c plan_cache_mode=force_generic_plan', '-c synchronous_commit=off'];

function openPostgres(
  url: string,
  statementTimeoutMs?: number,
  connection: { max: number; options: string[] } = { max: 10, options: [] },
): { db: Kysely<DB>; stats: () => DatabaseStats } {
  // The connection string may carry `?options=-c search_path=…`; pg passes it at startup.
  const pool = new pg.Pool({
    connectionString: withStartupOptions(url, [...PG_CONNECTION_OPTIONS, ...connection.options]),
    max: connection.max,
    types: pgTypes,
    ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs } : {}),
  });
  useNamedStatements(pool);
  traceStatements(pool);
  const stats = () => ({
    pool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount },
  });
  const db = new Kysely<DB>({ dialect: new CurrentSchemaPostgresDialect({ pool }) });
  registerLongReads(db, new PgLongReads(pool));
  return { db, stats };
}

/**
 * The connection string with settings added to its startup options (a startup option costs no
 * round trip; `SET LOCAL` in each transaction would). Every connection gets:
 * - `-c jit=off`: the service's statements are short OLTP lookups, but with tables never
 *   analysed (autovacuum off, a fresh import) and recursive CTEs, whose row estimates are
 *   generic, PostgreSQL estimates some in the millions and JIT-compiles them: ~150 ms of
 *   compilation for a statement that runs in under one (a user's groups in a 100,000-member
 *   group, measured);
 * - `-c hash_mem_multiplier=16`: a filter's set of pks is a hashed SubPlan (filter-chain.ts
 *   pkIn), which the planner hashes only if it expects the hash table to fit in work_mem ×
 *   hash_mem_multiplier, at 32 bytes a row: 8 MB at the defaults (4 MB × 2), 262,144 rows
 *   expected. Above that, as soon as statistics show an org that large (the service's own
 *   ANALYZE, pg-analyze.ts), the set is re-read for every row of the org instead, the square of
 *   its size. Measured on an analysed org of 500,000 users: `title pr` (count=100) was stopped
 *   at the 10 s time budget (503) at the defaults, and answered in 3.3-4.3 s with 16 (300,000
 *   users were still under the limit: 2.3-3.3 s either way). 16 lets sets of 2 million rows
 *   be hashed (64 MB at the default work_mem); it also lets a hash join or aggregate hold as
 *   much before it spills to disk, which the service's queries, bounded by one org's rows,
 *   reach only for orgs as large (test/store/hashed-sets.test.ts).
 */
function withStartupOptions(url: string, added: string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const options = parsed.searchParams.get('options');
  parsed.searchParams.set('options', [...(options ? [options] : []), ...added].join(' '));
  return parsed.toString();
}

/**
 * Introspection of the current schema only. Kysely's own PostgreSQL introspector reads every
 * schema of the database, and its migrator calls it before taking any lock: a schema dropped
 * by anyone else meanwhile (other tenants' tooling, parallel test runs) then fails the
 * migration. Only the migrator introspects, and it needs table names of its own schema.
 */
class CurrentSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    const tables = async (): Promise<TableMetadata[]> => {
      const { rows } = await sql<{ name: string; schema: string; kind: string }>`
        select table_name as name, table_schema as schema, table_type as kind
        from information_schema.tables where table_schema = current_schema()`.execute(db);
      return rows.map((r) => ({ name: r.name, schema: r.schema, isView: r.kind === 'VIEW', columns: [] }));
    };
    return {
      getSchemas: async () => {
        const { rows } = await sql<{ name: string }>`select current_schema() as name`.execute(db);
        return rows;
      },
      getTables: tables,
      getMetadata: async () => ({ tables: await tables() }),
    };
  }
}

export interface OpenOptions {
  /**
   * PostgreSQL: every statement the service runs is cancelled after this many milliseconds
   * (`statement_timeout`; the request time budget, REQUEST_TIMEOUT_MS). Not the migrations',
   * which run on a connection of their own first: building an index may take longer.
   */
  statementTimeoutMs?: number;
}

/** Opens `sqlite:<path>` or `postgres://…`/`postgresql://…` and migrates it to the latest schema. */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  let dialect: Dialect;
  let db: Kysely<DB>;
  let logDb: Kysely<DB>;
  let stats: () => DatabaseStats;
  let reads: ReadProcesses | undefined;
  if (url.startsWith('sqlite:')) {
    dialect = 'sqlite';
    ({ db, logDb, reads, stats } = openSqlite(url));
  } else if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    dialect = 'postgres';
    if (options.statementTimeoutMs) {
      const migrator = openPostgres(url).db;
      try {
        await migrateToLatest(migrator as Kysely<unknown>, dialect);
      } finally {
        await migrator.destroy();
      }
    }
    ({ db, stats } = openPostgres(url, options.statementTimeoutMs));
    logDb = openPostgres(url, options.statementTimeoutMs, { max: 1, options: LOG_CONNECTION_OPTIONS }).db;
  } else {
    throw new Error(`unsupported database URL (expected sqlite:<path> or postgres://…): ${url}`);
  }
  // The log's connection first: what it still holds is committed before the directory's
  // connections close and the checkpoint thread makes its last checkpoint.
  const close = async () => {
    reads?.close();
    if (logDb !== db) await logDb.destroy();
    await db.destroy();
  };
  try {
    await migrateToLatest(db as Kysely<unknown>, dialect);
  } catch (error) {
    await close();
    throw error;
  }
  return { db, logDb, dialect, close, stats };
}

/**
 * The dialect behind a Kysely instance or transaction. Repositories take only `Kysely<DB>`
 * (the caller owns the transaction) yet a few statements differ by dialect (FOR UPDATE,
 * substring search), so they ask the instance's adapter.
 */
export function dialectOf(db: Kysely<DB>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
