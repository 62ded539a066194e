/**
 * Start-up failures an operator causes, met by the real server process and the real CLI
 * process: each prints one line saying what is wrong and what to try, exits with code 2, and
 * shows no stack trace.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { testPostgresUrl } from '../helpers/dialects.ts';
import { type Finished, runCliProcess, runServerProcess } from '../helpers/process.ts';

function withPath(url: string, change: (u: URL) => void): string {
  const u = new URL(url);
  change(u);
  return u.toString();
}

function assertOneLine(res: Finished, pattern: RegExp) {
  assert.equal(res.code, 2, `exit code; stderr:\n${res.stderr}`);
  const lines = res.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${res.stderr}`);
  assert.match(lines[0]!, /^Error: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(res.stderr, /\n\s+at /, 'no stack trace');
}

const cases: { name: string; databaseUrl: string; pattern: RegExp }[] = [
  {
    name: 'PostgreSQL refuses the connection',
    databaseUrl: withPath(testPostgresUrl, (u) => {
      u.port = '1';
    }),
    pattern: /Cannot connect to PostgreSQL at 127\.0\.0\.1:1 \(connection refused\): is it running/,
  },
  {
    name: 'unknown database',
    databaseUrl: withPath(testPostgresUrl, (u) => {
      u.pathname = '/no_such_database_scimitar';
    }),
    pattern: /has no database 'no_such_database_scimitar': create it/,
  },
  {
    name: 'role refused',
    databaseUrl: withPath(testPostgresUrl, (u) => {
      u.username = 'no_such_role_scimitar';
      u.password = 'secret-password';
    }),
    pattern: /refused (role|the password of role) 'no_such_role_scimitar'.*check the user/,
  },
  {
    name: 'unresolvable host',
    databaseUrl: withPath(testPostgresUrl, (u) => {
      u.hostname = 'no-such-host.invalid';
    }),
    pattern: /Cannot resolve the PostgreSQL host 'no-such-host\.invalid'/,
  },
];

describe('start-up errors: one line, exit code 2, no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scim-startup-'));
  const servers: Server[] = [];
  after(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  for (const c of cases) {
    test(`${c.name}: server`, async () => {
      const res = await runServerProcess({ DATABASE_URL: c.databaseUrl });
      assertOneLine(res, c.pattern);
      assert.doesNotMatch(res.stderr, /secret-password/, 'the password is never printed');
    });
    test(`${c.name}: CLI`, async () => {
      const res = await runCliProcess(['orgs', 'list'], { DATABASE_URL: c.databaseUrl });
      assertOneLine(res, c.pattern);
      assert.equal(res.stdout, '');
    });
  }

  test('a database migrated by a newer version: server', async () => {
    const file = join(dir, 'newer.db');
    const first = await runCliProcess(['orgs', 'list'], { DATABASE_URL: `sqlite:${file}` });
    assert.equal(first.code, 0, first.stderr);
    const db = new SqliteDatabase(file);
    db.prepare(
      "insert into kysely_migration (name, timestamp) values ('9999_from_the_future', '2030-01-01')",
    ).run();
    db.close();
    const res = await runServerProcess({ DATABASE_URL: `sqlite:${file}` });
    assertOneLine(res, /migrated by a newer Scimitar \(its migration 9999_from_the_future is unknown/);
  });

  test('port in use: server', async () => {
    const busy = createServer();
    servers.push(busy);
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    const res = await runServerProcess({
      DATABASE_URL: `sqlite:${join(dir, 'busy.db')}`,
      PORT: String(port),
    });
    assertOneLine(res, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use.*set PORT`));
  });

  // Root passes every permission check, so as root the processes run as nobody.
  const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const locked = join(dir, 'locked');
  mkdirSync(locked);
  chmodSync(dir, 0o755);
  chmodSync(locked, 0o555);

  test('permission denied on the SQLite path: server and CLI', async () => {
    for (const file of [join(locked, 'scim.db'), join(locked, 'sub', 'scim.db')]) {
      const env = { DATABASE_URL: `sqlite:${file}` };
      const server = await runServerProcess(env, asUser);
      assertOneLine(server, new RegExp(`${locked.replace(/[.]/g, '\\.')}.*writ`));
      const cli = await runCliProcess(['orgs', 'list', '--json'], env, asUser);
      assert.equal(cli.code, 2, cli.stderr);
      assert.match(JSON.parse(cli.stderr).error, /writ/);
    }
  });
});
