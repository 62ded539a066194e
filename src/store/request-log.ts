/**
 * The request log (migration 0004): one row per SCIM request, written in batches after the
 * responses went out (src/http/request-log.ts), read newest first with filters, pruned by age
 * and by a per-org row cap. Also the few reads the failure hints need (who holds a userName,
 * what happened to a token or a resource), so that the hint writer stays free of SQL.
 */
import { CompiledQuery, type Kysely, sql } from 'kysely';
import { dialectOf } from './db.ts';
import { nameStatement } from './pg-statements.ts';
import { preparedInsert } from './prepared.ts';
import type { DB, RequestLogTable } from './schema.ts';
import { writeNow } from './sqlite-driver.ts';

export interface RequestLogEntry {
  orgId: string;
  /** ISO-8601 time the request arrived. */
  at: string;
  requestId: string | null;
  tokenId: string | null;
  method: string;
  /** Path with query string. */
  path: string;
  status: number;
  durationMs: number;
  scimType: string | null;
  idp: string | null;
  userAgent: string | null;
  requestBody: string | null;
  responseBody: string | null;
  hint: string | null;
  /** Names of the IdP quirks applied; null when the request did not say. */
  quirks: string[] | null;
}

export interface RequestLogRecord extends RequestLogEntry {
  id: number;
}

export interface RequestLogQuery {
  orgId: string;
  /** A class (`2xx`, `4xx`, `5xx`, …) or an exact status code. */
  status?: { class: number } | { code: number } | undefined;
  /** The path (with query) contains this text, case-sensitively. */
  pathContains?: string | undefined;
  /** The path (with query) starts with this text. */
  pathPrefix?: string | undefined;
  /** ISO-8601 bounds on `at`: since inclusive, until exclusive. */
  since?: string | undefined;
  until?: string | undefined;
  /** Most rows returned (default 100). */
  limit?: number | undefined;
  /** Keyset paging: only rows before this one in the log's order (newest first). */
  before?: { at: string; id: number } | undefined;
  /** Read the request and response bodies too (default true); without them they come back null. */
  withBodies?: boolean | undefined;
}

/**
 * Rows per INSERT statement (15 columns each, well inside SQLite's and PostgreSQL's parameter
 * limits). A flush writes whatever queued since the last one, often a little over FLUSH_ROWS.
 */
const INSERT_CHUNK = 100;
/** Rows per DELETE statement while pruning, so a large prune never holds SQLite's write lock for long. */
const DELETE_CHUNK = 5000;

function toRow(e: RequestLogEntry): Omit<RequestLogTable, 'id'> {
  return {
    org_id: e.orgId,
    at: e.at,
    request_id: e.requestId,
    token_id: e.tokenId,
    method: e.method,
    path: e.path,
    status: e.status,
    duration_ms: e.durationMs,
    scim_type: e.scimType,
    idp: e.idp,
    user_agent: e.userAgent,
    request_body: e.requestBody,
    response_body: e.responseBody,
    hint: e.hint,
    quirks: e.quirks === null ? null : JSON.stringify(e.quirks),
  };
}

type LogRow = Omit<RequestLogTable, 'id' | 'request_body' | 'response_body'> &
  Partial<Pick<RequestLogTable, 'request_body' | 'response_body'>> & { id: number };

function toRecord(row: LogRow): RequestLogRecord {
  return {
    id: Number(row.id),
    orgId: row.org_id,
    at: row.at,
    requestId: row.request_id,
    tokenId: row.token_id,
    method: row.method,
    path: row.path,
    status: row.status,
    durationMs: row.duration_ms,
    scimType: row.scim_type,
    idp: row.idp,
    userAgent: row.user_agent,
    requestBody: row.request_body ?? null,
    responseBody: row.response_body ?? null,
    hint: row.hint,
    quirks: row.quirks === null ? null : (JSON.parse(row.quirks) as string[]),
  };
}

const COLUMNS = [
  'org_id',
  'at',
  'request_id',
  'token_id',
  'method',
  'path',
  'status',
  'duration_ms',
  'scim_type',
  'idp',
  'user_agent',
  'request_body',
  'response_body',
  'hint',
  'quirks',
] as const;

/** Every column but the bodies, which may be kilobytes each: a listing without them reads none. */
const SUMMARY_COLUMNS = [
  'id',
  ...COLUMNS.filter((c) => c !== 'request_body' && c !== 'response_body'),
] as const;
const ALL_COLUMNS = ['id', ...COLUMNS] as const;

const insertRows = preparedInsert('request_log', COLUMNS, INSERT_CHUNK);

/**
 * PostgreSQL: a multi-row VALUES of one of a few fixed row counts, sent as a named statement
 * (pg-statements.ts), so that each text is parsed and planned once per connection, not once per
 * flush. The parameters reach the backend as they are; the former single statement of one
 * array per column (unnest) made node escape every body into an array literal and the backend
 * parse it back, which cost about twice the CPU per row on both sides (measured with 100
 * logged GET responses per statement: 19-27 µs of backend and 14-22 µs of node CPU per row
 * through unnest, 11-16 and 9-15 µs through VALUES). A batch is cut into statements of
 * PG_COUNTS rows, largest first: a full flush is one statement of 100 rows.
 */
const PG_COUNTS = [100, 64, 32, 16, 8, 4, 2, 1] as const;
const PG_INSERT = new Map<number, string>(
  PG_COUNTS.map((n) => {
    const rows = Array.from(
      { length: n },
      (_, r) => `(${COLUMNS.map((_c, i) => `$${r * COLUMNS.length + i + 1}`).join(', ')})`,
    );
    const text = `insert into request_log (${COLUMNS.join(', ')}) values ${rows.join(', ')}`;
    nameStatement(text);
    return [n, text];
  }),
);

/** The statements of a batch of `total` rows on PostgreSQL: [row count, its text], largest first. */
export function pgInsertParts(total: number): [number, string][] {
  const parts: [number, string][] = [];
  let left = total;
  for (const n of PG_COUNTS) {
    for (; left >= n; left -= n) parts.push([n, PG_INSERT.get(n) as string]);
  }
  return parts;
}

/** One row, for SQLite's synchronous batches (writeNow). */
const INSERT_ONE = `insert into request_log (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`;

/** Inserts a batch of entries, all or none. */
export async function insertRequestLogs(db: Kysely<DB>, entries: RequestLogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map(toRow);
  // SQLite, on the log's own connection (db.ts logDb): one synchronous transaction, with
  // none of Kysely's and the group commit's per-statement promises.
  if (
    writeNow(
      db,
      rows.map((row) => ({ sql: INSERT_ONE, parameters: COLUMNS.map((c) => row[c]) })),
    )
  )
    return;
  if (dialectOf(db) === 'postgres') {
    const parts = pgInsertParts(rows.length);
    const insert = async (tx: Kysely<DB>) => {
      let from = 0;
      for (const [n, text] of parts) {
        const parameters: unknown[] = [];
        for (const row of rows.slice(from, from + n)) for (const c of COLUMNS) parameters.push(row[c]);
        await tx.executeQuery(CompiledQuery.raw(text, parameters));
        from += n;
      }
    };
    // One INSERT is atomic by itself: a batch of one statement needs no BEGIN and COMMIT
    // around it (one round trip instead of three).
    if (parts.length === 1) await insert(db);
    else await db.transaction().execute(insert);
    return;
  }
  if (rows.length <= INSERT_CHUNK) await insertRows(db, rows);
  else await db.transaction().execute((tx) => insertRows(tx, rows));
}

/** The org's requests matching the query, newest first. */
export async function listRequestLogs(db: Kysely<DB>, q: RequestLogQuery): Promise<RequestLogRecord[]> {
  const columns = q.withBodies === false ? SUMMARY_COLUMNS : ALL_COLUMNS;
  let query = db.selectFrom('request_log').select(columns).where('org_id', '=', q.orgId);
  if (q.status && 'class' in q.status) {
    query = query
      .where('status', '>=', q.status.class * 100)
      .where('status', '<', q.status.class * 100 + 100);
  } else if (q.status) {
    query = query.where('status', '=', q.status.code);
  }
  if (q.since !== undefined) query = query.where('at', '>=', q.since);
  if (q.until !== undefined) query = query.where('at', '<', q.until);
  if (q.pathPrefix !== undefined && q.pathPrefix !== '') {
    query = query.where((eb) =>
      eb(eb.fn('substr', ['path', eb.lit(1), eb.val(q.pathPrefix!.length)]), '=', q.pathPrefix!),
    );
  }
  if (q.pathContains !== undefined && q.pathContains !== '') {
    // instr/strpos rather than LIKE: LIKE ignores ASCII case on SQLite only and treats % and _ as wildcards.
    const fn = dialectOf(db) === 'postgres' ? 'strpos' : 'instr';
    query = query.where((eb) => eb(eb.fn(fn, ['path', eb.val(q.pathContains!)]), '>', 0));
  }
  const before = q.before;
  if (before !== undefined) {
    query = query.where((eb) =>
      eb.or([eb('at', '<', before.at), eb.and([eb('at', '=', before.at), eb('id', '<', before.id)])]),
    );
  }
  const rows = await query
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit ?? 100)
    .execute();
  return rows.map(toRecord);
}

/** One row of the org's log by its id, bodies included. */
export async function readRequestLog(
  db: Kysely<DB>,
  orgId: string,
  id: number,
): Promise<RequestLogRecord | undefined> {
  const row = await db
    .selectFrom('request_log')
    .select(ALL_COLUMNS)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toRecord(row);
}

export interface PruneOptions {
  /** ISO-8601: rows older than this go. */
  olderThan: string;
  /** Most rows of authenticated requests (with a token id) kept per org (the newest). */
  maxRowsPerOrg: number;
  /** Most rows of unauthenticated requests (no token id) kept per org, apart from the others. */
  maxUnauthenticatedRowsPerOrg?: number;
  /**
   * The orgs whose caps are checked; every org in the log when absent. Finding an org's newest
   * row beyond its cap reads the cap's worth of index entries (and, on a PostgreSQL table never
   * vacuumed, their rows), so a process that prunes every few minutes checks only the orgs it
   * wrote enough rows for since (http/request-log.ts CAP_CHECK_SHARE). The age limit is checked
   * for every org: it is one seek.
   */
  capOrgs?: ReadonlySet<string>;
}

/**
 * The org ids that have rows in the log, one index seek each (a loose index scan on
 * request_log_org_at_idx): `select distinct` would read every row of the table.
 */
export async function requestLogOrgs(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ org_id: string }>`
    with recursive o(org_id) as (
      select (select org_id from request_log order by org_id limit 1)
      union all
      select (select r.org_id from request_log r where r.org_id > o.org_id order by r.org_id limit 1)
      from o where o.org_id is not null
    )
    select org_id from o where org_id is not null`.execute(db);
  return rows.map((r) => r.org_id);
}

/** Deletes rows older than the retention and, per org, all but the newest `maxRowsPerOrg`. */
export async function pruneRequestLogs(db: Kysely<DB>, options: PruneOptions): Promise<number> {
  const orgs = await requestLogOrgs(db);
  let deleted = 0;
  const deleteChunks = async (where: (orgId: string) => Promise<number[]>, orgId: string) => {
    for (;;) {
      const ids = await where(orgId);
      if (ids.length === 0) return;
      const result = await db.deleteFrom('request_log').where('id', 'in', ids).executeTakeFirst();
      deleted += Number(result.numDeletedRows);
      if (ids.length < DELETE_CHUNK) return;
    }
  };
  for (const orgId of orgs) {
    await deleteChunks(async (org) => {
      const rows = await db
        .selectFrom('request_log')
        .select('id')
        .where('org_id', '=', org)
        .where('at', '<', options.olderThan)
        .limit(DELETE_CHUNK)
        .execute();
      return rows.map((r) => Number(r.id));
    }, orgId);
    if (options.capOrgs && !options.capOrgs.has(orgId)) continue;
    // Each kind of row has its own cap: unauthenticated traffic never pushes real rows out.
    for (const authenticated of [true, false]) {
      const cap = authenticated ? options.maxRowsPerOrg : options.maxUnauthenticatedRowsPerOrg;
      if (cap === undefined) continue;
      const split = options.maxUnauthenticatedRowsPerOrg !== undefined;
      // The newest row beyond the cap: it and everything older (by at, then id) go.
      const boundary = await db
        .selectFrom('request_log')
        .select(['id', 'at'])
        .where('org_id', '=', orgId)
        .$if(split, (q) => q.where('token_id', authenticated ? 'is not' : 'is', null))
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .offset(cap)
        .limit(1)
        .executeTakeFirst();
      if (!boundary) continue;
      await deleteChunks(async (org) => {
        const rows = await db
          .selectFrom('request_log')
          .select('id')
          .where('org_id', '=', org)
          .$if(split, (q) => q.where('token_id', authenticated ? 'is not' : 'is', null))
          .where((eb) =>
            eb.or([
              eb('at', '<', boundary.at),
              eb.and([eb('at', '=', boundary.at), eb('id', '<=', Number(boundary.id))]),
            ]),
          )
          .limit(DELETE_CHUNK)
          .execute();
        return rows.map((r) => Number(r.id));
      }, orgId);
    }
  }
  return deleted;
}

/** Which of these org ids exist (the log never stores rows for an org that does not). */
export async function existingOrgIds(db: Kysely<DB>, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('orgs').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

/** What the log may say about a presented token: never its hash, only its org and state. */
export interface TokenFacts {
  id: string;
  orgId: string;
  revokedAt: string | null;
  expiresAt: string | null;
}

export async function tokenFactsByHash(db: Kysely<DB>, hash: string): Promise<TokenFacts | undefined> {
  const row = await db
    .selectFrom('tokens')
    .select(['id', 'org_id', 'revoked_at', 'expires_at'])
    .where('hash', '=', hash)
    .executeTakeFirst();
  return row && { id: row.id, orgId: row.org_id, revokedAt: row.revoked_at, expiresAt: row.expires_at };
}

/** The id of the live resource of this type holding a userName (case-insensitively, as the unique index). */
export async function idByUserName(
  db: Kysely<DB>,
  orgId: string,
  type: 'User' | 'Group',
  userName: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('resources')
    .select('id')
    .where('org_id', '=', orgId)
    .where('type', '=', type)
    .where('user_name_lc', '=', userName.toLowerCase())
    .executeTakeFirst();
  return row?.id;
}

/** The live resource's version, or when it was deleted, or undefined if it never existed here. */
export async function resourceState(
  db: Kysely<DB>,
  orgId: string,
  type: 'User' | 'Group',
  id: string,
): Promise<{ version: number; deletedAt: string | null } | undefined> {
  const row = await db
    .selectFrom('resources')
    .select(['version', 'deleted_at'])
    .where('org_id', '=', orgId)
    .where('type', '=', type)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && { version: row.version, deletedAt: row.deleted_at };
}
