/**
 * The hot SCIM reads (GET by id, the `userName eq` lookup) run with fewer, synchronous hooks
 * and a time budget made only when a read takes it (http/request-budget.ts). What every
 * request must still get: the budget counted from the request's arrival and aborted when its
 * client is gone, however late it is made; the Accept negotiation, rate-limit headers, the
 * request log and the metrics on both reads and on their errors.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { listRequestLogs } from '../../src/store/request-log.ts';
import { startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';

const BUDGET_MS = 150;

function series(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

for (const dialect of dialects) {
  describe(`hot read paths (${dialect})`, () => {
    let t: TestApp;
    /** What the test routes saw of their budget. */
    const seen: Record<string, { aborted: boolean; reason: string | undefined }> = {};
    const seenOf = (signal: AbortSignal) => ({
      aborted: signal.aborted,
      reason: signal.aborted ? (signal.reason as Error | undefined)?.name : undefined,
    });
    let origin = '';

    before(async () => {
      t = await startTestApp(dialect, {
        REQUEST_TIMEOUT_MS: String(BUDGET_MS),
        RATE_LIMIT_PER_TOKEN: '1000',
        RATE_LIMIT_PER_ORG: '0',
      });
      // Routes that read their budget late, as a long read after other work would.
      t.app.get('/test/budget-after-its-time', async (request) => {
        await sleep(BUDGET_MS * 2);
        seen.late = seenOf(request.budget);
        return { ok: true };
      });
      t.app.get('/test/budget-in-time', async (request) => {
        const signal = request.budget;
        seen.early = seenOf(signal);
        await once(signal, 'abort');
        seen.earlyLater = seenOf(signal);
        return { ok: true };
      });
      t.app.get('/test/budget-after-disconnect', async (request) => {
        await once(request.raw.socket, 'close');
        seen.gone = seenOf(request.budget);
        return { ok: true };
      });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    after(async () => t.close());

    test('a budget read after its time is already spent: aborted at once, for time', async () => {
      const res = await fetch(`${origin}/test/budget-after-its-time`);
      assert.equal(res.status, 200);
      assert.deepEqual(seen.late, { aborted: true, reason: 'TimeoutError' });
    });

    test('a budget read in time aborts when the time runs out', async () => {
      const res = await fetch(`${origin}/test/budget-in-time`);
      assert.equal(res.status, 200);
      assert.deepEqual(seen.early, { aborted: false, reason: undefined });
      assert.deepEqual(seen.earlyLater, { aborted: true, reason: 'TimeoutError' });
    });

    test('a budget read after the client went away is aborted at once', async () => {
      const req = httpRequest(`${origin}/test/budget-after-disconnect`);
      req.on('error', () => {});
      req.end();
      await once(req, 'socket');
      await sleep(20);
      req.destroy();
      for (let i = 0; i < 100 && !seen.gone; i++) await sleep(10);
      assert.equal(seen.gone?.aborted, true);
      assert.notEqual(seen.gone?.reason, 'TimeoutError');
    });

    test('GET by id and the userName lookup: Accept, rate-limit headers, request log, metrics', async () => {
      const created = await t.request('POST', 'Users', user('hot@example.com'));
      assert.equal(created.statusCode, 201);
      const id = created.json().id as string;
      const filter = `Users?filter=${encodeURIComponent('userName eq "hot@example.com"')}`;
      const json = { accept: 'application/json' };
      for (const [path, status] of [
        [`Users/${id}`, 200],
        [filter, 200],
        ['Users/no-such-id', 404],
      ] as const) {
        const res = await t.request('GET', path, undefined, json);
        assert.equal(res.statusCode, status, path);
        assert.equal(res.headers['content-type'], 'application/json; charset=utf-8', path);
        assert.ok(res.headers['ratelimit-limit'], `${path}: RateLimit-Limit`);
        const scim = await t.request('GET', path);
        assert.equal(scim.headers['content-type'], 'application/scim+json; charset=utf-8', path);
      }
      const byId = await t.request('GET', `Users/${id}`);
      assert.equal(byId.json().userName, 'hot@example.com');
      assert.equal(byId.headers.etag, byId.json().meta.version);
      const notModified = await t.request('GET', `Users/${id}`, undefined, {
        'if-none-match': String(byId.headers.etag),
      });
      assert.equal(notModified.statusCode, 304);
      const projected = await t.request('GET', `Users/${id}?attributes=userName`);
      assert.deepEqual(Object.keys(projected.json()).sort(), ['id', 'schemas', 'userName']);
      const refused = await t.app.inject({
        method: 'GET',
        url: `${t.base}/Users/${id}`,
        headers: { authorization: 'Bearer nope', accept: 'application/json' },
      });
      assert.equal(refused.statusCode, 401);
      assert.equal(refused.headers['content-type'], 'application/json; charset=utf-8');

      await t.app.requestLog.flush();
      const rows = await listRequestLogs(t.directory.database.db, { orgId: t.orgId });
      const gets = rows.filter((r) => r.method === 'GET');
      assert.equal(
        gets.filter((r) => r.path.startsWith(`${t.base}/Users/${id}`) && r.status === 200).length,
        4,
      );
      assert.equal(gets.filter((r) => r.status === 304).length, 1);
      assert.equal(gets.filter((r) => r.status === 401).length, 1);
      const logged = gets.find((r) => r.path.startsWith(`${t.base}/Users?filter=`));
      assert.match(String(logged?.responseBody), /hot@example\.com/);

      const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      const get = { org: t.orgId, route: '/scim/v2/:org/Users/:id', method: 'GET', status: '200' };
      assert.equal(series(metrics, 'scimitar_http_requests_total', get), 4);
      const list = { org: t.orgId, route: '/scim/v2/:org/Users', method: 'GET', status: '200' };
      assert.equal(series(metrics, 'scimitar_http_requests_total', list), 2);
    });
  });

  describe(`hot read paths: rendering (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    test('users render the same alone, in a lookup and in a page, in a group or not', async () => {
      const ids: string[] = [];
      for (const name of ['same-a@example.com', 'same-b@example.com']) {
        const res = await t.request('POST', 'Users', user(name));
        assert.equal(res.statusCode, 201);
        ids.push(res.json().id as string);
      }
      const group = await t.request('POST', 'Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Same',
        members: [{ value: ids[0] }],
      });
      assert.equal(group.statusCode, 201);
      const alone = await Promise.all(ids.map(async (id) => (await t.request('GET', `Users/${id}`)).json()));
      assert.equal(alone[0].groups?.[0]?.display, 'Same');
      assert.equal(alone[1].groups, undefined);
      for (const [i, name] of ['same-a@example.com', 'same-b@example.com'].entries()) {
        const found = await t.request('GET', `Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`);
        assert.deepEqual(found.json().Resources, [alone[i]], name);
      }
      // A page with both: the one in a group has its groups read for the page.
      const page = await t.request('GET', `Users?filter=${encodeURIComponent('userName sw "same-"')}`);
      assert.deepEqual(page.json().Resources, alone, page.body);
      const projected = await t.request(
        'GET',
        `Users?filter=${encodeURIComponent('userName eq "same-b@example.com"')}&excludedAttributes=emails,meta`,
      );
      const { emails: _e, meta: _m, ...rest } = alone[1];
      assert.deepEqual(projected.json().Resources, [rest]);
    });
  });
}
