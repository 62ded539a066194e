/**
 * `members add|remove` on both dialects: a member added by email (source api, audited as the
 * CLI), refused twice, removed; a user the IdP owns is refused with the reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Directory } from '../../src/directory/directory.ts';
import { USER } from '../../src/scim/schema/definitions.ts';
import { USER_SCHEMA } from '../helpers/app.ts';
import { cliIn, cliJsonIn } from '../helpers/cli.ts';
import { dialects, type TestDatabase } from '../helpers/dialects.ts';
import { openTestDirectory } from '../helpers/directory.ts';

for (const dialect of dialects) {
  describe(`CLI members (${dialect})`, () => {
    let t: TestDatabase;
    let directory: Directory;
    let orgId = '';
    const cli = (...argv: string[]) => cliIn(t.url, argv);

    before(async () => {
      ({ t, directory } = await openTestDirectory(dialect));
      orgId = (await directory.orgs.create('Members')).org.id;
    });
    after(async () => {
      await t?.cleanup();
    });

    test('add, refuse a duplicate, remove; the audit trail names the CLI', async () => {
      const added = await cliJsonIn(t.url, ['members', 'add', orgId, 'ada@example.com', '--name', 'Ada']);
      assert.equal(added.source, 'api');
      assert.equal(added.displayName, 'Ada');
      assert.equal(added.userName, 'ada@example.com');
      const again = await cli('members', 'add', orgId, 'ADA@example.com');
      assert.equal(again.code, 1);
      assert.match(again.err, /already has a user/);
      const bad = await cli('members', 'add', orgId, 'not an email');
      assert.equal(bad.code, 1);
      assert.match(bad.err, /not an email address/);
      const missing = await cli('members', 'add', 'no-such-org', 'x@example.com');
      assert.equal(missing.code, 1);
      assert.match(missing.err, /No organization/);
      const removed = await cli('members', 'remove', orgId, added.id);
      assert.equal(removed.code, 0, removed.err);
      assert.match(removed.out, /Removed member/);
      const trail = await directory.audit.page(orgId, { resourceId: added.id }, { limit: 10 });
      assert.deepEqual(
        trail.items.map((e) => [e.action, e.actorKind]),
        [
          ['delete', 'cli'],
          ['create', 'cli'],
        ],
      );
    });

    test('a user the IdP owns cannot be removed here', async () => {
      const actor = { orgId, tokenId: 'tok', requestId: null };
      const id = (await directory.resources.create(actor, USER, { schemas: [USER_SCHEMA], userName: 'idp' }))
        .id;
      const refused = await cli('members', 'remove', orgId, id);
      assert.equal(refused.code, 1);
      assert.match(refused.err, /identity provider/);
      assert.equal((await cli('members', 'remove', orgId, 'nobody')).code, 1);
    });
  });
}
