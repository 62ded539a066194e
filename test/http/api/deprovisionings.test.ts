/**
 * The deprovisioning contract (docs/deprovisioning.md) on both dialects, through SCIM, the
 * management API and real webhook deliveries on loopback: every user.deactivated and
 * user.deleted event is a pending deprovisioning (written with the event, not without it),
 * listed with its age and paged; a reactivation leaves it pending; an explicit acknowledgement
 * (by id or event id) is idempotent and audited with the API key; a 2xx webhook delivery
 * acknowledges, a 500 does not; another org neither sees nor acknowledges it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import type { WebhookDispatcher } from '../../../src/events/dispatcher.ts';
import { startDispatcher } from '../../../src/events/start.ts';
import { type ApiTestApp, problemOf, startApiTestApp } from '../../helpers/api.ts';
import { PATCH_OP, user } from '../../helpers/app.ts';
import { dialects } from '../../helpers/dialects.ts';
import { Receiver, until } from '../../helpers/receiver.ts';

// biome-ignore lint/suspicious/noExplicitAny: API JSON bodies are read as loose JSON
type Json = any;

const setActive = (active: boolean) => ({
  schemas: [PATCH_OP],
  Operations: [{ op: 'replace', value: { active } }],
});

for (const dialect of dialects) {
  describe(`deprovisionings (${dialect})`, () => {
    let t: ApiTestApp;
    let keyId = '';
    const ids: Record<string, string> = {};

    const pending = async (query = '') => {
      const response = await t.api('GET', `/orgs/${t.orgId}/deprovisionings${query}`);
      assert.equal(response.statusCode, 200, response.body);
      return response.json().data as Json[];
    };

    before(async () => {
      t = await startApiTestApp(dialect);
      keyId = (await t.directory.apiKeys.list())[0]?.id ?? '';
      for (const name of ['ada', 'bob', 'cy']) {
        const created = await t.request('POST', 'Users', user(`${name}@example.com`));
        assert.equal(created.statusCode, 201);
        ids[name] = created.json().id;
      }
    });
    after(async () => t?.close());

    test('a deactivation and a deletion are pending, oldest first, with their event and age', async () => {
      assert.deepEqual(await pending(), []);
      assert.equal((await t.request('PATCH', `Users/${ids.ada}`, setActive(false))).statusCode, 200);
      assert.equal((await t.request('DELETE', `Users/${ids.bob}`)).statusCode, 204);
      // A write that fails writes no event, hence no deprovisioning.
      const refused = await t.request('PATCH', `Users/${ids.cy}`, setActive(false), { 'if-match': 'W/"99"' });
      assert.equal(refused.statusCode, 412);

      // Listed from the events, which show once no older transaction on the server can still
      // commit: on a busy PostgreSQL that is a moment after the write.
      let list: Json[] = [];
      await until(
        'both deprovisionings to be listed',
        async () => {
          list = await pending();
          return list.length === 2;
        },
        30_000,
      );
      assert.deepEqual(
        list.map((d) => [d.type, d.userId]),
        [
          ['user.deactivated', ids.ada],
          ['user.deleted', ids.bob],
        ],
      );
      // The feed shows them once no older transaction on the server can still commit.
      let feed: Json[] = [];
      await until(
        'both events in the feed',
        async () => {
          feed = (await t.api('GET', `/events?org=${t.orgId}&type=user.deactivated,user.deleted`)).json()
            .data;
          return feed.length === 2;
        },
        30_000,
      );
      assert.deepEqual(
        list.map((d) => d.eventId),
        feed.map((e: Json) => e.id),
        'one per event, named by the event id',
      );
      for (const d of list) {
        assert.match(d.id, /^dpv_\d{16}$/);
        assert.equal(d.acknowledgedAt, null);
        assert.ok(Number.isInteger(d.ageSeconds) && d.ageSeconds >= 0);
      }

      const first = (await t.api('GET', `/orgs/${t.orgId}/deprovisionings?limit=1`)).json();
      assert.equal(first.data.length, 1);
      const second = (
        await t.api('GET', `/orgs/${t.orgId}/deprovisionings?limit=1&cursor=${first.nextCursor}`)
      ).json();
      assert.deepEqual(
        [...first.data, ...second.data].map((d: Json) => d.id),
        list.map((d) => d.id),
      );
      assert.equal(second.nextCursor, null);
    });

    test('a reactivation leaves the deactivation pending', async () => {
      assert.equal((await t.request('PATCH', `Users/${ids.ada}`, setActive(true))).statusCode, 200);
      assert.deepEqual(
        (await pending(`?userId=${ids.ada}`)).map((d) => d.type),
        ['user.deactivated'],
      );
    });

    test('acknowledged by event id or id, idempotent, audited with the API key', async () => {
      const [ada] = await pending(`?userId=${ids.ada}`);
      const ack = await t.api('POST', `/orgs/${t.orgId}/deprovisionings/${ada.eventId}/acknowledge`);
      assert.equal(ack.statusCode, 200, ack.body);
      const done = ack.json();
      assert.equal(done.id, ada.id);
      assert.equal(done.acknowledgedBy, `api_key:${keyId}`);
      assert.ok(done.acknowledgedAt);
      const again = await t.api('POST', `/orgs/${t.orgId}/deprovisionings/${ada.id}/acknowledge`);
      assert.equal(again.statusCode, 200);
      assert.equal(again.json().acknowledgedAt, done.acknowledgedAt, 'the first acknowledgement stays');

      assert.deepEqual(
        (await pending()).map((d) => d.userId),
        [ids.bob],
      );
      assert.deepEqual(
        (await pending('?state=acknowledged')).map((d) => d.id),
        [ada.id],
      );
      assert.equal((await pending('?state=all')).length, 2);

      const audit = (await t.api('GET', `/orgs/${t.orgId}/audit?action=acknowledge`)).json().data;
      assert.equal(audit.length, 1, 'audited once, not at the repeat');
      assert.deepEqual(audit[0].actor, { kind: 'api_key', id: keyId });
      assert.equal(audit[0].tokenId, null);
      assert.equal(audit[0].resourceId, ada.id);
      assert.equal(audit[0].requestId !== null, true);
    });

    test('another org neither sees nor acknowledges them; bad input is a 4xx', async () => {
      const other = (await t.directory.orgs.create('Other Corp')).org.id;
      const [bob] = await pending();
      assert.deepEqual((await t.api('GET', `/orgs/${other}/deprovisionings?state=all`)).json().data, []);
      const cases: [string, string, number, string][] = [
        ['POST', `/orgs/${other}/deprovisionings/${bob.id}/acknowledge`, 404, 'not_found'],
        ['POST', `/orgs/${t.orgId}/deprovisionings/bogus/acknowledge`, 404, 'not_found'],
        ['POST', `/orgs/${t.orgId}/deprovisionings/evt_99999999/acknowledge`, 404, 'not_found'],
        ['POST', `/orgs/no-such-org/deprovisionings/${bob.id}/acknowledge`, 404, 'not_found'],
        ['GET', `/orgs/${t.orgId}/deprovisionings?state=later`, 400, 'validation_failed'],
        ['GET', `/orgs/${t.orgId}/deprovisionings?cursor=bogus`, 400, 'invalid_request'],
        ['GET', '/orgs/no-such-org/deprovisionings', 404, 'not_found'],
      ];
      for (const [method, path, status, code] of cases) {
        const response = await t.api(method, path);
        assert.equal(response.statusCode, status, `${path}: ${response.body}`);
        assert.equal(problemOf(response).code, code, path);
      }
      assert.equal((await pending()).length, 1, 'still pending');
    });

    test('a 2xx webhook delivery acknowledges; a failing one does not', async () => {
      const receiver = new Receiver();
      await receiver.start();
      let dispatcher: WebhookDispatcher | undefined;
      try {
        const { endpoint } = await t.directory.webhooks.create({ url: receiver.url, orgId: t.orgId });
        // Deliveries of one user go out in order: only the deletion itself is refused.
        receiver.respond = (r) => (r.event.type === 'user.deleted' ? 500 : 200);
        const dan = (await t.request('POST', 'Users', user('dan@example.com'))).json().id;
        const eve = (await t.request('POST', 'Users', user('eve@example.com'))).json().id;
        dispatcher = await startDispatcher(
          t.directory,
          loadConfig({ WEBHOOK_RETRY_BASE_MS: '60000', WEBHOOK_POLL_MS: '20' }).events,
        );
        assert.equal((await t.request('PATCH', `Users/${dan}`, setActive(false))).statusCode, 200);
        assert.equal((await t.request('DELETE', `Users/${eve}`)).statusCode, 204);
        const deliveredTo = (type: string, id: string) =>
          receiver.got.some((r) => r.event.type === type && r.event.data.id === id);
        await until(
          'both delivered once',
          () => deliveredTo('user.deactivated', dan) && deliveredTo('user.deleted', eve),
        );
        await dispatcher.drain();
        const all = await pending('?state=all');
        const danOne = all.find((d) => d.userId === dan);
        const eveOne = all.find((d) => d.userId === eve);
        assert.equal(danOne?.acknowledgedBy, `webhook:${endpoint.id}`);
        assert.ok(danOne?.acknowledgedAt);
        assert.equal(eveOne?.acknowledgedAt, null, 'a 500 acknowledges nothing');
        // Bob's deletion was committed before the endpoint existed: the endpoint starts at the
        // feed's end, so it never carries it, and it stays pending.
        assert.deepEqual((await pending()).map((d) => d.userId).sort(), [ids.bob, eve].sort());
      } finally {
        await dispatcher?.stop();
        await receiver.stop();
      }
    });
  });
}
