/**
 * `orgs delete <id>` on both dialects: nothing happens without a confirmation (no terminal, a
 * wrong answer, a wrong --confirm); with one, the org and its data are gone, its tokens stop
 * working, and its org.deleted event is written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Directory } from '../../src/directory/directory.ts';
import { USER } from '../../src/scim/schema/definitions.ts';
import { USER_SCHEMA } from '../helpers/app.ts';
import { cliIn } from '../helpers/cli.ts';
import { dialects, type TestDatabase } from '../helpers/dialects.ts';
import { openTestDirectory } from '../helpers/directory.ts';

for (const dialect of dialects) {
  describe(`CLI orgs delete (${dialect})`, () => {
    let t: TestDatabase;
    let directory: Directory;
    let token = '';

    before(async () => {
      ({ t, directory } = await openTestDirectory(dialect));
      const created = await directory.orgs.create('Doomed Inc', { id: 'doomed' });
      token = created.token.token;
      const actor = { orgId: 'doomed', tokenId: null, requestId: null };
      for (const userName of ['a@doomed.test', 'b@doomed.test']) {
        await directory.resources.create(actor, USER, { schemas: [USER_SCHEMA], userName });
      }
      await directory.orgs.create('Spare', { id: 'spare' });
    });
    after(async () => t?.cleanup());

    const stillThere = async () => assert.ok(await directory.orgs.get('doomed'), 'nothing was deleted');

    test('without a confirmation nothing is deleted', async () => {
      const noTerminal = await cliIn(t.url, ['orgs', 'delete', 'doomed']);
      assert.equal(noTerminal.code, 2);
      assert.match(noTerminal.err, /--yes/);
      await stillThere();

      let asked = '';
      const wrong = await cliIn(t.url, ['orgs', 'delete', 'doomed'], {
        ask: async (q) => {
          asked = q;
          return 'spare';
        },
      });
      assert.equal(wrong.code, 1);
      assert.match(asked, /Delete organization 'doomed' \(Doomed Inc\).*Type its id/);
      assert.match(wrong.err, /Cancelled: nothing was changed/);
      await stillThere();

      const mistyped = await cliIn(t.url, ['orgs', 'delete', 'doomed', '--confirm', 'spare', '--json']);
      assert.equal(mistyped.code, 1);
      assert.match(JSON.parse(mistyped.err).error, /confirm by repeating its id/);
      await stillThere();
      assert.ok(await directory.orgs.get('spare'), 'and not the org named in --confirm either');

      const missing = await cliIn(t.url, ['orgs', 'delete', 'nope', '--yes']);
      assert.equal(missing.code, 1);
      assert.match(missing.err, /No organization 'nope'/);
    });

    test('--confirm <id> deletes the org and all its data, with its org.deleted event', async () => {
      const run = await cliIn(t.url, ['orgs', 'delete', 'doomed', '--confirm', 'doomed', '--json']);
      assert.equal(run.code, 0, run.err);
      assert.deepEqual(JSON.parse(run.out), {
        id: 'doomed',
        deleted: { users: 2, groups: 0, scimTokens: 1 },
      });
      assert.equal(await directory.orgs.get('doomed'), undefined);
      await assert.rejects(directory.orgs.authenticate('doomed', `Bearer ${token}`), { status: 401 });
      const feed = await directory.webhooks.feed({ orgId: 'doomed', waitSeconds: 30 });
      assert.deepEqual(
        feed.events.map((e) => e.type),
        ['org.deleted'],
      );
    });

    test('an answer typed at the terminal, and --yes', async () => {
      const typed = await cliIn(t.url, ['orgs', 'delete', 'spare'], { ask: async () => ' spare\n' });
      assert.equal(typed.code, 0, typed.err);
      assert.match(typed.out, /Deleted organization 'spare': 0 users, 0 groups, 1 SCIM tokens/);
      assert.equal(await directory.orgs.get('spare'), undefined);

      await directory.orgs.create('Again', { id: 'again' });
      const yes = await cliIn(t.url, ['orgs', 'delete', 'again', '--yes']);
      assert.equal(yes.code, 0, yes.err);
      assert.equal(await directory.orgs.get('again'), undefined);
    });
  });
}
