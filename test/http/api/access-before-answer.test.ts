/**
 * "After a SCIM deactivation, the access check says no before the SCIM response arrives back
 * at the IdP" (docs/roles.md "The access check"), over real HTTP on loopback, on both
 * databases. The IdP's requests go through a TCP proxy that holds the server's answer: when
 * its first byte arrives, and before the proxy passes it on, the proxy asks the access check
 * (straight to the server). It must already say `deactivated` (PATCH active=false) or
 * `deleted` (DELETE): the change committed before the server began to answer.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type ApiTestApp, startApiTestApp } from '../../helpers/api.ts';
import { PATCH_OP, user } from '../../helpers/app.ts';
import { dialects } from '../../helpers/dialects.ts';

interface HoldingProxy {
  port: number;
  /** What `atFirstByte` returned for each response, in order. */
  seen: unknown[];
  close(): Promise<void>;
}

/** A TCP proxy to `port` that runs `atFirstByte` before passing on each answer's first byte. */
async function holdingProxy(port: number, atFirstByte: () => Promise<unknown>): Promise<HoldingProxy> {
  const sockets = new Set<Socket>();
  const seen: unknown[] = [];
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    // The first chunk waits for the check; what follows (the rest, the end) waits for it.
    let held: Promise<void> | undefined;
    upstream.on('data', (chunk: Buffer) => {
      if (held) {
        upstream.pause();
        void held.then(() => {
          client.write(chunk);
          upstream.resume();
        });
        return;
      }
      upstream.pause();
      held = atFirstByte()
        .then((answer) => void seen.push(answer))
        .catch((error: unknown) => void seen.push(error))
        .then(() => {
          client.write(chunk);
          upstream.resume();
        });
    });
    upstream.on('end', () => void (held ?? Promise.resolve()).then(() => client.end()));
    for (const s of [client, upstream]) {
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return {
    port: address.port,
    seen,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

for (const dialect of dialects) {
  describe(`the access check says no before the IdP has its answer (${dialect})`, () => {
    let t: ApiTestApp;
    let origin = '';
    let proxy: HoldingProxy;
    let userId = '';

    /** The access check, asked straight of the server. */
    const access = async () => {
      const response = await fetch(`${origin}/api/v1/orgs/${t.orgId}/users/${userId}/access`, {
        headers: { authorization: `Bearer ${t.apiKey}` },
      });
      assert.equal(response.status, 200);
      return ((await response.json()) as { reason: string }).reason;
    };
    /** A SCIM request as the IdP sends it, through the proxy. */
    const viaProxy = (method: string, path: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${proxy.port}${t.base}/${path}`, {
        method,
        headers: {
          authorization: `Bearer ${t.token}`,
          'content-type': 'application/scim+json',
          connection: 'close',
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    before(async () => {
      t = await startApiTestApp(dialect);
      origin = await t.app.listen({ port: 0, host: '127.0.0.1' });
      proxy = await holdingProxy(Number(new URL(origin).port), access);
      const created = await t.request('POST', 'Users', user('leaver@example.com'));
      assert.equal(created.statusCode, 201, created.body);
      userId = created.json().id;
    });
    after(async () => {
      await proxy?.close();
      await t?.close();
    });

    test('a read through the proxy is held and checked: the user is active', async () => {
      const response = await viaProxy('GET', `Users/${userId}`);
      assert.equal(response.status, 200);
      await response.text();
      assert.deepEqual(proxy.seen.splice(0), ['active']);
    });

    test('PATCH active=false: deactivated before the first byte of the answer', async () => {
      const response = await viaProxy('PATCH', `Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      });
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { active: boolean }).active, false);
      assert.deepEqual(proxy.seen.splice(0), ['deactivated']);
    });

    test('DELETE: deleted before the first byte of the answer', async () => {
      const back = await t.request('PATCH', `Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'active', value: true }],
      });
      assert.equal(back.statusCode, 200, back.body);
      assert.equal(await access(), 'active');
      const response = await viaProxy('DELETE', `Users/${userId}`);
      assert.equal(response.status, 204);
      assert.deepEqual(proxy.seen.splice(0), ['deleted']);
    });
  });
}
