/**
 * Users and Groups: one `resources` row each (indexed columns + the canonical document as
 * JSON) and its index terms in `resource_terms` (ARCHITECTURE.md "Storage principles").
 * Functions take a Kysely instance or a transaction; the caller owns the transaction. Writes
 * that touch several tables open one themselves when not given a transaction.
 */
import {
  CompiledQuery,
  type Kysely,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqlBool,
  sql,
} from 'kysely';
import type { AttrRef, FilterNode } from '../scim/filter/ast.ts';
import type { IndexTerm } from '../scim/schema/index-terms.ts';
import { type KeysetPosition, keysetAfter } from './cursor-keyset.ts';
import { dialectOf } from './db.ts';
import {
  mapCancelled,
  mapStoreError,
  StoreNotFound,
  StoreVersionMismatch,
  withConflictMapping,
} from './errors.ts';
import {
  compileFilter,
  type FilterContext,
  narrowingDriverSet,
  type SimpleEquality,
  selectiveDriverSet,
  simpleEquality,
  sortKey,
  uniqueConjunct,
} from './filter-sql.ts';
import type { GroupOf } from './memberships.ts';
import { type BoundQuery, preparedInsert, preparedQuery, type SyncRun } from './prepared.ts';
import { longReads, throwIfAborted } from './read-process.ts';
import type { DB, ResourcesTable } from './schema.ts';
import { TOKEN_CHECK_COLUMNS, type TokenWithProfile, tokenOfCheckRow } from './tokens.ts';

export type ResourceType = 'User' | 'Group';

/** Who manages a resource: its IdP over SCIM, the management API, or (later) SSO sign-in. */
export type MemberSource = 'scim' | 'api' | 'sso';

export interface ResourceRecord {
  pk: number;
  orgId: string;
  type: ResourceType;
  id: string;
  userName: string | null;
  externalId: string | null;
  displayName: string | null;
  active: boolean | null;
  doc: Record<string, unknown>;
  passwordHash: string | null;
  version: number;
  created: string;
  lastModified: string;
  /** Who manages it (ResourcesTable.source). */
  source: MemberSource;
  /** When its IdP took over a member first added otherwise, and that member's source then. */
  linkedAt: string | null;
  linkedFrom: Exclude<MemberSource, 'scim'> | null;
  /**
   * Whether the resource is a member of any group, when the read asked (readResource, list
   * pages, and lockResource of a User do): a user in no group needs no `groups` query.
   */
  inGroups?: boolean;
  /**
   * A user's computed `groups` (direct and indirect), once read (ResourceService.withGroups):
   * its representation and its ETag both come from them.
   */
  groups?: GroupOf[];
}

export interface NewResource {
  orgId: string;
  type: ResourceType;
  id: string;
  userName: string | null;
  externalId: string | null;
  displayName: string | null;
  active: boolean | null;
  doc: Record<string, unknown>;
  passwordHash: string | null;
  created: string;
  terms: IndexTerm[];
}

export interface ResourceChanges {
  userName: string | null;
  externalId: string | null;
  displayName: string | null;
  active: boolean | null;
  doc: Record<string, unknown>;
  /** Omitted: keep the stored hash (a PATCH that does not touch the password). */
  passwordHash?: string | null;
  lastModified: string;
  terms: IndexTerm[];
}

export interface ListQuery {
  orgId: string;
  type: ResourceType;
  filter?: FilterNode;
  sort?: { attr: AttrRef; descending: boolean };
  offset: number;
  limit: number;
  /** Only `total` is wanted (count=0 requests): no rows are read. */
  countOnly?: boolean;
  /**
   * Keyset paging (RFC 9865 cursors) instead of `offset`: the page starts after this row
   * (`after` undefined: at the start), and the result says where the next page starts.
   */
  keyset?: { after: KeysetPosition | undefined };
  /**
   * Stops the read (StoreCancelled) when it aborts: the request's time budget ran out or its
   * client went away. Filtered and sorted lists, which may read the whole org, then run in a
   * process of their own on SQLite (read-process.ts), killed on abort; on PostgreSQL their
   * backend is told to cancel them (pg-long-reads.ts), and every statement is bounded by
   * statement_timeout (db.ts).
   */
  signal?: AbortSignal;
  /**
   * The org's live count of the type, when the caller read it already (listWithToken, with the
   * token): an unfiltered, unsorted listing then reads only its page.
   */
  live?: LiveCount;
}

export type Row = Omit<ResourcesTable, 'pk' | 'source' | 'email_lc' | 'link_by'> & {
  pk: number;
  source: string;
};

export function toRecord(
  row: Row,
  /** The document `row.doc` was written from, when the caller has it: not parsed again. */
  doc?: Record<string, unknown>,
): ResourceRecord {
  return {
    pk: Number(row.pk),
    orgId: row.org_id,
    type: row.type,
    id: row.id,
    userName: row.user_name,
    externalId: row.external_id,
    displayName: row.display_name,
    active: row.active === null ? null : Boolean(row.active),
    doc: doc ?? (JSON.parse(row.doc) as Record<string, unknown>),
    passwordHash: row.password_hash,
    version: row.version,
    created: row.created_at,
    lastModified: row.last_modified,
    source: row.source as MemberSource,
    linkedAt: row.linked_at,
    linkedFrom: row.linked_from as Exclude<MemberSource, 'scim'> | null,
  };
}

export function activeValue(active: boolean | null): number | null {
  return active === null ? null : active ? 1 : 0;
}

/**
 * Rows per INSERT of terms (7 parameters each): a user has ~15 terms, and a resource with
 * thousands of values takes one statement per 100 of them.
 */
const TERM_CHUNK = 100;

const insertTermRows = preparedInsert(
  'resource_terms',
  ['org_id', 'resource_pk', 'path', 'elem', 'str', 'lc', 'num'],
  TERM_CHUNK,
);

/** A resource's terms as rows of resource_terms. */
function termRows(orgId: string, pk: number, terms: readonly IndexTerm[]) {
  return terms.map((t) => ({
    org_id: orgId,
    resource_pk: pk,
    path: t.path,
    elem: t.elem,
    str: t.str,
    lc: t.lc,
    num: t.num,
  }));
}

async function insertTerms(db: Kysely<DB>, orgId: string, pk: number, terms: IndexTerm[]): Promise<void> {
  await insertTermRows(db, termRows(orgId, pk, terms));
}

/** Keeps resource_counts in step; called inside the create/delete transaction. */
const adjustCount = preparedQuery((db: Kysely<DB>, orgId: string, type: string, delta: number) =>
  db
    .insertInto('resource_counts')
    .values({ org_id: orgId, type: type as ResourceType, n: delta, changes: 1 })
    .onConflict((oc) =>
      oc.columns(['org_id', 'type']).doUpdateSet({
        n: sql<number>`resource_counts.n + ${delta}`,
        changes: sql<number>`resource_counts.changes + 1`,
      }),
    ),
);

const countRow = preparedQuery((db: Kysely<DB>, orgId: string, type: string) =>
  db
    .selectFrom('resource_counts')
    .select(['n', 'changes'])
    .where('org_id', '=', orgId)
    .where('type', '=', type as ResourceType),
);

/**
 * The number of live resources of a type in an org, one row whatever the directory's size,
 * and how many creates and deletes it has seen (`changes`: while it stays the same, every live
 * resource keeps its position in creation order).
 */
async function liveCount(db: Kysely<DB>, orgId: string, type: ResourceType): Promise<LiveCount> {
  const [row] = await countRow(db, orgId, type);
  return row ? { n: Number(row.n), changes: Number(row.changes) } : { n: 0, changes: 0 };
}

/** liveCount's answer: live resources of an org and type, and the creates and deletes seen. */
export interface LiveCount {
  n: number;
  changes: number;
}

/**
 * Where startIndex pages of an unfiltered, unsorted listing start: for a position (offset) in
 * creation order, the pk of the resource just before it, remembered from the page that ended
 * there and valid while the directory's `changes` count is the one it was read under. An IdP
 * import walks the pages in order, so each page after the first seeks to its start on the
 * live index instead of skipping `offset` entries of it: a listing of 100,000 users stops
 * costing O(n²). Per database handle and process, at most PAGE_STARTS_MAX positions; a miss
 * falls back to OFFSET, so the cache never changes a result, only its cost.
 */
const pageStarts = new WeakMap<Kysely<DB>, Map<string, number>>();
const PAGE_STARTS_MAX = 4096;

function pageStartKey(q: ListQuery, changes: number, offset: number): string {
  return `${q.orgId}\u0000${q.type}\u0000${changes}\u0000${offset}`;
}

function rememberPageStart(db: Kysely<DB>, key: string, pk: number): void {
  let starts = pageStarts.get(db);
  if (!starts) {
    starts = new Map();
    pageStarts.set(db, starts);
  }
  starts.delete(key);
  starts.set(key, pk);
  if (starts.size > PAGE_STARTS_MAX) starts.delete(starts.keys().next().value as string);
}

type TermValues = Pick<IndexTerm, 'str' | 'lc' | 'num'>;

/** Terms grouped by (path, elem): the unit that is rewritten when a value changes. */
function groupTerms<T extends IndexTerm>(terms: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const t of terms) {
    const key = `${t.path}\u0000${t.elem}`;
    const list = groups.get(key);
    if (list) list.push(t);
    else groups.set(key, [t]);
  }
  return groups;
}

function signature(terms: TermValues[]): string {
  return JSON.stringify(terms.map((t) => [t.str, t.lc, t.num === null ? null : Number(t.num)]).sort());
}

const storedTerms = preparedQuery((db: Kysely<DB>, pk: number) =>
  db.selectFrom('resource_terms').select(['path', 'elem', 'str', 'lc', 'num']).where('resource_pk', '=', pk),
);

const deleteTerms = preparedQuery((db: Kysely<DB>, pk: number) =>
  db.deleteFrom('resource_terms').where('resource_pk', '=', pk),
);

const deleteTermGroup = preparedQuery((db: Kysely<DB>, pk: number, path: string, elem: number) =>
  db
    .deleteFrom('resource_terms')
    .where('resource_pk', '=', pk)
    .where('path', '=', path)
    .where('elem', '=', elem),
);

/** The values of the one term of a (path, elem) group, set in place (replaceTerms). */
const updateTermGroup = preparedQuery(
  (
    db: Kysely<DB>,
    str: string | null,
    lc: string | null,
    num: number | null,
    pk: number,
    path: string,
    elem: number,
  ) =>
    db
      .updateTable('resource_terms')
      .set({ str, lc, num })
      .where('resource_pk', '=', pk)
      .where('path', '=', path)
      .where('elem', '=', elem),
);

/** Whether two groups of terms hold the same values (in any order). */
function sameTerms(a: TermValues[], b: TermValues[]): boolean {
  const [x] = a;
  const [y] = b;
  if (a.length === 1 && b.length === 1 && x && y) {
    const n = (v: number | null) => (v === null ? null : Number(v));
    return x.str === y.str && x.lc === y.lc && n(x.num) === n(y.num);
  }
  return signature(a) === signature(b);
}

/** Past this many changed (path, elem) groups, rewriting all terms is cheaper than a diff. */
const TERM_DIFF_LIMIT = 32;

/**
 * The statements that bring a resource's terms from `stored` in line with `terms`, rewriting
 * only the (path, elem) groups that changed: a PATCH of one attribute writes one or two term
 * rows, not all of them (each row costs four index updates). A group of one term that keeps
 * one term (every group the schema makes: one term per path and element) is updated in
 * place: its row and its (resource_pk, path, elem) index entry stay, only the value's index
 * entry moves.
 */
function termChanges(
  db: Kysely<DB>,
  orgId: string,
  pk: number,
  stored: readonly IndexTerm[],
  terms: IndexTerm[],
): BoundQuery[] {
  const before = groupTerms(stored.map((t) => ({ ...t, elem: Number(t.elem) })));
  const after = groupTerms(terms);
  /** Groups stored and wanted with other values; stored only; wanted only. */
  const changed: string[] = [];
  const gone: string[] = [];
  const added: string[] = [];
  for (const [key, prior] of before) {
    const next = after.get(key);
    if (!next) gone.push(key);
    else if (!sameTerms(prior, next)) changed.push(key);
  }
  for (const key of after.keys()) if (!before.has(key)) added.push(key);
  if (gone.length + 2 * changed.length + added.length > TERM_DIFF_LIMIT) {
    return [deleteTerms.bind(db, pk), ...insertTermRows.bind(db, termRows(orgId, pk, terms))];
  }
  const statements: BoundQuery[] = [];
  const inserts: IndexTerm[] = [];
  for (const key of changed) {
    const [path, elem] = key.split('\u0000') as [string, string];
    const next = after.get(key) ?? [];
    const [one] = next;
    if (one && next.length === 1 && before.get(key)?.length === 1) {
      statements.push(updateTermGroup.bind(db, one.str, one.lc, one.num, pk, path, Number(elem)));
      continue;
    }
    statements.push(deleteTermGroup.bind(db, pk, path, Number(elem)));
    inserts.push(...next);
  }
  for (const key of gone) {
    const [path, elem] = key.split('\u0000') as [string, string];
    statements.push(deleteTermGroup.bind(db, pk, path, Number(elem)));
  }
  for (const key of added) inserts.push(...(after.get(key) ?? []));
  if (inserts.length > 0) statements.push(...insertTermRows.bind(db, termRows(orgId, pk, inserts)));
  return statements;
}

/** Brings a resource's terms in line with `terms` (termChanges), inside the caller's transaction. */
async function replaceTerms(tx: Kysely<DB>, orgId: string, pk: number, terms: IndexTerm[]): Promise<void> {
  const stored = (await storedTerms(tx, pk)) as IndexTerm[];
  for (const q of termChanges(tx, orgId, pk, stored, terms)) {
    await tx.executeQuery(CompiledQuery.raw(q.sql, q.parameters));
  }
}

/** Runs `work` in a transaction unless `db` already is one. */
function inTransaction<T>(db: Kysely<DB>, work: (tx: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

const insertRow = preparedQuery(
  (
    db: Kysely<DB>,
    orgId: string,
    type: string,
    id: string,
    userName: string | null,
    userNameLc: string | null,
    externalId: string | null,
    displayName: string | null,
    active: number | null,
    doc: string,
    passwordHash: string | null,
    created: string,
  ) =>
    db
      .insertInto('resources')
      .values({
        org_id: orgId,
        type: type as ResourceType,
        id,
        user_name: userName,
        user_name_lc: userNameLc,
        external_id: externalId,
        display_name: displayName,
        active,
        doc,
        password_hash: passwordHash,
        version: 1,
        created_at: created,
        last_modified: created,
        deleted_at: null,
      })
      .returningAll(),
);

/**
 * The values of a new resource's row in the order of insertRow's arguments (org, type, id,
 * userName, its lower case, externalId, displayName, active, doc, password hash, created).
 */
export function rowValues(
  r: NewResource,
): [
  string,
  string,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  number | null,
  string,
  string | null,
  string,
] {
  return [
    r.orgId,
    r.type,
    r.id,
    r.userName,
    r.userName === null ? null : r.userName.toLowerCase(),
    r.externalId,
    r.displayName,
    activeValue(r.active),
    JSON.stringify(r.doc),
    r.passwordHash,
    r.created,
  ];
}

/**
 * Inserts a resource at version 1 with its index terms. A taken userName (case-insensitively)
 * raises StoreConflict('userName'); a taken id StoreConflict('id').
 */
export async function insertResource(db: Kysely<DB>, r: NewResource): Promise<ResourceRecord> {
  return inTransaction(db, async (tx) => {
    const [row] = await withConflictMapping(() => insertRow(tx, ...rowValues(r)));
    if (!row) throw new Error('insert into resources returned no row');
    await insertTerms(tx, r.orgId, row.pk, r.terms);
    await adjustCount(tx, r.orgId, r.type, 1);
    return toRecord(row);
  });
}

/**
 * insertResource run synchronously, statement by statement, through `run` (a write on
 * SQLite's writer: sqlite-driver.ts writeInGroup), with the same statements: the row, its
 * terms, the live count. A taken userName or id raises StoreConflict.
 */
export function insertResourceSync(db: Kysely<DB>, run: SyncRun, r: NewResource): ResourceRecord {
  const insert = insertRow.bind(db, ...rowValues(r));
  let row: Row | undefined;
  try {
    [row] = run(insert.sql, insert.parameters) as Row[];
  } catch (error) {
    throw mapStoreError(error);
  }
  if (!row) throw new Error('insert into resources returned no row');
  const pk = Number(row.pk);
  for (const q of insertTermRows.bind(db, termRows(r.orgId, pk, r.terms))) run(q.sql, q.parameters);
  const count = adjustCount.bind(db, r.orgId, r.type, 1);
  run(count.sql, count.parameters);
  return toRecord(row);
}

/** Resources per INSERT of insertResources (12 parameters each). */
const RESOURCE_CHUNK = 500;

/** The terms of insertResources, 1,000 rows (7,000 parameters) per INSERT. */
const insertManyTermRows = preparedInsert(
  'resource_terms',
  ['org_id', 'resource_pk', 'path', 'elem', 'str', 'lc', 'num'],
  1000,
);

/**
 * Inserts many resources of one org at once, as insertResource does each (version 1, index
 * terms, the live count), in a few statements per 500 resources instead of a few per
 * resource: for imports and for seeding large test and benchmark directories.
 */
export async function insertResources(db: Kysely<DB>, rs: readonly NewResource[]): Promise<ResourceRecord[]> {
  return inTransaction(db, async (tx) => {
    const records: ResourceRecord[] = [];
    for (let from = 0; from < rs.length; from += RESOURCE_CHUNK) {
      const part = rs.slice(from, from + RESOURCE_CHUNK);
      const rows = await withConflictMapping(() =>
        tx
          .insertInto('resources')
          .values(
            part.map((r) => ({
              org_id: r.orgId,
              type: r.type,
              id: r.id,
              user_name: r.userName,
              user_name_lc: r.userName === null ? null : r.userName.toLowerCase(),
              external_id: r.externalId,
              display_name: r.displayName,
              active: activeValue(r.active),
              doc: JSON.stringify(r.doc),
              password_hash: r.passwordHash,
              version: 1,
              created_at: r.created,
              last_modified: r.created,
              deleted_at: null,
            })),
          )
          .returningAll()
          .execute(),
      );
      const byId = new Map(rows.map((row) => [`${row.type}\u0000${row.id}`, toRecord(row as Row)]));
      const terms: Parameters<typeof insertTermRows>[1][number][] = [];
      for (const r of part) {
        const record = byId.get(`${r.type}\u0000${r.id}`);
        if (!record) throw new Error(`insert into resources returned no row for ${r.id}`);
        records.push(record);
        for (const t of r.terms) {
          terms.push({
            org_id: r.orgId,
            resource_pk: record.pk,
            path: t.path,
            elem: t.elem,
            str: t.str,
            lc: t.lc,
            num: t.num,
          });
        }
      }
      await insertManyTermRows(tx, terms);
    }
    const counts = new Map<string, { orgId: string; type: ResourceType; n: number }>();
    for (const r of rs) {
      const key = `${r.orgId}\u0000${r.type}`;
      const c = counts.get(key) ?? { orgId: r.orgId, type: r.type, n: 0 };
      c.n++;
      counts.set(key, c);
    }
    for (const c of counts.values()) await adjustCount(tx, c.orgId, c.type, c.n);
    return records;
  });
}

/**
 * Every column of resources, named: the statements compiled once (prepared.ts) list their
 * columns instead of `*`, so that a column added by a later migration (another instance
 * upgrading first) leaves their PostgreSQL plans valid (pg-statements.ts).
 */
export const RESOURCE_COLUMNS = [
  'pk',
  'org_id',
  'type',
  'id',
  'user_name',
  'user_name_lc',
  'external_id',
  'display_name',
  'active',
  'doc',
  'password_hash',
  'version',
  'created_at',
  'last_modified',
  'deleted_at',
  'source',
  'linked_at',
  'linked_from',
] as const satisfies readonly (keyof ResourcesTable)[];
export const R_COLUMNS = RESOURCE_COLUMNS.map((c) => `r.${c}` as const);

/**
 * The resource of `orgId` and `type` whose `column` (unique per org and type: the id, the
 * lower-cased userName) is `value`, deleted or not: at most one row, as `r`, with nothing
 * selected yet. Callers add `r.deleted_at is null` and their columns.
 *
 * SQLite finds it on the unique index by itself. PostgreSQL, on tables never analysed (autovacuum
 * off, or a production database right after a large import), estimates `org_id = $1` at 0.5 %
 * of the rows, so every index that starts with (org_id, type) looks as if it held one row of
 * the org, and the planner picks among them by index height: the (org_id, type, external_id)
 * index, whose null externalIds deduplicate into a short tree, or the lastModified index, and
 * then reads every resource of the org to find one (6,000 to 45,000 rows per GET, measured;
 * test/store/unanalysed-lookups.test.ts). Neither `column = value` nor the range
 * `column >= value and column <= value ORDER BY column` (which needs a sort elsewhere, but the
 * sort of one estimated row is cheaper than a taller index) made the plan independent of that.
 * So on PostgreSQL the row is found by a sub-select that compares the whole key as a row,
 * `(org_id, type, column) >= (…)`, in the index's order, LIMIT 1 (uniquePk): PostgreSQL
 * estimates a row comparison by its first column at a third of the rows, so any index other
 * than the unique one reads (it believes) thousands of rows and sorts them, while the unique
 * index yields them in order and stops at the first. That first entry is then compared with
 * the key outside the scan (the columns' collation is "C", migrations, where only equal strings
 * compare equal). The outer query reads the row by its primary key alone, with no condition on
 * (org_id, type) that another index could take.
 */
export function uniqueRow(
  db: Kysely<DB>,
  orgId: string,
  type: string,
  column: 'id' | 'user_name_lc',
  value: string,
) {
  const rows = db.selectFrom('resources as r');
  if (dialectOf(db) !== 'postgres') {
    return rows
      .where('r.org_id', '=', orgId)
      .where('r.type', '=', type as ResourceType)
      .where(`r.${column}`, '=', value);
  }
  return rows.where('r.pk', '=', uniquePk(orgId, type, column, value));
}

/** The sub-select of uniqueRow on PostgreSQL: the pk of the row whose key is (org, type, value). */
export function uniquePk(orgId: string, type: string, column: 'id' | 'user_name_lc', value: string) {
  // Only the lower bound goes into the index scan: PostgreSQL (15) stops a scan on a row
  // comparison only when its first column fails, so `key <= (o, t, v)` would walk the rest of
  // the org's index when no row matches (a 404, a member id of the other type: 0.7 ms each at
  // 20,000 users). The first entry at or after the key is read (LIMIT 1) and compared outside.
  const col = sql.ref(`u.${column}`);
  const key = sql`(${sql.ref('u.org_id')}, ${sql.ref('u.type')}, ${col})`;
  return sql<number>`(select f.pk from (select u.pk, u.org_id, u.type, ${col} as k from resources as u
    where ${key} >= (${orgId}, ${type}, ${value}) order by u.org_id, u.type, ${col} limit 1) as f
    where f.org_id = ${orgId} and f.type = ${type} and f.k = ${value})`;
}

/** uniqueRow, live only. */
function uniqueLive(
  db: Kysely<DB>,
  orgId: string,
  type: string,
  column: 'id' | 'user_name_lc',
  value: string,
) {
  return uniqueRow(db, orgId, type, column, value).where('r.deleted_at', 'is', null);
}

function selectLive(db: Kysely<DB>, orgId: string, type: ResourceType, id: string) {
  return uniqueLive(db, orgId, type, 'id', id).select(R_COLUMNS);
}

/** Runs on every read of one resource: compiled once (prepared.ts). */
const liveById = preparedQuery((db: Kysely<DB>, orgId: string, type: string, id: string) =>
  selectLive(db, orgId, type as ResourceType, id),
);

/**
 * Whether the resource whose pk is `pk` is in any group, read with it: rendering then asks for
 * `groups` only for the resources that have some.
 *
 * Not `exists (… where m.member_pk = pk)`: on PostgreSQL the statements that read it are
 * prepared once per connection, and a generic plan made while memberships was near empty (a
 * fresh service) kept a sequential scan of memberships after a large import, reading every
 * membership per read while the table was never analysed. PostgreSQL drops ORDER BY and
 * LIMIT inside EXISTS (simplify_EXISTS_query in PostgreSQL's
 * src/backend/optimizer/plan/subselect.c), so the probe is a scalar subquery whose order
 * only memberships_member_idx yields: any other plan reads and sorts, and costs more whatever
 * the statistics say (test/store/in-groups-plan.test.ts).
 */
function inGroups(pk: 'r.pk') {
  return sql<number | boolean>`(${memberProbe(pk)})`.as('in_groups');
}

function memberProbe(pk: 'r.pk') {
  const ref = sql.ref(pk);
  return sql`(select 1 from memberships as m where m.member_pk >= ${ref} and m.member_pk <= ${ref}
    order by m.member_pk limit 1) is not null`;
}

/**
 * inGroups for the read made with the token (tokenAndUnique). On PostgreSQL `in_groups` is,
 * for a user in a group, its `groups` themselves (user_groups, migrations 0290 and 0300), so that a GET
 * of it, or the IdP's `userName eq` lookup, needs no second round trip for them; `[]` for a
 * group in a group, null for a resource in none. SQLite: the flag (no round trip to save).
 * uniqueWithToken reads either.
 */
function inGroupsWithToken(db: Kysely<DB>) {
  if (dialectOf(db) !== 'postgres') return inGroups('r.pk');
  return sql<unknown>`case when ${memberProbe('r.pk')}
    then (case when r.type = 'User' then user_groups(r.pk) else '[]'::json end) end`.as('in_groups');
}

/** The `groups` user_groups (migrations 0290, 0300) returned for the resource `pk`. */
function groupsOfJson(pk: number, rows: unknown[]): GroupOf[] {
  return rows.map((row) => {
    const [id, display, direct] = row as [string, string | null, number];
    return { memberPk: pk, id, display, type: direct === 1 ? 'direct' : 'indirect' };
  });
}

const liveByIdWithMembership = preparedQuery((db: Kysely<DB>, orgId: string, type: string, id: string) =>
  selectLive(db, orgId, type as ResourceType, id).select(inGroups('r.pk')),
);

/** The live (not deleted) resource, or undefined. */
export async function getResource(
  db: Kysely<DB>,
  orgId: string,
  type: ResourceType,
  id: string,
): Promise<ResourceRecord | undefined> {
  const [row] = await liveById(db, orgId, type, id);
  return row && toRecord(row);
}

/** getResource, plus whether the resource is in any group (`inGroups`), in the same query. */
export async function readResource(
  db: Kysely<DB>,
  orgId: string,
  type: ResourceType,
  id: string,
): Promise<ResourceRecord | undefined> {
  const [row] = await liveByIdWithMembership(db, orgId, type, id);
  return row && withGroupFlag(row);
}

/**
 * The token with this hash and, in the same statement, the live resource whose `column` (unique
 * per org and type: id, or the lower-cased userName) is the value: a GET by id, or the IdP's
 * `userName eq` lookup, in one round trip instead of two (the token, then the resource), with
 * no cache of tokens to go stale. The token is read as it stands, so a revocation, an expiry or
 * the org's deletion counts at once on every instance. The resource is joined only within the
 * token's own org and the org named in the URL, so a token never reads another org's row; the
 * caller still checks the token (revoked, expired, org) before it uses either.
 */
const tokenAndUnique = Object.fromEntries(
  (['r.id', 'r.user_name_lc'] as const).map((column) => [
    column,
    preparedQuery((db: Kysely<DB>, hash: string, orgId: string, type: string, value: string) =>
      db
        .selectFrom('tokens as tk')
        .innerJoin('orgs as o', 'o.id', 'tk.org_id')
        .leftJoin(
          () =>
            uniqueLive(db, orgId, type, column === 'r.id' ? 'id' : 'user_name_lc', value)
              .select(RESOURCE_COLUMNS)
              .as('r'),
          (join) => join.onRef('r.org_id', '=', 'tk.org_id'),
        )
        .select(TOKEN_CHECK_COLUMNS)
        .select(R_COLUMNS)
        .select(inGroupsWithToken(db))
        .where('tk.hash', '=', hash),
    ),
  ]),
) as Record<'r.id' | 'r.user_name_lc', ReturnType<typeof preparedQuery>>;

/** A token read beside a resource, and that resource if there is one. */
export interface WithToken {
  /** Undefined when no token has the hash. */
  token: TokenWithProfile | undefined;
  /** Undefined when the resource is not there (or the token belongs to another org). */
  record: ResourceRecord | undefined;
}

async function uniqueWithToken(
  db: Kysely<DB>,
  column: 'r.id' | 'r.user_name_lc',
  tokenHash: string,
  orgId: string,
  type: string,
  value: string,
): Promise<WithToken> {
  const [row] = (await tokenAndUnique[column](db, tokenHash, orgId, type, value)) as Record<
    string,
    unknown
  >[];
  if (!row) return { token: undefined, record: undefined };
  const token = tokenOfCheckRow(row);
  if (row.pk === null || row.pk === undefined) return { token, record: undefined };
  // The row's resource columns carry their own names (R_COLUMNS): read them in place.
  const record = withGroupFlag(row as unknown as Row & { in_groups?: unknown });
  // PostgreSQL: a user's groups came with it (inGroupsWithToken).
  if (record.type === 'User' && Array.isArray(row.in_groups))
    record.groups = groupsOfJson(record.pk, row.in_groups);
  return { token, record };
}

/** readResource and the token whose hash is `tokenHash`, in one statement. */
export function readResourceWithToken(
  db: Kysely<DB>,
  tokenHash: string,
  orgId: string,
  type: ResourceType,
  id: string,
): Promise<WithToken> {
  return uniqueWithToken(db, 'r.id', tokenHash, orgId, type, id);
}

/**
 * The token with this hash and, in the same statement, the live count of the org and type
 * (liveCount) when the token is the org's: what an unfiltered, unsorted listing reads before
 * its page.
 */
const tokenAndLiveCount = preparedQuery((db: Kysely<DB>, hash: string, orgId: string, type: string) =>
  db
    .selectFrom('tokens as tk')
    .innerJoin('orgs as o', 'o.id', 'tk.org_id')
    .leftJoin('resource_counts as rc', (join) =>
      join
        .onRef('rc.org_id', '=', 'tk.org_id')
        .on('rc.org_id', '=', orgId)
        .on('rc.type', '=', type as ResourceType),
    )
    .select(TOKEN_CHECK_COLUMNS)
    .select(['rc.n as live_n', 'rc.changes as live_changes'])
    .where('tk.hash', '=', hash),
);

/** What listWithToken read: the list itself, or the token and what the list reads first. */
export type ListWithToken =
  | { token: TokenWithProfile | undefined; total: number; rows: ResourceRecord[] }
  | { token: TokenWithProfile | undefined; live: LiveCount };

/**
 * listResources and the token whose hash is `tokenHash`, in one statement, for the lists that
 * can be read that way: a first page (no sort, no cursor) of an `eq` on a column unique per
 * org and type (`userName eq "…"`, the lookup every IdP makes before it creates a user), whose
 * matches are at most one. An unfiltered, unsorted listing (an IdP's import, page by page)
 * reads its live count with the token instead (`live`: pass it to listResources once the token
 * is admitted), its page after. Undefined for any other list: read the token, then the list.
 */
export async function listWithToken(
  db: Kysely<DB>,
  tokenHash: string,
  q: ListQuery,
): Promise<ListWithToken | undefined> {
  // PostgreSQL text cannot hold U+0000: no org is named so; the token is read alone.
  if (q.orgId.includes('\u0000')) return undefined;
  if (!q.filter && !q.sort && !q.keyset) {
    const [row] = (await tokenAndLiveCount(db, tokenHash, q.orgId, q.type)) as Record<string, unknown>[];
    if (!row) return { token: undefined, live: { n: 0, changes: 0 } };
    return {
      token: tokenOfCheckRow(row),
      live: { n: Number(row.live_n ?? 0), changes: Number(row.live_changes ?? 0) },
    };
  }
  if (!q.filter || q.sort || q.keyset || q.countOnly || q.offset > 0 || q.limit <= 0) return undefined;
  const lookup = simpleEquality(q.filter, { dialect: dialectOf(db), orgId: q.orgId, type: q.type });
  if (!lookup || lookup.kind === 'term' || (lookup.column !== 'r.id' && lookup.column !== 'r.user_name_lc')) {
    return undefined;
  }
  const { token, record } = await uniqueWithToken(
    db,
    lookup.column,
    tokenHash,
    q.orgId,
    q.type,
    lookup.value,
  );
  return { token, total: record ? 1 : 0, rows: record ? [record] : [] };
}

const lockedById = preparedQuery((db: Kysely<DB>, orgId: string, type: string, id: string) => {
  const query = selectLive(db, orgId, type as ResourceType, id);
  return dialectOf(db) === 'postgres' ? query.forUpdate() : query;
});

/**
 * lockedById, also reading the org's number of role rules (migration 0150) under a share lock
 * of the org's row: a rule's transaction updates that row before it reads memberships, so it
 * waits for this write's commit, or this read waits for the rule's commit and sees it.
 */
const lockedByIdWithRoleRules = preparedQuery((db: Kysely<DB>, orgId: string, type: string, id: string) => {
  const pg = dialectOf(db) === 'postgres';
  const query = selectLive(db, orgId, type as ResourceType, id).select(
    sql<number>`(select o.role_rules from orgs as o where o.id = r.org_id ${pg ? sql`for share` : sql``})`.as(
      'org_role_rules',
    ),
  );
  return pg ? query.forUpdate(['r']) : query;
});

const lockedByIdWithMembership = preparedQuery((db: Kysely<DB>, orgId: string, type: string, id: string) => {
  const query = selectLive(db, orgId, type as ResourceType, id).select(inGroups('r.pk'));
  return dialectOf(db) === 'postgres' ? query.forUpdate() : query;
});

/**
 * Reads the live resource and locks its row until the transaction ends (read-modify-write of
 * PATCH). PostgreSQL: SELECT … FOR UPDATE. SQLite: a plain read; its write transaction
 * already serialises writers. A User is read with its membership flag (`inGroups`): its ETag
 * covers its groups, which then need reading only when it is in one. A Group's is not read
 * (a Group's ETag is its version), so a member change of a group reads nothing more.
 */
export async function lockResource(
  tx: Kysely<DB>,
  orgId: string,
  type: ResourceType,
  id: string,
): Promise<ResourceRecord | undefined> {
  if (type === 'User') {
    const [row] = await lockedByIdWithMembership(tx, orgId, type, id);
    return row && withGroupFlag(row);
  }
  const [row] = await lockedById(tx, orgId, type, id);
  return row && toRecord(row);
}

/**
 * lockResource of a group, with the org's number of role rules as it stands under a share lock
 * of the org's row (held to the end of the transaction): 0 means that no rule can appear
 * before this transaction commits without seeing what it wrote.
 */
export async function lockGroupWithRoleRules(
  tx: Kysely<DB>,
  orgId: string,
  id: string,
): Promise<{ record: ResourceRecord; roleRules: number } | undefined> {
  const [row] = (await lockedByIdWithRoleRules(tx, orgId, 'Group', id)) as (Row & {
    org_role_rules: number | string;
  })[];
  return row && { record: toRecord(row), roleRules: Number(row.org_role_rules) };
}

/**
 * lockedByIdWithRoleRules of a group about to be deleted, which then also locks the live groups
 * directly containing it, in pk order (memberships.ts lockGroupsContaining), in the same
 * statement, after the group's own lock (a member before its groups: the CTEs run in that
 * order, `p` reading `r`). Those groups are found in the statement's snapshot: one that came
 * to contain the group while this waited for its lock is not locked beforehand, and the
 * delete's statement, which reads anew, still updates and unlinks it (lockGroupsContaining
 * only orders the locks). PostgreSQL only.
 */
const lockedGroupWithParents = preparedQuery((db: Kysely<DB>, orgId: string, id: string) =>
  db
    .with(
      (cte) => cte('r').materialized(),
      () =>
        selectLive(db, orgId, 'Group', id)
          .select(
            sql<number>`(select o.role_rules from orgs as o where o.id = r.org_id for share)`.as(
              'org_role_rules',
            ),
          )
          .forUpdate(['r']),
    )
    .with(
      (cte) => cte('p').materialized(),
      (qb) =>
        qb
          .selectFrom('resources as g')
          .select('g.pk')
          .where('g.pk', 'in', (eb) =>
            eb
              .selectFrom('memberships as m')
              .select('m.group_pk')
              .where('m.member_pk', 'in', (e2) => e2.selectFrom('r').select('r.pk')),
          )
          .orderBy('g.pk')
          .forUpdate(),
    )
    .selectFrom('r')
    .selectAll('r')
    .select(sql<number>`(select count(*) from p)`.as('parents_locked')),
);

/**
 * lockGroupWithRoleRules and, on PostgreSQL, lockGroupsContaining in one statement: what a
 * group's DELETE locks before it writes (directory/resources.ts delete).
 */
export async function lockGroupForDelete(
  tx: Kysely<DB>,
  orgId: string,
  id: string,
): Promise<{ record: ResourceRecord; roleRules: number } | undefined> {
  if (dialectOf(tx) !== 'postgres') return lockGroupWithRoleRules(tx, orgId, id);
  const [row] = (await lockedGroupWithParents(tx, orgId, id)) as (Row & {
    org_role_rules: number | string;
    parents_locked: unknown;
  })[];
  if (!row) return undefined;
  const { org_role_rules, parents_locked: _, ...resource } = row;
  return { record: toRecord(resource as Row), roleRules: Number(org_role_rules) };
}

/**
 * The indexed columns an UPDATE may leave out when their values stay, by what sets them (bit i
 * of a mask stands for SETS[i]); userName sets two.
 */
const SETS = ['userName', 'externalId', 'displayName', 'active', 'passwordHash'] as const;
type Settable = (typeof SETS)[number];
const COLUMNS: Record<Settable, readonly (keyof ResourcesTable)[]> = {
  userName: ['user_name', 'user_name_lc'],
  externalId: ['external_id'],
  displayName: ['display_name'],
  active: ['active'],
  passwordHash: ['password_hash'],
};

const updates = new Map<number, ReturnType<typeof preparedQuery>>();

/**
 * The UPDATE of updateResource, compiled once per set of changed indexed columns: SQLite
 * rewrites the entries of every index on a column that is SET, changed or not, so a PATCH of
 * a title leaves userName's and externalId's indexes alone. Arguments: pk, expected version
 * (-1: any; versions start at 1), doc, lastModified, then the values of the mask's columns in
 * SETS and COLUMNS order.
 */
function preparedUpdate(mask: number) {
  let update = updates.get(mask);
  if (update) return update;
  update = preparedQuery((db: Kysely<DB>, ...a: (string | number | null)[]) => {
    const values: Record<string, unknown> = {
      doc: a[2],
      last_modified: a[3],
      version: sql<number>`version + 1`,
    };
    let next = 4;
    SETS.forEach((set, i) => {
      if (mask & (1 << i)) for (const column of COLUMNS[set]) values[column] = a[next++];
    });
    return db
      .updateTable('resources')
      .set(values)
      .where('pk', '=', a[0] as number)
      .where('deleted_at', 'is', null)
      .where(sql<SqlBool>`(${a[1]} = -1 or version = ${a[1]})`)
      .returningAll();
  });
  updates.set(mask, update);
  return update;
}

/**
 * The indexed columns an update writes, as a mask over SETS, with their values in SETS and
 * COLUMNS order (`columns` names them): with `previous`, only those whose values change; the
 * password hash only when the change gives one.
 */
export function changedColumns(
  changes: ResourceChanges,
  previous?: Pick<ResourceRecord, 'userName' | 'externalId' | 'displayName' | 'active' | 'passwordHash'>,
): { mask: number; columns: string[]; values: (string | number | null)[] } {
  // The values of each settable's columns, and what is stored (compared in the same form).
  const active = activeValue(changes.active);
  const given: Record<Settable, (string | number | null)[]> = {
    userName: [changes.userName, changes.userName === null ? null : changes.userName.toLowerCase()],
    externalId: [changes.externalId],
    displayName: [changes.displayName],
    active: [active],
    passwordHash: [changes.passwordHash ?? null],
  };
  const stored: Record<Settable, unknown> | undefined = previous && {
    userName: previous.userName,
    externalId: previous.externalId,
    displayName: previous.displayName,
    active: activeValue(previous.active),
    passwordHash: previous.passwordHash,
  };
  let mask = 0;
  const columns: string[] = [];
  const values: (string | number | null)[] = [];
  SETS.forEach((set, i) => {
    // The password is kept when the change leaves it out; without `previous`, every other
    // indexed column is written.
    if (set === 'passwordHash' && changes.passwordHash === undefined) return;
    if (stored && given[set][0] === stored[set]) return;
    mask |= 1 << i;
    columns.push(...COLUMNS[set]);
    values.push(...given[set]);
  });
  return { mask, columns, values };
}

/**
 * Replaces a live resource's indexed columns, document and terms; version + 1. With
 * `expectedVersion`, a different current version raises StoreVersionMismatch (nothing is
 * written). A missing or deleted resource raises StoreNotFound; a taken userName StoreConflict.
 */
export async function updateResource(
  db: Kysely<DB>,
  pk: number,
  changes: ResourceChanges,
  expectedVersion?: number,
  /** The stored values of the indexed columns, when the caller has them: unchanged ones are not written. */
  previous?: Pick<ResourceRecord, 'userName' | 'externalId' | 'displayName' | 'active' | 'passwordHash'>,
): Promise<ResourceRecord> {
  return inTransaction(db, async (tx) => {
    const update = updateStatement(tx, pk, changes, expectedVersion, previous);
    const [row] = (await withConflictMapping(() =>
      tx.executeQuery(CompiledQuery.raw(update.sql, update.parameters)).then((r) => r.rows),
    )) as Row[];
    if (!row) return notUpdated(tx, pk, expectedVersion);
    await replaceTerms(tx, row.org_id, pk, changes.terms);
    return toRecord(row);
  });
}

/**
 * updateResource run synchronously, statement by statement, through `run` (a write on
 * SQLite's writer: sqlite-driver.ts writeInGroup), with the same statements.
 */
export function updateResourceSync(
  db: Kysely<DB>,
  run: SyncRun,
  pk: number,
  changes: ResourceChanges,
  expectedVersion: number,
  previous: Pick<ResourceRecord, 'userName' | 'externalId' | 'displayName' | 'active' | 'passwordHash'>,
): ResourceRecord {
  const update = updateStatement(db, pk, changes, expectedVersion, previous);
  let row: Row | undefined;
  try {
    [row] = run(update.sql, update.parameters) as Row[];
  } catch (error) {
    throw mapStoreError(error);
  }
  if (!row) {
    const version = liveVersion.bind(db, pk);
    const [current] = run(version.sql, version.parameters) as { version: number }[];
    throw notUpdatedError(pk, current, expectedVersion);
  }
  const read = storedTerms.bind(db, pk);
  const stored = run(read.sql, read.parameters) as IndexTerm[];
  for (const q of termChanges(db, row.org_id, pk, stored, changes.terms)) run(q.sql, q.parameters);
  return toRecord(row, changes.doc);
}

/** The UPDATE of updateResource: the document, version + 1, and the indexed columns that change. */
function updateStatement(
  db: Kysely<DB>,
  pk: number,
  changes: ResourceChanges,
  expectedVersion: number | undefined,
  previous:
    | Pick<ResourceRecord, 'userName' | 'externalId' | 'displayName' | 'active' | 'passwordHash'>
    | undefined,
): BoundQuery {
  const { mask, values } = changedColumns(changes, previous);
  return preparedUpdate(mask).bind(
    db,
    pk,
    expectedVersion ?? -1,
    JSON.stringify(changes.doc),
    changes.lastModified,
    ...values,
  );
}

const liveVersion = preparedQuery((db: Kysely<DB>, pk: number) =>
  db.selectFrom('resources').select('version').where('pk', '=', pk).where('deleted_at', 'is', null),
);

/**
 * Why an UPDATE guarded by pk, liveness and version wrote no row, from the live version read
 * after it: StoreVersionMismatch when the resource is live at another version, else
 * StoreNotFound.
 */
function notUpdatedError(
  pk: number,
  current: { version: number } | undefined,
  expectedVersion?: number,
): Error {
  if (current && expectedVersion !== undefined)
    return new StoreVersionMismatch(expectedVersion, current.version);
  return new StoreNotFound(`resource ${pk}`);
}

/** notUpdatedError, read through `db`. */
export async function notUpdated(db: Kysely<DB>, pk: number, expectedVersion?: number): Promise<never> {
  const [current] = await liveVersion(db, pk);
  throw notUpdatedError(pk, current as { version: number } | undefined, expectedVersion);
}

/**
 * Deletes a resource as a tombstone: `deleted_at` set, userName freed, terms and memberships
 * removed, and a new version for each group it was in; the row and its document stay for
 * the audit trail. Returns whether a live resource was deleted.
 */
export async function deleteResource(
  db: Kysely<DB>,
  orgId: string,
  type: ResourceType,
  id: string,
  deletedAt: string,
): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const update = tx
      .updateTable('resources')
      .set({ deleted_at: deletedAt, user_name_lc: null })
      .where('deleted_at', 'is', null);
    // On PostgreSQL the row is found on the unique index whatever the statistics (uniqueRow).
    const row = await (dialectOf(tx) === 'postgres'
      ? update.where('pk', '=', uniquePk(orgId, type, 'id', id))
      : update.where('org_id', '=', orgId).where('type', '=', type).where('id', '=', id)
    )
      .returning('pk')
      .executeTakeFirst();
    if (!row) return false;
    await adjustCount(tx, orgId, type, -1);
    const pk = Number(row.pk);
    await tx.deleteFrom('resource_terms').where('resource_pk', '=', pk).execute();
    // The groups it was a member of lose a member: their representation changes, so their
    // version (the ETag) and lastModified do too, as on any other membership change.
    await touchGroupsContaining(tx, pk, deletedAt);
    await tx
      .deleteFrom('memberships')
      .where((eb) => eb.or([eb('group_pk', '=', pk), eb('member_pk', '=', pk)]))
      .execute();
    return true;
  });
}

/**
 * Gives the groups that directly contain resource `pk` a new version and lastModified: their
 * representation changed without a write of their own (the member left, or its `display`
 * changed). One statement, over the memberships_member_idx index. On PostgreSQL the groups are
 * locked in pk order first (as lockGroupsContaining does): the UPDATE alone locks them in
 * whatever order its plan reads them, and two members of the same groups renamed at once
 * deadlocked, each time costing deadlock_timeout (1 s) before the retry, and a 500 when all
 * three attempts did.
 */
export async function touchGroupsContaining(db: Kysely<DB>, pk: number, lastModified: string): Promise<void> {
  const groups = db.selectFrom('memberships').select('group_pk').where('member_pk', '=', pk);
  await db
    .updateTable('resources')
    .set({ version: sql<number>`version + 1`, last_modified: lastModified })
    .where(
      'pk',
      'in',
      dialectOf(db) === 'postgres'
        ? db
            .selectFrom('resources as g')
            .select('g.pk')
            .where('g.pk', 'in', groups)
            .orderBy('g.pk')
            .forUpdate()
        : groups,
    )
    .execute();
}

/**
 * The two statements of listResources (count, then one page), exposed so that tests can
 * check their query plans. A keyset page reads one row more than `limit`, to know whether
 * another page follows, and selects its sort key as `sort_key` for the next position.
 */
export function listQueries(db: Kysely<DB>, q: ListQuery) {
  const ctx: FilterContext = { dialect: dialectOf(db), orgId: q.orgId, type: q.type };
  const where = q.filter ? compileFilter(q.filter, ctx) : sql<SqlBool>`1 = 1`;
  const key = q.sort ? sortKey(q.sort.attr) : undefined;
  // A filter that requires `userName eq` (or `id eq`) matches one row at most: on PostgreSQL
  // it is read on that column's unique index (uniqueRow), not in the live index's order, in
  // which the planner, without statistics, walked every live row of the org to find it.
  const unique = q.filter && !key && ctx.dialect === 'postgres' ? uniqueConjunct(q.filter, ctx) : undefined;
  const rows = unique
    ? uniqueLive(db, q.orgId, q.type, unique.column === 'r.id' ? 'id' : 'user_name_lc', unique.value)
    : liveRows(db, q.orgId, q.type);
  const base = rows.where(where);
  const driver =
    !unique && !key && q.filter && ctx.dialect === 'postgres'
      ? (selectiveDriverSet(q.filter, ctx) ?? narrowingDriverSet(q.filter, ctx))
      : undefined;
  if (driver) return drivenQueries(db, driver.set, driver.rest, q);

  const count = base.select((eb) => eb.fn.countAll<number>().as('n'));
  const descending = q.sort?.descending ?? false;
  const direction = descending ? 'desc' : 'asc';
  const ordered = <O>(query: LiveQuery<O>) => orderLive(query, key, descending);
  let page = rows.select(R_COLUMNS).select(inGroups('r.pk')).where(where);
  if (q.keyset) {
    if (key) page = page.select(key.as('sort_key'));
    if (q.keyset.after) page = page.where(keysetAfter(key, descending, q.keyset.after));
  }
  if (!unique) page = ordered(page).orderBy('r.pk', direction);
  if (q.keyset) return { count, page: page.limit(q.limit + 1) };
  if (q.offset <= 0) return { count, page: page.limit(q.limit) };
  // A deep page: find its keys on the index first (OFFSET over keys only), then read only
  // those rows; OFFSET over whole rows would read (and parse) every skipped document. The
  // keys are a MATERIALIZED CTE, found once, and the rows are joined to them by primary key
  // alone: as `pk IN (keys)` beside the org's conditions, PostgreSQL, whose estimate for
  // three equalities on a never-analysed table is one row, ran the keys' OFFSET once per
  // live row of the org (280 s for startIndex=19001 on 20,000 users).
  const keys = ordered(base.select('r.pk')).orderBy('r.pk', direction).limit(q.limit).offset(q.offset);
  let deep = db
    .with(
      (cte) => cte('k').materialized(),
      () => keys,
    )
    .selectFrom('k')
    .innerJoin('resources as r', 'r.pk', 'k.pk')
    .select(R_COLUMNS)
    .select(inGroups('r.pk'));
  deep = key ? deep.orderBy(key, (ob) => (descending ? ob.desc().nullsFirst() : ob.asc().nullsLast())) : deep;
  return { count, page: deep.orderBy('r.pk', direction).limit(q.limit) };
}

type LiveQuery<O> = SelectQueryBuilder<DB & { r: ResourcesTable }, 'r', O>;

/**
 * listQueries on PostgreSQL for a filter with a selective condition (selectiveDriverSet:
 * `externalId eq "…" and active eq true`, `emails[type eq "work" and value eq "…"]`), or
 * else one that narrows on an index (narrowingDriverSet: `userName sw "…"`, `groups.value eq
 * "…"`): the pks that condition matches, read over its own index as a MATERIALIZED CTE, then
 * those rows by primary key, in the page's order, checked against the whole filter. Given the
 * whole filter, in the live index's order or in none, PostgreSQL, on tables never analysed,
 * took three equalities of (org_id, type, deleted_at) for one row, read the org's every live
 * row on that index and checked the filter on each (41 ms at 100,000 users against 6.5 ms at
 * 100; bench/filter-shapes.ts).
 */
function drivenQueries(
  db: Kysely<DB>,
  driver: RawBuilder<unknown>,
  rest: RawBuilder<SqlBool> | undefined,
  q: ListQuery,
) {
  const direction = q.sort?.descending ? 'desc' : 'asc';
  // `sorted`: the pks in the page's order first (a subquery that OFFSET 0 keeps whole, so that
  // its order carries through the join), each row then looked up in that order, so that a
  // page stops at its last row: sorted after the lookups, every match of a large set (a range
  // such as `userName sw "a"`) was read before the first row of the page.
  const matching = (sorted: boolean) =>
    db
      .with(
        (cte) => cte('driven(pk)').materialized(),
        () => sql`(${driver})` as unknown as SelectQueryBuilder<DB, never, { pk: number }>,
      )
      .selectFrom((eb) =>
        eb
          .selectFrom('driven')
          .select('driven.pk')
          .$if(sorted, (qb) => qb.orderBy('driven.pk', direction).offset(0))
          .as('d'),
      )
      // Each by its primary key, as a lateral subquery that OFFSET 0 keeps from being merged
      // into the join: the only index the lookup can use is the primary key's.
      .innerJoinLateral(
        (eb) =>
          eb.selectFrom('resources as r').selectAll('r').whereRef('r.pk', '=', 'd.pk').offset(0).as('r'),
        (join) => join.onTrue(),
      )
      .where('r.org_id', '=', q.orgId)
      .where('r.type', '=', q.type)
      .where('r.deleted_at', 'is', null)
      .$if(rest !== undefined, (qb) => qb.where(rest as RawBuilder<SqlBool>));
  const count = matching(false).select((eb) => eb.fn.countAll<number>().as('n'));
  let page = matching(true).select(R_COLUMNS).select(inGroups('r.pk'));
  if (q.keyset?.after) page = page.where(keysetAfter(undefined, direction === 'desc', q.keyset.after));
  page = page.orderBy('d.pk', direction);
  if (q.keyset) return { count, page: page.limit(q.limit + 1) };
  return { count, page: q.offset > 0 ? page.limit(q.limit).offset(q.offset) : page.limit(q.limit) };
}

/**
 * A listing's order before its tie-break on pk: the sort key, if any; else the live index's
 * own order, whose leading columns the WHERE fixes. PostgreSQL does not take
 * `deleted_at IS NULL` for an equality, so `ORDER BY pk` alone made it read and sort every
 * live row of the org on tables never analysed, where it cannot tell that a scan of the
 * primary key would stop early; in the index's order it reads the page's entries and stops,
 * whatever the statistics.
 */
function orderLive<O>(query: LiveQuery<O>, key: RawBuilder<unknown> | undefined, descending: boolean) {
  if (key) return query.orderBy(key, (ob) => (descending ? ob.desc().nullsFirst() : ob.asc().nullsLast()));
  const direction = descending ? 'desc' : 'asc';
  return query.orderBy('r.org_id', direction).orderBy('r.type', direction).orderBy('r.deleted_at', direction);
}

/** An org's live resources of one type, as `r`. */
function liveRows(db: Kysely<DB>, orgId: string, type: string) {
  return db
    .selectFrom('resources as r')
    .where('r.org_id', '=', orgId)
    .where('r.type', '=', type as ResourceType)
    .where('r.deleted_at', 'is', null);
}

/**
 * A batch of the org's live users in pk order, after `afterPk` (0: from the start): a walk of
 * every user that holds at most `limit` in memory at a time. Read in the live index's order
 * (orderLive), so each batch reads its own entries whatever the statistics.
 */
export async function liveUsersAfter(
  db: Kysely<DB>,
  orgId: string,
  afterPk: number,
  limit: number,
): Promise<ResourceRecord[]> {
  const rows = await liveRows(db, orgId, 'User')
    .select(R_COLUMNS)
    .where('r.pk', '>', afterPk)
    .orderBy('r.org_id')
    .orderBy('r.type')
    .orderBy('r.deleted_at')
    .orderBy('r.pk')
    .limit(limit)
    .execute();
  return rows.map((r) => toRecord(r as Row));
}

/** liveRows with whole rows and their membership flag, as a page of a list is read. */
function livePage(db: Kysely<DB>, orgId: string, type: string) {
  return liveRows(db, orgId, type).select(R_COLUMNS).select(inGroups('r.pk'));
}

/** The first page of an `eq` lookup on a column, one statement per column, compiled once. */
const byColumn = Object.fromEntries(
  (['r.external_id', 'r.user_name'] as const).map((column) => [
    column,
    preparedQuery((db: Kysely<DB>, orgId: string, type: string, value: string, limit: number) =>
      livePage(db, orgId, type).where(column, '=', value).orderBy('r.pk').limit(limit),
    ),
  ]),
) as Record<'r.external_id' | 'r.user_name', ReturnType<typeof preparedQuery>>;

/** The same on a term column; the path is a parameter. */
const byTerm = Object.fromEntries(
  (['t.str', 't.lc', 't.num'] as const).map((column) => [
    column,
    preparedQuery(
      (db: Kysely<DB>, orgId: string, type: string, path: string, value: string | number, limit: number) =>
        livePage(db, orgId, type)
          .where(
            sql<SqlBool>`${sql.ref('r.pk')} in (select t.resource_pk from resource_terms as t where t.org_id = ${orgId} and t.path = ${path} and ${sql.ref(column)} = ${value})`,
          )
          .orderBy('r.pk')
          .limit(limit),
    ),
  ]),
) as Record<Extract<SimpleEquality, { kind: 'term' }>['column'], ReturnType<typeof preparedQuery>>;

/**
 * id and the lower-cased userName are unique per org and type (tombstones clear the userName):
 * at most one row, so no ORDER BY … LIMIT, for which SQLite sets up a sorter that costs more
 * than the lookup.
 */
const byUniqueColumn = {
  'r.id': preparedQuery((db: Kysely<DB>, orgId: string, type: string, value: string) =>
    uniqueLive(db, orgId, type, 'id', value).select(R_COLUMNS).select(inGroups('r.pk')),
  ),
  'r.user_name_lc': preparedQuery((db: Kysely<DB>, orgId: string, type: string, value: string) =>
    uniqueLive(db, orgId, type, 'user_name_lc', value).select(R_COLUMNS).select(inGroups('r.pk')),
  ),
};

/** How many matches (tombstones too) byExternalId reads at most; more, and the general statement answers. */
const EXTERNAL_ID_CAP = 1001;

/**
 * PostgreSQL: the resources whose externalId is `value`, live or not, at most EXTERNAL_ID_CAP of
 * them, in pk order. `external_id = $1 ORDER BY pk LIMIT n` reads every live row of the org on tables never
 * analysed: the planner takes the live index, already in pk order, for a scan that stops early
 * (test/store/unanalysed-lookups.test.ts). As uniquePk does, the matches are found by comparing
 * the whole (org_id, type, external_id) key as a row, in that index's order, with a literal LIMIT,
 * so that only that index can yield them without a sort; the rows are then read by pk.
 */
const byExternalId = preparedQuery((db: Kysely<DB>, orgId: string, type: string, value: string) => {
  const key = sql`(${sql.ref('u.org_id')}, ${sql.ref('u.type')}, ${sql.ref('u.external_id')})`;
  const wanted = sql`(${orgId}, ${type}, ${value})`;
  const pks = db
    .selectFrom('resources as u')
    .select('u.pk')
    .where(sql<SqlBool>`${key} >= ${wanted}`)
    // Equal as well: a row comparison's upper bound would not stop the scan (uniquePk).
    .where(sql<SqlBool>`${key} = ${wanted}`)
    .orderBy('u.org_id')
    .orderBy('u.type')
    .orderBy('u.external_id')
    .limit(sql.lit(EXTERNAL_ID_CAP)); // a literal: a generic plan takes a parameter's LIMIT for 10 % of the rows
  // Tombstones too (they keep their externalId): `deleted_at IS NULL` here made the live index
  // look better again, and the caller must see whether the cap was reached.
  return db
    .selectFrom('resources as r')
    .select(R_COLUMNS)
    .select(inGroups('r.pk'))
    .where(sql<SqlBool>`${sql.ref('r.pk')} = any(array(${pks}))`)
    .orderBy('r.pk');
});

async function equalityPage(db: Kysely<DB>, e: SimpleEquality, orgId: string, type: string, limit: number) {
  if (e.kind === 'column' && e.column === 'r.external_id' && dialectOf(db) === 'postgres') {
    const rows = (await byExternalId(db, orgId, type, e.value)) as (Row & { in_groups?: unknown })[];
    if (rows.length < EXTERNAL_ID_CAP) return rows.filter((r) => r.deleted_at === null).slice(0, limit);
  }
  const rows =
    e.kind === 'term'
      ? await byTerm[e.column](db, orgId, type, e.path, e.value, limit)
      : e.column === 'r.id' || e.column === 'r.user_name_lc'
        ? await byUniqueColumn[e.column](db, orgId, type, e.value)
        : await byColumn[e.column](db, orgId, type, e.value, limit);
  return rows as (Row & { in_groups?: unknown })[];
}

/** A row read with inGroups(): the record and its membership flag. */
export function withGroupFlag(row: Row & { in_groups?: unknown }): ResourceRecord {
  // toRecord picks its columns by name: the row needs no copy without in_groups, nor the
  // record another copy with it (every read of a resource comes through here).
  const record = toRecord(row);
  record.inGroups = Boolean(row.in_groups);
  return record;
}

/** The largest offset listResources sends with a page before it knows the total. */
const MAX_SENT_OFFSET = 2 ** 31 - 1;

/**
 * Lists live resources of one type (RFC 7644 §3.4.2): filtered (§3.4.2.2) in the database,
 * sorted (§3.4.2.3; NULLs last ascending, first descending; ties and the default by
 * creation order), paged by offset/limit (§3.4.2.4) or, with `keyset`, after a position
 * (RFC 9865 cursors; `next` is set when another page follows). `total` counts every match.
 */
export async function listResources(
  db: Kysely<DB>,
  q: ListQuery,
): Promise<{ total: number; rows: ResourceRecord[]; next?: KeysetPosition }> {
  if (q.filter && !q.sort && !q.keyset && !q.countOnly && q.offset <= 0 && q.limit > 0) {
    const lookup = simpleEquality(q.filter, { dialect: dialectOf(db), orgId: q.orgId, type: q.type });
    if (lookup) {
      // As below: a first page that is not full holds every match. A full one is the page the
      // general query reads (in pk order): only the count is missing.
      const rows = await equalityPage(db, lookup, q.orgId, q.type, q.limit);
      if (rows.length < q.limit) return { total: rows.length, rows: rows.map(withGroupFlag) };
      const { count } = listQueries(db, q);
      const total = Number(((await longRead(db, count, q.signal))[0] as { n: unknown }).n);
      return { total, rows: rows.map(withGroupFlag) };
    }
  }
  if (!q.filter && !q.sort && !q.keyset) {
    // In creation order: a startIndex page whose start is remembered seeks to it.
    const { n: total, changes } = q.live ?? (await liveCount(db, q.orgId, q.type));
    if (q.countOnly || q.limit <= 0 || q.offset >= total) return { total, rows: [] };
    const after = q.offset > 0 ? pageStarts.get(db)?.get(pageStartKey(q, changes, q.offset)) : undefined;
    const read = after === undefined ? q : { ...q, offset: 0, keyset: { after: { key: null, pk: after } } };
    const rows = (await listQueries(db, read).page.execute()).slice(0, q.limit);
    const last = rows.at(-1);
    if (last && rows.length === q.limit) {
      rememberPageStart(db, pageStartKey(q, changes, q.offset + rows.length), Number(last.pk));
    }
    return { total, rows: rows.map(withGroupFlag) };
  }
  const { count, page } = listQueries(db, q);
  const rowsOf = (query: Compilable) =>
    longRead(db, query, q.signal) as Promise<(Row & { in_groups?: unknown })[]>;
  const countOf = async () => Number(((await longRead(db, count, q.signal))[0] as { n: unknown }).n);
  // The usual IdP lookup (`userName eq "…"`) matches one resource or none: when the first page
  // is not full it holds every match, and a separate count would only repeat the search.
  if (q.filter && !q.keyset && !q.countOnly && q.offset <= 0 && q.limit > 0) {
    const rows = await rowsOf(page);
    if (rows.length < q.limit) return { total: rows.length, rows: rows.map(withGroupFlag) };
    return { total: await countOf(), rows: rows.map(withGroupFlag) };
  }
  if (
    !q.keyset &&
    !q.countOnly &&
    q.limit > 0 &&
    q.offset <= MAX_SENT_OFFSET &&
    dialectOf(db) === 'postgres'
  ) {
    // A page that needs its total (any but the first page of a filter, whose count is made only
    // when the page is full, above): the count rides in the page's statement, one round trip
    // instead of two. An empty page carries no row to hold it: then it is counted apart. (A
    // startIndex beyond any org's size, which may exceed PostgreSQL's bigint, is never sent:
    // it is counted, and answered empty, below.)
    const total = q.filter
      ? count
      : db
          .selectFrom('resource_counts as rc')
          .select('rc.n')
          .where('rc.org_id', '=', q.orgId)
          .where('rc.type', '=', q.type);
    const found = (await rowsOf(
      db.selectFrom(page.as('p')).selectAll('p').select(total.as('list_total')),
    )) as (Row & { in_groups?: unknown; list_total?: unknown })[];
    if (found.length > 0) {
      const n = Number(found[0]?.list_total ?? 0);
      return { total: n, rows: found.map(({ list_total: _, ...row }) => withGroupFlag(row)) };
    }
  }
  const total = q.filter ? await countOf() : (await liveCount(db, q.orgId, q.type)).n;
  if (q.countOnly || q.limit <= 0) return { total, rows: [] };
  if (!q.keyset) {
    if (q.offset >= total) return { total, rows: [] };
    const rows = await rowsOf(page);
    return { total, rows: rows.map(withGroupFlag) };
  }
  const found = (await rowsOf(page)) as (Row & { sort_key?: string | number | null })[];
  const rows = found.slice(0, q.limit);
  const last = rows.at(-1);
  if (found.length <= q.limit || !last) return { total, rows: rows.map(withGroupFlag) };
  return { total, rows: rows.map(withGroupFlag), next: { key: last.sort_key ?? null, pk: Number(last.pk) } };
}

/**
 * A search over several resource types at once (RFC 7644 §3.4.3 at the service root): one
 * statement over the org's live rows of those types, each type with its own filter (a filter's
 * attributes resolve differently per type). Ordered by `sort` (its key per type: a type
 * without the attribute sorts as if unassigned) and then by pk, i.e. in creation order across
 * types; paged by offset or keyset like listResources.
 */
export interface SearchQuery extends Omit<ListQuery, 'type' | 'filter' | 'sort'> {
  /** Each type searched, with its filter (undefined: every live resource of the type). */
  types: ReadonlyMap<ResourceType, FilterNode | undefined>;
  sort?: { attrs: ReadonlyMap<ResourceType, AttrRef>; descending: boolean };
}

export async function searchResources(
  db: Kysely<DB>,
  q: SearchQuery,
): Promise<{ total: number; rows: ResourceRecord[]; next?: KeysetPosition }> {
  if (q.types.size === 0) return { total: 0, rows: [] };
  const dialect = dialectOf(db);
  const branches = [...q.types].map(([type, filter]) => {
    const only = sql<SqlBool>`${sql.ref('r.type')} = ${type}`;
    return filter
      ? sql<SqlBool>`(${only} and ${compileFilter(filter, { dialect, orgId: q.orgId, type })})`
      : only;
  });
  const where = sql<SqlBool>`(${sql.join(branches, sql` or `)})`;
  const live = db
    .selectFrom('resources as r')
    .where('r.org_id', '=', q.orgId)
    .where('r.deleted_at', 'is', null)
    .where(where);
  const key = q.sort ? searchSortKey(q.sort.attrs) : undefined;
  const descending = q.sort?.descending ?? false;
  const direction = descending ? 'desc' : 'asc';
  let page = live.select(R_COLUMNS).select(inGroups('r.pk'));
  if (q.keyset) {
    if (key) page = page.select(key.as('sort_key'));
    if (q.keyset.after) page = page.where(keysetAfter(key, descending, q.keyset.after));
  }
  if (key) page = page.orderBy(key, (ob) => (descending ? ob.desc().nullsFirst() : ob.asc().nullsLast()));
  page = page.orderBy('r.pk', direction).limit(q.keyset ? q.limit + 1 : q.limit);
  let read: Compilable = page.offset(q.keyset ? 0 : q.offset);
  if (!key) {
    // Without a sort the order is pk across the types. Each type's keys come from the live
    // index in its own order ((org_id, type, deleted_at, pk): the page's entries and no more,
    // whatever the statistics, as listQueries reads them), merged by pk; then the page's rows
    // by primary key alone. As one query over `type = 'User' or type = 'Group'`, PostgreSQL,
    // on tables never analysed, read and sorted the whole org for a first page, and OFFSET
    // read (and sent) every skipped document.
    const take = (q.keyset ? 0 : q.offset) + q.limit + (q.keyset ? 1 : 0);
    const branches = [...q.types].map(([type, filter]) => {
      // `userName eq` (or `id eq`): at most one row, on its unique index (as in listQueries).
      const unique =
        filter && dialect === 'postgres'
          ? uniqueConjunct(filter, { dialect, orgId: q.orgId, type })
          : undefined;
      let keys = (
        unique
          ? uniqueLive(db, q.orgId, type, unique.column === 'r.id' ? 'id' : 'user_name_lc', unique.value)
          : liveRows(db, q.orgId, type)
      ).select('r.pk');
      if (filter) keys = keys.where(compileFilter(filter, { dialect, orgId: q.orgId, type }));
      if (q.keyset?.after) keys = keys.where(keysetAfter(undefined, descending, q.keyset.after));
      if (unique) return keys;
      return orderLive(keys, undefined, descending).orderBy('r.pk', direction).limit(take);
    });
    const merged = sql.join(
      branches.map((b, i) => sql`select ${sql.ref(`b${i}.pk`)} as pk from (${b}) as ${sql.ref(`b${i}`)}`),
      sql` union all `,
    );
    read = db
      .with(
        (cte) => cte('k').materialized(),
        (w) =>
          w
            .selectFrom(sql<{ pk: number }>`(${merged})`.as('u'))
            .select('u.pk')
            .orderBy('u.pk', direction)
            .limit(q.keyset ? q.limit + 1 : q.limit)
            .offset(q.keyset ? 0 : q.offset),
      )
      .selectFrom('k')
      .innerJoin('resources as r', 'r.pk', 'k.pk')
      .select(R_COLUMNS)
      .select(inGroups('r.pk'))
      .orderBy('r.pk', direction);
  }

  const readPage = async () =>
    (await longRead(db, read, q.signal)) as (Row & {
      in_groups?: unknown;
      sort_key?: string | number | null;
    })[];
  const answer = (total: number, found: Awaited<ReturnType<typeof readPage>>) => {
    const rows = found.slice(0, q.limit);
    const last = rows.at(-1);
    if (!q.keyset || found.length <= q.limit || !last) return { total, rows: rows.map(withGroupFlag) };
    return {
      total,
      rows: rows.map(withGroupFlag),
      next: { key: last.sort_key ?? null, pk: Number(last.pk) },
    };
  };
  const filtered = [...q.types.values()].some((f) => f !== undefined);
  const countAll = async () =>
    filtered
      ? Number(
          (
            (
              await longRead(
                db,
                live.select((eb) => eb.fn.countAll<number>().as('n')),
                q.signal,
              )
            )[0] as { n: unknown }
          ).n,
        )
      : // Unfiltered: the live counts of each type (resource_counts), as an unfiltered list reads them.
        (await Promise.all([...q.types.keys()].map((type) => liveCount(db, q.orgId, type)))).reduce(
          (n, c) => n + c.n,
          0,
        );
  // A first page that is not full holds every match: no count (the usual search finds a few).
  const first = q.keyset ? q.keyset.after === undefined : q.offset <= 0;
  if (filtered && first && !q.countOnly && q.limit > 0) {
    const found = await readPage();
    if (found.length < q.limit || (q.keyset && found.length <= q.limit)) return answer(found.length, found);
    return answer(await countAll(), found);
  }
  const total = await countAll();
  if (q.countOnly || q.limit <= 0 || (!q.keyset && q.offset >= total)) return { total, rows: [] };
  return answer(total, await readPage());
}

/** The sort key of a search over several types: the attribute's key per type that has it. */
function searchSortKey(attrs: ReadonlyMap<ResourceType, AttrRef>): RawBuilder<unknown> | undefined {
  const keys = [...attrs].map(([type, attr]) => ({
    type,
    key: attr.path === 'meta.resourceType' ? sql`${sql.ref('r.type')}` : sortKey(attr),
  }));
  const cases = keys.filter(
    (k): k is { type: ResourceType; key: RawBuilder<unknown> } => k.key !== undefined,
  );
  if (cases.length === 0) return undefined;
  const whens = cases.map((k) => sql`when ${sql.ref('r.type')} = ${k.type} then ${k.key}`);
  return sql`(case ${sql.join(whens, sql` `)} end)`;
}

interface Compilable {
  compile(): CompiledQuery;
}

/**
 * Runs a read that may take long (a filter or sort over the whole org), stopped when `signal`
 * aborts: on SQLite in a read process (read-process.ts), on PostgreSQL on a pool client whose
 * backend is told to cancel it (pg-long-reads.ts). In a transaction or on `:memory:`, here
 * (PostgreSQL's statement_timeout mapped to StoreCancelled).
 */
async function longRead(
  db: Kysely<DB>,
  query: Compilable,
  signal: AbortSignal | undefined,
): Promise<unknown[]> {
  throwIfAborted(signal);
  const compiled = query.compile();
  const reads = longReads(db);
  if (reads) return reads.all(compiled.sql, compiled.parameters, signal);
  try {
    return (await db.executeQuery(compiled)).rows;
  } catch (error) {
    throw mapCancelled(error);
  }
}
