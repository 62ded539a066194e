import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../../src/store/db.ts';
import { migrations } from '../../src/store/migrations.ts';
import { insertOrg, listOrgs } from '../../src/store/orgs.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { T0 } from './store-fixtures.ts';

const TABLES = [
  'audit_events',
  'memberships',
  'orgs',
  'rate_limits',
  'request_log',
  'resource_counts',
  'resource_terms',
  'resources',
  'settings',
  'tokens',
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
          : sql<{
              name: string;
            }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`;
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
