/**
 * The OIDC provider's storage (migration 0171): every oidc-provider model in one table keyed
 * by (kind, id), the account's org and user, the client, grant, session uid and user code in
 * columns of their own, so that a user's or a grant's tokens go in one set-wise DELETE.
 * `oidc_logouts` is the queue of back-channel logouts the revocation trigger fills.
 */
import { type Kysely, sql } from 'kysely';
import { dialectOf } from './db.ts';
import { uniqueRow } from './resources.ts';
import type { DB, OidcStoreTable } from './schema.ts';

export interface OidcRow {
  kind: string;
  id: string;
  payload: Record<string, unknown>;
  orgId: string | null;
  userId: string | null;
  clientId: string | null;
  grantId: string | null;
  uid: string | null;
  userCode: string | null;
  /** Epoch milliseconds; null: none. */
  expiresAt: number | null;
}

/**
 * Writes a row. A row of an account (a session, grant, code or token of a user) is written only
 * while the user is live and active, checked in the same statement, which on PostgreSQL takes
 * a share lock on the user's row: a refresh racing a deactivation either commits first (and the
 * deactivation's trigger deletes what it wrote) or waits for the deactivation and writes
 * nothing. Returns whether the row was written.
 */
export async function upsertOidcRow(db: Kysely<DB>, row: OidcRow): Promise<boolean> {
  const values: OidcStoreTable = {
    kind: row.kind,
    id: row.id,
    payload: JSON.stringify(row.payload),
    org_id: row.orgId,
    user_id: row.userId,
    client_id: row.clientId,
    grant_id: row.grantId,
    uid: row.uid,
    user_code: row.userCode,
    expires_at: row.expiresAt,
    consumed: null,
  };
  const { kind: _k, id: _i, ...rest } = values;
  if (row.orgId === null || row.userId === null) {
    await db
      .insertInto('oidc_store')
      .values(values)
      .onConflict((oc) => oc.columns(['kind', 'id']).doUpdateSet(rest))
      .execute();
    return true;
  }
  // The user is found on its unique index whatever the statistics (resources.ts uniqueRow).
  let user = uniqueRow(db, row.orgId, 'User', 'id', row.userId)
    .select(sql.lit(1).as('one'))
    .where('r.deleted_at', 'is', null)
    .where((eb) => eb.or([eb('r.active', 'is', null), eb('r.active', '<>', 0)]));
  if (dialectOf(db) === 'postgres') user = user.forShare();
  const result = await sql`insert into oidc_store
      (kind, id, payload, org_id, user_id, client_id, grant_id, uid, user_code, expires_at, consumed)
    select ${values.kind}, ${values.id}, ${values.payload}, ${values.org_id}, ${values.user_id},
      ${values.client_id}, ${values.grant_id}, ${values.uid}, ${values.user_code}, ${values.expires_at}, null
    where exists ${user}
    on conflict (kind, id) do update set payload = excluded.payload, org_id = excluded.org_id,
      user_id = excluded.user_id, client_id = excluded.client_id, grant_id = excluded.grant_id,
      uid = excluded.uid, user_code = excluded.user_code, expires_at = excluded.expires_at,
      consumed = null`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

type Lookup = { column: 'id' | 'uid' | 'user_code'; value: string };

/** The payload of a live (unexpired) row, with `consumed` as oidc-provider expects it. */
export async function findOidcPayload(
  db: Kysely<DB>,
  kind: string,
  by: Lookup,
  nowMs: number,
): Promise<Record<string, unknown> | undefined> {
  const row = await db
    .selectFrom('oidc_store')
    .select(['payload', 'expires_at', 'consumed'])
    .where('kind', '=', kind)
    .where(by.column, '=', by.value)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.expires_at !== null && Number(row.expires_at) <= nowMs) return undefined;
  const payload = JSON.parse(row.payload) as Record<string, unknown>;
  return row.consumed === null ? payload : { ...payload, consumed: Number(row.consumed) };
}

export async function consumeOidcRow(db: Kysely<DB>, kind: string, id: string, atSeconds: number) {
  await db
    .updateTable('oidc_store')
    .set({ consumed: atSeconds })
    .where('kind', '=', kind)
    .where('id', '=', id)
    .execute();
}

export async function destroyOidcRow(db: Kysely<DB>, kind: string, id: string) {
  await db.deleteFrom('oidc_store').where('kind', '=', kind).where('id', '=', id).execute();
}

/** Every code and token of a grant, and the grant itself. */
export async function revokeOidcGrant(db: Kysely<DB>, grantId: string) {
  await db.deleteFrom('oidc_store').where('grant_id', '=', grantId).execute();
  await db.deleteFrom('oidc_store').where('kind', '=', 'Grant').where('id', '=', grantId).execute();
}

/** Every session, grant, code and token of an app (its deletion). */
export async function revokeOidcClient(db: Kysely<DB>, clientId: string) {
  await db.deleteFrom('oidc_store').where('client_id', '=', clientId).execute();
}

/** Deletes rows expired before `nowMs`; returns how many. */
export async function pruneOidcRows(db: Kysely<DB>, nowMs: number): Promise<number> {
  const result = await db.deleteFrom('oidc_store').where('expires_at', '<', nowMs).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** How many rows an account has (tests, the bench). */
export async function countOidcRows(db: Kysely<DB>, orgId: string, userId: string): Promise<number> {
  const row = await db
    .selectFrom('oidc_store')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export interface OidcLogout {
  id: number;
  orgId: string;
  userId: string;
  clientId: string;
  attempts: number;
  createdAt: string;
}

/**
 * Claims up to `limit` due logouts: each is pushed `leaseMs` into the future first, so another
 * instance does not send it too while this one does.
 */
export async function claimOidcLogouts(
  db: Kysely<DB>,
  nowMs: number,
  leaseMs: number,
  limit: number,
): Promise<OidcLogout[]> {
  const due = await db
    .selectFrom('oidc_logouts')
    .selectAll()
    .where('next_attempt_at', '<=', nowMs)
    .orderBy('id')
    .limit(limit)
    .execute();
  const claimed: OidcLogout[] = [];
  for (const row of due) {
    const result = await db
      .updateTable('oidc_logouts')
      .set({ next_attempt_at: nowMs + leaseMs })
      .where('id', '=', row.id)
      .where('next_attempt_at', '=', row.next_attempt_at)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) continue;
    claimed.push({
      id: Number(row.id),
      orgId: row.org_id,
      userId: row.user_id,
      clientId: row.client_id,
      attempts: Number(row.attempts),
      createdAt: row.created_at,
    });
  }
  return claimed;
}

export async function deleteOidcLogout(db: Kysely<DB>, id: number) {
  await db.deleteFrom('oidc_logouts').where('id', '=', id).execute();
}

export async function retryOidcLogout(db: Kysely<DB>, id: number, nextMs: number, error: string) {
  await db
    .updateTable('oidc_logouts')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      next_attempt_at: nextMs,
      last_error: error.slice(0, 500),
    }))
    .where('id', '=', id)
    .execute();
}
