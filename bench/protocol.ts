/** Messages between the orchestrator (bench/run.ts) and the load driver (bench/driver.ts). */

export interface Target {
  /** http://host:port, no path. */
  origin: string;
  /** Path prefix of the SCIM base URL, e.g. /scim/v2/default ('' for the floor). */
  basePath: string;
  token: string;
}

export type Scenario =
  | { kind: 'floor' }
  | { kind: 'healthz' }
  | { kind: 'get-by-id' }
  | { kind: 'filter-username' }
  | { kind: 'post-user'; runId: string }
  | { kind: 'patch-replace' }
  | { kind: 'member-add-remove'; groupId: string; toggleUserIds: string[] };

export interface LoadJob {
  type: 'load';
  target: Target;
  scenario: Scenario;
  connections: number;
  duration: number;
  warmup: number;
  /** Requests to make instead of `duration` seconds (BENCH_AMOUNT, the smoke test's). */
  amount?: number;
}

export interface WalkJob {
  type: 'walk';
  /** 'index': startIndex/count (RFC 7644 §3.4.2.4); 'cursor': cursor/nextCursor (RFC 9865). */
  paging: 'index' | 'cursor';
  target: Target;
  pageSize: number;
  maxSeconds: number;
}

export type Job = LoadJob | WalkJob;

export interface LoadResult {
  type: 'load';
  /** 2xx responses per second over the measured seconds. */
  requestsPerSecond: number;
  /** Latency percentiles of 2xx responses, milliseconds. */
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  /** Socket errors and timeouts. */
  errors: number;
  seconds: number;
  /** Statuses other than 2xx seen, with counts (for diagnosis). */
  statuses: Record<string, number>;
  /** Responses during the warm-up (to spread the server's CPU time over every request it served). */
  warmupResponses: number;
  /** Filled in by the orchestrator: the target process's CPU milliseconds per response, warm-up included. */
  cpuMsPerRequest?: number;
  /** PostgreSQL: its backends' CPU milliseconds per response for the same server, likewise. */
  dbCpuMsPerRequest?: number;
  /** member-add-remove: users that may still be in the group when the run stopped. */
  outstanding?: string[];
}

export interface WalkResult {
  type: 'walk';
  paging: 'index' | 'cursor';
  users: number;
  pages: number;
  totalResults: number;
  seconds: number;
  usersPerSecond: number;
  /** Page latency percentiles, milliseconds. */
  p50: number;
  p99: number;
  /** False when the walk hit maxSeconds before the last page. */
  complete: boolean;
}

export type DriverReply = { ok: true; result: LoadResult | WalkResult } | { ok: false; error: string };
