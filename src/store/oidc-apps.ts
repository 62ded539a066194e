/**
 * The host app's OIDC clients (migration 0170): deployment-wide, the secret stored as a hash,
 * redirect URIs as a JSON array.
 */
import type { Kysely } from 'kysely';
import type { DB, OidcAppsTable } from './schema.ts';

export interface OidcAppRecord {
  id: string;
  name: string;
  secretPrefix: string;
  /** Hex SHA-256 of the client secret. */
  secretHash: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  createdAt: string;
  updatedAt: string;
}

function toRecord(row: OidcAppsTable): OidcAppRecord {
  return {
    id: row.id,
    name: row.name,
    secretPrefix: row.secret_prefix,
    secretHash: row.secret_hash,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
    backchannelLogoutUri: row.backchannel_logout_uri,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRow(app: OidcAppRecord): OidcAppsTable {
  return {
    id: app.id,
    name: app.name,
    secret_prefix: app.secretPrefix,
    secret_hash: app.secretHash,
    redirect_uris: JSON.stringify(app.redirectUris),
    post_logout_redirect_uris: JSON.stringify(app.postLogoutRedirectUris),
    backchannel_logout_uri: app.backchannelLogoutUri,
    created_at: app.createdAt,
    updated_at: app.updatedAt,
  };
}

export async function insertOidcApp(db: Kysely<DB>, app: OidcAppRecord): Promise<void> {
  await db.insertInto('oidc_apps').values(toRow(app)).execute();
}

export async function findOidcApp(db: Kysely<DB>, id: string): Promise<OidcAppRecord | undefined> {
  const row = await db.selectFrom('oidc_apps').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRecord(row);
}

/** Every app, oldest first. */
export async function listOidcApps(db: Kysely<DB>): Promise<OidcAppRecord[]> {
  const rows = await db.selectFrom('oidc_apps').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(toRecord);
}

/** Writes every column of an existing app; returns whether it existed. */
export async function updateOidcApp(db: Kysely<DB>, app: OidcAppRecord): Promise<boolean> {
  const { id, created_at: _created, ...rest } = toRow(app);
  const result = await db.updateTable('oidc_apps').set(rest).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Deletes an app; returns whether it existed. */
export async function deleteOidcApp(db: Kysely<DB>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('oidc_apps').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
