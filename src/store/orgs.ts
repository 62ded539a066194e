/** Organizations: the tenants. Each owns one directory and its tokens. */
import type { Kysely } from 'kysely';
import { withConflictMapping } from './errors.ts';
import type { DB, OrgsTable } from './schema.ts';

export interface OrgRecord {
  id: string;
  name: string;
  createdAt: string;
}

function toRecord(row: OrgsTable): OrgRecord {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}

/** Inserts an org; an existing id raises StoreConflict('id'). */
export async function insertOrg(db: Kysely<DB>, org: OrgRecord): Promise<OrgRecord> {
  await withConflictMapping(() =>
    db.insertInto('orgs').values({ id: org.id, name: org.name, created_at: org.createdAt }).execute(),
  );
  return { ...org };
}

export async function getOrg(db: Kysely<DB>, id: string): Promise<OrgRecord | undefined> {
  const row = await db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRecord(row);
}

export async function listOrgs(db: Kysely<DB>): Promise<OrgRecord[]> {
  const rows = await db.selectFrom('orgs').selectAll().orderBy('id').execute();
  return rows.map(toRecord);
}

/** Returns whether the org exists (and was renamed). */
export async function renameOrg(db: Kysely<DB>, id: string, name: string): Promise<boolean> {
  const result = await db.updateTable('orgs').set({ name }).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function countOrgs(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('orgs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
