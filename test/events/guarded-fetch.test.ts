/**
 * The fetch SSO uses toward IdPs (src/events/guarded-fetch.ts), against a real server on
 * loopback: refused there unless private addresses are allowed (by name or literal), no
 * redirects followed, the answer size-limited, POST bodies and headers sent as given.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { ForbiddenAddressError } from '../../src/events/address-policy.ts';
import { guardedFetch } from '../../src/events/guarded-fetch.ts';

let server: Server;
let port = 0;

before(async () => {
  server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (req.url === '/redirect') return res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
    if (req.url === '/big') return res.end('x'.repeat(2048));
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
    res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('private addresses are refused unless allowed, by literal and by name', async () => {
  const strict = guardedFetch({ allowPrivate: false });
  for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`, `http://[::1]:${port}/`]) {
    await assert.rejects(strict(url), ForbiddenAddressError, url);
  }
  const open = guardedFetch({ allowPrivate: true });
  const res = await open(`http://localhost:${port}/x`, {
    method: 'POST',
    headers: new Headers({ authorization: 'Basic abc' }),
    body: new URLSearchParams({ grant_type: 'authorization_code' }),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    method: 'POST',
    body: 'grant_type=authorization_code',
    auth: 'Basic abc',
  });
  assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
});

test('no redirect is followed; the answer is size-limited', async () => {
  const open = guardedFetch({ allowPrivate: true, maxBytes: 1024 });
  const redirect = await open(`http://127.0.0.1:${port}/redirect`);
  assert.equal(redirect.status, 302);
  await assert.rejects(open(`http://127.0.0.1:${port}/big`), /larger than 1024 bytes/);
});
