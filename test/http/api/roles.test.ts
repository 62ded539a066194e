/**
 * The management API's roles (docs/api.md "Roles") and the access check, on each database:
 * rules, default role and mode over HTTP; users' `roles`; bad input answered with problems;
 * the access check saying no once a SCIM deactivation or DELETE has answered; the SDK's
 * `canAccess` over a loopback socket, with its cache of at most `accessCacheMs`.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ScimitarClient } from '../../../packages/sdk/src/index.ts';
import { type ApiTestApp, problemOf, startApiTestApp } from '../../helpers/api.ts';
import { PATCH_OP, user } from '../../helpers/app.ts';
import { dialects } from '../../helpers/dialects.ts';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

for (const dialect of dialects) {
  describe(`roles API and access check (${dialect})`, () => {
    let t: ApiTestApp;
    let base: string;
    let ada: string;
    let bob: string;
    let eng: string;

    const scim = async (method: string, path: string, body?: unknown) => {
      const res = await t.request(method, path, body);
      assert.ok(res.statusCode < 300, `${method} ${path}: ${res.statusCode} ${res.body}`);
      return res.body ? res.json() : undefined;
    };
    const access = async (id: string) => {
      const res = await t.api('GET', `/orgs/${t.orgId}/users/${id}/access`);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      return res.json() as { allowed: boolean; roles: string[]; reason: string };
    };

    before(async () => {
      t = await startApiTestApp(dialect);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      ada = (await scim('POST', 'Users', user('ada@example.com'))).id;
      bob = (await scim('POST', 'Users', user('bob@example.com'))).id;
      eng = (
        await scim('POST', 'Groups', {
          schemas: [GROUP],
          displayName: 'Engineering',
          members: [{ value: ada }],
        })
      ).id;
    });
    after(async () => {
      await t?.close();
    });

    test('the deployment roles, highest priority first', async () => {
      const res = await t.api('GET', '/roles');
      assert.equal(res.statusCode, 200);
      assert.deepEqual(
        res.json().data.map((r: { key: string }) => r.key),
        ['owner', 'admin', 'member', 'viewer'],
      );
    });

    test('rules and settings over the API move users, shown on users', async () => {
      const created = await t.api('POST', `/orgs/${t.orgId}/roles/rules`, {
        match: 'id',
        value: eng,
        role: 'admin',
      });
      assert.equal(created.statusCode, 201, created.body);
      const rule = created.json();
      assert.equal(rule.usersChanged, 1);
      assert.equal(rule.groupExists, true);
      const list = await t.api('GET', `/orgs/${t.orgId}/roles/rules`);
      assert.deepEqual(
        list.json().data.map((r: { id: string }) => r.id),
        [rule.id],
      );
      const settings = await t.api('PATCH', `/orgs/${t.orgId}/roles/settings`, { defaultRole: 'viewer' });
      assert.equal(settings.statusCode, 200, settings.body);
      assert.deepEqual(settings.json(), { defaultRole: 'viewer', mode: 'highest', usersChanged: 1 });
      assert.deepEqual((await t.api('GET', `/orgs/${t.orgId}/roles/settings`)).json(), {
        defaultRole: 'viewer',
        mode: 'highest',
      });
      const users = (await t.api('GET', `/orgs/${t.orgId}/users`)).json().data;
      assert.deepEqual(
        users.map((u: { userName: string; roles: string[] }) => `${u.userName}:${u.roles.join('+')}`),
        ['ada@example.com:admin', 'bob@example.com:viewer'],
      );
      assert.deepEqual((await t.api('GET', `/orgs/${t.orgId}/users/${ada}`)).json().roles, ['admin']);
      const removed = await t.api('DELETE', `/orgs/${t.orgId}/roles/rules/${rule.id}`);
      assert.equal(removed.statusCode, 200, removed.body);
      assert.equal(removed.json().usersChanged, 1);
      assert.deepEqual((await access(ada)).roles, ['viewer']);
      // Clearing the default: users matched by no rule have no role.
      await t.api('PATCH', `/orgs/${t.orgId}/roles/settings`, { defaultRole: null });
      assert.deepEqual((await access(ada)).roles, []);
      await t.api('PATCH', `/orgs/${t.orgId}/roles/settings`, { defaultRole: 'member' });
    });

    test('a rule changed in place moves the users of the group it named and of the one it names', async () => {
      const ops = (
        await scim('POST', 'Groups', {
          schemas: [GROUP],
          displayName: 'Operations',
          members: [{ value: bob }],
        })
      ).id;
      const created = await t.api('POST', `/orgs/${t.orgId}/roles/rules`, {
        match: 'displayName',
        value: 'Engineering',
        role: 'admin',
      });
      assert.equal(created.statusCode, 201, created.body);
      const rule = created.json();
      assert.deepEqual((await access(ada)).roles, ['admin']);
      const roleOnly = await t.api('PATCH', `/orgs/${t.orgId}/roles/rules/${rule.id}`, { role: 'owner' });
      assert.equal(roleOnly.statusCode, 200, roleOnly.body);
      assert.deepEqual(roleOnly.json(), {
        ...(rule as object),
        role: 'owner',
        usersChanged: 1,
        groupExists: true,
      });
      assert.deepEqual((await access(ada)).roles, ['owner']);
      const moved = await t.api('PATCH', `/orgs/${t.orgId}/roles/rules/${rule.id}`, {
        match: 'id',
        value: ops,
      });
      assert.equal(moved.statusCode, 200, moved.body);
      assert.equal(moved.json().usersChanged, 2, 'ada leaves the role, bob gets it');
      assert.deepEqual((await access(ada)).roles, ['member']);
      assert.deepEqual((await access(bob)).roles, ['owner']);
      const unchanged = await t.api('PATCH', `/orgs/${t.orgId}/roles/rules/${rule.id}`, { role: 'owner' });
      assert.equal(unchanged.json().usersChanged, 0);
      const rules = (await t.api('GET', `/orgs/${t.orgId}/roles/rules`)).json().data;
      assert.deepEqual(
        rules.map((r: { id: string; match: string; value: string; role: string }) => [
          r.id,
          r.match,
          r.value,
          r.role,
        ]),
        [[rule.id, 'id', ops, 'owner']],
      );
      const audit = (await t.api('GET', `/orgs/${t.orgId}/audit?action=role_rule.update`)).json().data;
      assert.deepEqual(
        audit.map((a: { resourceId: string; attributes: string[] }) => [a.resourceId, a.attributes]),
        [
          [rule.id, ['match', 'value']],
          [rule.id, ['role']],
        ],
      );
      // Refused changes leave the rule as it was.
      const other = await t.api('POST', `/orgs/${t.orgId}/roles/rules`, {
        match: 'displayName',
        value: 'Engineering',
        role: 'viewer',
      });
      const refused: [unknown, number, string][] = [
        [{ role: 'boss' }, 400, 'invalid_request'],
        [{ match: 'id', value: 'no-such-group' }, 400, 'unknown_group'],
        [{ match: 'id', value: 'no-such-group', allowUnknownGroup: true }, 400, 'unknown_group'],
        [{ match: 'displayName', value: 'No such group' }, 400, 'unknown_group'],
        [{ match: 'externalId', value: 'ext-none' }, 400, 'unknown_group'],
        [{}, 400, 'validation_failed'],
        [{ match: 'displayName', value: 'Engineering', role: 'viewer' }, 409, 'conflict'],
      ];
      for (const [body, status, code] of refused) {
        const res = await t.api('PATCH', `/orgs/${t.orgId}/roles/rules/${rule.id}`, body);
        assert.equal(res.statusCode, status, `${JSON.stringify(body)}: ${res.body}`);
        assert.equal(problemOf(res).code, code);
      }
      assert.equal(
        (await t.api('PATCH', `/orgs/${t.orgId}/roles/rules/nope`, { role: 'owner' })).statusCode,
        404,
      );
      assert.deepEqual((await access(bob)).roles, ['owner']);
      for (const id of [rule.id, other.json().id])
        assert.equal((await t.api('DELETE', `/orgs/${t.orgId}/roles/rules/${id}`)).statusCode, 200);
      assert.deepEqual((await access(bob)).roles, ['member']);
    });

    test('bad input gets a problem with a stable code, never a 500', async () => {
      const cases: [string, string, unknown, number, string, RegExp][] = [
        [
          'POST',
          'roles/rules',
          { match: 'displayName', value: 'X', role: 'boss' },
          400,
          'invalid_request',
          /unknown role 'boss'/,
        ],
        [
          'POST',
          'roles/rules',
          { match: 'id', value: 'no-such-group', role: 'admin' },
          400,
          'unknown_group',
          /No group with id 'no-such-group'/,
        ],
        [
          'POST',
          'roles/rules',
          { match: 'id', value: 'no-such-group', role: 'admin', allowUnknownGroup: true },
          400,
          'unknown_group',
          /a rule by id names an existing group/,
        ],
        [
          'POST',
          'roles/rules',
          { match: 'displayName', value: 'Enginering', role: 'admin' },
          400,
          'unknown_group',
          /No group with displayName 'Enginering' in this organization.*allowUnknownGroup: true/,
        ],
        [
          'POST',
          'roles/rules',
          { match: 'externalId', value: 'ext-typo', role: 'admin' },
          400,
          'unknown_group',
          /No group with externalId 'ext-typo' in this organization.*allowUnknownGroup: true/,
        ],
        [
          'POST',
          'roles/rules',
          { match: 'displayName', value: 'X', role: 'admin', allowUnknownGroup: 'yes' },
          400,
          'validation_failed',
          /allowUnknownGroup/,
        ],
        [
          'POST',
          'roles/rules',
          { match: 'name', value: 'X', role: 'admin' },
          400,
          'validation_failed',
          /match/,
        ],
        [
          'POST',
          'roles/rules',
          { match: 'displayName', value: '', role: 'admin' },
          400,
          'validation_failed',
          /value/,
        ],
        [
          'POST',
          'roles/rules',
          { match: 'displayName', value: 'x'.repeat(1025), role: 'admin' },
          400,
          'validation_failed',
          /value/,
        ],
        [
          'POST',
          'roles/rules',
          { match: 'displayName', value: 'X', role: 'admin', extra: 1 },
          400,
          'validation_failed',
          /extra|additional/,
        ],
        ['DELETE', 'roles/rules/nope', undefined, 404, 'not_found', /No role rule 'nope'/],
        ['PATCH', 'roles/settings', { mode: 'some' }, 400, 'validation_failed', /mode/],
        ['PATCH', 'roles/settings', { defaultRole: 'boss' }, 400, 'invalid_request', /unknown role 'boss'/],
      ];
      for (const [method, path, body, status, code, detail] of cases) {
        const res = await t.api(method, `/orgs/${t.orgId}/${path}`, body);
        assert.equal(res.statusCode, status, `${method} ${path} ${JSON.stringify(body)}: ${res.body}`);
        const problem = problemOf(res);
        assert.equal(problem.code, code, res.body);
        assert.match(res.body, detail);
      }
      assert.equal(
        (await t.api('GET', `/orgs/${t.orgId}/roles/rules`)).json().data.length,
        0,
        'nothing refused was stored',
      );
      // Allowed explicitly, a rule may name a group the IdP has not pushed yet; it applies when
      // the group arrives.
      const dup = { match: 'displayName', value: 'Later', role: 'owner', allowUnknownGroup: true };
      const ahead = await t.api('POST', `/orgs/${t.orgId}/roles/rules`, dup);
      assert.equal(ahead.statusCode, 201, ahead.body);
      assert.deepEqual([ahead.json().groupExists, ahead.json().usersChanged], [false, 0]);
      const again = await t.api('POST', `/orgs/${t.orgId}/roles/rules`, dup);
      assert.equal(again.statusCode, 409);
      assert.equal(problemOf(again).code, 'conflict');
      const cy = (await scim('POST', 'Users', user('cy@example.com'))).id;
      assert.deepEqual((await access(cy)).roles, ['member'], 'the default role, before the group');
      await scim('POST', 'Groups', { schemas: [GROUP], displayName: 'Later', members: [{ value: cy }] });
      assert.deepEqual((await access(cy)).roles, ['owner']);
      assert.equal((await t.api('GET', '/orgs/no-such-org/roles/rules')).statusCode, 404);
      assert.equal((await t.api('GET', '/orgs/no-such-org/users/x/access')).statusCode, 404);
    });

    test('the access check says no once a SCIM deactivation or DELETE has answered', async () => {
      assert.deepEqual(await access(bob), { allowed: true, roles: ['member'], reason: 'active' });
      await scim('PATCH', `Users/${bob}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', value: { active: false } }],
      });
      assert.deepEqual(await access(bob), { allowed: false, roles: ['member'], reason: 'deactivated' });
      await scim('PATCH', `Users/${bob}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'active', value: true }],
      });
      assert.equal((await access(bob)).allowed, true);
      await scim('DELETE', `Users/${bob}`);
      assert.deepEqual(await access(bob), { allowed: false, roles: [], reason: 'deleted' });
      assert.deepEqual(await access('00000000-0000-0000-0000-000000000000'), {
        allowed: false,
        roles: [],
        reason: 'not_found',
      });
    });

    test('SDK canAccess: cached at most accessCacheMs; 0 asks every time', async () => {
      const carol = (await scim('POST', 'Users', user('carol@example.com'))).id;
      let requests = 0;
      const counting: typeof fetch = (input, init) => {
        requests++;
        return fetch(input, init);
      };
      const cached = new ScimitarClient({ baseUrl: base, apiKey: t.apiKey, fetch: counting });
      const first = await cached.canAccess(t.orgId, carol);
      assert.deepEqual(first, { allowed: true, roles: ['member'], reason: 'active' });
      const [a, b] = await Promise.all([cached.canAccess(t.orgId, carol), cached.canAccess(t.orgId, carol)]);
      assert.deepEqual([a, b], [first, first]);
      assert.equal(requests, 1, 'answers within accessCacheMs share one request');
      const fresh = new ScimitarClient({ baseUrl: base, apiKey: t.apiKey, accessCacheMs: 0 });
      await scim('DELETE', `Users/${carol}`);
      assert.deepEqual(await fresh.canAccess(t.orgId, carol), {
        allowed: false,
        roles: [],
        reason: 'deleted',
      });
      assert.throws(
        () => new ScimitarClient({ baseUrl: base, apiKey: t.apiKey, accessCacheMs: 5000 }),
        RangeError,
      );
    });

    test('user.roles_changed is a type of the pull feed and of webhook filters', async () => {
      const feed = await t.api('GET', `/events?org=${t.orgId}&type=user.roles_changed&limit=100`);
      assert.equal(feed.statusCode, 200, feed.body);
      const events = feed.json().data as { type: string; data: { user: { id: string } } }[];
      assert.ok(events.length > 0, 'the rules above moved users');
      assert.ok(events.every((e) => e.type === 'user.roles_changed'));
      assert.ok(events.some((e) => e.data.user.id === ada));
      const hook = await t.api('POST', '/webhooks', {
        url: 'https://hooks.example.com/roles',
        eventTypes: ['user.roles_changed'],
      });
      assert.equal(hook.statusCode, 201, hook.body);
      assert.deepEqual(hook.json().eventTypes, ['user.roles_changed']);
      assert.equal((await t.api('DELETE', `/webhooks/${hook.json().id}`)).statusCode, 204);
    });
  });
}
