/**
 * Filter shapes on PostgreSQL tables never analysed (autovacuum off, or just after a large
 * import), on an org shaped like the bench's (bench/shape-org.ts: everyone, teams, a nested
 * chain of 10): the rows each plan node produced (EXPLAIN ANALYZE, counts not times) stay near
 * what the shape must read, instead of a walk over every membership per recursion step, or
 * per user (store/filter-relations.ts), or over every live user for a `userName eq` that
 * another conjunct accompanies (store/resources.ts uniqueRow). The answers themselves are
 * checked on both dialects by filter-agreement and filter-relations tests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CompiledQuery, type Kysely, sql } from 'kysely';
import { SHAPES } from '../../bench/filter-shapes.ts';
import { type ShapeOrg, seedShapeOrg } from '../../bench/shape-org.ts';
import { parseListQuery } from '../../src/scim/list-query.ts';
import { GROUP, USER } from '../../src/scim/schema/definitions.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import { listQueries } from '../../src/store/resources.ts';
import type { DB } from '../../src/store/schema.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { T0 } from './store-fixtures.ts';

const USERS = 1000;
const ORG = 'shapes';

interface PlanNode {
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

function rowsProduced(node: PlanNode): number {
  return (
    node['Actual Rows'] * node['Actual Loops'] + (node.Plans ?? []).reduce((n, c) => n + rowsProduced(c), 0)
  );
}

describe('filter shapes on tables never analysed (postgres)', {
  skip: !dialects.includes('postgres'),
}, () => {
  let t: TestDatabase;
  let org: ShapeOrg;
  before(async () => {
    t = await openTestDatabase('postgres');
    await insertOrg(t.database.db, { id: ORG, name: ORG, createdAt: T0 });
    org = await seedShapeOrg(t.database.db, ORG, USERS);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_class
      where relnamespace = current_schema()::regnamespace
        and relname in ('resources', 'memberships') and reltuples >= 0`.execute(t.database.db);
    assert.equal(rows[0]?.n, 0, 'the tables were never analysed');
  });
  after(async () => {
    await t?.cleanup();
  });

  /** The rows a shape's first page produced in its plan, and how many resources it returned. */
  async function pageRows(path: string) {
    const db: Kysely<DB> = t.database.db;
    const [resource, query] = path.split('?') as [string, string];
    const rs = resource === 'Groups' ? GROUP : USER;
    const lq = parseListQuery(Object.fromEntries(new URLSearchParams(query)), rs, {
      defaultPageSize: 100,
      maxPageSize: 1000,
    });
    const { page } = listQueries(db, {
      orgId: ORG,
      type: rs.type.name,
      ...(lq.filter ? { filter: lq.filter } : {}),
      offset: lq.startIndex - 1,
      limit: lq.count,
    });
    const c = page.compile();
    const result = await db.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      CompiledQuery.raw(`explain (analyze, timing off, format json) ${c.sql}`, [...c.parameters]),
    );
    const plan = result.rows[0]?.['QUERY PLAN'][0]?.Plan;
    assert.ok(plan);
    return { rows: rowsProduced(plan), returned: plan['Actual Rows'], plan: JSON.stringify(plan) };
  }

  const shape = (name: string) => {
    const s = SHAPES.find((x) => x.name === name);
    assert.ok(s, name);
    return s.path(org);
  };

  test('userName eq … and groups.value eq …: the one user, not every live user', async () => {
    const { rows, returned, plan } = await pageRows(shape('userName eq … and groups.value eq …'));
    assert.equal(returned, 1);
    assert.ok(rows <= 50, `the plan produced ${rows} rows: ${plan}`);
  });

  test("groups filters read the matching groups' members, not every membership per step", async () => {
    for (const [name, bound] of [
      ['groups.value eq (a team of ≤400)', 1000],
      ['groups.display eq (a chain of 10 groups)', 300],
    ] as const) {
      const { rows, plan } = await pageRows(shape(name));
      assert.ok(rows <= bound, `${name}: the plan produced ${rows} rows: ${plan}`);
    }
  });

  test('groups[display co "e"] and emails[value co "1"]: each user\'s groups by index, not by scans', async () => {
    const path = `Users?count=1000&filter=${encodeURIComponent('groups[display co "e"] and emails[value co "1"]')}`;
    const { rows, returned, plan } = await pageRows(path);
    assert.ok(returned > 0);
    assert.ok(rows <= 20 * USERS, `the plan produced ${rows} rows: ${plan.slice(0, 2000)}`);
  });
});
