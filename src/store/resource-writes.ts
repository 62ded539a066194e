/**
 * A create or an update of one resource together with what it writes beside the row: its
 * index terms, the live count, its outbox event and its audit record, all or nothing.
 *
 * On PostgreSQL that is ONE statement of data-modifying CTEs, sent on its own: a statement
 * outside BEGIN … COMMIT is a transaction of its own, so it stays atomic in one round trip
 * instead of seven (BEGIN, the row, its terms, the count, the event, the audit row, COMMIT).
 * The terms travel as arrays (unnest), so the text is the same whatever their number and is
 * sent as a named statement (pg-statements.ts), planned once per connection. An update is
 * guarded by the version the caller read (optimistic concurrency): when another write moved
 * it on, nothing is written and StoreVersionMismatch says so, and the caller reads again.
 * A create that would duplicate a member added otherwise returns, instead of writing, that
 * member (store/linking.ts), and the link that follows is such an update, which also sets the
 * member's source (and is guarded by it).
 *
 * On SQLite the same pieces run in one transaction (resources.ts, audit.ts, events.ts): there
 * is no wire to save trips on, and writers are serialised anyway. A create outside a
 * transaction runs them synchronously on the writer as one member of the group commit
 * (sqlite-driver.ts writeInGroup), without Kysely's executor around each statement.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { IndexTerm } from '../scim/schema/index-terms.ts';
import { type AuditEvent, boundAudit, insertAudit } from './audit.ts';
import { dialectOf } from './db.ts';
import {
  StoreCreateDeferred,
  StoreHasHeldChange,
  StoreHasRoleRules,
  StoreVersionMismatch,
  withConflictMapping,
} from './errors.ts';
import { boundEvent, CURRENT_EVENT_FORMAT, insertEvent, type NewEvent } from './events.ts';
import {
  keysFromArray,
  keysFromValues,
  type LinkKeys,
  linkableExistsSqlite,
  linkablePksSql,
  markLinked,
  NO_LINK_KEYS,
  noLinkableSql,
} from './linking.ts';
import { nameStatement } from './pg-statements.ts';
import type { SyncRun } from './prepared.ts';
import {
  changedColumns,
  deleteResource,
  insertResource,
  insertResourceSync,
  type NewResource,
  notUpdated,
  type ResourceChanges,
  type ResourceRecord,
  type Row,
  rowValues,
  toRecord,
  updateResource,
  updateResourceSync,
  withGroupFlag,
} from './resources.ts';
import { deleteUserRoles, roleRuleCount } from './roles.ts';
import type { DB } from './schema.ts';
import { writeInGroup } from './sqlite-driver.ts';
import { Turns } from './turns.ts';
import { hasHeldDeactivation, saveValveWindow, type ValveWindowRow } from './valves.ts';

/** What a write records beside the resource: its outbox event (if any) and its audit row. */
export interface WriteRecords {
  event?: NewEvent | undefined;
  audit: AuditEvent;
}

/** The resource columns a statement returns, named (not `*`: see pg-statements.ts). */
const RETURNED =
  'pk, org_id, type, id, user_name, user_name_lc, external_id, display_name, active, doc, ' +
  'password_hash, version, created_at, last_modified, deleted_at, source, linked_at, linked_from';

/** The terms as five parallel arrays, the parameters of `unnest`. */
function termArrays(terms: readonly IndexTerm[]) {
  return [
    terms.map((t) => t.path),
    terms.map((t) => t.elem),
    terms.map((t) => t.str),
    terms.map((t) => t.lc),
    terms.map((t) => t.num),
  ];
}

/** `unnest` of the five term arrays starting at parameter `$from`, as rows (path, elem, str, lc, num). */
function unnestTerms(from: number): string {
  return (
    `unnest($${from}::text[], $${from + 1}::integer[], $${from + 2}::text[], $${from + 3}::text[], ` +
    `$${from + 4}::float8[]) as x(path, elem, str, lc, num)`
  );
}

/**
 * The event's and the audit row's INSERTs as CTEs, written only when CTE `source` returned the
 * resource (an update that matched no row writes neither). The event's is skipped when its
 * type is null: one text either way, every parameter referenced.
 */
function recordsCtes(source: string, from: number): string {
  const p = (k: number) => `$${from + k}::text`;
  return `, e as (
  insert into events (org_id, type, at, resource_type, resource_id, data, changes, format)
  select ${p(0)}, ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${CURRENT_EVENT_FORMAT}
  where ${p(1)} is not null and exists (select 1 from ${source})
), a as (
  insert into audit_events (org_id, at, request_id, token_id, action, resource_type, resource_id, attributes, actor_kind)
  select ${p(7)}, ${p(8)}, ${p(9)}, ${p(10)}, ${p(11)}, ${p(12)}, ${p(13)}, ${p(14)}, ${p(15)}
  where exists (select 1 from ${source})
)`;
}

/** Parameters of recordsCtes, in its order (sixteen). */
function recordsParameters(records: WriteRecords): unknown[] {
  const { event, audit } = records;
  return [
    event?.orgId ?? null,
    event?.type ?? null,
    event?.at ?? null,
    event?.resourceType ?? null,
    event?.resourceId ?? null,
    event?.data === undefined ? null : JSON.stringify(event.data),
    event?.changes ? JSON.stringify(event.changes) : null,
    audit.orgId,
    audit.at,
    audit.requestId,
    audit.tokenId,
    audit.action,
    audit.resourceType,
    audit.resourceId,
    JSON.stringify(audit.attributes),
    audit.actorKind,
  ];
}

async function runNamed(db: Kysely<DB>, text: string, parameters: unknown[]): Promise<Row[]> {
  const { rows } = await withConflictMapping(() => db.executeQuery<Row>(CompiledQuery.raw(text, parameters)));
  return rows;
}

/**
 * Creates of one org and type on PostgreSQL, two at a time in this process (store/turns.ts
 * says why): each updates the org's row of resource_counts, where PostgreSQL would queue them
 * anyway. Two, not one: the next statement travels while the other commits.
 */
export const CREATES_AT_ONCE = 2;
export const createTurns = new Turns(CREATES_AT_ONCE);

/** The create's statement texts, by the number of link keys they take as parameters (-1: an array). */
const CREATE_TEXT = new Map<number, string>();

/** Members to link a create's statement returns at most: one links, more are a conflict. */
const LINKABLE_SHOWN = 3;

/**
 * Link keys a create's statement takes one parameter each, as a VALUES list (linking.ts
 * keysFromValues), so that PostgreSQL keeps its generic plan: with an array of keys the
 * generic plan cost more than a custom one, and the statement, some twenty relations, was
 * planned again at every create (more than half its backend CPU). A user with more keys (its
 * userName and every email) takes them as one array, planned each time.
 */
const MAX_KEY_PARAMETERS = 8;

function createText(keyCount: number): string {
  const variant = keyCount > MAX_KEY_PARAMETERS ? -1 : keyCount;
  const cached = CREATE_TEXT.get(variant);
  if (cached) return cached;
  const keys = variant < 0 ? keysFromArray('$33::text[]') : keysFromValues(33, variant);
  const text = `with r as (
  insert into resources (org_id, type, id, user_name, user_name_lc, external_id, display_name, active,
    doc, password_hash, version, created_at, last_modified)
  select $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::integer, $9::text,
    $10::text, 1, $11::text, $11::text
  where not exists (select 1 from org_valves as v where v.org_id = $1::text and v.seat_cap is not null)
    and ${noLinkableSql('$1::text', keys, '$5::text', '$6::text')}
  returning ${RETURNED}
), t as (
  insert into resource_terms (org_id, resource_pk, path, elem, str, lc, num)
  select r.org_id, r.pk, x.path, x.elem, x.str, x.lc, x.num from r cross join ${unnestTerms(12)}
), c as (
  insert into resource_counts (org_id, type, n, changes) select r.org_id, r.type, 1, 1 from r
  on conflict (org_id, type) do update
    set n = resource_counts.n + 1, changes = resource_counts.changes + 1
)${recordsCtes('r', 17)}
select ${RETURNED}, false as linkable, false as in_groups from r
union all
select * from (
  select ${RETURNED.split(', ')
    .map((c) => `m.${c}`)
    .join(', ')}, true as linkable,
    exists (select 1 from memberships as g where g.member_pk = m.pk) as in_groups
  from resources as m
  where not exists (select 1 from r) and m.pk = any(${linkablePksSql('$1::text', keys, '$5::text', '$6::text')})
  order by m.pk limit ${LINKABLE_SHOWN}
) as l`;
  nameStatement(text);
  CREATE_TEXT.set(variant, text);
  return text;
}

/**
 * Inserts a resource at version 1 with its index terms, counts it live, and writes its event
 * and audit row: one statement on PostgreSQL. A taken userName raises StoreConflict, and then
 * nothing was written. `db` must not be a transaction on PostgreSQL only if the caller wants
 * the single round trip; inside one, the statement simply joins it. In an org with a seat cap
 * (org_valves.seat_cap, migration 0100) nothing is written and StoreCreateDeferred is raised: the
 * caller creates under the org's valve lock instead, where active users are counted. So it is
 * when `linkKeys` match a live member added otherwise than by SCIM (store/linking.ts): the
 * caller links that member instead; on PostgreSQL the statement returns the members it
 * matched (up to three, with their membership flag) on the error, `linkable`. Both guards
 * read indexes that are empty in an org without a seat cap or such members.
 */
export async function createResourceWith(
  db: Kysely<DB>,
  r: NewResource,
  records: WriteRecords,
  linkKeys: LinkKeys = NO_LINK_KEYS,
): Promise<ResourceRecord> {
  if (dialectOf(db) === 'sqlite') {
    // Outside a transaction: the same statements, run at once on the writer as one member of
    // its group commit, without Kysely's executor around each.
    const direct = writeInGroup(db, (run) => {
      const guard = createGuardSqlite(r.orgId, linkKeys);
      const [deferred] = run(guard.sql, guard.parameters) as { deferred: number }[];
      if (deferred?.deferred === 1) throw new StoreCreateDeferred(r.orgId);
      const record = insertResourceSync(db, run, r);
      runRecords(db, run, records);
      return record;
    });
    if (direct) return direct;
    const write = async (tx: Kysely<DB>) => {
      if (await createDeferredSqlite(tx, r.orgId, linkKeys)) throw new StoreCreateDeferred(r.orgId);
      const record = await insertResource(tx, r);
      if (records.event) await insertEvent(tx, records.event);
      await insertAudit(tx, records.audit);
      return record;
    };
    return db.isTransaction ? write(db) : db.transaction().execute(write);
  }
  const keyCount = linkKeys.keys.length;
  const statement = () =>
    runNamed(db, createText(keyCount), [
      ...rowValues(r),
      ...termArrays(r.terms),
      ...recordsParameters(records),
      ...(keyCount > MAX_KEY_PARAMETERS ? [linkKeys.keys] : linkKeys.keys),
    ]);
  // Outside a transaction only: one that waited here holding a pooled connection could keep
  // the turn's holders from getting theirs.
  const rows = db.isTransaction
    ? await statement()
    : await createTurns.run(`${r.orgId}\u0000${r.type}`, statement);
  const [row] = rows;
  // Only the guards (a seat cap, a member to link) keep the row from being written; the
  // members to link, if any, came back instead of it.
  if (!row || (row as { linkable?: unknown }).linkable === true) {
    throw new StoreCreateDeferred(
      r.orgId,
      rows.map((m) => withGroupFlag(m as Row & { in_groups: unknown })),
    );
  }
  return toRecord(row);
}

/** The event (if any) and the audit row of a write run synchronously on SQLite's writer. */
function runRecords(db: Kysely<DB>, run: SyncRun, records: WriteRecords): void {
  if (records.event) {
    const event = boundEvent(db, records.event);
    run(event.sql, event.parameters);
  }
  const audit = boundAudit(db, records.audit);
  run(audit.sql, audit.parameters);
}

/**
 * SQLite's guards of a create (createResourceWith): whether the org has a seat cap
 * (valves.ts hasSeatCap) or `linkKeys` match a member to link (linking.ts hasLinkable), read
 * in one statement whose text is made once per number of keys.
 */
async function createDeferredSqlite(tx: Kysely<DB>, orgId: string, linkKeys: LinkKeys): Promise<boolean> {
  const guard = createGuardSqlite(orgId, linkKeys);
  const { rows } = await tx.executeQuery<{ deferred: number }>(
    CompiledQuery.raw(guard.sql, guard.parameters),
  );
  return rows[0]?.deferred === 1;
}

/** createDeferredSqlite's statement: one row, `deferred` 1 or 0. */
function createGuardSqlite(orgId: string, linkKeys: LinkKeys): { sql: string; parameters: unknown[] } {
  const linkable = linkableExistsSqlite(orgId, linkKeys);
  return {
    sql: `select (exists (select 1 from org_valves where org_id = ? and seat_cap is not null)${
      linkable ? ` or ${linkable.sql}` : ''
    }) as deferred`,
    parameters: [orgId, ...(linkable?.parameters ?? [])],
  };
}

const UPDATE_TEXT = new Map<string, string>();

/**
 * The update statement for one set of written indexed columns. The terms are brought in line
 * row by row: stored rows the new terms lack are deleted, new terms not stored are inserted,
 * and the rest stay (all CTEs read the statement's one snapshot, so the insert's check sees
 * the rows as they were before the delete). Nothing but the UPDATE runs when it matched no
 * row (every other CTE reads `u`).
 */
function updateText(
  columns: readonly string[],
  noRoleRules: boolean,
  link: boolean,
  noHeld: boolean,
  window = false,
): string {
  const key = `${columns.join(',')}${noRoleRules ? ':no-role-rules' : ''}${link ? ':link' : ''}${noHeld ? ':no-held' : ''}${window ? ':window' : ''}`;
  let text = UPDATE_TEXT.get(key);
  if (text) return text;
  const same = (a: string, b: string) =>
    `${a}.path = ${b}.path and ${a}.elem = ${b}.elem and ${a}.str is not distinct from ${b}.str ` +
    `and ${a}.lc is not distinct from ${b}.lc and ${a}.num is not distinct from ${b}.num`;
  // A link (store/linking.ts markLinked) writes the source in the same statement, guarded.
  const set =
    columns.map((c, i) => `, ${c} = $${26 + i}`).join('') +
    (link ? `, source = 'scim', email_lc = null, link_by = null, linked_at = $4, linked_from = source` : '');
  // The guard reads the org's row under a share lock (see updateResourceWith).
  const orgParameter = `$${26 + columns.length}`;
  const guard = noRoleRules
    ? `g as (select 1 from orgs where id = ${orgParameter} and role_rules = 0 for share), `
    : '';
  // A held deactivation of the user (unique per org and user: migration key held_changes_user_uq).
  const noHeldSql = noHeld
    ? ` and not exists (select 1 from held_changes as h where h.org_id = ${orgParameter} and h.user_pk = $1 and h.kind = 'deactivate')`
    : '';
  // The valves' new window (directory/valves.ts admit), $org's row, written with the change.
  const w = (k: number) => `$${27 + columns.length + k}`;
  const windowSql = window
    ? `, w as (
  update org_valves set window_start = ${w(0)}, window_base = ${w(1)}, window_count = ${w(2)}, episode_at = ${w(3)}
  where org_id = ${orgParameter} and exists (select 1 from u)
)`
    : '';
  text = `with ${guard}u as (
  update resources set doc = $3, last_modified = $4, version = version + 1${set}
  where pk = $1 and deleted_at is null and version = $2${noRoleRules ? ' and exists (select 1 from g)' : ''}${link ? " and source <> 'scim'" : ''}${noHeldSql}
  returning ${RETURNED}
), n as (
  select * from ${unnestTerms(5)}
), d as (
  delete from resource_terms as t
  where t.resource_pk = $1 and exists (select 1 from u)
    and not exists (select 1 from n where ${same('n', 't')})
), i as (
  insert into resource_terms (org_id, resource_pk, path, elem, str, lc, num)
  select u.org_id, u.pk, n.path, n.elem, n.str, n.lc, n.num from u cross join n
  where not exists (select 1 from resource_terms as t where t.resource_pk = $1 and ${same('t', 'n')})
)${windowSql}${recordsCtes('u', 10)}
select * from u`;
  nameStatement(text);
  UPDATE_TEXT.set(key, text);
  return text;
}

/**
 * Replaces a live resource's indexed columns, document and terms (version + 1) if it is still
 * at `expectedVersion`, and writes the event and audit row: one statement on PostgreSQL.
 * Otherwise nothing is written and StoreVersionMismatch (another write came first) or
 * StoreNotFound (it was deleted) is raised; a taken userName raises StoreConflict.
 */
/**
 * What else an update's statement checks before it writes (updateResourceWith). When one of
 * them fails, nothing is written and its own error says why.
 */
export interface UpdateGuards {
  /**
   * Write only while this org has no role rules (a group's rename that skips role upkeep,
   * directory/roles.ts): the org's row is read under a share lock, so a rule's transaction,
   * which updates that row before it reads the groups, waits for this commit or is seen by it.
   * StoreHasRoleRules when it has some.
   */
  noRoleRulesIn?: string | undefined;
  /**
   * Link the member written (source `scim`, `linked_at` the write's time, `linked_from` its
   * source: store/linking.ts markLinked), only if it is not SCIM's already: otherwise nothing
   * is written, as for a version moved on.
   */
  link?: boolean | undefined;
  /**
   * Write only while the user (of this org) has no held deactivation (store/valves.ts): a PUT
   * that says `active: true` supersedes one, which the locked path does (directory/valves.ts
   * supersede). StoreHasHeldChange when it has one.
   */
  noHeldDeactivationIn?: string | undefined;
  /**
   * The valves' new window of this org (directory/valves.ts admit counted the change in),
   * saved by the same statement; the caller's transaction holds the org's valve row lock.
   */
  valveWindow?: { orgId: string; window: ValveWindowRow } | undefined;
}

/**
 * Replaces a live resource's indexed columns, document and terms (version + 1) if it is still
 * at `expectedVersion`, and writes the event and audit row: one statement on PostgreSQL.
 * Otherwise nothing is written and StoreVersionMismatch (another write came first) or
 * StoreNotFound (it was deleted) is raised; a taken userName raises StoreConflict; a guard
 * that fails raises its error (UpdateGuards).
 */
export async function updateResourceWith(
  db: Kysely<DB>,
  pk: number,
  changes: ResourceChanges,
  expectedVersion: number,
  previous: Pick<ResourceRecord, 'userName' | 'externalId' | 'displayName' | 'active' | 'passwordHash'>,
  records: WriteRecords,
  guards: UpdateGuards = {},
): Promise<ResourceRecord> {
  const { noRoleRulesIn, link = false, noHeldDeactivationIn, valveWindow } = guards;
  /** The guard that failed, if one did. */
  const guardFailed = async (tx: Kysely<DB>) => {
    if (noRoleRulesIn !== undefined && (await roleRuleCount(tx, noRoleRulesIn)) > 0)
      return new StoreHasRoleRules(noRoleRulesIn);
    if (noHeldDeactivationIn !== undefined && (await hasHeldDeactivation(tx, noHeldDeactivationIn, pk)))
      return new StoreHasHeldChange(noHeldDeactivationIn, pk);
    return undefined;
  };
  if (dialectOf(db) === 'sqlite') {
    if (noRoleRulesIn === undefined && noHeldDeactivationIn === undefined && !link && !valveWindow) {
      // Outside a transaction and without guards: the same statements, at once on the writer
      // (as createResourceWith does).
      const direct = writeInGroup(db, (run) => {
        const record = updateResourceSync(db, run, pk, changes, expectedVersion, previous);
        runRecords(db, run, records);
        return record;
      });
      if (direct) return direct;
    }
    const write = async (tx: Kysely<DB>) => {
      const failed = await guardFailed(tx);
      if (failed) throw failed;
      let record = await updateResource(tx, pk, changes, expectedVersion, previous);
      if (valveWindow) await saveValveWindow(tx, valveWindow.orgId, valveWindow.window);
      if (link) {
        if (record.source === 'scim') throw new StoreVersionMismatch(expectedVersion, record.version);
        record = await markLinked(tx, pk, changes.lastModified);
      }
      if (records.event) await insertEvent(tx, records.event);
      await insertAudit(tx, records.audit);
      return record;
    };
    return db.isTransaction ? write(db) : db.transaction().execute(write);
  }
  const { columns, values } = changedColumns(changes, previous);
  // Both guards read one org's rows: the writer's (a group is never a user with held changes).
  const org = noRoleRulesIn ?? noHeldDeactivationIn ?? valveWindow?.orgId;
  if (valveWindow && org !== valveWindow.orgId)
    throw new Error('an update reads one org: its guards name two');
  const text = updateText(
    columns,
    noRoleRulesIn !== undefined,
    link,
    noHeldDeactivationIn !== undefined,
    valveWindow !== undefined,
  );
  const [row] = await runNamed(db, text, [
    pk,
    expectedVersion,
    JSON.stringify(changes.doc),
    changes.lastModified,
    ...termArrays(changes.terms),
    ...recordsParameters(records),
    ...values,
    ...(org !== undefined ? [org] : []),
    ...(valveWindow
      ? [
          valveWindow.window.window_start,
          valveWindow.window.window_base,
          valveWindow.window.window_count,
          valveWindow.window.episode_at,
        ]
      : []),
  ]);
  if (!row) {
    const failed = await guardFailed(db);
    if (failed) throw failed;
    return notUpdated(db, pk, expectedVersion);
  }
  return toRecord(row);
}

function deleteText(window: boolean): string {
  return `with d as (
  update resources set deleted_at = $2, user_name_lc = null
  where pk = $1 and deleted_at is null
  returning pk, org_id, type
), c as (
  insert into resource_counts (org_id, type, n, changes) select d.org_id, d.type, -1, 1 from d
  on conflict (org_id, type) do update
    set n = resource_counts.n - 1, changes = resource_counts.changes + 1
), t as (
  delete from resource_terms where resource_pk = $1 and exists (select 1 from d)
), g as (
  update resources set version = version + 1, last_modified = $2
  where pk in (select group_pk from memberships where member_pk = $1) and exists (select 1 from d)
), m as (
  delete from memberships where (group_pk = $1 or member_pk = $1) and exists (select 1 from d)
), ur as (
  delete from user_roles where user_pk = $1 and exists (select 1 from d)
)${
    window
      ? `, w as (
  update org_valves set window_start = $19, window_base = $20, window_count = $21, episode_at = $22
  where org_id = (select org_id from d)
)`
      : ''
  }${recordsCtes('d', 3)}
select pk from d`;
}
const DELETE_TEXT = deleteText(false);
const DELETE_WINDOW_TEXT = deleteText(true);
nameStatement(DELETE_TEXT);
nameStatement(DELETE_WINDOW_TEXT);

/**
 * Deletes a live resource as a tombstone (resources.ts deleteResource: `deleted_at` set,
 * userName freed, uncounted, terms and memberships gone, the groups it was in at a new
 * version), its roles if it is a user, and writes its event and audit row: ONE statement on
 * PostgreSQL, where it took nine. Meant for a transaction that locked the resource, and the
 * groups containing it in pk order (memberships.ts lockGroupsContaining), first: the statement
 * updates those groups in whatever order its plan reads them. `window`: the org's valve window
 * as the valves counted this delete in (directory/valves.ts admit), saved by the same
 * statement, under the valve row lock the transaction took. Returns whether a live resource
 * was deleted (nothing is written otherwise).
 */
export async function deleteResourceWith(
  db: Kysely<DB>,
  resource: Pick<ResourceRecord, 'pk' | 'orgId' | 'type' | 'id'>,
  deletedAt: string,
  records: WriteRecords,
  window?: ValveWindowRow,
): Promise<boolean> {
  if (dialectOf(db) === 'sqlite') {
    const write = async (tx: Kysely<DB>) => {
      if (!(await deleteResource(tx, resource.orgId, resource.type, resource.id, deletedAt))) return false;
      if (resource.type === 'User') await deleteUserRoles(tx, resource.pk);
      if (window) await saveValveWindow(tx, resource.orgId, window);
      if (records.event) await insertEvent(tx, records.event);
      await insertAudit(tx, records.audit);
      return true;
    };
    return db.isTransaction ? write(db) : db.transaction().execute(write);
  }
  const parameters = [resource.pk, deletedAt, ...recordsParameters(records)];
  const rows = window
    ? await runNamed(db, DELETE_WINDOW_TEXT, [
        ...parameters,
        window.window_start,
        window.window_base,
        window.window_count,
        window.episode_at,
      ])
    : await runNamed(db, DELETE_TEXT, parameters);
  return rows.length > 0;
}
