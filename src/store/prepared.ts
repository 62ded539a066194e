/**
 * Statements on the hot path (token check, resource by id, live counts, the writes of a
 * create or update) built and compiled once per dialect instead of on every request:
 * Kysely's builder and compiler cost more than an indexed lookup or a one-row insert. The
 * query is compiled with a marker for each argument; later calls bind the real arguments in
 * the markers' places, in a transaction or not.
 */
import { type Compilable, CompiledQuery, type Kysely } from 'kysely';
import { type Dialect, dialectOf } from './db.ts';
import type { DB } from './schema.ts';
import { directReader } from './sqlite-driver.ts';

interface Template {
  sql: string;
  /** For each SQL parameter: the index of the argument it takes, or -1 for a constant. */
  slots: number[];
  constants: readonly unknown[];
  /** A SELECT, which SQLite may run outside Kysely. */
  select: boolean;
}

export function preparedQuery<A extends (string | number | null)[], R>(
  build: (db: Kysely<DB>, ...args: A) => Compilable<R>,
): (db: Kysely<DB>, ...args: A) => Promise<R[]> {
  const templates = new Map<Dialect, Template>();
  return async (db, ...args) => {
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
      template = {
        sql: compiled.sql,
        slots,
        constants: compiled.parameters,
        select: /^\s*select\b/i.test(compiled.sql),
      };
      templates.set(dialect, template);
    }
    const t = template;
    const parameters = t.slots.map((slot, k) => (slot >= 0 ? args[slot] : t.constants[k]));
    // SQLite outside a transaction: straight to a connection, without Kysely.
    const read = t.select ? directReader(db) : undefined;
    if (read) return read(t.sql, parameters) as R[];
    return (await db.executeQuery<R>(CompiledQuery.raw(t.sql, parameters))).rows;
  };
}
