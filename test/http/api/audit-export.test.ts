/**
 * The audit trail as JSON Lines from the list route (`?format=jsonl`, `Accept:
 * application/x-ndjson`), and AUDIT_RETENTION_DAYS: the server's prune job deletes what is past
 * it and keeps the rest. Both dialects.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import { buildApp } from '../../../src/http/app.ts';
import { insertAudit } from '../../../src/store/audit.ts';
import { type ApiTestApp, startApiTestApp } from '../../helpers/api.ts';
import { dialects } from '../../helpers/dialects.ts';

const DAY = 86_400_000;

for (const dialect of dialects) {
  describe(`API audit trail as JSON Lines, and its retention (${dialect})`, () => {
    let t: ApiTestApp;
    const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

    before(async () => {
      t = await startApiTestApp(dialect);
      for (const [days, id] of [
        [5, 'recent'],
        [400, 'ancient'],
        [45, 'old'],
      ] as const) {
        await insertAudit(t.directory.database.db, {
          orgId: t.orgId,
          at: ago(days),
          requestId: null,
          actorKind: 'api_key',
          tokenId: 'key-1',
          action: 'patch',
          resourceType: 'User',
          resourceId: id,
          attributes: ['title'],
        });
      }
    });
    after(async () => {
      await t?.close();
    });

    test('the prune job of an instance started with AUDIT_RETENTION_DAYS deletes what is past it', async () => {
      // A second instance over the same database, with retention: its job prunes at start.
      const config = loadConfig({ ...t.env, AUDIT_RETENTION_DAYS: '30' });
      const other = await buildApp(config, { directory: t.directory, logger: false });
      try {
        const left = async () =>
          (await t.api('GET', `/orgs/${t.orgId}/audit?resourceType=User`))
            .json()
            .data.map((e: { resourceId: string }) => e.resourceId);
        // Waits for the job (a generous bound, so that a job that never runs fails rather than hangs).
        for (let i = 0; i < 600 && (await left()).length > 1; i++)
          await new Promise((r) => setTimeout(r, 50));
        assert.deepEqual(await left(), ['recent']);
      } finally {
        await other.close();
      }
    });

    test('?format=jsonl and Accept: application/x-ndjson stream every matching entry', async () => {
      for (const i of [1, 2, 3]) {
        const created = await t.api('POST', `/orgs/${t.orgId}/members`, { email: `m${i}@example.com` });
        assert.equal(created.statusCode, 201, created.body);
      }
      const asked = [
        await t.api('GET', `/orgs/${t.orgId}/audit?format=jsonl&limit=1&action=create`),
        await t.api('GET', `/orgs/${t.orgId}/audit?action=create`, undefined, {
          accept: 'application/x-ndjson',
        }),
      ];
      for (const response of asked) {
        assert.equal(response.statusCode, 200, response.body);
        assert.match(String(response.headers['content-type']), /^application\/x-ndjson/);
        const lines = response.body
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l));
        assert.equal(lines.length, 3);
        assert.ok(lines.every((e) => e.action === 'create' && e.actor.kind === 'api_key'));
      }
      const json = await t.api('GET', `/orgs/${t.orgId}/audit?action=create&format=json`, undefined, {
        accept: 'application/x-ndjson',
      });
      assert.equal(json.json().data.length, 3);
      assert.match(String(json.headers['content-type']), /^application\/json/);
      const plain = await t.api('GET', `/orgs/${t.orgId}/audit?limit=2`);
      assert.equal(plain.json().data.length, 2);
      assert.equal((await t.api('GET', `/orgs/${t.orgId}/audit?format=xml`)).statusCode, 400);
      const bad = await t.api('GET', `/orgs/${t.orgId}/audit?format=jsonl&since=soon`);
      assert.equal(bad.statusCode, 400);
    });
  });
}
