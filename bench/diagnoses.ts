/**
 * Why a target is missed, as far as profiles show: written by hand, printed under "Missed
 * targets" in docs/benchmarks.md when that target is missed in a run. Each says what was
 * measured and what is a guess, and which code it was measured on: update them when the code
 * moves on (last: 2026-12-03, fifth session: SQLite reader/writer connections, group commit,
 * one value column per term, statements compiled once, named statements on PostgreSQL,
 * remembered startIndex page starts, the request log in a file and on a connection of its
 * own; request log on, rate limits off; CPU profiles of the server on a 100,000-user file,
 * and bench/bound-server.ts as the lower bound of a GET).
 */
import type { TargetId } from './report.ts';

const GET_PATH =
  'measured (CPU profiles of the server, 100,000 users): of its CPU per GET, the socket write ' +
  '(one writev of ~1 KB, which wakes the load driver waiting idle at this rate) is about a ' +
  'fifth; the two SQLite lookups (token; resource with its membership flag; statements ' +
  'compiled once and run without Kysely, their time mostly page reads from the OS cache: a ' +
  '24 MB page cache and no mmap, so that peak RSS stays bounded) about a seventh; rendering ' +
  'and projection, and the request log (capture, and a synchronous insert of 100 rows at a ' +
  'time into its own file), each under a tenth; Fastify, its hooks and Node HTTP the rest ' +
  '(`GET /healthz` alone is ~0.65 of the floor). The lower bound below does only the lookups, ' +
  'the render and the write, without any framework, and stays far under 0.5 of the floor ' +
  'itself; given mmap and a page cache holding the whole file it still took ~42 µs of CPU per ' +
  "request against the floor's ~15 µs (measured by hand, 2026-12-03): no server that reads " +
  'its database for each request reaches the goal on this machine. Reaching it ' +
  'would take answering from memory (tokens and documents cached in the process), which ' +
  'cannot see a revocation or a change made by another instance or the CLI at once, so it is ' +
  'not done.';

export const diagnoses: Partial<Record<TargetId, string>> = {
  'get-by-id': GET_PATH,
  'filter-username': `${GET_PATH} On top: parsing the filter and a list response; the lookup goes by the (org_id, type, user_name_lc) index, a statement compiled once, and no count runs when the page is not full, so it costs little more than a GET by id, against a goal only a fifth lower.`,
  'post-user':
    'measured (CPU profiles): a little under half of the server CPU per create is SQL: the ' +
    'resource row and its indexes, ~15 index-term rows (each in the table, the lc or str/num ' +
    'index and the (resource_pk, path, elem) index), the audit row and the live counter; the ' +
    'COMMIT is shared by the creates that finish in one turn of the event loop (group commit) ' +
    'and WAL checkpoints run on a thread of their own. The rest is JSON parsing, normalisation, ' +
    'index terms, the response (the whole user, as RFC 7644 §3.3 asks) and the request log. ' +
    'SQLite has one writer, so creates queue. A create costs several times a GET by id, which ' +
    'itself stays far from its own goal (see above). Measured by hand: resource_terms as a ' +
    'WITHOUT ROWID table keyed by (resource_pk, path, elem), one B-tree less per term, seeded ' +
    '60,000 users only ~7 % faster, against a gap to 0.2 of the floor several times larger.',
  'patch-replace':
    'measured (CPU profiles): the row read under the write lock, the patch, a diff of the terms ' +
    'that rewrites only the changed (path, elem) group, an UPDATE that sets only the indexed ' +
    'columns whose values changed, the audit row, the shared COMMIT, and the response (the ' +
    'whole user): about what a create costs. Guess: as for POST.',
  listing:
    'measured: each `startIndex` page after the first seeks to the pk where the previous page ' +
    'ended (remembered while no resource was created or deleted; else it skips `offset` entries ' +
    'of the (org_id, type, deleted_at, pk) index); totalResults comes from a counter row. Per ' +
    'page of 100: reading and parsing 100 documents, projecting and rendering them, GC, and the ' +
    'request log; the walk is one connection, so the load driver parsing each page adds its ' +
    'time to the wall clock. Cursor paging (RFC 9865) is the same keyset read.',
  'member-p50':
    'the ratio needs at least two group sizes in the run (BENCH_GROUP_SIZES). If it is missed ' +
    'with several sizes: deciding between a 200 with the group and a 204 reads at most 1,001 ' +
    'membership keys. On PostgreSQL, just after a group was loaded, stale planner statistics ' +
    'once made that read sort every membership of the group and, without the ORDER BY, collect ' +
    'them all in a bitmap (~6 ms per PATCH on 100,000 members, 2.06× in a run of 2026-12-03); it ' +
    'now runs with bitmap and sequential scans off, on the (group_pk, member_pk) index. The 16 ' +
    "connections queue on the group's row lock, which widens any per-operation gap.",
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
