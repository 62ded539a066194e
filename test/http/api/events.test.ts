/**
 * GET /api/v1/events, the pull feed: a consumer that stores the last cursor misses nothing and
 * sees nothing twice while writes commit concurrently; filters by org and type; long polls
 * that end when an event commits or when the client goes away; problem documents for a bad
 * cursor, type or wait.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type ApiTestApp, problemOf, startApiTestApp } from '../../helpers/api.ts';
import { user } from '../../helpers/app.ts';
import { dialects } from '../../helpers/dialects.ts';
import { feedCaughtUp } from '../../helpers/outbox.ts';
import { until } from '../../helpers/receiver.ts';

interface FeedEvent {
  id: string;
  type: string;
  orgId: string | null;
  data: { id?: string; userName?: string };
}
interface FeedPage {
  data: FeedEvent[];
  nextCursor: string;
}

for (const dialect of dialects) {
  describe(`GET /api/v1/events (${dialect})`, () => {
    let t: ApiTestApp;

    before(async () => {
      // The writers deactivate a third of a growing org, which the mass-deprovisioning valve
      // would rightly hold (docs/safety-valves.md); this suite is about the feed, not the valve.
      t = await startApiTestApp(dialect, { VALVE_DEPROVISIONING: 'false' });
    });
    after(async () => {
      await t?.close();
    });

    async function feed(query: string): Promise<FeedPage> {
      const response = await t.api('GET', `/events${query}`);
      assert.equal(response.statusCode, 200, response.body);
      return response.json();
    }

    /** Every event there is now, read from the start in pages. */
    async function readAll(query = ''): Promise<{ events: FeedEvent[]; cursor: string }> {
      // On PostgreSQL, once every event committed so far is visible (test/helpers/outbox.ts).
      await feedCaughtUp(t.directory.database.db);
      const events: FeedEvent[] = [];
      let page = await feed(`?limit=1000${query}`);
      for (;;) {
        events.push(...page.data);
        if (page.data.length === 0) return { events, cursor: page.nextCursor };
        page = await feed(`?limit=1000&after=${page.nextCursor}${query}`);
      }
    }

    test('a consumer storing its cursor misses nothing and sees nothing twice under concurrent writes', async () => {
      const seen: FeedEvent[] = [];
      let cursor: string | undefined;
      let writing = true;
      const writers = Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 12; i++) {
          const created = await t.request('POST', 'Users', user(`feed-${w}-${i}@example.com`));
          assert.equal(created.statusCode, 201, created.body);
          if (i % 3 === 0) {
            const id = created.json().id;
            const patched = await t.request('PATCH', `Users/${id}`, {
              schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
              Operations: [{ op: 'replace', path: 'active', value: false }],
            });
            assert.equal(patched.statusCode, 200, patched.body);
          }
        }
      });
      const done = Promise.all(writers).finally(() => {
        writing = false;
      });
      const count = (type: string) => seen.filter((e) => e.type === type).length;
      // On PostgreSQL the feed holds back rows until every older transaction in the cluster
      // has ended (src/store/events.ts), another test's included: once the writers are done,
      // drain (long-polling) until their events are all in, or for at most a minute.
      let drainUntil = Number.POSITIVE_INFINITY;
      // Small pages, read while the writers commit; then drain what is left.
      for (;;) {
        const stillWriting = writing;
        if (!stillWriting && drainUntil === Number.POSITIVE_INFINITY) drainUntil = Date.now() + 60_000;
        const page = await feed(
          `?limit=7${cursor ? `&after=${cursor}` : ''}${stillWriting ? '' : '&wait=1'}`,
        );
        seen.push(...page.data);
        if (page.data.length === 0) assert.equal(page.nextCursor, cursor ?? page.nextCursor);
        cursor = page.nextCursor;
        const complete = count('user.created') >= 48 && count('user.deactivated') >= 16;
        if (!stillWriting && page.data.length === 0 && (complete || Date.now() > drainUntil)) break;
        // inject() never leaves the microtask queue; let the writers' commits (macrotasks) run.
        await new Promise((r) => setImmediate(r));
      }
      await done;

      const ids = seen.map((e) => e.id);
      assert.equal(new Set(ids).size, ids.length, 'an event was seen twice');
      const all = await readAll();
      assert.deepEqual(
        ids,
        all.events.map((e) => e.id),
        'the consumer missed events, or saw them out of order',
      );
      assert.equal(count('user.created'), 48);
      assert.equal(count('user.deactivated'), 16);
    });

    test('an empty page gives back the cursor it was asked for', async () => {
      const { cursor } = await readAll();
      const page = await feed(`?after=${cursor}`);
      assert.deepEqual(page, { data: [], nextCursor: cursor });
    });

    test('filters by org and by type (repeated or comma-separated)', async () => {
      const other = await t.directory.orgs.create('Other Org');
      // Start after the new org's own events (readAll waits until they are visible).
      const { cursor } = await readAll();
      await t.request('POST', 'Users', user('filter-a@example.com'));
      const inOther = await t.app.inject({
        method: 'POST',
        url: `/scim/v2/${other.org.id}/Users`,
        headers: { authorization: `Bearer ${other.token.token}`, 'content-type': 'application/scim+json' },
        payload: JSON.stringify(user('filter-b@example.com')),
      });
      assert.equal(inOther.statusCode, 201, inOther.body);
      await t.request('POST', 'Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Filtered',
      });
      // Visible once older transactions (anywhere on the PostgreSQL cluster) have ended.
      await until(
        'the three events in the feed',
        async () => (await feed(`?after=${cursor}`)).data.length === 3,
      );

      const mine = await feed(`?after=${cursor}&org=${t.orgId}`);
      assert.deepEqual(
        mine.data.map((e) => [e.type, e.orgId]),
        [
          ['user.created', t.orgId],
          ['group.created', t.orgId],
        ],
      );
      const theirs = await feed(`?after=${cursor}&org=${other.org.id}`);
      assert.deepEqual(
        theirs.data.map((e) => e.data.userName),
        ['filter-b@example.com'],
      );
      for (const query of ['type=group.created,user.created', 'type=group.created&type=user.created']) {
        const both = await feed(`?after=${cursor}&${query}`);
        assert.deepEqual(
          both.data.map((e) => e.type),
          ['user.created', 'user.created', 'group.created'],
          query,
        );
      }
      const groups = await feed(`?after=${cursor}&type=group.created`);
      assert.deepEqual(
        groups.data.map((e) => e.type),
        ['group.created'],
      );
      // A filtered page's cursor resumes after its last event, whatever lies between.
      const rest = await feed(`?after=${groups.nextCursor}`);
      assert.deepEqual(rest.data, []);
    });

    test('bad input is a problem document, never a 500', async () => {
      const cases: [string, number, string][] = [
        ['?after=not-a-cursor', 400, 'invalid_request'],
        [`?after=${Buffer.from('1.x').toString('base64url')}`, 400, 'invalid_request'],
        ['?after=' + 'A'.repeat(65), 400, 'validation_failed'],
        ['?type=user.exploded', 400, 'invalid_request'],
        ['?type=user.created,nope', 400, 'invalid_request'],
        ['?wait=61', 400, 'validation_failed'],
        ['?wait=-1', 400, 'validation_failed'],
        ['?limit=0', 400, 'validation_failed'],
        ['?limit=1001', 400, 'validation_failed'],
        ['?org=Not%20An%20Org', 400, 'validation_failed'],
      ];
      for (const [query, status, code] of cases) {
        const response = await t.api('GET', `/events${query}`);
        assert.equal(response.statusCode, status, `${query}: ${response.body}`);
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
        assert.equal(problemOf(response).code, code, query);
      }
      const unauthenticated = await t.app.inject({ method: 'GET', url: '/api/v1/events' });
      assert.equal(unauthenticated.statusCode, 401);
    });

    test('a long poll returns as soon as an event commits', { timeout: 30_000 }, async () => {
      const { cursor } = await readAll();
      // `wait` is longer than this test's timeout: only the commit can end it in time.
      const polling = t.api('GET', `/events?after=${cursor}&wait=60&type=user.created`);
      await until('the long poll to wait', () => t.directory.webhooks.longPolls === 1);
      // An event the poll does not ask for keeps it waiting.
      await t.request('POST', 'Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Not awaited',
      });
      await t.request('POST', 'Users', user('long-poll@example.com'));
      const response = await polling;
      assert.equal(response.statusCode, 200, response.body);
      const page: FeedPage = response.json();
      assert.deepEqual(
        page.data.map((e) => [e.type, e.data.userName]),
        [['user.created', 'long-poll@example.com']],
      );
      assert.equal(t.directory.webhooks.longPolls, 0);
    });

    test('a client that disconnects ends its long poll', { timeout: 30_000 }, async () => {
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as AddressInfo;
      const { cursor } = await readAll();
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        path: `/api/v1/events?after=${cursor}&wait=60`,
        headers: { authorization: `Bearer ${t.apiKey}` },
      });
      request.on('error', () => {});
      request.end();
      await until('the long poll to wait', () => t.directory.webhooks.longPolls === 1);
      request.destroy();
      // Without the disconnect ending it, the poll would hold on for 60 s, past the timeout.
      await until('the long poll to end', () => t.directory.webhooks.longPolls === 0);
    });
  });
}
