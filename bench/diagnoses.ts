/**
 * Why a target is missed, as far as profiles show: written by hand, printed under "Missed
 * targets" in docs/benchmarks.md when that target is missed in a run. Each says what was
 * measured and what is a guess, and which code it was measured on: update them when the code
 * moves on (last: 2026-11-23, after the commit "Large-group PATCH checks size without
 * counting…", request log on, rate limits off).
 */
import type { TargetId } from './report.ts';

const GET_PATH =
  'measured (CPU profile and per-statement timing, 100,000 users): ~0.3 ms of server CPU per ' +
  'request against ~0.025 ms for `GET /healthz` on the same Fastify app, so the framework is ' +
  'not the cost. Two indexed statements run per request (token + org; the resource with a ' +
  "membership flag, so the user's groups are only queried when there are any), ~25-40 µs each " +
  'through Kysely even with SQLite statements cached and both queries compiled once ' +
  '(src/store/prepared.ts); rendering and projection ~30-50 µs; the request-log capture and ' +
  'the socket write the rest. Guess: reaching 0.5 of a bare node:http server needs the hot ' +
  'reads off Kysely (raw prepared statements) and less per-request work in the hooks; caching ' +
  'tokens would break immediate revocation across instances, so it is not done.';

export const diagnoses: Partial<Record<TargetId, string>> = {
  'get-by-id': GET_PATH,
  'filter-username': `${GET_PATH} On top, measured: parsing and compiling the filter and the term subquery; the separate count is skipped when the first page is not full (a lookup of one user).`,
  'post-user':
    'measured (per-statement timing, 100,000 users): the commit is ~0.6 ms (WAL frames for every ' +
    'B-tree page the transaction touched: the resource row and its six indexes, ~15 index-term ' +
    'rows through four indexes, the audit row; checkpoints every ~40 MB), the term insert ' +
    '~0.25 ms, the resource insert ~0.15 ms (time-ordered UUIDv7 ids append to the id index; ' +
    'random UUIDs cost ~0.8 ms there). SQLite has one writer, so 16 connections queue behind ' +
    'each transaction and req/s is one over the time of one write. Guess: one value column per ' +
    'term instead of str + lc (one index fewer), interned term paths, and group commit of ' +
    'concurrent writes.',
  'patch-replace':
    'measured (per-statement timing): an update now rewrites only the changed term rows (one ' +
    'delete and one insert for a title), but the commit still writes ~12 pages to the WAL ' +
    '(~0.3 ms) and the row lock, read, audit insert and response rendering (the whole user, as ' +
    'RFC 7644 §3.5.2 asks) follow; writers are serialised. Guess: as for POST.',
  listing:
    'measured: `startIndex` pages find their keys by skipping index entries (OFFSET over the ' +
    '(org_id, type, deleted_at, pk) index, no documents), so a page deep in 100,000 users still ' +
    'skips up to 100,000 entries; totalResults comes from a counter row. Cursor paging (RFC 9865, ' +
    'the cursor row) has no skip at all. Guess: the remaining gap is the skip plus rendering 100 ' +
    "users and their groups per page; run-to-run noise on a shared machine is of the gap's size.",
  'member-p50':
    'the ratio needs at least two group sizes in the run (BENCH_GROUP_SIZES). If it is missed ' +
    'with several sizes: measured earlier, deciding between a 200 with the group and a 204 ' +
    'counted every member; it now reads at most 1,001 membership keys.',
  'peak-rss':
    'measured (/proc/<pid>/status): the growth is in SQLite page cache (32 MiB) and the ' +
    'request-log queue; memory-mapped reads are off (they counted every database page read ' +
    'against the process).',
};

/** Findings that are not a missed target but that the figures above make visible. */
export const notes: string[] = [
  'Member add/remove resolves the member id through the (org_id, type, id) index and writes one ' +
    'membership row; a PATCH of a group of more than 1,000 members answers 204, so its cost does ' +
    'not grow with the group.',
];
