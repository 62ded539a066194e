/**
 * `audit <org>` and `audit prune` on both dialects: every filter, a page and its cursor, JSON
 * Lines of every entry, another org's entries never shown; the prune deletes only what is past
 * the days given, and refuses while another prune holds the lease.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Directory } from '../../src/directory/directory.ts';
import { claimPruneLease, insertAudit, releasePruneLease } from '../../src/store/audit.ts';
import { cliIn, cliJsonIn } from '../helpers/cli.ts';
import { dialects, type TestDatabase } from '../helpers/dialects.ts';
import { openTestDirectory } from '../helpers/directory.ts';

const DAY = 86_400_000;

for (const dialect of dialects) {
  describe(`CLI audit (${dialect})`, () => {
    let t: TestDatabase;
    let directory: Directory;
    let orgId = '';
    let otherId = '';
    const cli = (...argv: string[]) => cliIn(t.url, argv);
    const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

    before(async () => {
      ({ t, directory } = await openTestDirectory(dialect));
      orgId = (await directory.orgs.create('Audited')).org.id;
      otherId = (await directory.orgs.create('Other')).org.id;
      const row = (org: string, days: number, action: string, actorKind: 'api_key' | 'cli', id: string) =>
        insertAudit(t.database.db, {
          orgId: org,
          at: ago(days),
          requestId: `req-${days}`,
          actorKind,
          tokenId: actorKind === 'api_key' ? 'key-1' : 'ops',
          action,
          resourceType: 'User',
          resourceId: id,
          attributes: ['name.givenName'],
        });
      await row(orgId, 40, 'create', 'api_key', 'u1');
      await row(orgId, 20, 'patch', 'cli', 'u1');
      await row(orgId, 10, 'patch', 'api_key', 'u2');
      await row(orgId, 1, 'delete', 'api_key', 'u1');
      await row(otherId, 40, 'create', 'api_key', 'x1');
    });
    after(async () => {
      await t?.cleanup();
    });

    /** The (action, resourceId) of the org's entries the CLI's --json prints with `args`. */
    async function listed(...args: string[]) {
      const { data } = await cliJsonIn(t.url, ['audit', orgId, ...args]);
      return data.map((e: { action: string; resourceId: string }) => `${e.action}:${e.resourceId}`);
    }

    test('filters combine; a page prints its cursor; the table names the actor', async () => {
      assert.deepEqual(await listed(), ['delete:u1', 'patch:u2', 'patch:u1', 'create:u1']);
      assert.deepEqual(await listed('--action', 'patch'), ['patch:u2', 'patch:u1']);
      assert.deepEqual(await listed('--actor-kind', 'cli'), ['patch:u1']);
      assert.deepEqual(
        await listed('--actor-kind', 'api_key', '--actor-id', 'key-1', '--resource-id', 'u1'),
        ['delete:u1', 'create:u1'],
      );
      assert.deepEqual(await listed('--resource-type', 'Group'), []);
      assert.deepEqual(await listed('--since', '15d'), ['delete:u1', 'patch:u2']);
      assert.deepEqual(await listed('--until', '15d'), ['patch:u1', 'create:u1']);
      assert.deepEqual(await listed('--since', ago(30), '--until', '5d'), ['patch:u2', 'patch:u1']);

      const first = await cliJsonIn(t.url, ['audit', orgId, '--limit', '3']);
      assert.equal(first.data.length, 3);
      assert.equal(first.data[0].actor.kind, 'api_key');
      assert.equal(first.data[0].actor.id, 'key-1');
      assert.deepEqual(first.data[0].attributes, ['name.givenName']);
      const rest = await cliJsonIn(t.url, ['audit', orgId, '--limit', '3', '--cursor', first.nextCursor]);
      assert.deepEqual(
        rest.data.map((e: { action: string }) => e.action),
        ['create'],
      );
      assert.equal(rest.nextCursor, null);

      const shown = await cli('audit', orgId, '--limit', '2');
      assert.equal(shown.code, 0, shown.err);
      assert.match(shown.out, /ACTION/);
      assert.match(shown.out, /api_key:key-1/);
      assert.match(shown.out, /More: --cursor \S+/);
    });

    test('--jsonl prints every matching entry, one per line, never another org', async () => {
      const run = await cli('audit', orgId, '--jsonl', '--limit', '1');
      assert.equal(run.code, 0, run.err);
      const lines = run.out.trimEnd().split('\n');
      assert.equal(lines.length, 4);
      const entries = lines.map((l) => JSON.parse(l));
      assert.deepEqual(
        entries.map((e) => e.resourceId),
        ['u1', 'u2', 'u1', 'u1'],
      );
      assert.ok(entries.every((e) => e.resourceId !== 'x1'));
      const patches = await cli('audit', orgId, '--jsonl', '--action', 'patch');
      assert.equal(patches.out.trimEnd().split('\n').length, 2);
    });

    test('bad input is refused with the reason', async () => {
      for (const [args, reason] of [
        [['--action', 'explode'], /expected one of/],
        [['--actor-kind', 'robot'], /expected one of/],
        [['--since', 'yesterday'], /ISO-8601/],
        [['--limit', '0'], /whole number/],
        [['--cursor', 'WyJ4Il0'], /cursor/i],
      ] as const) {
        const run = await cli('audit', orgId, ...args);
        assert.equal(run.code, 1, args.join(' '));
        assert.match(run.err, reason);
      }
      const missing = await cli('audit', 'no-such-org');
      assert.equal(missing.code, 1);
      assert.match(missing.err, /No organization/);
    });

    test('prune deletes what is older than --days, in every org; one prune at a time', async () => {
      const held = new Date(Date.now() + 60_000).toISOString();
      assert.equal(await claimPruneLease(t.database.db, new Date().toISOString(), held), true);
      const busy = await cli('audit', 'prune', '--days', '30');
      assert.equal(busy.code, 1);
      assert.match(busy.err, /Another prune/);
      await releasePruneLease(t.database.db, held);

      assert.equal((await cli('audit', 'prune')).code, 1);
      assert.equal((await cli('audit', 'prune', '--days', '0')).code, 1);
      assert.deepEqual(await cliJsonIn(t.url, ['audit', 'prune', '--days', '30']), { deleted: 2 });
      assert.deepEqual(await listed(), ['delete:u1', 'patch:u2', 'patch:u1']);
      assert.equal((await directory.audit.page(otherId, {}, { limit: 10 })).items.length, 0);
      const again = await cli('audit', 'prune', '--days', '15');
      assert.equal(again.code, 0, again.err);
      assert.match(again.out, /Deleted 1 audit entries/);
      assert.deepEqual(await listed(), ['delete:u1', 'patch:u2']);
    });
  });
}
