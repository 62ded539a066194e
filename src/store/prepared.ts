/**
 * Statements on the hot path (token check, resource by id, live counts, the writes of a
 * create or update) built and compiled once per dialect instead of on every request:
 * Kysely's builder and compiler cost more than an indexed lookup or a one-row insert. The
 * query is compiled with a marker for each argument; later calls bind the real arguments in
 * the markers' places, in a transaction or not. On PostgreSQL the compiled text is also a
 * named statement (pg-statements.ts), planned once per connection.
 */
import { type Compilable, CompiledQuery, type Kysely } from 'kysely';
import { type Dialect, dialectOf } from './db.ts';
import { nameStatement } from './pg-statements.ts';
import type { DB } from './schema.ts';
import { directReader, isSelect } from './sqlite-driver.ts';

interface Template {
  sql: string;
  /** For each SQL parameter: the index of the argument it takes, or -1 for a constant. */
  slots: number[];
  constants: readonly unknown[];
  /** A SELECT, which SQLite may run outside Kysely. */
  select: boolean;
}

/** A statement bound to its arguments, for a caller that runs it itself (SyncRun). */
export interface BoundQuery {
  sql: string;
  parameters: unknown[];
}

/**
 * Runs one statement on SQLite's writer, synchronously, inside a write that holds it
 * (sqlite-driver.ts writeInGroup): its rows (those of RETURNING), or none.
 */
export type SyncRun = (sql: string, parameters: readonly unknown[]) => unknown[];

/** A query compiled once per dialect (preparedQuery), run through `db`, or bound for a SyncRun. */
export interface PreparedQuery<A extends (string | number | null)[], R> {
  (db: Kysely<DB>, ...args: A): Promise<R[]>;
  bind(db: Kysely<DB>, ...args: A): BoundQuery;
}

export function preparedQuery<A extends (string | number | null)[], R>(
  build: (db: Kysely<DB>, ...args: A) => Compilable<R>,
): PreparedQuery<A, R> {
  const templates = new Map<Dialect, Template>();
  const templateOf = (db: Kysely<DB>, args: A): Template => {
    const dialect = dialectOf(db);
    let template = templates.get(dialect);
    if (!template) {
      const markers = args.map((_, i) => `\u0000arg${i}\u0000`);
      const compiled = build(db, ...(markers as A)).compile();
      const slots = compiled.parameters.map((p) => (typeof p === 'string' ? markers.indexOf(p) : -1));
      // Every argument must reach the SQL untouched; a builder that transforms one (say,
      // lower-cases it) cannot be prepared this way.
      markers.forEach((_, i) => {
        if (!slots.includes(i))
          throw new Error(`preparedQuery: argument ${i} does not reach the SQL unchanged`);
      });
      if (dialect === 'postgres') nameStatement(compiled.sql);
      template = {
        sql: compiled.sql,
        slots,
        constants: compiled.parameters,
        select: isSelect(compiled.sql),
      };
      templates.set(dialect, template);
    }
    return template;
  };
  const bind = (db: Kysely<DB>, ...args: A): BoundQuery => {
    const t = templateOf(db, args);
    return { sql: t.sql, parameters: t.slots.map((slot, k) => (slot >= 0 ? args[slot] : t.constants[k])) };
  };
  const query = async (db: Kysely<DB>, ...args: A): Promise<R[]> => {
    const t = templateOf(db, args);
    const parameters = t.slots.map((slot, k) => (slot >= 0 ? args[slot] : t.constants[k]));
    // SQLite outside a transaction: straight to a connection, without Kysely.
    const read = t.select ? directReader(db) : undefined;
    if (read) return read(t.sql, parameters) as R[];
    return (await db.executeQuery<R>(CompiledQuery.raw(t.sql, parameters))).rows;
  };
  return Object.assign(query, { bind });
}

/**
 * A multi-row INSERT of `columns` into `table`, in statements of at most `chunk` rows, each
 * compiled once per row count: a user's index terms or a request-log batch come in a few usual
 * sizes, and a bigger batch is cut into full statements and one remainder, so that nothing is
 * compiled per call (a request-log batch of 101 rows used to go through Kysely's builder every
 * time) and at most `chunk` statements are kept. `rows` are objects keyed by column; a missing
 * key inserts null.
 */
export function preparedInsert<T extends keyof DB & string>(
  table: T,
  columns: readonly (keyof DB[T] & string)[],
  chunk: number,
): PreparedInsert<T> {
  const byCount = new Map<number, PreparedQuery<(string | number | null)[], unknown>>();
  const width = columns.length;
  /** Each statement of `rows` (one per `chunk`), with its arguments. */
  function* parts(rows: readonly Partial<Record<keyof DB[T] & string, unknown>>[]) {
    for (let from = 0; from < rows.length; from += chunk) {
      const part = rows.slice(from, from + chunk);
      let insert = byCount.get(part.length);
      if (!insert) {
        const n = part.length;
        insert = preparedQuery(
          (d: Kysely<DB>, ...a: (string | number | null)[]) =>
            // biome-ignore lint/suspicious/noExplicitAny: rows are built column by column from the table's own column names
            (d.insertInto(table) as any).values(
              Array.from({ length: n }, (_, r) =>
                Object.fromEntries(columns.map((c, k) => [c, a[r * width + k]])),
              ),
            ) as Compilable<unknown>,
        );
        byCount.set(n, insert);
      }
      const args: (string | number | null)[] = [];
      for (const row of part) for (const c of columns) args.push((row[c] ?? null) as string | number | null);
      yield { insert, args };
    }
  }
  const run = async (db: Kysely<DB>, rows: readonly Partial<Record<keyof DB[T] & string, unknown>>[]) => {
    for (const { insert, args } of parts(rows)) await insert(db, ...args);
  };
  const bind = (db: Kysely<DB>, rows: readonly Partial<Record<keyof DB[T] & string, unknown>>[]) =>
    [...parts(rows)].map(({ insert, args }) => insert.bind(db, ...args));
  return Object.assign(run, { bind });
}

/** preparedInsert's function: runs the INSERTs through `db`, or binds them for a SyncRun. */
export interface PreparedInsert<T extends keyof DB & string> {
  (db: Kysely<DB>, rows: readonly Partial<Record<keyof DB[T] & string, unknown>>[]): Promise<void>;
  bind(db: Kysely<DB>, rows: readonly Partial<Record<keyof DB[T] & string, unknown>>[]): BoundQuery[];
}
