/**
 * An org's custom schema document (its SCIM extension schemas and property mappings, as JSON
 * the directory writes and reads: directory/properties.ts) and the version that moves with it.
 */
import type { Kysely } from 'kysely';
import { dialectOf } from './db.ts';
import type { DB } from './schema.ts';

export interface OrgSchemaRow {
  version: number;
  /** The JSON document; null when the org never declared anything. */
  json: string | null;
}

/** The org's custom schema and its version; undefined when there is no such org. */
export async function readOrgSchema(db: Kysely<DB>, orgId: string): Promise<OrgSchemaRow | undefined> {
  const row = await db
    .selectFrom('orgs')
    .select(['schema_version', 'custom_schema'])
    .where('id', '=', orgId)
    .executeTakeFirst();
  return row && { version: Number(row.schema_version), json: row.custom_schema };
}

/** The same, locking the org row until the transaction ends (PostgreSQL; SQLite serialises writers). */
export async function lockOrgSchema(db: Kysely<DB>, orgId: string): Promise<OrgSchemaRow | undefined> {
  const query = db.selectFrom('orgs').select(['schema_version', 'custom_schema']).where('id', '=', orgId);
  const row = await (dialectOf(db) === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  return row && { version: Number(row.schema_version), json: row.custom_schema };
}

/** Writes a new document and moves the version on by one; the new version. */
export async function writeOrgSchema(
  db: Kysely<DB>,
  orgId: string,
  json: string,
  previous: number,
): Promise<number> {
  await db
    .updateTable('orgs')
    .set({ custom_schema: json, schema_version: previous + 1 })
    .where('id', '=', orgId)
    .execute();
  return previous + 1;
}
