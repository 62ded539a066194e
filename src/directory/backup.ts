/**
 * Backups of the embedded database (README, Backups): SQLite's online backup of the directory's
 * file, safe while servers write to it, and its restore. PostgreSQL has its own tools (pg_dump,
 * point-in-time recovery; docs/deployment.md).
 */
import { resolve } from 'node:path';
import { type BackupResult, backupSqliteFile, restoreSqliteFile, sqliteFileOf } from '../store/backup.ts';
import { DirectoryError } from './orgs.ts';

function sqliteFile(databaseUrl: string, what: string): string {
  const file = sqliteFileOf(databaseUrl);
  if (!file) {
    throw new DirectoryError(
      `${what} works on a SQLite DATABASE_URL; back up PostgreSQL with pg_dump or point-in-time recovery (docs/deployment.md)`,
    );
  }
  return file;
}

/** A consistent copy of the database at `destination`, taken while servers may be writing. */
export async function backupDatabase(
  databaseUrl: string,
  destination: string,
): Promise<BackupResult & { file: string }> {
  const file = sqliteFile(databaseUrl, 'backup');
  const target = resolve(destination);
  if (target === file) throw new DirectoryError('the backup file must not be the database itself');
  try {
    return { ...(await backupSqliteFile(file, target)), file: target };
  } catch (error) {
    throw new DirectoryError(`backup failed: ${(error as Error).message}`);
  }
}

/** Replaces the database with the backup at `backup`. Every server on it must be stopped first. */
export async function restoreDatabase(
  databaseUrl: string,
  backup: string,
): Promise<BackupResult & { file: string }> {
  const file = sqliteFile(databaseUrl, 'restore');
  const source = resolve(backup);
  if (source === file) throw new DirectoryError('the backup file is the database itself');
  try {
    return { ...(await restoreSqliteFile(source, file)), file };
  } catch (error) {
    throw new DirectoryError(`restore failed: ${(error as Error).message}`);
  }
}
