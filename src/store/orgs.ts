/** Organizations: the tenants. Each owns one directory and its tokens. */
import { type Kysely, type Selectable, sql } from 'kysely';
import { dialectOf } from './db.ts';
import { withConflictMapping } from './errors.ts';
import type { DB, OrgsTable } from './schema.ts';
import { lockEndpointsOfOrg } from './webhooks.ts';

export interface OrgRecord {
  id: string;
  name: string;
  createdAt: string;
  /** The org's IdP profile (src/scim/quirks.ts); the store does not check its value. */
  idpProfile: string;
}

function toRecord(row: Selectable<OrgsTable>): OrgRecord {
  return { id: row.id, name: row.name, createdAt: row.created_at, idpProfile: row.idp_profile };
}

/** Inserts an org (IdP profile 'generic' unless given); an existing id raises StoreConflict('id'). */
export async function insertOrg(
  db: Kysely<DB>,
  org: Omit<OrgRecord, 'idpProfile'> & { idpProfile?: string },
): Promise<OrgRecord> {
  const idpProfile = org.idpProfile ?? 'generic';
  await withConflictMapping(() =>
    db
      .insertInto('orgs')
      .values({ id: org.id, name: org.name, created_at: org.createdAt, idp_profile: idpProfile })
      .execute(),
  );
  return { ...org, idpProfile };
}

export async function getOrg(db: Kysely<DB>, id: string): Promise<OrgRecord | undefined> {
  const row = await db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRecord(row);
}

export async function listOrgs(db: Kysely<DB>): Promise<OrgRecord[]> {
  const rows = await db.selectFrom('orgs').selectAll().orderBy('id').execute();
  return rows.map(toRecord);
}

/** Up to `limit` orgs after the id `after`, by id (keyset paging). */
export async function listOrgsAfter(
  db: Kysely<DB>,
  after: string | null,
  limit: number,
  /** Only orgs whose id or name contains this, any case. */
  search?: string,
): Promise<OrgRecord[]> {
  let query = db.selectFrom('orgs').selectAll().orderBy('id').limit(limit);
  if (after !== null) query = query.where('id', '>', after);
  if (search) {
    const pattern = `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where(
      sql<boolean>`(lower(name) like ${pattern} escape '\\' or id like ${pattern} escape '\\')`,
    );
  }
  return (await query.execute()).map(toRecord);
}

/** Returns whether the org exists (and was renamed). */
export async function renameOrg(db: Kysely<DB>, id: string, name: string): Promise<boolean> {
  const result = await db.updateTable('orgs').set({ name }).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Returns whether the org exists (and now has this IdP profile). */
export async function setOrgIdpProfile(db: Kysely<DB>, id: string, profile: string): Promise<boolean> {
  const result = await db
    .updateTable('orgs')
    .set({ idp_profile: profile })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function countOrgs(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('orgs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many rows of each kind an org deletion removed. */
export interface DeletedOrgCounts {
  users: number;
  groups: number;
  tokens: number;
}

/**
 * Deletes an org and everything it owns, in the caller's transaction: index terms, memberships,
 * resources (with their tombstones), counters, tokens, audit trail, request log and rate-limit
 * counters, then the org row. Returns undefined when there is no such org. Tables added later
 * that are keyed by org must be added here too (test/http/api/org-deletion.test.ts checks that
 * no table keeps a row of a deleted org).
 */
export async function deleteOrgData(db: Kysely<DB>, orgId: string): Promise<DeletedOrgCounts | undefined> {
  // Lock the org row first: a concurrent write in the org waits for this one.
  const query = db.selectFrom('orgs').select('id').where('id', '=', orgId);
  const org = await (dialectOf(db) === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  if (!org) return undefined;
  const live = await db
    .selectFrom('resource_counts')
    .select(['type', 'n'])
    .where('org_id', '=', orgId)
    .execute();
  const count = (type: string) => Number(live.find((r) => r.type === type)?.n ?? 0);
  const tokens = await db
    .selectFrom('tokens')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  await db.deleteFrom('resource_terms').where('org_id', '=', orgId).execute();
  await db
    .deleteFrom('memberships')
    .where('group_pk', 'in', (eb) => eb.selectFrom('resources').select('pk').where('org_id', '=', orgId))
    .execute();
  // Roles (migration 0070): users' rows before the resources they name.
  for (const table of ['user_roles', 'role_rules', 'role_settings'] as const) {
    await db.deleteFrom(table).where('org_id', '=', orgId).execute();
  }
  await db.deleteFrom('resources').where('org_id', '=', orgId).execute();
  // The org's outbox and webhook work: its events, their deliveries and attempts, and the
  // endpoints that listened to this org only (an endpoint for every org has org_id null).
  // A planner may be turning the org's events into deliveries now: wait for it to commit, so
  // that its deliveries are seen and deleted below (and no later planner finds the events).
  await lockEndpointsOfOrg(db, orgId);
  await db
    .deleteFrom('webhook_attempts')
    .where('delivery_id', 'in', (eb) =>
      eb.selectFrom('webhook_deliveries').select('id').where('org_id', '=', orgId),
    )
    .execute();
  for (const table of [
    'webhook_deliveries',
    'webhook_endpoints',
    'events',
    'resource_counts',
    'tokens',
    'audit_events',
    'deprovisionings',
    'rate_limits',
    'request_log',
    'org_valves',
    'held_changes',
    'setup_links',
  ] as const) {
    await db.deleteFrom(table).where('org_id', '=', orgId).execute();
  }
  await db.deleteFrom('orgs').where('id', '=', orgId).execute();
  return { users: count('User'), groups: count('Group'), tokens: Number(tokens.n) };
}
