/**
 * The store's own failure kinds (ARCHITECTURE.md "Error model"): the domain maps them to SCIM
 * errors; the store never builds a SCIM response.
 */

import { isStalePlan } from './pg-statements.ts';
import type { ResourceRecord } from './resources.ts';

/** A unique constraint refused the write. `field` names what collided (`userName`, `id`, …). */
export class StoreConflict extends Error {
  readonly field: 'userName' | string;
  readonly table: string;
  constructor(field: 'userName' | string, table: string, options?: { cause?: unknown }) {
    super(`unique constraint on ${table}.${field} violated`, options);
    this.name = 'StoreConflict';
    this.field = field;
    this.table = table;
  }
}

/** An update named a version that is no longer the current one (optimistic concurrency). */
export class StoreVersionMismatch extends Error {
  readonly expected: number;
  readonly actual: number;
  constructor(expected: number, actual: number) {
    super(`version mismatch: expected ${expected}, current ${actual}`);
    this.name = 'StoreVersionMismatch';
    this.expected = expected;
    this.actual = actual;
  }
}

/** The row to update does not exist (or is deleted). */
export class StoreNotFound extends Error {
  constructor(what: string) {
    super(`${what} not found`);
    this.name = 'StoreNotFound';
  }
}

/**
 * A create's single statement wrote nothing (resource-writes.ts createResourceWith) because
 * the org has a seat cap, or a member added otherwise than by SCIM matches the new user
 * (store/linking.ts): the caller takes the locked path, which counts users and links members.
 */
export class StoreCreateDeferred extends Error {
  constructor(
    readonly orgId: string,
    /**
     * The members to link that the create's statement found (PostgreSQL: in the same round
     * trip, store/resource-writes.ts), as their rows with `in_groups`; undefined when it did
     * not look (SQLite): the caller looks itself.
     */
    readonly linkable?: readonly ResourceRecord[],
  ) {
    super(`organization ${orgId}: a create must count its active users or link a member first`);
    this.name = 'StoreCreateDeferred';
  }
}

/**
 * An update's single statement wrote nothing because it was to be written only while the org
 * has no role rules, and it has some now (resource-writes.ts updateResourceWith): the caller
 * takes the locked path, which recomputes roles.
 */
export class StoreHasRoleRules extends Error {
  constructor(readonly orgId: string) {
    super(`organization ${orgId} has role rules: the write must recompute roles`);
    this.name = 'StoreHasRoleRules';
  }
}

/**
 * An update guarded to write only while a user has no held deactivation found one
 * (resource-writes.ts updateResourceWith): the caller takes the locked path, which supersedes it.
 */
export class StoreHasHeldChange extends Error {
  constructor(
    readonly orgId: string,
    readonly userPk: number,
  ) {
    super(`user ${userPk} of organization ${orgId} has a held deactivation`);
    this.name = 'StoreHasHeldChange';
  }
}

/**
 * A read was stopped before it finished: its request's time budget ran out (`timeout`), or its
 * client went away (`disconnect`). On PostgreSQL, a statement cancelled by statement_timeout.
 */
export class StoreCancelled extends Error {
  constructor(readonly reason: 'timeout' | 'disconnect') {
    super(reason === 'timeout' ? 'the query ran out of time and was stopped' : 'the query was stopped');
    this.name = 'StoreCancelled';
  }
}

/** PostgreSQL's query_canceled (statement_timeout, or a cancel request), as StoreCancelled. */
export function mapCancelled(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '57014' ? new StoreCancelled('timeout') : error;
}

/**
 * A failure that running the same transaction again can cure: PostgreSQL's deadlock_detected
 * (40P01) and serialization_failure (40001), and a named statement's plan made stale by a
 * schema change (pg-statements.ts). Everything the transaction did was rolled back.
 */
export function isTransientStoreError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '40P01' || code === '40001' || isStalePlan(error);
}

interface Target {
  table: string;
  field: string;
}

/** PostgreSQL names the violated constraint (23505 `constraint`); these are ours (migrations.ts). */
const byConstraint: Record<string, Target> = {
  resources_user_name_uq: { table: 'resources', field: 'userName' },
  resources_id_uq: { table: 'resources', field: 'id' },
  resources_linkable_email_uq: { table: 'resources', field: 'email' },
  tokens_hash_uq: { table: 'tokens', field: 'hash' },
  tokens_pkey: { table: 'tokens', field: 'id' },
  orgs_pkey: { table: 'orgs', field: 'id' },
  memberships_pk: { table: 'memberships', field: 'member' },
};

/** SQLite names the columns instead: `UNIQUE constraint failed: resources.org_id, …`. */
const byLastColumn: Record<string, Target> = {
  'resources.user_name_lc': { table: 'resources', field: 'userName' },
  'resources.id': { table: 'resources', field: 'id' },
  'resources.email_lc': { table: 'resources', field: 'email' },
  'tokens.hash': { table: 'tokens', field: 'hash' },
  'tokens.id': { table: 'tokens', field: 'id' },
  'orgs.id': { table: 'orgs', field: 'id' },
  'memberships.member_pk': { table: 'memberships', field: 'member' },
};

function targetOf(error: unknown): Target | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; constraint?: unknown; table?: unknown; message?: unknown };
  if (e.code === '23505') {
    const constraint = typeof e.constraint === 'string' ? e.constraint : '';
    return byConstraint[constraint] ?? { table: String(e.table ?? ''), field: constraint };
  }
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const columns = /constraint failed: (.*)$/.exec(String(e.message))?.[1]?.split(', ') ?? [];
    const last = columns[columns.length - 1] ?? '';
    const [table = '', field = ''] = last.split('.');
    return byLastColumn[last] ?? { table, field };
  }
  return undefined;
}

/**
 * Turns a unique-violation error of either driver into a StoreConflict naming the field;
 * returns any other error unchanged, for the caller to rethrow.
 */
export function mapStoreError(error: unknown): unknown {
  const target = targetOf(error);
  return target ? new StoreConflict(target.field, target.table, { cause: error }) : error;
}

/** Runs `work`, translating unique violations into StoreConflict. */
export async function withConflictMapping<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw mapStoreError(error);
  }
}
