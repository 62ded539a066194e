/**
 * Why a target is missed, as far as profiles show: written by hand, printed under "Missed
 * targets" in docs/benchmarks.md when that target is missed in a run. Each says what was
 * measured and what is a guess; update them when the code moves on.
 */
import type { TargetId } from './report.ts';

const GET_PATH =
  'measured (CPU profile of the server under this scenario, 100,000 users): per request the server ' +
  'runs 3–4 statements (token lookup, the resource, its groups through a recursive CTE, and the ' +
  'request-log INSERT, a write on every read) and Kysely compiles and better-sqlite3 prepares ' +
  'each one anew, with no statement cache (`prepare` alone was 12 % of server CPU); the body is ' +
  'streamed from an async generator through Readable.from, so every response is chunked and ' +
  'written in several writev calls (7 %), and the request log runs its redaction regex over it. ' +
  'The "GET /healthz" row shows the ceiling: Fastify with no token and no database on this server ' +
  'already reaches only part of the floor, so ratios near 0.5 need a handler that costs almost ' +
  'nothing beyond the framework.';

export const diagnoses: Partial<Record<TargetId, string>> = {
  'get-by-id': GET_PATH,
  'filter-username': `${GET_PATH} On top: parsing the filter, the term subquery, and a COUNT for totalResults.`,
  'post-user':
    'measured (query log and raw better-sqlite3 timing): each user writes 15 index-term rows into ' +
    'resource_terms, which has four indexes; with 100,000 users that is ~0.3 ms of SQLite time per ' +
    'user before anything else (~70 µs per index), plus the resource row, the audit row and the ' +
    'request-log row. SQLite has one writer, so 16 connections queue behind each transaction and ' +
    'p50 is mostly queueing. Guess: interning term paths (integer ids instead of repeated ' +
    'URN text in three indexes) and caching prepared statements would cut most of it.',
  'patch-replace':
    'measured (query log of one PATCH): the update deletes every index term of the user and ' +
    'inserts them all again (~15 rows through four indexes) even when one attribute changed, and ' +
    'the commit then dominates; the request-log insert adds a second write. Writers are ' +
    'serialised by SQLite, so throughput is 1 / (time of one write transaction). Guess: ' +
    'rewriting only the terms of changed paths would halve the work.',
  listing:
    'measured (in-process timing on 100,000 users): every page by startIndex runs COUNT(*) over ' +
    'all live users for totalResults (~14 ms) and an OFFSET scan that grows with startIndex ' +
    '(+~10 ms at 99,900), then renders 100 users one async generator each, and the request log ' +
    'redacts the ~100 KB body with a regex. The cursor row shows the same walk without OFFSET; ' +
    'it still pays the COUNT and the rendering.',
  'member-p50': 'the ratio needs at least two group sizes in the run (BENCH_GROUP_SIZES).',
  'peak-rss': 'not diagnosed: no profile of memory yet.',
};

/** Findings that are not a missed target but that the figures above make visible. */
export const notes: string[] = [
  'Member add/remove is slow at every group size (the ratio target is met because all sizes are ' +
    'equally slow), measured with a query log: resolving the member id runs ' +
    '`select pk, id, type from resources where org_id = ? and id in (?) and deleted_at is null` ' +
    '(store/memberships.ts, findMembersById). Without `type` it cannot seek the unique index ' +
    '(org_id, type, id), so SQLite scans every resource of the org (EXPLAIN: `SEARCH resources USING ' +
    'INDEX resources_live_idx (org_id=?)`): 125–175 ms per operation with 100,000 users. Adding ' +
    "`type in ('User', 'Group')` turns it into a seek (EXPLAIN: `sqlite_autoindex_resources_1 " +
    '(org_id=? AND type=? AND id=?)`).',
];
