/** The benchmark's fresh database: a new SQLite file, or a new schema in the given PostgreSQL database. */
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { requestLogPath } from '../src/store/db.ts';
import type { BenchConfig } from './config.ts';

export interface BenchDatabase {
  url: string;
  dialect: 'sqlite' | 'postgres';
  description: string;
  sizeBytes(): Promise<number | undefined>;
  cleanup(): Promise<void>;
}

function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  // URLSearchParams writes spaces as '+', which pg's connection-string parser keeps literally.
  return u.toString().replace(/options=([^&]*)/, (_, v: string) => `options=${v.replace(/\+/g, '%20')}`);
}

async function withPg<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh database: a new SQLite file under .tmp/, or a new schema in the given PostgreSQL database. */
export async function prepareDatabase(config: BenchConfig, workDir: string): Promise<BenchDatabase> {
  const pgUrl = config.postgresUrl;
  if (pgUrl === undefined) {
    const file = join(workDir, 'scim.db');
    const memory = new SqliteDatabase(':memory:');
    const version = (memory.prepare('select sqlite_version() as v').get() as { v: string }).v;
    memory.close();
    return {
      url: `sqlite:${file}`,
      dialect: 'sqlite',
      description: `SQLite ${version} (better-sqlite3, WAL, synchronous=NORMAL; the request log in a file of its own)`,
      async sizeBytes() {
        // The directory's file and the request log's beside it (src/store/db.ts requestLogPath).
        return [file, requestLogPath(file)]
          .flatMap((f) => ['', '-wal', '-shm'].map((s) => `${f}${s}`))
          .filter((f) => existsSync(f))
          .reduce((sum, f) => sum + statSync(f).size, 0);
      },
      async cleanup() {},
    };
  }
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const version = await withPg(pgUrl, async (client) => {
    await client.query(`create schema ${schema}`);
    const row = await client.query<{ v: string }>("select current_setting('server_version') as v");
    return row.rows[0]?.v ?? '?';
  });
  const where = new URL(pgUrl);
  return {
    url: withSearchPath(pgUrl, schema),
    dialect: 'postgres',
    description: `PostgreSQL ${version} (${where.host}${where.pathname}, fresh schema ${schema})`,
    sizeBytes: () =>
      withPg(pgUrl, async (client) => {
        const r = await client.query<{ bytes: string | null }>(
          `select sum(pg_total_relation_size(c.oid))::text as bytes from pg_class c
             join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind = 'r'`,
          [schema],
        );
        return r.rows[0]?.bytes ? Number(r.rows[0].bytes) : undefined;
      }),
    cleanup: () =>
      withPg(pgUrl, (client) => client.query(`drop schema if exists ${schema} cascade`).then(() => {})),
  };
}
