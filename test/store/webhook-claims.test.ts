/**
 * A delivery's outcome is recorded only under the claim it was sent with
 * (store/webhooks.ts recordAttempts). An attempt still in flight when its lease runs out (a
 * slow receiver, a paused process) or when an admin redelivers must not overwrite what came
 * after: the late outcome joins the history, the delivery keeps its newer state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Directory } from '../../src/directory/directory.ts';
import { USER } from '../../src/scim/schema/definitions.ts';
import {
  type AttemptOutcome,
  claimDeliveries,
  getDelivery,
  insertDeliveries,
  listAttempts,
  recordAttempts,
  redeliver,
} from '../../src/store/webhooks.ts';
import { dialects, type TestDatabase } from '../helpers/dialects.ts';
import { openTestDirectory } from '../helpers/directory.ts';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

for (const dialect of dialects) {
  describe(`webhook delivery claims (${dialect})`, () => {
    let t: TestDatabase;
    let directory: Directory;
    let endpointId = '';
    let eventSeq = 0;
    let orgId = '';

    before(async () => {
      ({ t, directory } = await openTestDirectory(dialect));
      orgId = (await directory.orgs.create('Claims')).org.id;
      endpointId = (await directory.webhooks.create({ url: 'http://127.0.0.1:9/hook', orgId })).endpoint.id;
      await directory.resources.create({ orgId, tokenId: null, requestId: null }, USER, {
        schemas: [CORE_USER],
        userName: 'claims@x.test',
      });
      const row = await t.database.db
        .selectFrom('events')
        .select('seq')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      eventSeq = Number(row.seq);
    });
    after(() => t.cleanup());

    /** A fresh pending delivery of its own resource, due at time 0. */
    const newDelivery = async (key: string): Promise<number> => {
      await insertDeliveries(t.database.db, [{ endpointId, eventSeq, orgId, resourceKey: key }], new Date(0));
      const row = await t.database.db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('resource_key', '=', key)
        .executeTakeFirstOrThrow();
      return Number(row.id);
    };
    const outcome = (
      deliveryId: number,
      claimedUntil: number,
      next: AttemptOutcome['next'],
      status: number,
    ): AttemptOutcome => ({
      deliveryId,
      endpointId,
      at: new Date().toISOString(),
      status,
      latencyMs: 1,
      error: status === 200 ? null : `HTTP ${status}`,
      responseStart: null,
      claimedUntil,
      next,
    });
    const claimOnly = async (id: number, now: number, lease: number, limit = 100) => {
      const claimed = await claimDeliveries(t.database.db, now, lease, limit);
      const mine = claimed.find((d) => d.id === id);
      assert.ok(mine, `delivery ${id} claimed at ${now}`);
      assert.equal(mine.nextAttemptAt, lease, 'the claim holds the delivery until its lease');
      return mine;
    };

    test('a redelivery made while an attempt is in flight is not undone by its late failure', async () => {
      const id = await newDelivery('User:redelivered');
      const claim = await claimOnly(id, 1_000, 20_000);
      // The admin redelivers while the attempt is still out; then the attempt fails for good.
      assert.equal(await redeliver(t.database.db, endpointId, id, 5_000), true);
      await recordAttempts(t.database.db, [outcome(id, claim.nextAttemptAt, { status: 'failed' }, 500)]);
      const d = await getDelivery(t.database.db, id);
      assert.equal(d?.status, 'pending', 'the redelivery stands');
      assert.equal(d?.nextAttemptAt, 5_000, 'due when the redelivery made it due');
      assert.equal((await listAttempts(t.database.db, id)).length, 1, 'the late attempt is in the history');
      // The next claim takes it, and its outcome is recorded.
      const again = await claimOnly(id, 6_000, 30_000);
      await recordAttempts(t.database.db, [outcome(id, again.nextAttemptAt, { status: 'delivered' }, 200)]);
      assert.equal((await getDelivery(t.database.db, id))?.status, 'delivered');
    });

    test('once a lease ran out and the delivery was claimed again, only the newer claim decides', async () => {
      const first = await newDelivery('User:reclaimed');
      const second = await newDelivery('User:reclaimed-other');
      const a = await claimOnly(first, 1_000, 2_000);
      const b = (await getDelivery(t.database.db, second)) as { nextAttemptAt: number };
      assert.equal(b.nextAttemptAt, 2_000, 'claimed with the first');
      // Past the lease: `first` (the older) is claimed again while both attempts are still out.
      const a2 = await claimOnly(first, 3_000, 9_000, 1);
      // The stale outcomes arrive together with nothing newer for `second`.
      await recordAttempts(t.database.db, [
        outcome(first, a.nextAttemptAt, { status: 'failed' }, 500),
        outcome(second, b.nextAttemptAt, { status: 'failed' }, 500),
      ]);
      assert.equal((await getDelivery(t.database.db, first))?.status, 'pending', 'the newer claim holds it');
      assert.equal((await getDelivery(t.database.db, second))?.status, 'failed', 'its own claim still held');
      await recordAttempts(t.database.db, [
        outcome(first, a2.nextAttemptAt, { status: 'pending', nextAttemptAt: 12_000 }, 503),
      ]);
      const d = await getDelivery(t.database.db, first);
      assert.equal(d?.status, 'pending');
      assert.equal(d?.nextAttemptAt, 12_000, 'the newer claim set the retry');
      assert.equal(d?.attempts, 1, 'the stale attempt did not count toward the backoff');
      assert.equal((await listAttempts(t.database.db, first)).length, 2);
    });

    // Its org or its endpoint was deleted while the attempt was out: nothing would ever prune
    // an attempt whose delivery is gone.
    test('an attempt whose delivery was deleted meanwhile is not kept; the others are', async () => {
      const gone = await newDelivery('User:gone');
      const kept = await newDelivery('User:kept');
      const claim = await claimOnly(gone, 1_000, 40_000);
      await t.database.db.deleteFrom('webhook_deliveries').where('id', '=', gone).execute();
      await recordAttempts(t.database.db, [
        outcome(gone, claim.nextAttemptAt, { status: 'delivered' }, 200),
        outcome(kept, claim.nextAttemptAt, { status: 'delivered' }, 200),
      ]);
      assert.equal((await listAttempts(t.database.db, gone)).length, 0);
      assert.equal((await listAttempts(t.database.db, kept)).length, 1);
      assert.equal((await getDelivery(t.database.db, kept))?.status, 'delivered');
    });

    test('an attempt recorded while its delivery is being deleted waits, then is not kept', {
      skip: dialect !== 'postgres',
    }, async () => {
      const doomed = await newDelivery('User:doomed');
      const claim = await claimOnly(doomed, 1_000, 50_000);
      let recorded: Promise<void> | undefined;
      await t.database.db.transaction().execute(async (tx) => {
        await tx.deleteFrom('webhook_deliveries').where('id', '=', doomed).execute();
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
        const deleter = Number(rows[0]?.pid);
        recorded = recordAttempts(t.database.db, [
          outcome(doomed, claim.nextAttemptAt, { status: 'delivered' }, 200),
        ]);
        recorded.catch(() => {});
        // Commit only once the recording waits for this transaction.
        for (let i = 0; ; i++) {
          const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
            where ${deleter} = any(pg_blocking_pids(pid))`.execute(t.database.db);
          if (Number(waiting.rows[0]?.n) > 0) break;
          assert.ok(i < 2000, 'the recording did not wait for the deletion');
          await new Promise((r) => setTimeout(r, 5));
        }
      });
      await recorded;
      assert.equal((await listAttempts(t.database.db, doomed)).length, 0);
    });
  });
}
