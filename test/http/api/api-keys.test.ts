/** Management API keys over real HTTP (inject) on both dialects: hashed, shown once, revocable at once. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { type ApiTestApp, startApiTestApp } from '../../helpers/api.ts';
import { dialects } from '../../helpers/dialects.ts';

for (const dialect of dialects) {
  describe(`API keys (${dialect})`, () => {
    let t: ApiTestApp;
    before(async () => {
      t = await startApiTestApp(dialect);
    });
    after(async () => t?.close());

    test('a created key is 256 random bits behind sk_, stored only as its SHA-256', async () => {
      const created = await t.directory.apiKeys.create('ci');
      assert.match(created.key, /^sk_[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(created.key.slice(3), 'base64url').length, 32);
      assert.ok(created.key.startsWith(created.prefix));
      const { rows } = await sql<
        Record<string, unknown>
      >`select * from api_keys where id = ${created.id}`.execute(t.directory.database.db);
      const stored = JSON.stringify(rows);
      assert.ok(!stored.includes(created.key), 'the key itself is not stored');
      assert.equal(rows[0]?.hash, createHash('sha256').update(created.key).digest('hex'));
      const listed = await t.directory.apiKeys.list();
      assert.ok(!JSON.stringify(listed).includes(created.key));
      assert.ok(!JSON.stringify(listed).includes(String(rows[0]?.hash)), 'listings do not show the hash');
    });

    test('the key authenticates and its last use is recorded', async () => {
      const created = await t.directory.apiKeys.create('last-use');
      assert.equal((await t.directory.apiKeys.list()).find((k) => k.id === created.id)?.lastUsedAt, null);
      const response = await t.api('GET', '/orgs', undefined, { authorization: `Bearer ${created.key}` });
      assert.equal(response.statusCode, 200);
      const used = (await t.directory.apiKeys.list()).find((k) => k.id === created.id);
      assert.ok(used?.lastUsedAt, 'last use recorded');
    });

    test('missing, malformed, unknown, SCIM-token and revoked credentials get the same 401 problem', async () => {
      const revoked = await t.directory.apiKeys.create('to revoke');
      assert.equal(
        (await t.api('GET', '/orgs', undefined, { authorization: `Bearer ${revoked.key}` })).statusCode,
        200,
      );
      await t.directory.apiKeys.revoke(revoked.prefix);
      const unknown = `sk_${Buffer.alloc(32, 7).toString('base64url')}`;
      for (const authorization of [
        undefined,
        'Bearer',
        'Basic dXNlcjpwYXNz',
        'Bearer sk_short',
        `Bearer ${unknown}`,
        `Bearer ${t.token}`,
        `Bearer ${revoked.key}`,
      ]) {
        const response = await t.app.inject({
          method: 'GET',
          url: '/api/v1/orgs',
          headers: authorization === undefined ? {} : { authorization },
        });
        assert.equal(response.statusCode, 401, String(authorization));
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
        assert.equal(response.headers['www-authenticate'], 'Bearer realm="api"');
        const body = response.json();
        assert.equal(body.code, 'unauthorized');
        assert.equal(body.status, 401);
      }
      await assert.rejects(t.directory.apiKeys.revoke(revoked.prefix), { code: 'not_found' });
    });

    test('an API key is not a SCIM token', async () => {
      const response = await t.request('GET', 'Users', undefined, { authorization: `Bearer ${t.apiKey}` });
      assert.equal(response.statusCode, 401);
      assert.match(String(response.headers['content-type']), /^application\/scim\+json/);
    });

    test('a key name is checked', async () => {
      await assert.rejects(t.directory.apiKeys.create('  '), { code: 'invalid_request' });
      await assert.rejects(t.directory.apiKeys.create('x'.repeat(201)), { code: 'invalid_request' });
    });
  });
}
