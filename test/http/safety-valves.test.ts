/**
 * Safety valves over SCIM (docs/safety-valves.md): a mass deprovisioning is held beyond the
 * org's share, answered as if applied, then released in order (events and audit), discarded,
 * or let through with the valve off; the seat cap refuses creates and reactivations beyond
 * it, per Bulk operation too; on PostgreSQL two instances deactivating at once never exceed
 * the threshold.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { systemActor } from '../../src/directory/deps.ts';
import { buildApp } from '../../src/http/app.ts';
import { type ApiTestApp, problemOf, startApiTestApp } from '../helpers/api.ts';
import { PATCH_OP, type TestApp, user } from '../helpers/app.ts';
import { cliIn } from '../helpers/cli.ts';
import { dialects } from '../helpers/dialects.ts';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
/** Operations per Bulk request; the requests of one batch are sent at once. */
const CHUNK = 100;
const DEACTIVATE = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] };

type BulkResult = { status: string; location?: string; response?: { detail?: string; status?: string } };

for (const dialect of dialects) {
  describe(`safety valves (${dialect})`, () => {
    let t: ApiTestApp;
    before(async () => {
      t = await startApiTestApp(dialect);
    });
    after(async () => {
      await t.close();
    });

    /** A new org and a request function bound to its token. */
    async function newOrg(name: string) {
      const { org, token } = await t.directory.orgs.create(name);
      return { orgId: org.id, request: t.as({ orgId: org.id, token: token.token }) };
    }

    /** The Bulk requests of `ops`, `CHUNK` operations each, sent at once; their results in order. */
    async function bulk(request: TestApp['request'], ops: unknown[]): Promise<BulkResult[]> {
      const chunks: unknown[][] = [];
      for (let from = 0; from < ops.length; from += CHUNK) chunks.push(ops.slice(from, from + CHUNK));
      const responses = await Promise.all(
        chunks.map((Operations) => request('POST', 'Bulk', { schemas: [BULK], Operations })),
      );
      return responses.flatMap((res) => {
        assert.equal(res.statusCode, 200, res.body);
        return res.json().Operations as BulkResult[];
      });
    }

    /** Creates `n` active users through Bulk; answers their ids in order. */
    async function bulkCreate(request: TestApp['request'], prefix: string, n: number): Promise<string[]> {
      const ops = Array.from({ length: n }, (_, i) => ({
        method: 'POST',
        path: '/Users',
        bulkId: `u${i}`,
        data: user(`${prefix}${i}@example.com`, { active: true }),
      }));
      return (await bulk(request, ops)).map((op) => {
        assert.equal(op.status, '201', JSON.stringify(op));
        return String(op.location).split('/').pop() as string;
      });
    }

    function bulkDeactivate(request: TestApp['request'], ids: string[]) {
      return bulk(
        request,
        ids.map((id) => ({ method: 'PATCH', path: `/Users/${id}`, data: DEACTIVATE })),
      );
    }

    async function events(orgId: string, types: string[]) {
      return t.directory.database.db
        .selectFrom('events')
        .select(['type', 'resource_id', 'data'])
        .where('org_id', '=', orgId)
        .where('type', 'in', types)
        .orderBy('seq')
        .execute();
    }

    async function activeCount(orgId: string) {
      return (await t.directory.valves.settings(orgId)).activeUsers;
    }

    test('40 % of a 1,000-user org: 30 % applies, the rest is held, answered as applied; release; replay', async () => {
      const { orgId, request } = await newOrg('Mass Deactivation');
      const ids = await bulkCreate(request, 'm', 1000);
      const doomed = ids.slice(0, 400);

      // Four Bulk requests of 100 at once: the valve counts them one at a time all the same.
      const results = await bulkDeactivate(request, doomed);
      assert.equal(results.length, 400);
      for (const op of results) assert.equal(op.status, '200', JSON.stringify(op));

      // 300 applied (30 % of 1,000), 100 held; the held users keep their access.
      assert.equal(await activeCount(orgId), 700);
      const held = await t.directory.valves.held(orgId, { limit: 1000 });
      assert.equal(held.items.length, 100);
      const heldIds = held.items.map((h) => h.userId);
      assert.ok(heldIds.every((id) => doomed.includes(id)));
      assert.ok(held.items.every((h) => h.kind === 'deactivate'));
      assert.equal((await events(orgId, ['user.deactivated'])).length, 300);
      const heldEvents = await events(orgId, ['org.deprovisioning_held']);
      assert.equal(heldEvents.length, 1, 'one event per episode');
      assert.deepEqual(
        { ...JSON.parse(String(heldEvents[0]?.data)), windowStart: undefined },
        {
          orgId,
          windowStart: undefined,
          windowSeconds: 3600,
          activeUsers: 1000,
          deprovisioned: 300,
          threshold: 300,
          held: 1,
        },
      );

      // A single PATCH of a held user answers exactly as an applied deactivation would; a GET
      // shows the stored truth (still active); a second deactivation holds nothing new.
      const heldId = heldIds[50] as string;
      const again = await request('PATCH', `Users/${heldId}`, DEACTIVATE);
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json().active, false);
      assert.equal(again.headers['content-type'], 'application/scim+json; charset=utf-8');
      const got = await request('GET', `Users/${heldId}`);
      assert.equal(got.json().active, true);
      // Okta's deactivation (a no-path replace) too.
      const okta = await request('PATCH', `Users/${heldId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', value: { active: false } }],
      });
      assert.equal(okta.statusCode, 200, okta.body);
      assert.equal(okta.json().active, false);
      assert.equal((await t.directory.valves.held(orgId, { limit: 1000 })).items.length, 100);
      assert.equal((await events(orgId, ['org.deprovisioning_held'])).length, 1);

      // Release: applied in the order held, each with its event and an audit row `release`.
      const released = await t.directory.valves.release(systemActor(orgId, 'test', 'rel-1'));
      assert.equal(released.done.length, 100);
      assert.equal(released.gone.length, 0);
      assert.equal(await activeCount(orgId), 600);
      const deactivated = await events(orgId, ['user.deactivated']);
      assert.deepEqual(
        deactivated.slice(300).map((e) => e.resource_id),
        heldIds,
      );
      const audit = await t.directory.database.db
        .selectFrom('audit_events')
        .select(['resource_id', 'token_id', 'request_id', 'actor_kind'])
        .where('org_id', '=', orgId)
        .where('action', '=', 'release')
        .orderBy('id')
        .execute();
      assert.deepEqual(
        audit.map((a) => a.resource_id),
        heldIds,
      );
      // Each names the admin who released it (here code acting as `system` task `test`) and its request.
      assert.ok(
        audit.every((a) => a.actor_kind === 'system' && a.token_id === 'test' && a.request_id === 'rel-1'),
        JSON.stringify(audit[0]),
      );
      assert.equal((await t.directory.valves.held(orgId, { limit: 10 })).items.length, 0);

      // Replay: the IdP sends the same again. Nothing applies twice, nothing is held.
      const replay = await bulkDeactivate(request, doomed);
      for (const op of replay) assert.equal(op.status, '200');
      assert.equal((await events(orgId, ['user.deactivated'])).length, 400);
      assert.equal((await t.directory.valves.held(orgId, { limit: 10 })).items.length, 0);
      assert.equal(await activeCount(orgId), 600);
    });

    test('held deletes answer 204; discard keeps the users; with the valve off they apply', async () => {
      const { orgId, request } = await newOrg('Discard Org');
      const ids = await bulkCreate(request, 'd', 20);
      // 20 active users: max(10, 30 % of 20) = 10 go through.
      for (const id of ids.slice(0, 12)) {
        const res = await request('DELETE', `Users/${id}`);
        assert.equal(res.statusCode, 204, res.body);
      }
      assert.equal(await activeCount(orgId), 10);
      const held = await t.directory.valves.held(orgId, { limit: 100 });
      assert.deepEqual(
        held.items.map((h) => [h.userId, h.kind]),
        ids.slice(10, 12).map((id) => [id, 'delete']),
      );
      assert.equal((await events(orgId, ['user.deleted'])).length, 10);

      const discarded = await t.directory.valves.discard(systemActor(orgId, 'test', 'dis-1'));
      assert.equal(discarded.done.length, 2);
      for (const id of ids.slice(10, 12)) {
        const got = await request('GET', `Users/${id}`);
        assert.equal(got.statusCode, 200);
        assert.equal(got.json().active, true);
      }
      assert.equal((await t.directory.valves.held(orgId, { limit: 10 })).items.length, 0);

      // The valve off for this org: the same deletes apply at once.
      const settings = await t.directory.valves.update(orgId, { enabled: false });
      assert.equal(settings.deprovisioning.enabled, false);
      for (const id of ids.slice(10, 14)) {
        assert.equal((await request('DELETE', `Users/${id}`)).statusCode, 204);
        assert.equal((await request('GET', `Users/${id}`)).statusCode, 404);
      }
      assert.equal((await t.directory.valves.held(orgId, { limit: 10 })).items.length, 0);
    });

    test('a reactivation by the IdP supersedes a held deactivation', async () => {
      const { orgId, request } = await newOrg('Supersede Org');
      await t.directory.valves.update(orgId, { minUsers: 0, percent: 10 });
      const ids = await bulkCreate(request, 's', 10);
      // 10 % of 10: one applies, the second is held.
      await bulkDeactivate(request, ids.slice(0, 2));
      assert.equal((await t.directory.valves.held(orgId, { limit: 10 })).items.length, 1);
      const res = await request('PATCH', `Users/${ids[1]}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'active', value: true }],
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().active, true);
      assert.equal((await t.directory.valves.held(orgId, { limit: 10 })).items.length, 0);
    });

    // A PUT is written without a lock when the valves have no say (directory/resources.ts
    // replaceDocument); its `active: true` still supersedes a held deactivation.
    test('a PUT saying active: true supersedes a held deactivation; a PATCH of another attribute does not', async () => {
      const { orgId, request } = await newOrg('Supersede PUT Org');
      await t.directory.valves.update(orgId, { minUsers: 0, percent: 10 });
      const ids = await bulkCreate(request, 'sp', 10);
      await bulkDeactivate(request, ids.slice(0, 2));
      assert.equal((await t.directory.valves.held(orgId, { limit: 10 })).items.length, 1);
      // Other updates leave the held change as it is (docs/safety-valves.md).
      const other = await request('PATCH', `Users/${ids[1]}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'title', value: 'Still held' }],
      });
      assert.equal(other.statusCode, 200, other.body);
      assert.equal((await t.directory.valves.held(orgId, { limit: 10 })).items.length, 1);
      // The same with If-Match, which takes the locked path (directory/resources.ts commit()).
      const guarded = await request(
        'PATCH',
        `Users/${ids[1]}`,
        { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Held still' }] },
        { 'if-match': String(other.headers.etag) },
      );
      assert.equal(guarded.statusCode, 200, guarded.body);
      assert.equal((await t.directory.valves.held(orgId, { limit: 10 })).items.length, 1);
      const { id: _id, meta: _meta, ...body } = (await request('GET', `Users/${ids[1]}`)).json();
      const res = await request('PUT', `Users/${ids[1]}`, { ...body, title: 'Back', active: true });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().active, true);
      assert.equal(res.json().title, 'Back');
      assert.equal((await t.directory.valves.held(orgId, { limit: 10 })).items.length, 0);
    });

    test('seat cap: creates and reactivations (PATCH, PUT, Bulk) beyond it get 403 naming org, count and limit', async () => {
      const { orgId, request } = await newOrg('Capped Org');
      await t.directory.valves.update(orgId, { seatCap: 2, contact: 'it-help@capped.example' });
      const a = await request('POST', 'Users', user('a@capped.example'));
      const b = await request('POST', 'Users', user('b@capped.example'));
      assert.equal(a.statusCode, 201, a.body);
      assert.equal(b.statusCode, 201, b.body);
      const refused = await request('POST', 'Users', user('c@capped.example'));
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.headers['content-type'], 'application/scim+json; charset=utf-8');
      const detail = String(refused.json().detail);
      assert.match(detail, new RegExp(`'${orgId}'`));
      assert.match(detail, /2 active users, limit 2/);
      assert.match(detail, /it-help@capped\.example/);

      // An inactive user takes no seat; reactivating it is refused while the org is full.
      const idle = await request('POST', 'Users', user('idle@capped.example', { active: false }));
      assert.equal(idle.statusCode, 201, idle.body);
      const idleId = idle.json().id as string;
      const patch = await request('PATCH', `Users/${idleId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'active', value: true }],
      });
      assert.equal(patch.statusCode, 403, patch.body);
      const put = await request('PUT', `Users/${idleId}`, user('idle@capped.example', { active: true }));
      assert.equal(put.statusCode, 403, put.body);
      assert.match(String(put.json().detail), /limit 2/);

      const bulk = await request('POST', 'Bulk', {
        schemas: [BULK],
        Operations: [
          { method: 'POST', path: '/Users', bulkId: 'x', data: user('x@capped.example') },
          { method: 'POST', path: '/Users', bulkId: 'y', data: user('y@capped.example') },
        ],
      });
      assert.equal(bulk.statusCode, 200, bulk.body);
      for (const op of bulk.json().Operations as BulkResult[]) {
        assert.equal(op.status, '403', JSON.stringify(op));
        assert.match(String(op.response?.detail), /2 active users, limit 2/);
      }

      // A seat freed: the reactivation goes through, and the org is full again.
      await request('PATCH', `Users/${a.json().id}`, DEACTIVATE);
      const back = await request('PUT', `Users/${idleId}`, user('idle@capped.example', { active: true }));
      assert.equal(back.statusCode, 200, back.body);
      assert.equal(back.json().active, true);
      assert.equal(await activeCount(orgId), 2);
      // Without a contact of its own, the deployment's is named (none here: the app's administrator).
      await t.directory.valves.update(orgId, { contact: null });
      const none = await request('POST', 'Users', user('d@capped.example'));
      assert.match(String(none.json().detail), /the administrator of this app/);
    });

    if (dialect === 'postgres') {
      test('two instances deactivating at once never exceed the threshold', async () => {
        const { orgId, request } = await newOrg('Race Org');
        const ids = await bulkCreate(request, 'r', 100);
        const twin: FastifyInstance = await buildApp(loadConfig(t.env), { logger: false });
        try {
          const token = (await t.directory.orgs.createToken(orgId, 'twin')).token;
          const there = t.as({ orgId, token }, twin);
          // 60 single deactivations, half through each instance, all at once: 30 % of 100 apply.
          const results = await Promise.all(
            ids
              .slice(0, 60)
              .map((id, i) => (i % 2 === 0 ? request : there)('PATCH', `Users/${id}`, DEACTIVATE)),
          );
          for (const res of results) {
            assert.equal(res.statusCode, 200, res.body);
            assert.equal(res.json().active, false);
          }
          assert.equal(await activeCount(orgId), 70);
          assert.equal((await t.directory.valves.held(orgId, { limit: 100 })).items.length, 30);
          assert.equal((await events(orgId, ['org.deprovisioning_held'])).length, 1);
        } finally {
          await twin.close();
        }
      });

      // A DELETE's window is saved by its one statement (store/resource-writes.ts
      // deleteResourceWith), still under the valve row lock its transaction took.
      test('two instances deleting at once never exceed the threshold', async () => {
        const { orgId, request } = await newOrg('Delete Race Org');
        const ids = await bulkCreate(request, 'x', 100);
        const twin: FastifyInstance = await buildApp(loadConfig(t.env), { logger: false });
        try {
          const token = (await t.directory.orgs.createToken(orgId, 'twin')).token;
          const there = t.as({ orgId, token }, twin);
          const results = await Promise.all(
            ids.slice(0, 60).map((id, i) => (i % 2 === 0 ? request : there)('DELETE', `Users/${id}`)),
          );
          for (const res of results) assert.equal(res.statusCode, 204, res.body);
          assert.equal(await activeCount(orgId), 70);
          assert.equal((await events(orgId, ['user.deleted'])).length, 30);
          assert.equal((await t.directory.valves.held(orgId, { limit: 100 })).items.length, 30);
          assert.equal((await events(orgId, ['org.deprovisioning_held'])).length, 1);
        } finally {
          await twin.close();
        }
      });
    }

    test('management API and CLI: settings, list, release, discard', async () => {
      const { orgId, request } = await newOrg('Api Org');
      const set = await t.api('PATCH', `/orgs/${orgId}/valves`, { minUsers: 0, percent: 50, contact: 'ops' });
      assert.equal(set.statusCode, 200, set.body);
      assert.deepEqual(set.json().deprovisioning, {
        enabled: true,
        percent: 50,
        minUsers: 0,
        windowSeconds: 3600,
      });
      assert.equal(set.json().overrides.windowSeconds, null);
      const bad = await t.api('PATCH', `/orgs/${orgId}/valves`, { percent: 0 });
      assert.equal(bad.statusCode, 400);
      assert.equal(problemOf(bad).code, 'validation_failed');
      const unknown = await t.api('GET', '/orgs/no-such-org/held-changes');
      assert.equal(problemOf(unknown).code, 'not_found');

      const ids = await bulkCreate(request, 'api', 4);
      // 50 % of 4: two deletes apply, the third and fourth are held.
      for (const id of ids) assert.equal((await request('DELETE', `Users/${id}`)).statusCode, 204);
      const listed = await t.api('GET', `/orgs/${orgId}/held-changes?limit=1`);
      assert.equal(listed.statusCode, 200, listed.body);
      assert.equal(listed.json().data.length, 1);
      assert.equal(listed.json().data[0].userId, ids[2]);
      assert.equal(listed.json().data[0].operation.method, 'DELETE');
      assert.ok(listed.json().nextCursor);
      const shown = await t.api('GET', `/orgs/${orgId}/valves`);
      assert.equal(shown.json().held, 2);
      assert.equal(shown.json().window.threshold, 2);

      const url = t.env.DATABASE_URL as string;
      const list = await cliIn(url, ['held', 'list', orgId]);
      assert.equal(list.code, 0, list.err);
      assert.match(list.out, new RegExp(String(ids[2])));
      const show = await cliIn(url, ['valves', 'show', orgId]);
      assert.match(show.out, /Held changes: 2/);

      const released = await t.api('POST', `/orgs/${orgId}/held-changes/release`, {
        ids: [listed.json().data[0].id],
      });
      assert.equal(released.statusCode, 200, released.body);
      assert.equal(released.json().released.length, 1);
      assert.equal((await request('GET', `Users/${ids[2]}`)).statusCode, 404);
      // The trail names who released it: the API key, and its request.
      const keyId = (await t.api('GET', '/api-keys')).json().data[0].id;
      const trail = await t.api('GET', `/orgs/${orgId}/audit?action=release&resourceId=${ids[2]}`);
      assert.equal(trail.statusCode, 200, trail.body);
      const [entry, ...more] = trail.json().data;
      assert.equal(more.length, 0);
      assert.deepEqual(entry.actor, { kind: 'api_key', id: keyId });
      assert.ok(entry.requestId);
      const missing = await t.api('POST', `/orgs/${orgId}/held-changes/discard`, { ids: [999999] });
      assert.equal(problemOf(missing).code, 'not_found');

      const discard = await cliIn(url, ['held', 'discard', orgId, '--json']);
      const discarded = await t.api('GET', `/orgs/${orgId}/audit?action=discard&resourceId=${ids[3]}`);
      assert.equal(discarded.json().data[0]?.actor.kind, 'cli', discarded.body);
      assert.equal(discard.code, 0, discard.err);
      assert.equal(JSON.parse(discard.out).discarded.length, 1);
      assert.equal((await request('GET', `Users/${ids[3]}`)).statusCode, 200);
      const off = await cliIn(url, ['valves', 'set', orgId, '--deprovisioning', 'off', '--seat-cap', '5']);
      assert.equal(off.code, 0, off.err);
      assert.match(off.out, /Mass deprovisioning: off/);
      assert.match(off.out, /Seat cap: 5/);
      // null puts a setting back: no seat cap (never a cap of 0), the default window.
      const reset = await t.api('PATCH', `/orgs/${orgId}/valves`, { seatCap: null, percent: null });
      assert.equal(reset.json().seatCap, null);
      assert.equal(reset.json().deprovisioning.percent, 30);
    });

    test('an unknown user or org: clear errors, nothing held', async () => {
      const res = await t.request('PATCH', `Users/${crypto.randomUUID()}`, DEACTIVATE);
      assert.equal(res.statusCode, 404);
      await assert.rejects(t.directory.valves.settings('no-such-org'), /No organization/);
      await assert.rejects(t.directory.valves.update(t.orgId, { percent: 0 }), /percent must be/);
    });
  });
}
