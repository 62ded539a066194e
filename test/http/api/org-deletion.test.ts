/**
 * Deleting an org removes all its data in one transaction, only behind its confirmation, and
 * leaves every other org untouched; no table keeps a row of the deleted org but its
 * `org.deleted` event, which is in the feed and reaches the endpoints of every org.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import type { WebhookDispatcher } from '../../../src/events/dispatcher.ts';
import { startDispatcher } from '../../../src/events/start.ts';
import type { Database } from '../../../src/store/db.ts';
import { type ApiTestApp, startApiTestApp } from '../../helpers/api.ts';
import { user } from '../../helpers/app.ts';
import { dialects } from '../../helpers/dialects.ts';
import { Receiver, signatureHeaders, until } from '../../helpers/receiver.ts';

/** Every table with an org_id column (and orgs itself), on either dialect, the request log's file included. */
async function orgKeyedTables(database: Database): Promise<string[]> {
  if (database.dialect === 'postgres') {
    const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.columns
      where table_schema = current_schema() and column_name = 'org_id'`.execute(database.db);
    return rows.map((r) => r.name);
  }
  const names: string[] = [];
  for (const schema of ['main', 'requests']) {
    const { rows } = await sql<{ name: string }>`select name from ${sql.raw(schema)}.sqlite_master
      where type = 'table' and name not like 'sqlite_%'`.execute(database.db);
    for (const { name } of rows) {
      const columns = await sql<{
        name: string;
      }>`select name from pragma_table_info(${name}, ${schema})`.execute(database.db);
      if (columns.rows.some((c) => c.name === 'org_id')) names.push(name);
    }
  }
  return names;
}

async function rowsOf(database: Database, orgId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await orgKeyedTables(database)) {
    const { rows } = await sql<{
      n: number;
    }>`select count(*) as n from ${sql.table(table)} where org_id = ${orgId}`.execute(database.db);
    counts[table] = Number(rows[0]?.n ?? 0);
  }
  const org = await sql<{ n: number }>`select count(*) as n from orgs where id = ${orgId}`.execute(
    database.db,
  );
  counts.orgs = Number(org.rows[0]?.n ?? 0);
  return counts;
}

for (const dialect of dialects) {
  describe(`org deletion (${dialect})`, () => {
    let t: ApiTestApp;
    let doomedToken: string;
    let doomedCreatedAt: string;
    let receiver: Receiver;
    let dispatcher: WebhookDispatcher;
    /** An endpoint of every org, and one of the doomed org only. */
    let everyOrg: { id: string; secret: string };
    let doomedOnly: { id: string };
    before(async () => {
      t = await startApiTestApp(dialect, { WEBHOOK_POLL_MS: '20' });
      receiver = new Receiver();
      await receiver.start();
      dispatcher = await startDispatcher(t.directory, t.config.events);
      const created = await t.api('POST', '/orgs', { name: 'Doomed', id: 'doomed' });
      assert.equal(created.statusCode, 201);
      doomedToken = created.json().scimToken.token;
      doomedCreatedAt = created.json().createdAt;
      everyOrg = (
        await t.api('POST', '/webhooks', { url: receiver.url, eventTypes: ['org.deleted'] })
      ).json();
      doomedOnly = (await t.api('POST', '/webhooks', { url: receiver.url, orgId: 'doomed' })).json();
      const scim = (method: string, path: string, body?: unknown) =>
        t.request(method, `/scim/v2/doomed/${path}`, body, { authorization: `Bearer ${doomedToken}` });
      const ada = (await scim('POST', 'Users', user('ada@doomed.example'))).json();
      await scim('POST', 'Users', user('bob@doomed.example'));
      const group = await scim('POST', 'Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Engineering',
        members: [{ value: ada.id }],
      });
      assert.equal(group.statusCode, 201);
      await sql`insert into request_log (org_id, at, method, path, status, duration_ms)
        values ('doomed', '2026-01-01T00:00:00.000Z', 'GET', '/x', 200, 1)`.execute(t.directory.database.db);
      await sql`insert into rate_limits (org_id, key, window_start, count, expires_at)
        values ('doomed', 'org', 0, 1, 1)`.execute(t.directory.database.db);
      assert.equal((await t.request('POST', 'Users', user('keep@acme.example'))).statusCode, 201);
      // Logged now, so that a later flush cannot change the other org's rows between two counts.
      await t.app.requestLog.flush();
    });
    after(async () => {
      await dispatcher?.stop();
      await receiver?.stop();
      await t?.close();
    });

    test('without its confirmation, nothing is deleted', async () => {
      for (const query of ['', '?confirm=', '?confirm=acme-corp', '?confirm=DOOMED']) {
        const response = await t.api('DELETE', `/orgs/doomed${query}`);
        assert.equal(response.statusCode, 400, query);
        assert.equal(response.json().code, 'confirmation_required');
      }
      const before = await rowsOf(t.directory.database, 'doomed');
      assert.equal(before.orgs, 1);
      assert.ok(before.resources && before.resources >= 3, JSON.stringify(before));
      assert.ok(before.memberships && before.tokens && before.audit_events && before.request_log);
    });

    test('with it, the org and every row it owns are gone; other orgs are untouched', async () => {
      const others = await rowsOf(t.directory.database, t.orgId);
      const response = await t.api('DELETE', '/orgs/doomed?confirm=doomed');
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), { id: 'doomed', deleted: { users: 2, groups: 1, scimTokens: 1 } });

      const left = await rowsOf(t.directory.database, 'doomed');
      assert.ok(Object.keys(left).length >= 8, JSON.stringify(left));
      // Left: the org.deleted event and, once the dispatcher planned it, its delivery.
      const { events, webhook_deliveries: deliveries, ...rest } = left;
      assert.equal(events, 1);
      assert.ok(deliveries === 0 || deliveries === 1, `webhook_deliveries: ${deliveries}`);
      for (const [table, n] of Object.entries(rest))
        assert.equal(n, 0, `${table} keeps rows of the deleted org`);

      // The one row left: org.deleted, written after the org's other events were removed.
      // A long poll: on PostgreSQL the feed shows a row once every older transaction has ended.
      const feed = (await t.api('GET', '/events?org=doomed&wait=30')).json();
      assert.deepEqual(
        feed.data.map((e: { type: string; orgId: string; data: unknown }) => [e.type, e.orgId, e.data]),
        [
          [
            'org.deleted',
            'doomed',
            { id: 'doomed', name: 'Doomed', createdAt: doomedCreatedAt, idpProfile: 'generic' },
          ],
        ],
      );
      const deletedEvent = feed.data[0];
      await until('org.deleted delivered', () => receiver.got.some((r) => r.event.id === deletedEvent.id));
      const arrived = receiver.got.filter((r) => r.event.id === deletedEvent.id);
      assert.equal(arrived.length, 1, 'once: only the every-org endpoint remains to receive it');
      const planned = await sql<{ type: string; endpoint_id: string }>`select e.type, d.endpoint_id
        from webhook_deliveries d join events e on e.seq = d.event_seq
        where d.org_id = 'doomed'`.execute(t.directory.database.db);
      assert.deepEqual(planned.rows, [{ type: 'org.deleted', endpoint_id: everyOrg.id }]);
      const verified = new Webhook(everyOrg.secret).verify(
        (arrived[0] as (typeof arrived)[number]).body,
        signatureHeaders(arrived[0] as (typeof arrived)[number]),
      );
      assert.equal((verified as { type: string }).type, 'org.deleted');
      assert.equal(
        (await t.api('GET', `/webhooks/${doomedOnly.id}`)).statusCode,
        404,
        "the org's own endpoint went with it",
      );
      await dispatcher.drain();
      assert.deepEqual(await rowsOf(t.directory.database, t.orgId), others);

      const scim = await t.request('GET', '/scim/v2/doomed/Users', undefined, {
        authorization: `Bearer ${doomedToken}`,
      });
      assert.equal(scim.statusCode, 401);
      assert.equal((await t.request('GET', 'Users')).json().totalResults, 1);
      assert.equal((await t.api('GET', '/orgs/doomed')).statusCode, 404);
      assert.equal((await t.api('DELETE', '/orgs/doomed?confirm=doomed')).statusCode, 404);
      assert.equal(
        (await t.api('POST', '/orgs', { name: 'Reborn', id: 'doomed' })).statusCode,
        201,
        'the id is free',
      );
    });
  });
}
