/**
 * Filters on attributes kept as membership rows rather than index terms: a Group's `members`
 * and a User's computed `groups` (direct and through nested groups). Each is an element source
 * with one row per element (owner, value, type, display), so comparisons and value paths
 * (`members[value eq "…" and type eq "User"]`) become plain conditions on its columns.
 */
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { AttrRef, CompareOp, FilterNode, FilterValue } from '../scim/filter/ast.ts';
import type { Dialect } from './db.ts';
import { balanced, chainOf, pkIn } from './filter-chain.ts';

export interface RelationContext {
  dialect: Dialect;
  orgId: string;
  type: 'User' | 'Group';
}

type Bool = RawBuilder<SqlBool>;

export type Relation = 'members' | 'groups';

/** Which relation an attribute path belongs to for this resource type, if any. */
export function relationOf(path: string, type: 'User' | 'Group'): Relation | undefined {
  const head = path.split('.')[0];
  if (type === 'Group' && head === 'members') return 'members';
  if (type === 'User' && head === 'groups') return 'groups';
  return undefined;
}

/** Rows (owner, value, type, display) of the relation's elements in this org. */
function source(relation: Relation, ctx: RelationContext): RawBuilder<unknown> {
  if (relation === 'members') {
    return sql`select m.group_pk as owner, x.id as value, m.member_type as type, coalesce(x.display_name, x.user_name) as display
      from memberships as m join resources as x on x.pk = m.member_pk
      where m.org_id = ${ctx.orgId} and x.org_id = ${ctx.orgId} and x.type in ('User', 'Group') and x.deleted_at is null`;
  }
  // A user's groups: direct memberships, then the groups those groups are in (RFC 7643 §4.1.2).
  return sql`select a.owner as owner, g.id as value,
      case max(a.direct) when 1 then 'direct' else 'indirect' end as type, g.display_name as display
      from (with recursive anc(owner, grp, direct) as (
        select m.member_pk, m.group_pk, 1 from memberships as m where m.org_id = ${ctx.orgId} and m.member_type = 'User'
        union
        select a.owner, up.grp, 0 from anc as a ${groupsOfGroup(ctx.dialect, sql.ref('a.grp'))}
      ) select owner, grp, direct from anc) as a ${liveGroup(ctx.dialect, sql.ref('a.grp'))}
      group by a.owner, g.id, g.display_name`;
}

/**
 * The recursive step of a walk over memberships: `cross join lateral` on PostgreSQL, so that
 * each step is a nested loop over the walk's rows with an index lookup of each one's
 * memberships. As a plain join the planner, without statistics, hashed the walk's rows against
 * a sequential scan of every membership of the database, once per step, and once per user in
 * row mode: `groups[display co "e"] and emails[value co "1"]` read 6 million membership rows on
 * a 3,000-user org (test/store/unanalysed-plans.test.ts). A LATERAL subquery that is not
 * pulled up into the join (OFFSET 0 keeps it a subquery) can only be planned as a nested loop,
 * where the index always beats a scan. SQLite (no LATERAL) looks each one up on the index by
 * itself.
 */
export function groupsOfGroup(dialect: Dialect, grp: RawBuilder<unknown>): RawBuilder<unknown> {
  return dialect === 'postgres'
    ? sql`cross join lateral (select m.group_pk as grp from memberships as m where m.member_pk = ${grp} offset 0) as up`
    : sql`join (select m.member_pk, m.group_pk as grp from memberships as m) as up on up.member_pk = ${grp}`;
}

/**
 * The live group whose pk is `grp`, as `g` (id, display_name, external_id): on PostgreSQL a LATERAL lookup
 * by primary key, for the reason of groupsOfGroup; as a join, a condition on the group's id
 * (`groups.value eq …`) was pushed down to `g`, which the planner then read first, over every
 * live resource of the database.
 */
export function liveGroup(dialect: Dialect, grp: RawBuilder<unknown>): RawBuilder<unknown> {
  return dialect === 'postgres'
    ? sql`cross join lateral (select g.id, g.display_name, g.external_id from resources as g
        where g.pk = ${grp} and g.deleted_at is null offset 0) as g`
    : sql`join resources as g on g.pk = ${grp} and g.deleted_at is null`;
}

/** The same step downwards: the members of the group `grp`, as `down_m.pk`. */
export function membersOfGroup(dialect: Dialect, grp: RawBuilder<unknown>): RawBuilder<unknown> {
  return dialect === 'postgres'
    ? sql`cross join lateral (select m.member_pk as pk from memberships as m where m.group_pk = ${grp} offset 0) as down_m`
    : sql`join (select m.group_pk, m.member_pk as pk from memberships as m) as down_m on down_m.group_pk = ${grp}`;
}

/** The rows (value, type, display) of the relation's elements of the one resource r (row mode). */
function ownSource(relation: Relation, dialect: Dialect): RawBuilder<unknown> {
  const r = sql.ref('r.pk');
  if (relation === 'members') {
    return sql`select x.id as value, m.member_type as type, coalesce(x.display_name, x.user_name) as display
      from memberships as m join resources as x on x.pk = m.member_pk
      where m.group_pk = ${r} and x.deleted_at is null`;
  }
  return sql`select g.id as value, case max(a.direct) when 1 then 'direct' else 'indirect' end as type,
      g.display_name as display
      from (with recursive anc(grp, direct) as (
        select m.group_pk, 1 from memberships as m where m.member_pk = ${r}
        union
        select up.grp, 0 from anc as a ${groupsOfGroup(dialect, sql.ref('a.grp'))}
      ) select grp, direct from anc) as a ${liveGroup(dialect, sql.ref('a.grp'))}
      group by g.id, g.display_name`;
}

/**
 * The users in a group that satisfies `cond` (over s.value, s.display), directly or through
 * nested groups: the matching groups, then down their memberships. What a `groups` filter
 * selects, without the whole org's (user, group) closure, which `source` builds: that costs
 * every user times the depth of their groups, where this costs the members of the matching
 * groups alone (`groups.value eq "<a group>"` reads that group's members). Not for conditions
 * on `type` (direct or indirect is a property of the pair, not of the group).
 */
function usersInGroups(ctx: RelationContext, cond: Bool): RawBuilder<unknown> {
  return sql`with recursive down(pk) as (
      select s.pk from (select g.pk as pk, g.id as value, g.display_name as display from resources as g
        where g.org_id = ${ctx.orgId} and g.type = 'Group' and g.deleted_at is null) as s where ${cond}
      union
      select down_m.pk from down ${membersOfGroup(ctx.dialect, sql.ref('down.pk'))}
    ) select pk from down`;
}

/**
 * `members.value eq "<id>"`: the member found by its id on the (org_id, type, id) index, then
 * the groups holding it on memberships' member_pk index. `id` is folded by the caller where
 * the comparison ignores case, as compare does (ids are lower-case UUIDs). Through every
 * membership of the org joined to its member (`source`), PostgreSQL on tables never analysed
 * read them all: 49 ms at 100,000 users against 4.3 ms at 100 (bench/filter-shapes.ts).
 */
function groupsWithMember(ctx: RelationContext, id: string): RawBuilder<unknown> {
  const member = sql`select x.pk from resources as x where x.org_id = ${ctx.orgId}
    and x.type in ('User', 'Group') and x.id = ${id} and x.deleted_at is null`;
  // PostgreSQL: also as a range of one (or two) pks, which it takes for few rows whatever the
  // statistics say, where `= any(…)` alone on a small table was read with a scan of it.
  const held =
    ctx.dialect === 'postgres'
      ? sql`m.member_pk >= (select min(y.pk) from (${member}) as y)
        and m.member_pk <= (select max(y.pk) from (${member}) as y)
        and m.member_pk = any(array(${member}))`
      : sql`m.member_pk in (${member})`;
  return sql`select m.group_pk from memberships as m where ${held}`;
}

/**
 * The owners' pks, as a set, for a relation node that names one element by its value
 * (`groups.value eq "<id>"`, `members[value eq "<id>"]`): the matching groups' members
 * (usersInGroups), or the member's groups (groupsWithMember). For a listing that reads them
 * first (filter-sql.ts narrowingDriverSet), or checks each row against (relationFilter).
 * Undefined for any other node.
 */
export function relationValueSet(
  relation: Relation,
  node: FilterNode,
  ctx: RelationContext,
  condition: (x: RawBuilder<unknown>, op: CompareOp, value: string | number, dialect: Dialect) => Bool,
): RawBuilder<unknown> | undefined {
  const eq = node.op === 'valuePath' ? node.filter : node;
  if (eq.op !== 'eq' || typeof eq.value !== 'string') return undefined;
  if ((eq.attr.path.split('.')[1] ?? 'value') !== 'value') return undefined;
  if (relation === 'members')
    return groupsWithMember(ctx, eq.attr.caseExact ? eq.value : eq.value.toLowerCase());
  return usersInGroups(ctx, compare(eq.attr, 'eq', eq.value, ctx, condition));
}

/** Whether a filter on a relation compares or tests its elements' `type`. */
function mentionsType(node: FilterNode): boolean {
  switch (node.op) {
    case 'and':
    case 'or':
      return mentionsType(node.left) || mentionsType(node.right);
    case 'not':
      return mentionsType(node.filter);
    case 'valuePath':
      return mentionsType(node.filter);
    default:
      return node.attr.path.split('.')[1] === 'type';
  }
}

/** The element column a sub-attribute path names; `$ref` compares like `value` (an id suffix is all we keep). */
function column(path: string): { ref: RawBuilder<unknown>; folded: boolean } | undefined {
  const sub = path.split('.')[1] ?? 'value';
  switch (sub) {
    case 'value':
    case '$ref':
      return { ref: sql.ref('s.value'), folded: false };
    case 'type':
      return { ref: sql`lower(s.type)`, folded: true };
    case 'display':
      return { ref: sql`lower(s.display)`, folded: true };
    default:
      return undefined;
  }
}

const FALSE: Bool = sql<SqlBool>`1 = 0`;

function compare(
  attr: AttrRef,
  op: CompareOp,
  value: FilterValue,
  ctx: RelationContext,
  condition: (x: RawBuilder<unknown>, op: CompareOp, value: string | number, dialect: Dialect) => Bool,
): Bool {
  const col = column(attr.path);
  if (!col) return FALSE;
  if (value === null) {
    const present = sql<SqlBool>`(${col.ref} is not null)`;
    return op === 'eq' ? sql<SqlBool>`not ${present}` : present;
  }
  if (op === 'ne') return sql<SqlBool>`not (${compare(attr, 'eq', value, ctx, condition)})`;
  if (op === 'eq' && attr.path.split('.')[1] === '$ref') {
    // A $ref equals a URI (…/Users/<id> or …/Groups/<id>): compare the id it ends with and,
    // for members, the resource type its path names. The base URL is not compared.
    const ref = /\/(Users|Groups)\/([^/?#]+)\/?$/.exec(String(value));
    if (!ref) return FALSE;
    const type = ref[1] === 'Users' ? 'User' : 'Group';
    const id = condition(sql.ref('s.value'), 'eq', ref[2]!, ctx.dialect);
    if (ctx.type === 'User') return type === 'Group' ? sql<SqlBool>`(${id})` : FALSE;
    return sql<SqlBool>`(${id} and s.type = ${type})`;
  }
  // Ids are lower-case UUIDs, so folding the literal is exact for `value` too.
  const literal = attr.caseExact && !col.folded ? String(value) : String(value).toLowerCase();
  return sql<SqlBool>`(${col.ref} is not null and ${condition(col.ref, op, literal, ctx.dialect)})`;
}

/** A condition on one element (alias s), for the inner filter of a value path. */
function element(
  node: FilterNode,
  ctx: RelationContext,
  condition: (x: RawBuilder<unknown>, op: CompareOp, value: string | number, dialect: Dialect) => Bool,
): Bool {
  switch (node.op) {
    case 'and':
    case 'or':
      return balanced(
        chainOf(node, node.op).map((n) => element(n, ctx, condition)),
        node.op,
      );
    case 'not':
      return sql<SqlBool>`not (${element(node.filter, ctx, condition)})`;
    case 'pr': {
      const col = column(node.attr.path);
      return col ? sql<SqlBool>`(${col.ref} is not null)` : FALSE;
    }
    case 'valuePath':
      throw new Error('nested value filter reached the SQL compiler');
    default:
      return compare(node.attr, node.op, node.value, ctx, condition);
  }
}

/**
 * `r.pk in (owners of an element satisfying …)` for a filter node on a relation attribute:
 * a comparison, `pr`, or a value path. Negations (`ne`, `eq null`) are taken over resources,
 * not elements, as for every other multi-valued attribute (docs/filtering.md). In `row` mode
 * (a conjunct that another one drives, filter-sql.ts) the same as a correlated check of the
 * one resource r.
 */
export function relationFilter(
  relation: Relation,
  node: FilterNode,
  ctx: RelationContext,
  condition: (x: RawBuilder<unknown>, op: CompareOp, value: string | number, dialect: Dialect) => Bool,
  mode: 'set' | 'row' = 'set',
): Bool {
  const owners = (cond: Bool) => {
    if (mode === 'row')
      return sql<SqlBool>`exists (select 1 from (${ownSource(relation, ctx.dialect)}) as s where ${cond})`;
    if (relation === 'groups' && !mentionsType(node)) {
      return pkIn(usersInGroups(ctx, cond), ctx.dialect);
    }
    return pkIn(sql`select s.owner from (${source(relation, ctx)}) as s where ${cond}`, ctx.dialect);
  };
  // One element named by its value: the member's groups, or the group's members, by their keys.
  const named = mode === 'set' ? relationValueSet(relation, node, ctx, condition) : undefined;
  if (named) return pkIn(named, ctx.dialect);
  switch (node.op) {
    case 'valuePath':
      return owners(element(node.filter, ctx, condition));
    case 'pr': {
      const col = column(node.attr.path);
      return col ? owners(sql<SqlBool>`${col.ref} is not null`) : FALSE;
    }
    case 'and':
    case 'or':
    case 'not':
      throw new Error('relationFilter takes a single comparison, pr or value path');
    default:
      if (node.value === null) {
        const present = relationFilter(relation, { op: 'pr', attr: node.attr }, ctx, condition, mode);
        return node.op === 'eq' ? sql<SqlBool>`not (${present})` : present;
      }
      if (node.op === 'ne') {
        return sql<SqlBool>`not (${relationFilter(relation, { ...node, op: 'eq' }, ctx, condition, mode)})`;
      }
      return owners(compare(node.attr, node.op, node.value, ctx, condition));
  }
}
