/**
 * The dialects every store-backed test runs on, and a fresh, migrated database per test file.
 * PostgreSQL is never skipped: if it cannot be reached, the test fails and says so.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Database, type Dialect, openDatabase } from '../../src/store/db.ts';

function parseDialects(value: string | undefined): Dialect[] {
  if (!value) return ['sqlite', 'postgres'];
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const d of list) {
    if (d !== 'sqlite' && d !== 'postgres') throw new Error(`TEST_DIALECTS: unknown dialect ${d}`);
  }
  return list as Dialect[];
}

/** From TEST_DIALECTS (comma list), default both. */
export const dialects: Dialect[] = parseDialects(process.env.TEST_DIALECTS);

export const testPostgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  database: Database;
  /** A URL that openDatabase() accepts and that names this same database (schema). */
  url: string;
  cleanup(): Promise<void>;
}

async function withPostgres<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testPostgresUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is unreachable at ${testPostgresUrl} (${String(error)}). The store tests run on ` +
        'PostgreSQL too: start it, point TEST_POSTGRES_URL at one, or set TEST_DIALECTS=sqlite.',
      { cause: error },
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  // URLSearchParams encodes spaces as '+', which pg's connection-string parser keeps literally.
  return u.toString().replace(/options=([^&]*)/, (_, v: string) => `options=${v.replace(/\+/g, '%20')}`);
}

/**
 * SQLite: a fresh file in a temp directory. PostgreSQL: a fresh schema `t_<random>` in the
 * test database, named in the URL's search_path. `cleanup` closes and removes it.
 * `connectVia` maps that URL to the one the database is opened with (say, a proxy's).
 */
export async function openTestDatabase(
  dialect: Dialect,
  options: { connectVia?: (url: string) => string } = {},
): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'scim-store-'));
    const url = `sqlite:${join(dir, 'test.db')}`;
    const database = await openDatabase(url);
    return {
      database,
      url,
      async cleanup() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const dropSchema = (name: string) =>
    withPostgres((client) => client.query(`drop schema if exists ${name} cascade`)).then(() => {});
  await withPostgres((client) => client.query(`create schema ${schema}`));
  const url = withSearchPath(testPostgresUrl, schema);
  let database: Database;
  try {
    database = await openDatabase(options.connectVia ? options.connectVia(url) : url);
  } catch (error) {
    await dropSchema(schema);
    throw error;
  }
  return {
    database,
    url,
    async cleanup() {
      await database.close();
      await dropSchema(schema);
    },
  };
}
