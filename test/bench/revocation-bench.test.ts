/**
 * The revocation benchmark (bench/revocation.ts) end to end in a tiny mode, on both dialects:
 * sign-ins, refresh loops, the SCIM deactivation, and its section of the report, written beside
 * what the file already holds. No figure is asserted; that no refresh sent after the PATCH's
 * answer succeeded is (it is the property the figure is about).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { REVOCATION_HEADING } from '../../bench/sections.ts';
import { nodeEntry } from '../../scripts/node-entry.ts';
import { dialects } from '../helpers/dialects.ts';
import { row } from '../helpers/markdown-table.ts';
import { runProcess } from '../helpers/process.ts';

describe('npm run bench:revocation in a tiny mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scim-revocation-bench-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const dialect of dialects) {
    test(`writes the Revocation section, keeping the rest of the file (${dialect})`, async () => {
      const out = join(dir, `benchmarks-${dialect}.md`);
      writeFileSync(out, '# Benchmarks\n\n## Run\n\nkept\n');
      const { code, stdout, stderr } = await runProcess(
        nodeEntry('bench/revocation.ts'),
        { BENCH_OUT: out, BENCH_DIALECT: dialect, BENCH_REVOKE_ROUNDS: '2', BENCH_REVOKE_SESSIONS: '2' },
        { timeoutMs: 300_000 },
      );
      assert.equal(code, 0, `${stdout}\n${stderr}`);
      const report = readFileSync(out, 'utf8');
      assert.ok(report.startsWith('# Benchmarks\n\n## Run\n\nkept\n'), 'the rest of the file is kept');
      const section = report.slice(report.indexOf(`\n${REVOCATION_HEADING}\n`));
      assert.match(section, dialect === 'postgres' ? /PostgreSQL/ : /SQLite/);
      for (const label of [
        'SCIM PATCH active=false, sent to answered (ms)',
        'SCIM PATCH sent to the last refresh failing (ms)',
      ]) {
        assert.match(row(section, label)?.[1] ?? '', /^[\d.]+$/, label);
      }
      assert.match(section, /; 0 sent after it/);
    });
  }
});
