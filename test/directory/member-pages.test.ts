/**
 * A group's members page by page (directory/resources.ts memberPages): every member once, in
 * member order, whatever the page size; outside a transaction the next page is read while the
 * caller holds this one (at most one page ahead).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GROUP, USER } from '../../src/scim/schema/definitions.ts';
import { dialects } from '../helpers/dialects.ts';
import { openTestDirectory } from '../helpers/directory.ts';

const MEMBERS = 10;

for (const dialect of dialects) {
  describe(`a group's member pages (${dialect})`, () => {
    async function groupOfTen() {
      const opened = await openTestDirectory(dialect);
      const { directory } = opened;
      const orgId = (await directory.orgs.create('Pages')).org.id;
      const actor = { orgId, tokenId: null, requestId: null };
      const ids: string[] = [];
      for (let i = 0; i < MEMBERS; i++) {
        const u = await directory.resources.create(actor, USER, {
          schemas: [USER.core.id],
          userName: `member${i}@pages.test`,
        });
        ids.push(u.id as string);
      }
      const group = await directory.resources.create(actor, GROUP, {
        schemas: [GROUP.core.id],
        displayName: 'Ten',
        members: ids.map((value) => ({ value })),
      });
      const row = await opened.t.database.db
        .selectFrom('resources')
        .select('pk')
        .where('id', '=', group.id as string)
        .executeTakeFirstOrThrow();
      return { ...opened, ids, groupPk: Number(row.pk) };
    }

    test('every member once, in order, for page sizes that divide the count and that do not', async () => {
      const { t, directory, ids, groupPk } = await groupOfTen();
      try {
        for (const size of [1, 3, 5, 10, 11]) {
          const pages: string[][] = [];
          for await (const page of directory.resources.memberPages(t.database.db, groupPk, size)) {
            pages.push(page.map((m) => m.id));
          }
          assert.deepEqual(pages.flat(), ids, `page size ${size}`);
          assert.deepEqual(
            pages.map((p) => p.length),
            Array.from({ length: Math.ceil(MEMBERS / size) }, (_, i) => Math.min(size, MEMBERS - i * size)),
            `page size ${size}`,
          );
        }
        // Inside a transaction, too (no page read ahead there).
        const inTx = await t.database.db.transaction().execute(async (tx) => {
          const seen: string[] = [];
          for await (const page of directory.resources.memberPages(tx, groupPk, 4))
            seen.push(...page.map((m) => m.id));
          return seen;
        });
        assert.deepEqual(inTx, ids);
      } finally {
        await t.cleanup();
      }
    });

    // SQLite only: its reads run to the end within the turn that starts them, so the page read
    // ahead is complete before the caller acts (on PostgreSQL it races the caller's statement).
    test('outside a transaction the next page is read while the caller holds this one', {
      skip: dialect !== 'sqlite',
    }, async () => {
      const { t, directory, ids, groupPk } = await groupOfTen();
      try {
        const pages: string[][] = [];
        for await (const page of directory.resources.memberPages(t.database.db, groupPk, 2)) {
          pages.push(page.map((m) => m.id));
          if (pages.length === 1) {
            await new Promise((resolve) => setImmediate(resolve));
            // The first member of the next page leaves the group after that page was read.
            await t.database.db
              .deleteFrom('memberships')
              .where('group_pk', '=', groupPk)
              .where('member_pk', '=', (eb) =>
                eb
                  .selectFrom('resources')
                  .select('pk')
                  .where('id', '=', ids[2] as string),
              )
              .execute();
          }
        }
        assert.deepEqual(pages[1], ids.slice(2, 4), 'the page read ahead, as it was');
        assert.deepEqual(pages.flat(), ids, 'and every member once');
      } finally {
        await t.cleanup();
      }
    });
  });
}
