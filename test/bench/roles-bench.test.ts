/**
 * The roles benchmark (bench/roles.ts) end to end in a tiny mode: seed, the group of every
 * user, server process, the member adds with and without a role change, the access check
 * against GET by id, the rule change, and its section of the report, written beside what the
 * file already holds. Benchmarks are not tests: no figure is asserted, only that the section is
 * well formed, has every row, and that the rule moved every seeded user.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { rolesHeading } from '../../bench/roles.ts';
import { nodeEntry } from '../../scripts/node-entry.ts';
import { dialects, testPostgresUrl } from '../helpers/dialects.ts';
import { runProcess } from '../helpers/process.ts';

const USERS = 40;

describe('npm run bench:roles in a tiny mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scim-roles-bench-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const dialect of dialects) {
    test(`writes the Roles section with every row, keeping the rest of the file (${dialect})`, async () => {
      const out = join(dir, `benchmarks-${dialect}.md`);
      writeFileSync(out, '# Benchmarks\n\n## Run\n\nkept\n');
      const { code, stdout, stderr } = await runProcess(
        nodeEntry('bench/roles.ts'),
        {
          BENCH_OUT: out,
          BENCH_ROLES_USERS: String(USERS),
          BENCH_ROLES_REQUESTS: '3',
          BENCH_ROLES_DURATION: '0.3',
          BENCH_CONNECTIONS: '2',
          // The bench makes (and drops) its own schema in the PostgreSQL database it is given.
          DATABASE_URL: dialect === 'postgres' ? testPostgresUrl : '',
        },
        { timeoutMs: 300_000 },
      );
      assert.equal(code, 0, `${stdout}\n${stderr}`);
      const report = readFileSync(out, 'utf8');
      assert.ok(report.startsWith('# Benchmarks\n\n## Run\n\nkept\n'), 'the rest of the file is kept');
      const section = report.slice(report.indexOf(`\n${rolesHeading(dialect)}\n`));
      assert.match(section, dialect === 'postgres' ? /PostgreSQL \d+/ : /SQLite \d/);
      assert.match(section, /load average at the start \d+\.\d\d, \d+\.\d\d, \d+\.\d\d/);
      const rows: [RegExp, RegExp][] = [
        [/member add that changes the user's role/, /\| [\d.]+ ms \|$/],
        [/member add that changes no role \(same run\)/, /\| [\d.]+ ms \|$/],
        [/its remove, changing the role back/, /\| [\d.]+ ms \/ [\d.]+ ms \|$/],
        [/server CPU per request, moving roles/, /\| [\d.]+ ms \/ [\d.]+ ms \|$/],
        [/^\| SCIM GET \/Users\/\{id\}/, /\| \d+ req\/s \|$/],
        [/^\| access check/, /\| \d+ req\/s \|$/],
        [
          new RegExp(`rule added on the group of ${USERS} users .*; ${USERS} users changed`),
          /\| [\d.]+ s \|$/,
        ],
        [/the same rule removed/, /\| [\d.]+ s \|$/],
        [/server RSS before the rule change/, /\| \d+ MiB, peak \d+ MiB \|$/],
      ];
      const lines = section.split('\n');
      for (const [label, cell] of rows) {
        const line = lines.find((l) => l.startsWith('| ') && label.test(l));
        assert.ok(line, `a row ${label}`);
        assert.match(line, cell);
      }
    });
  }
});
