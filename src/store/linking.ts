/**
 * Members not from SCIM (migration 0140): users the management API added (source `api`) or a
 * JIT sign-in created (source `sso`, migration 0200), and their linking when the org's IdP
 * creates the same person over SCIM. An API member matches by its userName or the email it
 * was added by, lower-cased; an SSO member by the key its connection matched the sign-in on
 * (`link_by`): its email, its userName, or its externalId (the NameID or `sub`). All on the
 * three partial indexes that hold live non-SCIM members only: in an org without any, every
 * probe here reads an empty index range.
 */
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
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

/** What an SSO member links on: its connection's `matchBy` when it signed in. */
export type LinkBy = 'email' | 'userName' | 'nameId';

/** What a new SCIM user is matched on against the members added otherwise. */
export interface LinkKeys {
  /** Its userName and every email, lower-cased. */
  keys: readonly string[];
  /** Its userName, lower-cased (an SSO member linked by userName matches that only). */
  userName: string | null;
  /** Its externalId, as sent (an SSO member linked by NameID matches it exactly). */
  externalId: string | null;
}

export const NO_LINK_KEYS: LinkKeys = { keys: [], userName: null, externalId: null };

function hasKeys(k: LinkKeys): boolean {
  return k.keys.length > 0 || k.externalId !== null;
}

/** The match of linkable members (their source and liveness are checked beside it). */
function matching(eb: ExpressionBuilder<DB & { r: DB['resources'] }, 'r'>, k: LinkKeys) {
  const keys = k.keys.length > 0 ? [...k.keys] : [''];
  return eb.or([
    eb.and([
      eb('r.user_name_lc', 'in', keys),
      eb.or([
        eb('r.link_by', 'is', null),
        eb.and([eb('r.link_by', '=', 'userName'), eb('r.user_name_lc', '=', k.userName ?? '')]),
      ]),
    ]),
    eb.and([
      eb('r.email_lc', 'in', keys),
      eb.or([eb('r.link_by', 'is', null), eb('r.link_by', '=', 'email')]),
    ]),
    eb.and([eb('r.external_id', '=', k.externalId ?? ''), eb('r.link_by', '=', 'nameId')]),
  ]);
}

/**
 * The live non-SCIM members of the org that `keys` match, in pk order, locked on PostgreSQL
 * (FOR UPDATE) for the link that follows, each with its membership flag. At most a few rows:
 * one per key at most.
 */
export async function findLinkable(db: Kysely<DB>, orgId: string, keys: LinkKeys): Promise<ResourceRecord[]> {
  if (!hasKeys(keys)) return [];
  let query = db
    .selectFrom('resources as r')
    .select(R_COLUMNS)
    .select(sql<number>`exists (select 1 from memberships as m where m.member_pk = r.pk)`.as('in_groups'))
    .where('r.org_id', '=', orgId)
    .where('r.type', '=', 'User')
    .where(sql.raw<boolean>("r.source <> 'scim'"))
    .where('r.deleted_at', 'is', null)
    .where((eb) => matching(eb, keys))
    .orderBy('r.pk');
  if (dialectOf(db) === 'postgres') query = query.forUpdate();
  const rows = await query.execute();
  return rows.map((row) => withGroupFlag(row as Row & { in_groups: unknown }));
}

/** Whether findLinkable would find any member (SQLite's create guard: resource-writes.ts). */
export async function hasLinkable(db: Kysely<DB>, orgId: string, keys: LinkKeys): Promise<boolean> {
  if (!hasKeys(keys)) return false;
  const row = await db
    .selectFrom('resources as r')
    .select('r.pk')
    .where('r.org_id', '=', orgId)
    .where(sql.raw<boolean>("r.source <> 'scim'"))
    .where('r.deleted_at', 'is', null)
    .where((eb) => matching(eb, keys))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The SQL condition, on alias `m` of resources, that findLinkable matches by: a live non-SCIM
 * member of org `org` that the keys match. `keys` is the text array of LinkKeys.keys,
 * `userName` its userName (lower-cased), `externalId` its externalId: parameters, any of them
 * may be null. For the statements of resource-writes.ts.
 */
export function linkableSql(
  m: string,
  org: string,
  keys: string,
  userName: string,
  externalId: string,
): string {
  return `${m}.org_id = ${org} and ${m}.type = 'User' and ${m}.source <> 'scim' and ${m}.deleted_at is null and (
      (${m}.user_name_lc = any(${keys}) and (${m}.link_by is null or (${m}.link_by = 'userName' and ${m}.user_name_lc = ${userName})))
      or (${m}.email_lc = any(${keys}) and (${m}.link_by is null or ${m}.link_by = 'email'))
      or (${m}.external_id = ${externalId} and ${m}.link_by = 'nameId'))`;
}

/** The guard of a SCIM create's single statement: no member linkableSql finds. */
export function noLinkableSql(org: string, keys: string, userName: string, externalId: string): string {
  return `not exists (select 1 from resources as m where ${linkableSql('m', org, keys, userName, externalId)})`;
}

/**
 * Makes a just-inserted user a member of `source` (not SCIM), added by `email` (an SSO member
 * linked by another key has none), linked on `linkBy` (null: userName or email).
 */
export async function setMemberSource(
  db: Kysely<DB>,
  pk: number,
  source: Exclude<MemberSource, 'scim'>,
  email: string | null,
  linkBy: LinkBy | null = null,
): Promise<void> {
  await db
    .updateTable('resources')
    .set({ source, email_lc: email === null ? null : email.toLowerCase(), link_by: linkBy })
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
    .set({ source: 'scim', email_lc: null, link_by: null, linked_at: linkedAt, linked_from: sql`source` })
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
