/** Reading the outbox in tests: the events written since a position, and waiting for the feed. */
import type { Kysely } from 'kysely';
import { type EventRow, type FeedPosition, latestPosition, readEvents } from '../../src/store/events.ts';
import type { DB } from '../../src/store/schema.ts';

/**
 * A reader of the events written since its last call. On PostgreSQL the feed shows an event
 * once every transaction older than it has ended, anywhere on the server (store/events.ts):
 * it reads until the newest row written so far has come.
 */
export function outboxReader(db: () => Kysely<DB>): () => Promise<EventRow[]> {
  let position: FeedPosition = { tx: 0, seq: 0 };
  return async () => {
    const newest = await latestPosition(db());
    const out: EventRow[] = [];
    const passed = (p: FeedPosition) => p.tx > newest.tx || (p.tx === newest.tx && p.seq >= newest.seq);
    for (let tries = 0; !passed(position) && tries < 3000; tries++) {
      const rows = await readEvents(db(), { after: position, limit: 10_000 });
      out.push(...rows);
      const last = rows[rows.length - 1];
      if (last) position = { tx: last.tx, seq: last.seq };
      else await new Promise((r) => setTimeout(r, 10));
    }
    return out;
  };
}

/**
 * Waits until the feed shows every event committed so far (on PostgreSQL it shows an event
 * once every transaction older than it has ended, anywhere on the server; on SQLite at once).
 * Call it before taking a cursor meant to stand for "everything until now".
 */
export async function feedCaughtUp(db: Kysely<DB>): Promise<void> {
  const newest = await latestPosition(db);
  if (newest.tx === 0 && newest.seq === 0) return;
  const justBefore: FeedPosition = { tx: newest.tx, seq: newest.seq - 1 };
  for (let tries = 0; tries < 6000; tries++) {
    if ((await readEvents(db, { after: justBefore, limit: 1 })).length > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the feed did not reach ${newest.tx}.${newest.seq} in a minute`);
}
