/**
 * `props` on both dialects: an extension declared from a file, a property mapped to it, bad
 * input refused with exit code 1 and a message, and the mapping read back by a SCIM write
 * through the directory (the same PropertyService as the API).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Directory } from '../../src/directory/directory.ts';
import { USER } from '../../src/scim/schema/definitions.ts';
import { USER_SCHEMA } from '../helpers/app.ts';
import { cliIn } from '../helpers/cli.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';

const URN = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';
const PROPERTIES = JSON.stringify([{ key: 'badge', type: 'string' }]);

for (const dialect of dialects) {
  describe(`CLI props (${dialect})`, () => {
    let t: TestDatabase;
    let directory: Directory;
    let dir = '';
    let orgId = '';
    const cli = (...argv: string[]) => cliIn(t.url, argv, { env: { PROPERTIES } });

    before(async () => {
      t = await openTestDatabase(dialect);
      directory = new Directory({
        database: t.database,
        now: () => new Date(),
        newId: () => crypto.randomUUID(),
        properties: [{ key: 'badge', type: 'string', description: '' }],
      });
      orgId = (await directory.orgs.create('Props')).org.id;
      dir = mkdtempSync(join(tmpdir(), 'props-cli-'));
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await t?.cleanup();
    });

    test('extensions add from a file, props map, list; the mapping fills properties', async () => {
      const file = join(dir, 'ext.json');
      writeFileSync(file, JSON.stringify({ urn: URN, attributes: [{ name: 'badgeId', type: 'string' }] }));
      const added = await cli('props', 'extensions', 'add', orgId, '--file', file);
      assert.equal(added.code, 0, added.err);
      assert.match(added.out, /Declared urn:ietf:params:scim:schemas:extension:acme:2\.0:User/);
      const listed = await cli('props', 'extensions', 'list', orgId, '--json');
      assert.equal(JSON.parse(listed.out)[0].attributes[0].name, 'badgeId');

      const mapped = await cli('props', 'map', orgId, 'badge', `${URN}:badgeid`);
      assert.equal(mapped.code, 0, mapped.err);
      assert.match(mapped.out, /filled from urn:.*:User:badgeId/);
      const list = await cli('props', 'list', orgId);
      assert.match(
        list.out,
        /badge\s+string\s+urn:ietf:params:scim:schemas:extension:acme:2\.0:User:badgeId/,
      );

      const actor = { orgId, tokenId: null, requestId: null };
      const created = await directory.resources.create(actor, USER, {
        schemas: [USER_SCHEMA, URN],
        userName: 'cli@example.com',
        [URN]: { badgeId: 'B-7' },
      });
      const view = await directory.views.getUser(orgId, created.id);
      assert.deepEqual(view.properties, { badge: 'B-7' });
    });

    test('bad input: exit code 1 and a message; nothing changes', async () => {
      const wrong = await cli('props', 'map', orgId, 'badge', 'urn:nowhere:attr');
      assert.equal(wrong.code, 1);
      assert.match(wrong.err, /names no attribute/);
      const unknown = await cli('props', 'map', orgId, 'nope', 'title');
      assert.equal(unknown.code, 1);
      assert.match(unknown.err, /No property 'nope'/);
      const busy = await cli('props', 'extensions', 'remove', orgId, URN);
      assert.equal(busy.code, 1);
      assert.match(busy.err, /remove those mappings first/);
      const missing = await cli('props', 'extensions', 'add', orgId, '--file', join(dir, 'none.json'));
      assert.equal(missing.code, 1);
      assert.match(missing.err, /Cannot read/);
      assert.equal((await cli('props', 'unmap', orgId, 'badge')).code, 0);
      const removed = await cli('props', 'extensions', 'remove', orgId, URN);
      assert.equal(removed.code, 0, removed.err);
      assert.deepEqual(JSON.parse((await cli('props', 'extensions', 'list', orgId, '--json')).out), []);
    });
  });
}
