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
  groupWithMembersQuery,
  listMembers,
  memberPage,
  withOrderedMemberScan,
} from '../../src/store/memberships.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import { insertResource, listQueries, listResources } from '../../src/store/resources.ts';
import type { DB } from '../../src/store/schema.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { newUser, T0 } from './store-fixtures.ts';

const USERS = 3000;
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

    before(async () => {
      t = await openTestDatabase(dialect);
      const db = t.database.db;
      await insertOrg(db, { id: ORG, name: ORG, createdAt: T0 });
      await db.transaction().execute(async (tx) => {
        for (let i = 0; i < USERS; i++) {
          const r = await insertResource(tx, newUser(ORG, `u-${String(i).padStart(5, '0')}`));
          pks.push(r.pk);
        }
        const group = await insertResource(tx, {
          ...newUser(ORG, 'g-all', { userName: null, displayName: 'everyone' }),
          type: 'Group',
        });
        groupPk = group.pk;
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

    if (dialect !== 'postgres') return;

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

    test('a member page after the first reads its own members, not the rest of the group', async () => {
      const { rows, plan } = await withOrderedMemberScan(t.database.db, (tx) =>
        explainRows(tx, memberPage(tx, groupPk, { afterPk: pks[999], limit: 100 }).compile()),
      );
      assert.ok(rows <= 10 * 100, `the plan produced ${rows} rows: ${plan}`);
    });

    test("a group read with its first members reads those members, not the group's", async () => {
      const { rows, plan } = await explainRows(t.database.db, groupWithMembersQuery(ORG, 'g-all', 101));
      assert.ok(rows <= 10 * 101, `the plan produced ${rows} rows: ${plan}`);
    });
  });
}
