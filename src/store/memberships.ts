/**
 * Group membership as rows (group_pk, member_pk), never a JSON array (ARCHITECTURE.md): adding
 * or removing one member of a group of any size reads and writes O(1) rows; reading members
 * pages by key.
 */
import { CompiledQuery, type Kysely, type SqlBool, sql } from 'kysely';
import { chunks } from './chunks.ts';
import { dialectOf } from './db.ts';
import { groupsOfGroup, liveGroup } from './filter-relations.ts';
import { nameStatement } from './pg-statements.ts';
import { type ResourceRecord, type Row, readResource, withGroupFlag } from './resources.ts';
import type { DB } from './schema.ts';

export type MemberType = 'User' | 'Group';

export interface MemberRef {
  pk: number;
  type: MemberType;
}

export interface MemberRow {
  pk: number;
  id: string;
  type: MemberType;
  /** displayName, else userName: what a member's `display` shows. */
  display: string | null;
}

/** Rows per statement: 4 parameters each keeps far below both dialects' parameter limits. */
const CHUNK = 1000;

/**
 * Resources of the org (users and groups, deleted ones too) with these ids. Deleted rows are
 * skipped by the caller, not in SQL: with `deleted_at is null` in the query, SQLite without
 * statistics chose the (org_id, type, deleted_at, pk) index and read every live member of the
 * org (40 ms a lookup at 100,000 users). Naming both types lets the unique (org_id, type, id)
 * index answer; without it, every resource of the org is scanned. On PostgreSQL each id and
 * type is looked up as resources.ts uniqueRow does (a row comparison on the unique index), and
 * the rows are then read by primary key alone: with `org_id = … and id in (…)`, PostgreSQL on
 * tables never analysed took any index on (org_id, type) and read the whole org.
 */
export function memberLookupQuery(db: Kysely<DB>, orgId: string, ids: readonly string[]) {
  const query = db.selectFrom('resources').select(['pk', 'id', 'type', 'deleted_at']);
  if (dialectOf(db) !== 'postgres') {
    return query.where('org_id', '=', orgId).where('type', 'in', ['User', 'Group']).where('id', 'in', ids);
  }
  return query.where(
    sql<SqlBool>`pk = any(array(select x.pk from unnest(${[...ids]}::text[]) as k(v)
      cross join (values ('User'), ('Group')) as t(type)
      cross join lateral (select u.pk, u.org_id, u.type, u.id from resources as u
        where (u.org_id, u.type, u.id) >= (${orgId}, t.type, k.v)
        order by u.org_id, u.type, u.id limit 1) as x
      where x.org_id = ${orgId} and x.type = t.type and x.id = k.v))`,
  );
}

/**
 * The live resources (User or Group) of an org with these ids, keyed by id. Ids that name
 * nothing live are absent from the map. With `lock` (members about to be added), PostgreSQL
 * takes the key-share lock that the membership foreign key takes anyway, now: a resource
 * being deleted meanwhile is waited for and then read as gone, instead of being added as a
 * member after its delete committed.
 */
export async function findMembersById(
  db: Kysely<DB>,
  orgId: string,
  ids: readonly string[],
  options: { lock?: boolean } = {},
): Promise<Map<string, MemberRef>> {
  const found = new Map<string, MemberRef>();
  const lock = options.lock === true && dialectOf(db) === 'postgres';
  for (const part of chunks([...new Set(ids)], CHUNK)) {
    let query = memberLookupQuery(db, orgId, part);
    if (lock) query = query.forKeyShare();
    const rows = await query.execute();
    for (const r of rows) if (r.deleted_at === null) found.set(r.id, { pk: Number(r.pk), type: r.type });
  }
  return found;
}

/** Adds members; those already there are left as they are (RFC 7644 §3.5.2.1). Returns the pks added. */
export async function addMembers(
  db: Kysely<DB>,
  orgId: string,
  groupPk: number,
  members: readonly MemberRef[],
): Promise<number[]> {
  const added: number[] = [];
  for (const part of chunks(members, CHUNK)) {
    const rows = await db
      .insertInto('memberships')
      .values(part.map((m) => ({ org_id: orgId, group_pk: groupPk, member_pk: m.pk, member_type: m.type })))
      .onConflict((oc) => oc.columns(['group_pk', 'member_pk']).doNothing())
      .returning('member_pk')
      .execute();
    for (const r of rows) added.push(Number(r.member_pk));
  }
  return added;
}

/** Removes these members; absent ones are not an error. Returns the pks removed. */
export async function removeMembers(
  db: Kysely<DB>,
  groupPk: number,
  memberPks: readonly number[],
): Promise<number[]> {
  const removed: number[] = [];
  for (const part of chunks([...new Set(memberPks)], CHUNK)) {
    const rows = await db
      .deleteFrom('memberships')
      .where('group_pk', '=', groupPk)
      .where('member_pk', 'in', part)
      .returning('member_pk')
      .execute();
    for (const r of rows) removed.push(Number(r.member_pk));
  }
  return removed;
}

/** One page of a group's member pks in order, after `afterPk` (keyset). */
export async function memberPks(
  db: Kysely<DB>,
  groupPk: number,
  page: { afterPk?: number | undefined; limit: number },
): Promise<number[]> {
  let query = db
    .selectFrom('memberships')
    .select('member_pk')
    .where('group_pk', '=', groupPk)
    .orderBy('member_pk')
    .limit(page.limit);
  if (page.afterPk !== undefined) query = query.where('member_pk', '>', page.afterPk);
  return (await query.execute()).map((r) => Number(r.member_pk));
}

export async function countMembers(db: Kysely<DB>, groupPk: number): Promise<number> {
  const row = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('group_pk', '=', groupPk)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Whether a group has more than `n` members, reading at most n + 1 of them. PostgreSQL: the
 * function more_members_than (migration 0130), which walks the (group_pk, member_pk) index and
 * stops, whatever the statistics; with them missing or stale (a group just loaded) the
 * planner otherwise fetched, or sorted, every membership of the group (6 ms for 100,000
 * members, on every PATCH of that group).
 */
export async function hasMoreMembersThan(db: Kysely<DB>, groupPk: number, n: number): Promise<boolean> {
  if (dialectOf(db) === 'postgres') {
    const [row] = (
      await db.executeQuery<{ more: boolean }>(CompiledQuery.raw(MORE_MEMBERS_THAN, [groupPk, n]))
    ).rows;
    return row?.more === true;
  }
  const row = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('memberships')
        .select('member_pk')
        .where('group_pk', '=', groupPk)
        .limit(n + 1)
        .as('m'),
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n) > n;
}

const MORE_MEMBERS_THAN = 'select more_members_than($1, $2) as more';
nameStatement(MORE_MEMBERS_THAN);

/** The statement of listMembers on SQLite. */
function memberPage(db: Kysely<DB>, groupPk: number, page: { afterPk?: number; limit: number }) {
  let keys = db
    .selectFrom('memberships')
    .select(['member_pk', 'member_type'])
    .where('group_pk', '=', groupPk)
    .orderBy('member_pk')
    .limit(page.limit);
  if (page.afterPk !== undefined) keys = keys.where('member_pk', '>', page.afterPk);
  return db
    .with(
      (cte) => cte('k').materialized(),
      () => keys,
    )
    .selectFrom('k')
    .innerJoin('resources as x', 'x.pk', 'k.member_pk')
    .select(['k.member_pk as pk', 'x.id as id', 'k.member_type as type', 'x.display_name', 'x.user_name'])
    .orderBy('k.member_pk');
}

/**
 * One page of a group's members in member_pk order, after `afterPk` (keyset: no OFFSET).
 * PostgreSQL: every page, the first too, is one call of member_page (migration 0060), which
 * reads `limit` entries of the (group_pk, member_pk) index and then those members' rows,
 * whatever the statistics; planned from missing statistics, the first page fetched every
 * membership of the group and sorted them, and later pages needed a transaction of their own
 * (a SET LOCAL of the planner's settings: four round trips). SQLite: memberPage, whose keys are a
 * MATERIALIZED CTE joined to the rows by primary key alone.
 */
export async function listMembers(
  db: Kysely<DB>,
  groupPk: number,
  page: { afterPk?: number; limit: number },
): Promise<MemberRow[]> {
  if (dialectOf(db) === 'postgres') {
    const { rows } = await db.executeQuery<{
      pk: string | number;
      id: string;
      type: MemberType;
      display: string | null;
    }>(CompiledQuery.raw(MEMBER_PAGE, [groupPk, page.afterPk ?? 0, page.limit]));
    return rows.map((r) => ({ pk: Number(r.pk), id: r.id, type: r.type, display: r.display }));
  }
  const rows = await memberPage(db, groupPk, page).execute();
  return rows.map((r) => ({
    pk: Number(r.pk),
    id: r.id,
    type: r.type,
    display: r.display_name ?? r.user_name,
  }));
}

const MEMBER_PAGE = 'select member_pk as pk, id, member_type as type, display from member_page($1, $2, $3)';
nameStatement(MEMBER_PAGE);

const FIRST_MEMBERS_OF = `select g.pk as group_pk, p.member_pk as pk, p.id, p.member_type as type, p.display
from unnest($1::bigint[]) as g(pk) cross join lateral member_page(g.pk, 0, $2) as p`;
nameStatement(FIRST_MEMBERS_OF);

/**
 * The first `limit` members of each group (listMembers' first page of each), in one statement
 * on PostgreSQL (member_page per group, LATERAL): a page of groups rendered with their members
 * reads them in one round trip, not one per group. SQLite: listMembers for each.
 */
export async function firstMembersOf(
  db: Kysely<DB>,
  groupPks: readonly number[],
  limit: number,
): Promise<Map<number, MemberRow[]>> {
  const out = new Map<number, MemberRow[]>(groupPks.map((pk) => [pk, []]));
  if (groupPks.length === 0) return out;
  if (dialectOf(db) !== 'postgres') {
    for (const pk of groupPks) out.set(pk, await listMembers(db, pk, { limit }));
    return out;
  }
  const { rows } = await db.executeQuery<{
    group_pk: string | number;
    pk: string | number;
    id: string;
    type: MemberType;
    display: string | null;
  }>(CompiledQuery.raw(FIRST_MEMBERS_OF, [groupPks, limit]));
  for (const r of rows) {
    out.get(Number(r.group_pk))?.push({ pk: Number(r.pk), id: r.id, type: r.type, display: r.display });
  }
  // member_page answers in member_pk order; the rows of one group may interleave with others'.
  for (const members of out.values()) members.sort((a, b) => a.pk - b.pk);
  return out;
}

/**
 * A live group (with its `inGroups` flag) and its first `limit` members in member_pk order, in
 * one statement on PostgreSQL (the page as member_page of migration 0060 reads it, whatever
 * the statistics): a PATCH of a group's document reads what its response shows with the row
 * it writes, a round trip less. Both come from one snapshot, so the members are those of the
 * version read. SQLite: the two reads.
 */
export async function readGroupWithMembers(
  db: Kysely<DB>,
  orgId: string,
  id: string,
  limit: number,
): Promise<{ record: ResourceRecord; members: MemberRow[] } | undefined> {
  if (dialectOf(db) === 'sqlite') {
    const record = await readResource(db, orgId, 'Group', id);
    return record && { record, members: await listMembers(db, record.pk, { limit }) };
  }
  const { rows } = await db.executeQuery<Row & { in_groups: boolean; first_members: FirstMember[] }>(
    groupWithMembersQuery(orgId, id, limit),
  );
  const [row] = rows;
  if (!row) return undefined;
  const { first_members, ...rest } = row;
  return {
    record: withGroupFlag(rest),
    members: first_members.map(([pk, memberId, type, display]) => ({ pk, id: memberId, type, display })),
  };
}

type FirstMember = [number, string, MemberType, string | null];

const GROUP_WITH_MEMBERS = `select r.pk, r.org_id, r.type, r.id, r.user_name, r.user_name_lc, r.external_id,
  r.display_name, r.active, r.doc, r.password_hash, r.version, r.created_at, r.last_modified, r.deleted_at,
  ((select 1 from memberships as m where m.member_pk >= r.pk and m.member_pk <= r.pk
    order by m.member_pk limit 1) is not null) as in_groups, -- as resources.ts inGroups
  (select coalesce(json_agg(json_build_array(p.member_pk, p.id, p.member_type, p.display)
      order by p.member_pk), '[]'::json)
    from member_page(r.pk, 0, $3) as p) as first_members
from resources as r
where r.pk = (select f.pk from (select u.pk, u.org_id, u.type, u.id from resources as u
    where (u.org_id, u.type, u.id) >= ($1, 'Group', $2)
    order by u.org_id, u.type, u.id limit 1) as f where f.org_id = $1 and f.type = 'Group' and f.id = $2)
  and r.deleted_at is null`; // on the unique index, whatever the statistics (resources.ts uniqueRow)
nameStatement(GROUP_WITH_MEMBERS);

/** The PostgreSQL statement of readGroupWithMembers (exported so that tests can check its plan). */
export function groupWithMembersQuery(orgId: string, id: string, limit: number): CompiledQuery {
  return CompiledQuery.raw(GROUP_WITH_MEMBERS, [orgId, id, limit]);
}

/** Members among `memberPks` that the group has (to tell a no-op from a change). */
export async function existingMembers(
  db: Kysely<DB>,
  groupPk: number,
  memberPks: readonly number[],
): Promise<Set<number>> {
  const found = new Set<number>();
  for (const part of chunks([...new Set(memberPks)], CHUNK)) {
    const rows = await db
      .selectFrom('memberships')
      .select('member_pk')
      .where('group_pk', '=', groupPk)
      .where('member_pk', 'in', part)
      .execute();
    for (const r of rows) found.add(Number(r.member_pk));
  }
  return found;
}

export interface GroupOf {
  memberPk: number;
  id: string;
  display: string | null;
  /** 'direct' when the member is in the group itself, 'indirect' through nested groups. */
  type: 'direct' | 'indirect';
}

/**
 * The groups each of `memberPks` belongs to, directly or through nested groups (RFC 7643
 * §4.1.2 `groups`), by a recursive query; cycles end because UNION drops repeated rows.
 */
export async function groupsOf(db: Kysely<DB>, memberPks: readonly number[]): Promise<GroupOf[]> {
  const out: GroupOf[] = [];
  const read = dialectOf(db) === 'postgres' ? groupsOfPostgres : groupsOfSqlite;
  for (const part of chunks([...new Set(memberPks)], 500)) {
    for (const r of await read(db, part)) {
      out.push({
        memberPk: Number(r.member_pk),
        id: r.id,
        display: r.display_name,
        type: Number(r.direct) === 1 ? 'direct' : 'indirect',
      });
    }
  }
  return out;
}

/** A row of groupsOf's statements: a member, one of its groups, and whether directly (1) or not (0). */
interface GroupOfRow {
  member_pk: number;
  id: string;
  display_name: string | null;
  direct: number;
}

/**
 * PostgreSQL: users_groups (migration 0310), for one member (a locked write's response) as for
 * a list page. PL/pgSQL keeps its plan, and work_mem 64kB inside it keeps its UNION's hash
 * table small; as a plain statement (groupsOfSqlite's) PostgreSQL sized that table by its
 * guess of the rows: about 0.8 ms of backend CPU for a user in a group of everyone, on tables
 * never analysed, against 0.1 ms.
 */
async function groupsOfPostgres(db: Kysely<DB>, pks: number[]): Promise<GroupOfRow[]> {
  const { rows } = await sql<GroupOfRow>`
    select member_pk, id, display_name, direct from users_groups(${pks}::bigint[])`.execute(db);
  return rows;
}

/**
 * SQLite. Each step up, and each group's row, by index (filter-relations.ts groupsOfGroup): as
 * plain joins, PostgreSQL without statistics merge-joined every membership and hashed every
 * resource of the database to find one user's groups (~50 ms for a member of a 100,000-member
 * group), which is why users_groups reads them the same way.
 */
async function groupsOfSqlite(db: Kysely<DB>, pks: number[]): Promise<GroupOfRow[]> {
  const list = sql.join(pks.map((pk) => sql`${pk}`));
  const { rows } = await sql<GroupOfRow>`
    with recursive ancestry(member_pk, group_pk, direct) as (
      select m.member_pk, m.group_pk, 1 from memberships as m where m.member_pk in (${list})
      union
      select a.member_pk, up.grp, 0 from ancestry as a ${groupsOfGroup('sqlite', sql.ref('a.group_pk'))}
    )
    select a.member_pk, g.id, g.display_name, max(a.direct) as direct
    from ancestry as a ${liveGroup('sqlite', sql.ref('a.group_pk'))}
    where a.group_pk <> a.member_pk
    group by a.member_pk, a.group_pk, g.id, g.display_name
    order by a.member_pk, a.group_pk`.execute(db);
  return rows;
}

/** Marks a resource changed without rewriting its document (membership-only changes). */
export async function bumpVersion(
  db: Kysely<DB>,
  pk: number,
  lastModified: string,
): Promise<{ version: number; lastModified: string }> {
  const row = await db
    .updateTable('resources')
    .set({ version: sql<number>`version + 1`, last_modified: lastModified })
    .where('pk', '=', pk)
    .returning(['version', 'last_modified'])
    .executeTakeFirstOrThrow();
  return { version: Number(row.version), lastModified: row.last_modified };
}

/**
 * Locks the live groups that directly contain a resource (PostgreSQL: FOR UPDATE, in pk order)
 * before the resource itself is locked for deletion, which gives each of those groups a new
 * version: a delete then takes its locks in the order a group PATCH does (the group, then its
 * members through the membership foreign key), so the two cannot deadlock. SQLite serialises
 * writers: nothing to do.
 */
export async function lockGroupsContaining(
  db: Kysely<DB>,
  orgId: string,
  type: MemberType,
  id: string,
): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await db
    .selectFrom('resources as g')
    .select('g.pk')
    .where('g.pk', 'in', (eb) =>
      eb
        .selectFrom('memberships as m')
        .innerJoin('resources as x', 'x.pk', 'm.member_pk')
        .select('m.group_pk')
        .where('x.org_id', '=', orgId)
        .where('x.type', '=', type)
        .where('x.id', '=', id)
        .where('x.deleted_at', 'is', null),
    )
    .orderBy('g.pk')
    .forUpdate()
    .execute();
}
