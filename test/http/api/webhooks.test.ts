/**
 * Webhook endpoints through the management API, over real HTTP on loopback, on both dialects:
 * the secret shown on create and rotate only, updates, problem documents for bad input and
 * unknown ids, deliveries paged with their attempts, and a redelivery that a real receiver on
 * loopback gets and verifies with the reference Standard Webhooks library.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { WebhookDispatcher } from '../../../src/events/dispatcher.ts';
import { startDispatcher } from '../../../src/events/start.ts';
import { type ApiTestApp, startApiTestApp } from '../../helpers/api.ts';
import { user } from '../../helpers/app.ts';
import { dialects } from '../../helpers/dialects.ts';
import { Receiver, signatureHeaders, until } from '../../helpers/receiver.ts';

// biome-ignore lint/suspicious/noExplicitAny: API JSON bodies are read as loose JSON
type Json = any;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: Json;
}

for (const dialect of dialects) {
  describe(`API webhooks (${dialect})`, () => {
    let t: ApiTestApp;
    let origin = '';
    let receiver: Receiver;
    let dispatcher: WebhookDispatcher;

    /** A request to the listening server, with the API key; a string body is sent as it is. */
    async function call(method: string, path: string, body?: unknown): Promise<Answer> {
      const response = await fetch(`${origin}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${t.apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        text,
        body: text ? JSON.parse(text) : undefined,
      };
    }

    /** Asserts a problem document with this status and code. */
    function assertProblem(answer: Answer, status: number, code: string) {
      assert.equal(answer.status, status, answer.text);
      assert.match(String(answer.headers.get('content-type')), /^application\/problem\+json/);
      assert.equal(answer.body.code, code, answer.text);
    }

    before(async () => {
      t = await startApiTestApp(dialect, {
        WEBHOOK_RETRY_BASE_MS: '20',
        WEBHOOK_POLL_MS: '20',
        WEBHOOK_TIMEOUT_MS: '3000',
      });
      origin = await t.app.listen({ port: 0, host: '127.0.0.1' });
      receiver = new Receiver();
      await receiver.start();
      dispatcher = await startDispatcher(t.directory, t.config.events);
    });
    after(async () => {
      await dispatcher?.stop();
      await receiver?.stop();
      await t?.close();
    });

    test('create shows the secret once; get, list and update never echo it; delete', async () => {
      const created = await call('POST', '/webhooks', {
        url: receiver.url,
        orgId: t.orgId,
        description: 'crm sync',
        eventTypes: ['user.created', 'user.deleted'],
      });
      assert.equal(created.status, 201, created.text);
      const { secret, ...endpoint } = created.body;
      assert.match(secret, /^whsec_/);
      assert.equal(created.headers.get('location'), `/api/v1/webhooks/${endpoint.id}`);
      assert.deepEqual(
        { ...endpoint, id: undefined, createdAt: undefined, updatedAt: undefined },
        {
          id: undefined,
          orgId: t.orgId,
          url: receiver.url,
          description: 'crm sync',
          eventTypes: ['user.created', 'user.deleted'],
          enabled: true,
          disabledReason: null,
          previousSecretExpiresAt: null,
          createdAt: undefined,
          updatedAt: undefined,
        },
      );

      const got = await call('GET', `/webhooks/${endpoint.id}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, endpoint);
      const everyOrg = await call('POST', '/webhooks', { url: 'https://hooks.example.com/all' });
      assert.equal(everyOrg.body.orgId, null);
      assert.equal(everyOrg.body.eventTypes, null);

      const all = await call('GET', '/webhooks');
      assert.deepEqual(all.body.data.map((e: Json) => e.id).sort(), [endpoint.id, everyOrg.body.id].sort());
      const ofOrg = await call('GET', `/webhooks?orgId=${t.orgId}`);
      assert.deepEqual(
        ofOrg.body.data.map((e: Json) => e.id),
        [endpoint.id],
      );

      const updated = await call('PATCH', `/webhooks/${endpoint.id}`, {
        url: 'https://hooks.example.com/v2',
        eventTypes: null,
        enabled: false,
        description: null,
      });
      assert.equal(updated.status, 200, updated.text);
      assert.equal(updated.body.url, 'https://hooks.example.com/v2');
      assert.equal(updated.body.eventTypes, null);
      assert.equal(updated.body.enabled, false);
      assert.equal(updated.body.description, null);
      assert.equal(updated.body.orgId, t.orgId, 'an absent property stays');
      const moved = await call('PATCH', `/webhooks/${everyOrg.body.id}`, { orgId: t.orgId });
      assert.equal(moved.body.orgId, t.orgId);
      assert.equal((await call('PATCH', `/webhooks/${everyOrg.body.id}`, { orgId: null })).body.orgId, null);

      for (const answer of [got, all, ofOrg, updated, moved]) {
        assert.equal(answer.text.includes(secret), false);
        assert.equal(answer.text.includes('secret"'), false);
      }

      assert.equal((await call('DELETE', `/webhooks/${endpoint.id}`)).status, 204);
      assertProblem(await call('GET', `/webhooks/${endpoint.id}`), 404, 'not_found');
      assertProblem(await call('DELETE', `/webhooks/${endpoint.id}`), 404, 'not_found');
      assert.equal((await call('DELETE', `/webhooks/${everyOrg.body.id}`)).status, 204);
    });

    test('bad input gets a problem document, never a 500', async () => {
      const cases: [string, string, unknown, number, string][] = [
        ['POST', '/webhooks', { url: 'not a url' }, 400, 'invalid_request'],
        ['POST', '/webhooks', { url: 'ftp://hooks.example.com/x' }, 400, 'invalid_request'],
        ['POST', '/webhooks', { url: 'https://user:pw@hooks.example.com/x' }, 400, 'invalid_request'],
        ['POST', '/webhooks', { url: `https://h.example.com/${'x'.repeat(2000)}` }, 400, 'validation_failed'],
        ['POST', '/webhooks', {}, 400, 'validation_failed'],
        ['POST', '/webhooks', { url: 'https://h.example.com', secret: 'mine' }, 400, 'validation_failed'],
        [
          'POST',
          '/webhooks',
          { url: 'https://h.example.com', eventTypes: ['user.exploded'] },
          400,
          'validation_failed',
        ],
        ['POST', '/webhooks', { url: 'https://h.example.com', orgId: 'no-such-org' }, 400, 'invalid_request'],
        ['POST', '/webhooks', { url: 'https://h.example.com', orgId: 'Not An Id' }, 400, 'validation_failed'],
        ['POST', '/webhooks', '{"url":', 400, 'malformed_json'],
        ['GET', '/webhooks?orgId=no-such-org', undefined, 404, 'not_found'],
        ['GET', '/webhooks/we_nope', undefined, 404, 'not_found'],
        ['PATCH', '/webhooks/we_nope', { enabled: true }, 404, 'not_found'],
        ['POST', '/webhooks/we_nope/rotate-secret', {}, 404, 'not_found'],
        ['GET', '/webhooks/we_nope/deliveries', undefined, 404, 'not_found'],
        ['GET', '/webhooks/we_nope/deliveries/1', undefined, 404, 'not_found'],
        ['POST', '/webhooks/we_nope/deliveries/1/redeliver', undefined, 404, 'not_found'],
        ['GET', '/webhooks/we_nope/deliveries/abc', undefined, 400, 'validation_failed'],
        ['GET', '/webhooks/we_nope/deliveries/99999999999999999999', undefined, 400, 'validation_failed'],
      ];
      for (const [method, path, body, status, code] of cases) {
        const answer = await call(method, path, body);
        assertProblem(answer, status, code);
      }
      const { body: endpoint } = await call('POST', '/webhooks', { url: 'https://h.example.com/x' });
      assertProblem(await call('PATCH', `/webhooks/${endpoint.id}`, {}), 400, 'validation_failed');
      assertProblem(await call('PATCH', `/webhooks/${endpoint.id}`, { url: 'nope' }), 400, 'invalid_request');
      assertProblem(
        await call('POST', `/webhooks/${endpoint.id}/rotate-secret`, { graceSeconds: -1 }),
        400,
        'validation_failed',
      );
      assertProblem(
        await call('GET', `/webhooks/${endpoint.id}/deliveries?cursor=bogus`),
        400,
        'invalid_request',
      );
      assertProblem(
        await call('GET', `/webhooks/${endpoint.id}/deliveries?status=lost`),
        400,
        'validation_failed',
      );
      assertProblem(await call('GET', `/webhooks/${endpoint.id}/deliveries/1`), 404, 'not_found');
      const unauthenticated = await fetch(`${origin}/api/v1/webhooks`);
      assert.equal(unauthenticated.status, 401);
      await call('DELETE', `/webhooks/${endpoint.id}`);
    });

    test('rotation: a new secret, shown once; the previous one signs until the grace period ends', async () => {
      const { body: endpoint } = await call('POST', '/webhooks', {
        url: receiver.url,
        orgId: t.orgId,
        eventTypes: ['user.created'],
      });
      const rotated = await call('POST', `/webhooks/${endpoint.id}/rotate-secret`, { graceSeconds: 600 });
      assert.equal(rotated.status, 200, rotated.text);
      assert.match(rotated.body.secret, /^whsec_/);
      assert.notEqual(rotated.body.secret, endpoint.secret);
      const grace = Date.parse(rotated.body.previousSecretExpiresAt) - Date.parse(rotated.body.updatedAt);
      assert.equal(grace, 600_000);
      const got = await call('GET', `/webhooks/${endpoint.id}`);
      assert.equal(got.text.includes(rotated.body.secret) || got.text.includes(endpoint.secret), false);

      assert.equal((await t.request('POST', 'Users', user('rotated@x.test'))).statusCode, 201);
      const mine = () => receiver.got.find((r) => r.event.data.userName === 'rotated@x.test');
      await until('the delivery', () => mine() !== undefined);
      const received = mine() as NonNullable<ReturnType<typeof mine>>;
      new Webhook(endpoint.secret).verify(received.body, signatureHeaders(received));
      new Webhook(rotated.body.secret).verify(received.body, signatureHeaders(received));

      // A body-less rotation takes the default grace period, a day.
      const again = await fetch(`${origin}/api/v1/webhooks/${endpoint.id}/rotate-secret`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.apiKey}` },
      });
      const json: Json = await again.json();
      assert.equal(again.status, 200, JSON.stringify(json));
      assert.equal(Date.parse(json.previousSecretExpiresAt) - Date.parse(json.updatedAt), 86_400_000);
      await dispatcher.drain();
      await call('DELETE', `/webhooks/${endpoint.id}`);
    });

    test('deliveries are paged with their attempts; a redelivery reaches the receiver, signed', async () => {
      const created = await call('POST', '/webhooks', {
        url: receiver.url,
        orgId: t.orgId,
        eventTypes: ['user.created'],
      });
      const endpoint = created.body;
      receiver.respond = () => 500;
      for (const name of ['d1@x.test', 'd2@x.test', 'd3@x.test']) {
        assert.equal((await t.request('POST', 'Users', user(name))).statusCode, 201);
      }
      const deliveries = async (query = '') =>
        (await call('GET', `/webhooks/${endpoint.id}/deliveries${query}`)).body;
      await until('three tried deliveries', async () => {
        const { data } = await deliveries();
        return data.length === 3 && data.every((d: Json) => d.attempts >= 1);
      });
      // Stop the retries: the receiver answers 500 until then, so a redelivery below is the
      // only way to a 200.
      await call('PATCH', `/webhooks/${endpoint.id}`, { enabled: false });
      await dispatcher.drain();

      const pages: Json[] = [];
      let cursor: string | null = null;
      do {
        const answer: Json = await deliveries(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        pages.push(...answer.data);
        cursor = answer.nextCursor;
      } while (cursor);
      assert.equal(pages.length, 3);
      const ids = pages.map((d) => d.id);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => b - a),
        'newest first',
      );
      assert.equal(new Set(ids).size, 3);
      const first = pages[2];
      assert.equal(first.status, 'pending');
      assert.equal(first.eventType, 'user.created');
      assert.match(first.eventId, /^evt_\d{16}$/);
      assert.equal(first.lastStatus, 500);
      assert.equal(first.orgId, t.orgId);
      assert.equal((await deliveries('?status=delivered')).data.length, 0);
      assert.equal((await deliveries('?status=pending')).data.length, 3);

      const detail = await call('GET', `/webhooks/${endpoint.id}/deliveries/${first.id}`);
      assert.equal(detail.status, 200, detail.text);
      assert.ok(detail.body.attemptLog.length >= 1);
      assert.equal(detail.body.attemptLog.length, detail.body.attempts);
      const attempt = detail.body.attemptLog[0];
      assert.equal(attempt.status, 500);
      assert.ok(typeof attempt.latencyMs === 'number' && attempt.latencyMs >= 0);
      assert.ok(attempt.responseStart.startsWith('no thanks xxx'));
      assert.equal(attempt.responseStart.length, 1024, 'the start of the body only');

      // Another endpoint's delivery id is not found under this one.
      const { body: other } = await call('POST', '/webhooks', { url: 'https://h.example.com/o' });
      assertProblem(await call('GET', `/webhooks/${other.id}/deliveries/${first.id}`), 404, 'not_found');
      assertProblem(
        await call('POST', `/webhooks/${other.id}/deliveries/${first.id}/redeliver`),
        404,
        'not_found',
      );
      await call('DELETE', `/webhooks/${other.id}`);

      receiver.respond = () => 200;
      const before = receiver.got.length;
      await call('PATCH', `/webhooks/${endpoint.id}`, { enabled: true });
      const redelivered = await call('POST', `/webhooks/${endpoint.id}/deliveries/${first.id}/redeliver`);
      assert.equal(redelivered.status, 202, redelivered.text);
      assert.equal(redelivered.body.id, first.id);
      assert.equal(redelivered.body.status, 'pending');
      await until('delivered', async () => {
        const d = await call('GET', `/webhooks/${endpoint.id}/deliveries/${first.id}`);
        return d.body.status === 'delivered';
      });
      const done = (await call('GET', `/webhooks/${endpoint.id}/deliveries/${first.id}`)).body;
      assert.equal(done.lastStatus, 200);
      assert.equal(done.nextAttemptAt, null);
      assert.equal(done.attemptLog.at(-1).status, 200);
      assert.equal(done.attemptLog.at(-1).responseStart, 'ok');

      const arrived = receiver.got.slice(before).find((r) => r.event.id === first.eventId);
      assert.ok(arrived, 'the receiver got the redelivered event');
      const verified = new Webhook(endpoint.secret).verify(arrived.body, signatureHeaders(arrived)) as Json;
      assert.equal(verified.id, first.eventId);
      assert.equal(verified.type, 'user.created');
      assert.equal(verified.data.userName, 'd1@x.test');

      await dispatcher.drain();
      await call('DELETE', `/webhooks/${endpoint.id}`);
      receiver.got.length = 0;
    });
  });
}
