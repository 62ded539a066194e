/**
 * The SDK reads the audit trail over real HTTP, both dialects: a filtered page, the JSON Lines
 * export as an async iterator, and the deployment's trail.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ScimitarClient } from '../../packages/sdk/src/index.ts';
import { type ApiTestApp, startApiTestApp } from '../helpers/api.ts';
import { dialects } from '../helpers/dialects.ts';

for (const dialect of dialects) {
  describe(`SDK audit trail (${dialect})`, () => {
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

    test('a page, the export and the deployment trail', async () => {
      const org = await client.createOrg({ name: 'Initech', id: 'initech' });
      await client.updateOrg(org.id, { name: 'Initech LLC' });
      const page = await client.listAuditEntries(org.id, { action: 'org.update' });
      assert.deepEqual(
        page.data.map((e) => [e.action, e.actor.kind, e.attributes]),
        [['org.update', 'api_key', ['name']]],
      );
      const all = [];
      for await (const entry of client.exportAuditEntries(org.id, { resourceType: 'Org' }))
        all.push(entry.action);
      assert.deepEqual(all, ['org.update', 'org.create']);
      const key = await client.createApiKey({ name: 'reporting' });
      const deployment = await client.listDeploymentAuditEntries({ resourceId: key.id });
      assert.deepEqual(
        deployment.data.map((e) => e.action),
        ['api_key.create'],
      );
    });
  });
}
