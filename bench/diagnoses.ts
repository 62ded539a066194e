/**
 * Why a target is missed, as far as profiles show: written by hand, printed under "Missed
 * targets" in docs/benchmarks.md when that target is missed in a run. Each says what was
 * measured and what is a guess, and which code it was measured on: update them when the code
 * moves on (last: 2026-11-23, after commit 992d82e "Hot path: SQLite statement cache…", with the
 * request log, then in progress, switched on).
 */
import type { TargetId } from './report.ts';

const GET_PATH =
  'measured: the "CPU ms/req" column puts the handler at ~10× the CPU of `GET /healthz` on the ' +
  'same Fastify app, so the framework is not the problem. A CPU profile of this scenario ' +
  '(100,000 users) splits it into SQLite statements (~15 %: the token lookup, the resource, its ' +
  'groups through a recursive CTE, and the request log, which INSERTs and commits a row on every ' +
  'read), the request-log hook (~18 % inclusive), rendering and projection (~7 %), and the ' +
  'loopback writev (~15 %, the same per response as the floor pays). Guess: writing the request ' +
  'log in batches off the request path and skipping the groups query when the user is in no ' +
  'group are the next two steps.';

export const diagnoses: Partial<Record<TargetId, string>> = {
  'get-by-id': GET_PATH,
  'filter-username': `${GET_PATH} On top, measured: twice the CPU of a GET by id, for parsing the filter, the term subquery and the page count.`,
  'post-user':
    'measured (query log and raw better-sqlite3 timing): each user writes 15 index-term rows into ' +
    'resource_terms, which has four indexes; with 100,000 users that is ~0.3 ms of SQLite time ' +
    '(~70 µs per index) before the resource row, the audit row and the request-log row. SQLite ' +
    'has one writer, so the 16 connections queue behind each transaction: p50 ≈ 16 × the CPU ' +
    'ms/req. Guess: interning term paths (integer ids instead of URN text repeated in three ' +
    'indexes) would cut the index work by about half.',
  'patch-replace':
    'measured (query log of one PATCH): the update deletes every index term of the user and ' +
    'inserts them all again (~15 rows through four indexes) when one attribute changed, then ' +
    'writes the audit and request-log rows; writers are serialised, so throughput is one over ' +
    'the time of one write transaction. Guess: rewriting only the terms of the changed paths.',
  listing:
    'not profiled since the live-resource counter and keyset deep pages landed (before them, ' +
    'measured: a COUNT(*) over every user and a growing OFFSET scan on each page). The cursor ' +
    'row, which has no position lookup, is well above the target in the same run; guess: what ' +
    'is left for startIndex is locating deep pages plus rendering 100 users per page, and the run ' +
    'to run noise on a shared machine is about as large as the gap.',
  'member-p50': 'the ratio needs at least two group sizes in the run (BENCH_GROUP_SIZES).',
  'peak-rss':
    'measured (/proc/<pid>/status, see the memory table): VmHWM jumps during the first ' +
    'random-read scenario and the growth is RssFile, not RssAnon: src/store/db.ts sets ' +
    'mmap_size = 256 MiB (and cache_size = 64 MiB), and every database page the reads touch ' +
    'stays mapped into the process. What the server allocates itself (RssAnon) stays well under ' +
    '300 MiB. Either a smaller mmap window (e.g. 64 MiB) or a target on RssAnon.',
};

/** Findings that are not a missed target but that the figures above make visible. */
export const notes: string[] = [
  'Member add/remove costs ~50 ms of CPU per operation at every group size (the ratio target is ' +
    'met because all sizes are equally slow), measured with a query log: resolving the member id ' +
    'runs `select pk, id, type from resources where org_id = ? and id in (?) and deleted_at is ' +
    'null` (store/memberships.ts, findMembersById). Without `type` it cannot seek the unique ' +
    'index (org_id, type, id), so SQLite scans every resource of the org (EXPLAIN: `SEARCH ' +
    "resources USING INDEX resources_live_idx (org_id=?)`). With `type in ('User', 'Group')` " +
    'it is a seek (EXPLAIN: `sqlite_autoindex_resources_1 (org_id=? AND type=? AND id=?)`).',
];
