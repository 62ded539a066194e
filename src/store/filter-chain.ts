/** `and` / `or` chains of a filter compiled to SQL as balanced trees (filter-sql.ts, filter-relations.ts). */
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { FilterNode } from '../scim/filter/ast.ts';

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
