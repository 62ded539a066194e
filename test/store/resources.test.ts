import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { StoreConflict, StoreNotFound, StoreVersionMismatch } from '../../src/store/errors.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import {
  deleteResource,
  getResource,
  insertResource,
  listResources,
  lockResource,
  type ResourceChanges,
  updateResource,
} from '../../src/store/resources.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { attr, newUser, numTerm, strTerm, T0 } from './store-fixtures.ts';

const T1 = '2024-02-01T00:00:00.000Z';
const T2 = '2024-03-01T00:00:00.000Z';

function changesOf(userName: string | null, extra: Partial<ResourceChanges> = {}): ResourceChanges {
  return {
    userName,
    externalId: null,
    displayName: null,
    active: true,
    doc: { userName },
    lastModified: T1,
    terms: userName === null ? [] : [strTerm('userName', userName)],
    ...extra,
  };
}

for (const dialect of dialects) {
  describe(`resources (${dialect})`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(dialect);
      for (const id of ['o1', 'o2', 'o3', 'o4']) {
        await insertOrg(t.database.db, { id, name: id, createdAt: T0 });
      }
    });
    after(async () => {
      await t?.cleanup();
    });

    const termsOf = async (pk: number) =>
      (
        await t.database.db
          .selectFrom('resource_terms')
          .select(['path', 'elem', 'str', 'lc', 'num'])
          .where('resource_pk', '=', pk)
          .orderBy('path')
          .orderBy('elem')
          .execute()
      ).map((r) => ({ ...r }));

    test('insert returns version 1, lastModified = created, the doc and booleans round-trip', async () => {
      const doc = { schemas: ['s'], userName: 'Alice', nested: { a: [1, 'é', null, true] }, active: false };
      const rec = await insertResource(
        t.database.db,
        newUser('o1', 'id-alice', {
          userName: 'Alice',
          externalId: 'ext-1',
          displayName: 'Alice A',
          active: false,
          doc,
          passwordHash: 'hash',
          terms: [strTerm('userName', 'Alice'), strTerm('emails.value', 'a@x.com', 0)],
        }),
      );
      assert.equal(typeof rec.pk, 'number');
      assert.deepEqual(
        { ...rec, pk: 0 },
        {
          pk: 0,
          orgId: 'o1',
          type: 'User',
          id: 'id-alice',
          userName: 'Alice',
          externalId: 'ext-1',
          displayName: 'Alice A',
          active: false,
          doc,
          passwordHash: 'hash',
          version: 1,
          created: T0,
          lastModified: T0,
          source: 'scim',
          linkedAt: null,
          linkedFrom: null,
        },
      );
      assert.deepEqual(await getResource(t.database.db, 'o1', 'User', 'id-alice'), rec);
      assert.deepEqual(await termsOf(rec.pk), [
        { path: 'emails.value', elem: 0, str: 'a@x.com', lc: 'a@x.com', num: null },
        { path: 'userName', elem: 0, str: 'Alice', lc: 'alice', num: null },
      ]);
    });

    test('get is scoped by org and type', async () => {
      assert.equal(await getResource(t.database.db, 'o2', 'User', 'id-alice'), undefined);
      assert.equal(await getResource(t.database.db, 'o1', 'Group', 'id-alice'), undefined);
      assert.equal(await getResource(t.database.db, 'o1', 'User', 'nope'), undefined);
    });

    test('userName is unique per org and type, case-insensitively', async () => {
      await assert.rejects(
        insertResource(t.database.db, newUser('o1', 'id-alice-2', { userName: 'ALICE' })),
        (e: unknown) => e instanceof StoreConflict && e.field === 'userName',
      );
      // Nothing of the failed insert remains (its own transaction rolled back).
      assert.equal(await getResource(t.database.db, 'o1', 'User', 'id-alice-2'), undefined);
      // Same name in another org, and a Group without userName, are fine.
      await insertResource(t.database.db, newUser('o2', 'id-alice-o2', { userName: 'alice' }));
      await insertResource(t.database.db, { ...newUser('o1', 'g-1', { userName: null }), type: 'Group' });
      await insertResource(t.database.db, { ...newUser('o1', 'g-2', { userName: null }), type: 'Group' });
    });

    test('a taken id is a StoreConflict on id', async () => {
      await assert.rejects(
        insertResource(t.database.db, newUser('o1', 'id-alice', { userName: 'someone-else' })),
        (e: unknown) => e instanceof StoreConflict && e.field === 'id',
      );
    });

    test('update: version + 1, columns and doc replaced, terms replaced, password kept when omitted', async () => {
      const db = t.database.db;
      const before = await insertResource(
        db,
        newUser('o1', 'id-upd', {
          passwordHash: 'pw',
          terms: [strTerm('userName', 'id-upd'), strTerm('title', 'Old')],
        }),
      );
      const after = await updateResource(
        db,
        before.pk,
        changesOf('Upd.New', {
          externalId: 'e',
          displayName: 'D',
          active: null,
          doc: { userName: 'Upd.New', title: 'New' },
          terms: [strTerm('userName', 'Upd.New'), strTerm('title', 'New')],
        }),
      );
      assert.deepEqual(
        { ...after },
        {
          ...before,
          userName: 'Upd.New',
          externalId: 'e',
          displayName: 'D',
          active: null,
          doc: { userName: 'Upd.New', title: 'New' },
          passwordHash: 'pw',
          version: 2,
          lastModified: T1,
        },
      );
      assert.deepEqual(await getResource(db, 'o1', 'User', 'id-upd'), after);
      assert.deepEqual(await termsOf(before.pk), [
        { path: 'title', elem: 0, str: 'New', lc: 'new', num: null },
        { path: 'userName', elem: 0, str: 'Upd.New', lc: 'upd.new', num: null },
      ]);
      const cleared = await updateResource(db, before.pk, changesOf('upd.new', { passwordHash: null }), 2);
      assert.equal(cleared.passwordHash, null);
      assert.equal(cleared.version, 3);
    });

    test('update given the stored columns: changed ones are written, unchanged ones kept, the userName still unique', async () => {
      const db = t.database.db;
      const rec = await insertResource(
        db,
        newUser('o1', 'id-prev', { externalId: 'x1', passwordHash: 'pw' }),
      );
      await insertResource(db, newUser('o1', 'id-other'));
      const same = await updateResource(
        db,
        rec.pk,
        changesOf('id-prev', { externalId: 'x1', doc: { userName: 'id-prev', title: 'T' } }),
        1,
        rec,
      );
      assert.deepEqual(
        {
          userName: same.userName,
          externalId: same.externalId,
          passwordHash: same.passwordHash,
          version: same.version,
        },
        { userName: 'id-prev', externalId: 'x1', passwordHash: 'pw', version: 2 },
      );
      assert.deepEqual(same.doc, { userName: 'id-prev', title: 'T' });
      const moved = await updateResource(
        db,
        rec.pk,
        changesOf('ID-Renamed', { externalId: null, displayName: 'D', active: false, passwordHash: 'pw2' }),
        2,
        same,
      );
      assert.deepEqual(await getResource(db, 'o1', 'User', 'id-prev'), moved);
      assert.deepEqual(
        [moved.userName, moved.externalId, moved.displayName, moved.active, moved.passwordHash],
        ['ID-Renamed', null, 'D', false, 'pw2'],
      );
      const found = await listResources(db, {
        orgId: 'o1',
        type: 'User',
        filter: { op: 'eq', attr: attr('userName'), value: 'id-renamed' },
        offset: 0,
        limit: 10,
      });
      assert.deepEqual(
        found.rows.map((r) => r.id),
        ['id-prev'],
      );
      await assert.rejects(
        updateResource(db, rec.pk, changesOf('id-other'), 3, moved),
        (e: unknown) => e instanceof StoreConflict,
      );
    });

    test('update with a stale expected version: StoreVersionMismatch, nothing written', async () => {
      const db = t.database.db;
      const rec = await insertResource(db, newUser('o1', 'id-ver'));
      await updateResource(db, rec.pk, changesOf('id-ver'), 1);
      await assert.rejects(updateResource(db, rec.pk, changesOf('changed'), 1), (e: unknown) => {
        assert.ok(e instanceof StoreVersionMismatch);
        assert.equal(e.expected, 1);
        assert.equal(e.actual, 2);
        return true;
      });
      const now = await getResource(db, 'o1', 'User', 'id-ver');
      assert.equal(now?.userName, 'id-ver');
      assert.equal(now?.version, 2);
    });

    test('update to a taken userName: StoreConflict; update of a missing resource: StoreNotFound', async () => {
      const db = t.database.db;
      const rec = await insertResource(db, newUser('o1', 'id-ren'));
      await assert.rejects(
        updateResource(db, rec.pk, changesOf('aLiCe')),
        (e: unknown) => e instanceof StoreConflict && e.field === 'userName',
      );
      assert.equal((await getResource(db, 'o1', 'User', 'id-ren'))?.version, 1);
      await assert.rejects(updateResource(db, 987654, changesOf('x')), StoreNotFound);
    });

    test('delete: tombstone keeps row and doc, frees the userName, drops terms and memberships', async () => {
      const db = t.database.db;
      const user = await insertResource(db, newUser('o3', 'id-del', { userName: 'Gone' }));
      const group = await insertResource(db, {
        ...newUser('o3', 'g-del', { userName: null }),
        type: 'Group',
      });
      await db
        .insertInto('memberships')
        .values({ org_id: 'o3', group_pk: group.pk, member_pk: user.pk, member_type: 'User' })
        .execute();

      assert.equal(await deleteResource(db, 'o3', 'User', 'id-del', T2), true);
      assert.equal(await getResource(db, 'o3', 'User', 'id-del'), undefined);
      assert.equal(await deleteResource(db, 'o3', 'User', 'id-del', T2), false, 'already deleted');
      assert.equal(await deleteResource(db, 'o3', 'User', 'never', T2), false);

      const row = await db
        .selectFrom('resources')
        .selectAll()
        .where('pk', '=', user.pk)
        .executeTakeFirstOrThrow();
      assert.equal(row.deleted_at, T2);
      assert.equal(row.user_name_lc, null);
      assert.equal(row.user_name, 'Gone');
      assert.deepEqual(JSON.parse(row.doc), user.doc);
      assert.deepEqual(await termsOf(user.pk), []);
      const members = await db.selectFrom('memberships').selectAll().where('org_id', '=', 'o3').execute();
      assert.deepEqual(members, []);

      // The name is free again; the tombstone does not show in lists or updates.
      const again = await insertResource(db, newUser('o3', 'id-del-2', { userName: 'gone' }));
      assert.equal(again.userName, 'gone');
      const list = await listResources(db, { orgId: 'o3', type: 'User', offset: 0, limit: 10 });
      assert.deepEqual(
        list.rows.map((r) => r.id),
        ['id-del-2'],
      );
      await assert.rejects(updateResource(db, user.pk, changesOf('x')), StoreNotFound);
    });

    test('startIndex pages read in order seek to remembered starts, and stay right across creates and deletes', async () => {
      const db = t.database.db;
      await insertOrg(db, { id: 'o-pages', name: 'pages', createdAt: T0 });
      const org = 'o-pages';
      const name = (i: number) => `p${String(i).padStart(2, '0')}`;
      for (let i = 0; i < 25; i++) await insertResource(db, newUser(org, name(i), { userName: name(i) }));
      const page = async (offset: number, limit = 5) =>
        (await listResources(db, { orgId: org, type: 'User', offset, limit })).rows.map((r) => r.id);
      const truth = async () =>
        (await listResources(db, { orgId: org, type: 'User', offset: 0, limit: 1000 })).rows.map((r) => r.id);
      const walk = async () => {
        const all = await truth();
        for (let offset = 0; offset < all.length + 5; offset += 5) {
          assert.deepEqual(await page(offset), all.slice(offset, offset + 5), `offset ${offset}`);
        }
      };
      // Twice: the second walk finds every page start remembered.
      await walk();
      await walk();
      // Pages 0..10 read, then a resource before the next page goes: offset 15 moved by one.
      for (const offset of [0, 5, 10]) await page(offset);
      await deleteResource(db, org, 'User', name(3), T1);
      assert.deepEqual(await page(15), (await truth()).slice(15, 20));
      // A delete and a create leave the count as it was; positions still move.
      for (const offset of [0, 5, 10, 15]) await page(offset);
      await deleteResource(db, org, 'User', name(1), T1);
      await insertResource(db, newUser(org, 'p99', { userName: 'p99' }));
      assert.deepEqual(await page(20), (await truth()).slice(20, 25));
      assert.deepEqual(await page(15), (await truth()).slice(15, 20));
      // Other page sizes over the same remembered starts.
      assert.deepEqual(await page(10, 7), (await truth()).slice(10, 17));
      await walk();
    });

    test('a transaction that fails leaves nothing behind; lockResource reads inside one', async () => {
      const db = t.database.db;
      await assert.rejects(
        db.transaction().execute(async (tx) => {
          await insertResource(tx, newUser('o1', 'id-rollback'));
          assert.ok(await lockResource(tx, 'o1', 'User', 'id-rollback'));
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await getResource(db, 'o1', 'User', 'id-rollback'), undefined);
      const locked = await db.transaction().execute((tx) => lockResource(tx, 'o1', 'User', 'id-alice'));
      assert.equal(locked?.userName, 'Alice');
      assert.equal(await db.transaction().execute((tx) => lockResource(tx, 'o1', 'User', 'nope')), undefined);
    });

    test('thousands of terms are inserted in chunks', async () => {
      const db = t.database.db;
      const terms = Array.from({ length: 12_345 }, (_, i) => strTerm('emails.value', `m${i}@x.com`, i));
      const rec = await insertResource(db, newUser('o1', 'id-many', { terms }));
      const n = await db
        .selectFrom('resource_terms')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('resource_pk', '=', rec.pk)
        .executeTakeFirstOrThrow();
      assert.equal(n.n, 12_345);
      await updateResource(db, rec.pk, changesOf('id-many', { terms: terms.slice(0, 7) }));
      assert.equal((await termsOf(rec.pk)).length, 7);
    });

    test('update rewrites only the changed (path, elem) term groups, and the result is exact', async () => {
      const db = t.database.db;
      const start = [
        strTerm('userName', 'diff'),
        strTerm('title', 'Old'),
        strTerm('emails.value', 'a@x.com', 0),
        strTerm('emails.type', 'work', 0),
        strTerm('emails.value', 'b@x.com', 1),
        strTerm('nickName', 'Gone'),
      ];
      const rec = await insertResource(db, newUser('o1', 'id-diff', { terms: start }));
      const next = [
        strTerm('userName', 'diff'),
        strTerm('title', 'New'),
        strTerm('emails.value', 'a@x.com', 0),
        strTerm('emails.type', 'home', 0),
        strTerm('emails.value', 'c@x.com', 1),
        strTerm('emails.value', 'd@x.com', 2),
      ];
      await updateResource(db, rec.pk, changesOf('diff', { terms: next }));
      const key = (x: { path: string; elem: number; str: string | null }) => `${x.path}|${x.elem}|${x.str}`;
      assert.deepEqual((await termsOf(rec.pk)).map(key).sort(), next.map(key).sort());
    });

    test('a changed one-term group is updated in place, every value column set', async () => {
      const db = t.database.db;
      const rec = await insertResource(
        db,
        newUser('o1', 'id-inplace', {
          terms: [strTerm('title', 'Old'), numTerm('active', 1), strTerm('nickName', 'N')],
        }),
      );
      // SQLite keeps the row (its rowid, and with it the (resource_pk, path, elem) entry);
      // PostgreSQL writes a new row version whatever the statement, so only values are checked.
      const rowids = async () =>
        dialect === 'sqlite'
          ? (
              await sql<{
                r: number;
              }>`select rowid as r from resource_terms where resource_pk = ${rec.pk} order by path`.execute(
                db,
              )
            ).rows.map((r) => r.r)
          : [];
      const kept = await rowids();
      const next = [
        { path: 'title', elem: 0, str: null, lc: 'new', num: null },
        numTerm('active', 0),
        strTerm('nickName', 'N'),
      ];
      await updateResource(db, rec.pk, changesOf('inplace', { terms: next }));
      assert.deepEqual(await rowids(), kept);
      assert.deepEqual(
        (await termsOf(rec.pk)).map((r) => ({
          ...r,
          elem: Number(r.elem),
          num: r.num === null ? null : Number(r.num),
        })),
        [numTerm('active', 0), strTerm('nickName', 'N'), next[0]],
      );
    });

    describe('listing', () => {
      const names = ['delta', 'Alpha', 'charlie', 'Bravo', 'echo'];
      // titles: some absent, to check where NULLs sort
      const titles: Record<string, string | undefined> = {
        delta: 'b',
        Alpha: undefined,
        charlie: 'a',
        Bravo: 'C',
        echo: undefined,
      };
      before(async () => {
        for (const [i, name] of names.entries()) {
          const title = titles[name];
          await insertResource(
            t.database.db,
            newUser('o4', `id-${name.toLowerCase()}`, {
              userName: name,
              created: `2024-01-0${i + 1}T00:00:00.000Z`,
              terms: [strTerm('userName', name), ...(title ? [strTerm('title', title)] : [])],
            }),
          );
        }
        await insertResource(t.database.db, { ...newUser('o4', 'g-x', { userName: null }), type: 'Group' });
      });
      const list = (q: Partial<Parameters<typeof listResources>[1]>) =>
        listResources(t.database.db, { orgId: 'o4', type: 'User', offset: 0, limit: 100, ...q });
      const ids = (r: { rows: { userName: string | null }[] }) => r.rows.map((x) => x.userName);

      test('default order is insertion order; total counts all; type and org are scoped', async () => {
        const r = await list({});
        assert.equal(r.total, 5);
        assert.deepEqual(ids(r), names);
      });

      test('paging by offset and limit; total unaffected; past the end is empty', async () => {
        const page = await list({ offset: 1, limit: 2 });
        assert.equal(page.total, 5);
        assert.deepEqual(ids(page), ['Alpha', 'charlie']);
        const last = await list({ offset: 4, limit: 2 });
        assert.deepEqual(ids(last), ['echo']);
        const beyond = await list({ offset: 10, limit: 2 });
        assert.deepEqual(beyond, { total: 5, rows: [] });
      });

      test('countOnly reads no rows', async () => {
        assert.deepEqual(await list({ countOnly: true }), { total: 5, rows: [] });
        const filtered = await list({
          countOnly: true,
          filter: { op: 'sw', attr: attr('userName'), value: 'B' },
        });
        assert.deepEqual(filtered, { total: 1, rows: [] });
      });

      const sortCases: { name: string; path: string; descending: boolean; expect: string[] }[] = [
        {
          name: 'userName ascending ignores case',
          path: 'userName',
          descending: false,
          expect: ['Alpha', 'Bravo', 'charlie', 'delta', 'echo'],
        },
        {
          name: 'userName descending',
          path: 'userName',
          descending: true,
          expect: ['echo', 'delta', 'charlie', 'Bravo', 'Alpha'],
        },
        {
          name: 'meta.created descending',
          path: 'meta.created',
          descending: true,
          expect: ['echo', 'Bravo', 'charlie', 'Alpha', 'delta'],
        },
        // lc of title: a, b, c; absent ones last ascending (ties by creation order)
        {
          name: 'term attribute ascending, NULLs last',
          path: 'title',
          descending: false,
          expect: ['charlie', 'delta', 'Bravo', 'Alpha', 'echo'],
        },
        {
          name: 'term attribute descending, NULLs first',
          path: 'title',
          descending: true,
          expect: ['echo', 'Alpha', 'Bravo', 'delta', 'charlie'],
        },
        {
          name: 'meta.resourceType: same for all, creation order',
          path: 'meta.resourceType',
          descending: false,
          expect: names,
        },
      ];
      for (const c of sortCases) {
        test(`sort: ${c.name}`, async () => {
          const type = c.path === 'meta.created' ? 'dateTime' : 'string';
          const r = await list({
            sort: {
              attr: attr(c.path, { type, caseExact: c.path === 'meta.resourceType' }),
              descending: c.descending,
            },
          });
          assert.deepEqual(ids(r), c.expect);
        });
      }

      test('sort with paging and a filter', async () => {
        const r = await list({
          sort: { attr: attr('userName'), descending: false },
          filter: { op: 'not', filter: { op: 'eq', attr: attr('userName'), value: 'CHARLIE' } },
          offset: 1,
          limit: 2,
        });
        assert.equal(r.total, 4);
        assert.deepEqual(ids(r), ['Bravo', 'delta']);
      });
    });
  });
}
