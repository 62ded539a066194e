import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, requestLogPath } from '../../src/store/db.ts';
import { migrations } from '../../src/store/migrations.ts';
import { insertOrg, listOrgs } from '../../src/store/orgs.ts';
import { insertRequestLogs } from '../../src/store/request-log.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { logEntry, T0 } from './store-fixtures.ts';

const TABLES = [
  'api_keys',
  'audit_events',
  'deprovisionings',
  'events',
  'held_changes',
  'memberships',
  'oidc_apps',
  'oidc_logouts',
  'oidc_store',
  'operator_flashes',
  'operator_links',
  'operator_sessions',
  'operators',
  'org_valves',
  'orgs',
  'rate_limits',
  'request_log',
  'resource_counts',
  'resource_terms',
  'resources',
  'role_rules',
  'role_settings',
  'role_work',
  'saml_assertion_ids',
  'settings',
  'setup_link_flashes',
  'setup_links',
  'sign_in_attempts',
  'sso_connections',
  'sso_domains',
  'tokens',
  'user_roles',
  'webhook_attempts',
  'webhook_deliveries',
  'webhook_endpoints',
];

for (const dialect of dialects) {
  describe(`migrations (${dialect})`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(dialect);
    });
    after(async () => {
      await t?.cleanup();
    });

    test('creates every table', async () => {
      // Only this database's own tables: a catalog-wide introspection would also see (and
      // could trip over) the schemas other test files create and drop meanwhile.
      const query =
        dialect === 'postgres'
          ? sql<{
              name: string;
            }>`select table_name as name from information_schema.tables where table_schema = current_schema()`
          : // SQLite: the request log has a file of its own, attached as `requests` (db.ts).
            sql<{
              name: string;
            }>`select name from main.sqlite_master where type = 'table' and name not like 'sqlite_%'
               union all select name from requests.sqlite_master where type = 'table' and name not like 'sqlite_%'`;
      const names = (await query.execute(t.database.db)).rows
        .map((x) => x.name)
        .filter((n) => !n.startsWith('kysely_'));
      assert.deepEqual(names.sort(), TABLES);
    });

    test('records every migration and reopening runs nothing again, keeping data', async () => {
      await insertOrg(t.database.db, { id: 'keep', name: 'Keep', createdAt: T0 });
      const again = await openDatabase(t.url);
      try {
        assert.equal(again.dialect, dialect);
        const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
          again.db,
        );
        assert.deepEqual(
          rows.map((r) => r.name),
          Object.keys(migrations(dialect)).sort(),
        );
        assert.deepEqual(
          (await listOrgs(again.db)).map((o) => o.id),
          ['keep'],
        );
      } finally {
        await again.close();
      }
    });

    test('text sorts by code point (PostgreSQL COLLATE "C" = SQLite BINARY)', async () => {
      for (const id of ['b', 'B', 'a', 'Z', 'é', '_']) {
        await insertOrg(t.database.db, { id: `c-${id}`, name: id, createdAt: T0 });
      }
      const ids = (await listOrgs(t.database.db)).map((o) => o.id).filter((id) => id.startsWith('c-'));
      assert.deepEqual(ids, ['c-B', 'c-Z', 'c-_', 'c-a', 'c-b', 'c-é']);
    });

    if (dialect === 'sqlite') {
      test('SQLite pragmas: WAL, foreign keys, busy timeout', async () => {
        const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(t.database.db);
        assert.equal(mode.rows[0]?.journal_mode, 'wal');
        const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(t.database.db);
        assert.equal(fk.rows[0]?.foreign_keys, 1);
        const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(t.database.db);
        assert.equal(busy.rows[0]?.timeout, 5000);
      });

      test('SQLite: the request log is a file of its own; a log write leaves the main file unchanged', async () => {
        const path = t.url.slice('sqlite:'.length);
        const logPath = requestLogPath(path);
        assert.match(logPath, /\.requests\.db$/);
        assert.ok(existsSync(logPath));
        const main = await sql<{ n: number }>`
          select count(*) as n from main.sqlite_master where name = 'request_log'`.execute(t.database.db);
        assert.equal(main.rows[0]?.n, 0);
        // Another connection's view of the main file: data_version moves when someone else
        // commits to it, which is also when SQLite drops that connection's page cache.
        const other = new SqliteDatabase(path, { readonly: true });
        try {
          const version = () => other.pragma('data_version', { simple: true }) as number;
          const before = version();
          await insertRequestLogs(t.database.db, [logEntry('keep', 'after-split')]);
          assert.equal(version(), before, 'a request-log write does not touch the main file');
          const fromFile = new SqliteDatabase(logPath, { readonly: true });
          try {
            const row = fromFile
              .prepare('select path from request_log where request_id = ?')
              .get('after-split');
            assert.deepEqual(row, { path: '/scim/v2/keep/Users' });
          } finally {
            fromFile.close();
          }
          await insertOrg(t.database.db, { id: 'moves-main', name: 'Moves', createdAt: T0 });
          assert.notEqual(version(), before, 'a directory write does');
        } finally {
          other.close();
        }
      });

      test('SQLite: migration 0010 moves the rows of an older database; a removed log file comes back empty', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'scim-split-'));
        const url = `sqlite:${join(dir, 'old.db')}`;
        try {
          // The state before 0010: request_log in the main file, holding a row.
          let d = await openDatabase(url);
          await sql`create table main.request_log as select * from requests.request_log where 0`.execute(
            d.db,
          );
          await sql`insert into main.request_log (id, org_id, at, method, path, status, duration_ms, request_id)
                    values (41, 'keep', ${T0}, 'GET', '/old', 200, 1.5, 'old-row')`.execute(d.db);
          await sql`delete from kysely_migration where name = '0010_request_log_file'`.execute(d.db);
          await d.close();

          d = await openDatabase(url);
          const rows = await sql<{ id: number; path: string }>`
            select id, path from requests.request_log where request_id = 'old-row'`.execute(d.db);
          assert.deepEqual(rows.rows, [{ id: 41, path: '/old' }]);
          const left = await sql<{ n: number }>`
            select count(*) as n from main.sqlite_master where name = 'request_log'`.execute(d.db);
          assert.equal(left.rows[0]?.n, 0);
          await d.close();

          rmSync(join(dir, 'old.requests.db'));
          d = await openDatabase(url);
          try {
            await insertRequestLogs(d.db, [logEntry('keep', 'fresh')]);
            const n = await sql<{ n: number }>`select count(*) as n from request_log`.execute(d.db);
            assert.equal(n.rows[0]?.n, 1);
          } finally {
            await d.close();
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    } else {
      test('PostgreSQL: tables live in the schema named by the URL search_path', async () => {
        const { rows } = await sql<{ n: number }>`
          select count(*) as n from information_schema.tables where table_schema = current_schema()
            and table_name in ('orgs', 'tokens', 'resources', 'resource_terms', 'memberships', 'audit_events')
        `.execute(t.database.db);
        assert.equal(rows[0]?.n, 6);
        const schema = await sql<{ s: string }>`select current_schema() as s`.execute(t.database.db);
        assert.match(schema.rows[0]?.s ?? '', /^t_[0-9a-f]+$/);
      });
    }

    test('foreign keys are enforced: a token of an unknown org is refused', async () => {
      await assert.rejects(
        t.database.db
          .insertInto('tokens')
          .values({
            id: 'tk',
            org_id: 'no-such-org',
            name: 'x',
            prefix: 'p',
            hash: 'h',
            created_at: T0,
            last_used_at: null,
            revoked_at: null,
          })
          .execute(),
      );
    });
  });
}

describe('openDatabase URLs', () => {
  test('rejects an unknown scheme', async () => {
    await assert.rejects(openDatabase('mysql://x'), /unsupported database URL/);
  });
});

describe('migrations on a PostgreSQL shared with others', () => {
  test('schemas created and dropped elsewhere meanwhile do not disturb a migration', async () => {
    const url = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    let churning = true;
    // Other tenants' tooling (here: a loop) creating and dropping schemas while we migrate.
    const churn = (async () => {
      for (let i = 0; churning && i < 500; i++) {
        const name = `churn_${process.pid}_${i}`;
        await client.query(`create schema ${name}`);
        await client.query(`create table ${name}.t (x int)`);
        await client.query(`drop schema ${name} cascade`);
      }
    })();
    try {
      for (let i = 0; i < 6; i++) {
        const t = await openTestDatabase('postgres');
        await t.cleanup();
      }
    } finally {
      churning = false;
      await churn;
      await client.end();
    }
  });
});
