/** What one benchmark run measured: the input of the report (bench/report.ts). */
import type { LoadResult, WalkResult } from './protocol.ts';

export type RequestScenarioId = 'get-by-id' | 'filter-username' | 'post-user' | 'patch-replace';

export interface GroupRow {
  /** Members the group was built with. */
  size: number;
  /** Seconds to create it through POST /Groups and PATCH add in chunks. */
  setupSeconds: number;
  result: LoadResult;
}

export type GroupResults = { available: true; rows: GroupRow[] } | { available: false; reason: string };

export interface BenchResults {
  date: string;
  machine: { cpus: number; cpuModel: string; memoryBytes: number; node: string; os: string };
  database: { dialect: 'sqlite' | 'postgres'; description: string };
  settings: { connections: number; duration: number; warmup: number; driver: string; pageSize: number };
  seed: { users: number; seconds: number };
  /** The floor, measured at the start and at the end of the run. */
  floor: LoadResult[];
  requests: Record<RequestScenarioId, LoadResult>;
  walk: WalkResult;
  groups: GroupResults;
  sizes: { users: number; groups: number | undefined; databaseBytes: number | undefined };
  /** VmHWM of the server process at the end of the run, bytes. */
  peakRssBytes: number | undefined;
}
