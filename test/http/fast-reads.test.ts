/**
 * The fast path of the hot reads (src/http/fast-reads.ts) against Fastify: the same requests
 * (hot ones, near misses, errors, refused tokens, preconditions, parameters, odd casing,
 * trailing slashes, encoded characters) sent over real HTTP to an app with it and to one
 * without must get the same status, headers (but Date) and body bytes, and the same
 * request-log rows (but ids, times and durations).
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { listRequestLogs } from '../../src/store/request-log.ts';
import { startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(app: FastifyInstance, method: string, path: string, headers: Record<string, string>) {
  const port = (app.server.address() as AddressInfo).port;
  return new Promise<Answer>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => {
        const { date: _date, ...rest } = res.headers;
        resolve({ status: res.statusCode ?? 0, headers: rest, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

for (const dialect of dialects) {
  describe(`fast reads against Fastify (${dialect})`, () => {
    let t: TestApp;
    let off: FastifyInstance;
    let cases: { method: string; path: string; headers: Record<string, string> }[] = [];

    before(async () => {
      t = await startTestApp(dialect, { PUBLIC_URL: '' });
      off = await buildApp(loadConfig({ ...t.env, FAST_READS: 'false' }), {
        directory: t.directory,
        logger: false,
      });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      await off.listen({ port: 0, host: '127.0.0.1' });
      const alice = (await t.request('POST', 'Users', user('alice@example.com'))).json().id as string;
      const bob = (await t.request('POST', 'Users', user('bob+x@example.com'))).json().id as string;
      const group = await t.request('POST', 'Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Team',
        members: [{ value: bob }],
      });
      assert.equal(group.statusCode, 201);
      const other = await t.directory.orgs.create('Other Org');
      const etag = (await t.request('GET', `Users/${alice}`)).headers.etag as string;
      const auth = { authorization: `Bearer ${t.token}`, host: 'scim.example:8080' };
      const b = t.base;
      const q = (f: string) => `${b}/Users?filter=${encodeURIComponent(f)}`;
      const paths = [
        `${b}/Users/${alice}`,
        `${b}/Users/${bob}`,
        q('userName eq "alice@example.com"'),
        q('userName eq "ALICE@example.com"'),
        q('userName eq "bob+x@example.com"'),
        `${b}/Users?filter=userName+eq+"alice@example.com"`,
        `${b}/Users?filter=userName%20eq%20%22alice%40example.com%22`,
        q('userName eq "nobody@example.com"'),
        `${b}/users/${alice}`,
        `${b}/USERS/${alice}`,
        `${b}/Users/${alice}/`,
        `${b}/Users/${alice}?attributes=userName`,
        `${b}/Users/${alice}?excludedAttributes=emails`,
        `${q('userName eq "alice@example.com"')}&attributes=userName`,
        `${q('userName eq "alice@example.com"')}&count=1`,
        `${b}/Users?Filter=${encodeURIComponent('userName eq "alice@example.com"')}`,
        q('userName Eq "alice@example.com"'),
        q('emails.value eq "alice@example.com"'),
        q('userName eq "alice@example.com" or userName eq "x"'),
        `${b}/Users?filter=%ZZ`,
        `${b}/Users?filter=`,
        `${b}/Users/%61${alice.slice(1)}`,
        `${b}/Users/no-such-id`,
        `${b}/Groups/${group.json().id}`,
        `/scim/v2/${t.orgId.toUpperCase()}/Users/${alice}`,
        `/scim/v2/no-such-org/Users/${alice}`,
      ];
      for (const path of paths) {
        cases.push({ method: 'GET', path, headers: auth });
        cases.push({ method: 'GET', path, headers: { ...auth, accept: 'application/json' } });
      }
      const hot = `${b}/Users/${alice}`;
      cases.push(
        { method: 'GET', path: hot, headers: { host: 'scim.example:8080' } },
        { method: 'GET', path: hot, headers: { ...auth, authorization: 'Bearer scim_wrong' } },
        { method: 'GET', path: hot, headers: { ...auth, authorization: `Bearer ${other.token.token}` } },
        {
          method: 'GET',
          path: q('userName eq "alice@example.com"'),
          headers: { ...auth, authorization: 'Basic x' },
        },
        { method: 'GET', path: hot, headers: { ...auth, 'if-none-match': etag } },
        { method: 'GET', path: hot, headers: { ...auth, 'if-none-match': 'W/"nope"' } },
        { method: 'GET', path: hot, headers: { ...auth, 'if-match': 'W/"nope"' } },
        { method: 'HEAD', path: hot, headers: auth },
        {
          method: 'GET',
          path: hot,
          headers: { ...auth, accept: '*/*', 'user-agent': 'Okta SCIM Client 1.0.0' },
        },
      );
      cases = cases.map((c, i) => ({ ...c, headers: { 'user-agent': `diff-${i}`, ...c.headers } }));
    });
    after(async () => {
      await off.close();
      await t.close();
    });

    test('same status, headers and bodies; the hot ones answered by the fast path', async () => {
      assert.equal(t.app.fastReads.on, true);
      assert.equal(off.fastReads.on, false);
      for (const c of cases) {
        const fast = await send(t.app, c.method, c.path, c.headers);
        const slow = await send(off, c.method, c.path, c.headers);
        assert.deepEqual(fast, slow, `${c.method} ${c.path} ${JSON.stringify(c.headers)}`);
      }
      // At least alice, the three spellings of her filter and the upper-case one (twice each), and
      // the Okta one; which others it takes may differ by database (the answers may not).
      assert.ok(t.app.fastReads.served >= 2 * 5 + 1, `served ${t.app.fastReads.served}`);
      assert.equal(off.fastReads.served, 0);
    });

    test('same request-log rows', async () => {
      await t.app.requestLog.flush();
      await off.requestLog.flush();
      const rows = await listRequestLogs(t.directory.database.db, { orgId: t.orgId, limit: 1000 } as never);
      const strip = (r: Record<string, unknown>) => {
        const { id: _i, requestId: _r, at: _a, durationMs: _d, ...rest } = r;
        return rest;
      };
      let compared = 0;
      for (let i = 0; i < cases.length; i++) {
        const mine = rows.filter(
          (r) => r.userAgent === `diff-${i}` || (i === cases.length - 1 && r.userAgent?.startsWith('Okta')),
        );
        if (mine.length === 0) continue;
        assert.equal(mine.length, 2, `rows of case ${i}`);
        assert.deepEqual(strip(mine[0] as never), strip(mine[1] as never), `case ${i}`);
        compared++;
      }
      assert.ok(compared > 40);
    });
  });
}
