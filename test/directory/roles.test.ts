/**
 * Roles from IdP groups (docs/roles.md), on each database, through SCIM requests and the
 * directory's RoleService: rules by id, externalId and displayName; nested groups; renames;
 * rule, default and mode changes; group PUT, DELETE and Bulk. Each user whose roles change gets
 * exactly one `user.roles_changed` event, written by the change's own transaction.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Actor } from '../../src/directory/deps.ts';
import { GROUP as GROUP_RS } from '../../src/scim/schema/definitions.ts';
import { PATCH_OP, startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import { outboxReader } from '../helpers/outbox.ts';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

for (const dialect of dialects) {
  describe(`roles from IdP groups (${dialect})`, () => {
    let t: TestApp;
    const fresh = outboxReader(() => t.directory.database.db);

    /** roles_changed events since the last call, as `user before→after`, sorted. */
    async function changes(): Promise<string[]> {
      const out = await fresh();
      return out
        .filter((e) => e.type === 'user.roles_changed')
        .map((e) => {
          const d = e.data as { user: { id: string }; before: string[]; after: string[] };
          assert.equal(d.user.id, e.resourceId);
          return `${name(d.user.id)} ${d.before.join('+') || '-'}→${d.after.join('+') || '-'}`;
        })
        .sort();
    }
    const names = new Map<string, string>();
    const name = (id: string) => names.get(id) ?? id;
    const post = async (path: string, body: Record<string, unknown>) => {
      const res = await t.request('POST', path, body);
      assert.equal(res.statusCode, 201, res.body);
      const id = res.json().id as string;
      names.set(id, String(body.userName ?? body.displayName));
      return id;
    };
    const patch = async (path: string, ...Operations: unknown[]) => {
      const res = await t.request('PATCH', path, { schemas: [PATCH_OP], Operations });
      assert.ok(res.statusCode < 300, res.body);
    };
    const rolesOf = async (...ids: string[]) => {
      const found = await t.directory.roles.rolesOf(t.orgId, ids);
      return ids.map((id) => `${name(id)}:${(found.get(id) ?? []).join('+') || '-'}`);
    };
    const addMember = (g: string, ...ids: string[]) =>
      patch(`Groups/${g}`, { op: 'add', path: 'members', value: ids.map((value) => ({ value })) });
    const removeMember = (g: string, id: string) =>
      patch(`Groups/${g}`, { op: 'remove', path: `members[value eq "${id}"]` });

    before(async () => {
      t = await startTestApp(dialect);
      await changes();
    });
    after(() => t.close());

    let ada: string;
    let bob: string;
    let cy: string;
    let eng: string;
    let admins: string;
    let platform: string;

    test('no rules: nobody has a role and no event is written', async () => {
      ada = await post('Users', user('ada'));
      bob = await post('Users', user('bob'));
      cy = await post('Users', user('cy'));
      eng = await post('Groups', { schemas: [GROUP], displayName: 'Engineering', externalId: 'ext-eng' });
      admins = await post('Groups', { schemas: [GROUP], displayName: 'Admins' });
      platform = await post('Groups', { schemas: [GROUP], displayName: 'Platform' });
      await addMember(eng, ada);
      assert.deepEqual(await rolesOf(ada, bob), ['ada:-', 'bob:-']);
      assert.deepEqual(await changes(), []);
    });

    test('a rule by displayName gives its group members the role, one event each', async () => {
      const rule = await t.directory.roles.addRule(t.orgId, {
        match: 'displayName',
        value: 'Engineering',
        role: 'member',
      });
      assert.equal(rule.usersChanged, 1);
      assert.equal(rule.groupExists, true);
      assert.deepEqual(await changes(), ['ada -→member']);
      assert.deepEqual(await rolesOf(ada, bob), ['ada:member', 'bob:-']);
    });

    test('a member added and removed over SCIM moves roles in the same request', async () => {
      await addMember(eng, bob, cy);
      assert.deepEqual(await changes(), ['bob -→member', 'cy -→member']);
      await removeMember(eng, cy);
      assert.deepEqual(await changes(), ['cy member→-']);
      // Adding someone already there changes nothing.
      await addMember(eng, bob);
      assert.deepEqual(await changes(), []);
    });

    test('a write whose token was read before the first rule still moves roles', async () => {
      // The rule count read with the token said none: the write reads it again under a share
      // lock of the org's row (a member change when it locks the group, a rename in its
      // single statement) and then does the role upkeep after all.
      const stale: Actor = { orgId: t.orgId, tokenId: null, requestId: null, hasRoleRules: false };
      const groupPatch = (...Operations: unknown[]) =>
        t.directory.resources.patch(stale, GROUP_RS, eng, { schemas: [PATCH_OP], Operations });
      await groupPatch({ op: 'add', path: 'members', value: [{ value: cy }] });
      assert.deepEqual(await changes(), ['cy -→member']);
      await groupPatch({ op: 'remove', path: `members[value eq "${cy}"]` });
      assert.deepEqual(await changes(), ['cy member→-']);
      await groupPatch({ op: 'replace', path: 'displayName', value: 'Engineering (old)' });
      assert.deepEqual(await changes(), ['ada member→-', 'bob member→-']);
      await groupPatch({ op: 'replace', path: 'displayName', value: 'Engineering' });
      assert.deepEqual(await changes(), ['ada -→member', 'bob -→member']);
    });

    test('nested groups count; highest priority wins by default', async () => {
      await t.directory.roles.addRule(t.orgId, { match: 'id', value: admins, role: 'admin' });
      assert.deepEqual(await changes(), []);
      // Platform (holding cy) joins Admins: cy becomes admin through nesting.
      await addMember(platform, cy);
      assert.deepEqual(await changes(), []);
      await addMember(admins, platform);
      assert.deepEqual(await changes(), ['cy -→admin']);
      // ada is in Engineering (member) and, through Platform, Admins: admin wins.
      await addMember(platform, ada);
      assert.deepEqual(await changes(), ['ada member→admin']);
      assert.deepEqual(await rolesOf(ada, bob, cy), ['ada:admin', 'bob:member', 'cy:admin']);
    });

    test('mode all gives every matched role; back to highest', async () => {
      const r = await t.directory.roles.updateSettings(t.orgId, { mode: 'all' });
      assert.equal(r.usersChanged, 1);
      assert.deepEqual(await changes(), ['ada admin→admin+member']);
      await t.directory.roles.updateSettings(t.orgId, { mode: 'highest' });
      assert.deepEqual(await changes(), ['ada admin+member→admin']);
    });

    test('the default role applies to users matched by no rule', async () => {
      const dan = await post('Users', user('dan'));
      const r = await t.directory.roles.updateSettings(t.orgId, { defaultRole: 'viewer' });
      assert.equal(r.usersChanged, 1);
      assert.deepEqual(await changes(), ['dan -→viewer']);
      assert.deepEqual(await rolesOf(dan, bob), ['dan:viewer', 'bob:member']);
      // dan joins Engineering: viewer → member; leaves: back to viewer.
      await addMember(eng, dan);
      assert.deepEqual(await changes(), ['dan viewer→member']);
      await removeMember(eng, dan);
      assert.deepEqual(await changes(), ['dan member→viewer']);
    });

    test('a group rename moves the users of a rule by displayName', async () => {
      await patch(`Groups/${eng}`, { op: 'replace', path: 'displayName', value: 'Eng' });
      // ada stays admin (through Admins); bob loses member: default viewer.
      assert.deepEqual(await changes(), ['bob member→viewer']);
      await patch(`Groups/${eng}`, { op: 'replace', value: { displayName: 'Engineering' } });
      assert.deepEqual(await changes(), ['bob viewer→member']);
    });

    test('an externalId change moves the users of a rule by externalId', async () => {
      // No group has 'ext-new' yet: the rule is set up ahead of it, explicitly.
      await t.directory.roles.addRule(t.orgId, {
        match: 'externalId',
        value: 'ext-new',
        role: 'owner',
        allowUnknownGroup: true,
      });
      assert.deepEqual(await changes(), []);
      await patch(`Groups/${eng}`, { op: 'replace', path: 'externalId', value: 'ext-new' });
      assert.deepEqual(await changes(), ['ada admin→owner', 'bob member→owner']);
    });

    test('a rule removed recomputes its group; a group PUT replacing members gives one event per user', async () => {
      const rules = await t.directory.roles.listRules(t.orgId);
      const owner = rules.find((r) => r.role === 'owner');
      assert.ok(owner);
      const removed = await t.directory.roles.removeRule(t.orgId, owner.id);
      assert.equal(removed.usersChanged, 2);
      assert.deepEqual(await changes(), ['ada owner→admin', 'bob owner→member']);
      // PUT: Engineering's members become exactly [cy]: ada (still admin via Admins) keeps
      // hers, bob drops to the default, cy (admin) stays admin.
      const res = await t.request('PUT', `Groups/${eng}`, {
        schemas: [GROUP],
        displayName: 'Engineering',
        externalId: 'ext-new',
        members: [{ value: cy }],
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(await changes(), ['bob member→viewer']);
    });

    test('a group deleted takes its role away; Bulk moves roles per operation', async () => {
      const res = await t.request('DELETE', `Groups/${admins}`);
      assert.equal(res.statusCode, 204);
      assert.deepEqual(await changes(), ['ada admin→viewer', 'cy admin→member']);
      const bulk = await t.request('POST', 'Bulk', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [
          {
            method: 'PATCH',
            path: `/Groups/${eng}`,
            data: {
              schemas: [PATCH_OP],
              Operations: [{ op: 'add', path: 'members', value: [{ value: bob }] }],
            },
          },
          {
            method: 'PATCH',
            path: `/Groups/${eng}`,
            data: {
              schemas: [PATCH_OP],
              Operations: [{ op: 'add', path: 'members', value: [{ value: ada }] }],
            },
          },
        ],
      });
      assert.equal(bulk.statusCode, 200, bulk.body);
      assert.deepEqual(await changes(), ['ada viewer→member', 'bob viewer→member']);
    });

    test('a deactivated user keeps its roles and is refused access; a deleted one is gone', async () => {
      await patch(`Users/${bob}`, { op: 'replace', path: 'active', value: false });
      assert.deepEqual(await changes(), []);
      assert.deepEqual(await t.directory.roles.access(t.orgId, bob), {
        allowed: false,
        roles: ['member'],
        reason: 'deactivated',
      });
      assert.deepEqual(await t.directory.roles.access(t.orgId, ada), {
        allowed: true,
        roles: ['member'],
        reason: 'active',
      });
      assert.equal((await t.request('DELETE', `Users/${ada}`)).statusCode, 204);
      assert.deepEqual(await changes(), []);
      assert.deepEqual(await t.directory.roles.access(t.orgId, ada), {
        allowed: false,
        roles: [],
        reason: 'deleted',
      });
      assert.equal((await t.directory.roles.access(t.orgId, 'nobody')).reason, 'not_found');
    });

    test('bad input: unknown role, unknown groups, bad match, duplicate, unknown rule', async () => {
      const roles = t.directory.roles;
      const fails = async (p: Promise<unknown>, code: string, re: RegExp) => {
        await assert.rejects(p, (e: Error & { code?: string }) => {
          assert.equal(e.code, code);
          assert.match(e.message, re);
          return true;
        });
      };
      await fails(
        roles.addRule(t.orgId, { match: 'displayName', value: 'X', role: 'boss' }),
        'invalid_request',
        /unknown role 'boss'/,
      );
      // A rule naming no group of the org is refused by default, whatever it matches by.
      await fails(
        roles.addRule(t.orgId, { match: 'id', value: 'nope', role: 'admin' }),
        'unknown_group',
        /No group with id 'nope'/,
      );
      await fails(
        roles.addRule(t.orgId, { match: 'externalId', value: 'ext-typo', role: 'admin' }),
        'unknown_group',
        /No group with externalId 'ext-typo' in this organization.*allowUnknownGroup/,
      );
      await fails(
        roles.addRule(t.orgId, { match: 'displayName', value: 'Enginering', role: 'admin' }),
        'unknown_group',
        /No group with displayName 'Enginering' in this organization.*allowUnknownGroup/,
      );
      // Ids never: an unknown id is a mistake even when unknown groups are allowed.
      await fails(
        roles.addRule(t.orgId, { match: 'id', value: 'nope', role: 'admin', allowUnknownGroup: true }),
        'unknown_group',
        /No group with id 'nope'/,
      );
      await fails(
        roles.addRule(t.orgId, { match: 'displayName', value: 'X', role: 'admin', allowUnknownGroup: 'yes' }),
        'invalid_request',
        /allowUnknownGroup must be/,
      );
      // Nothing refused was stored.
      assert.deepEqual(
        (await roles.listRules(t.orgId)).filter((r) => /nope|typo|Enginering|^X$/.test(r.value)),
        [],
      );
      await fails(
        roles.addRule(t.orgId, { match: 'name', value: 'X', role: 'admin' }),
        'invalid_request',
        /match must be/,
      );
      await fails(
        roles.addRule(t.orgId, { match: 'displayName', value: '', role: 'admin' }),
        'invalid_request',
        /value must be/,
      );
      await fails(
        roles.addRule(t.orgId, { match: 'displayName', value: 'Engineering', role: 'member' }),
        'conflict',
        /exists already/,
      );
      await fails(roles.removeRule(t.orgId, 'nope'), 'not_found', /No role rule/);
      await fails(roles.updateSettings(t.orgId, { defaultRole: 'boss' }), 'invalid_request', /unknown role/);
      await fails(roles.updateSettings(t.orgId, { mode: 'some' }), 'invalid_request', /mode must be/);
      // Explicitly allowed, a rule for a group the IdP has not pushed yet is accepted, and
      // applies when the group comes.
      const later = await roles.addRule(t.orgId, {
        match: 'displayName',
        value: 'Later',
        role: 'owner',
        allowUnknownGroup: true,
      });
      assert.equal(later.groupExists, false);
      assert.equal(later.usersChanged, 0);
      // A change of its role alone needs no allowance; a change of its value does.
      const viewer = await roles.updateRule(t.orgId, later.id, { role: 'viewer' });
      assert.deepEqual([viewer.role, viewer.groupExists], ['viewer', false]);
      await fails(
        roles.updateRule(t.orgId, later.id, { value: 'Later still' }),
        'unknown_group',
        /No group with displayName 'Later still'/,
      );
      await fails(
        roles.updateRule(t.orgId, later.id, { match: 'id', value: 'nope', allowUnknownGroup: true }),
        'unknown_group',
        /No group with id 'nope'/,
      );
      const moved = await roles.updateRule(t.orgId, later.id, {
        value: 'Later still',
        role: 'owner',
        allowUnknownGroup: true,
      });
      assert.deepEqual([moved.value, moved.role, moved.groupExists], ['Later still', 'owner', false]);
      assert.deepEqual(await changes(), []);
      const g = await post('Groups', {
        schemas: [GROUP],
        displayName: 'Later still',
        members: [{ value: cy }],
      });
      assert.ok(g);
      assert.deepEqual(await changes(), ['cy member→owner']);
      // Once the group exists, the rule may be changed to it with no allowance.
      const back = await roles.updateRule(t.orgId, later.id, { match: 'id', value: g });
      assert.deepEqual([back.match, back.groupExists, back.usersChanged], ['id', true, 0]);
    });
  });
}
