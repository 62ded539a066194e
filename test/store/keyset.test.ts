/**
 * Keyset paging (RFC 9865 cursors, store/cursor-keyset.ts): walking a list page by page after
 * each page's last row returns exactly the one-query order, for every kind of sort key
 * (column, term, number, NULLs, ties), and stays exact while rows come and go.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FilterNode } from '../../src/scim/filter/ast.ts';
import type { KeysetPosition } from '../../src/store/cursor-keyset.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import {
  deleteResource,
  insertResource,
  type ListQuery,
  listQueries,
  listResources,
} from '../../src/store/resources.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { attr, newUser, numTerm, strTerm, T0 } from './store-fixtures.ts';

type Sort = ListQuery['sort'];

/** 23 users: mixed case, ties, and NULLs in every sortable kind of key. */
function fixture(i: number) {
  const userName = `${i % 2 ? 'U' : 'u'}ser-${String((i * 7) % 23).padStart(2, '0')}`;
  const title = i % 3 === 0 ? null : `T${i % 4}`; // ties and NULLs
  const externalId = i % 5 === 0 ? null : `x${i % 6}`;
  const active = i % 4 === 0 ? null : i % 2;
  return newUser('k1', `id-${i}`, {
    userName,
    externalId,
    terms: [
      strTerm('userName', userName),
      ...(title === null ? [] : [strTerm('title', title)]),
      ...(active === null ? [] : [numTerm('active', active)]),
      // Multi-valued: the key is the smallest value.
      strTerm('emails.value', `m${(i * 5) % 11}@x`, 0),
      strTerm('emails.value', `a${(i * 3) % 7}@x`, 1),
    ],
  });
}

const SORTS: { name: string; sort: Sort }[] = [
  { name: 'none (pk)', sort: undefined },
  { name: 'userName ascending', sort: { attr: attr('userName'), descending: false } },
  { name: 'userName descending', sort: { attr: attr('userName'), descending: true } },
  {
    name: 'externalId (column with NULLs) ascending',
    sort: { attr: attr('externalId', { caseExact: true }), descending: false },
  },
  {
    name: 'externalId (column with NULLs) descending',
    sort: { attr: attr('externalId', { caseExact: true }), descending: true },
  },
  { name: 'title (term with NULLs, ties) ascending', sort: { attr: attr('title'), descending: false } },
  { name: 'title (term with NULLs, ties) descending', sort: { attr: attr('title'), descending: true } },
  {
    name: 'active (number term with NULLs) ascending',
    sort: { attr: attr('active', { type: 'boolean' }), descending: false },
  },
  {
    name: 'active (number term with NULLs) descending',
    sort: { attr: attr('active', { type: 'boolean' }), descending: true },
  },
  {
    name: 'emails.value (multi-valued) descending',
    sort: { attr: attr('emails.value', { multiValued: true }), descending: true },
  },
  {
    name: 'meta.resourceType descending (constant key: pk)',
    sort: { attr: attr('meta.resourceType', { caseExact: true }), descending: true },
  },
];

for (const dialect of dialects) {
  describe(`keyset paging (${dialect})`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(dialect);
      await insertOrg(t.database.db, { id: 'k1', name: 'k1', createdAt: T0 });
      await insertOrg(t.database.db, { id: 'k2', name: 'k2', createdAt: T0 });
      for (let i = 0; i < 23; i++) await insertResource(t.database.db, fixture(i));
      // Another org's rows never show.
      await insertResource(t.database.db, newUser('k2', 'other', { userName: 'user-00' }));
    });
    after(async () => {
      await t?.cleanup();
    });

    const base = { orgId: 'k1', type: 'User' as const, offset: 0 };

    async function oneQuery(sort: Sort, filter?: FilterNode): Promise<string[]> {
      const r = await listResources(t.database.db, { ...base, sort, filter, limit: 1000 });
      return r.rows.map((x) => x.id);
    }

    /** Every page by keyset; `between` runs before each page after the first. */
    async function walk(
      sort: Sort,
      limit: number,
      options: { filter?: FilterNode; between?: (page: number) => Promise<void> } = {},
    ) {
      const ids: string[] = [];
      const totals: number[] = [];
      let position: KeysetPosition | undefined;
      for (let page = 0; page < 100; page++) {
        if (page > 0) await options.between?.(page);
        const r = await listResources(t.database.db, {
          ...base,
          sort,
          filter: options.filter,
          limit,
          keyset: { after: position },
        });
        assert.ok(r.rows.length <= limit);
        ids.push(...r.rows.map((x) => x.id));
        totals.push(r.total);
        if (!r.next) return { ids, totals, pages: page + 1 };
        assert.equal(r.rows.length, limit, 'a page followed by another is full');
        position = r.next;
      }
      throw new Error('the walk did not end');
    }

    for (const c of SORTS) {
      test(`walking pages gives the one-query order: ${c.name}`, async () => {
        const expected = await oneQuery(c.sort);
        assert.equal(expected.length, 23);
        for (const limit of [1, 4, 23, 50]) {
          const w = await walk(c.sort, limit);
          assert.deepEqual(w.ids, expected, `limit ${limit}`);
          assert.equal(w.pages, Math.max(1, Math.ceil(23 / limit)), `pages at limit ${limit}`);
          assert.ok(w.totals.every((n) => n === 23));
        }
      });
    }

    test('with a filter: the filtered order, total counts all matches', async () => {
      const filter: FilterNode = { op: 'pr', attr: attr('title') };
      const expected = await oneQuery({ attr: attr('title'), descending: true }, filter);
      const w = await walk({ attr: attr('title'), descending: true }, 3, { filter });
      assert.deepEqual(w.ids, expected);
      assert.ok(w.totals.every((n) => n === expected.length));
    });

    test('count 0 in keyset mode: total only, no next', async () => {
      const r = await listResources(t.database.db, {
        ...base,
        limit: 0,
        countOnly: true,
        keyset: { after: undefined },
      });
      assert.deepEqual(r, { total: 23, rows: [] });
    });

    test('a keyset page is a range read: no OFFSET in the SQL', () => {
      const { page } = listQueries(t.database.db, {
        ...base,
        offset: 40,
        limit: 5,
        sort: { attr: attr('title'), descending: false },
        keyset: { after: { key: 't1', pk: 7 } },
      });
      const compiled = page.compile();
      assert.doesNotMatch(compiled.sql, /\boffset\b/i);
      assert.match(compiled.sql, /\blimit\b/i);
      assert.ok(compiled.parameters.includes(6), 'reads limit + 1 rows');
    });

    const sortedChanges: { name: string; sort: Sort }[] = [
      { name: 'pk order', sort: undefined },
      { name: 'userName descending', sort: { attr: attr('userName'), descending: true } },
    ];
    for (const c of sortedChanges) {
      test(`rows created and deleted between pages: none skipped, none repeated (${c.name})`, async () => {
        const k = `chg-${c.name.replace(/\W/g, '')}`;
        const sort = c.sort;
        await insertOrg(t.database.db, { id: k, name: k, createdAt: T0 });
        const names = Array.from({ length: 20 }, (_, i) => `n${String(i).padStart(2, '0')}`);
        for (const n of names) await insertResource(t.database.db, newUser(k, `${k}-${n}`, { userName: n }));
        const created: string[] = [];
        const deleted: string[] = [];
        const ids: string[] = [];
        let position: KeysetPosition | undefined;
        for (let page = 0; page < 100; page++) {
          // Changes during the first pages only: in pk order, new rows keep the walk going.
          if (page > 0 && page <= 4) {
            // A new row on each side of the position, and deletions of a seen and an unseen row.
            for (const n of [`a${page}`, `z${page}`, `n${String(page * 2).padStart(2, '0')}x`]) {
              const id = `${k}-${n}`;
              await insertResource(t.database.db, newUser(k, id, { userName: n }));
              created.push(id);
            }
            const unseen = names
              .map((n) => `${k}-${n}`)
              .find((id) => !ids.includes(id) && !deleted.includes(id));
            for (const id of [ids[0], unseen]) {
              if (id && !deleted.includes(id) && (await deleteResource(t.database.db, k, 'User', id, T0))) {
                deleted.push(id);
              }
            }
          }
          const r = await listResources(t.database.db, {
            orgId: k,
            type: 'User',
            offset: 0,
            limit: 3,
            sort,
            keyset: { after: position },
          });
          ids.push(...r.rows.map((x) => x.id));
          if (!r.next) break;
          position = r.next;
        }
        assert.equal(new Set(ids).size, ids.length, `no repeats: ${ids.join(' ')}`);
        const throughout = names.map((n) => `${k}-${n}`).filter((id) => !deleted.includes(id));
        for (const id of throughout) assert.ok(ids.includes(id), `${id} existed throughout and was returned`);
        const unseenDeleted = deleted.filter((id) => !ids.includes(id));
        assert.ok(unseenDeleted.length > 0, 'some rows were deleted before their page');
        // The order held: what was returned is in the list's order.
        const final = (
          await listResources(t.database.db, { orgId: k, type: 'User', offset: 0, limit: 1000, sort })
        ).rows.map((x) => x.id);
        const stillThere = ids.filter((id) => final.includes(id));
        assert.deepEqual(
          stillThere,
          final.filter((id) => stillThere.includes(id)),
        );
        if (!sort) {
          // pk order: every row created during the walk comes after the position, so appears once.
          for (const id of created) assert.ok(ids.includes(id), `${id} created during the walk appears`);
        }
      });
    }
  });
}
