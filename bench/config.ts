/**
 * The benchmark's settings, read once from BENCH_* variables (and DATABASE_URL, as the server
 * does). Defaults are the documented run; the smoke test shrinks them.
 */

export interface BenchConfig {
  /** Users seeded before the server starts (BENCH_USERS, default 100000). */
  users: number;
  /** Seconds measured per scenario (BENCH_DURATION, default 8; fractions allowed). */
  duration: number;
  /** Seconds of discarded load before each measurement (BENCH_WARMUP, default 2). */
  warmup: number;
  /**
   * Requests per measurement instead of BENCH_DURATION seconds (BENCH_AMOUNT, default unset;
   * bench/run.ts only: the other bench scripts report seconds). For the smoke test: a
   * measurement then ends when that many were answered, however busy the machine (a one-second
   * window on a loaded machine could hold no response at all), and loads the CPU for a
   * fraction of a second. The figures mean nothing with it.
   */
  amount: number | undefined;
  /**
   * Rounds of the scenarios the request targets compare (GET by id, its lower bound, GET with
   * the request log on and off, the userName filter, PATCH, POST), one after the other in each round;
   * each is reported as the median of its rounds (BENCH_ROUNDS, default 3). The machine's own
   * speed drifts within a run (the floor measured 41,666 req/s at the start of one and 19,178
   * at its end): a ratio of two scenarios measured once, minutes apart, moved more than the
   * code did.
   */
  rounds: number;
  /** Concurrent connections, the same for every scenario (BENCH_CONNECTIONS, default 16). */
  connections: number;
  /** Member counts of the groups measured (BENCH_GROUP_SIZES, default 10,10000,100000). */
  groupSizes: number[];
  /** Members added per PATCH while building a group (BENCH_GROUP_CHUNK, default 5000). */
  groupChunk: number;
  /** Page size of the listing walk (BENCH_PAGE_SIZE, default 100). */
  pageSize: number;
  /** The listing walk stops after this many seconds and says it was cut (BENCH_WALK_MAX_SECONDS, default 120). */
  walkMaxSeconds: number;
  /** PostgreSQL URL when set (a fresh schema is made in it); SQLite otherwise. */
  postgresUrl: string | undefined;
  /** Where the report goes (BENCH_OUT, default docs/benchmarks.md). */
  out: string;
  /** Keep the benchmark database afterwards (BENCH_KEEP, default false). */
  keep: boolean;
  /**
   * PostgreSQL: VACUUM ANALYZE after seeding (BENCH_ANALYZE, default false: the tables are
   * measured never analysed, as right after an import with autovacuum off or not yet run).
   */
  analyze: boolean;
}

type Env = Record<string, string | undefined>;

/** `name` read as a number of at least `min`; `fallback` when it is unset or empty. */
function number<F extends number | undefined>(
  env: Env,
  name: string,
  fallback: F,
  min: number,
  integer = true,
): number | F {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new Error(`${name} must be a ${integer ? 'whole ' : ''}number >= ${min}, got '${raw}'`);
  }
  return n;
}

function flag(env: Env, name: string): boolean {
  return ['1', 'true', 'yes'].includes((env[name] ?? '').toLowerCase());
}

export function loadBenchConfig(env: Env = process.env): BenchConfig {
  const users = number(env, 'BENCH_USERS', 100_000, 1);
  const groupSizes = (env.BENCH_GROUP_SIZES || '10,10000,100000')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_GROUP_SIZES: '${s}' is not a group size`);
      if (n > users) throw new Error(`BENCH_GROUP_SIZES: a group of ${n} needs at least ${n} users`);
      return n;
    });
  const databaseUrl = env.DATABASE_URL;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl) && !databaseUrl.startsWith('sqlite:')) {
    throw new Error(`DATABASE_URL must be postgres://… (or sqlite:…, ignored: SQLite is the default)`);
  }
  return {
    users,
    duration: number(env, 'BENCH_DURATION', 8, 0.1, false),
    warmup: number(env, 'BENCH_WARMUP', 2, 0, false),
    amount: number(env, 'BENCH_AMOUNT', undefined, 1),
    rounds: number(env, 'BENCH_ROUNDS', 3, 1),
    connections: number(env, 'BENCH_CONNECTIONS', 16, 1),
    groupSizes,
    groupChunk: number(env, 'BENCH_GROUP_CHUNK', 5000, 1),
    pageSize: number(env, 'BENCH_PAGE_SIZE', 100, 1),
    walkMaxSeconds: number(env, 'BENCH_WALK_MAX_SECONDS', 120, 1, false),
    postgresUrl: databaseUrl && /^postgres(ql)?:\/\//.test(databaseUrl) ? databaseUrl : undefined,
    out: env.BENCH_OUT || 'docs/benchmarks.md',
    keep: flag(env, 'BENCH_KEEP'),
    analyze: flag(env, 'BENCH_ANALYZE'),
  };
}

/** The length of a load job: `duration` and `warmup` seconds, or `amount` requests (BENCH_AMOUNT). */
export function loadLength(config: BenchConfig): { duration: number; warmup: number; amount?: number } {
  return {
    duration: config.duration,
    warmup: config.warmup,
    ...(config.amount === undefined ? {} : { amount: config.amount }),
  };
}
