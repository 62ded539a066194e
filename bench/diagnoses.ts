/**
 * Why a target is missed, as far as profiles show: written by hand, printed under "Missed
 * targets" in docs/benchmarks.md when that target is missed in a run. Each says what was
 * measured and what is a guess, and which code it was measured on: update them when the code
 * moves on (last: 2026-12-03, after the commits of that day: SQLite reader/writer connections,
 * group commit, one value column per term, statements compiled once; request log on, rate
 * limits off; CPU profiles and per-statement timing of the server on a 100,000-user file).
 */
import type { TargetId } from './report.ts';

const GET_PATH =
  'measured: ~0.13-0.15 ms of server CPU per request against ~0.016 ms for `GET /healthz` on ' +
  'the same Fastify app and ~0.01 ms for the floor. Of it: the socket write ~40 µs (one ' +
  'writev of ~1 KB; it wakes the load driver, which waits idle at this rate: a bare node:http ' +
  'server made to spin 100 µs per request pays ~15 µs for the same write, the floor ~6 µs); ' +
  'the two SQLite lookups (token; resource with its membership flag) ~30 µs, statements ' +
  'compiled once and run without Kysely, their time mostly page reads of a 100,000-user file ' +
  'from the OS cache (a 24 MB page cache, no mmap, so that peak RSS stays bounded); rendering ' +
  'and projection ~20 µs; the request log ~15 µs (capture, a batched insert every 100 ' +
  'requests and its commit); Fastify and Node HTTP the rest. Guess: 0.5 of the floor leaves ' +
  'under ~20 µs of our own CPU per request, which takes caching tokens and documents in ' +
  'memory; a token cache cannot see a revocation made by another instance or the CLI at ' +
  'once, so it is not done.';

export const diagnoses: Partial<Record<TargetId, string>> = {
  'get-by-id': GET_PATH,
  'filter-username': `${GET_PATH} On top, measured: parsing the filter, the list response, and a lookup by the (org_id, type, user_name_lc) index that reads the whole row (~50 µs on a 100,000-user file); the lookup is a statement compiled once, and no count runs when the page is not full.`,
  'post-user':
    'measured: ~0.39 ms of server CPU per create. SQL ~0.17 ms: the resource row and its five ' +
    'indexes, ~15 index-term rows (each in the table, the lc or str/num index and the ' +
    '(resource_pk, path, elem) index), the audit row and the live counter; the COMMIT is shared ' +
    'by the creates that finish in one turn of the event loop (group commit), ~40 µs each; WAL checkpoints run on a thread of their own. The ' +
    'other ~0.2 ms is JSON parsing, normalisation, index terms, the response (the whole user, ' +
    'as RFC 7644 §3.3 asks) and the request log. SQLite has one writer, so creates queue. ' +
    'Guess: resource_terms as a WITHOUT ROWID table keyed by (resource_pk, path, elem) would ' +
    'drop one B-tree per term; the gap to 0.2 of the floor stays several times larger than that.',
  'patch-replace':
    'measured: ~0.45-0.5 ms of server CPU per PATCH: the row read under the write lock, the ' +
    'patch, a diff of the terms that rewrites only the changed (path, elem) group, an UPDATE ' +
    'that sets only the indexed columns whose values changed, the audit row, the shared ' +
    'COMMIT, and the response (the whole user). Guess: as for POST.',
  listing:
    'measured: `startIndex` pages find their keys on the (org_id, type, deleted_at, pk) index ' +
    '(OFFSET over index entries, no documents), so a deep page still skips up to 100,000 ' +
    'entries; totalResults comes from a counter row. Cursor paging (RFC 9865) skips nothing.',
  'member-p50':
    'the ratio needs at least two group sizes in the run (BENCH_GROUP_SIZES). If it is missed ' +
    'with several sizes: deciding between a 200 with the group and a 204 reads at most 1,001 ' +
    'membership keys; on PostgreSQL just after a group was loaded, stale planner statistics make ' +
    'that read sort every membership of the group until autovacuum analyzes the table.',
  'peak-rss':
    'measured (/proc/<pid>/status): the growth is in the SQLite page caches (24 MiB for the ' +
    'writer, 4 MiB for the reader), the checkpoint thread and the request-log queue; memory-mapped reads are off (they ' +
    'counted every database page read against the process).',
};

/** Findings that are not a missed target but that the figures above make visible. */
export const notes: string[] = [
  'Member add/remove resolves the member id through the (org_id, type, id) index and writes one ' +
    'membership row; a PATCH of a group of more than 1,000 members answers 204, so its cost does ' +
    'not grow with the group.',
  'SQLite commits the writes that finish in one turn of the event loop together (group commit), ' +
    'and reads outside a transaction never wait for one: GETs keep their speed while writes run.',
];
