/**
 * Listing pages and group member pages on tables never analysed (autovacuum off, or a
 * production database right after a large import): on PostgreSQL the plan must not depend
 * on statistics it does not have. Checked without timing: EXPLAIN ANALYZE counts the rows
 * every plan node produced, and a page may only read about the rows it skips and returns,
 * never re-read the org per row (a nested loop over a deep page's keys) nor read and sort
 * the whole org for a first page. Both dialects return the same pages.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CompiledQuery, type Kysely, sql } from 'kysely';
import {
  addMembers,
  findMembersById,
  groupWithMembersQuery,
  hasMoreMembersThan,
  listMembers,
  memberLookupQuery,
  removeMembers,
} from '../../src/store/memberships.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import {
  getResource,
  insertResource,
  listQueries,
  listResources,
  liveUsersAfter,
  readResourceWithToken,
  searchResources,
} from '../../src/store/resources.ts';
import type { DB } from '../../src/store/schema.ts';
import { insertToken } from '../../src/store/tokens.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { tuplesRead } from '../helpers/pg-plans.ts';
import { attr, newUser, numTerm, strTerm, T0 } from './store-fixtures.ts';

const USERS = 3000;
/** Groups beside the one of everyone, so that a lookup that scans the org's groups shows. */
const GROUPS = 300;
const ORG = 'unanalysed';

interface PlanNode {
  'Actual Rows': number;
  'Actual Loops': number;
  'Node Type': string;
  Plans?: PlanNode[];
}

/** Rows produced by every node of the plan, each times its loops: the work the plan did. */
function rowsProduced(node: PlanNode): number {
  const own = node['Actual Rows'] * node['Actual Loops'];
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsProduced(child), 0);
}

async function explainRows(db: Kysely<DB>, query: CompiledQuery): Promise<{ rows: number; plan: string }> {
  const result = await db.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    CompiledQuery.raw(`explain (analyze, timing off, format json) ${query.sql}`, [...query.parameters]),
  );
  const plan = result.rows[0]?.['QUERY PLAN'][0]?.Plan;
  assert.ok(plan, 'EXPLAIN returned a plan');
  return { rows: rowsProduced(plan), plan: JSON.stringify(plan) };
}

for (const dialect of dialects) {
  describe(`pages on tables never analysed (${dialect})`, () => {
    let t: TestDatabase;
    const pks: number[] = [];
    let groupPk = 0;
    const groupPks: number[] = [];

    before(async () => {
      t = await openTestDatabase(dialect);
      const db = t.database.db;
      await insertOrg(db, { id: ORG, name: ORG, createdAt: T0 });
      await db.transaction().execute(async (tx) => {
        for (let i = 0; i < USERS; i++) {
          const id = `u-${String(i).padStart(5, '0')}`;
          const r = await insertResource(
            tx,
            newUser(ORG, id, {
              externalId: `ext-${i}`,
              terms: [strTerm('userName', id), numTerm('active', 1)],
            }),
          );
          pks.push(r.pk);
        }
        const group = await insertResource(tx, {
          ...newUser(ORG, 'g-all', { userName: null, displayName: 'everyone' }),
          type: 'Group',
        });
        groupPk = group.pk;
        for (let i = 0; i < GROUPS; i++) {
          const g = await insertResource(tx, {
            ...newUser(ORG, `g-${String(i).padStart(4, '0')}`, { userName: null, displayName: `group ${i}` }),
            type: 'Group',
          });
          groupPks.push(g.pk);
        }
        await addMembers(
          tx,
          ORG,
          groupPk,
          pks.map((pk) => ({ pk, type: 'User' as const })),
        );
      });
      if (dialect === 'postgres') {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from pg_class
          where relnamespace = current_schema()::regnamespace
            and relname in ('resources', 'memberships') and reltuples >= 0`.execute(db);
        assert.equal(rows[0]?.n, 0, 'the tables were never analysed');
      }
    });

    after(async () => {
      await t?.cleanup();
    });

    const q = { orgId: ORG, type: 'User' as const, limit: 100 };

    /** A list, and on PostgreSQL the rows and index entries it read (tuplesRead; 0 on SQLite). */
    const readList = (query: Parameters<typeof listResources>[1]) =>
      dialect === 'postgres'
        ? tuplesRead(t.database.db, (db) => listResources(db, query))
        : listResources(t.database.db, query).then((result) => ({ n: 0, result }));

    test('a deep startIndex page returns the rows at its position', async () => {
      for (const offset of [0, 1500, USERS - 50]) {
        const { rows } = await listResources(t.database.db, { ...q, offset });
        assert.deepEqual(
          rows.map((r) => r.pk),
          pks.slice(offset, offset + q.limit),
          `offset ${offset}`,
        );
      }
    });

    test('member pages after the first return the next members in order', async () => {
      const page = await listMembers(t.database.db, groupPk, { afterPk: pks[999], limit: 100 });
      assert.deepEqual(
        page.map((m) => m.pk),
        pks.slice(1000, 1100),
      );
      assert.equal(page[0]?.id, 'u-01000');
    });

    const everything = () =>
      new Map([
        ['User' as const, undefined],
        ['Group' as const, undefined],
      ]);

    test('a root search (Users and Groups) pages deep in creation order, and counts every resource', async () => {
      const all = [...pks, groupPk, ...groupPks];
      for (const offset of [0, USERS - 20, USERS + 250]) {
        const { total, rows } = await searchResources(t.database.db, {
          orgId: ORG,
          types: everything(),
          offset,
          limit: 100,
        });
        assert.equal(total, all.length);
        assert.deepEqual(
          rows.map((r) => r.pk),
          all.slice(offset, offset + 100),
          `offset ${offset}`,
        );
      }
      const filter = { op: 'eq' as const, attr: attr('id', { caseExact: true }), value: 'g-0007' };
      const found = await searchResources(t.database.db, {
        orgId: ORG,
        types: new Map([['Group' as const, filter]]),
        offset: 0,
        limit: 100,
      });
      assert.equal(found.total, 1);
      assert.equal(found.rows[0]?.id, 'g-0007');
    });

    // A PATCH removing `members[value eq "…"]` looks its ids up in every case form (idCaseForms).
    test("members named by id are looked up on the unique id index, not among the org's users", async () => {
      const ids = ['u-00042', 'U-00042', 'g-0007', 'u-gone'];
      const found = await findMembersById(t.database.db, ORG, ids);
      assert.deepEqual([...found.keys()].sort(), ['g-0007', 'u-00042']);
      const query = memberLookupQuery(t.database.db, ORG, ids).compile();
      if (dialect === 'sqlite') {
        const plan = await t.database.db.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
        );
        const detail = plan.rows.map((r) => r.detail).join('; ');
        assert.match(detail, /AND id=\?\)/, `the lookup does not seek by id: ${detail}`);
      } else {
        const { rows, plan } = await explainRows(t.database.db, query);
        // Eight probes (four ids, two types), each reading the entry at or after its key (three
        // plan nodes pass it on) and comparing it outside the index scan: about 34 rows.
        assert.ok(rows <= 40, `the plan produced ${rows} rows: ${plan}`);
      }
    });

    // filter-sql.ts selectiveDriverSet: on PostgreSQL the matches of the selective condition
    // first, then their rows; in the live index's order it checked the filter on every user.
    test('a compound filter with a selective eq reads its matches, not the org', async () => {
      const active = { op: 'eq' as const, attr: attr('active', { type: 'boolean' }), value: true };
      const ext = (i: number) => ({
        op: 'eq' as const,
        attr: attr('externalId', { caseExact: true }),
        value: `ext-${i}`,
      });
      const both = { op: 'and' as const, left: ext(1234), right: active };
      const either = { op: 'or' as const, left: ext(2000), right: ext(10) };
      const cases = [
        { filter: both, limit: 100, offset: 0, pks: [pks[1234]], total: 1 },
        { filter: either, limit: 100, offset: 0, pks: [pks[10], pks[2000]], total: 2 },
        { filter: either, limit: 1, offset: 0, pks: [pks[10]], total: 2 },
        { filter: either, limit: 1, offset: 1, pks: [pks[2000]], total: 2 },
      ];
      for (const c of cases) {
        const read = await readList({ ...q, limit: c.limit, offset: c.offset, filter: c.filter });
        const label = `${JSON.stringify(c.filter)} limit ${c.limit} offset ${c.offset}`;
        assert.deepEqual(
          read.result.rows.map((r) => r.pk),
          c.pks,
          label,
        );
        assert.equal(read.result.total, c.total, label);
        if (dialect === 'postgres')
          assert.ok(read.n <= 100, `${label}: read ${read.n} rows and index entries`);
      }
    });

    // filter-sql.ts narrowingDriverSet: a range on an indexed column reads its own matches.
    test("a range on an indexed column reads its matches on that column's index, not the org", async () => {
      const userName = attr('userName');
      const lastModified = attr('meta.lastModified', { type: 'dateTime' });
      const cases = [
        {
          name: 'userName sw',
          filter: { op: 'sw' as const, attr: userName, value: 'U-0120' },
          offset: 0,
          pks: pks.slice(1200, 1210),
          total: 10,
          small: true,
        },
        {
          name: 'userName sw, and a second condition',
          filter: {
            op: 'and' as const,
            left: { op: 'eq' as const, attr: attr('active', { type: 'boolean' }), value: true },
            right: { op: 'sw' as const, attr: userName, value: 'u-0042' },
          },
          offset: 0,
          pks: pks.slice(420, 430),
          total: 10,
          small: true,
        },
        {
          name: 'meta.lastModified gt, none newer',
          filter: { op: 'gt' as const, attr: lastModified, value: '2100-01-01T00:00:00Z' },
          offset: 0,
          pks: [],
          total: 0,
          small: true,
        },
        // A range that holds the whole org: every page in pk order, deep ones too.
        ...[0, 1500, USERS - 50].map((offset) => ({
          name: `meta.lastModified ge, offset ${offset}`,
          filter: { op: 'ge' as const, attr: lastModified, value: T0 },
          offset,
          pks: pks.slice(offset, offset + 100),
          total: USERS,
          small: false,
        })),
      ];
      for (const c of cases) {
        const read = await readList({ ...q, offset: c.offset, filter: c.filter });
        assert.deepEqual(
          read.result.rows.map((r) => r.pk),
          c.pks,
          c.name,
        );
        assert.equal(read.result.total, c.total, c.name);
        if (dialect === 'postgres' && c.small)
          assert.ok(read.n <= 100, `${c.name}: read ${read.n} rows and index entries`);
      }
    });

    // filter-relations.ts groupsWithMember: the member by its id, then its groups.
    test("members.value eq finds the member on its id index, not among the org's memberships", async () => {
      const value = { op: 'eq' as const, attr: attr('members.value'), value: 'U-00042' };
      const filters = [
        value,
        {
          op: 'valuePath' as const,
          attr: attr('members', { type: 'complex', multiValued: true }),
          filter: value,
        },
      ];
      for (const filter of filters) {
        const read = await readList({ orgId: ORG, type: 'Group', limit: 100, offset: 0, filter });
        assert.deepEqual(
          read.result.rows.map((r) => r.pk),
          [groupPk],
          filter.op,
        );
        // The org's groups are walked (two entries each), never its 3,000 memberships.
        if (dialect === 'postgres')
          assert.ok(read.n <= 2 * GROUPS + 100, `${filter.op}: read ${read.n} rows and index entries`);
      }
    });

    // filter-relations.ts relationValueSet: the group's members first, then their rows.
    test("groups.value eq reads the group's members, not the org's users", async () => {
      const db = t.database.db;
      const team = pks.slice(700, 710);
      const teamPk = groupPks[7] as number;
      await addMembers(
        db,
        ORG,
        teamPk,
        team.map((pk) => ({ pk, type: 'User' as const })),
      );
      try {
        const filter = { op: 'eq' as const, attr: attr('groups.value'), value: 'g-0007' };
        const read = await readList({ ...q, offset: 0, filter });
        assert.deepEqual(
          read.result.rows.map((r) => r.pk),
          team,
        );
        assert.equal(read.result.total, team.length);
        // The org's groups are walked to find the one (two entries each), never its users.
        if (dialect === 'postgres')
          assert.ok(read.n <= 2 * GROUPS + 100, `read ${read.n} rows and index entries`);
      } finally {
        await removeMembers(db, teamPk, team);
      }
    });

    // filter-chain.ts pkIn: a set as large as the org is a hash, not a list searched per row.
    test('a filter whose set holds the whole org checks each row against a hash, not a list', async () => {
      const active = attr('active', { type: 'boolean' });
      const isActive = { op: 'eq' as const, attr: active, value: true };
      const cases = [
        { name: 'active pr', filter: { op: 'pr' as const, attr: active }, total: USERS },
        { name: 'not (active eq true)', filter: { op: 'not' as const, filter: isActive }, total: 0 },
        {
          name: 'groups.value eq (everyone)',
          filter: { op: 'eq' as const, attr: attr('groups.value'), value: 'g-all' },
          total: USERS,
        },
      ];
      for (const c of cases) {
        for (const offset of [0, USERS - 50]) {
          const list = await listResources(t.database.db, { ...q, offset, filter: c.filter });
          assert.equal(list.total, c.total, c.name);
          assert.deepEqual(
            list.rows.map((r) => r.pk),
            c.total === 0 ? [] : pks.slice(offset, offset + q.limit),
            `${c.name} offset ${offset}`,
          );
          if (dialect !== 'postgres') continue;
          const { count, page } = listQueries(t.database.db, { ...q, offset, filter: c.filter });
          for (const query of [count.compile(), page.compile()]) {
            const { plan } = await explainRows(t.database.db, query);
            // `pk = ANY ($n)` as a row filter searches the whole set for every row: the square
            // of the org's size (more than 10 s at 100,000 users).
            const filters = [...plan.matchAll(/"Filter":"([^"]*)"/g)].map((m) => m[1] ?? '');
            assert.ok(
              filters.every((f) => !/= ANY \(\$\d+\)/.test(f)),
              `${c.name} offset ${offset}: a row filter searches a list: ${filters.join(' | ')}`,
            );
          }
        }
      }
    });

    if (dialect !== 'postgres') return;

    test('a root search reads the live counts when unfiltered, and no count for a small result', async () => {
      const unfiltered = await tuplesRead(t.database.db, (tx) =>
        searchResources(tx, { orgId: ORG, types: everything(), offset: 0, limit: 10 }),
      );
      assert.equal(unfiltered.result.total, USERS + 1 + GROUPS);
      assert.ok(unfiltered.n <= 200, `an unfiltered first page read ${unfiltered.n} rows and index entries`);
      const filter = { op: 'eq' as const, attr: attr('userName'), value: 'u-00042' };
      const small = await tuplesRead(t.database.db, (tx) =>
        searchResources(tx, {
          orgId: ORG,
          types: new Map([['User' as const, filter]]),
          offset: 0,
          limit: 100,
        }),
      );
      assert.equal(small.result.total, 1);
      assert.ok(small.n <= 200, `a search for one user read ${small.n} rows and index entries`);
    });

    test('the first page reads its own rows, not the whole org sorted', async () => {
      const { page } = listQueries(t.database.db, { ...q, offset: 0 });
      const { rows, plan } = await explainRows(t.database.db, page.compile());
      assert.ok(rows <= 10 * q.limit, `the plan produced ${rows} rows: ${plan}`);
    });

    test('a deep page skips index entries once, and reads only its own rows', async () => {
      const offset = USERS - 200;
      const { page } = listQueries(t.database.db, { ...q, offset });
      const { rows, plan } = await explainRows(t.database.db, page.compile());
      assert.ok(rows <= 2 * (offset + q.limit) + 10 * q.limit, `the plan produced ${rows} rows: ${plan}`);
    });

    test('the first member page reads its own members, not every membership sorted', async () => {
      const { n, result } = await tuplesRead(t.database.db, (tx) => listMembers(tx, groupPk, { limit: 100 }));
      assert.deepEqual(
        result.map((m) => m.pk),
        pks.slice(0, 100),
      );
      assert.ok(n <= 10 * 100, `the first page read ${n} rows and index entries`);
    });

    test('a member page after the first, outside a transaction too, reads its own members', async () => {
      const { n, result } = await tuplesRead(t.database.db, (tx) =>
        listMembers(tx, groupPk, { afterPk: pks[1999], limit: 100 }),
      );
      assert.equal(result[0]?.pk, pks[2000]);
      assert.ok(n <= 10 * 100, `the page read ${n} rows and index entries`);
    });

    test("a batch of the org's users after a pk reads its own rows (a property mapping's walk)", async () => {
      const { n, result } = await tuplesRead(t.database.db, (tx) =>
        liveUsersAfter(tx, ORG, pks[1999] as number, 100),
      );
      assert.deepEqual(
        result.map((r) => r.pk),
        pks.slice(2000, 2100),
      );
      assert.ok(n <= 10 * 100, `the batch read ${n} rows and index entries`);
    });

    test('hasMoreMembersThan(n) reads about n members, not the group', async () => {
      for (const [limit, more] of [
        [100, true],
        [USERS, false],
      ] as const) {
        const { n, result } = await tuplesRead(t.database.db, (tx) => hasMoreMembersThan(tx, groupPk, limit));
        assert.equal(result, more);
        assert.ok(n <= 2 * limit + 100, `hasMoreMembersThan(${limit}) read ${n} rows and index entries`);
      }
    });

    test("a group by id is found on its id index, not among the org's groups", async () => {
      const { n, result } = await tuplesRead(t.database.db, (tx) => getResource(tx, ORG, 'Group', 'g-0150'));
      assert.equal(result?.displayName, 'group 150');
      assert.ok(n <= 10, `the lookup read ${n} rows and index entries`);
      const { rows, plan } = await explainRows(t.database.db, groupWithMembersQuery(ORG, 'g-0150', 101));
      assert.ok(rows <= 10, `the plan produced ${rows} rows: ${plan}`);
    });

    test('the userName eq lookup, and a GET read with its token, use the unique indexes', async () => {
      const filter = { op: 'eq' as const, attr: attr('userName'), value: 'U-01500' };
      const { n, result } = await tuplesRead(t.database.db, (tx) =>
        listResources(tx, { ...q, offset: 0, filter }),
      );
      assert.deepEqual(
        result.rows.map((r) => r.pk),
        [pks[1500]],
      );
      assert.ok(n <= 10, `the lookup read ${n} rows and index entries`);
      const hash = 'ab'.repeat(32);
      await insertToken(t.database.db, {
        id: 'tok-unanalysed',
        orgId: ORG,
        name: 't',
        prefix: 'scim_x',
        hash,
        createdAt: T0,
      });
      const read = await tuplesRead(t.database.db, (tx) =>
        readResourceWithToken(tx, hash, ORG, 'Group', 'g-0150'),
      );
      assert.equal(read.result.token?.id, 'tok-unanalysed');
      assert.equal(read.result.record?.displayName, 'group 150');
      assert.ok(read.n <= 10, `the GET read ${read.n} rows and index entries`);
    });

    test("a group read with its first members reads those members, not the group's", async () => {
      const { rows, plan } = await explainRows(t.database.db, groupWithMembersQuery(ORG, 'g-all', 101));
      assert.ok(rows <= 10 * 101, `the plan produced ${rows} rows: ${plan}`);
    });
  });
}
