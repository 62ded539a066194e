/**
 * SSO connections and email domains (migration 0160; src/directory/sso-connections.ts and
 * sign-ins.ts).
 */
import type { Kysely } from 'kysely';
import type { DB, SsoConnectionsTable, SsoDomainsTable } from './schema.ts';

export interface SsoConnectionRecord {
  id: string;
  orgId: string;
  protocol: string;
  name: string;
  preset: string;
  enabled: boolean;
  /** JSON text. */
  settings: string;
  /** Sealed JSON text, or null. */
  secrets: string | null;
  createdAt: string;
  updatedAt: string;
}

function toConnection(r: SsoConnectionsTable): SsoConnectionRecord {
  return {
    id: r.id,
    orgId: r.org_id,
    protocol: r.protocol,
    name: r.name,
    preset: r.preset,
    enabled: Number(r.enabled) === 1,
    settings: r.settings,
    secrets: r.secrets,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function getSsoConnection(
  db: Kysely<DB>,
  orgId: string,
  id: string,
): Promise<SsoConnectionRecord | undefined> {
  const row = await db
    .selectFrom('sso_connections')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toConnection(row);
}

/** The org's connections, oldest first. */
export async function listSsoConnections(db: Kysely<DB>, orgId: string): Promise<SsoConnectionRecord[]> {
  const rows = await db
    .selectFrom('sso_connections')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toConnection);
}

export async function insertSsoConnection(db: Kysely<DB>, c: SsoConnectionRecord): Promise<void> {
  await db
    .insertInto('sso_connections')
    .values({
      id: c.id,
      org_id: c.orgId,
      protocol: c.protocol,
      name: c.name,
      preset: c.preset,
      enabled: c.enabled ? 1 : 0,
      settings: c.settings,
      secrets: c.secrets,
      created_at: c.createdAt,
      updated_at: c.updatedAt,
    })
    .execute();
}

export interface SsoDomainRecord {
  domain: string;
  orgId: string;
  connectionId: string | null;
  verifyToken: string;
  verifiedAt: string | null;
  createdAt: string;
}

function toDomain(r: SsoDomainsTable): SsoDomainRecord {
  return {
    domain: r.domain,
    orgId: r.org_id,
    connectionId: r.connection_id,
    verifyToken: r.verify_token,
    verifiedAt: r.verified_at,
    createdAt: r.created_at,
  };
}

/** The domain's row, whichever org has it (home-realm discovery). */
export async function findSsoDomain(db: Kysely<DB>, domain: string): Promise<SsoDomainRecord | undefined> {
  const row = await db.selectFrom('sso_domains').selectAll().where('domain', '=', domain).executeTakeFirst();
  return row && toDomain(row);
}

export async function listSsoDomains(db: Kysely<DB>, orgId: string): Promise<SsoDomainRecord[]> {
  const rows = await db
    .selectFrom('sso_domains')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('domain')
    .execute();
  return rows.map(toDomain);
}

/** Adds the domain to the org; false when some org (this one or another) has it already. */
export async function insertSsoDomain(db: Kysely<DB>, d: SsoDomainRecord): Promise<boolean> {
  const r = await db
    .insertInto('sso_domains')
    .values({
      domain: d.domain,
      org_id: d.orgId,
      connection_id: d.connectionId,
      verify_token: d.verifyToken,
      verified_at: d.verifiedAt,
      created_at: d.createdAt,
    })
    .onConflict((oc) => oc.column('domain').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function updateSsoConnection(
  db: Kysely<DB>,
  c: Pick<SsoConnectionRecord, 'id' | 'orgId' | 'name' | 'enabled' | 'settings' | 'secrets' | 'updatedAt'>,
): Promise<boolean> {
  const r = await db
    .updateTable('sso_connections')
    .set({
      name: c.name,
      enabled: c.enabled ? 1 : 0,
      settings: c.settings,
      secrets: c.secrets,
      updated_at: c.updatedAt,
    })
    .where('org_id', '=', c.orgId)
    .where('id', '=', c.id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Deletes the connection and unpins the org's domains that named it. */
export async function deleteSsoConnection(db: Kysely<DB>, orgId: string, id: string): Promise<boolean> {
  await db
    .updateTable('sso_domains')
    .set({ connection_id: null })
    .where('org_id', '=', orgId)
    .where('connection_id', '=', id)
    .execute();
  const r = await db
    .deleteFrom('sso_connections')
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function deleteSsoDomain(db: Kysely<DB>, orgId: string, domain: string): Promise<boolean> {
  const r = await db
    .deleteFrom('sso_domains')
    .where('org_id', '=', orgId)
    .where('domain', '=', domain)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function setSsoDomainVerified(
  db: Kysely<DB>,
  orgId: string,
  domain: string,
  at: string,
): Promise<void> {
  await db
    .updateTable('sso_domains')
    .set({ verified_at: at })
    .where('org_id', '=', orgId)
    .where('domain', '=', domain)
    .execute();
}

/** Any org's connection by its id (ids are random and unique across orgs): for public SP metadata. */
export async function findSsoConnectionById(
  db: Kysely<DB>,
  id: string,
): Promise<SsoConnectionRecord | undefined> {
  const row = await db.selectFrom('sso_connections').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toConnection(row);
}

/**
 * Records a SAML assertion id as used until `expiresAt`; false when it is already recorded (a
 * replay). The primary key makes this hold across instances. Expired ids are pruned first.
 */
export async function recordAssertionId(
  db: Kysely<DB>,
  a: { orgId: string; connectionId: string; assertionId: string; expiresAt: string; now: string },
): Promise<boolean> {
  await db.deleteFrom('saml_assertion_ids').where('expires_at', '<', a.now).execute();
  const r = await db
    .insertInto('saml_assertion_ids')
    .values({
      connection_id: a.connectionId,
      assertion_id: a.assertionId,
      org_id: a.orgId,
      expires_at: a.expiresAt,
    })
    .onConflict((oc) => oc.columns(['connection_id', 'assertion_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}
