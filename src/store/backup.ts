/**
 * SQLite backups through SQLite's online backup API (https://www.sqlite.org/backup.html, via
 * better-sqlite3's `backup()`), never a file copy: a copy of a live WAL database taken while it
 * is written, or without its -wal file, can be torn or miss committed transactions.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';

/** The file of a `sqlite:` URL, or undefined for PostgreSQL and in-memory databases. */
export function sqliteFileOf(url: string): string | undefined {
  if (!url.startsWith('sqlite:')) return undefined;
  let rest = url.slice('sqlite:'.length);
  if (rest.startsWith('//')) rest = rest.slice(2);
  return rest === '' || rest === ':memory:' ? undefined : resolve(rest);
}

export interface BackupResult {
  /** Pages in the copy (of the database's page size). */
  pages: number;
  /** Times SQLite started the copy again because another connection wrote meanwhile. */
  restarts: number;
}

/**
 * Copies `source` into `destination` (a new file, written beside it first and renamed into
 * place, so an interrupted backup never leaves a half file under the final name). A consistent
 * snapshot of one moment even while servers write: after a first step of 100 pages, each step
 * copies all remaining pages under one read transaction, which in WAL mode blocks no writer.
 * A write by another connection between steps makes SQLite start over, so the copy is never
 * a mix of two moments.
 */
export async function backupSqliteFile(source: string, destination: string): Promise<BackupResult> {
  if (!existsSync(source)) throw new Error(`no SQLite database at ${source}`);
  mkdirSync(dirname(destination), { recursive: true });
  const partial = `${destination}.partial`;
  rmSync(partial, { force: true });
  const db = new SqliteDatabase(source, { readonly: true, fileMustExist: true });
  let restarts = 0;
  let last = Number.POSITIVE_INFINITY;
  try {
    db.pragma('busy_timeout = 5000');
    const result = await db.backup(partial, {
      progress: ({ totalPages, remainingPages }) => {
        if (remainingPages > last) restarts++;
        last = remainingPages;
        return Math.max(totalPages, 100);
      },
    });
    // A backup file gets a rollback journal of its own: one file, nothing beside it to lose.
    const copy = new SqliteDatabase(partial);
    try {
      copy.pragma('journal_mode = DELETE');
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the backup of ${source} failed its check: ${String(check)}`);
    } finally {
      copy.close();
    }
    renameSync(partial, destination);
    return { pages: result.totalPages, restarts };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
}

/** Whether `file` is a SQLite database that this service's migrations have run on. */
export function isServiceDatabase(file: string): boolean {
  let db: SqliteDatabase.Database | undefined;
  try {
    db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
    const row = db
      .prepare(
        "select count(*) as n from sqlite_master where type = 'table' and name in ('orgs', 'kysely_migration')",
      )
      .get() as { n: number };
    return row.n === 2 && db.pragma('quick_check', { simple: true }) === 'ok';
  } catch {
    return false;
  } finally {
    db?.close();
  }
}

/**
 * Replaces the database at `target` with the backup at `backup`, through the backup API into
 * the target (so its -wal and -shm files are rewritten with it, never left stale). The server
 * must be stopped: its connections would keep pages and counters of the old content.
 */
export async function restoreSqliteFile(backup: string, target: string): Promise<BackupResult> {
  if (!isServiceDatabase(backup)) throw new Error(`${backup} is not a backup of this service's database`);
  mkdirSync(dirname(target), { recursive: true });
  const source = new SqliteDatabase(backup, { readonly: true, fileMustExist: true });
  try {
    const result = await source.backup(target, { progress: ({ totalPages }) => Math.max(totalPages, 100) });
    return { pages: result.totalPages, restarts: 0 };
  } finally {
    source.close();
  }
}
