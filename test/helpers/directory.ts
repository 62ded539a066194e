/** A fresh database of one dialect with the directory over it (real clock, random ids). */

import type { DirectoryDeps } from '../../src/directory/deps.ts';
import { Directory } from '../../src/directory/directory.ts';
import type { Dialect } from '../../src/store/db.ts';
import { openTestDatabase, type TestDatabase } from './dialects.ts';

export async function openTestDirectory(
  dialect: Dialect,
  more: Partial<Omit<DirectoryDeps, 'database'>> = {},
): Promise<{ t: TestDatabase; directory: Directory }> {
  const t = await openTestDatabase(dialect);
  const directory = new Directory({
    database: t.database,
    now: () => new Date(),
    newId: () => crypto.randomUUID(),
    // Test receivers listen on loopback (events/address-policy.ts).
    webhookAllowPrivate: true,
    ...more,
  });
  return { t, directory };
}
