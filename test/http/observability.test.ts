/**
 * /healthz, /readyz (database reachable, migrations current), /metrics (and its token), and
 * requests to organizations that do not exist: discovery answers 404, and they are counted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';

const METRICS_TOKEN = 'metrics-token-0123456789';

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
  describe(`observability (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect, { METRICS_TOKEN });
    });
    after(async () => t.close());

    const metrics = async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      return res.body;
    };

    test('discovery for an unknown org is a 404, and requests to it are counted', async () => {
      for (const path of ['ServiceProviderConfig', 'ResourceTypes', 'Schemas', 'Schemas/urn:x']) {
        const res = await t.app.inject({ method: 'GET', url: `/scim/v2/no-such-org/${path}` });
        assert.equal(res.statusCode, 404, path);
        assert.equal(res.json().status, '404');
        assert.match(res.json().detail, /No organization 'no-such-org'/);
      }
      const known = await t.app.inject({ method: 'GET', url: `${t.base}/ServiceProviderConfig` });
      assert.equal(known.statusCode, 200);
      const users = await t.request('GET', '/scim/v2/no-such-org/Users');
      assert.equal(users.statusCode, 401, 'a token of another org gets the 401 any refused token gets');
      assert.equal(series(await metrics(), 'scimitar_unknown_org_requests_total', {}), 5);
    });

    test('/metrics: requests by org, route, method, status and IdP; latency; database and log figures', async () => {
      const created = await t.request(
        'POST',
        'Users',
        { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'metrics@example.com' },
        { 'user-agent': 'Okta SCIM Client 1.0.0' },
      );
      assert.equal(created.statusCode, 201);
      await t.request('GET', `Users/${created.json().id}`);
      const text = await metrics();
      const post = { org: t.orgId, route: '/scim/v2/:org/Users', method: 'POST', status: '201', idp: 'okta' };
      assert.equal(series(text, 'scimitar_http_requests_total', post), 1);
      const get = { org: t.orgId, route: '/scim/v2/:org/Users/:id', method: 'GET', status: '200' };
      assert.equal(series(text, 'scimitar_http_requests_total', get), 1);
      assert.equal(
        series(text, 'scimitar_http_requests_total', {
          org: '',
          route: '/scim/v2/:org/Users',
          status: '401',
        }),
        1,
        'an unauthenticated request carries no org label',
      );
      assert.ok(
        (series(text, 'scimitar_http_request_duration_seconds_count', { route: '/scim/v2/:org/Users' }) ??
          0) >= 1,
      );
      assert.notEqual(series(text, 'scimitar_request_log_queue', {}), undefined);
      if (dialect === 'postgres') {
        assert.ok((series(text, 'scimitar_db_pool_connections', { state: 'total' }) ?? 0) >= 1);
      } else {
        assert.notEqual(series(text, 'scimitar_sqlite_wal_bytes', { file: 'directory' }), undefined);
        assert.equal(series(text, 'scimitar_sqlite_checkpoint_failures', {}), 0);
      }
      assert.match(text, /^scimitar_process_resident_memory_bytes/m);
    });

    test('/metrics wants METRICS_TOKEN when it is set', async () => {
      for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${METRICS_TOKEN}`]) {
        const res = await t.app.inject({
          method: 'GET',
          url: '/metrics',
          headers: authorization ? { authorization } : {},
        });
        assert.equal(res.statusCode, 401, authorization);
        assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      }
    });

    test('/healthz is alive; /readyz checks the database and its migrations', async () => {
      assert.deepEqual((await t.app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
      const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 200);
      assert.deepEqual(ready.json(), { status: 'ready' });

      await sql`delete from kysely_migration where name = '0030_token_expiry'`.execute(
        t.directory.database.db,
      );
      const behind = await t.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(behind.statusCode, 503);
      assert.deepEqual(behind.json(), { status: 'unready', reason: 'migrations not run: 0030_token_expiry' });
    });
  });
}
