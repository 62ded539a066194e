/**
 * Members not from SCIM (migration 0140): users the management API added (source `api`) or a
 * JIT sign-in created (source `sso`, migration 0200), and their linking when the org's IdP
 * creates the same person over SCIM. An API member matches by its userName or the email it
 * was added by, lower-cased; an SSO member by the key its connection matched the sign-in on
 * (`link_by`): its email, its userName, or its externalId (the NameID or `sub`). All on the
 * three partial indexes that hold live non-SCIM members only, one probe each: in an org
 * without any, every probe here reads an empty index range.
 */
import { CompiledQuery, type ExpressionBuilder, type Kysely, sql } from 'kysely';
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

/** The kinds of key a member is found by, each on its own partial index. */
type LinkKind = 'userName' | 'email' | 'nameId';

/** A live non-SCIM member, on alias `l`: the rows of the three partial indexes. */
const LIVE_MEMBER = "l.type = 'User' and l.source <> 'scim' and l.deleted_at is null";

/**
 * The members each kind of key may find, on alias `l`: API members (`link_by` null) by their
 * userName or email, SSO members by the key they link on only.
 */
const KIND_SCOPE: Record<LinkKind, string> = {
  userName: "(l.link_by is null or l.link_by = 'userName')",
  email: "(l.link_by is null or l.link_by = 'email')",
  nameId: "l.link_by = 'nameId'",
};

/**
 * The key condition of one kind, beside its KIND_SCOPE: any key against the userName (an SSO
 * member linked by userName: its own userName only) or the email, the externalId exactly.
 */
function matchingKind(eb: ExpressionBuilder<DB & { l: DB['resources'] }, 'l'>, kind: LinkKind, k: LinkKeys) {
  const keys = k.keys.length > 0 ? [...k.keys] : [''];
  if (kind === 'userName') {
    return eb.and([
      eb('l.user_name_lc', 'in', keys),
      eb.or([eb('l.link_by', 'is', null), eb('l.user_name_lc', '=', k.userName ?? '')]),
    ]);
  }
  if (kind === 'email') return eb('l.email_lc', 'in', keys);
  return eb('l.external_id', '=', k.externalId ?? '');
}

/**
 * The pks of the live non-SCIM members of the org that `keys` match, on SQLite: one SELECT
 * per kind of key, joined by UNION. PostgreSQL runs linkableKindsSql instead.
 */
function linkablePks(db: Kysely<DB>, orgId: string, keys: LinkKeys) {
  const kind = (kind: LinkKind) =>
    db
      .selectFrom('resources as l')
      .select('l.pk')
      .where('l.org_id', '=', orgId)
      .where(sql.raw<boolean>(`${LIVE_MEMBER} and ${KIND_SCOPE[kind]}`))
      .where((eb) => matchingKind(eb, kind, keys));
  return kind('userName').union(kind('email')).union(kind('nameId'));
}

/**
 * The live non-SCIM members of the org that `keys` match, in pk order, locked on PostgreSQL
 * (FOR UPDATE) for the link that follows, each with its membership flag. At most a few rows:
 * one per key at most. On PostgreSQL the rows are read by pk from the array linkablePksSql
 * builds (FOR UPDATE cannot lock the rows of a UNION), the statement the create's uses.
 */
export async function findLinkable(db: Kysely<DB>, orgId: string, keys: LinkKeys): Promise<ResourceRecord[]> {
  if (!hasKeys(keys)) return [];
  let rows: unknown[];
  if (dialectOf(db) === 'postgres') {
    const text = `select ${R_COLUMNS.join(', ')},
      exists (select 1 from memberships as m where m.member_pk = r.pk) as in_groups
      from resources as r
      where r.pk = any(${linkablePksSql('$1::text', keysFromArray('$2::text[]'), '$3::text', '$4::text')})
      order by r.pk for update`;
    const params = [orgId, [...keys.keys], keys.userName, keys.externalId];
    rows = (await db.executeQuery(CompiledQuery.raw(text, params))).rows;
  } else {
    rows = await db
      .selectFrom('resources as r')
      .select(R_COLUMNS)
      .select(sql<number>`exists (select 1 from memberships as m where m.member_pk = r.pk)`.as('in_groups'))
      .where(sql<boolean>`r.pk in (${linkablePks(db, orgId, keys)})`)
      .orderBy('r.pk')
      .execute();
  }
  return rows.map((row) => withGroupFlag(row as Row & { in_groups: unknown }));
}

const LINKABLE_EXISTS = new Map<number, string>();

/**
 * hasLinkable on SQLite as one boolean SQL expression with `?` parameters (the create's guard,
 * resource-writes.ts, which reads it beside the seat cap in one statement): one `exists` per
 * kind of key, as linkablePks's UNION has one SELECT per kind. Its text is made once per
 * number of keys, so neither Kysely's builder nor its compiler runs for a create. Undefined
 * when there are no keys (nothing can match).
 */
export function linkableExistsSqlite(
  orgId: string,
  k: LinkKeys,
): { sql: string; parameters: unknown[] } | undefined {
  if (!hasKeys(k)) return undefined;
  const keys = k.keys.length > 0 ? [...k.keys] : [''];
  let text = LINKABLE_EXISTS.get(keys.length);
  if (!text) {
    const list = keys.map(() => '?').join(', ');
    const probe = (kind: LinkKind, condition: string) =>
      `exists (select 1 from resources as l where l.org_id = ? and ${condition} and ${LIVE_MEMBER} and ${KIND_SCOPE[kind]})`;
    text = [
      probe('userName', `l.user_name_lc in (${list}) and (l.link_by is null or l.user_name_lc = ?)`),
      probe('email', `l.email_lc in (${list})`),
      probe('nameId', 'l.external_id = ?'),
    ].join(' or ');
    LINKABLE_EXISTS.set(keys.length, text);
  }
  return {
    sql: text,
    parameters: [orgId, ...keys, k.userName ?? '', orgId, ...keys, orgId, k.externalId ?? ''],
  };
}

/** Whether findLinkable would find any member (SQLite's create guard: resource-writes.ts). */
export async function hasLinkable(db: Kysely<DB>, orgId: string, keys: LinkKeys): Promise<boolean> {
  if (!hasKeys(keys)) return false;
  const row = await linkablePks(db, orgId, keys).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** The members one key of a kind that need not be unique (NameID) may match, at most. */
const MATCHES_PER_KEY = 3;

/**
 * linkablePks on PostgreSQL, as SQL: one SELECT of pks per kind of key. `org` is the org,
 * `keys` a FROM item that yields LinkKeys.keys as rows `k(v)` (keysFromArray, keysFromValues;
 * null when there are none), `userName` its userName (lower-cased), `externalId` its
 * externalId: parameters, any of them but `org` may be null.
 * On tables never analysed every index scan of a few rows costs the same, and one OR of the
 * three kinds had PostgreSQL read the newest of the three indexes on the org alone, filtering
 * every non-SCIM member of the org per create; an array of keys (`= any(…)`) did the same
 * within one kind. So each key is probed alone (a lateral join over the keys), and
 * `column = key` is written as a range ordered by the column: only an index on (org, column)
 * yields that order, any plan on the org alone needs a sort and costs more, statistics or
 * none, custom or generic plan
 * (test/store/unanalysed-linking.test.ts).
 */
function linkableKindsSql(org: string, keys: string | null, userName: string, externalId: string): string[] {
  const probe = (kind: LinkKind, column: string, key: string, limit: number, also = '') =>
    `select l.pk from resources as l where l.org_id = ${org} and ${LIVE_MEMBER} and ${KIND_SCOPE[kind]}
      and l.${column} >= ${key} and l.${column} <= ${key}${also} order by l.${column} limit ${limit}`;
  const perKey = (inner: string) => `select x.pk from ${keys} cross join lateral (${inner}) as x`;
  const byExternalId = `(${probe('nameId', 'external_id', externalId, MATCHES_PER_KEY)})`;
  if (keys === null) return [byExternalId];
  return [
    // userName is unique per org and type; an SSO member linked by it matches its own only.
    perKey(
      probe('userName', 'user_name_lc', 'k.v', 1, ` and (l.link_by is null or l.user_name_lc = ${userName})`),
    ),
    // email_lc is unique among these members (resources_linkable_email_uq).
    perKey(probe('email', 'email_lc', 'k.v', 1)),
    byExternalId,
  ];
}

/** The keys as rows `k(v)` from a text array parameter (`$n::text[]`), for linkableKindsSql. */
export function keysFromArray(array: string): string {
  return `unnest(${array}) as k(v)`;
}

/**
 * The keys as rows `k(v)` from `count` text parameters starting at `$from`, for
 * linkableKindsSql; null when `count` is 0. Unlike an array, whose length a generic plan
 * does not know (PostgreSQL assumes ten elements, and costs each probe ten times), a VALUES
 * list has the number of rows it will have: the generic plan of a statement that uses it
 * costs what its custom plans cost, so PostgreSQL keeps it instead of planning the statement
 * again at every execution (resource-writes.ts createText).
 */
export function keysFromValues(from: number, count: number): string | null {
  if (count === 0) return null;
  const rows = Array.from({ length: count }, (_, i) => `($${from + i}::text)`);
  return `(values ${rows.join(', ')}) as k(v)`;
}

/**
 * The array of the pks findLinkable finds, as SQL (the parameters as linkableKindsSql's), for
 * the statements of resource-writes.ts: `pk = any(<this>)` reads those rows by pk.
 */
export function linkablePksSql(
  org: string,
  keys: string | null,
  userName: string,
  externalId: string,
): string {
  return `array(${linkableKindsSql(org, keys, userName, externalId).join(' union ')})`;
}

/** The guard of a SCIM create's single statement: no member findLinkable finds. */
export function noLinkableSql(
  org: string,
  keys: string | null,
  userName: string,
  externalId: string,
): string {
  return linkableKindsSql(org, keys, userName, externalId)
    .map((k) => `not exists (${k})`)
    .join(' and ');
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
