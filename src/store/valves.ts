/**
 * Safety valves' storage (migration 0100): an org's valve row (settings and its
 * deprovisioning window) and its held changes. The rules live in src/directory/valves.ts.
 */
import { CompiledQuery, type Kysely, type Selectable } from 'kysely';
import { dialectOf } from './db.ts';
import { nameStatement } from './pg-statements.ts';
import type { DB, HeldChangesTable, OrgValvesTable } from './schema.ts';

export type ValveRow = Selectable<OrgValvesTable>;

/** The settings columns of org_valves, as the directory sets them (undefined: leave as is). */
export interface ValveSettingsRow {
  enabled?: number | null;
  percent?: number | null;
  min_users?: number | null;
  window_seconds?: number | null;
  seat_cap?: number | null;
  contact?: string | null;
}

/** The window columns of org_valves. */
export interface ValveWindowRow {
  window_start: string | null;
  window_base: number;
  window_count: number;
  episode_at: string | null;
}

function numbers(row: ValveRow): ValveRow {
  return {
    ...row,
    window_base: Number(row.window_base),
    window_count: Number(row.window_count),
  };
}

/** The org's valve row, without a lock; undefined when it has none yet. */
export async function readValveRow(db: Kysely<DB>, orgId: string): Promise<ValveRow | undefined> {
  const row = await db.selectFrom('org_valves').selectAll().where('org_id', '=', orgId).executeTakeFirst();
  return row && numbers(row);
}

/**
 * The org's valve row, created when missing, and locked until the caller's transaction ends
 * (an upsert takes the row lock on PostgreSQL; SQLite serialises writers): every decision made
 * on it (a count, a hold, a seat) is made by one transaction at a time, on every instance.
 */
export async function lockValveRow(tx: Kysely<DB>, orgId: string): Promise<ValveRow> {
  const row = await tx
    .insertInto('org_valves')
    .values({ org_id: orgId })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ org_id: (eb) => eb.ref('excluded.org_id') }))
    .returningAll()
    .executeTakeFirstOrThrow();
  return numbers(row);
}

export async function saveValveWindow(tx: Kysely<DB>, orgId: string, window: ValveWindowRow): Promise<void> {
  await tx.updateTable('org_valves').set(window).where('org_id', '=', orgId).execute();
}

/** Sets the given settings (creating the row), answering the row as it then stands. */
export async function updateValveSettings(
  tx: Kysely<DB>,
  orgId: string,
  settings: ValveSettingsRow,
): Promise<ValveRow> {
  await lockValveRow(tx, orgId);
  const set = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  if (Object.keys(set).length > 0) {
    await tx.updateTable('org_valves').set(set).where('org_id', '=', orgId).execute();
  }
  const row = await readValveRow(tx, orgId);
  if (!row) throw new Error(`org_valves row of ${orgId} vanished inside its transaction`);
  return row;
}

/**
 * Whether the org has a seat cap: the guard of a create's single statement reads the same
 * (resource-writes.ts), so that only orgs with a cap pay for the locked path.
 */
export async function hasSeatCap(db: Kysely<DB>, orgId: string): Promise<boolean> {
  const row = await db
    .selectFrom('org_valves')
    .select('seat_cap')
    .where('org_id', '=', orgId)
    .where('seat_cap', 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** The org's active users: live Users whose `active` is not false (absent counts as active). */
export async function countActiveUsers(db: Kysely<DB>, orgId: string): Promise<number> {
  const row = await db
    .selectFrom('resources')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('type', '=', 'User')
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('active', 'is', null), eb('active', '<>', 0)]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export type HeldRow = Selectable<HeldChangesTable>;

function heldNumbers(row: HeldRow): HeldRow {
  return { ...row, id: Number(row.id), user_pk: Number(row.user_pk) };
}

const VALVE_ROW_WITH_HELD = `with v as (
  insert into org_valves (org_id) values ($1) on conflict (org_id) do update set org_id = excluded.org_id
  returning *
)
select v.*, (select row_to_json(h) from held_changes as h where h.org_id = $1 and h.user_pk = $2) as held
from v`;
nameStatement(VALVE_ROW_WITH_HELD);

/**
 * lockValveRow and findHeldForUser in one statement on PostgreSQL (one round trip of a
 * DELETE or deactivation the valves judge, directory/valves.ts admit). The held change is read
 * in the statement's snapshot, taken before the valve row's lock is granted: the caller holds
 * the user's row lock already, and every write of a user's held change but a discard takes
 * that lock first, so none can come in between.
 */
export async function lockValveRowWithHeld(
  tx: Kysely<DB>,
  orgId: string,
  userPk: number,
): Promise<{ row: ValveRow; held: HeldRow | undefined }> {
  if (dialectOf(tx) !== 'postgres') {
    const row = await lockValveRow(tx, orgId);
    return { row, held: await findHeldForUser(tx, orgId, userPk) };
  }
  const { rows } = await tx.executeQuery<ValveRow & { held: HeldRow | null }>(
    CompiledQuery.raw(VALVE_ROW_WITH_HELD, [orgId, userPk]),
  );
  const [found] = rows;
  if (!found) throw new Error(`org_valves row of ${orgId}: the upsert answered nothing`);
  const { held, ...row } = found;
  return { row: numbers(row), held: held ? heldNumbers(held) : undefined };
}

export async function findHeldForUser(
  tx: Kysely<DB>,
  orgId: string,
  userPk: number,
): Promise<HeldRow | undefined> {
  const row = await tx
    .selectFrom('held_changes')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_pk', '=', userPk)
    .executeTakeFirst();
  return row && heldNumbers(row);
}

export async function insertHeld(tx: Kysely<DB>, row: Omit<HeldRow, 'id'>): Promise<HeldRow> {
  const inserted = await tx.insertInto('held_changes').values(row).returningAll().executeTakeFirstOrThrow();
  return heldNumbers(inserted);
}

/** A held deactivation becomes a held delete (the IdP deleted the user it had deactivated). */
export async function upgradeHeld(tx: Kysely<DB>, id: number, operation: string): Promise<void> {
  await tx.updateTable('held_changes').set({ kind: 'delete', operation }).where('id', '=', id).execute();
}

/** Deletes held changes by id (those of this org only); answers the rows deleted. */
export async function deleteHeld(tx: Kysely<DB>, orgId: string, ids: readonly number[]): Promise<HeldRow[]> {
  if (ids.length === 0) return [];
  const rows = await tx
    .deleteFrom('held_changes')
    .where('org_id', '=', orgId)
    .where('id', 'in', [...ids])
    .returningAll()
    .execute();
  return rows.map(heldNumbers);
}

/** Whether the user has a held deactivation (what deleteHeldDeactivation would take out). */
export async function hasHeldDeactivation(tx: Kysely<DB>, orgId: string, userPk: number): Promise<boolean> {
  const row = await tx
    .selectFrom('held_changes')
    .select('id')
    .where('org_id', '=', orgId)
    .where('user_pk', '=', userPk)
    .where('kind', '=', 'deactivate')
    .executeTakeFirst();
  return row !== undefined;
}

/** Deletes the user's held deactivation, if any (the IdP reactivated it); answers it. */
export async function deleteHeldDeactivation(
  tx: Kysely<DB>,
  orgId: string,
  userPk: number,
): Promise<HeldRow | undefined> {
  const row = await tx
    .deleteFrom('held_changes')
    .where('org_id', '=', orgId)
    .where('user_pk', '=', userPk)
    .where('kind', '=', 'deactivate')
    .returningAll()
    .executeTakeFirst();
  return row && heldNumbers(row);
}

/** Up to `limit` held changes of the org after id `after`, oldest first. */
export async function listHeld(
  db: Kysely<DB>,
  orgId: string,
  after: number | null,
  limit: number,
): Promise<HeldRow[]> {
  let query = db
    .selectFrom('held_changes')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('id')
    .limit(limit);
  if (after !== null) query = query.where('id', '>', after);
  return (await query.execute()).map(heldNumbers);
}

/** The held change with this id in this org, locked for the caller's transaction. */
export async function lockHeld(tx: Kysely<DB>, orgId: string, id: number): Promise<HeldRow | undefined> {
  const query = tx.selectFrom('held_changes').selectAll().where('org_id', '=', orgId).where('id', '=', id);
  const row = await (dialectOf(tx) === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  return row && heldNumbers(row);
}

export async function countHeld(db: Kysely<DB>, orgId: string): Promise<number> {
  const row = await db
    .selectFrom('held_changes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
