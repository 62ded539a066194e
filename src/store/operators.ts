/**
 * Console operators, their password links and sessions (migration 0180). Secrets arrive here
 * hashed; this module never sees one in clear.
 */
import type { Kysely } from 'kysely';
import { withConflictMapping } from './errors.ts';
import type { DB } from './schema.ts';

export interface OperatorRecord {
  id: string;
  email: string;
  passwordHash: string | null;
  createdAt: string;
}

function toRecord(row: { id: string; email: string; password_hash: string | null; created_at: string }) {
  return { id: row.id, email: row.email, passwordHash: row.password_hash, createdAt: row.created_at };
}

/** Inserts an operator; a taken email raises StoreConflict. */
export async function insertOperator(
  db: Kysely<DB>,
  op: Omit<OperatorRecord, 'passwordHash'>,
): Promise<void> {
  await withConflictMapping(() =>
    db
      .insertInto('operators')
      .values({ id: op.id, email: op.email, password_hash: null, created_at: op.createdAt })
      .execute(),
  );
}

export async function countOperators(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('operators')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listOperators(db: Kysely<DB>): Promise<OperatorRecord[]> {
  const rows = await db.selectFrom('operators').selectAll().orderBy('email').execute();
  return rows.map(toRecord);
}

export async function findOperatorByEmail(
  db: Kysely<DB>,
  email: string,
): Promise<OperatorRecord | undefined> {
  const row = await db.selectFrom('operators').selectAll().where('email', '=', email).executeTakeFirst();
  return row && toRecord(row);
}

export async function findOperator(db: Kysely<DB>, id: string): Promise<OperatorRecord | undefined> {
  const row = await db.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRecord(row);
}

export async function insertOperatorLink(
  db: Kysely<DB>,
  link: { hash: string; operatorId: string; createdAt: string; expiresAt: string },
): Promise<void> {
  await db
    .insertInto('operator_links')
    .values({
      hash: link.hash,
      operator_id: link.operatorId,
      created_at: link.createdAt,
      expires_at: link.expiresAt,
      used_at: null,
    })
    .execute();
}

export interface OperatorLinkRecord {
  hash: string;
  operatorId: string;
  email: string;
  expiresAt: string;
  usedAt: string | null;
}

export async function findOperatorLink(
  db: Kysely<DB>,
  hash: string,
): Promise<OperatorLinkRecord | undefined> {
  const row = await db
    .selectFrom('operator_links as l')
    .innerJoin('operators as o', 'o.id', 'l.operator_id')
    .select(['l.hash', 'l.operator_id', 'o.email', 'l.expires_at', 'l.used_at'])
    .where('l.hash', '=', hash)
    .executeTakeFirst();
  return (
    row && {
      hash: row.hash,
      operatorId: row.operator_id,
      email: row.email,
      expiresAt: row.expires_at,
      usedAt: row.used_at,
    }
  );
}

/**
 * Uses the link once and sets the password, in the caller's transaction `tx` (with the
 * change's audit entry): the link must be unused and unexpired at `at`. Every other link and
 * every session of the operator ends with it (a reset signs out whoever knew the old
 * password). Returns the operator's id, or undefined when the link was not usable.
 */
export async function useOperatorLink(
  tx: Kysely<DB>,
  hash: string,
  passwordHash: string,
  at: string,
): Promise<string | undefined> {
  const used = await tx
    .updateTable('operator_links')
    .set({ used_at: at })
    .where('hash', '=', hash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', at)
    .returning('operator_id')
    .executeTakeFirst();
  if (!used) return undefined;
  const id = used.operator_id;
  await tx.updateTable('operators').set({ password_hash: passwordHash }).where('id', '=', id).execute();
  await tx
    .updateTable('operator_links')
    .set({ used_at: at })
    .where('operator_id', '=', id)
    .where('used_at', 'is', null)
    .execute();
  await tx.deleteFrom('operator_sessions').where('operator_id', '=', id).execute();
  return id;
}

export async function insertOperatorSession(
  db: Kysely<DB>,
  session: { hash: string; operatorId: string; createdAt: string; expiresAt: string },
): Promise<void> {
  await db
    .insertInto('operator_sessions')
    .values({
      hash: session.hash,
      operator_id: session.operatorId,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
    })
    .execute();
}

/** The live session with this hash and its operator. */
export async function findOperatorSession(
  db: Kysely<DB>,
  hash: string,
  at: string,
): Promise<{ hash: string; operatorId: string; email: string; expiresAt: string } | undefined> {
  const row = await db
    .selectFrom('operator_sessions as s')
    .innerJoin('operators as o', 'o.id', 's.operator_id')
    .select(['s.hash', 's.operator_id', 'o.email', 's.expires_at'])
    .where('s.hash', '=', hash)
    .where('s.expires_at', '>', at)
    .executeTakeFirst();
  return row && { hash: row.hash, operatorId: row.operator_id, email: row.email, expiresAt: row.expires_at };
}

export async function deleteOperatorSession(db: Kysely<DB>, hash: string): Promise<void> {
  await db.deleteFrom('operator_sessions').where('hash', '=', hash).execute();
}

export async function insertOperatorFlash(
  db: Kysely<DB>,
  flash: { id: string; sessionHash: string; sealed: string; expiresAt: string },
): Promise<void> {
  await db
    .insertInto('operator_flashes')
    .values({
      id: flash.id,
      session_hash: flash.sessionHash,
      sealed: flash.sealed,
      expires_at: flash.expiresAt,
    })
    .execute();
}

/** Deletes the session's flash and returns it sealed, once; undefined when gone or expired. */
export async function takeOperatorFlash(
  db: Kysely<DB>,
  key: { id: string; sessionHash: string },
  at: string,
): Promise<string | undefined> {
  const row = await db
    .deleteFrom('operator_flashes')
    .where('id', '=', key.id)
    .where('session_hash', '=', key.sessionHash)
    .returning(['sealed', 'expires_at'])
    .executeTakeFirst();
  return row && row.expires_at > at ? row.sealed : undefined;
}

/** Drops expired sessions and flashes, and links used or expired before `before`. */
export async function pruneOperatorSecrets(db: Kysely<DB>, before: string): Promise<void> {
  await db.deleteFrom('operator_flashes').where('expires_at', '<=', before).execute();
  await db.deleteFrom('operator_sessions').where('expires_at', '<=', before).execute();
  await db
    .deleteFrom('operator_links')
    .where((eb) => eb.or([eb('expires_at', '<=', before), eb('used_at', '<=', before)]))
    .execute();
}
