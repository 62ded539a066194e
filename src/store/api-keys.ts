/**
 * Management API keys (migration 0020): deployment-wide, stored as a hash, several alive at
 * once, last use recorded, revocable at once.
 */
import type { Kysely } from 'kysely';
import { withConflictMapping } from './errors.ts';
import { preparedQuery } from './prepared.ts';
import type { ApiKeysTable, DB } from './schema.ts';

export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  /** Hex SHA-256 of the key. */
  hash: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export type NewApiKey = Pick<ApiKeyRecord, 'id' | 'name' | 'prefix' | 'hash' | 'createdAt'>;

function toRecord(row: ApiKeysTable): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    hash: row.hash,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** Inserts a key; a duplicate hash or id raises StoreConflict. */
export async function insertApiKey(db: Kysely<DB>, key: NewApiKey): Promise<void> {
  await withConflictMapping(() =>
    db
      .insertInto('api_keys')
      .values({
        id: key.id,
        name: key.name,
        prefix: key.prefix,
        hash: key.hash,
        created_at: key.createdAt,
        last_used_at: null,
        revoked_at: null,
      })
      .execute(),
  );
}

/** Runs on every management API request: compiled once (prepared.ts); columns named (pg-statements.ts). */
const keyByHash = preparedQuery((db: Kysely<DB>, hash: string) =>
  db
    .selectFrom('api_keys')
    .select(['id', 'name', 'prefix', 'hash', 'created_at', 'last_used_at', 'revoked_at'])
    .where('hash', '=', hash),
);

/** The key with this hash, revoked or not (the caller decides). */
export async function findApiKeyByHash(db: Kysely<DB>, hash: string): Promise<ApiKeyRecord | undefined> {
  const [row] = await keyByHash(db, hash);
  return row && toRecord(row);
}

/** Every key, revoked ones included, oldest first. */
export async function listApiKeys(db: Kysely<DB>): Promise<ApiKeyRecord[]> {
  const rows = await db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(toRecord);
}

/** Revokes the live key(s) named by id or prefix; returns the ids of those revoked. */
export async function revokeApiKey(db: Kysely<DB>, idOrPrefix: string, at: string): Promise<string[]> {
  const rows = await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('id', '=', idOrPrefix), eb('prefix', '=', idOrPrefix)]))
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Records a use of the key. */
export async function touchApiKey(db: Kysely<DB>, id: string, at: string): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
}
