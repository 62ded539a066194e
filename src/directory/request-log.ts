/**
 * The request log as the domain offers it: recording batches of finished SCIM requests (the
 * HTTP capture in src/http/request-log.ts), pruning, the facts behind failure hints, and
 * querying an org's log with the filters the CLI (`logs`) and the management API share.
 * Transports call this; only src/store/request-log.ts knows the SQL.
 */
import {
  existingOrgIds,
  idByUserName,
  insertRequestLogs,
  listRequestLogs,
  type PruneOptions,
  pruneRequestLogs,
  type RequestLogEntry,
  type RequestLogQuery,
  type RequestLogRecord,
  readRequestLog,
  resourceState,
  tokenFactsByHash,
} from '../store/request-log.ts';
import type { DirectoryDeps } from './deps.ts';
import { DirectoryError } from './orgs.ts';
import { decodeCursor, type Page, toPage } from './paging.ts';

/** A logged request as it is recorded: the row before it has an id. No secret is in it (redacted before). */
/** A logged request as read back: `id` is its place in the log. Bodies are null when not read. */
export type { PruneOptions, RequestLogEntry, RequestLogRecord };

/** Status filter: a class (`{ class: 4 }` is 4xx) or an exact code. */
export type StatusFilter = NonNullable<RequestLogQuery['status']>;

/**
 * What an org's log may be filtered by; every field is optional (store/request-log.ts says what
 * each means). Here `limit` is 1 to REQUEST_LOG_MAX_LIMIT (default REQUEST_LOG_DEFAULT_LIMIT) and
 * `withBodies` defaults to false: the (redacted) bodies are read only when asked for.
 */
export type RequestLogFilter = Omit<RequestLogQuery, 'orgId'>;

export const REQUEST_LOG_DEFAULT_LIMIT = 100;
export const REQUEST_LOG_MAX_LIMIT = 10_000;
/** Longest path text a filter may hold (logged paths are cut well below this). */
const MAX_PATH_FILTER = 2048;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/** A checked ISO-8601 bound (any UTC offset) as UTC text, which the log stores and compares. */
const toIso = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

/** `2xx`/`4xx`/`5xx` (any class 1–5, any case) or an exact status code such as `409`; else undefined. */
export function parseStatusFilter(value: string): StatusFilter | undefined {
  const cls = /^([1-5])xx$/i.exec(value);
  if (cls) return { class: Number(cls[1]) };
  if (/^[1-5]\d\d$/.test(value)) return { code: Number(value) };
  return undefined;
}

function checkFilter(filter: RequestLogFilter) {
  const { status, limit, since, until } = filter;
  if (status !== undefined) {
    const ok =
      'class' in status
        ? Number.isInteger(status.class) && status.class >= 1 && status.class <= 5
        : Number.isInteger(status.code) && status.code >= 100 && status.code <= 599;
    if (!ok) throw new DirectoryError('status must be a class 1xx–5xx or a code from 100 to 599');
  }
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= REQUEST_LOG_MAX_LIMIT)) {
    throw new DirectoryError(`limit must be a whole number from 1 to ${REQUEST_LOG_MAX_LIMIT}`);
  }
  for (const [name, bound] of [
    ['since', since],
    ['until', until],
  ] as const) {
    if (bound !== undefined && (!ISO_DATE.test(bound) || Number.isNaN(Date.parse(bound)))) {
      throw new DirectoryError(`${name} must be an ISO-8601 time`);
    }
  }
  for (const [name, text] of [
    ['pathContains', filter.pathContains],
    ['pathPrefix', filter.pathPrefix],
  ] as const) {
    if (text !== undefined && text.length > MAX_PATH_FILTER) {
      throw new DirectoryError(`${name} is longer than ${MAX_PATH_FILTER} characters`);
    }
  }
}

/** What the log may say about a presented token: never its hash, only its org and state. */
export interface TokenFacts {
  orgId: string;
  revokedAt: string | null;
}

export class RequestLogService {
  constructor(private readonly deps: DirectoryDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  /**
   * The org's logged requests matching the filter, newest first. The org is not checked:
   * an org that does not exist has no rows. `since`/`until` may carry any UTC offset: they
   * are turned into UTC ISO-8601 text, which the log stores and compares.
   */
  async query(orgId: string, filter: RequestLogFilter = {}): Promise<RequestLogRecord[]> {
    checkFilter(filter);
    return listRequestLogs(this.db, {
      orgId,
      status: filter.status,
      pathContains: filter.pathContains,
      pathPrefix: filter.pathPrefix,
      since: toIso(filter.since),
      until: toIso(filter.until),
      before: filter.before,
      limit: filter.limit ?? REQUEST_LOG_DEFAULT_LIMIT,
      withBodies: filter.withBodies ?? false,
    });
  }

  /**
   * A page of the org's log, newest first, without bodies (the management API's list): the
   * filters of `query`, and a cursor after the previous page's last row.
   */
  async page(
    orgId: string,
    filter: Omit<RequestLogFilter, 'limit' | 'withBodies' | 'before'>,
    paging: { limit: number; cursor?: string | undefined },
  ): Promise<Page<RequestLogRecord>> {
    const before =
      paging.cursor === undefined
        ? undefined
        : decodeCursor<[string, number]>(paging.cursor, ['string', 'number']);
    const rows = await this.query(orgId, {
      ...filter,
      before: before && { at: before[0], id: before[1] },
      limit: paging.limit + 1,
      withBodies: false,
    });
    return toPage(rows, paging.limit, (last) => [last.at, last.id]);
  }

  /** One logged request of the org, bodies included; undefined when the org has no such row. */
  get(orgId: string, id: number): Promise<RequestLogRecord | undefined> {
    if (!Number.isSafeInteger(id) || id < 1) return Promise.resolve(undefined);
    return readRequestLog(this.db, orgId, id);
  }

  /** Stores a batch of finished requests in one transaction, on the log's own connection. */
  record(entries: RequestLogEntry[]): Promise<void> {
    return insertRequestLogs(this.deps.database.logDb, entries);
  }

  /** Deletes rows older than the retention and, per org, all but the newest; returns how many. */
  prune(options: PruneOptions): Promise<number> {
    return pruneRequestLogs(this.deps.database.logDb, options);
  }

  /** Which of these org ids exist (the log stores rows only for orgs that do). */
  existingOrgs(ids: string[]): Promise<Set<string>> {
    return existingOrgIds(this.db, ids);
  }

  /** For a 401's hint: the org and state of the token with this hash, if any. */
  async tokenFacts(hash: string): Promise<TokenFacts | undefined> {
    const facts = await tokenFactsByHash(this.db, hash);
    return facts && { orgId: facts.orgId, revokedAt: facts.revokedAt };
  }

  /** For a 409's hint: the id of the live user holding this userName (case-insensitively). */
  userHolding(orgId: string, userName: string): Promise<string | undefined> {
    return idByUserName(this.db, orgId, 'User', userName);
  }

  /** For a 404's or 412's hint: the resource's stored version, or when it was deleted. */
  resourceState(orgId: string, type: 'User' | 'Group', id: string) {
    return resourceState(this.db, orgId, type, id);
  }
}
