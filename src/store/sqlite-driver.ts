/**
 * SQLite for Kysely with two connections to one file: a writer, which runs every transaction
 * and every write one at a time (SQLite has a single writer), and a reader, which runs the
 * SELECTs issued outside a transaction while the writer has one open, at once, without
 * waiting behind it (when the writer is idle they run on the writer, whose cache is warm). In
 * WAL mode the reader sees every committed transaction and nothing uncommitted: the
 * read-committed behaviour that PostgreSQL's pool gives.
 *
 * Kysely's own SqliteDriver funnels everything through one connection and a mutex, so a GET
 * waited for whichever PATCH was between its statements; it also prepares each statement anew.
 * Here statements are prepared once per SQL text and kept, and the writer commits the
 * transactions that finish in one turn of the event loop together (group commit, below).
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
import { traceQuery, tracingOn } from '../tracing.ts';
import type { Checkpointer } from './checkpointer.ts';

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
export function isSelect(text: string): boolean {
  const head = text.trimStart().slice(0, 6).toLowerCase();
  return head === 'select' || head.startsWith('with ') || head === 'with\n';
}

function run(statement: SqliteDatabase.Statement, parameters: readonly unknown[]): QueryResult<unknown> {
  // No closure on the hot path unless tracing is on.
  if (!tracingOn()) return runStatement(statement, parameters);
  return traceQuery('sqlite', statement.source, () => runStatement(statement, parameters));
}

function runStatement(
  statement: SqliteDatabase.Statement,
  parameters: readonly unknown[],
): QueryResult<unknown> {
  if (statement.reader) return { rows: statement.all(parameters) };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return {
    numAffectedRows: BigInt(changes),
    insertId: lastInsertRowid !== undefined ? BigInt(lastInsertRowid) : undefined,
    rows: [],
  };
}

/** A FIFO lock on the writer. */
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

/**
 * Most members, and most statements, one SQLite transaction carries before it commits at once:
 * group commit is for many small writes; a large one (an import, a 10,000-member PATCH)
 * commits as soon as it is done instead of growing a transaction that others then join.
 */
const GROUP_MAX = 64;
const GROUP_MAX_STATEMENTS = 1000;

/**
 * One SQLite transaction on the writer that carries the work of one or more members (Kysely
 * transactions or lone writes), each after the first in a savepoint of its own: group commit.
 * A member that finishes hands the open transaction on instead of committing; the COMMIT runs
 * once the current turn of the event loop is over, so the requests that arrived together share
 * it, and each member learns then of its commit (or its failure). Each commit writes every page
 * it touched to the WAL, so concurrent writes that share index pages pay for them once instead
 * of once each. A member that fails rolls back to its own savepoint (the first, which has none,
 * rolls back the transaction, which holds nothing else yet); the others keep their work.
 */
interface Group {
  size: number;
  /** Statements its members have run. */
  statements: number;
  /** Its commit is scheduled (after the current turn of the event loop). */
  scheduled: boolean;
  committed: { resolve(): void; reject(error: unknown): void }[];
}

/** One member's hold on the writer. */
interface Member {
  release: () => void;
  /** Undefined for the group's first member, whose failure rolls back the whole transaction. */
  savepoint: string | undefined;
  group: Group;
}

class RoutedConnection implements DatabaseConnection {
  /** Set while this connection holds the writer for a transaction. */
  member: Member | undefined;
  constructor(readonly driver: SplitSqliteDriver) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const { writer } = this.driver;
    if (this.member) {
      this.member.group.statements++;
      return run(writer.get(query.sql), query.parameters) as QueryResult<R>;
    }
    const rows = this.driver.read(query.sql, query.parameters);
    if (rows) return { rows: rows as R[] };
    // A lone write is a member of its own: it returns once it is committed.
    const member = await this.driver.enter();
    let result: QueryResult<R>;
    try {
      result = run(writer.get(query.sql), query.parameters) as QueryResult<R>;
    } catch (error) {
      await this.driver.leave(member, false);
      throw error;
    }
    await this.driver.leave(member, true);
    return result;
  }

  // biome-ignore lint/correctness/useYield: streaming is not supported, as in Kysely's own driver
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on SQLite');
  }
}

/** The drivers of this process, by database file. */
const siblings = new Map<string, Set<SplitSqliteDriver>>();

export class SplitSqliteDriver implements Driver {
  readonly mutex: Mutex;
  #group: Group | undefined;
  #savepoints = 0;
  constructor(
    readonly writer: StatementCache,
    readonly reader: StatementCache | undefined,
    /** The database file, or ':memory:'. */
    readonly path: string,
    /** Stopped last when the database closes. */
    readonly checkpointer?: Checkpointer,
  ) {
    const set = path === ':memory:' ? undefined : siblings.get(path);
    this.mutex = set?.values().next().value?.mutex ?? new Mutex();
    if (path === ':memory:') return;
    siblings.set(path, (set ?? new Set()).add(this));
  }

  async init() {}

  /**
   * Opens a write transaction holding the main file's write lock from its start, waiting the
   * busy timeout while another process holds it. A plain (deferred) BEGIN reads first and asks
   * for the lock at its first write; if another process committed meanwhile, SQLite cannot
   * upgrade the stale read snapshot and fails at once with SQLITE_BUSY ("database is
   * locked"), busy timeout or not (https://www.sqlite.org/lang_transaction.html).
   *
   * BEGIN IMMEDIATE would also lock every attached file: the directory's connections attach
   * the request log's file, whose own connection in this process may hold a batch open
   * until a later turn of the event loop, which the busy wait (synchronous) never lets come.
   * So where files are attached, a BEGIN is followed at once by a write that changes nothing
   * on the main file (`update … where 0` takes its write lock all the same); before the
   * migrations made that table, and on connections without attachments, BEGIN IMMEDIATE.
   */
  beginWrite() {
    if (this.#writeIntent === undefined && this.#hasAttachments()) {
      const made = this.writer.database
        .prepare("select 1 from main.sqlite_master where type = 'table' and name = 'orgs'")
        .get();
      if (made) this.#writeIntent = this.writer.get('update main.orgs set id = id where 0');
    }
    if (!this.#writeIntent) {
      this.writer.get('begin immediate').run();
      return;
    }
    this.writer.get('begin').run();
    try {
      this.#writeIntent.run();
    } catch (error) {
      this.writer.get('rollback').run();
      throw error;
    }
  }

  #writeIntent: SqliteDatabase.Statement | undefined;
  #attached: boolean | undefined;

  #hasAttachments(): boolean {
    const files = this.writer.database.pragma('database_list') as { name: string }[];
    this.#attached ??= files.some((f) => f.name !== 'main' && f.name !== 'temp');
    return this.#attached;
  }

  /**
   * Where a read outside a transaction runs: on the writer while it has no transaction open
   * (its page cache is warm: SQLite drops a connection's cache whenever another connection
   * has written, so the reader's goes cold with every commit), else on the reader, which
   * sees only committed data and never waits.
   */
  readerFor(): StatementCache {
    return this.reader && this.writer.database.inTransaction ? this.reader : this.writer;
  }

  /**
   * Runs `text` at once (readerFor) if it is a SELECT that writes nothing and a reader exists;
   * undefined otherwise, for the caller to run it on the writer, in turn.
   */
  read(text: string, parameters: readonly unknown[]): unknown[] | undefined {
    if (!this.reader || !isSelect(text)) return undefined;
    const statement = this.readerFor().get(text);
    if (!statement.reader || !statement.readonly) return undefined;
    if (!tracingOn()) return statement.all(parameters);
    return traceQuery('sqlite', text, () => statement.all(parameters));
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new RoutedConnection(this);
  }

  /** Takes the writer and joins the group's transaction (opening one if needed). */
  async enter(): Promise<Member> {
    const release = await this.mutex.lock();
    try {
      this.#flushSiblings();
      if (!this.#group) {
        this.beginWrite();
        this.#group = { size: 0, statements: 0, scheduled: false, committed: [] };
      }
      // The first member needs no savepoint: nothing else is in the transaction yet. (It also
      // must not have one: a savepoint makes SQLite journal every statement, and a large
      // transaction such as an import then slows down with the size of the database.)
      let savepoint: string | undefined;
      if (this.#group.size > 0) {
        this.#savepoints = (this.#savepoints + 1) % 1_000_000;
        savepoint = `m${this.#savepoints}`;
        this.writer.database.exec(`savepoint ${savepoint}`);
      }
      this.#group.size++;
      return { release, savepoint, group: this.#group };
    } catch (error) {
      this.#fail(error);
      release();
      throw error;
    }
  }

  /**
   * Ends a member: keeps its work (`ok`) or rolls back to its savepoint, then commits the group
   * if it is full, else leaves it open for whoever comes next in this turn of the event loop
   * and schedules its commit. Resolves when the member's work is committed; rejects if that
   * commit fails.
   */
  async leave(member: Member, ok: boolean): Promise<void> {
    const { group, savepoint, release } = member;
    try {
      if (this.#group !== group || !this.writer.database.inTransaction) {
        // The transaction is gone (SQLite rolled it back on an I/O error, say): nothing of
        // this member or the group survived.
        throw new Error('the SQLite transaction was rolled back');
      }
      if (savepoint === undefined) {
        if (!ok) {
          // The first member failed: the transaction holds nothing else.
          this.#group = undefined;
          this.writer.get('rollback').run();
          return;
        }
      } else if (ok) this.writer.database.exec(`release ${savepoint}`);
      else this.writer.database.exec(`rollback to ${savepoint}; release ${savepoint}`);
      if (group.size >= GROUP_MAX || group.statements >= GROUP_MAX_STATEMENTS) {
        this.#commit(group);
        return;
      }
      // Commit once the work already at hand has joined: after this turn of the event loop,
      // whose other requests reach the writer first (FIFO) and join this transaction.
      if (!group.scheduled) {
        group.scheduled = true;
        setImmediate(() => void this.#flush(group));
      }
    } catch (error) {
      this.#fail(error, group);
      throw error;
    } finally {
      // Hands the writer on (to the next member of this group, when it stays open).
      release();
    }
    if (!ok) return;
    return new Promise<void>((resolve, reject) => group.committed.push({ resolve, reject }));
  }

  /**
   * Drivers of one process on one file (tests run two app instances on one database) share
   * one writer lock, so none is mid-transaction now; but one may hold a group open between
   * its members, waiting for its turn of the event loop to commit, and this connection's
   * write would then wait on SQLite's busy timeout with the event loop blocked. Commit it.
   */
  #flushSiblings() {
    for (const sibling of siblings.get(this.path) ?? []) {
      if (sibling === this || !sibling.#group) continue;
      try {
        sibling.#commit(sibling.#group);
      } catch {
        // #commit has failed that group's members.
      }
    }
  }

  /** Commits the open group once the writer is free: `group` only, or whichever is open. */
  async #flush(group?: Group) {
    const release = await this.mutex.lock();
    try {
      const open = this.#group;
      if (open && (group === undefined || open === group)) this.#commit(open);
    } catch {
      // #commit has failed the group's members; nobody else is waiting for this.
    } finally {
      release();
    }
  }

  #commit(group: Group) {
    this.#group = undefined;
    try {
      this.writer.get('commit').run();
    } catch (error) {
      this.#fail(error, group);
      throw error;
    }
    for (const c of group.committed) c.resolve();
  }

  /** Rolls back whatever is open and fails every member of `group` still waiting for its commit. */
  #fail(error: unknown, group = this.#group) {
    if (this.writer.database.inTransaction) this.writer.database.exec('rollback');
    if (this.#group === group) this.#group = undefined;
    for (const c of group?.committed.splice(0) ?? []) c.reject(error);
  }

  /**
   * Runs `work` as one member of the group commit, as a Kysely transaction on this driver
   * would run (a savepoint of its own after the group's first member), but synchronously and
   * with its statements run straight on the writer: Resolves once its work is committed; a
   * throw from `work` rolls back its work only, and rejects with it.
   */
  async member<T>(work: (run: (text: string, parameters: readonly unknown[]) => unknown[]) => T): Promise<T> {
    const member = await this.enter();
    let result: T;
    try {
      result = work((text, parameters) => {
        member.group.statements++;
        return run(this.writer.get(text), parameters).rows;
      });
    } catch (error) {
      await this.leave(member, false);
      throw error;
    }
    await this.leave(member, true);
    return result;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as RoutedConnection).member = await this.enter();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#end(connection as RoutedConnection, true);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#end(connection as RoutedConnection, false);
  }

  async #end(c: RoutedConnection, ok: boolean) {
    const member = c.member;
    c.member = undefined;
    if (member) await this.leave(member, ok);
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
    // Only reached with the writer still held if a transaction ended without commit/rollback.
    await this.#end(connection as RoutedConnection, false);
  }

  async destroy(): Promise<void> {
    // A group waiting for its commit is committed first: its members are waiting for that.
    await this.#flush();
    siblings.get(this.path)?.delete(this);
    if (siblings.get(this.path)?.size === 0) siblings.delete(this.path);
    this.reader?.close();
    this.writer.close();
    await this.checkpointer?.stop();
  }
}

type ReadFn = (sql: string, parameters: readonly unknown[]) => unknown[];
const readers = new WeakMap<object, ReadFn>();
const writers = new WeakMap<object, SplitSqliteDriver>();

/**
 * Runs `statements` at once, synchronously, in one transaction of their own on the writer of a
 * root SQLite Kysely instance: for writes that no caller waits on and that want none of the
 * group commit's turns (the request log's batches, on the log's own connection). Returns
 * false, having done nothing, for PostgreSQL, for a transaction, and while the connection has
 * a transaction open: the caller goes the usual way then. Nothing else runs on the connection
 * meanwhile, since nothing here awaits.
 */
export function writeNow(
  db: object,
  statements: readonly { sql: string; parameters: readonly unknown[] }[],
): boolean {
  const driver = writers.get(db);
  if (!driver || driver.writer.database.inTransaction) return false;
  const connection = driver.writer.database;
  driver.beginWrite();
  try {
    for (const s of statements) driver.writer.get(s.sql).run(s.parameters);
    connection.exec('commit');
  } catch (error) {
    if (connection.inTransaction) connection.exec('rollback');
    throw error;
  }
  return true;
}

/**
 * Runs `work` synchronously on the writer of a root SQLite Kysely instance, as one member of
 * the group commit (SplitSqliteDriver.member), handing it a function that runs a statement
 * and returns its rows: for a write of a few statements that decides nothing between them
 * but what SQL answers at once (a create, an update), without Kysely's executor and its
 * promises around each statement. Undefined, having done nothing, for PostgreSQL and for a
 * transaction (whose statements must run in it): the caller goes the usual way then.
 */
export function writeInGroup<T>(
  db: object,
  work: (run: (text: string, parameters: readonly unknown[]) => unknown[]) => T,
): Promise<T> | undefined {
  return writers.get(db)?.member(work);
}

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
  /** Lets `directReader` and `writeNow` find the connections of the root Kysely instance built on this dialect. */
  register(db: object) {
    const driver = this.driver;
    writers.set(db, driver);
    if (!driver.reader) return;
    readers.set(db, (text, parameters) => {
      const rows = driver.read(text, parameters);
      if (!rows) throw new Error('directReader runs SELECTs only');
      return rows;
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
