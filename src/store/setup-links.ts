/** Setup links (migration 0181): one org's, stored as a hash, expiring, revocable. */
import type { Kysely } from 'kysely';
import type { DB, SetupLinksTable } from './schema.ts';

export interface SetupLinkRecord {
  id: string;
  orgId: string;
  prefix: string;
  hash: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

function toRecord(row: SetupLinksTable): SetupLinkRecord {
  return {
    id: row.id,
    orgId: row.org_id,
    prefix: row.prefix,
    hash: row.hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export async function insertSetupLink(
  db: Kysely<DB>,
  link: Omit<SetupLinkRecord, 'revokedAt' | 'lastUsedAt'>,
): Promise<void> {
  await db
    .insertInto('setup_links')
    .values({
      id: link.id,
      org_id: link.orgId,
      prefix: link.prefix,
      hash: link.hash,
      created_at: link.createdAt,
      expires_at: link.expiresAt,
      revoked_at: null,
      last_used_at: null,
    })
    .execute();
}

export async function findSetupLinkByHash(
  db: Kysely<DB>,
  hash: string,
): Promise<SetupLinkRecord | undefined> {
  const row = await db.selectFrom('setup_links').selectAll().where('hash', '=', hash).executeTakeFirst();
  return row && toRecord(row);
}

/** The org's links, newest first. */
export async function listSetupLinks(db: Kysely<DB>, orgId: string): Promise<SetupLinkRecord[]> {
  const rows = await db
    .selectFrom('setup_links')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(100)
    .execute();
  return rows.map(toRecord);
}

/** Revokes the org's live link; whether there was one. */
export async function revokeSetupLink(
  db: Kysely<DB>,
  orgId: string,
  id: string,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable('setup_links')
    .set({ revoked_at: at })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function touchSetupLink(db: Kysely<DB>, id: string, at: string): Promise<void> {
  await db.updateTable('setup_links').set({ last_used_at: at }).where('id', '=', id).execute();
}

/** Keeps a setup page's sealed flash, bound to the link; drops the expired ones first. */
export async function insertSetupLinkFlash(
  db: Kysely<DB>,
  flash: { id: string; linkId: string; sealed: string; expiresAt: string },
  now: string,
): Promise<void> {
  await db.deleteFrom('setup_link_flashes').where('expires_at', '<=', now).execute();
  await db
    .insertInto('setup_link_flashes')
    .values({ id: flash.id, link_id: flash.linkId, sealed: flash.sealed, expires_at: flash.expiresAt })
    .execute();
}

/** Deletes the link's flash and returns it sealed, once; undefined when gone or expired. */
export async function takeSetupLinkFlash(
  db: Kysely<DB>,
  key: { id: string; linkId: string },
  at: string,
): Promise<string | undefined> {
  const row = await db
    .deleteFrom('setup_link_flashes')
    .where('id', '=', key.id)
    .where('link_id', '=', key.linkId)
    .returning(['sealed', 'expires_at'])
    .executeTakeFirst();
  return row && row.expires_at > at ? row.sealed : undefined;
}
