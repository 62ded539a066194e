/**
 * Every management change through the API writes its audit entry, on both dialects: org
 * create, rename, IdP profile; SCIM tokens (also one a setup link creates: the link is the
 * actor); setup links; extensions and property mappings; valve settings and the seat cap;
 * webhook endpoints of one org (in its trail) and of every org, API keys and apps (in the
 * deployment's trail, `GET /audit`); an org's deletion (the deployment's trail, since the
 * org's own goes with it). Each names the API key and the request, and no entry holds a
 * secret, a token or a value: only the names of what changed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ApiTestApp, startApiTestApp } from '../../helpers/api.ts';
import { dialects } from '../../helpers/dialects.ts';

// biome-ignore lint/suspicious/noExplicitAny: API JSON bodies are read as loose JSON
type Json = any;

const EXT = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';

for (const dialect of dialects) {
  describe(`audit entries of management changes (${dialect})`, () => {
    let t: ApiTestApp;
    let keyId = '';
    /** Every secret the API handed out: none may be in the trail. */
    const secrets: string[] = [];

    before(async () => {
      t = await startApiTestApp(dialect, {
        PROPERTIES: JSON.stringify([{ key: 'costCenter', type: 'string', description: 'Cost center' }]),
      });
      secrets.push(t.apiKey, t.token);
      keyId = (await t.api('GET', '/api-keys')).json().data[0].id;
    });
    after(async () => {
      await t?.close();
    });

    const ok = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
      const response = await t.api(method, path, body, headers);
      assert.ok(response.statusCode < 300, `${method} ${path}: ${response.statusCode} ${response.body}`);
      return response.statusCode === 204 ? null : (response.json() as Json);
    };
    /** The trail at `path` (an org's, or `/audit`), oldest first, as action resourceType:resourceId [attributes]. */
    const trail = async (path: string) => {
      const entries: Json[] = [];
      const lines = (await t.api('GET', `${path}?format=jsonl`)).body.trimEnd().split('\n');
      for (const line of lines) if (line) entries.push(JSON.parse(line));
      return entries.reverse();
    };

    test('org, tokens, setup links, properties, valves and webhooks of an org: its trail', async () => {
      const org = await ok('POST', '/orgs', { name: 'Audit Co', id: 'audit-co' });
      secrets.push(org.scimToken.token);
      await ok('PATCH', '/orgs/audit-co', { name: 'Audit Company' });
      await ok('PATCH', '/orgs/audit-co/scim', { idpProfile: 'okta' });
      const token = await ok('POST', '/orgs/audit-co/scim/tokens', {
        name: 'rotation',
        expiresInSeconds: 3600,
      });
      secrets.push(token.token);
      await ok('DELETE', `/orgs/audit-co/scim/tokens/${token.id}`);
      const link = await ok('POST', '/orgs/audit-co/setup-links', {});
      const linkSecret = link.url.split('/').pop();
      secrets.push(linkSecret);
      // The setup link itself creates a token: it is the actor.
      const viaLink = await t.api(
        'POST',
        '/orgs/audit-co/scim/tokens',
        { name: 'from link' },
        {
          authorization: `Bearer ${linkSecret}`,
        },
      );
      assert.equal(viaLink.statusCode, 201, viaLink.body);
      secrets.push(viaLink.json().token);
      await ok('DELETE', `/orgs/audit-co/setup-links/${link.id}`);
      await ok('POST', '/orgs/audit-co/extensions', {
        urn: EXT,
        attributes: [{ name: 'costCode', type: 'string' }],
      });
      await ok('PUT', '/orgs/audit-co/properties/costCenter', { path: `${EXT}:costCode` });
      await ok('DELETE', '/orgs/audit-co/properties/costCenter');
      await ok('DELETE', `/orgs/audit-co/extensions/${encodeURIComponent(EXT)}`);
      await ok('PATCH', '/orgs/audit-co/valves', { percent: 50, seatCap: 100 });
      const hook = await ok('POST', '/webhooks', { url: 'http://127.0.0.1:9/hook', orgId: 'audit-co' });
      secrets.push(hook.secret);
      await ok('PATCH', `/webhooks/${hook.id}`, { description: 'ops' });
      await ok('PATCH', `/webhooks/${hook.id}`, { enabled: true });
      const rotated = await ok('POST', `/webhooks/${hook.id}/rotate-secret`, {});
      secrets.push(rotated.secret);
      await ok('DELETE', `/webhooks/${hook.id}`);

      const entries = await trail('/orgs/audit-co/audit');
      assert.deepEqual(
        entries.map((e) => `${e.action} ${e.resourceType}:${e.resourceId} [${e.attributes.join(',')}]`),
        [
          'org.create Org:audit-co [name,idpProfile]',
          `scim_token.create ScimToken:${org.scimToken.id} [name]`,
          'org.update Org:audit-co [name]',
          'org.update Org:audit-co [idpProfile]',
          `scim_token.create ScimToken:${token.id} [name,expiresAt]`,
          `scim_token.revoke ScimToken:${token.id} [revokedAt]`,
          `setup_link.create SetupLink:${link.id} [expiresAt]`,
          `scim_token.create ScimToken:${viaLink.json().id} [name]`,
          `setup_link.revoke SetupLink:${link.id} [revokedAt]`,
          `extension.declare SchemaExtension:${EXT} [costCode]`,
          'property_mapping.set PropertyMapping:costCenter [path]',
          'property_mapping.remove PropertyMapping:costCenter [path]',
          `extension.remove SchemaExtension:${EXT} []`,
          'valve_settings.update ValveSettings:audit-co [percent,seatCap]',
          `webhook_endpoint.create WebhookEndpoint:${hook.id} [url,orgId]`,
          `webhook_endpoint.update WebhookEndpoint:${hook.id} [description]`,
          `webhook_endpoint.enable WebhookEndpoint:${hook.id} [enabled]`,
          `webhook_endpoint.rotate_secret WebhookEndpoint:${hook.id} [secret]`,
          `webhook_endpoint.delete WebhookEndpoint:${hook.id} []`,
        ],
      );
      for (const e of entries) {
        const byLink = e.resourceId === viaLink.json().id;
        assert.deepEqual(
          e.actor,
          byLink ? { kind: 'setup_link', id: link.id } : { kind: 'api_key', id: keyId },
        );
        assert.ok(e.requestId, `${e.action} names its request`);
      }
      const raw = JSON.stringify(
        await t.directory.database.db.selectFrom('audit_events').selectAll().execute(),
      );
      for (const secret of secrets) assert.ok(!raw.includes(secret), 'no secret in the trail');
      assert.ok(!raw.includes('127.0.0.1:9'), 'no value (a URL) in the trail');
    });

    test("API keys, apps, every-org endpoints and an org's deletion: the deployment's trail", async () => {
      const key = await ok('POST', '/api-keys', { name: 'ci' });
      secrets.push(key.key);
      await ok('DELETE', `/api-keys/${key.id}`);
      const app = await ok('POST', '/apps', { name: 'Portal', redirectUris: ['https://app.example.com/cb'] });
      secrets.push(app.secret);
      await ok('PATCH', `/apps/${app.clientId ?? app.id}`, { name: 'Portal 2' });
      const appSecret = await ok('POST', `/apps/${app.clientId ?? app.id}/rotate-secret`, {});
      secrets.push(appSecret.secret);
      await ok('DELETE', `/apps/${app.clientId ?? app.id}`);
      const hook = await ok('POST', '/webhooks', { url: 'http://127.0.0.1:9/all' });
      secrets.push(hook.secret);
      await ok('POST', '/orgs', { name: 'Doomed', id: 'doomed' });
      await ok('DELETE', '/orgs/doomed?confirm=doomed');
      const appId = app.clientId ?? app.id;

      const entries = await trail('/audit');
      assert.deepEqual(
        entries.map((e) => `${e.action} ${e.resourceType}:${e.resourceId}`),
        [
          `api_key.create ApiKey:${keyId}`,
          `api_key.create ApiKey:${key.id}`,
          `api_key.revoke ApiKey:${key.id}`,
          `app.create App:${appId}`,
          `app.update App:${appId}`,
          `app.rotate_secret App:${appId}`,
          `app.delete App:${appId}`,
          `webhook_endpoint.create WebhookEndpoint:${hook.id}`,
          'org.delete Org:doomed',
        ],
      );
      assert.equal(entries[0].actor.kind, 'system', 'the test made its key without an actor');
      for (const e of entries.slice(1)) assert.deepEqual(e.actor, { kind: 'api_key', id: keyId });
      const page = (await t.api('GET', '/audit?action=org.delete&limit=1')).json();
      assert.equal(page.data.length, 1);
      assert.equal(page.data[0].resourceId, 'doomed');
      assert.equal((await t.api('GET', '/audit?resourceType=Robot')).statusCode, 400);
      // The org's own trail went with it; the other orgs never see the deployment's.
      assert.equal((await t.api('GET', '/orgs/doomed/audit')).statusCode, 404);
      const mine = await trail(`/orgs/${t.orgId}/audit`);
      assert.ok(mine.every((e) => !['ApiKey', 'App'].includes(e.resourceType)));
      const raw = JSON.stringify(
        await t.directory.database.db.selectFrom('audit_events').selectAll().execute(),
      );
      for (const secret of secrets) assert.ok(!raw.includes(secret), 'no secret in the trail');
    });
  });
}
