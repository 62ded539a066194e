/**
 * /metrics for webhooks, scraped over real HTTP while real receivers on loopback receive:
 * attempts by outcome (delivered, retried, failed), the attempt latency histogram, and the
 * queue of pending deliveries with the age of its oldest. Receivers hold or refuse deliveries
 * so that each state is reached for sure; nothing is timed.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import type { WebhookDispatcher } from '../../src/events/dispatcher.ts';
import { startDispatcher } from '../../src/events/start.ts';
import { buildApp } from '../../src/http/app.ts';
import { USER } from '../../src/scim/schema/definitions.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { Receiver, until } from '../helpers/receiver.ts';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** The value of one series in a Prometheus text exposition, or undefined. */
function series(text: string, name: string, labels = ''): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m?.[1] === name && (m[2] ?? '').includes(labels)) return Number(m[3]);
  }
  return undefined;
}

for (const dialect of dialects) {
  describe(`webhook metrics (${dialect})`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let origin: string;
    let dispatcher: WebhookDispatcher;
    const flaky = new Receiver();
    const gone = new Receiver();
    const holding = new Receiver();

    before(async () => {
      t = await openTestDatabase(dialect);
      const config = loadConfig({
        DATABASE_URL: t.url,
        LOG_LEVEL: 'silent',
        REQUEST_LOG: 'false',
        WEBHOOK_TIMEOUT_MS: '30000',
        WEBHOOK_RETRY_BASE_MS: '20',
        WEBHOOK_POLL_MS: '20',
        // The receivers listen on loopback (events/address-policy.ts).
        WEBHOOK_ALLOW_PRIVATE: 'true',
      });
      app = await buildApp(config, { logger: false });
      await app.listen({ port: 0, host: '127.0.0.1' });
      origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      await Promise.all([flaky.start(), gone.start(), holding.start()]);
      dispatcher = await startDispatcher(app.directory, config.events, undefined, app.countWebhookAttempt);
    });
    after(async () => {
      await dispatcher?.stop();
      holding.release();
      await Promise.all([flaky.stop(), gone.stop(), holding.stop()]);
      await app?.close();
      await t?.cleanup();
    });

    const scrape = async () => {
      const res = await fetch(`${origin}/metrics`);
      assert.equal(res.status, 200);
      return res.text();
    };

    test('attempts by outcome, their latency, and the queue while a receiver holds a delivery', async () => {
      const idle = await scrape();
      assert.equal(series(idle, 'scimitar_webhook_queue_deliveries'), 0);
      assert.equal(series(idle, 'scimitar_webhook_oldest_pending_age_seconds'), 0);
      for (const outcome of ['delivered', 'retried', 'failed']) {
        assert.equal(series(idle, 'scimitar_webhook_attempts_total', `outcome="${outcome}"`), 0, outcome);
      }

      const orgId = (await app.directory.orgs.create('Hooked')).org.id;
      // flaky: 500 at first, then 200 (retried, then delivered); gone: 410 (failed);
      // holding: reads the request and answers only when released (pending meanwhile).
      let first = true;
      flaky.respond = () => {
        if (!first) return 200;
        first = false;
        return 500;
      };
      gone.respond = () => 410;
      holding.holding = true;
      for (const url of [flaky.url, gone.url]) await app.directory.webhooks.create({ url, orgId });
      holding.secret = (await app.directory.webhooks.create({ url: holding.url, orgId })).secret;

      await app.directory.resources.create({ orgId, tokenId: null, requestId: null }, USER, {
        schemas: [CORE_USER],
        userName: 'metrics@example.com',
      });

      // The 410 disables `gone`, and that writes an event of its own (webhook_endpoint.disabled),
      // which flaky and holding receive too.
      await until('holding holds both events', () => holding.held.length === 2);
      let text = '';
      await until('flaky delivered both, gone failed, as counted', async () => {
        text = await scrape();
        return (
          series(text, 'scimitar_webhook_attempts_total', 'outcome="delivered"') === 2 &&
          series(text, 'scimitar_webhook_attempts_total', 'outcome="failed"') === 1
        );
      });
      assert.deepEqual(flaky.got.map((g) => g.event.type).sort(), [
        'user.created',
        'user.created',
        'webhook_endpoint.disabled',
      ]);
      assert.equal(gone.got.length, 1);
      assert.equal(series(text, 'scimitar_webhook_attempts_total', 'outcome="retried"'), 1);
      assert.equal(series(text, 'scimitar_webhook_attempt_duration_seconds_count'), 4);
      assert.ok((series(text, 'scimitar_webhook_attempt_duration_seconds_sum') ?? -1) > 0);
      // The held deliveries are the ones still pending.
      assert.equal(series(text, 'scimitar_webhook_queue_deliveries'), 2);
      assert.ok((series(text, 'scimitar_webhook_oldest_pending_age_seconds') ?? -1) >= 0);

      holding.release();
      await until('the held deliveries are recorded', async () => {
        text = await scrape();
        return series(text, 'scimitar_webhook_attempts_total', 'outcome="delivered"') === 4;
      });
      assert.equal(series(text, 'scimitar_webhook_queue_deliveries'), 0);
      assert.equal(series(text, 'scimitar_webhook_oldest_pending_age_seconds'), 0);
      assert.equal(series(text, 'scimitar_webhook_attempt_duration_seconds_count'), 6);
    });
  });
}
