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
 * and looks the rows up by key. PostgreSQL is given `r.pk = any(array(subquery))`: the array is
 * an InitPlan run once, and the rows are read by primary key. Its plan for `r.pk in (subquery)`
 * depends on statistics: on tables never analysed (autovacuum off, or right after an import)
 * it expects one live row in the org and re-runs the subquery for every one of them (102 s for
 * `name.givenName eq "Ada" and active eq true` on 20,000 users).
 */
export function pkIn(set: RawBuilder<unknown>, dialect: Dialect): Bool {
  return dialect === 'postgres'
    ? sql<SqlBool>`${sql.ref('r.pk')} = any(array(${set}))`
    : sql<SqlBool>`${sql.ref('r.pk')} in (${set})`;
}
