/**
 * The SQLite writer/reader split (src/store/sqlite-driver.ts): reads outside a transaction see
 * committed data only and do not wait behind an open transaction; a commit is visible to the
 * next read; transactions and lone writes on the writer never interleave; a failed transaction
 * leaves the writer usable.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDatabase } from '../../src/store/db.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import { insertRequestLogs } from '../../src/store/request-log.ts';
import { directReader, writeNow } from '../../src/store/sqlite-driver.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { logEntry, T0 } from './store-fixtures.ts';

describe('SQLite connections (writer and reader)', () => {
  let t: TestDatabase;
  before(async () => {
    t = await openTestDatabase('sqlite');
  });
  after(async () => {
    await t.cleanup();
  });

  const names = async () =>
    (await t.database.db.selectFrom('orgs').select('id').orderBy('id').execute()).map((r) => r.id);

  test('the request log writes at once on its own connection, and waits its turn while that connection has a transaction open', async () => {
    const { logDb } = t.database;
    assert.notEqual(logDb, t.database.db, 'SQLite: the log has a connection of its own');
    const entry = (requestId: string) => logEntry('log-org', requestId);
    const ids = async () =>
      (
        await t.database.db
          .selectFrom('request_log')
          .select('request_id')
          .where('org_id', '=', 'log-org')
          .orderBy('id')
          .execute()
      ).map((r) => r.request_id);
    // Idle connection: written synchronously, before the promise is even awaited.
    const first = insertRequestLogs(logDb, [entry('now-1'), entry('now-2')]);
    assert.deepEqual(await ids(), ['now-1', 'now-2']);
    await first;
    // A transaction open on the log's connection: writeNow declines, the batch queues behind it.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let opened!: () => void;
    const isOpen = new Promise<void>((r) => {
      opened = r;
    });
    const tx = logDb.transaction().execute(async (trx) => {
      await trx
        .insertInto('request_log')
        .values({
          org_id: 'log-org',
          at: T0,
          request_id: 'in-tx',
          method: 'GET',
          path: '/',
          status: 200,
          duration_ms: 1,
        })
        .execute();
      opened();
      await held;
    });
    await isOpen;
    assert.equal(writeNow(logDb, []), false);
    const queued = insertRequestLogs(logDb, [entry('after-tx')]);
    release();
    await Promise.all([tx, queued]);
    assert.deepEqual(await ids(), ['now-1', 'now-2', 'in-tx', 'after-tx']);
  });

  test('a read during an open transaction sees the committed state, at once; the commit is then visible', async () => {
    const { db } = t.database;
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let inserted!: () => void;
    const insertedP = new Promise<void>((r) => {
      inserted = r;
    });
    const tx = db.transaction().execute(async (trx) => {
      await insertOrg(trx, { id: 'iso-a', name: 'A', createdAt: T0 });
      inserted();
      await held;
    });
    await insertedP;
    // The transaction holds the writer and has written: the reader must neither wait nor see it.
    assert.deepEqual(await names(), []);
    release();
    await tx;
    assert.deepEqual(await names(), ['iso-a']);
  });

  test('transactions run one after the other on the writer, and none is lost', async () => {
    const { db } = t.database;
    const order: string[] = [];
    await Promise.all(
      ['b', 'c', 'd'].map((k) =>
        db.transaction().execute(async (trx) => {
          order.push(`start ${k}`);
          await insertOrg(trx, { id: `ser-${k}`, name: k, createdAt: T0 });
          await new Promise((r) => setTimeout(r, 5));
          order.push(`end ${k}`);
        }),
      ),
    );
    assert.deepEqual(order, ['start b', 'end b', 'start c', 'end c', 'start d', 'end d']);
    assert.deepEqual(await names(), ['iso-a', 'ser-b', 'ser-c', 'ser-d']);
  });

  test('a failed transaction is rolled back and the writer stays usable', async () => {
    const { db } = t.database;
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await insertOrg(trx, { id: 'gone', name: 'x', createdAt: T0 });
        throw new Error('boom');
      }),
      /boom/,
    );
    await insertOrg(db, { id: 'kept', name: 'y', createdAt: T0 });
    assert.deepEqual(await names(), ['iso-a', 'kept', 'ser-b', 'ser-c', 'ser-d']);
  });

  test('the direct reader belongs to the root instance only, and refuses writes', async () => {
    const { db } = t.database;
    const read = directReader(db);
    assert.ok(read);
    assert.deepEqual(read('select count(*) as n from orgs', []), [{ n: 5 }]);
    assert.throws(() => read("insert into orgs (id, name, created_at) values ('z', 'z', 'x')", []));
    await db.transaction().execute(async (trx) => {
      assert.equal(directReader(trx), undefined);
    });
  });

  test('group commit: concurrent writers each see their work committed when they return; a failed one loses only its own', async () => {
    const { db } = t.database;
    const visibleOnReturn = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db
          .transaction()
          .execute(async (trx) => {
            await insertOrg(trx, { id: `grp-${String(i).padStart(2, '0')}`, name: 'g', createdAt: T0 });
            if (i % 5 === 3 || i === 0) throw new Error(`fail ${i}`);
          })
          .then(
            async () => (await names()).includes(`grp-${String(i).padStart(2, '0')}`),
            (error: Error) => error.message,
          ),
      ),
    );
    assert.deepEqual(
      visibleOnReturn,
      Array.from({ length: 20 }, (_, i) => (i % 5 === 3 || i === 0 ? `fail ${i}` : true)),
    );
    const lone = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        insertOrg(db, { id: i === 4 ? 'grp-01' : `lone-${i}`, name: 'l', createdAt: T0 }),
      ),
    );
    assert.deepEqual(
      lone.map((r) => r.status),
      Array.from({ length: 10 }, (_, i) => (i === 4 ? 'rejected' : 'fulfilled')),
    );
    const all = await names();
    assert.equal(all.filter((n) => n.startsWith('grp-')).length, 15);
    assert.equal(all.filter((n) => n.startsWith('lone-')).length, 9);
  });
});

test('closing the database commits the writes still waiting for their group commit', async () => {
  const t = await openTestDatabase('sqlite');
  try {
    let inside!: () => void;
    const entered = new Promise<void>((r) => {
      inside = r;
    });
    const pending = t.database.db.transaction().execute(async (trx) => {
      await insertOrg(trx, { id: 'last', name: 'l', createdAt: T0 });
      inside();
    });
    await entered;
    // The transaction is done but its commit waits for the end of this turn of the event loop.
    await t.database.close();
    await pending;
    const again = await openDatabase(t.url);
    try {
      const rows = await again.db.selectFrom('orgs').select('id').execute();
      assert.deepEqual(rows, [{ id: 'last' }]);
    } finally {
      await again.close();
    }
  } finally {
    rmSync(dirname(t.url.slice('sqlite:'.length)), { recursive: true, force: true });
  }
});
