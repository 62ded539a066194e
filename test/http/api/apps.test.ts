/**
 * The host app's OIDC clients through the management API and the CLI, on both dialects: the
 * secret shown once and stored as its SHA-256, exact redirect URIs (no wildcard, fragment,
 * credentials or plain http off loopback), updates, rotation, deletion.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { type ApiTestApp, problemOf, startApiTestApp } from '../../helpers/api.ts';
import { cliIn, cliJsonIn } from '../../helpers/cli.ts';
import { dialects } from '../../helpers/dialects.ts';

for (const dialect of dialects) {
  describe(`apps (${dialect})`, () => {
    let t: ApiTestApp;
    before(async () => {
      t = await startApiTestApp(dialect);
    });
    after(async () => t?.close());

    test('create shows the secret once; it is stored as its SHA-256 and never listed', async () => {
      const created = await t.api('POST', '/apps', {
        name: 'Web',
        redirectUris: ['https://app.example.com/callback', 'http://localhost:5173/cb'],
        backchannelLogoutUri: 'https://app.example.com/logout',
      });
      assert.equal(created.statusCode, 201);
      const app = created.json();
      assert.match(app.id, /^app_[A-Za-z0-9_-]{16}$/);
      assert.match(app.secret, /^appsec_[A-Za-z0-9_-]{43}$/);
      assert.ok(app.secret.startsWith(app.secretPrefix));
      assert.equal(created.headers.location, `/api/v1/apps/${app.id}`);
      assert.deepEqual(app.postLogoutRedirectUris, []);
      const { rows } = await sql<
        Record<string, unknown>
      >`select * from oidc_apps where id = ${app.id}`.execute(t.directory.database.db);
      assert.ok(!JSON.stringify(rows).includes(app.secret), 'the secret itself is not stored');
      assert.equal(rows[0]?.secret_hash, createHash('sha256').update(app.secret).digest('hex'));
      for (const path of ['/apps', `/apps/${app.id}`]) {
        const body = (await t.api('GET', path)).body;
        assert.ok(body.includes(app.id));
        assert.ok(!body.includes(app.secret) && !body.includes(String(rows[0]?.secret_hash)));
        assert.ok(!body.includes('"secret"'));
      }
    });

    test('redirect URIs are exact: wildcards, fragments, credentials and plain http off loopback are refused', async () => {
      for (const uri of [
        'https://*.example.com/cb',
        'https://app.example.com/cb*',
        'https://app.example.com/cb#x',
        'https://user:pw@app.example.com/cb',
        'http://app.example.com/cb',
        'javascript:alert(1)',
        '/relative/cb',
        `https://app.example.com/${'a'.repeat(2000)}`,
      ]) {
        const response = await t.api('POST', '/apps', { redirectUris: [uri] });
        assert.equal(response.statusCode, 400, uri);
        assert.ok(['invalid_request', 'validation_failed'].includes(problemOf(response).code), uri);
      }
      assert.equal((await t.api('POST', '/apps', { redirectUris: [] })).statusCode, 400);
      const tooMany = Array.from({ length: 21 }, (_, i) => `https://app.example.com/${i}`);
      assert.equal((await t.api('POST', '/apps', { redirectUris: tooMany })).statusCode, 400);
      const badLogout = await t.api('POST', '/apps', {
        redirectUris: ['https://app.example.com/cb'],
        backchannelLogoutUri: 'http://app.example.com/logout',
      });
      assert.equal(badLogout.statusCode, 400);
    });

    test('update replaces what is given; rotation replaces the secret; delete removes the app', async () => {
      const app = (await t.api('POST', '/apps', { redirectUris: ['https://a.example.com/cb'] })).json();
      const updated = await t.api('PATCH', `/apps/${app.id}`, {
        redirectUris: ['https://b.example.com/cb'],
        backchannelLogoutUri: 'https://b.example.com/logout',
      });
      assert.equal(updated.statusCode, 200);
      assert.deepEqual(updated.json().redirectUris, ['https://b.example.com/cb']);
      assert.equal(updated.json().backchannelLogoutUri, 'https://b.example.com/logout');
      assert.equal(updated.json().name, app.name);
      const cleared = await t.api('PATCH', `/apps/${app.id}`, { backchannelLogoutUri: null });
      assert.equal(cleared.json().backchannelLogoutUri, null);
      assert.equal((await t.api('PATCH', `/apps/${app.id}`, {})).statusCode, 400);

      const client = await t.directory.apps.client(app.id);
      assert.ok(client && t.directory.apps.secretMatches(client.secretHash, app.secret));
      const rotated = await t.api('POST', `/apps/${app.id}/rotate-secret`);
      assert.equal(rotated.statusCode, 200);
      assert.notEqual(rotated.json().secret, app.secret);
      const after = await t.directory.apps.client(app.id);
      assert.ok(after && !t.directory.apps.secretMatches(after.secretHash, app.secret));
      assert.ok(t.directory.apps.secretMatches(after.secretHash, rotated.json().secret));

      assert.equal((await t.api('DELETE', `/apps/${app.id}`)).statusCode, 204);
      assert.equal(problemOf(await t.api('GET', `/apps/${app.id}`)).code, 'not_found');
      assert.equal(problemOf(await t.api('DELETE', `/apps/${app.id}`)).code, 'not_found');
      assert.equal(problemOf(await t.api('POST', `/apps/${app.id}/rotate-secret`)).code, 'not_found');
    });

    test('the CLI creates (secret once), lists, updates, rotates and deletes apps', async () => {
      const created = await cliJsonIn(t.env.DATABASE_URL as string, [
        'apps',
        'create',
        '--name',
        'cli',
        '--redirect-uri',
        'https://c.example.com/cb',
      ]);
      assert.match(created.secret, /^appsec_/);
      const listed = await cliIn(t.env.DATABASE_URL as string, ['apps', 'list']);
      assert.equal(listed.code, 0);
      assert.ok(listed.out.includes(created.id) && !listed.out.includes(created.secret));
      const updated = await cliJsonIn(t.env.DATABASE_URL as string, [
        'apps',
        'update',
        created.id,
        '--redirect-uri',
        'https://c.example.com/one',
        '--redirect-uri',
        'https://c.example.com/two',
      ]);
      assert.deepEqual(updated.redirectUris, ['https://c.example.com/one', 'https://c.example.com/two']);
      const rotated = await cliJsonIn(t.env.DATABASE_URL as string, ['apps', 'rotate-secret', created.id]);
      assert.notEqual(rotated.secret, created.secret);
      const bad = await cliIn(t.env.DATABASE_URL as string, [
        'apps',
        'create',
        '--redirect-uri',
        'https://*.example.com/cb',
      ]);
      assert.notEqual(bad.code, 0);
      assert.equal((await cliIn(t.env.DATABASE_URL as string, ['apps', 'delete', created.id])).code, 0);
      assert.notEqual((await cliIn(t.env.DATABASE_URL as string, ['apps', 'delete', created.id])).code, 0);
    });
  });
}
