/**
 * SQLite for Kysely with two connections to one file: a writer, which runs every transaction
 * and every write one at a time (SQLite has a single writer), and a reader, which runs the
 * SELECTs issued outside a transaction at once, without waiting behind a transaction that is
 * open on the writer across awaits. In WAL mode the reader sees every committed transaction
 * and nothing uncommitted: the read-committed behaviour that PostgreSQL's pool gives.
 *
 * Kysely's own SqliteDriver funnels everything through one connection and a mutex, so a GET
 * waited for whichever PATCH was between its statements; it also prepares each statement anew.
 * Here statements are prepared once per SQL text and kept.
 *
 * The hot reads (src/store/prepared.ts) skip Kysely altogether through `directReader`.
 */
import type SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';

/** How many prepared statements a connection keeps (the SQL texts the app issues are few). */
const STATEMENT_CACHE_SIZE = 500;

/** Prepared statements kept by SQL text; the oldest goes when the cache is full. */
export class StatementCache {
  readonly #cache = new Map<string, SqliteDatabase.Statement>();
  constructor(readonly database: SqliteDatabase.Database) {}

  get(text: string): SqliteDatabase.Statement {
    let statement = this.#cache.get(text);
    if (statement) return statement;
    statement = this.database.prepare(text);
    if (this.#cache.size >= STATEMENT_CACHE_SIZE) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(text, statement);
    return statement;
  }

  close() {
    this.#cache.clear();
    this.database.close();
  }
}

/** A query that may run on the reader: a plain SELECT (or WITH … SELECT) that writes nothing. */
function isSelect(text: string): boolean {
  const head = text.trimStart().slice(0, 6).toLowerCase();
  return head === 'select' || head.startsWith('with ') || head === 'with\n';
}

function run(statement: SqliteDatabase.Statement, parameters: readonly unknown[]): QueryResult<unknown> {
  if (statement.reader) return { rows: statement.all(parameters) };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return {
    numAffectedRows: BigInt(changes),
    insertId: lastInsertRowid !== undefined ? BigInt(lastInsertRowid) : undefined,
    rows: [],
  };
}

/** A FIFO lock: the writer runs one transaction (or one lone write) at a time. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  async lock(): Promise<() => void> {
    let release!: () => void;
    const previous = this.#tail;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    return release;
  }
}

class RoutedConnection implements DatabaseConnection {
  /** Set while this connection holds the writer for a transaction. */
  release: (() => void) | undefined;
  constructor(readonly driver: SplitSqliteDriver) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { writer, reader } = this.driver;
    if (this.release) return run(writer.get(query.sql), query.parameters) as QueryResult<R>;
    if (reader && isSelect(query.sql)) {
      const statement = reader.get(query.sql);
      if (statement.readonly) return run(statement, query.parameters) as QueryResult<R>;
    }
    const release = await this.driver.mutex.lock();
    try {
      return run(writer.get(query.sql), query.parameters) as QueryResult<R>;
    } finally {
      release();
    }
  }

  // biome-ignore lint/correctness/useYield: streaming is not supported, as in Kysely's own driver
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on SQLite');
  }
}

export class SplitSqliteDriver implements Driver {
  readonly mutex = new Mutex();
  constructor(
    readonly writer: StatementCache,
    readonly reader: StatementCache | undefined,
  ) {}

  async init() {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutedConnection(this);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as RoutedConnection;
    c.release = await this.mutex.lock();
    try {
      this.writer.get('begin').run();
    } catch (error) {
      c.release();
      c.release = undefined;
      throw error;
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#end(connection as RoutedConnection, 'commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#end(connection as RoutedConnection, 'rollback');
  }

  async #end(c: RoutedConnection, verb: 'commit' | 'rollback') {
    try {
      this.writer.get(verb).run();
    } finally {
      // A failed COMMIT leaves the transaction open (SQLITE_BUSY): roll it back so that the
      // writer is clean for the next one.
      if (this.writer.database.inTransaction) this.writer.database.exec('rollback');
      c.release?.();
      c.release = undefined;
    }
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint "${name}"`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to "${name}"`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release "${name}"`));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const c = connection as RoutedConnection;
    // Only reached with the writer still held if a transaction ended without commit/rollback.
    if (c.release) {
      if (this.writer.database.inTransaction) this.writer.database.exec('rollback');
      c.release();
      c.release = undefined;
    }
  }

  async destroy(): Promise<void> {
    this.reader?.close();
    this.writer.close();
  }
}

type ReadFn = (sql: string, parameters: readonly unknown[]) => unknown[];
const readers = new WeakMap<object, ReadFn>();

export class SplitSqliteDialect implements Dialect {
  constructor(readonly driver: SplitSqliteDriver) {}
  createDriver(): Driver {
    return this.driver;
  }
  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }
  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
  /** Lets `directReader` find the reader of the root Kysely instance built on this dialect. */
  register(db: object) {
    const reader = this.driver.reader;
    if (!reader) return;
    readers.set(db, (text, parameters) => {
      const statement = reader.get(text);
      if (!statement.reader || !statement.readonly) throw new Error('directReader runs SELECTs only');
      return statement.all(parameters);
    });
  }
}

/**
 * The reader of a root SQLite Kysely instance, as a synchronous query function; undefined for
 * PostgreSQL, for a transaction (its reads must see its own writes) and for `:memory:`.
 */
export function directReader(db: object): ReadFn | undefined {
  return readers.get(db);
}
