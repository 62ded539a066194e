/**
 * Why a target is missed, as far as profiles show: written by hand, printed under "Missed
 * targets" in docs/benchmarks.md when that target is missed in a run. Each says what was
 * measured and what is a guess, and which code it was measured on: update them when the code
 * moves on (last: 2026-12-07, PostgreSQL's cost per round trip and the writes' backend CPU;
 * 2026-12-06, the GET profile after the hot-path work; 2026-12-04, the
 * PostgreSQL targets of issue 10 measured on small runs on a shared machine; before,
 * 2026-12-03, fifth session: SQLite reader/writer connections, group commit, one value column
 * per term, statements compiled once, named statements on PostgreSQL,
 * remembered startIndex page starts, the request log in a file and on a connection of its
 * own; request log on, rate limits off; CPU profiles of the server on a 100,000-user file,
 * and bench/bound-server.ts as the lower bound of a GET).
 */
import type { TargetId } from './report.ts';

const GET_PATH =
  'measured (a CPU profile of the server under the GET scenario, SQLite, 2026-12-06, after the ' +
  'time budget was made on first use, the hot hooks made synchronous and a user rendered ' +
  'straight to its JSON text): the socket write (one writev of ~1 KB, which wakes the load ' +
  'driver waiting idle at this rate) 18-20 %; the SQLite statement (the token and the user with ' +
  'its membership flag in one, compiled once) about 20 %, timed alone at 17-30 µs against ' +
  "16-22 µs for the lower bound's two; the request log about 8 % (capture 3 %, its batched " +
  'insert 5 %); garbage collection about 6 %; rendering and projection about 4 %; metrics about ' +
  "2 %; Fastify and Node's HTTP machinery the rest (`GET /healthz` alone costs about half the " +
  "lower bound's CPU per request). Merging the remaining hooks would save under 1 % each. " +
  'Since then (2026-12-06, src/http/fast-reads.ts, FAST_READS) the two hot reads are answered ' +
  'before Fastify when they succeed; measured A/B on a loaded machine, server CPU per request ' +
  'fell by about 13 % (GET by id) and 14 % (the userName filter), less than a rough prototype ' +
  'without metrics and request ids promised (about a third); not yet profiled since. Answering ' +
  'from memory (tokens and documents cached in the process, which cannot see a revocation or a ' +
  'change made by another instance or the CLI at once) stays out.';

const PG_READ =
  'measured (2026-12-06): a GET by id on PostgreSQL reads the token and the user with its ' +
  'membership flag in one named statement, planned once per connection, against one in-process ' +
  'statement on SQLite. The proxy counted 2.06 round trips per GET (above): it counts after the ' +
  'group scenarios, when every seeded user is in up to three groups, and their `groups` were a ' +
  "second statement (traced on the wire, 2026-12-06); the 0.06 are the webhook dispatcher's " +
  "polls (every 200 ms). Since then user_groups (migration 0290) reads them in the token's " +
  'statement: 1 (test/http/pg-round-trips.test.ts). The CPU of this target is measured before ' +
  "any group exists, at 1 round trip already. Per request the server process spends more CPU (pg's wire " +
  "protocol: writing Bind/Execute, parsing each row's text columns, the promise per query) and " +
  'the backends 0.12-0.27 ms on top (the protocol, executor start-up and shutdown, the index ' +
  'lookups, snapshot handling). Node-side savings common to both databases lower the SQLite ' +
  'figure as much as the PostgreSQL one, so they raise this ratio. Scenarios run after the ' +
  'groups (every seeded user then in a group of everyone) cost far more database CPU than GET ' +
  "before them: user_groups (migration 0290) sized its UNION's hash table by the planner's " +
  'guess of the rows (372,161 for 2 real ones) and was planned again at each call, 0.86 ms of ' +
  'backend CPU per call; a GET of such a user took 2.07 ms of PostgreSQL CPU against 0.28 ms ' +
  'for one in no group (20,000 users, measured by hand). Since migration 0300 (PL/pgSQL, ' +
  'work_mem 64kB inside it): 0.11 ms per call, 0.36 ms per GET. On tables never analysed, ' +
  'at some table sizes a connection planned the unique lookup on another (org_id, type, …) index ' +
  'and a sort, reading the whole org (one GET read 21,632 rows on a 20,000-user org); fixed on ' +
  '2026-12-06: id, userName and externalId lookups compare the whole key as a row on their own ' +
  'index (test/store/unanalysed-lookups.test.ts counts the rows read at 1,500 to 24,000 users).';

/** What a round trip to PostgreSQL costs, whatever the statement (get/filter CPU, the writes). */
const PG_ROUND_TRIP =
  ' Measured on 2026-12-07 (20,000 users, 16 connections; CPU profiles of the server, perf of ' +
  'the backends, medians of interleaved runs): each round trip costs the server process about ' +
  '0.14 ms of CPU in the kernel, in the one writev that sends Bind/Execute/Sync and wakes the ' +
  "backend waiting for it (through PostgreSQL's Unix socket instead of TCP: 0.85 against 0.82 ms " +
  'per GET in all, so it is the wake-up of another process, not TCP), and the backend 0.23-0.33 ms ' +
  '(executor start-up, the index lookups, its own read and send). That alone is about a whole ' +
  'SQLite GET (0.19-0.34 ms in the runs on record). The lower bound on PostgreSQL (bare ' +
  'node:http, the same lookups in raw SQL) cost 0.384 ms in the run of 2026-12-06, 1.13× that ' +
  "run's whole SQLite GET (0.340 ms): 1.5× would ask this server to come within 1.33× of a bare " +
  'one on PostgreSQL, where on SQLite it runs at 2.5× its own. Only reads answered from memory ' +
  'in the process would get there, and they are ruled out (a revocation must count at once).';

/** The writes on PostgreSQL, measured on 2026-12-07. */
const PG_WRITES =
  ' On PostgreSQL (2026-12-07, perf of the backends under 16 concurrent writes, 20,000 users): a ' +
  "create's statement costs its backend 0.45 ms alone, but concurrent creates of one org all " +
  "update the org's resource_counts row and queued on its lock, which took the backends to 1.0 ms " +
  'per create at 4 at once and 1.4 ms at 8. Since 2026-12-07 they take turns in the process, two ' +
  'at a time (store/turns.ts): POST at 16 connections fell from 2.8-3.1 to about 2.0 ms of ' +
  'CPU in all (node and PostgreSQL). Of the backend time per write, perf shows the index ' +
  'entries (about a fifth: a user has ~13 term rows, each in two or three indexes, and an update ' +
  'of a resource is never HOT because last_modified is indexed, so each of its five other ' +
  'indexes takes an entry too), executor start-up of a statement of some twenty relations ' +
  "(about a seventh), and the commit's WAL flush (fdatasync, about an eighth); none of them " +
  "depends on this code's path through node. A PATCH makes two round trips (the token's " +
  "statement, which reads the user, and the guarded update): about 0.3 ms of the server's CPU " +
  'in the two writes to the socket alone.';

/** Why the writes' ratio to GET moved on 2026-12-06 (see post-user and patch-replace). */
const GET_GOT_CHEAPER =
  ' Since 2026-12-06 the denominator is smaller: GET by id is answered before Fastify ' +
  '(src/http/fast-reads.ts), 0.32 ms of server CPU in the morning run, 0.19 ms since, and ' +
  'the ratio was 2.23× (POST) and 2.67× (PATCH) before. The writes themselves did not get ' +
  'dearer: PATCH on a fresh 20,000-user SQLite copy, the code of that morning run (69cae4a) and ' +
  "today's code run in turn four times each, measured 0.77-1.10 and 0.75-1.08 ms (a machine whose own " +
  'speed varied that much between runs). Meeting 3× now asks for writes at about 0.56 ms, ' +
  "two fifths less; Fastify's own share of a PATCH (routing, the body parser, the hook chain) " +
  'is about a tenth of it in a CPU profile, so a write fast path alone would not do it.';

export const diagnoses: Partial<Record<TargetId, string>> = {
  'get-by-id': `${GET_PATH} The lower bound does the same lookups and the render with none of the framework, validation, projection, hooks or request log; the gap to 0.5 of it is that server-side work, measured above.`,
  'filter-username': `${GET_PATH} On top: parsing the filter and a list response; the lookup goes by the (org_id, type, user_name_lc) index, a statement compiled once, and no count runs when the page is not full.`,
  'post-user':
    'measured (CPU profiles, SQLite): a little under half of the server CPU per create is SQL: the ' +
    'resource row and its indexes, ~13 index-term rows (each in the table, the lc or str/num ' +
    'index and the (resource_pk, path, elem) index; userName and externalId have none, their ' +
    'columns serve every filter), the audit row and the live counter, run on the writer without ' +
    'Kysely, the seat-cap and link probes in one statement; the ' +
    'COMMIT is shared by the creates that finish in one turn of the event loop (group commit) ' +
    'and WAL checkpoints run on a thread of their own. The rest is JSON parsing, normalisation, ' +
    'index terms, the response (the whole user, as RFC 7644 §3.3 asks) and the request log. ' +
    'Measured by hand: resource_terms as a WITHOUT ROWID table keyed by (resource_pk, path, ' +
    'elem), one B-tree less per term, seeded 60,000 users only ~7 % faster.' +
    GET_GOT_CHEAPER +
    PG_WRITES,
  'patch-replace':
    'measured (SQLite, 2026-12-07, 20,000 users, 16 connections, each statement timed in the ' +
    'driver): per PATCH, reading the token and the user 41 µs (on the second connection, whose ' +
    "page cache SQLite drops at every commit of the writer's: 19 µs warm), the UPDATE 38 µs, " +
    'reading the stored terms for their diff 30 µs, the audit row 21 µs, the event 13 µs, the ' +
    'one changed term 13 µs, and its share of the group COMMIT about 60 µs: about 0.22 ms of ' +
    'SQLite. The rest is node: Fastify and the body, the patch, the before and after forms of ' +
    'the event, the response (the whole user) and the request log. Since the evening of ' +
    '2026-12-07 the update runs on the writer at once, as a create does, without a Kysely ' +
    'transaction and a promise per statement, and the patch copies the document without ' +
    'structuredClone: measured by hand, PATCH 0.62-0.70 ms of server CPU before, 0.50-0.54 ms ' +
    'after, against 0.16-0.175 ms for GET.' +
    GET_GOT_CHEAPER +
    PG_WRITES,
  'post-round-trips':
    'measured (test/http/pg-round-trips.test.ts, through the counting proxy, 2026-12-05): the token ' +
    'lookup, then one statement of data-modifying CTEs (resource, terms as unnest arrays, live ' +
    'count, event, audit row; store/resource-writes.ts), atomic without BEGIN/COMMIT: 2. A create ' +
    'with members still runs its transaction (the members are resolved and locked first).',
  'patch-round-trips':
    'measured (test/http/pg-round-trips.test.ts, 2026-12-05): the token lookup, the resource read ' +
    'without a lock (a group with its first 1,001 members), and one statement that updates it if ' +
    'still at the version read, with its changed term rows, event and audit row: 3. A PATCH with ' +
    'If-Match, with member operations, or changing the display of a resource that is in a group ' +
    'takes the locked transaction (7 or more). The bench PATCHes users of its 100,000-member ' +
    "group: the response's `groups` is read after the update, a fourth round trip the test's " +
    'user, in no group, does not make (2026-12-06). Since then a user is read in the statement ' +
    'that reads its token (Directory.readAuthenticated, as a GET by id): 2 for a user in no ' +
    'group, 3 for one in a group (test/http/pg-round-trips.test.ts, 2026-12-06); since its ' +
    "groups come in the token's statement too (user_groups, migration 0290), 2 for one in a group.",
  'get-cpu-vs-sqlite': PG_READ + PG_ROUND_TRIP,
  'filter-cpu-vs-sqlite': `${PG_READ} The filter adds no round trip: the userName lookup is one statement, and no count runs when the page is not full.${PG_ROUND_TRIP}`,
  'request-log':
    'measured as the difference of two servers started alike for the scenario, the log on and ' +
    'off, each measured once idle, in rounds; other work on the machine still moves each by ' +
    'several per cent. The log keeps the first 16 KiB of each response, redacts it, and inserts ' +
    'in batches: on PostgreSQL one INSERT of 100 rows per full flush, its backend CPU mostly the ' +
    "rows' heap and two index entries each and the text of about 1 KB per logged GET.",
  'group-get':
    'measured: the members are read a page of 1,000 at a time, each page its keys first (a ' +
    'MATERIALIZED CTE on the (group_pk, member_pk) index, bitmap and sequential scans off after ' +
    'the first page, so that it reads 1,000 index entries whatever the statistics) and then their ' +
    'rows by primary key. Before that, on tables never analysed, each page joined every ' +
    'remaining member of the group before its LIMIT (18 s for 100,000 members). What remains is ' +
    "per member: a row lookup by pk, and pg's text rows against SQLite's in-process reads.",
  'deep-page':
    'measured: a page finds its keys on resources_live_idx (OFFSET over index entries only, a ' +
    'MATERIALIZED CTE), then reads those rows by primary key; on PostgreSQL every skipped entry ' +
    'still costs a visit to its row while the visibility map is unset (never vacuumed), about a ' +
    'tenth of what reading and rendering a returned user costs. Before, on tables never analysed, ' +
    "PostgreSQL ran the keys' OFFSET once per live row (280 s for startIndex=19001 on 20,000 users).",
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
