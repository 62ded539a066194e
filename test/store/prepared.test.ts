/**
 * Statements compiled once (src/store/prepared.ts): the same answers as Kysely's own, in and
 * out of transactions, and multi-row inserts of any size, cut into statements of at most the
 * chunk's rows and a remainder.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { preparedInsert, preparedQuery } from '../../src/store/prepared.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';

const insertOrgs = preparedInsert('orgs', ['id', 'name', 'created_at'], 50);

for (const dialect of dialects) {
  describe(`prepared statements (${dialect})`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(dialect);
    });
    after(async () => {
      await t?.cleanup();
    });

    test('multi-row inserts of 1, 49, 50, 51, 100 and 250 rows store every row', async () => {
      const { db } = t.database;
      let n = 0;
      for (const size of [1, 49, 50, 51, 100, 250]) {
        const rows = Array.from({ length: size }, () => {
          n++;
          return {
            id: `o${String(n).padStart(4, '0')}`,
            name: `Org ${n}`,
            created_at: '2024-01-01T00:00:00.000Z',
          };
        });
        await db.transaction().execute((tx) => insertOrgs(tx, rows));
      }
      const stored = await db.selectFrom('orgs').select(['id', 'name']).orderBy('id').execute();
      assert.equal(stored.length, n);
      assert.deepEqual(stored[0], { id: 'o0001', name: 'Org 1' });
      assert.deepEqual(stored.at(-1), { id: `o${String(n).padStart(4, '0')}`, name: `Org ${n}` });
      assert.equal(new Set(stored.map((r) => r.name)).size, n);
    });

    test('a prepared SELECT gives what Kysely gives, with the arguments of each call', async () => {
      const { db } = t.database;
      const byPrefix = preparedQuery((d: typeof db, from: string, to: string) =>
        d.selectFrom('orgs').select('id').where('id', '>=', from).where('id', '<', to).orderBy('id'),
      );
      for (const [from, to] of [
        ['o0001', 'o0004'],
        ['o0100', 'o0102'],
      ] as const) {
        const expected = await db
          .selectFrom('orgs')
          .select('id')
          .where('id', '>=', from)
          .where('id', '<', to)
          .orderBy('id')
          .execute();
        assert.deepEqual(await byPrefix(db, from, to), expected);
        await db.transaction().execute(async (tx) => {
          assert.deepEqual(await byPrefix(tx, from, to), expected);
        });
      }
    });
  });
}
