/**
 * WAL checkpoints on their own thread (src/store/checkpointer.ts): what the writer commits
 * reaches the database file itself, without the writer checkpointing.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { startCheckpointer } from '../../src/store/checkpointer.ts';
import { openDatabase } from '../../src/store/db.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import { T0 } from './store-fixtures.ts';

/** The orgs a copy of the database file alone holds (no WAL): what has been checkpointed. */
function checkpointedOrgs(file: string, dir: string): string[] {
  const copy = join(dir, `copy-${Math.random().toString(36).slice(2)}.db`);
  copyFileSync(file, copy);
  const db = new SqliteDatabase(copy, { readonly: true });
  try {
    return db
      .prepare('select id from orgs order by id')
      .all()
      .map((r) => (r as { id: string }).id);
  } finally {
    db.close();
  }
}

test('the checkpoint thread copies committed writes into the database file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scim-checkpoint-'));
  const file = join(dir, 'test.db');
  try {
    const database = await openDatabase(`sqlite:${file}`);
    try {
      await insertOrg(database.db, { id: 'cp-1', name: 'One', createdAt: T0 });
      await insertOrg(database.db, { id: 'cp-2', name: 'Two', createdAt: T0 });
      // The writer's own automatic checkpoint is only a backstop, far away.
      const probe = startCheckpointer([file]);
      try {
        assert.ok((await probe.checkpoint()) >= 0);
      } finally {
        await probe.stop();
      }
      assert.deepEqual(checkpointedOrgs(file, dir), ['cp-1', 'cp-2']);
      await insertOrg(database.db, { id: 'cp-3', name: 'Three', createdAt: T0 });
      // Within a few of the database's own checkpoint intervals, without being asked.
      const deadline = Date.now() + 5000;
      while (!checkpointedOrgs(file, dir).includes('cp-3') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(checkpointedOrgs(file, dir), ['cp-1', 'cp-2', 'cp-3']);
    } finally {
      await database.close();
    }
    // Closed: the WAL is folded into the file and removed.
    assert.equal(existsSync(`${file}-wal`), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stopping twice is harmless, and a stopped checkpointer says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scim-checkpoint-'));
  try {
    const file = join(dir, 'x.db');
    const db = new SqliteDatabase(file);
    db.pragma('journal_mode = WAL');
    db.exec('create table t (x)');
    const c = startCheckpointer([file]);
    assert.equal(typeof (await c.checkpoint()), 'number');
    await Promise.all([c.stop(), c.stop()]);
    await assert.rejects(c.checkpoint());
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
