/**
 * PostgreSQL: ANALYZE of the service's own tables once they changed a lot, as autovacuum's
 * analyze would, for databases where autovacuum is off or has not come round yet (right after
 * a large import). Without statistics PostgreSQL estimates every equality at 0.5 % of the
 * rows, so `org_id = $1 and type = 'User'` looks like one row, and it picks among the indexes
 * starting with `(org_id, type)` by their size: a lookup by id read the whole org
 * (test/store/pg-analyze.test.ts). An ANALYZE also invalidates the cached generic plans of
 * named statements (pg-statements.ts) over the table, which are otherwise never planned again.
 *
 * A round (docs/deployment.md "Table statistics on PostgreSQL"):
 * - the statistics counters of the tables of `current_schema()` that the connection's role may
 *   analyse (it has their owner's privileges), as pg_stat_user_tables shows them, pick the
 *   tables that need it (one statement; most rounds end here):
 *   - `n_mod_since_analyze` above autovacuum's analyze threshold, read from the server's
 *     settings (`autovacuum_analyze_threshold` + `autovacuum_analyze_scale_factor` ×
 *     `reltuples`: 50 + 10 % of the rows by default); `reltuples` below 0 (never analysed nor
 *     vacuumed) counts as 0, as autovacuum counts it, so a never-analysed table needs only
 *     more than 50 changes: every row it holds was a change since it was created;
 *   - or no analyse recorded (`last_analyze`, `last_autoanalyze` null) and at least
 *     `autovacuum_analyze_threshold` rows by `n_live_tup` or `reltuples`: the changes were
 *     counted before the counters were lost (a crash, `pg_stat_reset`) or the rows came with
 *     the table (an index build counts them into reltuples).
 * - if any, a transaction of its own, never a request's: `pg_try_advisory_xact_lock` on a key
 *   of the schema, so that one instance per schema analyses at a time and the others skip the
 *   round (a transaction lock, not a session one: behind PgBouncer in transaction mode a
 *   session lock would stay on whichever server connection took it); the tables read again
 *   under it, since an instance that has just analysed them reset their counters;
 * - `ANALYZE (SKIP_LOCKED)` of each, most changed first: a table another session locks (a
 *   migration's DDL, a VACUUM) is skipped, not waited for, and its counter left for the next
 *   round. Each may run ANALYZE_TIMEOUT_MS (the round's own statement_timeout).
 *
 * The counters move when the backends that changed the rows flush them (PostgreSQL 15: after
 * a commit, at most once a second per backend; what waits is flushed once the backend is idle,
 * within seconds): a table is analysed a round or two after its changes.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from './schema.ts';

/** The advisory lock's key is `hashtextextended(ANALYZE_LOCK_PREFIX || current_schema(), 0)`. */
export const ANALYZE_LOCK_PREFIX = 'scimitar:analyze:';

/** One ANALYZE may run this long (statement_timeout within the round's transaction). */
export const ANALYZE_TIMEOUT_MS = 120_000;

/** Most tables one round analyses (the service has about 40); the rest wait for the next. */
const MAX_TABLES_PER_ROUND = 100;

export interface AnalyzeRound {
  /** Whether another instance held the lock, so this one did nothing. */
  skipped: boolean;
  /**
   * The tables ANALYZE ran on, most changed first (one another session held a conflicting lock
   * on was skipped by it, with a WARNING in the server's log, and comes again next round).
   */
  analysed: string[];
}

/** The tables of the current schema that need an ANALYZE, most changed first (see the module comment). */
export async function tablesToAnalyze(db: Kysely<DB>): Promise<{ schema: string; name: string }[]> {
  // pg_class and the counters' own functions, not pg_stat_user_tables, whose view also sums
  // every index's scans: 1.4 ms of backend CPU per idle round instead of 3.2 (measured, 37 tables).
  const { rows } = await sql<{ schema: string; name: string }>`
    with settings as (
      select current_setting('autovacuum_analyze_threshold')::float8 as base,
        current_setting('autovacuum_analyze_scale_factor')::float8 as scale
    ), t as (
      select c.relname, current_schema() as schema, c.reltuples,
        pg_stat_get_mod_since_analyze(c.oid) as mods, pg_stat_get_live_tuples(c.oid) as live,
        pg_stat_get_last_analyze_time(c.oid) is null
          and pg_stat_get_last_autoanalyze_time(c.oid) is null as never
      from pg_class as c
      where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'
        and pg_has_role(c.relowner, 'USAGE')
    )
    select t.schema, t.relname as name
    from t cross join settings as s
    where t.mods > s.base + s.scale * greatest(t.reltuples, 0)
      or (t.never and greatest(t.live, t.reltuples) >= s.base)
    order by t.mods desc, t.relname
    limit ${MAX_TABLES_PER_ROUND}`.execute(db);
  return rows;
}

/**
 * One round: the tables that need an ANALYZE; if any, under the schema's advisory lock, read
 * again (another instance may have just analysed them), ANALYZE each. An idle round is one
 * statement. `stopping` is asked before each ANALYZE: once it says true the round commits what
 * it did and ends.
 */
export async function analyzeRound(
  db: Kysely<DB>,
  stopping: () => boolean = () => false,
): Promise<AnalyzeRound> {
  if ((await tablesToAnalyze(db)).length === 0) return { skipped: false, analysed: [] };
  return db.transaction().execute(async (tx) => {
    const { rows } = await sql<{ locked: boolean }>`
      select pg_try_advisory_xact_lock(hashtextextended(${ANALYZE_LOCK_PREFIX} || current_schema(), 0)) as locked`.execute(
      tx,
    );
    if (!rows[0]?.locked) return { skipped: true, analysed: [] };
    const analysed: string[] = [];
    const tables = await tablesToAnalyze(tx);
    if (tables.length === 0) return { skipped: false, analysed };
    await sql`select set_config('statement_timeout', ${`${ANALYZE_TIMEOUT_MS}ms`}, true)`.execute(tx);
    for (const { schema, name } of tables) {
      if (stopping()) break;
      // Qualified: a temporary table of the same name would come first on the search path.
      await sql`analyze (skip_locked) ${sql.id(schema, name)}`.execute(tx);
      analysed.push(name);
    }
    return { skipped: false, analysed };
  });
}

export interface AnalyzeJob {
  /** Runs a round now (what the timer calls); rounds never overlap. */
  runOnce(): Promise<AnalyzeRound>;
  /** No round starts after this; resolves once the one running, if any, has ended. */
  stop(): Promise<void>;
}

/**
 * Runs `analyzeRound` every `everyMs`, the first one `everyMs` after the start. A failed round
 * goes to `onError` (the next one tries again); a round that analysed something to `onAnalysed`.
 */
export function startAnalyzeJob(
  db: Kysely<DB>,
  options: {
    everyMs: number;
    onError: (error: unknown) => void;
    onAnalysed?: (tables: string[]) => void;
  },
): AnalyzeJob {
  let stopped = false;
  let running: Promise<AnalyzeRound> | undefined;
  const runOnce = (): Promise<AnalyzeRound> => {
    if (stopped) return Promise.resolve({ skipped: false, analysed: [] });
    running ??= analyzeRound(db, () => stopped).finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => {
    if (stopped || running) return;
    runOnce().then(
      (round) => {
        if (round.analysed.length > 0) options.onAnalysed?.(round.analysed);
      },
      (error: unknown) => options.onError(error),
    );
  }, options.everyMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
