/**
 * Webhook delivery over real HTTP on loopback, verified with the reference Standard Webhooks
 * library: signatures (and rotation), order per resource, a failing resource not blocking the
 * others, retries then failure and redelivery, a hanging receiver cut off, 410 Gone, a database
 * error while recording a delivery (sent again after its lease), and on PostgreSQL two
 * dispatchers delivering each event once between them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../../src/config.ts';
import { Directory } from '../../src/directory/directory.ts';
import type { WebhookDispatcher } from '../../src/events/dispatcher.ts';
import { startDispatcher } from '../../src/events/start.ts';
import { USER } from '../../src/scim/schema/definitions.ts';
import { openDatabase } from '../../src/store/db.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { type Received, Receiver, signatureHeaders, until } from '../helpers/receiver.ts';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const eventsConfig = (env: Record<string, string> = {}) =>
  loadConfig({
    // Generous: this machine may be slow; the hanging receiver waits it out.
    WEBHOOK_TIMEOUT_MS: '3000',
    WEBHOOK_RETRY_BASE_MS: '20',
    WEBHOOK_POLL_MS: '20',
    ...env,
  }).events;

for (const dialect of dialects) {
  describe(`webhooks (${dialect})`, () => {
    let t: TestDatabase;
    let directory: Directory;
    let receiver: Receiver;
    let dispatcher: WebhookDispatcher;
    let clock = 0;
    const logged: string[] = [];
    let orgId = '';
    const actor = () => ({ orgId, tokenId: null, requestId: null });

    before(async () => {
      t = await openTestDatabase(dialect);
      directory = new Directory({
        database: t.database,
        now: () => new Date(Date.now() + clock),
        newId: () => crypto.randomUUID(),
        webhookAllowPrivate: true,
      });
      orgId = (await directory.orgs.create('Hooks')).org.id;
      receiver = new Receiver();
      await receiver.start();
      dispatcher = await startDispatcher(directory, eventsConfig(), {
        warn: (obj, msg) => logged.push(`${msg} ${JSON.stringify(obj)}`),
      });
    });
    after(async () => {
      await dispatcher.stop();
      await receiver.stop();
      await t.cleanup();
    });

    const newUser = async (name: string) =>
      (await directory.resources.create(actor(), USER, { schemas: [CORE_USER], userName: name })).id;
    const setActive = (id: string, value: boolean) =>
      directory.resources.patch(actor(), USER, id, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', path: 'active', value }],
      });

    test('signed per Standard Webhooks, in order per resource, for this org only', async () => {
      const { endpoint, secret } = await directory.webhooks.create({ url: receiver.url, orgId });
      assert.match(secret, /^whsec_/);
      const other = (await directory.orgs.create('Other')).org.id;
      const ids = [await newUser('a@x.test'), await newUser('b@x.test')];
      for (const id of ids) {
        await setActive(id, false);
        await setActive(id, true);
      }
      await directory.resources.create({ orgId: other, tokenId: null, requestId: null }, USER, {
        schemas: [CORE_USER],
        userName: 'elsewhere@x.test',
      });
      await until('8 deliveries', () => receiver.got.length >= 6);
      await dispatcher.drain();
      const verifier = new Webhook(secret);
      for (const r of receiver.got) {
        const verified = verifier.verify(r.body, signatureHeaders(r)) as { id: string; orgId: string };
        assert.equal(verified.id, r.headers['webhook-id']);
        assert.equal(verified.orgId, orgId, 'only the endpoint org');
      }
      // At least once: a consumer deduplicates by event id (first arrival kept).
      const seen = new Set<string>();
      const unique = receiver.got.filter((r) => !seen.has(r.event.id) && seen.add(r.event.id));
      for (const id of ids) {
        assert.deepEqual(
          unique.filter((r) => r.event.data.id === id).map((r) => r.event.type),
          ['user.created', 'user.deactivated', 'user.reactivated'],
        );
      }
      assert.equal(unique.length, 6);
      const page = await directory.webhooks.deliveries(endpoint.id, { status: 'delivered' });
      assert.equal(page.length, 6);
      const { attempts } = await directory.webhooks.attempts(endpoint.id, page[0]?.id ?? 0);
      assert.equal(attempts[0]?.status, 200);
      assert.equal(attempts[0]?.responseStart, 'ok');
      await directory.webhooks.delete(endpoint.id);
      receiver.got.length = 0;
    });

    test('a failing resource does not block others; retries, fails after the window, redelivers', async () => {
      const { endpoint } = await directory.webhooks.create({
        url: receiver.url,
        orgId,
        eventTypes: ['user.created', 'user.deactivated'],
      });
      let failing = '';
      receiver.respond = (r) => (r.event.data.id === failing ? 500 : 200);
      failing = await newUser('fail@x.test');
      const fine = await newUser('fine@x.test');
      await setActive(fine, false);
      await until('the other user', () => receiver.got.filter((r) => r.event.data.id === fine).length === 2);
      await until('three tries', () => receiver.got.filter((r) => r.event.data.id === failing).length >= 3);
      const pending = (await directory.webhooks.deliveries(endpoint.id, { status: 'pending' })).find(
        (d) => d.resourceKey === `User:${failing}`,
      );
      assert.ok(pending);
      const { attempts } = await directory.webhooks.attempts(endpoint.id, pending.id);
      assert.equal(attempts[0]?.status, 500);
      assert.equal(
        attempts[0]?.responseStart,
        `no thanks ${'x'.repeat(1014)}`,
        'the start of the body, 1 KiB',
      );
      // 25 hours later the next failure ends it.
      clock = 25 * 3600_000;
      await until(
        'failed',
        async () => (await directory.webhooks.deliveries(endpoint.id, { status: 'failed' })).length === 1,
      );
      clock = 0;
      receiver.respond = () => 200;
      const before = receiver.got.length;
      await directory.webhooks.redeliver(endpoint.id, pending.id);
      await until('redelivered', () => receiver.got.length > before);
      await until('delivered', async () =>
        (await directory.webhooks.deliveries(endpoint.id, { status: 'delivered' })).some(
          (d) => d.id === pending.id,
        ),
      );
      await dispatcher.drain();
      await directory.webhooks.delete(endpoint.id);
      receiver.got.length = 0;
    });

    test('a hanging receiver is cut off by the timeout; 410 Gone disables the endpoint with an event', async () => {
      const { endpoint } = await directory.webhooks.create({
        url: receiver.url,
        orgId,
        eventTypes: ['user.created'],
      });
      receiver.respond = () => 'hang';
      await newUser('hang@x.test');
      await until('an attempt timed out', async () => {
        const [d] = await directory.webhooks.deliveries(endpoint.id, {});
        return d !== undefined && (d.lastError ?? '').includes('timed out');
      });
      receiver.respond = () => 410;
      await until('disabled', async () => !(await directory.webhooks.get(endpoint.id)).enabled);
      assert.equal((await directory.webhooks.get(endpoint.id)).disabledReason, '410 Gone');
      const feed = await directory.webhooks.feed({ types: ['webhook_endpoint.disabled'], waitSeconds: 5 });
      assert.deepEqual(
        feed.events.map((e) => (e.data as { id: string }).id),
        [endpoint.id],
      );
      await dispatcher.drain();
      await directory.webhooks.delete(endpoint.id);
      receiver.got.length = 0;
      receiver.respond = () => 200;
    });

    test('secret rotation: both secrets sign during the grace period; no secret is logged', async () => {
      const { endpoint, secret: first } = await directory.webhooks.create({
        url: receiver.url,
        orgId,
        eventTypes: ['user.created'],
      });
      const { secret: second } = await directory.webhooks.rotateSecret(endpoint.id, 3600);
      await newUser('rotate@x.test');
      const mine = (g: Received) => g.event.data.userName === 'rotate@x.test';
      await until('delivery', () => receiver.got.some(mine));
      const r = receiver.got.find(mine) as Received;
      const headers = signatureHeaders(r);
      assert.equal(headers['webhook-signature'].split(' ').length, 2);
      new Webhook(first).verify(r.body, headers);
      new Webhook(second).verify(r.body, headers);
      for (const line of logged) {
        assert.equal(line.includes(first) || line.includes(second), false);
      }
      const stored = await t.database.db.selectFrom('webhook_endpoints').selectAll().execute();
      assert.equal(JSON.stringify(stored).includes(second.slice(6)), false, 'stored sealed');
      await dispatcher.drain();
      await directory.webhooks.delete(endpoint.id);
      receiver.got.length = 0;
    });

    test('a database error while recording a delivery loses nothing: it is sent again', async () => {
      const { endpoint } = await directory.webhooks.create({
        url: receiver.url,
        orgId,
        eventTypes: ['user.created'],
      });
      // The database refuses every attempt record (the transaction that marks a delivery done).
      const statements =
        dialect === 'postgres'
          ? {
              add: [
                `create function refuse_attempt() returns trigger language plpgsql as
                   $$ begin raise exception 'injected database error'; end $$`,
                `create trigger refuse_attempt before insert on webhook_attempts
                   for each row execute function refuse_attempt()`,
              ],
              drop: ['drop trigger refuse_attempt on webhook_attempts', 'drop function refuse_attempt()'],
            }
          : {
              add: [
                `create trigger refuse_attempt before insert on webhook_attempts
                   begin select raise(abort, 'injected database error'); end`,
              ],
              drop: ['drop trigger refuse_attempt'],
            };
      const run = async (list: string[]) => {
        for (const text of list) await sql.raw(text).execute(t.database.db);
      };
      await run(statements.add);
      let dropped = false;
      try {
        const id = await newUser('dberror@x.test');
        const mine = (g: Received) => g.event.data.id === id;
        await until('sent once', () => receiver.got.some(mine));
        await until('the failed record logged', () =>
          logged.some(
            (l) => l.startsWith('webhook attempt not recorded') && l.includes('injected database error'),
          ),
        );
        await dispatcher.drain();
        const [held] = await directory.webhooks.deliveries(endpoint.id, {});
        assert.equal(held?.status, 'pending', 'not marked delivered');
        assert.equal(held?.attempts, 0, 'no attempt recorded');
        await run(statements.drop);
        dropped = true;
        // Past the delivery's lease (2 × WEBHOOK_TIMEOUT_MS + 5 s) it is claimed and sent again.
        clock = 2 * 3000 + 5000 + 1000;
        await until('delivered', async () => {
          const [d] = await directory.webhooks.deliveries(endpoint.id, {});
          return d?.status === 'delivered';
        });
        const sent = receiver.got.filter(mine);
        assert.ok(sent.length >= 2, 'sent again after the lease');
        assert.equal(
          new Set(sent.map((g) => g.event.id)).size,
          1,
          'the same event id: receivers dedupe by it',
        );
      } finally {
        clock = 0;
        if (!dropped) await run(statements.drop);
      }
      await dispatcher.drain();
      await directory.webhooks.delete(endpoint.id);
      receiver.got.length = 0;
    });

    if (dialect === 'postgres') {
      test('two dispatchers on one PostgreSQL deliver each event once between them', async () => {
        const database2 = await openDatabase(t.url);
        const directory2 = new Directory({
          database: database2,
          now: () => new Date(),
          newId: () => crypto.randomUUID(),
          webhookAllowPrivate: true,
        });
        const second = await startDispatcher(directory2, eventsConfig({ WEBHOOK_CONCURRENCY: '4' }));
        try {
          await directory.webhooks.create({ url: receiver.url, orgId, eventTypes: ['user.created'] });
          for (let i = 0; i < 60; i++) await newUser(`many${i}@x.test`);
          await until('60 deliveries', () => receiver.got.length >= 60);
          await new Promise((r) => setTimeout(r, 300));
          await dispatcher.drain();
          await second.drain();
          const ids = receiver.got.map((r) => r.event.id);
          assert.equal(ids.length, 60);
          assert.equal(new Set(ids).size, 60);
        } finally {
          await second.stop();
          await database2.close();
        }
      });
    }
  });
}
