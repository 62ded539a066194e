/**
 * API tokens (ARCHITECTURE.md "Tenancy and secrets"): stored as a hash, several alive at
 * once, last use recorded, revocable at once.
 */
import type { Kysely } from 'kysely';
import { withConflictMapping } from './errors.ts';
import { preparedQuery } from './prepared.ts';
import type { DB, TokensTable } from './schema.ts';

export interface TokenRecord {
  id: string;
  orgId: string;
  name: string;
  prefix: string;
  /** Hex SHA-256 of the token. */
  hash: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** After this ISO-8601 time the token no longer authenticates; null: never. */
  expiresAt: string | null;
}

export type NewToken = Pick<TokenRecord, 'id' | 'orgId' | 'name' | 'prefix' | 'hash' | 'createdAt'> & {
  expiresAt?: string | null;
};

function toRecord(row: Omit<TokensTable, 'expires_at'> & { expires_at: string | null }): TokenRecord {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    prefix: row.prefix,
    hash: row.hash,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    expiresAt: row.expires_at,
  };
}

/** Inserts a token; a duplicate hash or id raises StoreConflict. */
export async function insertToken(db: Kysely<DB>, token: NewToken): Promise<TokenRecord> {
  const row = await withConflictMapping(() =>
    db
      .insertInto('tokens')
      .values({
        id: token.id,
        org_id: token.orgId,
        name: token.name,
        prefix: token.prefix,
        hash: token.hash,
        created_at: token.createdAt,
        last_used_at: null,
        revoked_at: null,
        expires_at: token.expiresAt ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toRecord(row);
}

/** The token with this hash, revoked or not (the caller decides; it also needs org_id). */
export async function findTokenByHash(db: Kysely<DB>, hash: string): Promise<TokenRecord | undefined> {
  const row = await db.selectFrom('tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
  return row && toRecord(row);
}

/**
 * The token with this hash and its org's IdP profile, in one round trip: this runs on every
 * SCIM request (authentication), so the profile comes with the token, not in a second query.
 */
/** Runs on every request: compiled once (prepared.ts). */
const tokenWithOrgProfile = preparedQuery((db: Kysely<DB>, hash: string) =>
  db
    .selectFrom('tokens')
    .innerJoin('orgs', 'orgs.id', 'tokens.org_id')
    // Columns named, not tokens.*: a column added by a later migration leaves the statement's
    // PostgreSQL plan valid (pg-statements.ts).
    .select([
      'tokens.id',
      'tokens.org_id',
      'tokens.name',
      'tokens.prefix',
      'tokens.hash',
      'tokens.created_at',
      'tokens.last_used_at',
      'tokens.revoked_at',
      'tokens.expires_at',
    ])
    .select(['orgs.idp_profile', 'orgs.schema_version', 'orgs.role_rules'])
    .where('tokens.hash', '=', hash),
);

/**
 * A token with its org's IdP profile, custom-schema version (directory/properties.ts) and
 * number of role rules (directory/roles.ts): what authentication checks and hands on.
 */
export type TokenWithProfile = TokenRecord & { idpProfile: string; schemaVersion: number; roleRules: number };

export async function findTokenWithOrgProfile(
  db: Kysely<DB>,
  hash: string,
): Promise<TokenWithProfile | undefined> {
  const [row] = await tokenWithOrgProfile(db, hash);
  if (!row) return undefined;
  const { idp_profile, schema_version, role_rules, ...token } = row;
  return {
    ...toRecord(token),
    idpProfile: idp_profile,
    schemaVersion: Number(schema_version),
    roleRules: Number(role_rules),
  };
}

/**
 * The columns authentication reads, aliased `tk_*`, for a statement that reads a token beside
 * something else (store/resources.ts `readResourceWithToken`): `tk` is tokens, `o` its org.
 */
export const TOKEN_CHECK_COLUMNS = [
  'tk.id as tk_id',
  'tk.org_id as tk_org_id',
  'tk.name as tk_name',
  'tk.prefix as tk_prefix',
  'tk.hash as tk_hash',
  'tk.created_at as tk_created_at',
  'tk.last_used_at as tk_last_used_at',
  'tk.revoked_at as tk_revoked_at',
  'tk.expires_at as tk_expires_at',
  'o.idp_profile as tk_idp_profile',
  'o.schema_version as tk_schema_version',
  'o.role_rules as tk_role_rules',
] as const;

/** The token in a row read with TOKEN_CHECK_COLUMNS. */
export function tokenOfCheckRow(row: Record<string, unknown>): TokenWithProfile {
  return {
    id: row.tk_id as string,
    orgId: row.tk_org_id as string,
    name: row.tk_name as string,
    prefix: row.tk_prefix as string,
    hash: row.tk_hash as string,
    createdAt: row.tk_created_at as string,
    lastUsedAt: row.tk_last_used_at as string | null,
    revokedAt: row.tk_revoked_at as string | null,
    expiresAt: row.tk_expires_at as string | null,
    idpProfile: row.tk_idp_profile as string,
    schemaVersion: Number(row.tk_schema_version),
    roleRules: Number(row.tk_role_rules),
  };
}

/** The org's tokens, revoked ones included, oldest first. */
export async function listTokens(db: Kysely<DB>, orgId: string): Promise<TokenRecord[]> {
  const rows = await db
    .selectFrom('tokens')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toRecord);
}

/**
 * Revokes the org's live token(s) named by id or prefix. Returns whether any was revoked;
 * another org's token is never touched.
 */
/** Revokes a live token of the org by id or prefix; whether one was. */
export async function revokeToken(
  db: Kysely<DB>,
  orgId: string,
  idOrPrefix: string,
  at: string = new Date().toISOString(),
): Promise<boolean> {
  return (await revokeTokenRecord(db, orgId, idOrPrefix, at)) !== undefined;
}

/** revokeToken, answering the token revoked (for its event). */
export async function revokeTokenRecord(
  db: Kysely<DB>,
  orgId: string,
  idOrPrefix: string,
  at: string,
): Promise<TokenRecord | undefined> {
  const row = await db
    .updateTable('tokens')
    .set({ revoked_at: at })
    .where('org_id', '=', orgId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('id', '=', idOrPrefix), eb('prefix', '=', idOrPrefix)]))
    .returningAll()
    .executeTakeFirst();
  return row && toRecord(row);
}

export async function touchToken(db: Kysely<DB>, id: string, at: string): Promise<void> {
  await db.updateTable('tokens').set({ last_used_at: at }).where('id', '=', id).execute();
}
