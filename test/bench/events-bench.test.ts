/**
 * The events benchmark (bench/events.ts) end to end in a tiny mode: seed, server process, load
 * driver, receiver, every measurement, and its section of the report, written beside what the
 * file already holds. Benchmarks are not tests: no figure is asserted, only that the section
 * is well formed and has every row.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { EVENTS_HEADING } from '../../bench/events-report.ts';
import { nodeEntry } from '../../scripts/node-entry.ts';
import { dialects, testPostgresUrl } from '../helpers/dialects.ts';
import { row } from '../helpers/markdown-table.ts';
import { runProcess } from '../helpers/process.ts';

describe('npm run bench:events in a tiny mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scim-events-bench-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const dialect of dialects) {
    test(`writes the Events section with every row, keeping the rest of the file (${dialect})`, async () => {
      const out = join(dir, `benchmarks-${dialect}.md`);
      writeFileSync(out, '# Benchmarks\n\n## Run\n\nkept\n');
      const { code, stdout, stderr } = await runProcess(
        nodeEntry('bench/events.ts'),
        {
          BENCH_OUT: out,
          BENCH_EVENTS_GROUP: '300',
          BENCH_EVENTS_WRITES: '10',
          BENCH_EVENTS_ROUNDS: '1',
          BENCH_DURATION: '1',
          BENCH_WARMUP: '0',
          BENCH_CONNECTIONS: '2',
          // The bench makes (and drops) its own schema in the PostgreSQL database it is given.
          DATABASE_URL: dialect === 'postgres' ? testPostgresUrl : '',
        },
        { timeoutMs: 600_000 },
      );
      assert.equal(code, 0, `${stdout}\n${stderr}`);
      const report = readFileSync(out, 'utf8');
      assert.ok(report.startsWith('# Benchmarks\n\n## Run\n\nkept\n'), 'the rest of the file is kept');
      const section = report.slice(report.indexOf(`\n${EVENTS_HEADING}\n`));
      assert.match(section, dialect === 'postgres' ? /PostgreSQL \d+/ : /SQLite \d/);
      assert.match(section, /Load average \(1 min\): \d+\.\d\d before, \d+\.\d\d after/);
      for (const label of ['commit → receiver, p50', 'commit → receiver, p99']) {
        assert.match(row(section, label)?.[1] ?? '', /^[\d.]+ ms$/, label);
      }
      assert.match(row(section, '300-member group replace, delivered')?.[1] ?? '', /^[\d,]+ events\/s$/);
      assert.match(row(section, 'SCIM writes with one endpoint / none')?.[1] ?? '', /^\d+\.\d\d$/);
      for (const [round, mode] of [
        ['1', 'none'],
        ['2', 'one'],
      ]) {
        const cells = row(section, round as string);
        assert.equal(cells?.[1], mode, `round ${round}`);
        assert.match(cells?.[2] ?? '', /^[\d,]+$/, `round ${round}`);
      }
      assert.match(row(section, '2')?.[5] ?? '', /^\d+\.\d s$/, 'the backlog of the round with an endpoint');
    });
  }
});
