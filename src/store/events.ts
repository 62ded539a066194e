/**
 * The outbox (migration 0025): events written by the transaction that makes the change, read
 * back in commit-safe order by the pull feed and the webhook planner (src/events/).
 *
 * Order. `seq` numbers rows as they are inserted, but on PostgreSQL transactions commit in
 * any order: a reader that had passed seq 11 would never see a seq 10 committed after it. So
 * each row also holds the id of the transaction that wrote it (`tx`, a column default), the
 * feed is ordered by (tx, seq), and a read returns only rows whose transaction is older than
 * every transaction still running (`pg_snapshot_xmin`): those are all committed or gone, and
 * every row committed later has a larger tx. A cursor (tx, seq) therefore misses nothing and
 * repeats nothing. On SQLite writers are serialised: tx is 0 and seq order is commit order.
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import { chunks } from './chunks.ts';
import { dialectOf } from './db.ts';
import { type BoundQuery, preparedQuery } from './prepared.ts';
import type { DB, EventsTable } from './schema.ts';

/**
 * The format of the events this build writes (directory/event-form.ts EVENT_FORMAT_VERSION,
 * docs/events.md): every row records the format it was written in (`format`, migration
 * 0110), so rows an older build wrote keep their version in the feed and in webhooks.
 */
export const CURRENT_EVENT_FORMAT = 2;

export interface NewEvent {
  orgId: string | null;
  type: string;
  at: string;
  resourceType: string | null;
  resourceId: string | null;
  /** The resource after the change (or before a deletion), as JSON-ready data. */
  data: unknown;
  changes?: { changed: string[]; previous: Record<string, unknown> } | undefined;
}

/** A position in the feed: after (tx, seq). */
export interface FeedPosition {
  tx: number;
  seq: number;
}

export interface EventRow {
  seq: number;
  tx: number;
  orgId: string | null;
  type: string;
  at: string;
  resourceType: string | null;
  resourceId: string | null;
  groupId: string | null;
  direct: boolean | null;
  viaId: string | null;
  data: unknown;
  changes: { changed: string[]; previous: Record<string, unknown> } | null;
  /** The format the row was written in (1 for rows written before migration 0110). */
  format: number;
}

const insertRow = preparedQuery((db: Kysely<DB>, ...a: (string | null)[]) =>
  db.insertInto('events').values({
    org_id: a[0] as string | null,
    type: a[1] as string,
    at: a[2] as string,
    resource_type: a[3] as string | null,
    resource_id: a[4] as string | null,
    data: a[5] as string | null,
    changes: a[6] as string | null,
    format: CURRENT_EVENT_FORMAT,
  }),
);

/** An event's row, in the current format (insertEvent, insertEvents). */
function eventRow(e: NewEvent) {
  return {
    org_id: e.orgId,
    type: e.type,
    at: e.at,
    resource_type: e.resourceType,
    resource_id: e.resourceId,
    data: e.data === undefined ? null : JSON.stringify(e.data),
    changes: e.changes ? JSON.stringify(e.changes) : null,
    format: CURRENT_EVENT_FORMAT,
  };
}

/** insertEvent's statement, bound for a write run synchronously (sqlite-driver.ts writeInGroup). */
export function boundEvent(db: Kysely<DB>, e: NewEvent): BoundQuery {
  const r = eventRow(e);
  return insertRow.bind(db, r.org_id, r.type, r.at, r.resource_type, r.resource_id, r.data, r.changes);
}

/** Writes one event; `db` is the change's own transaction. */
export async function insertEvent(db: Kysely<DB>, e: NewEvent): Promise<void> {
  const r = eventRow(e);
  await insertRow(db, r.org_id, r.type, r.at, r.resource_type, r.resource_id, r.data, r.changes);
}

/**
 * Writes several events, 500 rows a statement (a batch of a change that moves many users); `db`
 * is the change's own transaction. Rows keep the order given.
 */
export async function insertEvents(db: Kysely<DB>, events: readonly NewEvent[]): Promise<void> {
  for (const part of chunks(events, 500)) {
    await db.insertInto('events').values(part.map(eventRow)).execute();
  }
}

export interface MembershipChange {
  orgId: string;
  type: 'group.member_added' | 'group.member_removed';
  at: string;
  groupPk: number;
  groupId: string;
  /**
   * The members whose membership of the group changes (edges about to be added, or about to
   * be removed), or 'all' when the group itself is about to be deleted.
   */
  members: readonly number[] | 'all';
}

/**
 * The member events of a membership change, in one INSERT … SELECT: nothing of the group is
 * read into memory, whatever its size. Call it BEFORE the membership rows are inserted or
 * deleted, with only the edges that really change.
 *
 * Emitted: one direct event per changed edge (group, member), member a User or a Group; and,
 * for every User below a changed member (itself, or through nested groups), one indirect
 * event per group it gains or loses among the group and the groups above it, when that
 * user's effective membership of that group really changes: it is not reached by any path
 * that avoids the changed edges (for an add: it was not a member before; for a removal: it
 * stays one no longer). `via_id` of an indirect event is the group below it through which
 * the user gains or loses it: the nested member of the changed edge, or the changed group
 * itself when the user is its direct member. Cycles end because UNION drops repeated rows.
 */
export async function insertMemberEvents(db: Kysely<DB>, c: MembershipChange): Promise<void> {
  if (c.members !== 'all' && c.members.length === 0) return;
  const pg = dialectOf(db) === 'postgres';
  const G = pg ? sql`cast(${c.groupPk} as bigint)` : sql`cast(${c.groupPk} as integer)`;
  const list = c.members === 'all' ? undefined : sql.join(c.members.map((pk) => sql`${pk}`));
  const data = JSON.stringify({ group: c.groupId });
  // The common case, a flat group: the group is in no group, and no group is among the
  // changed members. Then the changed edges are all there is to say: direct events only.
  const nested = sql`select (select count(*) from (select 1 from memberships where member_pk = ${G} limit 1) as p)
      + (select count(*) from (${
        list
          ? sql`select 1 from resources where pk in (${list}) and type = 'Group'`
          : sql`select 1 from memberships where group_pk = ${G} and member_type = 'Group'`
      } limit 1) as q) as nested`;
  const source = list
    ? sql`resources as x where x.pk in (${list})`
    : sql`memberships as m join resources as x on x.pk = m.member_pk where m.group_pk = ${G}`;
  const direct = sql`
      insert into events (org_id, type, at, resource_type, resource_id, group_id, direct, via_id, data, format)
      select ${c.orgId}, ${c.type}, ${c.at}, x.type, x.id, ${c.groupId}, 1, null, ${data}, ${sql.lit(CURRENT_EVENT_FORMAT)}
      from ${source}`;
  if (pg) {
    // One round trip for a flat group: the check, and the direct events written only when it
    // finds nothing nested (a data-modifying CTE, which SQLite has not).
    const { rows } = await sql<{ nested: number }>`
      with n as (${nested}), d as (${direct} and (select nested from n) = 0 order by x.pk)
      select nested from n`.execute(db);
    if (Number(rows[0]?.nested ?? 0) === 0) return;
  } else {
    const { rows } = await sql<{ nested: number }>`${nested}`.execute(db);
    if (Number(rows[0]?.nested ?? 0) === 0) {
      await sql`${direct} order by x.pk`.execute(db);
      return;
    }
  }
  const roots = list
    ? sql`select pk from resources where pk in (${list})`
    : sql`select member_pk from memberships where group_pk = ${G}`;
  // The memberships that stay: all but the changed edges (or, for a deleted group, all but
  // those touching it).
  const keep = list
    ? sql`not (m.group_pk = ${G} and m.member_pk in (${list}))`
    : sql`m.group_pk <> ${G} and m.member_pk <> ${G}`;
  // The recursive CTEs' row estimates are generic and large: JIT would compile this statement
  // (~100 ms) for what runs in a few milliseconds; connections start with it off (db.ts).
  await sql`
    insert into events (org_id, type, at, resource_type, resource_id, group_id, direct, via_id, data, format)
    with recursive
      roots(pk) as (${roots}),
      down(root, pk) as (
        select pk, pk from roots
        union
        select d.root, m.member_pk from memberships as m join down as d on m.group_pk = d.pk where ${keep}
      ),
      up(g) as (
        select ${G}
        union
        select m.group_pk from memberships as m join up on m.member_pk = up.g
      ),
      above(g, id) as (
        select up.g, x.id from up join resources as x on x.pk = up.g where x.deleted_at is null or x.pk = ${G}
      ),
      affected(pk, id, type, direct, via) as (
        select d.pk, x.id, x.type, max(case when d.root = d.pk then 1 else 0 end),
          min(case when d.root <> d.pk then d.root end)
        from down as d join resources as x on x.pk = d.pk
        group by d.pk, x.id, x.type
      ),
      reach(u, g) as (
        select m.member_pk, m.group_pk from memberships as m join affected as a on a.pk = m.member_pk
        where a.type = 'User' and ${keep}
        union
        select r.u, m.group_pk from memberships as m join reach as r on m.member_pk = r.g where ${keep}
      ),
      candidates(u, g) as (
        select a.pk, above.g from affected as a cross join above
        where a.type = 'User' and not (a.direct = 1 and above.g = ${G})
      ),
      changed(u, g, direct) as (
        select pk, ${G}, 1 from affected where direct = 1
        union all
        select u, g, 0 from (select u, g from candidates except select u, g from reach) as c
      )
    select ${c.orgId}, ${c.type}, ${c.at}, a.type, a.id, above.id, e.direct,
      case when e.direct = 1 then null when a.via is null then ${c.groupId} else v.id end,
      ${data}, ${sql.lit(CURRENT_EVENT_FORMAT)}
    from changed as e
    join affected as a on a.pk = e.u
    join above on above.g = e.g
    left join affected as v on v.pk = a.via
    order by e.u, e.g`.execute(db);
}

function toRow(r: Selectable<EventsTable>): EventRow {
  return {
    seq: Number(r.seq),
    tx: Number(r.tx),
    orgId: r.org_id,
    type: r.type,
    at: r.at,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    groupId: r.group_id,
    direct: r.direct === null ? null : Number(r.direct) === 1,
    viaId: r.via_id,
    data: r.data === null ? null : JSON.parse(r.data),
    changes: r.changes === null ? null : JSON.parse(r.changes),
    format: Number(r.format ?? 1),
  };
}

export interface FeedQuery {
  after: FeedPosition;
  orgId?: string | undefined;
  types?: readonly string[] | undefined;
  limit: number;
}

/**
 * Committed events after a position, in feed order (tx, seq); see the module comment for
 * why no event committed later can sort before the last one returned.
 */
export async function readEvents(db: Kysely<DB>, q: FeedQuery): Promise<EventRow[]> {
  const pg = dialectOf(db) === 'postgres';
  let query = db
    .selectFrom('events')
    .selectAll()
    .where((eb) =>
      eb.or([eb('tx', '>', q.after.tx), eb.and([eb('tx', '=', q.after.tx), eb('seq', '>', q.after.seq)])]),
    )
    .orderBy('tx')
    .orderBy('seq')
    .limit(q.limit);
  if (pg)
    query = query.where('tx', '<', sql<number>`(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint`);
  if (q.orgId !== undefined) query = query.where('org_id', '=', q.orgId);
  if (q.types && q.types.length > 0) query = query.where('type', 'in', [...q.types]);
  const rows = await query.execute();
  return rows.map((r) => toRow(r));
}

/** Events by seq (deliveries name their event by seq). */
export async function eventsBySeq(db: Kysely<DB>, seqs: readonly number[]): Promise<Map<number, EventRow>> {
  const out = new Map<number, EventRow>();
  if (seqs.length === 0) return out;
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('seq', 'in', [...new Set(seqs)])
    .execute();
  for (const r of rows) {
    const row = toRow(r);
    out.set(row.seq, row);
  }
  return out;
}

/** The newest feed position (where a new consumer or endpoint starts). */
export async function latestPosition(db: Kysely<DB>): Promise<FeedPosition> {
  const row = await db
    .selectFrom('events')
    .select(['tx', 'seq'])
    .orderBy('tx', 'desc')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { tx: Number(row.tx), seq: Number(row.seq) } : { tx: 0, seq: 0 };
}

/**
 * Deletes events older than `before` (ISO time), oldest first, at most `batch` per call, by
 * seq order (the primary key: no index on `at` to keep on every write). Returns how many.
 */
export async function pruneEvents(db: Kysely<DB>, before: string, batch = 5000): Promise<number> {
  const result = await db
    .deleteFrom('events')
    .where('seq', 'in', (eb) =>
      eb.selectFrom('events').select('seq').where('at', '<', before).orderBy('seq').limit(batch),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
