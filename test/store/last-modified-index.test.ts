/**
 * `meta.lastModified gt …` (an IdP's incremental sync) reads the (org_id, type, last_modified)
 * index of migration 0061 instead of every live resource of the org. SQLite's plan is checked;
 * on PostgreSQL the plan depends on statistics, so only the index is (both dialects).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import type { FilterNode } from '../../src/scim/filter/ast.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import { listQueries } from '../../src/store/resources.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { attr, T0 } from './store-fixtures.ts';

for (const dialect of dialects) {
  describe(`meta.lastModified index (${dialect})`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(dialect);
      await insertOrg(t.database.db, { id: 'o1', name: 'O', createdAt: T0 });
    });
    after(async () => {
      await t.cleanup();
    });

    test('the index exists', async () => {
      const { rows } =
        dialect === 'sqlite'
          ? await sql<{
              name: string;
            }>`select name from sqlite_master where type = 'index' and name = 'resources_last_modified_idx'`.execute(
              t.database.db,
            )
          : await sql<{ name: string }>`select indexname as name from pg_indexes
              where schemaname = current_schema() and indexname = 'resources_last_modified_idx'`.execute(
              t.database.db,
            );
      assert.equal(rows.length, 1);
    });

    if (dialect === 'sqlite') {
      test('a lastModified gt filter searches the index', async () => {
        const filter: FilterNode = {
          op: 'gt',
          attr: attr('meta.lastModified', { type: 'dateTime' }),
          value: '2030-01-01T00:00:00.000Z',
        };
        const { page } = listQueries(t.database.db, {
          orgId: 'o1',
          type: 'User',
          filter,
          offset: 0,
          limit: 100,
        });
        const c = page.compile();
        const { rows } = await t.database.db.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`explain query plan ${c.sql}`, [...c.parameters]),
        );
        assert.ok(
          rows.some((r) => /USING INDEX resources_last_modified_idx \(.*last_modified>\?\)/.test(r.detail)),
          JSON.stringify(rows),
        );
      });
    }
  });
}
