/**
 * Closing the server (what SIGTERM does) over real HTTP on loopback
 * (src/http/unused-connections.ts): a connection a client opened and never sent a request on
 * does not hold the close up (Node stops checking its headers timeout once the server closes:
 * the close waited until the client left); an idle keep-alive connection is closed; and a
 * request whose body was still arriving when the close began is answered, with
 * `Connection: close`, and its connection closed (it used to stay open for the 72 s keep-alive
 * timeout).
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { startTestApp, type TestApp, USER_SCHEMA } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';

/** A raw TCP connection to the server, and a promise of its end. */
async function open(port: number): Promise<{ socket: Socket; closed: Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  socket.on('data', (d) => {
    received += d;
  });
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  return { socket, closed };
}

/** Rejects when `promise` has not settled in `ms`: a close that waits for a timeout hangs here. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

for (const dialect of dialects) {
  describe(`closing the server (${dialect})`, () => {
    let t: TestApp | undefined;
    after(async () => t?.close());

    test('closes unused and idle connections at once; answers the request in progress, then closes', async () => {
      t = await startTestApp(dialect);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as { port: number };

      // Opened and never used, as an HTTP client's pool opens connections ahead of need.
      const silent = await open(port);
      // Used once, and kept alive.
      const kept = await open(port);
      kept.socket.write(
        `GET ${t.base}/Users?count=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.token}\r\n\r\n`,
      );
      for (let i = 0; i < 500 && kept.socket.bytesRead === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.ok(kept.socket.bytesRead > 0, 'the kept-alive connection was answered');

      // A request whose body is still on its way when the close begins.
      const slow = await open(port);
      const arrived = new Promise((resolve) => t?.app.server.once('request', resolve));
      const body = JSON.stringify({ schemas: [USER_SCHEMA], userName: 'late@example.com' });
      slow.socket.write(
        `POST ${t.base}/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.token}\r\n` +
          `Content-Type: application/scim+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
      );
      await within(arrived, 5_000, 'the server reading the request');

      // A close that waited for any of the three connections would hang here.
      const app = t;
      t = undefined;
      const closing = app.close();
      await new Promise((r) => setTimeout(r, 50));
      slow.socket.write(body.slice(10));
      try {
        await within(closing, 20_000, 'closing the server');
      } catch (error) {
        // Let the server close, and the test file end, to report the failure.
        for (const c of [silent, kept, slow]) c.socket.destroy();
        await closing;
        throw error;
      }
      assert.equal(await within(silent.closed, 5_000, 'the silent connection'), '');
      assert.match(await within(kept.closed, 5_000, 'the kept-alive connection'), /^HTTP\/1\.1 200 /);
      // The request in progress is answered, not cut off, and its connection then closed.
      assert.match(
        await within(slow.closed, 5_000, 'the request in progress'),
        /^HTTP\/1\.1 201 [\s\S]*connection: close[\s\S]*late@example\.com/i,
      );
    });
  });
}
