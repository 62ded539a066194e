/**
 * Where webhooks may go (docs/webhooks.md "Where webhooks may go"): without
 * WEBHOOK_ALLOW_PRIVATE, an endpoint on a loopback, private, link-local or metadata address is
 * refused at creation and update (400 `url_not_allowed`), and a delivery never connects to one,
 * even when the endpoint's row names one (a name that resolved elsewhere when it was created:
 * DNS rebinding). Redirects are not followed; a response body is read up to 1 KiB only. All
 * against real receivers on loopback.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { Directory } from '../../src/directory/directory.ts';
import { isPublicAddress } from '../../src/events/address-policy.ts';
import type { WebhookDispatcher } from '../../src/events/dispatcher.ts';
import { startDispatcher } from '../../src/events/start.ts';
import { type ApiTestApp, problemOf, startApiTestApp } from '../helpers/api.ts';
import { dialects } from '../helpers/dialects.ts';
import { Receiver, until } from '../helpers/receiver.ts';

test('only global unicast addresses are public', () => {
  const cases: [string, boolean][] = [
    ['127.0.0.1', false],
    ['127.1.2.3', false],
    ['10.0.0.1', false],
    ['172.16.5.4', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false], // cloud metadata
    ['100.100.100.200', false], // carrier-grade NAT (Alibaba's metadata)
    ['0.0.0.0', false],
    ['255.255.255.255', false],
    ['224.0.0.1', false],
    ['::1', false],
    ['::', false],
    ['fe80::1', false],
    ['fc00::1', false],
    ['fd00:ec2::254', false], // AWS metadata over IPv6
    ['::ffff:127.0.0.1', false],
    ['::ffff:169.254.169.254', false],
    ['not an address', false],
    ['93.184.215.14', true],
    ['8.8.8.8', true],
    ['2606:4700:4700::1111', true],
    ['::ffff:8.8.8.8', true],
  ];
  for (const [address, expected] of cases) assert.equal(isPublicAddress(address), expected, address);
});

/** A server on loopback that answers every request with `handler`, counting them. */
async function rawServer(handler: Parameters<typeof createServer>[1]): Promise<{
  server: Server;
  url: string;
  hits: () => number;
}> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => handler?.(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    hits: () => hits,
  };
}

async function close(server: Server) {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

for (const dialect of dialects) {
  describe(`webhook destinations, WEBHOOK_ALLOW_PRIVATE=false (${dialect})`, () => {
    let t: ApiTestApp;
    let guarded: Directory;
    let receiver: Receiver;
    let n = 0;

    before(async () => {
      t = await startApiTestApp(dialect, { WEBHOOK_ALLOW_PRIVATE: 'false' });
      // The same database, as a deployment that allows nothing private runs it.
      guarded = new Directory({ ...t.directory.deps, webhookAllowPrivate: false });
      receiver = new Receiver();
      await receiver.start();
    });
    after(async () => {
      await receiver?.stop();
      await t?.close();
    });

    /** A dispatcher over `directory`, each test its own (one at a time on the database). */
    async function dispatch(directory: Directory, retryBaseMs: number): Promise<WebhookDispatcher> {
      const config = loadConfig({ WEBHOOK_POLL_MS: '20', WEBHOOK_RETRY_BASE_MS: String(retryBaseMs) }).events;
      return startDispatcher(directory, config);
    }

    /** Writes an endpoint row as if its URL had passed the check (a name resolving elsewhere then). */
    async function endpointBehindCheck(url: string): Promise<string> {
      const permissive = new Directory({ ...t.directory.deps, webhookAllowPrivate: true });
      return (await permissive.webhooks.create({ url, orgId: t.orgId, eventTypes: ['user.created'] }))
        .endpoint.id;
    }

    async function newUser(): Promise<void> {
      n++;
      const created = await t.request('POST', 'Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: `dest${n}@x.test`,
      });
      assert.equal(created.statusCode, 201, created.body);
      t.directory.webhooks.notify();
    }

    /** The first attempt of the endpoint's newest delivery, once there is one. */
    async function firstAttempt(endpointId: string) {
      let attempt: { status: number | null; error: string | null; responseStart: string | null } | undefined;
      await until('an attempt', async () => {
        const [d] = await guarded.webhooks.deliveries(endpointId, {});
        if (!d || d.attempts === 0) return false;
        attempt = (await guarded.webhooks.delivery(endpointId, d.id)).attemptLog[0];
        return attempt !== undefined;
      });
      return attempt as NonNullable<typeof attempt>;
    }

    test('creating or moving an endpoint to a non-public address is a 400 url_not_allowed', async () => {
      for (const url of [
        receiver.url,
        'http://localhost:9/hook', // resolves to loopback
        'http://[::1]:9/hook',
        'http://169.254.169.254/latest/meta-data/',
        'http://2130706433/hook', // 127.0.0.1, as the URL parser reads it
        'http://[::ffff:10.0.0.1]/hook',
      ]) {
        const refused = await t.api('POST', '/webhooks', { url });
        assert.equal(refused.statusCode, 400, `${url}: ${refused.body}`);
        const problem = problemOf(refused);
        assert.equal(problem.code, 'url_not_allowed', url);
        assert.match(problem.detail, /not a public address.*WEBHOOK_ALLOW_PRIVATE=true/);
      }
      // A public address passes; so does a name that does not resolve now (delivery checks again).
      for (const url of ['https://93.184.215.14/hook', 'https://hooks.invalid/hook']) {
        const created = await t.api('POST', '/webhooks', { url });
        assert.equal(created.statusCode, 201, `${url}: ${created.body}`);
        const moved = await t.api('PATCH', `/webhooks/${created.json().id}`, { url: 'http://10.1.2.3/hook' });
        assert.equal(moved.statusCode, 400, moved.body);
        assert.equal(problemOf(moved).code, 'url_not_allowed');
        await t.api('DELETE', `/webhooks/${created.json().id}`);
      }
    });

    test('a delivery never connects to a non-public address (IP literal or name)', async () => {
      const port = new URL(receiver.url).port;
      const endpoints = [
        await endpointBehindCheck(receiver.url),
        await endpointBehindCheck(`http://localhost:${port}/hook`),
      ];
      const dispatcher = await dispatch(guarded, 60_000);
      try {
        await newUser();
        for (const id of endpoints) {
          const attempt = await firstAttempt(id);
          assert.equal(attempt.status, null);
          assert.match(attempt.error ?? '', /not a public address/);
        }
      } finally {
        await dispatcher.stop();
      }
      for (const id of endpoints) await guarded.webhooks.delete(id);
      assert.equal(receiver.got.length, 0, 'the loopback receiver got nothing');
    });

    test('redirects are not followed; a response body is read up to 1 KiB', async () => {
      // Only this test's dispatcher may reach loopback: the policy is not what is tested here.
      const open = new Directory({ ...t.directory.deps, webhookAllowPrivate: true });
      const local = await dispatch(open, 60_000);
      const total = 256 * 1024 * 1024;
      let written = 0;
      const target = await rawServer((_req, res) => res.writeHead(200).end('should not be reached'));
      const redirecting = await rawServer((_req, res) => res.writeHead(307, { location: target.url }).end());
      const endless = await rawServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(64 * 1024, 'y');
        const pump = () => {
          while (written < total && !res.destroyed) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end();
        };
        pump();
      });
      try {
        const redirectId = (
          await open.webhooks.create({ url: redirecting.url, eventTypes: ['user.created'] })
        ).endpoint.id;
        const endlessId = (await open.webhooks.create({ url: endless.url, eventTypes: ['user.created'] }))
          .endpoint.id;
        await newUser();
        open.webhooks.notify();
        const redirected = await firstAttempt(redirectId);
        assert.equal(redirected.status, 307);
        assert.equal(target.hits(), 0, 'the redirect was not followed');
        const [pending] = await open.webhooks.deliveries(redirectId, {});
        assert.equal(pending?.status, 'pending', 'a 3xx is retried like any non-2xx');

        const big = await firstAttempt(endlessId);
        assert.equal(big.status, 200);
        assert.equal(big.responseStart, 'y'.repeat(1024));
        assert.ok(written < total, `the sender stopped reading (${written} of ${total} bytes written)`);
      } finally {
        await local.stop();
        await Promise.all([close(target.server), close(redirecting.server), close(endless.server)]);
      }
    });
  });
}
