/**
 * Issue 11: API keys and webhook secrets never appear in logs (nor SCIM tokens). The real
 * server process at LOG_LEVEL=trace, its every line kept: keys made, used, refused and revoked;
 * a webhook endpoint made and its secret rotated, delivering to a receiver that refuses; a SCIM
 * token made and used, and a wrong one refused. Then no output line holds any of those secrets.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.ts';
import { Receiver, until } from '../helpers/receiver.ts';
import { stop, useServerProcesses } from '../helpers/server-process.ts';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

for (const dialect of dialects) {
  describe(`secrets never logged (${dialect})`, () => {
    const servers = useServerProcesses(dialect);
    const receiver = new Receiver();
    before(() => receiver.start());
    after(() => receiver.stop());

    test('API keys, webhook secrets and SCIM tokens stay out of the log at trace level', async () => {
      const server = await servers.start({
        DATABASE_URL: await servers.databaseUrl(),
        LOG_LEVEL: 'trace',
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_POLL_MS: '50',
        WEBHOOK_RETRY_BASE_MS: '100',
      });
      const banner = server.output();
      const bootKey = /API key:\s+(sk_\S+)/.exec(banner)?.[1];
      assert.ok(bootKey, banner);
      const api = async (method: string, path: string, key: string, body?: unknown) => {
        const res = await fetch(`${server.origin}/api/v1${path}`, {
          method,
          headers: {
            authorization: `Bearer ${key}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        return { status: res.status, json: () => JSON.parse(text) };
      };

      const made = await api('POST', '/api-keys', bootKey, { name: 'logged?' });
      assert.equal(made.status, 201);
      const key: string = made.json().key;
      assert.match(key, /^sk_/);
      assert.equal((await api('GET', '/orgs?limit=1', key)).status, 200);
      assert.equal((await api('GET', '/orgs?limit=nonsense', key)).status, 400);
      const wrongKey = `sk_${randomBytes(32).toString('base64url')}`;
      assert.equal((await api('GET', '/orgs', wrongKey)).status, 401);

      receiver.respond = () => 500;
      const hook = await api('POST', '/webhooks', key, { url: receiver.url, eventTypes: ['user.created'] });
      assert.equal(hook.status, 201);
      const { id: endpointId, secret } = hook.json() as { id: string; secret: string };
      const rotated = await api('POST', `/webhooks/${endpointId}/rotate-secret`, key, {});
      assert.equal(rotated.status, 200);
      const secret2: string = rotated.json().secret;

      const token = await api('POST', '/orgs/default/scim/tokens', key, { name: 'logged?' });
      assert.equal(token.status, 201);
      const scimToken: string = token.json().token;
      const scim = (bearer: string) =>
        fetch(`${server.origin}/scim/v2/default/Users`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/scim+json' },
          body: JSON.stringify({ schemas: [CORE_USER], userName: 'logged@example.com' }),
        });
      assert.equal((await scim(scimToken)).status, 201);
      const wrongToken = `scim_${randomBytes(32).toString('base64url')}`;
      assert.equal((await scim(wrongToken)).status, 401);
      await until('the receiver refused a signed delivery twice', () => receiver.got.length >= 2);

      const revoked = (await api('GET', '/api-keys', bootKey))
        .json()
        .data.find((k: { name: string }) => k.name === 'logged?');
      assert.equal((await api('DELETE', `/api-keys/${revoked.id}`, bootKey)).status, 204);
      assert.equal((await api('GET', '/orgs', key)).status, 401);

      await stop(server.child);
      const log = server.output().slice(banner.length);
      assert.match(log, /"level":10|"level":20|"level":30/, 'the log was written');
      for (const [name, value] of [
        ['API key', key],
        ['refused API key', wrongKey],
        ['webhook secret', secret],
        ['rotated webhook secret', secret2],
        ['SCIM token', scimToken],
        ['refused SCIM token', wrongToken],
      ] as const) {
        // The secret part, after its prefix: never in any form.
        const body = value.slice(value.indexOf('_') + 1);
        assert.ok(body.length >= 24, name);
        assert.ok(!log.includes(body), `${name} in the log`);
      }
    });
  });
}
