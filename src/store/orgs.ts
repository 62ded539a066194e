/** Organizations: the tenants. Each owns one directory and its tokens. */
import type { Kysely, Selectable } from 'kysely';
import { withConflictMapping } from './errors.ts';
import type { DB, OrgsTable } from './schema.ts';

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
): Promise<OrgRecord[]> {
  let query = db.selectFrom('orgs').selectAll().orderBy('id').limit(limit);
  if (after !== null) query = query.where('id', '>', after);
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
