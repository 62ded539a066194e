/**
 * verifyWebhook: against signatures made by the service's own dispatcher (real HTTP on
 * loopback, before and after a secret rotation) and by the reference `standardwebhooks`
 * library; and every way a webhook must be refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { verifyWebhook, WebhookSignatureError } from '../../packages/sdk/src/index.ts';
import { loadConfig } from '../../src/config.ts';
import { newWebhookSecret } from '../../src/directory/webhooks.ts';
import type { WebhookDispatcher } from '../../src/events/dispatcher.ts';
import { startDispatcher } from '../../src/events/start.ts';
import { startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import { Receiver, until } from '../helpers/receiver.ts';

describe('verifyWebhook with the reference library', () => {
  const secret = newWebhookSecret();
  const body = JSON.stringify({ id: 'evt_0000000000000001', type: 'user.created', data: { id: 'u1' } });
  const signed = (payload = body, at = new Date(), key = secret) => ({
    'webhook-id': 'evt_0000000000000001',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(key).sign('evt_0000000000000001', at, payload),
  });

  test('accepts what the reference library signs: string or bytes, any header form', () => {
    const headers = signed();
    assert.equal(verifyWebhook(body, headers, secret).type, 'user.created');
    assert.equal(verifyWebhook(Buffer.from(body), headers, secret).id, 'evt_0000000000000001');
    assert.equal(verifyWebhook(body, new Headers(headers), secret).type, 'user.created');
    const shouting = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), [v]]));
    assert.equal(verifyWebhook(body, shouting, secret).type, 'user.created');
  });

  test('during a rotation, any of the secrets given may have signed', () => {
    const next = newWebhookSecret();
    assert.equal(verifyWebhook(body, signed(), [next, secret]).type, 'user.created');
    assert.equal(verifyWebhook(body, signed(body, new Date(), next), [next, secret]).type, 'user.created');
  });

  test('refuses a wrong secret, a changed body, a stale timestamp and missing headers', () => {
    const refused = (b: string | Buffer, h: Record<string, string>, s: string | string[] = secret) =>
      assert.throws(() => verifyWebhook(b, h, s), WebhookSignatureError);
    refused(body, signed(), newWebhookSecret());
    refused(body.replace('u1', 'u2'), signed());
    refused(body, signed(body, new Date(Date.now() - 10 * 60_000)));
    refused(body, signed(body, new Date(Date.now() + 10 * 60_000)));
    const { 'webhook-signature': _, ...unsigned } = signed();
    refused(body, unsigned);
    refused(body, { ...signed(), 'webhook-signature': 'v1,AAAA' });
    assert.throws(() => verifyWebhook(body, signed(), []), TypeError);
    assert.throws(() => verifyWebhook(JSON.parse(body), signed(), secret), TypeError);
  });
});

for (const dialect of dialects) {
  describe(`verifyWebhook with the service's dispatcher (${dialect})`, () => {
    let t: TestApp;
    let dispatcher: WebhookDispatcher;
    const receiver = new Receiver();
    const got = receiver.got;

    before(async () => {
      t = await startTestApp(dialect);
      dispatcher = await startDispatcher(
        t.directory,
        loadConfig({ WEBHOOK_POLL_MS: '20', WEBHOOK_RETRY_BASE_MS: '20' }).events,
      );
      await receiver.start();
    });
    after(async () => {
      await dispatcher?.stop();
      await receiver.stop();
      await t?.close();
    });

    test('verifies real deliveries, before and after a secret rotation', async () => {
      const { endpoint, secret } = await t.directory.webhooks.create({ url: receiver.url, orgId: t.orgId });
      await t.request('POST', 'Users', user('signed@example.com'));
      await until('the delivery', () => got.length >= 1);
      const first = got[0];
      assert.ok(first);
      const event = verifyWebhook(first.body, first.headers, secret);
      assert.equal(event.type, 'user.created');
      // The union on `type` narrows `data` (this would not compile otherwise).
      if (event.type === 'user.created') assert.equal(event.data.userName, 'signed@example.com');
      assert.equal(event.id, first.headers['webhook-id']);
      assert.throws(
        () => verifyWebhook(first.body, first.headers, newWebhookSecret()),
        WebhookSignatureError,
      );

      const rotated = await t.directory.webhooks.rotateSecret(endpoint.id);
      await t.request('POST', 'Users', user('rotated@example.com'));
      await until('the second delivery', () => got.length >= 2);
      const second = got[1];
      assert.ok(second);
      // Both secrets sign during the grace period: a receiver with either one accepts it.
      assert.equal(verifyWebhook(second.body, second.headers, rotated.secret).type, 'user.created');
      assert.equal(verifyWebhook(second.body, second.headers, secret).type, 'user.created');
      assert.equal(verifyWebhook(second.body, second.headers, [rotated.secret, secret]).type, 'user.created');
    });
  });
}
