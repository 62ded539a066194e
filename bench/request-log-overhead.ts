/**
 * `npx tsx bench/request-log-overhead.ts`: what the request log costs. Seeds one SQLite
 * directory, then serves it with REQUEST_LOG=false and REQUEST_LOG=true in turn (a fresh server
 * process each run, alternating which goes first), drives `GET /Users/{id}` at it with the main
 * benchmark's load driver (bench/driver.ts: autocannon, same connections, warm-up and duration),
 * and writes the "Request log overhead" section of docs/benchmarks.md (only that section).
 *
 * Settings: the BENCH_* variables of bench/config.ts (BENCH_USERS defaults to 20000 here) and
 * BENCH_ROUNDS (default 3 runs of each mode). Benchmarks are not tests: nothing fails on a figure.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { isAbsolute, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { entryExecArgv, entryScript } from '../scripts/node-entry.ts';
import { loadBenchConfig } from './config.ts';
import { root, SERVER_NODE_FLAGS, startNodeProcess } from './processes.ts';
import type { DriverReply, Job, LoadResult, Target } from './protocol.ts';
import { REQUEST_LOG_HEADING, writeSections } from './sections.ts';
import { BENCH_ORG, seedDirectory } from './seed.ts';

function log(message: string) {
  process.stderr.write(`[request-log-overhead] ${message}\n`);
}

/** The load driver over IPC, one job at a time (as bench/run.ts drives it). */
function startDriver(idsFile: string) {
  const child: ChildProcess = fork(join(root, entryScript('bench/driver.ts')), [idsFile], {
    cwd: root,
    execArgv: entryExecArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    run(job: Job): Promise<LoadResult> {
      return new Promise((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`load driver exited with ${code}`));
        child.once('exit', onExit);
        child.once('message', (reply: DriverReply) => {
          child.off('exit', onExit);
          if (reply.ok) resolve(reply.result as LoadResult);
          else reject(new Error(`load driver: ${reply.error}`));
        });
        child.send(job);
      });
    },
    stop() {
      if (child.connected) child.disconnect();
    },
  };
}

interface Run {
  logging: boolean;
  round: number;
  result: LoadResult;
  /** Server CPU time (user + system) per request answered, milliseconds. */
  cpu: number;
  /** Rows the log holds after this run (logging runs). */
  rows?: number;
}

/** CPU time (user + system) a process has used, from /proc/<pid>/stat (Linux), milliseconds. */
function cpuMilliseconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
}
/** USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)). */
const CLOCK_TICKS = 100;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fixed = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const signed = (n: number, digits: number) => `${n >= 0 ? '+' : ''}${fixed(n, digits)}`;
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

function render(
  runs: Run[],
  settings: { users: number; connections: number; duration: number; warmup: number; load: string },
) {
  const off = runs.filter((r) => !r.logging);
  const on = runs.filter((r) => r.logging);
  const rpsOff = median(off.map((r) => r.result.requestsPerSecond));
  const rpsOn = median(on.map((r) => r.result.requestsPerSecond));
  const p50Off = median(off.map((r) => r.result.p50));
  const p50On = median(on.map((r) => r.result.p50));
  const p99Off = median(off.map((r) => r.result.p99));
  const p99On = median(on.map((r) => r.result.p99));
  const cpuOff = median(off.map((r) => r.cpu));
  const cpuOn = median(on.map((r) => r.cpu));
  const date = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return [
    REQUEST_LOG_HEADING,
    '',
    `Measured ${date} by \`npx tsx bench/request-log-overhead.ts\` (not by \`npm run bench\`, which keeps`,
    'this section): `GET /Users/{id}` of random users on SQLite, the server started afresh with',
    '`REQUEST_LOG=false` and with `REQUEST_LOG=true` in turn, alternating which goes first.',
    `${int(settings.users)} users; ${settings.connections} connections, ${settings.warmup} s warm-up then ${settings.duration} s measured per run;`,
    `${os.cpus().length} × ${cpu}, Node ${process.version}; load average ${settings.load} (start → end: other work on the machine`,
    'skews both modes alike, which is why they alternate). Latencies in milliseconds.',
    '',
    '| Run | REQUEST_LOG | req/s | p50 | p99 | server CPU ms/request | non-2xx + errors | rows logged so far |',
    '|---|---|---|---|---|---|---|---|',
    ...runs.map(
      (r) =>
        `| ${r.round} | ${r.logging} | ${int(r.result.requestsPerSecond)} | ${fixed(r.result.p50)} | ${fixed(r.result.p99)} | ${fixed(r.cpu, 3)} | ${r.result.non2xx + r.result.errors} | ${r.rows === undefined ? '' : int(r.rows)} |`,
    ),
    '',
    '| Median of the runs | req/s | p50 | p99 | server CPU ms/request |',
    '|---|---|---|---|---|',
    `| REQUEST_LOG=false | ${int(rpsOff)} | ${fixed(p50Off)} | ${fixed(p99Off)} | ${fixed(cpuOff, 3)} |`,
    `| REQUEST_LOG=true | ${int(rpsOn)} | ${fixed(p50On)} | ${fixed(p99On)} | ${fixed(cpuOn, 3)} |`,
    `| difference | ${signed(((rpsOn - rpsOff) / rpsOff) * 100, 1)} % | ${signed(p50On - p50Off, 3)} ms | ${signed(p99On - p99Off, 3)} ms | ${signed(cpuOn - cpuOff, 3)} ms (${signed(((cpuOn - cpuOff) / cpuOff) * 100, 1)} %) |`,
    '',
    'Server CPU per request (user + system time of the server process over the measured seconds,',
    'batch writes included, divided by the requests answered) is the figure least disturbed by other',
    'work on the machine; req/s and latencies move with whatever else runs.',
    '',
    'With the log on, the first 16 KiB of each response are kept as it is produced, and the request is queued',
    'after the response went out; rows are redacted, hinted and inserted in batches every 200 ms or 100 rows.',
    'The insert still runs on the same event loop and the same SQLite writer as the requests, which is',
    'what the difference above measures. Figures are comparable only within one run on an idle machine.',
    '',
  ].join('\n');
}

async function main() {
  const config = loadBenchConfig({ BENCH_USERS: '20000', BENCH_GROUP_SIZES: '10', ...process.env });
  const rounds = Number(process.env.BENCH_ROUNDS ?? '3');
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('BENCH_ROUNDS must be a whole number ≥ 1');
  const workDir = join(root, '.tmp', `request-log-overhead-${Date.now()}`);
  mkdirSync(workDir, { recursive: true });
  const file = join(workDir, 'scim.db');
  const url = `sqlite:${file}`;
  let driver: ReturnType<typeof startDriver> | undefined;
  try {
    const loadStart = os.loadavg()[0]!.toFixed(1);
    log(`seeding ${config.users} users`);
    const seeded = await seedDirectory(url, config.users);
    const idsFile = join(workDir, 'user-ids.json');
    writeFileSync(idsFile, JSON.stringify(seeded.userIds));
    driver = startDriver(idsFile);
    const runs: Run[] = [];
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 === 1 ? [false, true] : [true, false];
      for (const logging of order) {
        const server = await startNodeProcess(
          'src/main.ts',
          {
            PORT: '0',
            HOST: '127.0.0.1',
            DATABASE_URL: url,
            BOOTSTRAP: 'false',
            LOG_LEVEL: 'warn',
            REQUEST_LOG: String(logging),
            // The load comes from one token: rate limits would answer most of it with 429.
            RATE_LIMIT_PER_TOKEN: '0',
            RATE_LIMIT_PER_ORG: '0',
          },
          /listening on (http:\/\/\S+)/,
          undefined,
          SERVER_NODE_FLAGS,
        );
        try {
          const target: Target = {
            origin: server.ready,
            basePath: `/scim/v2/${BENCH_ORG}`,
            token: seeded.token,
          };
          const job = {
            type: 'load',
            target,
            scenario: { kind: 'get-by-id' },
            connections: config.connections,
          } as const;
          if (config.warmup > 0) await driver.run({ ...job, duration: config.warmup, warmup: 0 });
          const cpuBefore = cpuMilliseconds(server.pid);
          const result = await driver.run({ ...job, duration: config.duration, warmup: 0 });
          await new Promise((r) => setTimeout(r, 500)); // the last batch of the log is written
          const cpu = (cpuMilliseconds(server.pid) - cpuBefore) / (result.ok + result.non2xx);
          log(
            `round ${round}, REQUEST_LOG=${logging}: ${Math.round(result.requestsPerSecond)} req/s, ` +
              `p50 ${fixed(result.p50)} ms, p99 ${fixed(result.p99)} ms, server CPU ${fixed(cpu, 3)} ms/request` +
              (result.non2xx + result.errors ? `, ${result.non2xx + result.errors} non-2xx/errors` : ''),
          );
          runs.push({ logging, round, result, cpu });
        } finally {
          await server.stop(); // SIGTERM: app.close() writes what is still queued
        }
        if (logging) {
          const db = new SqliteDatabase(file, { readonly: true });
          runs[runs.length - 1]!.rows = (
            db.prepare('select count(*) as n from request_log').get() as { n: number }
          ).n;
          db.close();
        }
      }
    }
    const load = `${loadStart} → ${os.loadavg()[0]!.toFixed(1)}`;
    const section = render(runs, { ...config, load });
    const out = isAbsolute(config.out) ? config.out : join(root, config.out);
    writeSections(
      out,
      section,
      undefined,
      '# Benchmarks\n\nThe main figures are written here by `npm run bench` (README, Benchmarks).\n',
    );
    log(`wrote the "${REQUEST_LOG_HEADING.slice(3)}" section of ${out}`);
  } finally {
    driver?.stop();
    if (!['1', 'true', 'yes'].includes((process.env.BENCH_KEEP ?? '').toLowerCase())) {
      rmSync(workDir, { recursive: true, force: true });
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
