/**
 * `npm run bench`: seeds a fresh database (SQLite by default, PostgreSQL when DATABASE_URL is
 * set), starts the SCIM server and a bare node:http floor server as processes of their own
 * (and, for one scenario, the lower-bound server of bench/bound-server.ts),
 * drives load at both from a third process (bench/driver.ts), and writes docs/benchmarks.md.
 * Settings: bench/config.ts. Benchmarks are not tests: nothing here fails on a slow figure.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { isAbsolute, join } from 'node:path';
import { type BenchConfig, loadBenchConfig, loadLength } from './config.ts';
import { prepareDatabase } from './database.ts';
import { Driver } from './driver-client.ts';
import { CORE_GROUP_SCHEMA, PATCH_OP, seededUserName, userBody } from './fixtures.ts';
import { backendTicks, startCountingProxy, ticksBetween, withApplicationName } from './pg-backends.ts';
import {
  otherCpuMeter,
  peakRssBytes,
  processTicks,
  root,
  rssBytes,
  SERVER_NODE_FLAGS,
  type Started,
  startNodeProcess,
  TICKS_PER_SECOND,
} from './processes.ts';
import type { LoadJob, LoadResult, Scenario, Target, WalkResult } from './protocol.ts';
import { evaluateTargets, REPORT_HEADINGS, renderReport, shortfall, totalCpu } from './report.ts';
import {
  type BenchResults,
  type GroupGet,
  type GroupResults,
  type GroupRow,
  type MemoryStep,
  median,
  medianLoad,
  type PageCosts,
  type RequestScenarioId,
  type SqliteCompanion,
} from './results.ts';
import { writeSections } from './sections.ts';
import { BENCH_ORG, seedDirectory } from './seed.ts';

function log(message: string) {
  process.stderr.write(`[bench] ${message}\n`);
}

/** A small fetch-based client for setup requests (not measured). */
function scimClient(target: Target) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${target.origin}${target.basePath}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${target.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      json = { text };
    }
    return { status: response.status, ok: response.ok, json };
  };
}

type Scim = ReturnType<typeof scimClient>;

function describeFailure(what: string, r: { status: number; json: Record<string, unknown> }): string {
  const detail = typeof r.json.detail === 'string' ? `: ${r.json.detail}` : '';
  return `${what} answered ${r.status}${detail}`;
}

/**
 * `count` GETs of users at once, each answered 200 or the bench stops: a server started for one
 * measurement opens its database connections and serves its first requests before it.
 */
async function primeGets(target: Target, userIds: readonly string[], count: number): Promise<void> {
  const scim = scimClient(target);
  const replies = await Promise.all(
    Array.from({ length: count }, (_, i) => scim('GET', `/Users/${userIds[i % userIds.length]}`)),
  );
  const failed = replies.find((r) => r.status !== 200);
  if (failed) throw new Error(describeFailure('a priming GET /Users/{id}', failed));
}

/** Creates a group through POST /Groups, then PATCH add of its members in chunks (RFC 7644 §3.5.2.1). */
async function buildGroup(scim: Scim, size: number, members: string[], chunk: number): Promise<string> {
  const created = await scim('POST', '/Groups', {
    schemas: [CORE_GROUP_SCHEMA],
    displayName: `bench group of ${size}`,
  });
  if (!created.ok || typeof created.json.id !== 'string')
    throw new Error(describeFailure('POST /Groups', created));
  const id = created.json.id;
  for (let from = 0; from < size; from += chunk) {
    const value = members.slice(from, Math.min(size, from + chunk)).map((m) => ({ value: m }));
    const r = await scim('PATCH', `/Groups/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value }],
    });
    if (!r.ok) throw new Error(describeFailure(`PATCH /Groups/${id} (add ${value.length} members)`, r));
  }
  return id;
}

async function measureGroups(
  config: BenchConfig,
  target: Target,
  driver: Driver,
  meter: Meter,
  memory: ReturnType<typeof memoryTracker>,
  userIds: string[],
  runId: string,
): Promise<GroupResults> {
  const scim = scimClient(target);
  const probe = await scim('GET', '/Groups?count=0');
  if (!probe.ok) return { available: false, reason: describeFailure('GET /Groups', probe) };
  // Users in no group, added and removed by the member scenario: two per connection.
  const toggleUserIds: string[] = [];
  for (let i = 0; i < 2 * config.connections; i++) {
    const r = await scim('POST', '/Users', userBody(`member-${runId}-${i}@bench.example.com`, i));
    if (!r.ok || typeof r.json.id !== 'string') throw new Error(describeFailure('POST /Users', r));
    toggleUserIds.push(r.json.id);
  }
  const rows: GroupRow[] = [];
  for (const size of config.groupSizes) {
    const started = performance.now();
    let groupId: string;
    try {
      groupId = await buildGroup(scim, size, userIds, config.groupChunk);
    } catch (error) {
      return { available: false, reason: (error as Error).message };
    }
    const setupSeconds = (performance.now() - started) / 1000;
    memory.note(`group of ${size} built`);
    log(`group of ${size} members built in ${setupSeconds.toFixed(1)} s; measuring add/remove`);
    const result = await measure(
      driver,
      meter,
      `members (${size})`,
      {
        type: 'load',
        target,
        scenario: { kind: 'member-add-remove', groupId, toggleUserIds },
        connections: config.connections,
        ...loadLength(config),
      },
      memory,
    );
    // A connection stopped between its add and its remove leaves a user in the group: take it out.
    for (const user of result.outstanding ?? []) {
      await scim('PATCH', `/Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'remove', path: `members[value eq "${user}"]` }],
      });
    }
    rows.push({ size, id: groupId, setupSeconds, result: { ...result, outstanding: [] } });
  }
  return { available: true, rows };
}

async function listAll(driver: Driver, target: Target, config: BenchConfig, paging: 'index' | 'cursor') {
  log(`listing all users by pages of ${config.pageSize} (${paging} paging)`);
  const walk = await driver.run<WalkResult>({
    type: 'walk',
    paging,
    target,
    pageSize: config.pageSize,
    maxSeconds: config.walkMaxSeconds,
  });
  log(
    `listing (${paging}): ${walk.users} users in ${walk.seconds.toFixed(1)} s, ${Math.round(walk.usersPerSecond)} users/s` +
      (walk.complete ? '' : ' (cut by BENCH_WALK_MAX_SECONDS)'),
  );
  return walk;
}

/** The same walk by RFC 9865 cursors, when the first page offers a nextCursor. */
async function listAllByCursor(driver: Driver, target: Target, config: BenchConfig) {
  const probe = await scimClient(target)('GET', '/Users?count=1&cursor=');
  if (!probe.ok || typeof probe.json.nextCursor !== 'string') {
    const unavailable = probe.ok
      ? 'no nextCursor on the first page'
      : describeFailure('GET /Users?cursor=', probe);
    log(`listing by cursor: not available (${unavailable})`);
    return { unavailable };
  }
  return listAll(driver, target, config, 'cursor');
}

/** Notes the server's memory after a step (the report shows which step grew it). */
function memoryTracker(pid: number) {
  const steps: MemoryStep[] = [];
  return {
    steps,
    note(step: string) {
      steps.push({ step, rss: rssBytes(pid), peakBytes: peakRssBytes(pid) });
    },
  };
}

/**
 * A process measured: its pid and, on PostgreSQL, the admin URL and application_name by which
 * its backends are found (bench/pg-backends.ts).
 */
interface Meter {
  pid: number;
  backends?: { adminUrl: string; name: string };
}

interface CpuSnapshot {
  node: number | undefined;
  db: Map<number, number> | undefined;
}

async function cpuSnapshot(meter: Meter): Promise<CpuSnapshot> {
  return {
    node: processTicks(meter.pid),
    db: meter.backends ? await backendTicks(meter.backends.adminUrl, meter.backends.name) : undefined,
  };
}

/** CPU milliseconds of the process and of its backends since `before`. */
async function cpuSince(meter: Meter, before: CpuSnapshot): Promise<{ node?: number; db?: number }> {
  const after = await cpuSnapshot(meter);
  const ms = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;
  return {
    ...(before.node !== undefined && after.node !== undefined ? { node: ms(after.node - before.node) } : {}),
    ...(before.db && after.db ? { db: ms(ticksBetween(before.db, after.db)) } : {}),
  };
}

/**
 * Waits until a server just started is idle, so that its start-up work is not counted as the
 * scenario's: the request log's first prune deletes what earlier scenarios wrote beyond the
 * per-org cap (measured on PostgreSQL: 65,000 rows cost the backends 0.54 s and node 0.18 s of
 * CPU, and the load starts as soon as the server listens). Idle: the process and its backends
 * together spend under IDLE_TICKS of CPU in SETTLE_MS; at most SETTLE_MAX_MS. Returns the
 * milliseconds waited.
 */
const SETTLE_MS = 500;
const IDLE_TICKS = 3;
const SETTLE_MAX_MS = 30_000;
async function settle(meter: Meter): Promise<number> {
  const started = performance.now();
  let before = await cpuSnapshot(meter);
  while (performance.now() - started < SETTLE_MAX_MS) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const after = await cpuSnapshot(meter);
    const node = (after.node ?? 0) - (before.node ?? 0);
    const db = before.db && after.db ? ticksBetween(before.db, after.db) : 0;
    if (node + db < IDLE_TICKS) break;
    before = after;
  }
  return performance.now() - started;
}

/**
 * Runs a load job and adds the CPU time the measured process (and, on PostgreSQL, its
 * backends) spent per response: unlike req/s, it hardly moves when other work shares the
 * machine.
 */
async function measure(
  driver: Driver,
  meter: Meter,
  name: string,
  job: LoadJob,
  memory?: ReturnType<typeof memoryTracker>,
): Promise<LoadResult> {
  const before = await cpuSnapshot(meter);
  const result = await driver.run<LoadResult>(job);
  const spent = await cpuSince(meter, before);
  memory?.note(name);
  const responses = result.ok + result.non2xx + result.warmupResponses;
  if (responses > 0) {
    if (spent.node !== undefined) result.cpuMsPerRequest = spent.node / responses;
    if (spent.db !== undefined) result.dbCpuMsPerRequest = spent.db / responses;
  }
  logLoad(name, result);
  return result;
}

/** Percentiles come back as null over IPC when nothing succeeded (JSON has no NaN). */
function ms(n: number | null): string {
  return typeof n === 'number' && Number.isFinite(n) ? `${n.toFixed(2)} ms` : 'n/a';
}

function logLoad(name: string, r: LoadResult) {
  const bad = r.non2xx + r.errors;
  log(
    `${name}: ${Math.round(r.requestsPerSecond)} req/s, p50 ${ms(r.p50)}, p99 ${ms(r.p99)}` +
      (r.cpuMsPerRequest === undefined ? '' : `, ${r.cpuMsPerRequest.toFixed(3)} ms CPU/request`) +
      (r.dbCpuMsPerRequest === undefined ? '' : ` + ${r.dbCpuMsPerRequest.toFixed(3)} ms database`) +
      (bad ? `, ${bad} non-2xx/errors ${JSON.stringify(r.statuses)}` : ''),
  );
}

async function totalResults(scim: Scim, path: string): Promise<number | undefined> {
  const r = await scim('GET', path);
  return r.ok && typeof r.json.totalResults === 'number' ? r.json.totalResults : undefined;
}

function autocannonVersion(): string {
  const require = createRequire(import.meta.url);
  return `autocannon ${(require('autocannon/package.json') as { version: string }).version}`;
}

/**
 * The server's environment: what `npm start` gets, on a free loopback port, with request rate
 * limits off (one token driving thousands of requests a second is the point here, not abuse),
 * and on PostgreSQL the server's own ANALYZE off, so that the tables stay as seeded: never
 * analysed, unless BENCH_ANALYZE analysed them before the start (docs/deployment.md "Table
 * statistics on PostgreSQL"). Everything else, the request log included, stays at its default.
 */
export const SERVER_SETTINGS: Record<string, string> = {
  BOOTSTRAP: 'true',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_TOKEN: '0',
  RATE_LIMIT_PER_ORG: '0',
  PG_ANALYZE_INTERVAL_SECONDS: 'off',
};

function serverEnv(databaseUrl: string): Record<string, string> {
  return { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl, ...SERVER_SETTINGS };
}

/**
 * GETs `path` `times` times, one request at a time, reading the whole body: the median wall
 * time, and the CPU of the server and its database backends per GET.
 */
async function timeGets(target: Target, meter: Meter, path: string, times: number) {
  const before = await cpuSnapshot(meter);
  const took: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    const response = await fetch(`${target.origin}${target.basePath}${path}`, {
      headers: { authorization: `Bearer ${target.token}` },
    });
    const body = await response.text();
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${body.slice(0, 300)}`);
    took.push(performance.now() - started);
  }
  const spent = await cpuSince(meter, before);
  return {
    ms: median(took),
    cpuMs: spent.node === undefined ? undefined : (spent.node + (spent.db ?? 0)) / times,
  };
}

/** Times each page measured by measurePages is read. */
const PAGE_REPEATS = 3;

/**
 * `GET /Users?count=…&startIndex=…` at the start, the middle and the end of the directory as
 * seeded, before any other request (on PostgreSQL the tables are then never analysed, unless
 * BENCH_ANALYZE): each page alone, PAGE_REPEATS times. Pages of 1,000 (a tenth of the users
 * on small runs), at positions no earlier page ended on, so that no remembered page start
 * (src/store/resources.ts) serves them.
 */
async function measurePages(target: Target, meter: Meter, users: number): Promise<PageCosts> {
  const count = Math.min(1000, Math.max(1, Math.floor(users / 10)));
  const starts = [...new Set([1, Math.floor(users / 2) + 1, Math.max(1, users - count + 1)])];
  // The first page once first, unmeasured: the server's first list request compiles and warms
  // what every later one uses, and the first page measured must not pay for that alone.
  await timeGets(target, meter, `/Users?count=${count}`, 1);
  const rows = [];
  for (const startIndex of starts) {
    const cost = await timeGets(
      target,
      meter,
      `/Users?count=${count}&startIndex=${startIndex}`,
      PAGE_REPEATS,
    );
    log(`page of ${count} at startIndex=${startIndex}: ${cost.ms.toFixed(1)} ms`);
    rows.push({ startIndex, ...cost });
  }
  return { count, rows };
}

/** Times a full GET of the group is read by measureGroupGet. */
const GROUP_GETS = 3;

async function measureGroupGet(target: Target, meter: Meter, size: number, id: string): Promise<GroupGet> {
  const cost = await timeGets(target, meter, `/Groups/${id}`, GROUP_GETS);
  log(`GET of the group of ${size} members: ${cost.ms.toFixed(1)} ms`);
  return { size, gets: GROUP_GETS, ...cost };
}

/** Requests per kind whose round trips are counted (after ROUND_TRIP_WARMUP of each). */
const ROUND_TRIP_REQUESTS = 50;
const ROUND_TRIP_WARMUP = 5;

/**
 * PostgreSQL: round trips per request of each scenario, on a second server whose database
 * connections go through a counting proxy (bench/pg-backends.ts), one request at a time. That
 * server runs with the request log off: its writes are batched (one INSERT of up to 100 rows
 * per flush, src/store/request-log.ts), so their share per request depends on the request
 * rate, not on the request; the log's cost is measured on its own (log on against off).
 */
async function countRoundTrips(
  databaseUrl: string,
  seeded: { token: string; userIds: string[] },
  runId: string,
): Promise<Partial<Record<RequestScenarioId, number>>> {
  const proxy = await startCountingProxy(databaseUrl);
  const server = await startNodeProcess(
    'src/main.ts',
    { ...serverEnv(proxy.url), REQUEST_LOG: 'false' },
    /listening on (http:\/\/\S+)/,
  );
  try {
    const scim = scimClient({ origin: server.ready, basePath: `/scim/v2/${BENCH_ORG}`, token: seeded.token });
    const pick = () => Math.floor(Math.random() * seeded.userIds.length);
    let n = 0;
    const requests: Record<RequestScenarioId, () => Promise<{ ok: boolean; status: number }>> = {
      'get-by-id': () => scim('GET', `/Users/${seeded.userIds[pick()]}`),
      'filter-username': () =>
        scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${seededUserName(pick())}"`)}`),
      'post-user': () => scim('POST', '/Users', userBody(`rt-${runId}-${n++}@bench.example.com`, n)),
      'patch-replace': () =>
        scim('PATCH', `/Users/${seeded.userIds[pick()]}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'title', value: `Title rt ${n++}` }],
        }),
    };
    // Lets what a request leaves behind (none today) land in its own kind's count.
    const settle = () => new Promise((r) => setTimeout(r, 300));
    const counts: Partial<Record<RequestScenarioId, number>> = {};
    for (const [kind, send] of Object.entries(requests) as [
      RequestScenarioId,
      () => Promise<{ ok: boolean; status: number }>,
    ][]) {
      for (let i = 0; i < ROUND_TRIP_WARMUP; i++) await send();
      await settle();
      const before = proxy.roundTrips();
      for (let i = 0; i < ROUND_TRIP_REQUESTS; i++) {
        const r = await send();
        if (!r.ok) throw new Error(`round-trip count: ${kind} answered ${r.status}`);
      }
      await settle();
      counts[kind] = (proxy.roundTrips() - before) / ROUND_TRIP_REQUESTS;
      log(`round trips per request, ${kind}: ${counts[kind]?.toFixed(2)}`);
    }
    return counts;
  } finally {
    await server.stop();
    await proxy.close();
  }
}

/**
 * PostgreSQL runs: the same users seeded into SQLite (the same ids, so the driver's list
 * serves both), and GET by id, the userName filter and a full GET of the largest group
 * measured there too, for the targets that compare the two in one run.
 */
async function measureSqliteCompanion(
  config: BenchConfig,
  workDir: string,
  driver: Driver,
  userIds: string[],
  largest: number | undefined,
): Promise<SqliteCompanion> {
  const url = `sqlite:${join(workDir, 'companion.db')}`;
  log(`seeding ${config.users} users into SQLite, for the comparisons`);
  const seeded = await seedDirectory(url, config.users, () => {}, { ids: userIds });
  const server = await startNodeProcess(
    'src/main.ts',
    serverEnv(url),
    /listening on (http:\/\/\S+)/,
    undefined,
    SERVER_NODE_FLAGS,
  );
  try {
    const target: Target = { origin: server.ready, basePath: `/scim/v2/${BENCH_ORG}`, token: seeded.token };
    const meter: Meter = { pid: server.pid };
    const job = (scenario: Scenario): LoadJob => ({
      type: 'load',
      target,
      scenario,
      connections: config.connections,
      ...loadLength(config),
    });
    // In rounds too, each the median of its rounds, as the PostgreSQL figures it is set against.
    const getByIds: LoadResult[] = [];
    const filters: LoadResult[] = [];
    for (let round = 1; round <= config.rounds; round++) {
      const of = config.rounds > 1 ? ` (round ${round} of ${config.rounds})` : '';
      getByIds.push(await measure(driver, meter, `SQLite: GET /Users/{id}${of}`, job({ kind: 'get-by-id' })));
      filters.push(
        await measure(driver, meter, `SQLite: filter userName eq${of}`, job({ kind: 'filter-username' })),
      );
    }
    const getById = medianLoad(getByIds);
    const filter = medianLoad(filters);
    let groupGet: GroupGet | undefined;
    if (largest !== undefined) {
      const id = await buildGroup(scimClient(target), largest, userIds, config.groupChunk);
      groupGet = await measureGroupGet(target, meter, largest, id);
    }
    return { getById, filter, groupGet };
  } finally {
    await server.stop();
  }
}

async function main() {
  const config = loadBenchConfig();
  const loadBefore = os.loadavg()[0] ?? Number.NaN;
  const runId = randomBytes(4).toString('hex');
  const date = new Date();
  const workDir = join(root, '.tmp', `bench-${date.toISOString().replace(/[:.]/g, '-')}-${runId}`);
  mkdirSync(workDir, { recursive: true });
  const database = await prepareDatabase(config, workDir);
  const processes: Started[] = [];
  let driver: Driver | undefined;
  try {
    log(`seeding ${config.users} users into ${database.description}`);
    let lastLog = performance.now();
    const seeded = await seedDirectory(
      database.url,
      config.users,
      (done) => {
        if (performance.now() - lastLog > 10_000 || done === config.users) {
          lastLog = performance.now();
          log(`  ${done} users`);
        }
      },
      { analyze: config.analyze },
    );
    log(`seeded ${config.users} users in ${seeded.seconds.toFixed(1)} s`);
    const idsFile = join(workDir, 'user-ids.json');
    writeFileSync(idsFile, JSON.stringify(seeded.userIds));

    // On PostgreSQL the server's backends carry a name of the run's, to read their CPU.
    const backendName = `scimitar-bench-${runId}`;
    const pg = database.dialect === 'postgres';
    const serverUrl = pg ? withApplicationName(database.url, backendName) : database.url;
    const server = await startNodeProcess(
      'src/main.ts',
      serverEnv(serverUrl),
      /listening on (http:\/\/\S+)/,
      undefined,
      SERVER_NODE_FLAGS,
    );
    processes.push(server);
    const meterOf = (pid: number, name: string): Meter =>
      pg && config.postgresUrl ? { pid, backends: { adminUrl: config.postgresUrl, name } } : { pid };
    const meter = meterOf(server.pid, backendName);
    const floorServer = await startNodeProcess(
      'bench/floor-server.ts',
      { PORT: '0' },
      /listening on (http:\/\/\S+)/,
    );
    processes.push(floorServer);
    driver = Driver.start(idsFile);
    const driverPid = driver.pid;
    let exitedTicks = 0;
    const otherCpu = otherCpuMeter(
      () => [process.pid, server.pid, floorServer.pid, driverPid],
      () => exitedTicks,
    );

    const target: Target = { origin: server.ready, basePath: `/scim/v2/${BENCH_ORG}`, token: seeded.token };
    const floorTarget: Target = { origin: floorServer.ready, basePath: '', token: seeded.token };
    const memory = memoryTracker(server.pid);
    memory.note('server started');
    const load = (name: string, t: Target, scenario: Scenario, other?: Meter) =>
      measure(
        driver!,
        other ?? (t === floorTarget ? { pid: floorServer.pid } : meter),
        name,
        {
          type: 'load',
          target: t,
          scenario,
          connections: config.connections,
          ...loadLength(config),
        },
        t === floorTarget || other !== undefined ? undefined : memory,
      );

    /**
     * GET by id on a server of its own (the lower bound, or the SCIM server with other
     * settings), started for this one scenario and stopped at once, so that it never competes
     * with the server under test for the CPU or the database.
     */
    const getByIdOnOwnServer = async (
      label: string,
      script: string,
      suffix: string,
      env: Record<string, string>,
    ) => {
      const name = `${backendName}-${suffix}`;
      const own = await startNodeProcess(
        script,
        { ...env, PORT: '0', DATABASE_URL: pg ? withApplicationName(database.url, name) : database.url },
        /listening on (http:\/\/\S+)/,
        undefined,
        script === 'src/main.ts' ? SERVER_NODE_FLAGS : [],
      );
      try {
        const ownMeter = meterOf(own.pid, name);
        const ownTarget = { ...target, origin: own.ready };
        // As many GETs at once as the load has connections, before the measurement: the server's
        // database connections are opened and its first requests served outside the window (a
        // fresh PostgreSQL pool on a busy machine is the likely reason why such a server of the
        // smoke test once answered nothing in its one-second window).
        await primeGets(ownTarget, seeded.userIds, config.connections);
        const waited = await settle(ownMeter);
        if (waited > 2 * SETTLE_MS)
          log(`${label}: the new server was busy for ${Math.round(waited)} ms after it started`);
        return await load(label, ownTarget, { kind: 'get-by-id' }, ownMeter);
      } finally {
        exitedTicks += processTicks(own.pid) ?? 0;
        await own.stop();
      }
    };

    // First, on the directory as seeded: listing pages at every depth.
    const pages = await measurePages(target, meter, config.users);
    memory.note('pages at several depths');
    const floorStart = await load('floor (start)', floorTarget, { kind: 'floor' });
    const framework = await load('GET /healthz', target, { kind: 'healthz' });
    // The scenarios the request targets compare, in rounds (BENCH_ROUNDS), each reported as the
    // median of its rounds: the machine's speed drifts within a run, and the writes are judged
    // against GET's CPU measured beside them. The request log's cost is measured next to the
    // GET, on the directory as it was (after the groups below, every user is in groups and a
    // GET reads them: measured then, the log seemed to cost less than nothing).
    const rounds: Record<
      'getById' | 'bound' | 'logOn' | 'logOff' | 'filter' | 'patch' | 'post',
      LoadResult[]
    > = {
      getById: [],
      bound: [],
      logOn: [],
      logOff: [],
      filter: [],
      patch: [],
      post: [],
    };
    for (let round = 1; round <= config.rounds; round++) {
      const of = config.rounds > 1 ? ` (round ${round} of ${config.rounds})` : '';
      rounds.getById.push(await load(`GET /Users/{id}${of}`, target, { kind: 'get-by-id' }));
      rounds.bound.push(
        await getByIdOnOwnServer(`GET /Users/{id}, lower bound${of}`, 'bench/bound-server.ts', 'bound', {
          BOUND_ORG: BENCH_ORG,
        }),
      );
      // The log's cost: servers started alike, the log on and off, each measured once idle (the
      // server under test has served every scenario before: it is not their equal). Each round
      // runs them in the order A B B A, A the log on in odd rounds and off in even ones: whatever
      // the first of them meets (on PostgreSQL the previous round's writes leave pages to prune
      // and hint for their first reader) and the machine's drift fall on both alike.
      const logServer = async (on: boolean, turn: number) => {
        const label = `GET /Users/{id}, request log ${on ? 'on' : 'off'}${of ? of.replace(')', `, ${turn} of 2)`) : ` (${turn} of 2)`}`;
        const env = on ? serverEnv(database.url) : { ...serverEnv(database.url), REQUEST_LOG: 'false' };
        (on ? rounds.logOn : rounds.logOff).push(
          await getByIdOnOwnServer(label, 'src/main.ts', on ? 'log-on' : 'log-off', env),
        );
      };
      const onFirst = round % 2 === 1;
      await logServer(onFirst, 1);
      await logServer(!onFirst, 1);
      await logServer(!onFirst, 2);
      await logServer(onFirst, 2);
      rounds.filter.push(await load(`filter userName eq${of}`, target, { kind: 'filter-username' }));
      rounds.patch.push(await load(`PATCH replace${of}`, target, { kind: 'patch-replace' }));
      rounds.post.push(await load(`POST /Users${of}`, target, { kind: 'post-user', runId }));
    }
    const getById = medianLoad(rounds.getById);
    const bound = medianLoad(rounds.bound);
    // Per round, the mean CPU per GET of its two log-on and of its two log-off servers.
    const meanCpu = (runs: LoadResult[]) => {
      const cpu = runs.map(totalCpu);
      return cpu.every((c) => c !== undefined)
        ? cpu.reduce((a, c) => a + (c as number), 0) / cpu.length
        : undefined;
    };
    const logRounds: { on: number; off: number }[] = [];
    for (let i = 0; i < config.rounds; i++) {
      const on = meanCpu(rounds.logOn.slice(2 * i, 2 * i + 2));
      const off = meanCpu(rounds.logOff.slice(2 * i, 2 * i + 2));
      if (on !== undefined && off !== undefined) logRounds.push({ on, off });
    }
    const logOn = medianLoad(rounds.logOn);
    const logOff = medianLoad(rounds.logOff);
    const filter = medianLoad(rounds.filter);
    const patch = medianLoad(rounds.patch);
    const post = medianLoad(rounds.post);
    const walk = await listAll(driver, target, config, 'index');
    memory.note('listing by startIndex');
    const cursorWalk = await listAllByCursor(driver, target, config);
    memory.note('listing by cursor');
    const groups = await measureGroups(config, target, driver, meter, memory, seeded.userIds, runId);
    if (!groups.available) log(`groups: not available (${groups.reason})`);
    const largest = groups.available ? [...groups.rows].sort((x, y) => y.size - x.size)[0] : undefined;
    const groupGet = largest ? await measureGroupGet(target, meter, largest.size, largest.id) : undefined;

    let roundTrips: Partial<Record<RequestScenarioId, number>> | undefined;
    let sqlite: SqliteCompanion | undefined;
    if (pg) {
      roundTrips = await countRoundTrips(database.url, seeded, runId);
      sqlite = await measureSqliteCompanion(config, workDir, driver, seeded.userIds, largest?.size);
    }
    const floorEnd = await load('floor (end)', floorTarget, { kind: 'floor' });

    const othersShare = otherCpu();
    const scim = scimClient(target);
    const results: BenchResults = {
      date: `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
        memoryBytes: os.totalmem(),
        node: process.version,
        os: `${os.type()} ${os.release()}`,
        loadAverageBefore: loadBefore,
        otherCpuShare: othersShare,
      },
      serverSettings: Object.entries(SERVER_SETTINGS)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
      database: { dialect: database.dialect, description: database.description },
      settings: {
        connections: config.connections,
        ...loadLength(config),
        driver: autocannonVersion(),
        pageSize: config.pageSize,
        rounds: config.rounds,
      },
      seed: { users: config.users, seconds: seeded.seconds, analyzed: pg && config.analyze },
      floor: [floorStart, floorEnd],
      framework,
      bound,
      requests: {
        'get-by-id': getById,
        'filter-username': filter,
        'post-user': post,
        'patch-replace': patch,
      },
      logOn,
      logOff,
      logRounds,
      roundTrips,
      pages,
      groupGet,
      sqlite,
      walk,
      cursorWalk,
      groups,
      sizes: {
        users: (await totalResults(scim, '/Users?count=0')) ?? Number.NaN,
        groups: groups.available ? await totalResults(scim, '/Groups?count=0') : undefined,
        databaseBytes: await database.sizeBytes(),
      },
      peakRssBytes: peakRssBytes(server.pid),
      memorySteps: memory.steps,
    };

    const out = isAbsolute(config.out) ? config.out : join(root, config.out);
    // Only the title and the sections renderReport writes are this run's: the others (roles,
    // events, revocation, filter shapes, request-log overhead) come from their own scripts.
    writeSections(out, renderReport(results), (heading) => REPORT_HEADINGS.has(heading));
    log(`wrote ${out}`);
    for (const o of evaluateTargets(results)) {
      const verdict =
        o.met === undefined ? `not measured (${o.reason})` : o.met ? 'met' : `MISSED, ${shortfall(o)}`;
      log(`target ${o.def.label}: ${verdict}`);
    }
  } finally {
    driver?.stop();
    for (const p of processes.reverse()) await p.stop();
    if (!config.keep) {
      await database.cleanup();
      rmSync(workDir, { recursive: true, force: true });
    } else {
      log(`kept ${workDir} (${database.url})`);
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
