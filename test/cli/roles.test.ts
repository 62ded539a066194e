/**
 * `roles list|rules list|add|remove|default|mode|access` on both dialects, over a database the
 * directory provisioned as SCIM would: rules move users, the CLI says how many, bad input is
 * refused with a message, and ROLES declares the deployment's roles.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliActor } from '../../src/directory/deps.ts';
import type { Directory } from '../../src/directory/directory.ts';
import { GROUP, USER } from '../../src/scim/schema/definitions.ts';
import { USER_SCHEMA } from '../helpers/app.ts';
import { cliIn, cliJsonIn } from '../helpers/cli.ts';
import { dialects, type TestDatabase } from '../helpers/dialects.ts';
import { openTestDirectory } from '../helpers/directory.ts';

for (const dialect of dialects) {
  describe(`CLI roles (${dialect})`, () => {
    let t: TestDatabase;
    let directory: Directory;
    let orgId = '';
    let ada = '';
    const cli = (...argv: string[]) => cliIn(t.url, argv);
    const jsonOf = (...argv: string[]) => cliJsonIn(t.url, argv);

    before(async () => {
      ({ t, directory } = await openTestDirectory(dialect));
      orgId = (await directory.orgs.create('Roled')).org.id;
      const actor = { orgId, tokenId: null, requestId: null };
      ada = (await directory.resources.create(actor, USER, { schemas: [USER_SCHEMA], userName: 'ada' })).id;
      await directory.resources.create(actor, GROUP, {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'IT Admins',
        externalId: '00g1',
        members: [{ value: ada }],
      });
    });
    after(async () => {
      await t?.cleanup();
    });

    test('rules, default and mode move users; access answers', async () => {
      const list = await cli('roles', 'list');
      assert.equal(list.code, 0, list.err);
      assert.match(list.out, /owner +Owner +400/);
      const added = await cli(
        'roles',
        'rules',
        'add',
        orgId,
        '--display-name',
        'IT Admins',
        '--role',
        'admin',
      );
      assert.equal(added.code, 0, added.err);
      assert.match(added.out, /→ admin\. 1 user's roles changed\./);
      // A group the IdP has not pushed: refused by default, accepted when allowed explicitly.
      const ahead = ['roles', 'rules', 'add', orgId, '--external-id', 'not-yet', '--role', 'owner'];
      const refused = await cli(...ahead);
      assert.notEqual(refused.code, 0);
      assert.match(refused.err, /No group with externalId 'not-yet'.*--allow-unknown-group/);
      const aheadText = await cli(...ahead, '--allow-unknown-group');
      assert.equal(aheadText.code, 0, aheadText.err);
      assert.match(aheadText.out, /No group matches it yet: it applies when the IdP pushes one\./);
      const later = (await jsonOf('roles', 'rules', 'list', orgId))[1];
      assert.deepEqual([later.match, later.value], ['externalId', 'not-yet']);
      const rules = await jsonOf('roles', 'rules', 'list', orgId);
      assert.deepEqual(
        rules.map((r: { match: string; role: string }) => `${r.match}:${r.role}`),
        ['displayName:admin', 'externalId:owner'],
      );
      assert.deepEqual(await jsonOf('roles', 'access', orgId, ada), {
        allowed: true,
        roles: ['admin'],
        reason: 'active',
      });
      assert.equal((await jsonOf('roles', 'mode', orgId, 'all')).usersChanged, 0);
      assert.equal((await jsonOf('roles', 'default', orgId, 'viewer')).defaultRole, 'viewer');
      assert.match((await cli('roles', 'default', orgId)).out, /Default role: viewer/);
      const updated = await cli('roles', 'rules', 'update', orgId, rules[0].id, '--role', 'owner');
      assert.equal(updated.code, 0, updated.err);
      assert.match(updated.out, /displayName 'IT Admins' → owner\. 1 user's roles changed\./);
      assert.deepEqual((await jsonOf('roles', 'access', orgId, ada)).roles, ['owner']);
      const toNobody = ['roles', 'rules', 'update', orgId, rules[0].id, '--display-name', 'Nobody'];
      const refusedMove = await cli(...toNobody);
      assert.notEqual(refusedMove.code, 0);
      assert.match(refusedMove.err, /No group with displayName 'Nobody'/);
      assert.deepEqual((await jsonOf('roles', 'access', orgId, ada)).roles, ['owner'], 'unchanged');
      const moved = await jsonOf(...toNobody, '--allow-unknown-group');
      assert.deepEqual([moved.value, moved.role, moved.groupExists], ['Nobody', 'owner', false]);
      assert.deepEqual((await jsonOf('roles', 'access', orgId, ada)).roles, ['viewer']);
      const removed = await cli('roles', 'rules', 'remove', orgId, rules[0].id);
      assert.match(removed.out, /0 users' roles changed/);
      assert.deepEqual((await jsonOf('roles', 'access', orgId, ada)).roles, ['viewer']);
      // The group the rule set up ahead names arrives: its member gets the role.
      await directory.resources.create({ orgId, tokenId: null, requestId: null }, GROUP, {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Founders',
        externalId: 'not-yet',
        members: [{ value: ada }],
      });
      assert.deepEqual((await jsonOf('roles', 'access', orgId, ada)).roles, ['owner']);
      assert.match((await cli('roles', 'default', orgId, 'none')).out, /Default role: none/);

      // Each change is in the org's trail as the CLI's, named by the login that ran it, as
      // every other CLI command's change is (directory/deps.ts cliActor).
      const trail = await directory.audit.page(orgId, { resourceType: 'RoleRule' }, { limit: 50 });
      const settings = await directory.audit.page(orgId, { resourceType: 'RoleSettings' }, { limit: 50 });
      const entries = [...trail.items, ...settings.items];
      assert.deepEqual(entries.map((e) => e.action).sort(), [
        'role_rule.create',
        'role_rule.create',
        'role_rule.delete',
        'role_rule.update',
        'role_rule.update',
        'role_settings.update',
        'role_settings.update',
        'role_settings.update',
      ]);
      const login = cliActor(orgId).tokenId;
      assert.ok(login, 'this machine names its login');
      for (const e of entries) assert.deepEqual([e.actorKind, e.tokenId], ['cli', login], e.action);
    });

    test('bad input is refused with a message and a non-zero exit', async () => {
      const cases: [string[], RegExp][] = [
        [['roles', 'rules', 'add', orgId, '--display-name', 'X', '--role', 'boss'], /unknown role 'boss'/],
        [['roles', 'rules', 'add', orgId, '--role', 'admin'], /exactly one of --group-id/],
        [
          ['roles', 'rules', 'add', orgId, '--group-id', 'nope', '--role', 'admin'],
          /No group with id 'nope'/,
        ],
        [
          ['roles', 'rules', 'add', orgId, '--group-id', 'nope', '--role', 'admin', '--allow-unknown-group'],
          /No group with id 'nope'/,
        ],
        [
          ['roles', 'rules', 'add', orgId, '--display-name', 'Enginering', '--role', 'admin'],
          /No group with displayName 'Enginering'.*--allow-unknown-group/,
        ],
        [['roles', 'rules', 'remove', orgId, 'nope'], /No role rule 'nope'/],
        [['roles', 'rules', 'update', orgId, 'nope', '--role', 'admin'], /No role rule 'nope'/],
        [['roles', 'rules', 'update', orgId, 'nope'], /Give --role, or the group/],
        [['roles', 'mode', orgId, 'some'], /mode must be one of highest, all/],
        [['roles', 'rules', 'list', 'no-such-org'], /No organization 'no-such-org'/],
        [['roles', 'access', 'no-such-org', ada], /No organization 'no-such-org'/],
      ];
      for (const [argv, message] of cases) {
        const run = await cli(...argv);
        assert.notEqual(run.code, 0, argv.join(' '));
        assert.match(run.err, message, argv.join(' '));
      }
    });

    test('ROLES declares the deployment roles; a bad one stops the CLI with a configuration error', async () => {
      const roles = JSON.stringify([
        { key: 'editor', name: 'Editor', priority: 2 },
        { key: 'reader', name: 'Reader', priority: 1 },
      ]);
      const ok = await cliIn(t.url, ['roles', 'list', '--json'], { env: { ROLES: roles } });
      assert.equal(ok.code, 0, ok.err);
      assert.deepEqual(
        JSON.parse(ok.out).map((r: { key: string }) => r.key),
        ['editor', 'reader'],
      );
      const bad = await cliIn(t.url, ['roles', 'list'], {
        env: { ROLES: '[{"key":"A","name":"x","priority":1}]' },
      });
      assert.equal(bad.code, 2);
      assert.match(bad.err, /ROLES: \[0\]\.key must be/);
    });
  });
}
