/**
 * The benchmark's pieces, end to end in a tiny mode: seed, server and floor processes, the
 * load driver, every scenario, the report. Benchmarks are not tests: no figure is asserted,
 * only that the report is well formed and has every row.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SERVER_NODE_FLAGS } from '../../bench/processes.ts';
import {
  BOUND_LABEL,
  FRAMEWORK_LABEL,
  LOG_OFF_LABEL,
  LOG_ON_LABEL,
  REPORT_HEADINGS,
  REQUEST_SCENARIOS,
  TARGETS,
} from '../../bench/report.ts';
import { nodeEntry } from '../../scripts/node-entry.ts';
import { dialects, testPostgresUrl } from '../helpers/dialects.ts';
import { row } from '../helpers/markdown-table.ts';

const root = new URL('../..', import.meta.url).pathname;

function runBench(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, nodeEntry('bench/run.ts'), {
    cwd: root,
    env: {
      ...process.env,
      BENCH_USERS: '200',
      // Each measurement ends after 40 requests, not after a second: it never ends empty on a
      // busy machine, and loads the CPU for a fraction of the time.
      BENCH_AMOUNT: '40',
      BENCH_WARMUP: '0',
      BENCH_CONNECTIONS: '4',
      BENCH_GROUP_SIZES: '10,20',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

test('the bench starts the server with the node flags of npm start', () => {
  const start = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start;
  assert.equal(start, `node ${SERVER_NODE_FLAGS.join(' ')} --import tsx src/main.ts`);
});

// The dialects run side by side: each run is mostly waiting on its own processes.
describe('npm run bench in a tiny mode', { concurrency: true }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'scim-bench-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const dialect of dialects) {
    test(`writes a report with every section, scenario and target (${dialect})`, async () => {
      const out = join(dir, `benchmarks-${dialect}.md`);
      // What an earlier run and the other bench scripts left in the file.
      writeFileSync(
        out,
        '# Benchmarks\n\nold run\n\n## Memory\n\nold memory\n\n## Notes\n\n- old note\n\n' +
          '## Roles (SQLite)\n\nroles kept\n\n## Events\n\nevents kept\n',
      );
      // SQLite: two rounds of the request scenarios, whose medians are taken (bench/results.ts
      // medianLoad); PostgreSQL: one, as BENCH_ROUNDS=1 runs.
      const rounds = dialect === 'sqlite' ? 2 : 1;
      const env: Record<string, string> = { BENCH_OUT: out, BENCH_ROUNDS: String(rounds) };
      // The bench makes (and drops) its own schema in the PostgreSQL database it is given.
      env.DATABASE_URL = dialect === 'postgres' ? testPostgresUrl : '';
      const { code, output } = await runBench(env);
      assert.equal(code, 0, output);
      const report = readFileSync(out, 'utf8');

      for (const heading of [
        '# Benchmarks',
        '## Run',
        '## Directory',
        '## Targets',
        '## Requests',
        '## Listing',
        '## Group membership',
        '## Listing pages at several depths',
        '## Full GET of the largest group',
        '## Request log',
        ...(dialect === 'postgres' ? ['## Round trips to PostgreSQL', '## PostgreSQL against SQLite'] : []),
        '## Memory',
        '## Missed targets',
      ]) {
        assert.ok(
          report.includes(`\n${heading}\n`) || report.startsWith(`${heading}\n`),
          `missing ${heading}`,
        );
      }
      assert.match(report, dialect === 'postgres' ? /\| Database \| PostgreSQL / : /\| Database \| SQLite /);
      // The log's cost compares two servers started alike, not the server under test.
      assert.match(
        report,
        /## Request log\n\nGET \/Users\/\{id\}, CPU per request \(server and database\), each on a server of its own/,
      );
      assert.match(
        report,
        /ms with the log on, [\d.]+ ms with `REQUEST_LOG=false`: the log\ncosts -?[\d.]+ % of a GET's CPU/,
      );
      assert.match(report, /starts the two servers twice, in the order A B B A/);
      assert.match(report, /\| Load \| .* 40 requests measured \(BENCH_AMOUNT: figures of a smoke test/);
      assert.match(report, /\| Users \| [\d,]+ \(200 seeded;/);
      if (rounds > 1)
        assert.match(
          report,
          /\| Load \| .* in 2 rounds, one after the other in each, and each reported as the median/,
        );
      else assert.doesNotMatch(report, /\| Load \| .* rounds/);
      if (dialect === 'postgres')
        assert.match(
          report,
          rounds > 1
            ? /same load on a SQLite server, in 2 rounds of its own after the PostgreSQL ones/
            : /same load on a SQLite server\.\n/,
        );
      // Each log server's own line: the turn of each, with or without rounds.
      for (const turn of ['1 of 2', '2 of 2'])
        assert.match(output, new RegExp(`request log on \\(${rounds > 1 ? 'round 1 of 2, ' : ''}${turn}\\)`));

      // Every request scenario and both floor runs: 12 cells, numbers where numbers belong, no errors;
      // on PostgreSQL the database's CPU of each server.
      for (const label of [
        'floor: bare node:http, fixed JSON (start of run)',
        'floor: bare node:http, fixed JSON (end of run)',
        FRAMEWORK_LABEL,
        BOUND_LABEL,
        ...REQUEST_SCENARIOS.map((s) => s.label),
        LOG_ON_LABEL,
        LOG_OFF_LABEL,
      ]) {
        const cells = row(report, label);
        assert.ok(cells, `no row for ${label}`);
        assert.equal(cells.length, 12, label);
        assert.match(cells[1] ?? '', /^[\d,]+(\.\d+)?$/, label);
        // Latencies of the 2xx responses: each measurement has 40 of them.
        for (const cell of [cells[2], cells[3]]) assert.match(cell ?? '', /^[\d,]+(\.\d+)?$/, label);
        assert.equal(cells[4], '0', `${label}: non-2xx or errors`);
        if (dialect === 'postgres' && !label.startsWith('floor'))
          assert.match(
            cells[6] ?? '',
            /^\d+\.\d+$/,
            // The bench's own lines for the servers measured, to tell why a figure is missing.
            `${label}: database CPU\n${output
              .split('\n')
              .filter((l) => l.includes('GET /Users/{id}'))
              .join('\n')}`,
          );
      }

      // Every target of the dialect has its row, measured (two group sizes make the member ratio measurable).
      for (const t of TARGETS.filter((x) => dialect === 'postgres' || !x.postgresOnly)) {
        const cells = row(report, t.label);
        assert.ok(cells, `no target row for ${t.label}`);
        assert.match(cells[3] ?? '', /^(yes|\*\*no\*\*: (short|over) by .+)$/, t.label);
      }

      // The listings walked every user; each group size has its row, without errors.
      for (const paging of ['startIndex', 'cursor']) {
        const cells = row(report, paging);
        assert.ok(cells, `no listing row for ${paging} paging`);
        assert.equal(cells.length, 10);
        // Every user: the 200 seeded and those the POST rounds created before the walk.
        const listed = Number((cells[1] ?? '').replace(/,/g, ''));
        assert.ok(cells[1] === cells[2] && listed >= 200, `${paging}: ${cells.join(' | ')}`);
      }
      for (const size of ['10', '20']) {
        const cells = row(report, size);
        assert.ok(cells, `no group row for ${size} members`);
        assert.equal(cells.length, 7);
        assert.equal(cells[5], '0', `group of ${size}: non-2xx or errors`);
      }
      if (dialect === 'postgres') {
        const roundTrips = report.slice(report.indexOf('## Round trips to PostgreSQL'));
        for (const s of REQUEST_SCENARIOS) {
          assert.match(row(roundTrips, s.label)?.[1] ?? '', /^\d+\.\d\d$/, `round trips of ${s.label}`);
        }
      }
      assert.match(report, /Peak RSS of the server process \(VmHWM at the end of the run\): [\d,]+ MiB/);

      // The sections of the other bench scripts are kept; the old run's own are gone.
      assert.match(report, /\n## Roles \(SQLite\)\n\nroles kept\n\n## Events\n\nevents kept\n/);
      for (const gone of ['old run', 'old memory', 'old note']) assert.ok(!report.includes(gone), gone);
      for (const heading of report.match(/^## .*$/gm) ?? []) {
        assert.ok(
          REPORT_HEADINGS.has(heading) || ['## Roles (SQLite)', '## Events'].includes(heading),
          `${heading}: add it to REPORT_HEADINGS`,
        );
      }
    });
  }
});
