/**
 * Sign-in attempts (migration 0160; src/directory/sign-ins.ts): one row from the OIDC provider's
 * start to its single take. Every read and write checks expiry against the caller's clock.
 */
import type { Kysely, Selectable } from 'kysely';
import type { DB, SignInAttemptsTable } from './schema.ts';

export interface SignInAttemptRecord {
  id: string;
  orgId: string;
  connectionId: string;
  returnTo: string;
  createdAt: string;
  expiresAt: string;
  flow: string | null;
  completedAt: string | null;
  userId: string | null;
  claims: string | null;
  takenAt: string | null;
  browserHash: string | null;
  /** `app`, `test` or `operator` (migration 0210). */
  purpose: string;
}

function toRecord(r: Selectable<SignInAttemptsTable>): SignInAttemptRecord {
  return {
    id: r.id,
    orgId: r.org_id,
    connectionId: r.connection_id,
    returnTo: r.return_to,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    flow: r.flow,
    completedAt: r.completed_at,
    userId: r.user_id,
    claims: r.claims,
    takenAt: r.taken_at,
    browserHash: r.browser_hash,
    purpose: r.purpose,
  };
}

export async function insertSignInAttempt(
  db: Kysely<DB>,
  a: Pick<
    SignInAttemptRecord,
    'id' | 'orgId' | 'connectionId' | 'returnTo' | 'createdAt' | 'expiresAt' | 'browserHash' | 'purpose'
  >,
): Promise<void> {
  await db
    .insertInto('sign_in_attempts')
    .values({
      id: a.id,
      org_id: a.orgId,
      connection_id: a.connectionId,
      return_to: a.returnTo,
      created_at: a.createdAt,
      expires_at: a.expiresAt,
      browser_hash: a.browserHash,
      purpose: a.purpose,
    })
    .execute();
}

/** An attempt not yet expired at `now` (completed or not, taken or not). */
export async function getLiveSignInAttempt(
  db: Kysely<DB>,
  id: string,
  now: string,
): Promise<SignInAttemptRecord | undefined> {
  const row = await db
    .selectFrom('sign_in_attempts')
    .selectAll()
    .where('id', '=', id)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row && toRecord(row);
}

/** Stores src/sso/'s sealed state for a live attempt not completed yet; false when there is none. */
export async function setSignInFlow(db: Kysely<DB>, id: string, flow: string, now: string): Promise<boolean> {
  const r = await db
    .updateTable('sign_in_attempts')
    .set({ flow })
    .where('id', '=', id)
    .where('expires_at', '>', now)
    .where('completed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Completes a live, uncompleted attempt of this connection with the user. False when the
 * attempt is unknown, expired, of another connection or already completed.
 */
export async function completeSignInAttempt(
  db: Kysely<DB>,
  id: string,
  c: { connectionId: string; userId: string | null; claims: string | null; now: string },
): Promise<boolean> {
  const r = await db
    .updateTable('sign_in_attempts')
    .set({ completed_at: c.now, user_id: c.userId, claims: c.claims, flow: null })
    .where('id', '=', id)
    .where('connection_id', '=', c.connectionId)
    .where('expires_at', '>', c.now)
    .where('completed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Takes a completed, live attempt once: one conditional UPDATE, so of two concurrent takes (any
 * instances) exactly one gets the row.
 */
export async function takeSignInAttempt(
  db: Kysely<DB>,
  id: string,
  now: string,
): Promise<SignInAttemptRecord | undefined> {
  return takeSignInAttemptFor(db, id, 'app', now);
}

/**
 * Takes a completed, live attempt of `purpose` once: one conditional UPDATE, so of two
 * concurrent takes (any instances) exactly one gets the row; an attempt of another purpose is
 * never taken.
 */
export async function takeSignInAttemptFor(
  db: Kysely<DB>,
  id: string,
  purpose: string,
  now: string,
): Promise<SignInAttemptRecord | undefined> {
  const row = await db
    .updateTable('sign_in_attempts')
    .set({ taken_at: now })
    .where('id', '=', id)
    .where('purpose', '=', purpose)
    .where('expires_at', '>', now)
    .where('completed_at', 'is not', null)
    .where('taken_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  return row && toRecord(row);
}

/** Deletes attempts that expired before `before`; returns how many. */
export async function pruneSignInAttempts(db: Kysely<DB>, before: string): Promise<number> {
  const r = await db.deleteFrom('sign_in_attempts').where('expires_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
