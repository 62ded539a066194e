/** The `settings` table (migration 0002): values that belong to the database. */
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

/** Name of the cursor-sealing secret that migration 0002 generates. */
export const CURSOR_SECRET_SETTING = 'cursor_secret';

export async function readSetting(db: Kysely<DB>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}
