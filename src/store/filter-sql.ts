/**
 * Filter AST → SQL, RFC 7644 §3.4.2.2, following docs/filter-semantics.md exactly (the
 * in-memory evaluator in scim/filter/evaluate.ts implements the same rules; a shared case table
 * runs through both). The database does the work over indexes; nothing is loaded into memory.
 *
 * Shape of the SQL:
 * - Attributes with a column of their own (id, externalId, userName, meta.created,
 *   meta.lastModified) compare that column of `resources as r`.
 * - Every other attribute is a set of `resource_terms` rows: `r.pk in (select resource_pk
 *   from resource_terms where org_id = ? and path = ? and <cond>)`. The subquery is
 *   uncorrelated on purpose: SQLite plans it once, over the (org_id, path, lc|str|num)
 *   indexes, then looks the resources up by primary key (a correlated EXISTS would be run once
 *   per resource of the org).
 * - `valuePath` (`emails[type eq "work" and value co "@x"]`) scans the terms of one driver
 *   condition (an equality among the conjuncts when there is one, over its index) and checks
 *   the rest of the inner filter on the same element (resource_pk, elem) with correlated
 *   EXISTS through the (resource_pk, path, elem) index; `or` splits into one scan per side.
 * Every expression produced is two-valued (never SQL NULL), so `not (…)` is exact boolean
 * negation, as the semantics require.
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { AttrRef, CompareOp, FilterNode, FilterValue } from '../scim/filter/ast.ts';
import type { Dialect } from './db.ts';
import { balanced, chainOf, pkIn } from './filter-chain.ts';
import { relationFilter, relationOf, relationValueSet } from './filter-relations.ts';

export interface FilterContext {
  dialect: Dialect;
  orgId: string;
  type: 'User' | 'Group';
}

type Bool = RawBuilder<SqlBool>;

const TRUE: Bool = sql<SqlBool>`1 = 1`;
const FALSE: Bool = sql<SqlBool>`1 = 0`;

type ColumnTarget = { kind: 'column'; column: string; fold: boolean } | { kind: 'resourceType' };

/** Attributes stored in a column of `resources` (see migrations.ts), else undefined. */
function columnOf(attr: AttrRef): ColumnTarget | undefined {
  switch (attr.path) {
    case 'id':
      return attr.caseExact ? { kind: 'column', column: 'r.id', fold: false } : undefined;
    case 'externalId':
      return attr.caseExact ? { kind: 'column', column: 'r.external_id', fold: false } : undefined;
    case 'userName':
      return attr.caseExact
        ? { kind: 'column', column: 'r.user_name', fold: false }
        : { kind: 'column', column: 'r.user_name_lc', fold: true };
    case 'meta.created':
      return { kind: 'column', column: 'r.created_at', fold: false };
    case 'meta.lastModified':
      return { kind: 'column', column: 'r.last_modified', fold: false };
    case 'meta.resourceType':
      return { kind: 'resourceType' };
    default:
      return undefined;
  }
}

/** Which resource_terms column holds values of this attribute, and the literal to bind. */
function termOperand(
  attr: AttrRef,
  value: Exclude<FilterValue, null>,
): { column: string; value: string | number } {
  switch (attr.type) {
    case 'integer':
    case 'decimal':
      return { column: 't.num', value: Number(value) };
    case 'boolean':
      return { column: 't.num', value: value === true ? 1 : 0 };
    case 'dateTime':
      return { column: 't.str', value: String(value) };
    default:
      return attr.caseExact
        ? { column: 't.str', value: String(value) }
        : { column: 't.lc', value: String(value).toLowerCase() };
  }
}

/** Column holding the sort key of a term-backed attribute (see termOperand). */
function termSortColumn(attr: AttrRef): string {
  switch (attr.type) {
    case 'integer':
    case 'decimal':
    case 'boolean':
      return 't.num';
    case 'dateTime':
      return 't.str';
    default:
      return attr.caseExact ? 't.str' : 't.lc';
  }
}

/**
 * The smallest string greater than every string starting with `prefix` (code-point order), so
 * that `x >= prefix and x < bound` is exactly "x starts with prefix" and stays an index range:
 * increment the last code point (skipping the surrogate block), dropping trailing U+10FFFF.
 * Undefined when no bound exists (empty prefix or all U+10FFFF).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix, (c) => c.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = points.pop() ?? 0;
    if (last < 0x10ffff) {
      points.push(last === 0xd7ff ? 0xe000 : last + 1);
      return String.fromCodePoint(...points);
    }
  }
  return undefined;
}

/** `<x> <op> <value>` for a non-null x (the caller guarantees it). */
function condition(x: RawBuilder<unknown>, op: CompareOp, value: string | number, dialect: Dialect): Bool {
  switch (op) {
    case 'eq':
      return sql<SqlBool>`${x} = ${value}`;
    case 'gt':
      return sql<SqlBool>`${x} > ${value}`;
    case 'ge':
      return sql<SqlBool>`${x} >= ${value}`;
    case 'lt':
      return sql<SqlBool>`${x} < ${value}`;
    case 'le':
      return sql<SqlBool>`${x} <= ${value}`;
    case 'sw': {
      const prefix = String(value);
      const bound = prefixUpperBound(prefix);
      return bound === undefined
        ? sql<SqlBool>`${x} >= ${prefix}`
        : sql<SqlBool>`${x} >= ${prefix} and ${x} < ${bound}`;
    }
    case 'ew': {
      // Character (code point) lengths on both dialects; no LIKE, whose case and escape rules differ.
      const suffix = String(value);
      const n = sql.lit(Array.from(suffix).length);
      return sql<SqlBool>`length(${x}) >= ${n} and substr(${x}, length(${x}) - ${n} + 1) = ${suffix}`;
    }
    case 'co':
      return dialect === 'postgres'
        ? sql<SqlBool>`strpos(${x}, ${String(value)}) > 0`
        : sql<SqlBool>`instr(${x}, ${String(value)}) > 0`;
    case 'ne':
      // ne is compiled as not(eq) by the callers, so that it also matches absent attributes.
      throw new Error('ne reaches condition()');
  }
}

/** JS comparison for attributes whose value is known without the database (meta.resourceType). */
function compareConstant(actual: string, op: CompareOp, value: string): boolean {
  switch (op) {
    case 'eq':
      return actual === value;
    case 'ne':
      return actual !== value;
    case 'co':
      return actual.includes(value);
    case 'sw':
      return actual.startsWith(value);
    case 'ew':
      return actual.endsWith(value);
    case 'gt':
      return actual > value;
    case 'ge':
      return actual >= value;
    case 'lt':
      return actual < value;
    case 'le':
      return actual <= value;
  }
}

/**
 * "Present" term of the row under `alias`: anchors of complex values, numbers, and non-empty
 * strings. Read from lc, whose index holds every term (str and num have partial indexes);
 * empty strings are never stored as terms, and a caseExact string has lc null.
 */
function presentOn(alias: 't' | 'd' | 'e'): Bool {
  const lc = sql.ref(`${alias}.lc`);
  return sql<SqlBool>`(${lc} is null or ${lc} <> '')`;
}

const presentTerm = presentOn('t');

/** `select t.resource_pk from resource_terms as t where t.org_id = ? and t.path = ? and cond`. */
function termSelect(ctx: FilterContext, path: string, cond: Bool) {
  return sql`select t.resource_pk from resource_terms as t where t.org_id = ${ctx.orgId} and t.path = ${path} and ${cond}`;
}

/**
 * How a condition on terms is tested. `set`: `r.pk in (uncorrelated select)`, read once over
 * the (org_id, path, value) index: what drives a query. `row`: a correlated EXISTS over the
 * (resource_pk, path, elem) index, a few index steps per resource: what checks the rows another
 * condition found. Two `r.pk in (…)` lists in one WHERE are never produced: SQLite matches one
 * against `pk` and the other against the rowid of resources_live_idx, which are the same
 * column, and walks the cross product of the two lists (33 s for `name.givenName eq "Ada" and
 * active eq true` on 20,000 users); and a list the size of the org costs O(org) to build.
 */
type Mode = 'set' | 'row';

function hasTerm(ctx: FilterContext, path: string, cond: Bool, mode: Mode = 'set'): Bool {
  if (mode === 'row') {
    return sql<SqlBool>`exists (select 1 from resource_terms as t where t.resource_pk = ${sql.ref('r.pk')} and t.path = ${path} and ${cond})`;
  }
  return pkIn(termSelect(ctx, path, cond), ctx.dialect);
}

function presence(attr: AttrRef, ctx: FilterContext, mode: Mode = 'set'): Bool {
  const column = columnOf(attr);
  if (column?.kind === 'resourceType') return TRUE;
  if (column) {
    const x = sql.ref(column.column);
    return sql<SqlBool>`(${x} is not null and ${x} <> '')`;
  }
  return hasTerm(ctx, attr.path, presentTerm, mode);
}

function not(x: Bool): Bool {
  return sql<SqlBool>`not (${x})`;
}

function comparison(
  attr: AttrRef,
  op: CompareOp,
  value: FilterValue,
  ctx: FilterContext,
  mode: Mode = 'set',
): Bool {
  if (value === null) {
    if (op === 'eq') return not(presence(attr, ctx, mode));
    if (op === 'ne') return presence(attr, ctx, mode);
    throw new Error(`filter operator ${op} with null reached the SQL compiler`);
  }
  if (op === 'ne') return not(comparison(attr, 'eq', value, ctx, mode));
  const column = columnOf(attr);
  if (column?.kind === 'resourceType') {
    return typeof value === 'string' && compareConstant(ctx.type, op, value) ? TRUE : FALSE;
  }
  if (column) {
    const x = sql.ref(column.column);
    const bound = column.fold ? String(value).toLowerCase() : (value as string | number);
    return sql<SqlBool>`(${x} is not null and ${condition(x, op, bound, ctx.dialect)})`;
  }
  return hasTerm(ctx, attr.path, termCondition(attr, op, value, ctx), mode);
}

/** The condition on a term row (alias t) for a comparison on a term-backed attribute. */
function termCondition(
  attr: AttrRef,
  op: CompareOp,
  value: Exclude<FilterValue, null>,
  ctx: FilterContext,
): Bool {
  const operand = termOperand(attr, value);
  return condition(sql.ref(operand.column), op, operand.value, ctx.dialect);
}

/** A term column under another alias: `t.lc` -> `e.lc`. */
function aliased(column: string, alias: string): string {
  return column.replace(/^t\./, `${alias}.`);
}

/**
 * Whether the element (d.resource_pk, d.elem) has a term at `path` satisfying `cond` (given over
 * alias e). Correlated, but only ever evaluated for the few driver rows chosen below, through
 * the (resource_pk, path, elem) index.
 */
function elementHas(path: string, cond: Bool): Bool {
  return sql<SqlBool>`exists (select 1 from resource_terms as e where e.resource_pk = d.resource_pk and e.path = ${path} and e.elem = d.elem and ${cond})`;
}

const elementPresent = presentOn('e');

/** A comparison on a sub-attribute of the element d (see `comparison` for the rules). */
function elementComparison(attr: AttrRef, op: CompareOp, value: FilterValue, ctx: FilterContext): Bool {
  if (value === null) {
    if (op === 'eq') return not(elementHas(attr.path, elementPresent));
    if (op === 'ne') return elementHas(attr.path, elementPresent);
    throw new Error(`filter operator ${op} with null reached the SQL compiler`);
  }
  if (op === 'ne') return not(elementComparison(attr, 'eq', value, ctx));
  const term = termOperand(attr, value);
  return elementHas(attr.path, condition(sql.ref(aliased(term.column, 'e')), op, term.value, ctx.dialect));
}

/** The inner filter of a value path as a boolean over one element (d.resource_pk, d.elem). */
function elementPredicate(node: FilterNode, ctx: FilterContext): Bool {
  switch (node.op) {
    case 'and':
    case 'or':
      return balanced(
        chainOf(node, node.op).map((n) => elementPredicate(n, ctx)),
        node.op,
      );
    case 'not':
      return not(elementPredicate(node.filter, ctx));
    case 'pr':
      return elementHas(node.attr.path, elementPresent);
    case 'valuePath':
      throw new Error('nested value filter reached the SQL compiler');
    default:
      return elementComparison(node.attr, node.op, node.value, ctx);
  }
}

type Comparison = Extract<FilterNode, { value: FilterValue }>;
type Positive = Comparison | Extract<FilterNode, { op: 'pr' }>;

function isPositive(node: FilterNode): node is Positive {
  if (node.op === 'pr') return true;
  return 'value' in node && node.op !== 'ne' && node.value !== null;
}

/**
 * How well a conjunct narrows the elements, without statistics: equality on a free-form value
 * beats equality on a label (`type`, `primary`: a few values shared by everyone), which beats
 * ranges, which beat presence.
 */
function selectivity(node: Positive): number {
  if (node.op === 'pr') return 1;
  const label = node.attr.type === 'boolean' || /\.(type|primary)$/.test(node.attr.path);
  if (node.op === 'eq') return label ? 2 : 5;
  if (node.op === 'sw') return label ? 2 : 4;
  return 3;
}

function conjunctsOf(node: FilterNode): FilterNode[] {
  return node.op === 'and' ? [...conjunctsOf(node.left), ...conjunctsOf(node.right)] : [node];
}

/**
 * The term every matching element must have that narrows the scan most: the best positive
 * comparison (or pr) among the conjuncts of the inner filter, read over the
 * (org_id, path, value) index.
 */
function driverOf(node: FilterNode, ctx: FilterContext): { path: string; cond: Bool } | undefined {
  let best: Positive | undefined;
  for (const c of conjunctsOf(node)) {
    if (isPositive(c) && (!best || selectivity(c) > selectivity(best))) best = c;
  }
  if (!best) return undefined;
  if (best.op === 'pr') return { path: best.attr.path, cond: presentOn('d') };
  const term = termOperand(best.attr, best.value as Exclude<FilterValue, null>);
  return {
    path: best.attr.path,
    cond: condition(sql.ref(aliased(term.column, 'd')), best.op, term.value, ctx.dialect),
  };
}

/**
 * Most SELECTs joined by UNION in one compound: SQLite refuses more than 500 ("too many terms
 * in compound SELECT", a 500 for `id pr or id pr or …` ×501, which fits in a filter's 8192
 * characters). A longer `or` is compiled as plain boolean `or`s instead (slower, same rows).
 */
const MAX_UNION_ARMS = 200;

/** The leaves of the `or` chain at the top of `node`. */
function orLeaves(node: FilterNode): number {
  return node.op === 'or' ? orLeaves(node.left) + orLeaves(node.right) : 1;
}

/** The SELECTs pkSet would join by UNION for `node` (an `or` of value paths counts theirs too). */
function unionArms(node: FilterNode): number {
  if (node.op === 'or') return unionArms(node.left) + unionArms(node.right);
  return node.op === 'valuePath' ? orLeaves(node.filter) : 1;
}

/** The resources (pk) having an element of `attr` that satisfies `filter`. */
function valuePathSet(attr: AttrRef, filter: FilterNode, ctx: FilterContext): RawBuilder<unknown> {
  // Some element satisfies (A or B) iff some element satisfies A or some satisfies B; each
  // side then gets a driver of its own.
  if (filter.op === 'or' && orLeaves(filter) <= MAX_UNION_ARMS) {
    return sql`${valuePathSet(attr, filter.left, ctx)} union ${valuePathSet(attr, filter.right, ctx)}`;
  }
  // Elements are driven by their most selective term when the filter has one, else by the
  // anchor rows of the complex attribute (one per element): e.g. `emails[not (type eq "work")]`.
  const driver = driverOf(filter, ctx) ?? { path: attr.path, cond: TRUE };
  return sql`select d.resource_pk from resource_terms as d where d.org_id = ${ctx.orgId} and d.path = ${driver.path} and ${driver.cond} and ${elementPredicate(filter, ctx)}`;
}

/** valuePathSet for the one resource r (row mode): the same driver, over its own terms. */
function valuePathRow(attr: AttrRef, filter: FilterNode, ctx: FilterContext): Bool {
  if (filter.op === 'or' && orLeaves(filter) <= MAX_UNION_ARMS) {
    return sql<SqlBool>`(${valuePathRow(attr, filter.left, ctx)} or ${valuePathRow(attr, filter.right, ctx)})`;
  }
  const driver = driverOf(filter, ctx) ?? { path: attr.path, cond: TRUE };
  return sql<SqlBool>`exists (select 1 from resource_terms as d where d.resource_pk = ${sql.ref('r.pk')} and d.path = ${driver.path} and ${driver.cond} and ${elementPredicate(filter, ctx)})`;
}

/** `select r.pk from resources as r where <this org and type> and <cond>` (r shadows the outer r). */
function resourceSet(ctx: FilterContext, cond: Bool): RawBuilder<unknown> {
  return sql`select r.pk from resources as r where r.org_id = ${ctx.orgId} and r.type = ${ctx.type} and ${cond}`;
}

/**
 * The filter as a set of resource pks, when it is a positive one (comparisons, pr, value
 * paths, and `or` of those). `a or b` then compiles to `r.pk in (A union B)`: SQLite reads each
 * side over its index, where `r.pk in A or r.pk in B` would make it read the whole org.
 */
function pkSet(node: FilterNode, ctx: FilterContext): RawBuilder<unknown> | undefined {
  if ('attr' in node && relationOf(node.attr.path, ctx.type)) {
    return undefined;
  }
  switch (node.op) {
    case 'or': {
      if (unionArms(node) > MAX_UNION_ARMS) return undefined;
      const left = pkSet(node.left, ctx);
      const right = left && pkSet(node.right, ctx);
      return left && right ? sql`${left} union ${right}` : undefined;
    }
    case 'valuePath':
      return node.attr.path === 'meta' ? undefined : valuePathSet(node.attr, node.filter, ctx);
    case 'pr': {
      const column = columnOf(node.attr);
      if (column?.kind === 'resourceType') return undefined;
      return column
        ? resourceSet(ctx, presence(node.attr, ctx))
        : termSelect(ctx, node.attr.path, presentTerm);
    }
    case 'and':
    case 'not':
    case 'ne':
      return undefined;
    default: {
      if (node.value === null) return undefined;
      const column = columnOf(node.attr);
      if (column?.kind === 'resourceType') return undefined;
      if (column) return resourceSet(ctx, comparison(node.attr, node.op, node.value, ctx));
      return termSelect(ctx, node.attr.path, termCondition(node.attr, node.op, node.value, ctx));
    }
  }
}

function inSet(set: RawBuilder<unknown>, ctx: FilterContext): Bool {
  return pkIn(set, ctx.dialect);
}

function valuePath(attr: AttrRef, filter: FilterNode, ctx: FilterContext, mode: Mode): Bool {
  // meta is singular, always present, and its sub-attributes live in columns: `meta[F]` is F.
  if (attr.path === 'meta') return mode === 'row' ? rowFilter(filter, ctx) : compileFilter(filter, ctx);
  return mode === 'row' ? valuePathRow(attr, filter, ctx) : inSet(valuePathSet(attr, filter, ctx), ctx);
}

/**
 * The usual IdP lookup: one `eq` on a column of resources (userName, externalId, id) or on a
 * term (a Group's displayName, an email), with the value as the query compares it (lower-cased
 * where the comparison ignores case). Undefined for any other filter. The store runs these
 * through statements compiled once; the answer is the one compileFilter's SQL gives.
 */
export type SimpleEquality =
  | { kind: 'column'; column: 'r.id' | 'r.external_id' | 'r.user_name' | 'r.user_name_lc'; value: string }
  | { kind: 'term'; column: 't.str' | 't.lc' | 't.num'; path: string; value: string | number };

export function simpleEquality(node: FilterNode, ctx: FilterContext): SimpleEquality | undefined {
  if (node.op !== 'eq' || node.value === null) return undefined;
  if (relationOf(node.attr.path, ctx.type)) return undefined;
  const column = columnOf(node.attr);
  if (column) {
    if (column.kind !== 'column' || typeof node.value !== 'string') return undefined;
    switch (column.column) {
      case 'r.id':
      case 'r.external_id':
      case 'r.user_name':
      case 'r.user_name_lc':
        return {
          kind: 'column',
          column: column.column,
          value: column.fold ? node.value.toLowerCase() : node.value,
        };
      default:
        return undefined;
    }
  }
  const operand = termOperand(node.attr, node.value);
  if (operand.column !== 't.str' && operand.column !== 't.lc' && operand.column !== 't.num') return undefined;
  return { kind: 'term', column: operand.column, path: node.attr.path, value: operand.value };
}

/**
 * An `eq` on a column unique per org and type (id, the lower-cased userName) that the filter
 * requires (the filter itself, or one of its top-level `and` conjuncts): the filter then
 * matches at most one resource, which that column's unique index finds.
 */
export function uniqueConjunct(
  node: FilterNode,
  ctx: FilterContext,
): { column: 'r.id' | 'r.user_name_lc'; value: string } | undefined {
  for (const part of chainOf(node, 'and')) {
    const e = simpleEquality(part, ctx);
    if (e?.kind === 'column' && (e.column === 'r.id' || e.column === 'r.user_name_lc')) {
      return { column: e.column, value: e.value };
    }
  }
  return undefined;
}

/**
 * Compiles a filter (RFC 7644 §3.4.2.2) to a boolean SQL expression over `resources as r`.
 * The caller adds `r.org_id`, `r.type` and `r.deleted_at is null`.
 */
export function compileFilter(node: FilterNode, ctx: FilterContext): Bool {
  if ('attr' in node) {
    const relation = relationOf(node.attr.path, ctx.type);
    if (relation) return relationFilter(relation, node, ctx, condition);
  }
  switch (node.op) {
    case 'and':
      return conjunction(chainOf(node, 'and'), ctx);
    case 'or': {
      const set = pkSet(node, ctx);
      if (set) return inSet(set, ctx);
      return balanced(
        chainOf(node, 'or').map((n) => compileFilter(n, ctx)),
        'or',
      );
    }
    case 'not':
      return not(compileFilter(node.filter, ctx));
    case 'pr':
      return presence(node.attr, ctx);
    case 'valuePath':
      return valuePath(node.attr, node.filter, ctx, 'set');
    default:
      return comparison(node.attr, node.op, node.value, ctx);
  }
}

/**
 * `a and b and …`: the conjunct that narrows the rows most (driverScore) finds them, as a set
 * over its index; every other conjunct is checked on those rows alone (row mode). So
 * `name.givenName eq "x" and active eq true` reads the users named x, not every active one,
 * and costs the same in an org of 100 and of 100,000. Without statistics the choice is by the
 * shape of each conjunct; with none usable the org's rows are read and each checked.
 */
function conjunction(parts: FilterNode[], ctx: FilterContext): Bool {
  const driver = bestDriver(parts, ctx);
  return balanced(
    parts.map((p) => (p === driver ? compileFilter(p, ctx) : rowFilter(p, ctx))),
    'and',
  );
}

/** The first of the conjuncts with the highest driverScore above 0. */
function bestDriver(parts: FilterNode[], ctx: FilterContext): FilterNode | undefined {
  let driver: FilterNode | undefined;
  let best = 0;
  for (const p of parts) {
    const score = driverScore(p, ctx);
    if (score > best) {
      best = score;
      driver = p;
    }
  }
  return driver;
}

/**
 * Whether the filter has a condition that finds few rows by itself: an `eq` on a column of
 * resources or on a free-form term (not a label such as `active` or `type`), as the driver of
 * an `and`, inside a value path, or in every arm of an `or`. Its matches are then few, however
 * large the org (the store reads them first on PostgreSQL: resources.ts listQueries).
 */
export function hasSelectiveDriver(node: FilterNode, ctx: FilterContext): boolean {
  return driverScore(node, ctx) >= SELECTIVE_SCORE;
}

/**
 * The pks of the org's resources of the type that the filter's selective condition matches
 * (hasSelectiveDriver; deleted ones too): the set of its best conjunct, read over that
 * condition's own index, and the filter's other conjuncts as checks on one row (`rest`).
 * Undefined when it has none.
 */
export function selectiveDriverSet(
  node: FilterNode,
  ctx: FilterContext,
): { set: RawBuilder<unknown>; rest: Bool | undefined } | undefined {
  if (!hasSelectiveDriver(node, ctx)) return undefined;
  const parts = chainOf(node, 'and');
  const driver = bestDriver(parts, ctx) ?? node;
  const set = drivingSet(driver, ctx);
  return set && drivenBy(set, driver, parts, ctx);
}

/** A driver's set, and the other conjuncts as checks on its rows (the set is exactly its matches). */
function drivenBy(
  set: RawBuilder<unknown>,
  driver: FilterNode,
  parts: FilterNode[],
  ctx: FilterContext,
): { set: RawBuilder<unknown>; rest: Bool | undefined } {
  const others = parts.filter((p) => p !== driver);
  return {
    set,
    rest:
      others.length === 0
        ? undefined
        : balanced(
            others.map((p) => rowFilter(p, ctx)),
            'and',
          ),
  };
}

/** Columns of resources with an index on (org_id, type, column), for narrowingDriverSet. */
const RANGE_INDEXED = new Set(['r.id', 'r.user_name_lc', 'r.external_id', 'r.last_modified']);

/**
 * The pks of the org's resources of the type that a range on an indexed column matches
 * (`userName sw "…"`, `meta.lastModified gt "…"`), read over that column's index in its order
 * (the order settles the planner's tie, as in drivingSet); undefined for any other node.
 */
function rangeSet(node: FilterNode, ctx: FilterContext): RawBuilder<unknown> | undefined {
  if (!('attr' in node) || !('value' in node) || node.value === null) return undefined;
  if (!['sw', 'gt', 'ge', 'lt', 'le'].includes(node.op)) return undefined;
  const column = columnOf(node.attr);
  if (column?.kind !== 'column' || !RANGE_INDEXED.has(column.column)) return undefined;
  const range = comparison(node.attr, node.op as CompareOp, node.value, ctx);
  return sql`select r.pk from resources as r where r.org_id = ${ctx.orgId} and r.type = ${ctx.type} and ${range} order by ${sql.ref(column.column)}`;
}

/**
 * selectiveDriverSet for a filter without a selective condition whose best conjunct still
 * narrows on an index: a range on an indexed column, or a group's or member's `value`. On
 * PostgreSQL such a condition's matches, however many, are never more than the org's rows
 * that a scan would check one by one, and it finds them on its index (47 ms for
 * `meta.lastModified gt` matching none at 100,000 users as a scan, 2 ms so; a team of 400 by
 * `groups.value eq`: 174 ms; bench/filter-shapes.ts).
 */
export function narrowingDriverSet(
  node: FilterNode,
  ctx: FilterContext,
): { set: RawBuilder<unknown>; rest: Bool | undefined } | undefined {
  const parts = chainOf(node, 'and');
  const driver = bestDriver(parts, ctx);
  const set = driver && narrowingSet(driver, ctx);
  return driver && set ? drivenBy(set, driver, parts, ctx) : undefined;
}

function narrowingSet(node: FilterNode, ctx: FilterContext): RawBuilder<unknown> | undefined {
  const relation = 'attr' in node ? relationOf(node.attr.path, ctx.type) : undefined;
  return relation ? relationValueSet(relation, node, ctx, condition) : rangeSet(node, ctx);
}

/**
 * pkSet for selectiveDriverSet (PostgreSQL), with each `eq` on a column of resources read in
 * the order of that column's index. Without statistics PostgreSQL estimates one row for
 * (org_id, type) and for (org_id, type, column) alike, and may then read the org on another
 * index that starts with (org_id, type) and check the column on every row (3,000 users of a
 * test, on resources_last_modified_idx). In the column's index order it needs no sort, which
 * settles the tie. The arms of an `or` are parenthesised so that each may keep its ORDER BY.
 */
function drivingSet(node: FilterNode, ctx: FilterContext): RawBuilder<unknown> | undefined {
  if (node.op === 'or') {
    const left = drivingSet(node.left, ctx);
    const right = left && drivingSet(node.right, ctx);
    return left && right ? sql`(${left}) union (${right})` : undefined;
  }
  const e = simpleEquality(node, ctx);
  if (e?.kind === 'column' && e.column !== 'r.user_name') {
    const column = sql.ref(e.column);
    // A range of one value, not `=`: with `=`, the order would be fixed by the WHERE alone.
    return sql`select r.pk from resources as r where r.org_id = ${ctx.orgId} and r.type = ${ctx.type} and ${column} >= ${e.value} and ${column} <= ${e.value} order by ${column}`;
  }
  return pkSet(node, ctx);
}

/** driverScore of an `eq` on a free-form term: the least that hasSelectiveDriver takes. */
const SELECTIVE_SCORE = 5;

/**
 * How well a filter node finds its rows by itself, without statistics (0: it cannot, as a
 * negation, which holds for nearly everything). An `eq` on a unique column (id, userName,
 * externalId) beats an `eq` on a free-form term or a group, which beats a prefix, which beats
 * ranges, which beat labels (`active`, `type`, `primary`), substrings and presence.
 */
function driverScore(node: FilterNode, ctx: FilterContext): number {
  switch (node.op) {
    case 'and':
      return Math.max(...chainOf(node, 'and').map((n) => driverScore(n, ctx)));
    case 'or': {
      if (!pkSet(node, ctx)) return 0;
      return Math.min(...chainOf(node, 'or').map((n) => driverScore(n, ctx)));
    }
    case 'not':
    case 'ne':
      return 0;
    case 'valuePath': {
      if (node.attr.path === 'meta') return driverScore(node.filter, ctx);
      if (relationOf(node.attr.path, ctx.type)) return relationScore(node.filter);
      const positives = conjunctsOf(node.filter).filter(isPositive);
      return positives.length === 0 ? 1 : Math.max(...positives.map(selectivity));
    }
    case 'pr':
      return relationOf(node.attr.path, ctx.type) || !columnOf(node.attr) ? 1 : 0.5;
    default: {
      if (node.value === null) return 0;
      if (relationOf(node.attr.path, ctx.type)) return relationScore(node);
      const column = columnOf(node.attr);
      if (column?.kind === 'resourceType') return 0;
      if (column) {
        const unique = column.column !== 'r.created_at' && column.column !== 'r.last_modified';
        if (node.op === 'eq') return unique ? 10 : 6;
        if (node.op === 'sw') return unique ? 4.5 : 3;
        return node.op === 'co' || node.op === 'ew' ? 1 : 3;
      }
      return selectivity(node as Positive);
    }
  }
}

/** A relation (groups, members) narrows well by a group's or member's id, else little. */
function relationScore(node: FilterNode): number {
  const eqValue = conjunctsOf(node).some(
    (c) => c.op === 'eq' && c.value !== null && /^[^.]+(\.value)?$/.test(c.attr.path),
  );
  return eqValue ? 4.8 : 1;
}

/**
 * A filter as a check on the one row r (correlated subqueries over its own terms and
 * memberships): for the conjuncts that another one drives (conjunction).
 */
function rowFilter(node: FilterNode, ctx: FilterContext): Bool {
  if ('attr' in node) {
    const relation = relationOf(node.attr.path, ctx.type);
    if (relation) return relationFilter(relation, node, ctx, condition, 'row');
  }
  switch (node.op) {
    case 'and':
    case 'or':
      return balanced(
        chainOf(node, node.op).map((n) => rowFilter(n, ctx)),
        node.op,
      );
    case 'not':
      return not(rowFilter(node.filter, ctx));
    case 'pr':
      return presence(node.attr, ctx, 'row');
    case 'valuePath':
      return valuePath(node.attr, node.filter, ctx, 'row');
    default:
      return comparison(node.attr, node.op, node.value, ctx, 'row');
  }
}

/**
 * The sort key of an attribute (RFC 7644 §3.4.2.3): its column, or the smallest of its terms
 * on the resource. Undefined when the key is the same for every row (meta.resourceType).
 */
export function sortKey(attr: AttrRef): RawBuilder<unknown> | undefined {
  const column = columnOf(attr);
  if (column?.kind === 'resourceType') return undefined;
  if (column) return sql.ref(column.column);
  const x = sql.ref(termSortColumn(attr));
  return sql`(select min(${x}) from resource_terms as t where t.resource_pk = ${sql.ref('r.pk')} and t.path = ${attr.path})`;
}
