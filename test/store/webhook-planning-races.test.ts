/**
 * A planner (events/dispatcher.ts plan) turns events into deliveries under its endpoint's row
 * lock. Deleting an org, or an endpoint, while a planner holds such a lock must wait for it:
 * otherwise the delete removes the deliveries it sees, the planner commits its own after, and
 * they outlive what they belonged to (a CI run found 5 deliveries of a deleted org).
 *
 * PostgreSQL only: SQLite serialises writers, so a planner and a delete never overlap there.
 * Each test holds a planner's transaction open at the point where it has read the events, runs
 * the delete beside it, and lets the planner insert and commit only once the delete waits for
 * the planner's backend (or has finished: that is the bug). No timing is asserted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Directory } from '../../src/directory/directory.ts';
import { USER } from '../../src/scim/schema/definitions.ts';
import { readEvents } from '../../src/store/events.ts';
import { getEndpoint, insertDeliveries, lockEndpointForPlanning } from '../../src/store/webhooks.ts';
import { dialects, type TestDatabase } from '../helpers/dialects.ts';
import { openTestDirectory } from '../helpers/directory.ts';

const noPostgres = !dialects.includes('postgres');
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe('deletes wait for the planner that holds an endpoint (postgres)', { skip: noPostgres }, () => {
  let t: TestDatabase;
  let directory: Directory;
  before(async () => {
    ({ t, directory } = await openTestDirectory('postgres'));
  });
  after(() => t.cleanup());

  /** A new org with two users (two events), and its own endpoint. */
  async function orgWithEvents(name: string): Promise<{ orgId: string; endpointId: string }> {
    const orgId = (await directory.orgs.create(name)).org.id;
    const endpointId = (await directory.webhooks.create({ url: 'http://127.0.0.1:9/hook', orgId })).endpoint
      .id;
    for (const who of ['ada', 'bob']) {
      await directory.resources.create({ orgId, tokenId: null, requestId: null }, USER, {
        schemas: [CORE_USER],
        userName: `${who}@${orgId}.test`,
      });
    }
    return { orgId, endpointId };
  }

  /**
   * Plans `endpointId`'s pending events of `orgId` as the dispatcher does, but runs `work`
   * between reading the events and inserting their deliveries. `work` returns the delete's
   * promise; the planner goes on once that delete waits for it, or has ended.
   */
  async function planAround(
    endpointId: string,
    orgId: string,
    work: () => Promise<unknown>,
  ): Promise<{ planned: number; deleted: unknown }> {
    // The feed shows an event once every transaction older than it has ended, in the whole
    // cluster (store/events.ts readEvents): other test files' transactions may hold it back.
    const start = await getEndpoint(t.database.db, endpointId);
    assert.ok(start);
    for (let i = 0; ; i++) {
      const visible = await readEvents(t.database.db, { after: start.cursor, orgId, limit: 100 });
      if (visible.length >= 2) break;
      assert.ok(i < 1500, `the org's events did not reach the feed: ${visible.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    let deleting: Promise<unknown> | undefined;
    const planned = await t.database.db.transaction().execute(async (tx) => {
      const endpoint = await lockEndpointForPlanning(tx, endpointId);
      assert.ok(endpoint, 'the planner holds the endpoint');
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
      const plannerPid = Number(rows[0]?.pid);
      const events = await readEvents(tx, { after: endpoint.cursor, orgId, limit: 100 });
      assert.ok(events.length >= 2, `events to plan: ${events.length}`);
      let ended = false;
      deleting = work().finally(() => {
        ended = true;
      });
      deleting.catch(() => {});
      for (let i = 0; !ended; i++) {
        const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where ${plannerPid} = any(pg_blocking_pids(pid))`.execute(t.database.db);
        if (Number(waiting.rows[0]?.n) > 0) break;
        assert.ok(i < 2000, 'the delete neither waited for the planner nor ended');
        await new Promise((r) => setTimeout(r, 5));
      }
      await insertDeliveries(
        tx,
        events.map((e) => ({ endpointId, eventSeq: e.seq, orgId: e.orgId, resourceKey: `event:${e.seq}` })),
        new Date(),
      );
      return events.length;
    });
    return { planned, deleted: await deleting };
  }

  const deliveriesOf = async (column: 'org_id' | 'endpoint_id', value: string): Promise<number> => {
    const row = await t.database.db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(column, '=', value)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };

  test("an org's deletion waits for the planner of its own endpoint", async () => {
    const { orgId, endpointId } = await orgWithEvents('Planned Own');
    const { planned } = await planAround(endpointId, orgId, () => directory.orgs.delete(orgId, orgId));
    assert.ok(planned >= 2);
    assert.equal(await deliveriesOf('org_id', orgId), 0, 'deliveries of the deleted org are left');
    assert.equal(await deliveriesOf('endpoint_id', endpointId), 0);
  });

  test("an org's deletion waits for the planner of an endpoint of every org", async () => {
    // Created first: a new endpoint's feed position is the feed's end.
    const every = (await directory.webhooks.create({ url: 'http://127.0.0.1:9/every' })).endpoint.id;
    const { orgId } = await orgWithEvents('Planned Every');
    try {
      const { planned } = await planAround(every, orgId, () => directory.orgs.delete(orgId, orgId));
      assert.ok(planned >= 2);
      assert.equal(await deliveriesOf('org_id', orgId), 0, 'deliveries of the deleted org are left');
    } finally {
      await directory.webhooks.delete(every);
    }
  });

  test("an endpoint's deletion waits for its planner", async () => {
    const { orgId, endpointId } = await orgWithEvents('Endpoint Gone');
    const { planned } = await planAround(endpointId, orgId, () => directory.webhooks.delete(endpointId));
    assert.ok(planned >= 2);
    assert.equal(
      await deliveriesOf('endpoint_id', endpointId),
      0,
      'deliveries of the deleted endpoint are left',
    );
  });
});
