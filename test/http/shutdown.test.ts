/**
 * Closing the server (what SIGTERM does) over real HTTP on loopback: a connection a client
 * opened and never sent a request on does not hold the close up. Node counts such a connection
 * as active until its 60 s headers timeout, so the close used to wait 60 to 90 s for it
 * (src/http/unused-connections.ts). A request that is still being answered is answered.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.ts';
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

    test('does not wait for connections that carry no request; a keep-alive one closes too', async () => {
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

      // The headers timeout is 60 s: a close that waited for either connection would hang here.
      const app = t;
      t = undefined;
      const closing = app.close();
      try {
        await within(closing, 20_000, 'closing the server');
      } catch (error) {
        // Let the server close, and the test file end, to report the failure.
        silent.socket.destroy();
        kept.socket.destroy();
        await closing;
        throw error;
      }
      assert.equal(await within(silent.closed, 5_000, 'the silent connection'), '');
      assert.match(await within(kept.closed, 5_000, 'the kept-alive connection'), /^HTTP\/1\.1 200 /);
    });
  });
}
