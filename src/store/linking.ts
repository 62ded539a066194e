/**
 * Members not from SCIM (migration 0140): users the management API added (source `api`; later
 * SSO's `sso`), and their linking when the org's IdP creates the same person over SCIM. A
 * member matches by its userName or the email it was added by, lower-cased, on the two partial
 * indexes that hold live non-SCIM members only: in an org without any, every probe here reads
 * an empty index range.
 */
import { type Kysely, sql } from 'kysely';
import { dialectOf } from './db.ts';
import {
  type MemberSource,
  R_COLUMNS,
  RESOURCE_COLUMNS,
  type ResourceRecord,
  type Row,
  toRecord,
  withGroupFlag,
} from './resources.ts';
import type { DB } from './schema.ts';

/**
 * The live non-SCIM members of the org whose userName or email is one of `keys` (lower-cased),
 * in pk order, locked on PostgreSQL (FOR UPDATE) for the link that follows, each with its
 * membership flag. At most a few rows: one per key at most.
 */
export async function findLinkable(
  db: Kysely<DB>,
  orgId: string,
  keys: readonly string[],
): Promise<ResourceRecord[]> {
  if (keys.length === 0) return [];
  let query = db
    .selectFrom('resources as r')
    .select(R_COLUMNS)
    .select(sql<number>`exists (select 1 from memberships as m where m.member_pk = r.pk)`.as('in_groups'))
    .where('r.org_id', '=', orgId)
    .where('r.type', '=', 'User')
    .where(sql.raw<boolean>("r.source <> 'scim'"))
    .where('r.deleted_at', 'is', null)
    .where((eb) => eb.or([eb('r.user_name_lc', 'in', keys), eb('r.email_lc', 'in', keys)]))
    .orderBy('r.pk');
  if (dialectOf(db) === 'postgres') query = query.forUpdate();
  const rows = await query.execute();
  return rows.map((row) => withGroupFlag(row as Row & { in_groups: unknown }));
}

/** Whether findLinkable would find any member (SQLite's create guard: resource-writes.ts). */
export async function hasLinkable(db: Kysely<DB>, orgId: string, keys: readonly string[]): Promise<boolean> {
  if (keys.length === 0) return false;
  const row = await db
    .selectFrom('resources as r')
    .select('r.pk')
    .where('r.org_id', '=', orgId)
    .where(sql.raw<boolean>("r.source <> 'scim'"))
    .where('r.deleted_at', 'is', null)
    .where((eb) => eb.or([eb('r.user_name_lc', 'in', keys), eb('r.email_lc', 'in', keys)]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The guard a SCIM create's single PostgreSQL statement carries (resource-writes.ts): true
 * when no live non-SCIM member of org `$org` has a userName or email in the text array `$keys`.
 */
export function noLinkableSql(org: string, keys: string): string {
  return `not exists (select 1 from resources as m where m.org_id = ${org} and m.source <> 'scim'
    and m.deleted_at is null and (m.user_name_lc = any(${keys}) or m.email_lc = any(${keys})))`;
}

/** Makes a just-inserted user a member of `source` (not SCIM), added by `email`. */
export async function setMemberSource(
  db: Kysely<DB>,
  pk: number,
  source: Exclude<MemberSource, 'scim'>,
  email: string,
): Promise<void> {
  await db
    .updateTable('resources')
    .set({ source, email_lc: email.toLowerCase() })
    .where('pk', '=', pk)
    .execute();
}

/**
 * The IdP took member `pk` over: its source becomes `scim`, the source it had is kept as
 * `linked_from`, the time as `linked_at`; it no longer matches any later create.
 */
export async function markLinked(db: Kysely<DB>, pk: number, linkedAt: string): Promise<ResourceRecord> {
  const row = await db
    .updateTable('resources')
    .set({ source: 'scim', email_lc: null, linked_at: linkedAt, linked_from: sql`source` })
    .where('pk', '=', pk)
    .returning(RESOURCE_COLUMNS)
    .executeTakeFirstOrThrow();
  return toRecord(row as unknown as Row);
}

/**
 * The live users of the org (any source) whose userName or any email is one of `keys`
 * (lower-cased): who a new member would duplicate. At most `limit`, by pk.
 */
export async function findUsersByKeys(
  db: Kysely<DB>,
  orgId: string,
  keys: readonly string[],
  limit = 5,
): Promise<{ id: string; source: string }[]> {
  if (keys.length === 0) return [];
  const byEmail = db
    .selectFrom('resource_terms as t')
    .select('t.resource_pk')
    .where('t.org_id', '=', orgId)
    .where('t.path', '=', 'emails.value')
    .where('t.lc', 'in', keys);
  return db
    .selectFrom('resources as r')
    .select(['r.id', 'r.source'])
    .where('r.org_id', '=', orgId)
    .where('r.type', '=', 'User')
    .where('r.deleted_at', 'is', null)
    .where((eb) =>
      eb.or([eb('r.user_name_lc', 'in', keys), eb('r.email_lc', 'in', keys), eb('r.pk', 'in', byEmail)]),
    )
    .orderBy('r.pk')
    .limit(limit)
    .execute();
}
