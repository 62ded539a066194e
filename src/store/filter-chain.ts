/** `and` / `or` chains and pk sets of a filter compiled to SQL (filter-sql.ts, filter-relations.ts). */
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { FilterNode } from '../scim/filter/ast.ts';
import type { Dialect } from './db.ts';

type Bool = RawBuilder<SqlBool>;

/** The operands of the chain of `op` at the top of `node`: `a or b or c` gives [a, b, c]. */
export function chainOf(node: FilterNode, op: 'and' | 'or'): FilterNode[] {
  return node.op === op ? [...chainOf(node.left, op), ...chainOf(node.right, op)] : [node];
}

/**
 * Operands joined by `op` as a balanced tree: `a or b or …` parses as a left-deep tree, one
 * level per term, and SQLite refuses an expression deeper than 1000 ("Expression tree is too
 * large", a 500 for `emails[type pr or …]` ×740, which fits in a filter's 8192 characters).
 * Two or three operands give the same SQL as a left-deep join.
 */
export function balanced(parts: Bool[], op: 'and' | 'or'): Bool {
  if (parts.length === 1) return parts[0] as Bool;
  const mid = Math.ceil(parts.length / 2);
  return sql<SqlBool>`(${balanced(parts.slice(0, mid), op)} ${sql.raw(op)} ${balanced(parts.slice(mid), op)})`;
}

/**
 * `r.pk` is in the set of pks a subquery selects. SQLite reads the subquery once into a list
 * and looks the rows up by key. PostgreSQL is given `(r.pk in (subquery)) is true`: the
 * `is true` keeps the planner from pulling the subquery up into a join, so it stays a hashed
 * SubPlan, read once into a hash table that every row probes. Both forms it replaced depend on
 * the set's size in ways no plan can see on tables never analysed (autovacuum off, or right
 * after an import):
 * - `r.pk in (subquery)` as a join: the planner expects one live row in the org and re-ran the
 *   subquery for every one of them (102 s for `name.givenName eq "Ada" and active eq true` on
 *   20,000 users);
 * - `r.pk = any(array(subquery))`: the array is built once, but checked as a row filter it is
 *   searched from its start for every row, so a set as large as the org costs the square of
 *   its size (`title pr`, `not (active eq true)`, the group of everyone: more than 10 s on
 *   100,000 users, where the hash takes under a second).
 * A small set is better read first (filter-sql.ts selectiveDriverSet); this is the form for
 * the rest, and for a set under `or` or `not`. PostgreSQL hashes the set only if it expects
 * it to fit in work_mem × hash_mem_multiplier: the service's connections raise the multiplier
 * (db.ts PG_CONNECTION_OPTIONS), or an analysed org of 500,000 users lost the hash.
 */
export function pkIn(set: RawBuilder<unknown>, dialect: Dialect): Bool {
  return dialect === 'postgres'
    ? sql<SqlBool>`((${sql.ref('r.pk')} in (${set})) is true)`
    : sql<SqlBool>`${sql.ref('r.pk')} in (${set})`;
}
