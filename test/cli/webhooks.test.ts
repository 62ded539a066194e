/**
 * `webhooks create|list|update|delete|rotate|deliveries|redeliver` on both dialects, against a
 * real receiver on loopback fed by a dispatcher on the same database (as the running service
 * would be): secrets printed once, JSON output, deliveries with their attempts, a redelivery
 * that arrives signed, and deletion behind its confirmation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../../src/config.ts';
import type { Directory } from '../../src/directory/directory.ts';
import type { WebhookDispatcher } from '../../src/events/dispatcher.ts';
import { startDispatcher } from '../../src/events/start.ts';
import { USER } from '../../src/scim/schema/definitions.ts';
import { USER_SCHEMA } from '../helpers/app.ts';
import { cliIn, cliJsonIn } from '../helpers/cli.ts';
import { dialects, type TestDatabase } from '../helpers/dialects.ts';
import { openTestDirectory } from '../helpers/directory.ts';
import { Receiver, signatureHeaders, until } from '../helpers/receiver.ts';

for (const dialect of dialects) {
  describe(`CLI webhooks (${dialect})`, () => {
    let t: TestDatabase;
    let directory: Directory;
    let receiver: Receiver;
    let dispatcher: WebhookDispatcher;
    let orgId = '';
    const cli = (...argv: string[]) => cliIn(t.url, argv);
    const jsonOf = (...argv: string[]) => cliJsonIn(t.url, argv);

    before(async () => {
      ({ t, directory } = await openTestDirectory(dialect));
      orgId = (await directory.orgs.create('Hooked')).org.id;
      receiver = new Receiver();
      await receiver.start();
      const events = loadConfig({ WEBHOOK_RETRY_BASE_MS: '20', WEBHOOK_POLL_MS: '20' }).events;
      dispatcher = await startDispatcher(directory, events);
    });
    after(async () => {
      await dispatcher?.stop();
      await receiver?.stop();
      await t?.cleanup();
    });

    test('create prints the secret once; list and update never do; bad input is refused', async () => {
      const text = await cli('webhooks', 'create', 'https://hooks.example.com/a', '--description', 'crm');
      assert.equal(text.code, 0, text.err);
      assert.match(text.out, /Secret: +whsec_\S+\nThe secret is shown only this once/);
      const secret = /whsec_\S+/.exec(text.out)?.[0] as string;

      const created = await jsonOf(
        'webhooks',
        'create',
        'https://hooks.example.com/b',
        '--org',
        orgId,
        '--events',
        'user.created,user.deleted',
        '--events',
        'group.created',
      );
      assert.match(created.secret, /^whsec_/);
      assert.equal(created.orgId, orgId);
      assert.deepEqual(created.eventTypes, ['group.created', 'user.created', 'user.deleted']);

      const listed = await cli('webhooks', 'list');
      assert.match(listed.out, new RegExp(`${created.id}\\s+https://hooks.example.com/b\\s+${orgId}`));
      assert.match(listed.out, /\(every org\)\s+\(every type\)\s+enabled/);
      const all = await jsonOf('webhooks', 'list');
      assert.equal(all.length, 2);
      assert.deepEqual(
        (await jsonOf('webhooks', 'list', '--org', orgId)).map((e: { id: string }) => e.id),
        [created.id],
      );

      const updated = await jsonOf(
        'webhooks',
        'update',
        created.id,
        '--url',
        'https://hooks.example.com/c',
        '--every-event',
        '--every-org',
        '--disable',
        '--description',
        'moved',
      );
      assert.deepEqual(
        [updated.url, updated.eventTypes, updated.orgId, updated.enabled, updated.description],
        ['https://hooks.example.com/c', null, null, false, 'moved'],
      );
      const reenabled = await jsonOf('webhooks', 'update', created.id, '--enable', '--description', '');
      assert.deepEqual([reenabled.enabled, reenabled.description], [true, null]);

      for (const out of [listed.out, JSON.stringify(all), JSON.stringify(updated)]) {
        assert.equal(out.includes(secret) || out.includes(created.secret), false);
      }

      const refusals: [string[], number, RegExp][] = [
        [['webhooks', 'create', 'ftp://x.example.com'], 1, /http:\/\/ or https:\/\//],
        [
          ['webhooks', 'create', 'https://x.example.com', '--events', 'user.exploded'],
          1,
          /unknown event type/,
        ],
        [['webhooks', 'create', 'https://x.example.com', '--org', 'nope'], 1, /No organization 'nope'/],
        [['webhooks', 'list', '--org', 'nope'], 1, /No organization 'nope'/],
        [['webhooks', 'update', created.id], 2, /nothing to change/],
        [['webhooks', 'update', created.id, '--enable', '--disable'], 2, /--enable or --disable, not both/],
        [['webhooks', 'update', 'we_nope', '--enable'], 1, /No webhook endpoint 'we_nope'/],
        [['webhooks', 'rotate', created.id, '--grace', '9w'], 1, /at most 7d/],
        [['webhooks', 'deliveries', created.id, 'abc'], 1, /whole number/],
        [['webhooks', 'deliveries', created.id, '--status', 'lost'], 1, /pending, delivered or failed/],
        [['webhooks', 'redeliver', created.id, '7'], 1, /No delivery 7/],
      ];
      for (const [argv, code, message] of refusals) {
        const run = await cli(...argv);
        assert.equal(run.code, code, `${argv.join(' ')}: ${run.out}${run.err}`);
        assert.match(run.err, message, argv.join(' '));
      }
      const jsonError = await cli('webhooks', 'update', 'we_nope', '--enable', '--json');
      assert.match(JSON.parse(jsonError.err).error, /No webhook endpoint/);

      for (const e of all) await directory.webhooks.delete(e.id);
    });

    test('rotate prints a new secret; deliveries and attempts; redeliver; delete asks first', async () => {
      const endpoint = await jsonOf(
        'webhooks',
        'create',
        receiver.url,
        '--org',
        orgId,
        '--events',
        'user.created',
      );
      const rotated = await cli('webhooks', 'rotate', endpoint.id, '--grace', '2h');
      assert.equal(rotated.code, 0, rotated.err);
      const secret = /whsec_\S+/.exec(rotated.out)?.[0] as string;
      assert.notEqual(secret, endpoint.secret);
      const got = await directory.webhooks.get(endpoint.id);
      assert.equal(Date.parse(got.previousSecretExpiresAt ?? '') - Date.parse(got.updatedAt), 2 * 3600_000);

      receiver.respond = () => 503;
      const actor = { orgId, tokenId: null, requestId: null };
      const user = await directory.resources.create(actor, USER, {
        schemas: [USER_SCHEMA],
        userName: 'cli@x.test',
      });
      await until('a failed attempt', async () => {
        const [d] = (await directory.webhooks.deliveryPage(endpoint.id, { limit: 1 })).items;
        return (d?.attempts ?? 0) >= 1;
      });
      await cli('webhooks', 'update', endpoint.id, '--disable');
      await dispatcher.drain();

      const page = await jsonOf('webhooks', 'deliveries', endpoint.id, '--status', 'pending', '--limit', '1');
      assert.equal(page.data.length, 1);
      assert.equal(page.nextCursor, null);
      const [delivery] = page.data;
      assert.equal(delivery.eventType, 'user.created');
      assert.equal(delivery.lastStatus, 503);
      assert.equal(
        (await jsonOf('webhooks', 'deliveries', endpoint.id, '--status', 'delivered')).data.length,
        0,
      );
      const table = await cli('webhooks', 'deliveries', endpoint.id);
      assert.match(table.out, new RegExp(`${delivery.id}\\s+${delivery.eventId}\\s+user.created\\s+pending`));

      const one = await jsonOf('webhooks', 'deliveries', endpoint.id, String(delivery.id));
      assert.equal(one.attemptLog[0].status, 503);
      assert.match(one.attemptLog[0].responseStart, /^no thanks/);
      const oneText = await cli('webhooks', 'deliveries', endpoint.id, String(delivery.id));
      assert.match(oneText.out, /TIME\s+HTTP\s+MS\s+ANSWER OR ERROR\n\S+\s+503\s+[\d.]+\s+no thanks x+…/);

      receiver.respond = () => 200;
      const before = receiver.got.length;
      await cli('webhooks', 'update', endpoint.id, '--enable');
      const again = await jsonOf('webhooks', 'redeliver', endpoint.id, String(delivery.id));
      assert.equal(again.status, 'pending');
      await until(
        'delivered',
        async () => (await directory.webhooks.delivery(endpoint.id, delivery.id)).status === 'delivered',
      );
      const arrived = receiver.got.slice(before).find((r) => r.event.id === delivery.eventId);
      assert.ok(arrived);
      const verified = new Webhook(secret).verify(arrived.body, signatureHeaders(arrived)) as {
        data: { id: string };
      };
      assert.equal(verified.data.id, user.id);
      await dispatcher.drain();

      const noTerminal = await cli('webhooks', 'delete', endpoint.id);
      assert.equal(noTerminal.code, 2);
      assert.match(noTerminal.err, /--yes/);
      const wrong = await cliIn(t.url, ['webhooks', 'delete', endpoint.id], { ask: async () => 'no' });
      assert.equal(wrong.code, 1);
      assert.ok(await directory.webhooks.get(endpoint.id), 'still there');
      let asked = '';
      const typed = await cliIn(t.url, ['webhooks', 'delete', endpoint.id, '--json'], {
        ask: async (q) => {
          asked = q;
          return `${endpoint.id}\n`;
        },
      });
      assert.equal(typed.code, 0, typed.err);
      assert.match(asked, /Type its id/);
      assert.deepEqual(JSON.parse(typed.out), { deleted: endpoint.id });
      await assert.rejects(directory.webhooks.get(endpoint.id), { code: 'not_found' });
      const gone = await cli('webhooks', 'delete', endpoint.id, '--yes');
      assert.equal(gone.code, 1);
      assert.match(gone.err, /No webhook endpoint/);

      const other = await jsonOf('webhooks', 'create', 'https://hooks.example.com/z');
      assert.equal((await cli('webhooks', 'delete', other.id, '--yes')).code, 0);
    });
  });
}
