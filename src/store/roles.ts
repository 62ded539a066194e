/**
 * Roles from IdP groups (migration 0070; the rules are the domain's, src/directory/roles.ts).
 *
 * A recompute is set-wise and never reads users or groups into memory: the transaction that
 * moves roles first marks the users whose roles may change (`role_work` rows under a nonce of
 * its own: the users at or below some resources, through nested groups, by a recursive CTE as
 * store/events.ts walks them), then, once, computes the roles each of the org's groups gives
 * and from them every marked user's (one UPDATE of the scratch rows), writes one
 * `user.roles_changed` event per user whose roles really changed (INSERT … SELECT into the
 * outbox), updates `user_roles`, and clears its scratch rows. Marking many times and computing once gives each
 * user at most one event per transaction.
 *
 * `user_roles.roles` holds the role keys a user's rules give it, comma-separated, highest
 * priority first (keys are `[a-z0-9_-]`); a user matched by no rule has no row, and the org's
 * default role applies to it when it is read (so that a user's create writes nothing here).
 */
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { chunks } from './chunks.ts';
import { dialectOf } from './db.ts';
import { groupsOfGroup, liveGroup, membersOfGroup } from './filter-relations.ts';
import type { DB, RoleRulesTable } from './schema.ts';

export type RuleMatch = 'id' | 'externalId' | 'displayName';
export type RoleMode = 'highest' | 'all';

export interface RoleRuleRecord {
  id: string;
  orgId: string;
  match: RuleMatch;
  value: string;
  role: string;
  createdAt: string;
}

export interface RoleSettingsRecord {
  defaultRole: string | null;
  mode: RoleMode;
}

/** What a recompute needs of the deployment's roles and the org's settings. */
export interface RecomputeInput {
  orgId: string;
  nonce: string;
  at: string;
  /** The deployment's roles: key and priority (higher wins). */
  roles: readonly { key: string; priority: number }[];
  settings: RoleSettingsRecord;
}

/** A group row `g` matched by a rule row `r`. */
const RULE_MATCHES_GROUP = sql`(r.match = 'id' and r.value = g.id)
  or (r.match = 'externalId' and r.value = g.external_id)
  or (r.match = 'displayName' and r.value = g.display_name)`;

function pkType(db: Kysely<DB>) {
  return dialectOf(db) === 'postgres' ? sql`bigint` : sql`integer`;
}

/**
 * PostgreSQL: serialises role recomputes per org (SQLite serialises every writer anyway).
 * Two keys: `rules` (rule, default and mode changes take it exclusively, for their whole
 * transaction; a membership change takes it shared before it reads the rules, so no rule
 * appears or goes between its reading them and its commit) and `flush` (taken exclusively
 * by every recompute: two transactions moving the same user's groups at once compute, one
 * after the other, from what the other committed). Always taken in that order.
 */
export async function lockOrgRoles(
  db: Kysely<DB>,
  orgId: string,
  which: 'rules' | 'rules-shared' | 'flush',
): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  const key = sql`hashtextextended(${`roles:${which === 'flush' ? 'flush' : 'rules'}:${orgId}`}, 0)`;
  if (which === 'rules-shared') await sql`select pg_advisory_xact_lock_shared(${key})`.execute(db);
  else await sql`select pg_advisory_xact_lock(${key})`.execute(db);
}

export async function readRoleSettings(db: Kysely<DB>, orgId: string): Promise<RoleSettingsRecord> {
  const row = await db
    .selectFrom('role_settings')
    .select(['default_role', 'mode'])
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return { defaultRole: row?.default_role ?? null, mode: row?.mode === 'all' ? 'all' : 'highest' };
}

export async function writeRoleSettings(
  db: Kysely<DB>,
  orgId: string,
  settings: RoleSettingsRecord,
  at: string,
): Promise<void> {
  await db
    .insertInto('role_settings')
    .values({ org_id: orgId, default_role: settings.defaultRole, mode: settings.mode, updated_at: at })
    .onConflict((oc) =>
      oc
        .column('org_id')
        .doUpdateSet({ default_role: settings.defaultRole, mode: settings.mode, updated_at: at }),
    )
    .execute();
}

function toRule(r: RoleRulesTable): RoleRuleRecord {
  return {
    id: r.id,
    orgId: r.org_id,
    match: r.match as RuleMatch,
    value: r.value,
    role: r.role,
    createdAt: r.created_at,
  };
}

export async function listRules(db: Kysely<DB>, orgId: string): Promise<RoleRuleRecord[]> {
  const rows = await db
    .selectFrom('role_rules')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toRule);
}

/** The org's number of role rules as its row says (migration 0150); 0 for no such org. */
export async function roleRuleCount(db: Kysely<DB>, orgId: string): Promise<number> {
  const row = await db.selectFrom('orgs').select('role_rules').where('id', '=', orgId).executeTakeFirst();
  return Number(row?.role_rules ?? 0);
}

/**
 * Moves the org's count of role rules by `delta` (0: only locks the org's row), in the
 * transaction of a rule or settings change and before it reads any group or membership. The
 * row lock it takes orders it after the writes that read that row under a share lock
 * (store/resources.ts lockGroupWithRoleRules, resource-writes.ts): they commit first and are
 * seen, or wait for this change and see it.
 */
export async function moveRuleCount(db: Kysely<DB>, orgId: string, delta: -1 | 0 | 1): Promise<void> {
  await db
    .updateTable('orgs')
    .set((eb) => ({ role_rules: eb('role_rules', '+', delta) }))
    .where('id', '=', orgId)
    .execute();
}

export async function countRules(db: Kysely<DB>, orgId: string): Promise<number> {
  const row = await db
    .selectFrom('role_rules')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Inserts a rule; undefined when the same (match, value, role) is already there. */
export async function insertRule(db: Kysely<DB>, rule: RoleRuleRecord): Promise<RoleRuleRecord | undefined> {
  const row = await db
    .insertInto('role_rules')
    .values({
      id: rule.id,
      org_id: rule.orgId,
      match: rule.match,
      value: rule.value,
      role: rule.role,
      created_at: rule.createdAt,
    })
    .onConflict((oc) => oc.columns(['org_id', 'match', 'value', 'role']).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row && toRule(row);
}

export async function deleteRule(
  db: Kysely<DB>,
  orgId: string,
  id: string,
): Promise<RoleRuleRecord | undefined> {
  const row = await db
    .deleteFrom('role_rules')
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return row && toRule(row);
}

/** One rule of the org, or undefined. */
export async function findRule(
  db: Kysely<DB>,
  orgId: string,
  id: string,
): Promise<RoleRuleRecord | undefined> {
  const row = await db
    .selectFrom('role_rules')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toRule(row);
}

/** Whether another rule of the org than `exceptId` is (match, value, role). */
export async function sameRuleExists(
  db: Kysely<DB>,
  rule: Pick<RoleRuleRecord, 'orgId' | 'match' | 'value' | 'role'>,
  exceptId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('role_rules')
    .select('id')
    .where('org_id', '=', rule.orgId)
    .where('match', '=', rule.match)
    .where('value', '=', rule.value)
    .where('role', '=', rule.role)
    .where('id', '<>', exceptId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Rewrites a rule's match, value and role in place (its id and creation time stay). */
export async function updateRule(
  db: Kysely<DB>,
  rule: Pick<RoleRuleRecord, 'id' | 'orgId' | 'match' | 'value' | 'role'>,
): Promise<RoleRuleRecord | undefined> {
  const row = await db
    .updateTable('role_rules')
    .set({ match: rule.match, value: rule.value, role: rule.role })
    .where('org_id', '=', rule.orgId)
    .where('id', '=', rule.id)
    .returningAll()
    .executeTakeFirst();
  return row && toRule(row);
}

/** Whether the org has a live group matching (match, value) now. */
export async function groupMatches(db: Kysely<DB>, orgId: string, match: RuleMatch, value: string) {
  const column = match === 'id' ? 'id' : match === 'externalId' ? 'external_id' : 'display_name';
  const row = await db
    .selectFrom('resources')
    .select('pk')
    .where('org_id', '=', orgId)
    .where('type', '=', 'Group')
    .where(column, '=', value)
    .where('deleted_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Whether any rule of the org matches the group or a group above it (through nested groups):
 * only then can a change of its members move anyone's roles.
 */
export async function rulesReachGroup(db: Kysely<DB>, orgId: string, groupPk: number): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`
    with recursive up(g) as (
      select cast(${groupPk} as ${pkType(db)})
      union
      select m.group_pk from memberships as m join up on m.member_pk = up.g
    )
    select count(*) as n from (
      select 1 from up join resources as g on g.pk = up.g
      join role_rules as r on r.org_id = ${orgId} and (${RULE_MATCHES_GROUP})
      limit 1) as x`.execute(db);
  return Number(rows[0]?.n ?? 0) > 0;
}

/** Whether any rule of the org names this externalId or displayName (a group's old or new one). */
export async function rulesNameValues(
  db: Kysely<DB>,
  orgId: string,
  values: { externalId: (string | null)[]; displayName: (string | null)[] },
): Promise<boolean> {
  const ext = values.externalId.filter((v): v is string => v !== null);
  const names = values.displayName.filter((v): v is string => v !== null);
  if (ext.length === 0 && names.length === 0) return false;
  const row = await db
    .selectFrom('role_rules')
    .select('id')
    .where('org_id', '=', orgId)
    .where((eb) =>
      eb.or([
        ...(ext.length > 0 ? [eb.and([eb('match', '=', 'externalId'), eb('value', 'in', ext)])] : []),
        ...(names.length > 0 ? [eb.and([eb('match', '=', 'displayName'), eb('value', 'in', names)])] : []),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Marks the live users at or below `roots` (resource pks: users, or groups whose members,
 * nested ones included, are walked) for the recompute under `nonce`. One INSERT … SELECT.
 */
async function markBelow(db: Kysely<DB>, nonce: string, roots: RawBuilder<unknown>): Promise<void> {
  const dialect = dialectOf(db);
  // Each step down and each user's row by index, whatever the walk is estimated at: on
  // PostgreSQL a LATERAL lookup (filter-relations.ts), where a plain join hashed every resource
  // of the database to mark one user (30 ms per member add at 100,000 users); on SQLite the
  // walk kept outside by CROSS JOIN, where it scanned the live index.
  const user =
    dialect === 'postgres'
      ? sql`cross join lateral (select x.pk from resources as x
          where x.pk = d.pk and x.type = 'User' and x.deleted_at is null offset 0) as x`
      : sql`cross join resources as x on x.pk = d.pk and x.type = 'User' and x.deleted_at is null`;
  await sql`
    insert into role_work (nonce, user_pk, roles)
    with recursive down(pk) as (
      ${roots}
      union
      select down_m.pk from down as d ${membersOfGroup(dialect, sql.ref('d.pk'))}
    )
    select ${nonce}, x.pk, null from down as d ${user}
    where true
    on conflict (nonce, user_pk) do nothing`.execute(db);
}

/** Marks the users at or below these resources (members added to or removed from a group). */
export function markUsersBelow(db: Kysely<DB>, nonce: string, pks: readonly number[]): Promise<void> {
  if (pks.length === 0) return Promise.resolve();
  const list = sql.join(pks.map((pk) => sql`${pk}`));
  return markBelow(db, nonce, sql`select pk from resources where pk in (${list})`);
}

/** Marks the users below a group (it is about to be deleted, or its name or externalId moved). */
export function markUsersBelowGroup(db: Kysely<DB>, nonce: string, groupPk: number): Promise<void> {
  return markBelow(db, nonce, sql`select cast(${groupPk} as ${pkType(db)}) as pk`);
}

/** Marks the users below every live group of the org that a rule (match, value) names. */
export function markUsersBelowMatching(
  db: Kysely<DB>,
  nonce: string,
  orgId: string,
  match: RuleMatch,
  value: string,
): Promise<void> {
  const column = sql.ref(match === 'id' ? 'id' : match === 'externalId' ? 'external_id' : 'display_name');
  return markBelow(
    db,
    nonce,
    sql`select pk from resources where org_id = ${orgId} and type = 'Group' and ${column} = ${value}
      and deleted_at is null`,
  );
}

/** Marks every user of the org that a rule gives a role (a change of mode). */
export async function markUsersWithRoles(db: Kysely<DB>, nonce: string, orgId: string): Promise<void> {
  await sql`
    insert into role_work (nonce, user_pk, roles)
    select ${nonce}, user_pk, null from user_roles where org_id = ${orgId}
    on conflict (nonce, user_pk) do nothing`.execute(db);
}

/** Whether anything is marked under `nonce`. */
export async function anyMarked(db: Kysely<DB>, nonce: string): Promise<boolean> {
  const row = await db
    .selectFrom('role_work')
    .select('user_pk')
    .where('nonce', '=', nonce)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** A comma list of role keys (or '') as a JSON array, in SQL. */
function jsonArray(list: RawBuilder<unknown>) {
  return sql`case when ${list} = '' then '[]' else '["' || replace(${list}, ',', '","') || '"]' end`;
}

/**
 * The recompute of every user marked under `input.nonce` (see the module comment): their roles
 * from their effective groups (direct and nested, as store/memberships.ts groupsOf walks them)
 * and the org's rules, one `user.roles_changed` event per user whose roles (the default
 * applied) changed, `user_roles` brought up to date, the scratch rows cleared. Returns how many
 * users' roles changed.
 *
 * Roles come from groups, and an org has far fewer groups than users: first the roles each
 * group gives (the rules matching it or a group above it, over the org's groups alone), then
 * each marked user's from its direct groups, by the memberships' member index, in a subquery of
 * that user alone. Every later statement joins the marked rows to one row by primary key. So
 * the work is linear in the marked users whatever the planner believes of the tables, as it
 * must be: `role_work` is scratch, empty between transactions, and once analysed (autovacuum,
 * an ANALYZE after an import) it is estimated empty however many rows a recompute put there.
 * The set-wise form this replaces walked every user's ancestry and joined the marked users to
 * the aggregate; with that estimate the join became a nested loop that aggregated everything
 * again for each user, and a rule on a 100,000-member group did not finish in 5 minutes on
 * PostgreSQL.
 */
export async function recomputeMarked(db: Kysely<DB>, input: RecomputeInput): Promise<number> {
  const dialect = dialectOf(db);
  const { nonce, orgId } = input;
  const defs = sql.join(
    input.roles.map((r) => sql`(cast(${r.key} as text), cast(${r.priority} as integer))`),
  );
  const direct = sql`from memberships as m join conf as c on c.g = m.group_pk where m.member_pk = role_work.user_pk`;
  // Highest priority wins (ties by key), or every matched role, highest first.
  const roles =
    input.settings.mode === 'all'
      ? sql`select string_agg(role, ',' order by prio desc, role) from (select distinct c.role, c.prio ${direct}) as x`
      : sql`select c.role ${direct} order by c.prio desc, c.role limit 1`;
  // Each step up and each group's row by index (filter-relations.ts: LATERAL on PostgreSQL).
  await sql`
    with recursive
      above(g, a) as (
        select pk, pk from resources where org_id = ${orgId} and type = 'Group' and deleted_at is null
        union
        select x.g, up.grp from above as x ${groupsOfGroup(dialect, sql.ref('x.a'))}
      ),
      defs(role, prio) as (values ${defs}),
      conf(g, role, prio) as materialized (
        select distinct x.g, r.role, d.prio
        from above as x ${
          // SQLite: CROSS JOIN keeps the walk outside, so each group is read by primary key (as
          // a plain join it scanned every resource of the database for the org's few groups).
          dialect === 'postgres'
            ? liveGroup(dialect, sql.ref('x.a'))
            : sql`cross join resources as g on g.pk = x.a and g.deleted_at is null`
        }
        join role_rules as r on r.org_id = ${orgId} and (${RULE_MATCHES_GROUP})
        join defs as d on d.role = r.role
      )
    update role_work set roles = (${roles})
    where nonce = ${nonce}`.execute(db);
  // From here each marked row meets the other tables through a subquery of its own key (and,
  // for the writes, a unique index), never through a join: with `role_work` or `user_roles`
  // estimated empty, the planner joined them by a nested loop over a whole index of the other.
  const fallback = input.settings.defaultRole ?? '';
  const result = await sql`
    insert into events (org_id, type, at, resource_type, resource_id, data)
    select ${orgId}, 'user.roles_changed', ${input.at}, 'User', c.id,
      '{"user":{"id":"' || c.id || '"},"before":' || ${jsonArray(sql.ref('c.before'))} || ',"after":' || ${jsonArray(sql.ref('c.after'))} || '}'
    from (
      select w.user_pk,
        (select x.id from resources as x where x.pk = w.user_pk) as id,
        coalesce((select ur.roles from user_roles as ur where ur.user_pk = w.user_pk), ${fallback}) as before,
        coalesce(w.roles, ${fallback}) as after
      from role_work as w where w.nonce = ${nonce}
    ) as c
    where c.before <> c.after
    order by c.user_pk`.execute(db);
  // Marked users that rules now give nothing lose their row (the default applies to them).
  const gone = sql`select user_pk from role_work where nonce = ${nonce} and roles is null`;
  await (dialect === 'postgres'
    ? sql`delete from user_roles where user_pk = any(array(${gone}))`
    : sql`delete from user_roles where user_pk in (${gone})`
  ).execute(db);
  await sql`
    insert into user_roles (user_pk, org_id, roles)
    select w.user_pk, ${orgId}, w.roles from role_work as w
    where w.nonce = ${nonce} and w.roles is not null
    on conflict (user_pk) do update set roles = excluded.roles where user_roles.roles <> excluded.roles`.execute(
    db,
  );
  await db.deleteFrom('role_work').where('nonce', '=', nonce).execute();
  return Number(result.numAffectedRows ?? 0);
}

/**
 * A change of the org's default role: one `user.roles_changed` event for every live user that
 * no rule gives a role (they have no `user_roles` row, so the default is theirs). One
 * INSERT … SELECT.
 */
export async function defaultChangedEvents(
  db: Kysely<DB>,
  orgId: string,
  at: string,
  before: string | null,
  after: string | null,
): Promise<number> {
  if ((before ?? '') === (after ?? '')) return 0;
  const b = sql`${before ?? ''}`;
  const a = sql`${after ?? ''}`;
  const result = await sql`
    insert into events (org_id, type, at, resource_type, resource_id, data)
    select ${orgId}, 'user.roles_changed', ${at}, 'User', x.id,
      '{"user":{"id":"' || x.id || '"},"before":' || ${jsonArray(b)} || ',"after":' || ${jsonArray(a)} || '}'
    from resources as x
    where x.org_id = ${orgId} and x.type = 'User' and x.deleted_at is null
      and not exists (select 1 from user_roles as ur where ur.user_pk = x.pk)
    order by x.pk`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** The roles rules give these live users (id → keys, highest priority first); absent: none. */
export async function storedRolesByIds(
  db: Kysely<DB>,
  orgId: string,
  ids: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const part of chunks(ids, 1000)) {
    const rows = await db
      .selectFrom('resources as x')
      .innerJoin('user_roles as ur', 'ur.user_pk', 'x.pk')
      .select(['x.id', 'ur.roles'])
      .where('x.org_id', '=', orgId)
      .where('x.type', '=', 'User')
      .where('x.id', 'in', part)
      .where('x.deleted_at', 'is', null)
      .execute();
    for (const r of rows) out.set(r.id, r.roles.split(','));
  }
  return out;
}

/** A deleted user's roles row goes with it. */
export async function deleteUserRoles(db: Kysely<DB>, userPk: number): Promise<void> {
  await db.deleteFrom('user_roles').where('user_pk', '=', userPk).execute();
}

/** A user by id for the access check, deleted or not: its row key, `active`, whether deleted. */
export async function readUserState(
  db: Kysely<DB>,
  orgId: string,
  id: string,
): Promise<{ pk: number; active: boolean; deleted: boolean; roles: string | null } | undefined> {
  const row = await db
    .selectFrom('resources as x')
    .leftJoin('user_roles as ur', 'ur.user_pk', 'x.pk')
    .select(['x.pk', 'x.active', 'x.deleted_at', 'ur.roles'])
    .where('x.org_id', '=', orgId)
    .where('x.type', '=', 'User')
    .where('x.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    pk: Number(row.pk),
    active: row.active === null || Number(row.active) !== 0,
    deleted: row.deleted_at !== null,
    roles: row.roles ?? null,
  };
}
