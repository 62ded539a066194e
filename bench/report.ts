/**
 * Renders docs/benchmarks.md from one run's results: the figures, the ratios to the floor,
 * each target with whether it was met and, when not, by how much and why (bench/diagnoses.ts).
 */
import { diagnoses, notes } from './diagnoses.ts';
import { SERVER_NODE_FLAGS } from './processes.ts';
import type { LoadResult, WalkResult } from './protocol.ts';
import { type BenchResults, median, type RequestScenarioId } from './results.ts';

export type TargetId =
  | RequestScenarioId
  | 'post-round-trips'
  | 'patch-round-trips'
  | 'get-cpu-vs-sqlite'
  | 'filter-cpu-vs-sqlite'
  | 'request-log'
  | 'group-get'
  | 'deep-page'
  | 'listing'
  | 'member-p50'
  | 'peak-rss';

interface TargetDef {
  id: TargetId;
  label: string;
  /** 'min': measured ≥ goal; 'max': measured ≤ goal. */
  kind: 'min' | 'max';
  goal: number;
  unit: string;
  /** Judged on PostgreSQL runs only (left out of a SQLite run's report). */
  postgresOnly?: boolean;
}

export const REQUEST_SCENARIOS: { id: RequestScenarioId; label: string }[] = [
  { id: 'get-by-id', label: 'GET /Users/{id}' },
  { id: 'filter-username', label: 'GET /Users?filter=userName eq "…"' },
  { id: 'post-user', label: 'POST /Users' },
  { id: 'patch-replace', label: 'PATCH /Users/{id} (replace title)' },
];

/** A reference row: GET by id on a second server with the request log off. */
export const LOG_OFF_LABEL = 'GET /Users/{id}, request log off (REQUEST_LOG=false, a server of its own)';

/** A reference row: GET by id on a server started like LOG_OFF_LABEL's, with the log on. */
export const LOG_ON_LABEL = 'GET /Users/{id}, request log on (a server of its own, started alike)';

/**
 * The request log's cost, in % of GET by id's CPU (node and database): servers started alike,
 * the log on and off. With rounds (logRounds), the median of the rounds' shares, each of its own
 * round's on and off: the machine's speed drifts between rounds (by a third within one run), and
 * the median of all log-on runs over that of all log-off runs mixed the drift in. Without them,
 * the two medians; without the log-on server (older results), the server under test.
 */
export function requestLogCost(
  results: BenchResults,
): { on: number; off: number; share: number; rounds: number[] } | undefined {
  const on = totalCpu(results.logOn ?? results.requests['get-by-id']);
  const off = results.logOff && totalCpu(results.logOff);
  if (on === undefined || off === undefined) return undefined;
  const rounds = (results.logRounds ?? []).filter((r) => r.on > 0).map((r) => ((r.on - r.off) / r.on) * 100);
  return { on, off, share: rounds.length > 0 ? median(rounds) : ((on - off) / on) * 100, rounds };
}

/** A reference row: what the HTTP framework alone costs on the same server process. */
export const FRAMEWORK_LABEL = 'GET /healthz (Fastify, no token, no database)';

/** A reference row: GET by id with nothing but the work no database-backed server can skip. */
export const BOUND_LABEL =
  'GET /Users/{id}, lower bound: bare node:http, the token and user lookups in raw SQL, render (bench/bound-server.ts)';

/**
 * The targets (issue 10, parts 5 and 6). Request rates are judged against the lower bound of
 * the same run (bench/bound-server.ts), not against the bare node:http floor, which no server
 * that reads its database per request gets near; writes against GET's own CPU.
 */
export const TARGETS: TargetDef[] = [
  { id: 'get-by-id', label: 'GET /Users/{id}, req/s over the lower bound', kind: 'min', goal: 0.5, unit: '' },
  {
    id: 'filter-username',
    label: 'userName eq filter, req/s over the lower bound',
    kind: 'min',
    goal: 0.45,
    unit: '',
  },
  { id: 'post-user', label: "POST /Users, CPU per request over GET's", kind: 'max', goal: 3, unit: '×' },
  {
    id: 'patch-replace',
    label: "PATCH replace, CPU per request over GET's",
    kind: 'max',
    goal: 3,
    unit: '×',
  },
  {
    id: 'post-round-trips',
    label: 'POST /Users, round trips to the database per request',
    kind: 'max',
    goal: 3,
    unit: '',
    postgresOnly: true,
  },
  {
    id: 'patch-round-trips',
    label: 'PATCH replace, round trips to the database per request',
    kind: 'max',
    goal: 3,
    unit: '',
    postgresOnly: true,
  },
  {
    id: 'get-cpu-vs-sqlite',
    label: "GET /Users/{id}, CPU per request (node + PostgreSQL) over SQLite's",
    kind: 'max',
    goal: 1.5,
    unit: '×',
    postgresOnly: true,
  },
  {
    id: 'filter-cpu-vs-sqlite',
    label: "userName eq filter, CPU per request (node + PostgreSQL) over SQLite's",
    kind: 'max',
    goal: 1.5,
    unit: '×',
    postgresOnly: true,
  },
  {
    id: 'request-log',
    label: "Request log's cost, share of GET /Users/{id}'s CPU (log on against off)",
    kind: 'max',
    goal: 15,
    unit: ' %',
    postgresOnly: true,
  },
  {
    id: 'group-get',
    label: "Full GET of the largest group, time over SQLite's",
    kind: 'max',
    goal: 1.5,
    unit: '×',
    postgresOnly: true,
  },
  {
    id: 'deep-page',
    label: 'Listing page at any startIndex, time over the first page',
    kind: 'max',
    goal: 2,
    unit: '×',
  },
  {
    id: 'listing',
    label: 'Listing all users by pages of 100 (startIndex)',
    kind: 'min',
    goal: 10_000,
    unit: ' users/s',
  },
  {
    id: 'member-p50',
    label: 'Member add/remove p50, largest group / smallest group',
    kind: 'max',
    goal: 1.5,
    unit: '×',
  },
  { id: 'peak-rss', label: 'Peak RSS of the server', kind: 'max', goal: 300, unit: ' MiB' },
];

/** Node plus database CPU per request (the database's only on PostgreSQL). */
export function totalCpu(r: LoadResult): number | undefined {
  return r.cpuMsPerRequest === undefined ? undefined : r.cpuMsPerRequest + (r.dbCpuMsPerRequest ?? 0);
}

/** measured / base, or why there is none. */
function ratio(measured: number | undefined, base: number | undefined, what: string) {
  if (measured === undefined || base === undefined || !Number.isFinite(measured) || !(base > 0)) {
    return { reason: `${what} not measured` };
  }
  return { value: measured / base };
}

/** The target's figure in this run, or why there is none. */
function measureTarget(def: TargetDef, results: BenchResults): { value?: number; reason?: string } {
  const { requests, bound, sqlite } = results;
  const getCpu = totalCpu(requests['get-by-id']);
  switch (def.id) {
    case 'get-by-id':
    case 'filter-username':
      return ratio(requests[def.id].requestsPerSecond, bound.requestsPerSecond, 'the lower bound');
    case 'post-user':
    case 'patch-replace':
      return ratio(totalCpu(requests[def.id]), getCpu, 'CPU per request');
    case 'post-round-trips':
      return results.roundTrips?.['post-user'] === undefined
        ? { reason: 'round trips not counted' }
        : { value: results.roundTrips['post-user'] };
    case 'patch-round-trips':
      return results.roundTrips?.['patch-replace'] === undefined
        ? { reason: 'round trips not counted' }
        : { value: results.roundTrips['patch-replace'] };
    case 'get-cpu-vs-sqlite':
      return ratio(getCpu, sqlite && totalCpu(sqlite.getById), "SQLite's CPU");
    case 'filter-cpu-vs-sqlite':
      return ratio(totalCpu(requests['filter-username']), sqlite && totalCpu(sqlite.filter), "SQLite's CPU");
    case 'request-log': {
      const cost = requestLogCost(results);
      return cost ? { value: cost.share } : { reason: 'CPU with the log off not measured' };
    }
    case 'group-get':
      return ratio(results.groupGet?.ms, sqlite?.groupGet?.ms, "the group's GET on SQLite");
    case 'deep-page': {
      const [first, ...deeper] = results.pages.rows;
      if (!first || deeper.length === 0) return { reason: 'needs pages at two depths' };
      return ratio(Math.max(...deeper.map((p) => p.ms)), first.ms, 'the first page');
    }
    case 'listing':
      return { value: results.walk.usersPerSecond };
    case 'member-p50':
      return memberRatio(results);
    case 'peak-rss':
      return results.peakRssBytes === undefined
        ? { reason: 'VmHWM not readable (not Linux?)' }
        : { value: results.peakRssBytes / MiB };
  }
}

export interface TargetOutcome {
  def: TargetDef;
  /** undefined: not measured in this run (the reason says why). */
  measured: number | undefined;
  reason?: string;
  met: boolean | undefined;
}

const MiB = 1024 * 1024;

export function floorRate(results: BenchResults): number {
  const rates = results.floor.map((f) => f.requestsPerSecond);
  return rates.reduce((a, b) => a + b, 0) / Math.max(1, rates.length);
}

function memberRatio(results: BenchResults): { value?: number; reason?: string } {
  if (!results.groups.available) return { reason: `groups not available (${results.groups.reason})` };
  const rows = [...results.groups.rows].sort((a, b) => a.size - b.size);
  const small = rows[0];
  const large = rows[rows.length - 1];
  if (!small || !large || small === large) return { reason: 'needs two group sizes' };
  return { value: large.result.p50 / small.result.p50 };
}

/** The targets that apply to this run's database. */
export function targetsOf(results: BenchResults): TargetDef[] {
  return TARGETS.filter((t) => !t.postgresOnly || results.database.dialect === 'postgres');
}

export function evaluateTargets(results: BenchResults): TargetOutcome[] {
  return targetsOf(results).map((def) => {
    const { value: measured, reason } = measureTarget(def, results);
    const met =
      measured === undefined || Number.isNaN(measured)
        ? undefined
        : def.kind === 'min'
          ? measured >= def.goal
          : measured <= def.goal;
    return { def, measured, met, ...(reason && measured === undefined ? { reason } : {}) };
  });
}

const mib = (bytes: number | undefined) =>
  bytes === undefined ? 'n/a' : Math.round(bytes / (1024 * 1024)).toLocaleString('en-US');
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fixed = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

function formatValue(def: TargetDef, v: number): string {
  if (def.id === 'listing') return `${int(v)}${def.unit}`;
  if (def.id === 'peak-rss') return `${int(v)}${def.unit}`;
  if (def.id === 'request-log') return `${fixed(v, 1)}${def.unit}`;
  return `${fixed(v)}${def.unit}`;
}

/**
 * A measured value as formatValue writes it, with as many more decimals as it takes to tell it
 * from the goal when the two would print alike (3.004× against ≤ 3.00× printed "3.00×" and
 * "over by 0.00×").
 */
export function measuredText(def: TargetDef, v: number): string {
  const text = formatValue(def, v);
  if (v === def.goal || text !== formatValue(def, def.goal)) return text;
  for (let digits = 3; digits <= 6; digits++) {
    if (v.toFixed(digits) !== def.goal.toFixed(digits)) return `${v.toFixed(digits)}${def.unit}`;
  }
  return text;
}

/** A margin: formatValue's, or its first significant digit when that would print as none. */
function marginText(def: TargetDef, gap: number): string {
  const text = formatValue(def, gap);
  return gap > 0 && Number(text.replace(/[^\d.]/g, '')) === 0 ? `${gap.toPrecision(1)}${def.unit}` : text;
}

function goalText(def: TargetDef): string {
  return `${def.kind === 'min' ? '≥' : '≤'} ${formatValue(def, def.goal)}`;
}

/** "short by 0.08 (16 % under the goal)" / "over by 40 MiB (13 % over the goal)". */
export function shortfall(outcome: TargetOutcome): string {
  const { def, measured } = outcome;
  if (measured === undefined) return 'not measured';
  const gap = Math.abs(measured - def.goal);
  const share = (gap / def.goal) * 100;
  const pct = share > 0 && share < 0.5 ? 'under 1' : String(Math.round(share));
  return def.kind === 'min'
    ? `short by ${marginText(def, gap)} (${pct} % under the goal)`
    : `over by ${marginText(def, gap)} (${pct} % over the goal)`;
}

function metText(o: TargetOutcome): string {
  if (o.met === undefined) return `not measured: ${o.reason ?? 'no data'}`;
  return o.met ? 'yes' : `**no**: ${shortfall(o)}`;
}

function problems(r: LoadResult): string {
  const statuses = Object.entries(r.statuses)
    .map(([s, n]) => `${n}×${s}`)
    .join(', ');
  return r.non2xx + r.errors === 0 ? '0' : `${r.non2xx + r.errors}${statuses ? ` (${statuses})` : ''}`;
}

/** Mean CPU milliseconds per request of the floor runs. */
export function floorCpu(results: BenchResults): number | undefined {
  const cpu = results.floor.map((f) => f.cpuMsPerRequest).filter((c) => c !== undefined);
  return cpu.length === 0 ? undefined : cpu.reduce((a, b) => a + b, 0) / cpu.length;
}

const cpuText = (r: LoadResult) => (r.cpuMsPerRequest === undefined ? 'n/a' : fixed(r.cpuMsPerRequest, 3));

const dbCpuText = (r: LoadResult) => (r.dbCpuMsPerRequest === undefined ? '' : fixed(r.dbCpuMsPerRequest, 3));

function loadRow(
  label: string,
  r: LoadResult,
  floor: { rate: number; cpu: number | undefined } | undefined,
  bound: LoadResult | undefined,
  target: string,
  met: string,
) {
  const ratio = floor === undefined ? '1 (floor)' : fixed(r.requestsPerSecond / floor.rate);
  const cpuRatio =
    floor === undefined
      ? '1 (floor)'
      : floor.cpu === undefined || !r.cpuMsPerRequest
        ? 'n/a'
        : fixed(floor.cpu / r.cpuMsPerRequest);
  const boundRatio = bound === undefined ? '' : fixed(r.requestsPerSecond / bound.requestsPerSecond);
  return `| ${label} | ${int(r.requestsPerSecond)} | ${fixed(r.p50)} | ${fixed(r.p99)} | ${problems(r)} | ${cpuText(r)} | ${dbCpuText(r)} | ${ratio} | ${cpuRatio} | ${boundRatio} | ${target} | ${met} |`;
}

function walkRow(paging: string, w: WalkResult, target: string, met: string): string {
  const listed = `${int(w.users)}${w.complete ? '' : ' (cut: time limit)'}`;
  return `| ${paging} | ${listed} | ${int(w.totalResults)} | ${int(w.pages)} | ${fixed(w.seconds, 1)} | ${int(w.usersPerSecond)} | ${fixed(w.p50)} | ${fixed(w.p99)} | ${target} | ${met} |`;
}

function metCell(o: TargetOutcome | undefined): string {
  return o === undefined ? '' : metText(o);
}

/** Pages at several depths, the largest group's GET, the request log, round trips, SQLite side by side. */
function costSections(results: BenchResults, byId: Map<TargetId, TargetOutcome>): string[] {
  const out: string[] = [];
  const ms = (n: number | undefined) => (n === undefined ? 'n/a' : fixed(n, 1));
  const { pages } = results;
  const first = pages.rows[0];
  out.push(
    '',
    '## Listing pages at several depths',
    '',
    `\`GET /Users?count=${int(pages.count)}&startIndex=…\` on the directory as seeded, before any other request, one`,
    `at a time, each ${'three'} times (median time; CPU of the server and its database backends per request);`,
    'no page starts where an earlier one ended, so none is served from a remembered page start.',
    '',
    '| startIndex | ms | CPU ms | time over the first page |',
    '|---|---|---|---|',
    ...pages.rows.map(
      (p) =>
        `| ${int(p.startIndex)} | ${ms(p.ms)} | ${ms(p.cpuMs)} | ${first ? `${fixed(p.ms / first.ms)}×` : ''} |`,
    ),
    '',
    `Deepest page over the first: ${metCell(byId.get('deep-page'))}.`,
  );
  const groupRows = [
    ...(results.groupGet
      ? [[results.database.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite', results.groupGet] as const]
      : []),
    ...(results.sqlite?.groupGet ? [['SQLite (same run)', results.sqlite.groupGet] as const] : []),
  ];
  if (groupRows.length > 0) {
    out.push(
      '',
      '## Full GET of the largest group',
      '',
      '`GET /Groups/{id}` of the largest group built above, every member in the response, one request at a time',
      '(median time; CPU of the server and its database backends per GET).',
      '',
      '| Database | Members | GETs | ms | CPU ms |',
      '|---|---|---|---|---|',
      ...groupRows.map(
        ([name, g]) => `| ${name} | ${int(g.size)} | ${g.gets} | ${ms(g.ms)} | ${ms(g.cpuMs)} |`,
      ),
    );
    const o = byId.get('group-get');
    if (o)
      out.push(
        '',
        `PostgreSQL over SQLite: ${o.measured === undefined ? 'n/a' : `${fixed(o.measured)}×`} (${metCell(o)}).`,
      );
  }
  const cost = requestLogCost(results);
  if (!cost && results.logOn) {
    // A server of its own answered no GET in its window (a machine busy with other work): the
    // section says so rather than going missing.
    out.push(
      '',
      '## Request log',
      '',
      'GET /Users/{id}, CPU per request (server and database), each on a server of its own: n/a, a',
      'server with the log on or off answered no GET within its measured window in every round.',
    );
  }
  if (cost) {
    const main = totalCpu(results.requests['get-by-id']);
    out.push(
      '',
      '## Request log',
      '',
      ...(results.logOn
        ? [
            `GET /Users/{id}, CPU per request (server and database), each on a server of its own started for the`,
            `scenario and measured once idle (its start-up work, such as the request log's first prune, is not`,
            `counted): ${fixed(cost.on, 3)} ms with the log on, ${fixed(cost.off, 3)} ms with \`REQUEST_LOG=false\`: the log`,
            `costs ${fixed(cost.share, 1)} % of a GET's CPU${
              cost.rounds.length > 0
                ? ` (the median of the rounds' own shares: ${cost.rounds.map((r) => fixed(r, 1)).join(', ')} %)`
                : ''
            }${
              byId.get('request-log') ? ` (target ≤ 15 %: ${metCell(byId.get('request-log'))})` : ''
            }. The server under test, which served every scenario before, spent ${main === undefined ? 'n/a' : fixed(main, 3)} ms per GET.`,
            'Each round starts the two servers twice, in the order A B B A (A: the log on in odd rounds, off in',
            'even ones), so that the first of them after the previous round and the drift of the machine fall on both.',
          ]
        : [
            `GET /Users/{id}, CPU per request (server and database): ${fixed(cost.on, 3)} ms with the log on,`,
            `${fixed(cost.off, 3)} ms on a server of its own with \`REQUEST_LOG=false\`: the log costs`,
            `${fixed(cost.share, 1)} % of a GET's CPU${
              byId.get('request-log') ? ` (target ≤ 15 %: ${metCell(byId.get('request-log'))})` : ''
            }. One run each, one after the other: other work on the machine moves either.`,
          ]),
    );
  }
  if (results.roundTrips) {
    out.push(
      '',
      '## Round trips to PostgreSQL',
      '',
      'Per request, counted by a proxy between a second server and PostgreSQL (bench/pg-backends.ts: each',
      'Sync or simple Query message is one round trip), one request at a time. That server runs with the',
      'request log off: the log writes its rows in batches, one INSERT of up to 100 rows per flush.',
      '',
      '| Scenario | round trips per request |',
      '|---|---|',
      ...REQUEST_SCENARIOS.map(
        (s) =>
          `| ${s.label} | ${results.roundTrips?.[s.id] === undefined ? 'n/a' : fixed(results.roundTrips[s.id]!, 2)} |`,
      ),
    );
  }
  if (results.sqlite) {
    const row = (label: string, pgResult: LoadResult, lite: LoadResult, o: TargetOutcome | undefined) =>
      `| ${label} | ${int(pgResult.requestsPerSecond)} | ${cpuText(pgResult)} | ${dbCpuText(pgResult)} | ${int(lite.requestsPerSecond)} | ${cpuText(lite)} | ${o?.measured === undefined ? 'n/a' : `${fixed(o.measured)}×`} | ${metCell(o)} |`;
    out.push(
      '',
      '## PostgreSQL against SQLite',
      '',
      `The same users seeded into SQLite in this run (the same ids), and the same load on a SQLite server${
        results.settings.rounds > 1
          ? `, in ${results.settings.rounds} rounds of its own after the PostgreSQL ones, each figure the median of its rounds`
          : ''
      }.`,
      '',
      '| Scenario | PostgreSQL req/s | server CPU ms/req | database CPU ms/req | SQLite req/s | SQLite CPU ms/req | CPU over SQLite | met (≤ 1.5×) |',
      '|---|---|---|---|---|---|---|---|',
      row(
        'GET /Users/{id}',
        results.requests['get-by-id'],
        results.sqlite.getById,
        byId.get('get-cpu-vs-sqlite'),
      ),
      row(
        'GET /Users?filter=userName eq "…"',
        results.requests['filter-username'],
        results.sqlite.filter,
        byId.get('filter-cpu-vs-sqlite'),
      ),
    );
  }
  return out;
}

/**
 * Every `## ` heading renderReport may write (some only in some runs): bench/run.ts owns these
 * sections of the file and keeps every other one (bench/sections.ts).
 */
export const REPORT_HEADINGS: ReadonlySet<string> = new Set([
  '## Run',
  '## Directory',
  '## Targets',
  '## Requests',
  '## Listing',
  '## Group membership',
  '## Listing pages at several depths',
  '## Full GET of the largest group',
  '## Request log',
  '## Round trips to PostgreSQL',
  '## PostgreSQL against SQLite',
  '## Memory',
  '## Missed targets',
  '## Notes',
]);

export function renderReport(results: BenchResults): string {
  const outcomes = evaluateTargets(results);
  const byId = new Map(outcomes.map((o) => [o.def.id, o]));
  const floor = floorRate(results);
  const { machine, settings, seed, walk, sizes } = results;
  const postgres = results.database.dialect === 'postgres';
  const listing = byId.get('listing')!;
  const member = byId.get('member-p50')!;
  const lines: string[] = [];
  const push = (...l: string[]) => lines.push(...l);

  push(
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${results.date}. Do not edit by hand: run it again.`,
    'How it measures: [README](../README.md#benchmarks). The server under test, the floor server and the',
    'load driver are three processes on the same machine; every ratio divides by a figure measured in',
    'this same run (the floor, the lower bound, GET by id, or SQLite in a PostgreSQL run).',
    '',
    '## Run',
    '',
    '| | |',
    '|---|---|',
    `| Machine | ${machine.cpus} × ${machine.cpuModel}, ${fixed(machine.memoryBytes / 1024 ** 3, 1)} GiB RAM, ${machine.os} |`,
    `| Other work on the machine | ${
      machine.otherCpuShare === undefined ? 'n/a' : `${Math.round(machine.otherCpuShare * 100)} % of all CPUs`
    } used by other processes while measuring; 1-min load average ${fixed(machine.loadAverageBefore)} at the start${
      (machine.otherCpuShare ?? 0) > 0.1 ? '. **The machine was shared: figures are low and noisy.**' : ''
    } |`,
    `| Node | ${machine.node} |`,
    `| Database | ${results.database.description} |`,
    `| Server | \`node ${[...SERVER_NODE_FLAGS, '--import tsx src/main.ts'].join(' ')}\` (as \`npm start\`) with ${results.serverSettings} |`,
    `| Load | ${settings.driver} in its own process, ${settings.connections} connections, ${settings.amount === undefined ? `${fixed(settings.duration, 1)} s measured` : `${settings.amount} requests measured (BENCH_AMOUNT: figures of a smoke test, not a benchmark)`} after ${fixed(settings.warmup, 1)} s of warm-up, per scenario${
      settings.rounds > 1
        ? `; GET by id, its lower bound, GET on servers of their own with the request log on and off, the userName filter, PATCH and POST in ${settings.rounds} rounds, one after the other in each, and each reported as the median of its rounds (every figure on its own; counts summed)`
        : ''
    } |`,
    `| Seed | ${int(seed.users)} users in ${fixed(seed.seconds, 1)} s, before the server starts, through src/store (5,000 per transaction, with index terms and audit records)${
      postgres
        ? seed.analyzed
          ? '; then VACUUM ANALYZE (BENCH_ANALYZE), as autovacuum would'
          : '; no VACUUM ANALYZE: the tables are never analysed, as right after an import with autovacuum off or not yet run (BENCH_ANALYZE=true measures the other case)'
        : ''
    } |`,
    '',
    '## Directory',
    '',
    '| | |',
    '|---|---|',
    `| Users | ${int(sizes.users)} (${int(seed.users)} seeded; the rest created by the POST scenario and as member candidates) |`,
    `| Groups | ${
      results.groups.available
        ? `${int(sizes.groups ?? results.groups.rows.length)}: ${results.groups.rows.map((g) => `${int(g.size)}`).join(', ')} members`
        : `groups: not available (${results.groups.reason})`
    } |`,
    `| Database size | ${sizes.databaseBytes === undefined ? 'n/a' : `${int(sizes.databaseBytes / MiB)} MiB`} |`,
    '',
    '## Targets',
    '',
    '| Target | Measured | Goal | Met |',
    '|---|---|---|---|',
    ...outcomes.map(
      (o) =>
        `| ${o.def.label} | ${o.measured === undefined ? 'n/a' : measuredText(o.def, o.measured)} | ${goalText(o.def)} | ${metText(o)} |`,
    ),
    '',
    '## Requests',
    '',
    'Latencies in milliseconds, of 2xx responses; req/s counts 2xx responses only. Server CPU ms/req: CPU',
    'time of the server process (the floor process for the floor) per response, warm-up included, from',
    "/proc; database CPU ms/req: the same of the server's PostgreSQL backends (found by their",
    'application_name). The ratio by CPU (floor CPU/req over scenario CPU/req) barely moves when other work',
    'shares the machine. The floor is a reference; the request targets are judged against the lower bound',
    "(bench/bound-server.ts) and, for writes, against GET by id's CPU (node and database together).",
    '',
    '| Scenario | req/s | p50 | p99 | non-2xx + errors | server CPU ms/req | database CPU ms/req | ratio to floor | ratio by CPU | ratio to lower bound | target | met |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...results.floor.map((f, i) =>
      loadRow(
        `floor: bare node:http, fixed JSON (${i === 0 ? 'start' : 'end'} of run)`,
        f,
        undefined,
        undefined,
        '',
        '',
      ),
    ),
    loadRow(
      FRAMEWORK_LABEL,
      results.framework,
      { rate: floor, cpu: floorCpu(results) },
      undefined,
      '(reference)',
      '',
    ),
    loadRow(
      BOUND_LABEL,
      results.bound,
      { rate: floor, cpu: floorCpu(results) },
      undefined,
      '(reference)',
      '',
    ),
    ...REQUEST_SCENARIOS.map((s) => {
      const o = byId.get(s.id);
      return loadRow(
        s.label,
        results.requests[s.id],
        { rate: floor, cpu: floorCpu(results) },
        results.bound,
        o ? goalText(o.def) : '',
        o?.met === undefined ? '' : o.met ? 'yes' : '**no**',
      );
    }),
    ...(results.logOn
      ? [
          loadRow(
            LOG_ON_LABEL,
            results.logOn,
            { rate: floor, cpu: floorCpu(results) },
            results.bound,
            '(reference)',
            '',
          ),
        ]
      : []),
    ...(results.logOff
      ? [
          loadRow(
            LOG_OFF_LABEL,
            results.logOff,
            { rate: floor, cpu: floorCpu(results) },
            results.bound,
            '(reference)',
            '',
          ),
        ]
      : []),
    '',
    `Floor used for the ratios: ${int(floor)} req/s (mean of the runs above).`,
    '',
    '## Listing',
    '',
    `Every user, \`GET /Users?count=${settings.pageSize}\` one page after the other on one connection: by`,
    '`startIndex` (RFC 7644 §3.4.2.4, what IdP imports send; the target) and by `cursor` (RFC 9865).',
    '',
    '| Paging | Users listed | totalResults | Pages | Seconds | Users/s | Page p50 | Page p99 | Target | Met |',
    '|---|---|---|---|---|---|---|---|---|---|',
    walkRow('startIndex', walk, goalText(listing.def), listing.met ? 'yes' : '**no**'),
    'unavailable' in results.cursorWalk
      ? `| cursor | not available: ${results.cursorWalk.unavailable} | | | | | | | | |`
      : walkRow('cursor', results.cursorWalk, '(none)', ''),
    '',
    '## Group membership',
    '',
  );
  if (results.groups.available) {
    push(
      'Each connection adds one member (a user in no group) with `PATCH /Groups/{id}` `{"op":"add","path":"members",…}`,',
      'then removes it with `{"op":"remove","path":"members[value eq \\"…\\"]"}`: the group keeps its size.',
      'Every operation counts; latencies in milliseconds.',
      '',
      '| Group members | Setup s | ops/s | p50 | p99 | non-2xx + errors | CPU ms/op |',
      '|---|---|---|---|---|---|---|',
      ...results.groups.rows.map(
        (g) =>
          `| ${int(g.size)} | ${fixed(g.setupSeconds, 1)} | ${int(g.result.requestsPerSecond)} | ${fixed(g.result.p50)} | ${fixed(g.result.p99)} | ${problems(g.result)} | ${cpuText(g.result)} |`,
      ),
      '',
      `p50 of the largest group over p50 of the smallest: ${
        member.measured === undefined ? 'n/a' : `${fixed(member.measured)}×`
      } (target ≤ 1.5×: ${metText(member)}).`,
    );
  } else {
    push(`groups: not available (${results.groups.reason})`);
  }
  push(...costSections(results, byId));
  const rss = byId.get('peak-rss')!;
  push(
    '',
    '## Memory',
    '',
    `Peak RSS of the server process (VmHWM at the end of the run): ${
      rss.measured === undefined ? 'n/a' : `${int(rss.measured)} MiB`
    } (target ≤ 300 MiB: ${metText(rss)}).`,
    '',
    'The server after each step. RssAnon is what the process allocated itself; RssFile is mapped files',
    "(code, and SQLite's mmap window), which the kernel can reclaim; VmHWM, the target's measure, counts both.",
    '',
    '| After | VmRSS MiB | RssAnon MiB | RssFile MiB | VmHWM MiB |',
    '|---|---|---|---|---|',
    ...results.memorySteps.map(
      (m) =>
        `| ${m.step} | ${mib(m.rss.total)} | ${mib(m.rss.anon)} | ${mib(m.rss.file)} | ${mib(m.peakBytes)} |`,
    ),
    '',
    '## Missed targets',
    '',
  );
  const missed = outcomes.filter((o) => o.met !== true);
  if (missed.length === 0) push('None.');
  for (const o of missed) {
    push(
      `### ${o.def.label}`,
      '',
      o.met === undefined
        ? `Not measured: ${o.reason ?? 'no data'}.`
        : `Measured ${measuredText(o.def, o.measured!)}, goal ${goalText(o.def)}: ${shortfall(o)}.`,
      '',
      `why: ${diagnoses[o.def.id] ?? '… (not diagnosed yet)'}`,
      '',
    );
    if (o.def.id === 'get-by-id' || o.def.id === 'filter-username') {
      push(
        `Lower bound in this run: bench/bound-server.ts, a bare node:http server that only hashes and looks up the token, ` +
          `looks the user up by id and renders it, on the same database, answered GET /Users/{id} at ` +
          `${int(results.bound.requestsPerSecond)} req/s, ${fixed(results.bound.requestsPerSecond / floor)} of the floor ` +
          `(${cpuText(results.bound)} ms of CPU per request): no server that reads the database for each request ` +
          `does less work per request than that.`,
        '',
      );
    }
  }
  if (notes.length > 0) push('## Notes', '', ...notes.flatMap((n) => [`- ${n}`]), '');
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
