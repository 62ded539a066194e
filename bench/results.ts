/** What one benchmark run measured: the input of the report (bench/report.ts). */
import type { LoadResult, WalkResult } from './protocol.ts';

export type RequestScenarioId = 'get-by-id' | 'filter-username' | 'post-user' | 'patch-replace';

export interface GroupRow {
  /** Members the group was built with. */
  size: number;
  /** The group's id. */
  id: string;
  /** Seconds to create it through POST /Groups and PATCH add in chunks. */
  setupSeconds: number;
  result: LoadResult;
}

export interface MemoryStep {
  step: string;
  /** VmRSS, RssAnon and RssFile of the server after the step. */
  rss: { total?: number; anon?: number; file?: number };
  /** VmHWM after the step. */
  peakBytes: number | undefined;
}

export type GroupResults = { available: true; rows: GroupRow[] } | { available: false; reason: string };

/** A full `GET /Groups/{id}` of the largest group, one request at a time. */
export interface GroupGet {
  size: number;
  /** Median wall time of the GETs, milliseconds. */
  ms: number;
  /** CPU of the server and of its database backends (PostgreSQL) per GET, milliseconds. */
  cpuMs: number | undefined;
  gets: number;
}

/** One `GET /Users?count=…&startIndex=…` page, alone, repeated: its median time and CPU. */
export interface PageCost {
  startIndex: number;
  /** Median wall time, milliseconds. */
  ms: number;
  /** CPU of the server and its database backends per request, milliseconds. */
  cpuMs: number | undefined;
}

/** Listing pages at several depths on the directory as seeded (tables never analysed unless BENCH_ANALYZE). */
export interface PageCosts {
  count: number;
  rows: PageCost[];
}

/** The same requests on SQLite in a PostgreSQL run (the same users, seeded in the same run). */
export interface SqliteCompanion {
  getById: LoadResult;
  filter: LoadResult;
  groupGet: GroupGet | undefined;
}

export interface BenchResults {
  date: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryBytes: number;
    node: string;
    os: string;
    /** 1-minute load average when the run started. */
    loadAverageBefore: number;
    /**
     * Share of all CPUs used by processes other than the bench's own while it measured (0–1):
     * other work on the machine makes every figure low and noisy.
     */
    otherCpuShare: number | undefined;
  };
  /** Environment the server was started with, beyond PORT, HOST and DATABASE_URL. */
  serverSettings: string;
  database: { dialect: 'sqlite' | 'postgres'; description: string };
  settings: {
    connections: number;
    duration: number;
    warmup: number;
    /** Requests per measurement instead of `duration` (BENCH_AMOUNT, the smoke test's). */
    amount?: number;
    driver: string;
    pageSize: number;
    /** Rounds of the request scenarios, each reported as its median (BENCH_ROUNDS). */
    rounds: number;
  };
  seed: { users: number; seconds: number; analyzed: boolean };
  /** The floor, measured at the start and at the end of the run. */
  floor: LoadResult[];
  /** GET /healthz on the SCIM server: Fastify and the app's hooks, no token, no database. */
  framework: LoadResult;
  /**
   * GET /Users/{id} on bench/bound-server.ts: bare node:http with only the token and user
   * lookups and the render, on the same database; what a GET by id can reach at all.
   */
  bound: LoadResult;
  requests: Record<RequestScenarioId, LoadResult>;
  /**
   * GET /Users/{id} on two servers of their own, started alike, one with the request log on and
   * one with REQUEST_LOG=false: the log's cost is the difference. (Older results have no logOn:
   * the server under test stood in for it.)
   */
  logOn?: LoadResult | undefined;
  logOff: LoadResult | undefined;
  /**
   * Per round, the CPU per GET (node and database) of its log-on and log-off servers, each the
   * mean of the round's runs: the log's cost is the median of the rounds' shares, so that the
   * machine's drift between rounds stays out of it. (Absent in older results.)
   */
  logRounds?: { on: number; off: number }[];
  /**
   * PostgreSQL: round trips to the database per request (request-log flushes included,
   * spread over the requests they wrote), counted by a proxy in front of a second server.
   */
  roundTrips: Partial<Record<RequestScenarioId, number>> | undefined;
  pages: PageCosts;
  groupGet: GroupGet | undefined;
  sqlite: SqliteCompanion | undefined;
  /** Listing every user by startIndex (the target) and, when the server offers it, by cursor. */
  walk: WalkResult;
  cursorWalk: WalkResult | { unavailable: string };
  groups: GroupResults;
  sizes: { users: number; groups: number | undefined; databaseBytes: number | undefined };
  /** VmHWM of the server process at the end of the run, bytes. */
  peakRssBytes: number | undefined;
  /** The server's VmRSS and VmHWM after each step, to see which one grew it. */
  memorySteps: MemoryStep[];
}

/** The middle value (the lower of the two middles for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

/**
 * One scenario measured in several rounds, as one result: each rate, latency and CPU figure the
 * median of its rounds (each on its own), counts of responses, failures and statuses summed.
 */
export function medianLoad(rounds: readonly LoadResult[]): LoadResult {
  const [first] = rounds;
  if (!first) throw new Error('medianLoad: no rounds');
  if (rounds.length === 1) return first;
  const of = (pick: (r: LoadResult) => number | undefined) => {
    const values = rounds.map(pick).filter((v): v is number => v !== undefined);
    return values.length === rounds.length ? median(values) : undefined;
  };
  const sum = (pick: (r: LoadResult) => number) => rounds.reduce((n, r) => n + pick(r), 0);
  const statuses: Record<string, number> = {};
  for (const r of rounds)
    for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const cpu = of((r) => r.cpuMsPerRequest);
  const dbCpu = of((r) => r.dbCpuMsPerRequest);
  return {
    type: 'load',
    requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    ok: sum((r) => r.ok),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    seconds: sum((r) => r.seconds),
    statuses,
    warmupResponses: sum((r) => r.warmupResponses),
    ...(cpu !== undefined ? { cpuMsPerRequest: cpu } : {}),
    ...(dbCpu !== undefined ? { dbCpuMsPerRequest: dbCpu } : {}),
  };
}
