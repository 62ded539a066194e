/**
 * What ResourceService hands to transports (src/directory/resources.ts `Resource`): the parts a
 * representation is made of, never the password hash, and no row key a serializer would see.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import type { Actor } from '../../src/directory/deps.ts';
import { Directory } from '../../src/directory/directory.ts';
import { parseListQuery } from '../../src/scim/list-query.ts';
import { GROUP, USER } from '../../src/scim/schema/definitions.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';

const SECRET = 'Correct-Horse-9';

for (const dialect of dialects) {
  describe(`ResourceService hands out Resources (${dialect})`, () => {
    let t: TestDatabase;
    let directory: Directory;
    let actor: Actor;

    before(async () => {
      t = await openTestDatabase(dialect);
      directory = new Directory({
        database: t.database,
        now: () => new Date(),
        newId: () => crypto.randomUUID(),
      });
      const org = (await directory.orgs.create('Acme')).org.id;
      actor = { orgId: org, tokenId: null, requestId: null };
    });
    after(async () => t.cleanup());

    const leaks = (value: object) => {
      const keys = Object.keys(value);
      assert.ok(!keys.includes('passwordHash'), `passwordHash in ${keys.join(', ')}`);
      assert.ok(!keys.includes('pk'), `pk in ${keys.join(', ')}`);
      const text = JSON.stringify(value);
      assert.ok(!text.includes('scrypt') && !text.includes(SECRET), text);
    };

    it('create, get, patch, replace and list return no password hash and no row key', async () => {
      const body = { schemas: [USER.core.id], userName: 'ann', password: SECRET };
      const created = await directory.resources.create(actor, USER, body);
      leaks(created);
      const group = await directory.resources.create(actor, GROUP, {
        schemas: [GROUP.core.id],
        displayName: 'Team',
        members: [{ value: created.id }],
      });
      leaks(group);
      const read = await directory.resources.get(actor, USER, created.id);
      leaks(read);
      assert.deepEqual(
        read.groups?.map((g) => ({ ...g })),
        [{ id: group.id, display: 'Team', type: 'direct' }],
      );
      leaks(
        await directory.resources.patch(actor, USER, created.id, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'displayName', value: 'Ann' }],
        }),
      );
      leaks(await directory.resources.replace(actor, USER, created.id, { ...body, displayName: 'Ann B' }));
      const config = loadConfig({ DATABASE_URL: 'sqlite::memory:' });
      const list = await directory.resources.list(actor, USER, parseListQuery({}, USER, config));
      assert.equal(list.records.length, 1);
      for (const r of list.records) leaks(r);
      for (const r of await directory.resources.withGroups(list.records)) leaks(r);
    });

    it('the directory still finds a group’s members from the Resource it handed out', async () => {
      const config = loadConfig({ DATABASE_URL: 'sqlite::memory:' });
      const [group] = (await directory.resources.list(actor, GROUP, parseListQuery({}, GROUP, config)))
        .records;
      assert.ok(group);
      const pages = [];
      for await (const page of directory.resources.members(group)) pages.push(...page.map((m) => m.display));
      assert.deepEqual(pages, ['Ann B']);
      assert.equal(await directory.resources.hasMoreMembersThan(group, 0), true);
      assert.equal(await directory.resources.hasMoreMembersThan(group, 1), false);
    });
  });
}
