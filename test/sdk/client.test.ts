/**
 * The SDK's client against the real service on a loopback port: a method for every operation
 * of the OpenAPI document, typed answers, problem documents as ScimitarApiError, and events()
 * resuming from a stored cursor.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  operationRoutes,
  ScimitarApiError,
  ScimitarClient,
  type ScimitarEvent,
} from '../../packages/sdk/src/index.ts';
import { type ApiTestApp, startApiTestApp } from '../helpers/api.ts';
import { user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import { feedCaughtUp } from '../helpers/outbox.ts';

test('the client has a method for every operation of the OpenAPI document', async () => {
  const { buildOpenApiDocument } = await import('../../scripts/sdk-generate.ts');
  const doc = (await buildOpenApiDocument()) as {
    paths: Record<string, Record<string, { operationId: string }>>;
  };
  const client = new ScimitarClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'sk_x' });
  const missing: string[] = [];
  let count = 0;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      count++;
      const id = operation.operationId;
      if (typeof (client as unknown as Record<string, unknown>)[id] !== 'function') missing.push(id);
      assert.deepEqual(
        (operationRoutes as Record<string, unknown>)[id],
        { method: method.toUpperCase(), path },
        `${id}: the generated route table is stale (npm run sdk:generate)`,
      );
    }
  }
  assert.ok(count >= 30, `expected the whole API, found ${count} operations`);
  assert.deepEqual(missing, [], 'add these methods to packages/sdk/src/client.ts');
});

for (const dialect of dialects) {
  describe(`SDK client over HTTP (${dialect})`, () => {
    let t: ApiTestApp;
    let client: ScimitarClient;

    before(async () => {
      t = await startApiTestApp(dialect);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.address() as AddressInfo;
      client = new ScimitarClient({ baseUrl: `http://127.0.0.1:${port}/`, apiKey: t.apiKey });
    });
    after(async () => {
      await t?.close();
    });

    test('typed calls across the API', async () => {
      const created = await client.createOrg({ name: 'Globex', idpProfile: 'okta' });
      assert.equal(created.name, 'Globex');
      assert.match(created.scimToken.token, /./);
      const org = await client.getOrg(created.id);
      assert.equal(org.idpProfile, 'okta');
      const renamed = await client.updateOrg(created.id, { name: 'Globex Corp' });
      assert.equal(renamed.name, 'Globex Corp');
      const orgIds: string[] = [];
      for await (const o of client.paginate((cursor) =>
        client.listOrgs({ limit: 1, ...(cursor ? { cursor } : {}) }),
      )) {
        orgIds.push(o.id);
      }
      assert.deepEqual(orgIds, [t.orgId, created.id].sort());

      const made = await t.request('POST', 'Users', user('ada@example.com', { name: { givenName: 'Ada' } }));
      assert.equal(made.statusCode, 201);
      const page = await client.listUsers(t.orgId, { userName: 'ADA@example.com' });
      assert.deepEqual(
        page.data.map((u) => u.userName),
        ['ada@example.com'],
      );
      const ada = await client.getUser(t.orgId, made.json().id);
      assert.deepEqual(ada.groups, []);

      const token = await client.createScimToken(created.id, { name: 'rotation' });
      await client.revokeScimToken(created.id, token.id);
      const tokens = await client.listScimTokens(created.id);
      assert.ok(tokens.data.find((x) => x.id === token.id)?.revokedAt);
      const deleted = await client.deleteOrg(created.id, { confirm: created.id });
      assert.equal(deleted.id, created.id);
    });

    test('problem documents become ScimitarApiError with status, code and detail', async () => {
      await assert.rejects(client.getOrg('no-such-org'), (error: unknown) => {
        assert.ok(error instanceof ScimitarApiError);
        assert.equal(error.status, 404);
        assert.equal(error.code, 'not_found');
        assert.match(error.detail, /no-such-org/);
        assert.ok(error.requestId);
        return true;
      });
      await assert.rejects(client.createUser(t.orgId), {
        name: 'ScimitarApiError',
        status: 409,
        code: 'idp_owned',
      });
      await assert.rejects(client.listEvents({ after: 'bogus' }), { status: 400, code: 'invalid_request' });
      await assert.rejects(client.createOrg({ name: '' }), (error: unknown) => {
        assert.ok(error instanceof ScimitarApiError);
        assert.equal(error.code, 'validation_failed');
        assert.deepEqual(
          error.errors.map((e) => e.path),
          ['body/name'],
        );
        return true;
      });
      const wrongKey = new ScimitarClient({ baseUrl: client['baseUrl' as never], apiKey: 'sk_wrong' });
      await assert.rejects(wrongKey.listOrgs(), { status: 401, code: 'unauthorized' });
    });

    test('events() resumes from the stored cursor: nothing missed, nothing twice', async () => {
      const stored: string[] = [];
      const seen: ScimitarEvent[] = [];
      // On PostgreSQL the feed shows earlier tests' events once every older transaction on the
      // server has ended: wait for them, or the stored cursor would stand before some of them.
      await feedCaughtUp(t.directory.database.db);
      // Catch up on what exists now, in small pages, storing each page's cursor.
      for await (const event of client.events({
        follow: false,
        limit: 2,
        onCursor: (c) => void stored.push(c),
      })) {
        seen.push(event);
      }
      assert.ok(seen.length > 0 && stored.length > 0);
      for (let i = 0; i < 3; i++) await t.request('POST', 'Users', user(`resume-${i}@example.com`));

      // A consumer restarting from its stored cursor, following the feed until it has 3 users.
      const controller = new AbortController();
      const resumed: ScimitarEvent[] = [];
      for await (const event of client.events({
        after: stored.at(-1) ?? null,
        types: ['user.created'],
        wait: 5,
        signal: controller.signal,
        onCursor: (c) => void stored.push(c),
      })) {
        resumed.push(event);
        if (resumed.length === 3) controller.abort();
      }
      assert.deepEqual(
        resumed.map((e) => (e.data as { userName: string }).userName),
        ['resume-0@example.com', 'resume-1@example.com', 'resume-2@example.com'],
      );
      const all = [...seen, ...resumed].map((e) => e.id);
      assert.equal(new Set(all).size, all.length, 'an event came twice');

      // A long poll that an event ends.
      const waiting = (async () => {
        for await (const event of client.events({ after: stored.at(-1) ?? null, wait: 30 })) return event;
      })();
      await t.request('POST', 'Users', user('late@example.com'));
      const late = await waiting;
      assert.ok(late);
      assert.equal(late.type, 'user.created');
      assert.equal(late.version, 2);
      if (late.type !== 'user.created') return;
      // The union types `data` as the API's user form (format version 2); this compiles only so.
      const data: { userName: string; source: 'scim' | 'api' | 'sso'; externalId: string | null } = late.data;
      assert.equal(data.userName, 'late@example.com');
      assert.equal(data.source, 'scim');
      assert.equal(typeof late.data.attributes, 'object');
    });
  });
}
