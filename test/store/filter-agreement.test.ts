/**
 * The shared filter case table (test/cases/filter-cases.ts) over the shared fixture users,
 * and its `members` / `groups` cases over the fixture groups (test/cases/groups-fixture.ts),
 * through the in-memory evaluator and through the SQL compiler on every dialect: all three
 * must give the case's expected ids (docs/filter-semantics.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { matchesFilter } from '../../src/scim/filter/evaluate.ts';
import { parseFilter } from '../../src/scim/filter/parse.ts';
import { GROUP, USER } from '../../src/scim/schema/definitions.ts';
import { indexTerms } from '../../src/scim/schema/index-terms.ts';
import { addMembers } from '../../src/store/memberships.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import { insertResource, listResources, updateResource } from '../../src/store/resources.ts';
import {
  type FilterCase,
  filterCases,
  memberFilterCases,
  userGroupFilterCases,
} from '../cases/filter-cases.ts';
import { fixtureGroups, fixtureUsersWithGroups, groupDoc } from '../cases/groups-fixture.ts';
import { fixtureUsers } from '../cases/users-fixture.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';

const ORG = 'agree';

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Stores a fixture user as the directory would: columns from the doc, terms from indexTerms. */
async function storeFixture(t: TestDatabase, doc: Record<string, unknown>): Promise<number> {
  const meta = doc.meta as { created: string; lastModified: string };
  const columns = {
    userName: str(doc.userName),
    externalId: str(doc.externalId),
    displayName: str(doc.displayName),
    active: typeof doc.active === 'boolean' ? doc.active : null,
    doc,
    terms: indexTerms(doc, USER),
  };
  const rec = await insertResource(t.database.db, {
    ...columns,
    orgId: ORG,
    type: 'User',
    id: String(doc.id),
    passwordHash: null,
    created: meta.created,
  });
  // Insert sets lastModified = created; the fixture's own lastModified is filtered on.
  await updateResource(t.database.db, rec.pk, { ...columns, lastModified: meta.lastModified });
  return rec.pk;
}

/** Stores the fixture groups (documents without members, as the directory does) and their membership rows. */
async function storeGroups(t: TestDatabase, userPks: Map<string, number>): Promise<void> {
  const pks = new Map(userPks);
  for (const g of fixtureGroups) {
    const doc = { schemas: [GROUP.core.id], displayName: g.displayName };
    const rec = await insertResource(t.database.db, {
      orgId: ORG,
      type: 'Group',
      id: g.id,
      userName: null,
      externalId: null,
      displayName: g.displayName,
      active: null,
      doc,
      passwordHash: null,
      created: '2024-01-01T00:00:00.000Z',
      terms: indexTerms(doc, GROUP),
    });
    pks.set(g.id, rec.pk);
  }
  for (const g of fixtureGroups) {
    const refs = g.members.map((m) => ({ pk: pks.get(m.id) as number, type: m.type }));
    await addMembers(t.database.db, ORG, pks.get(g.id) as number, refs);
  }
}

const sorted = (ids: string[]) => [...ids].sort();

/** The case tables, each with the resource type it filters and the documents the evaluator sees. */
const tables: { name: string; rs: typeof USER; docs: Record<string, unknown>[]; cases: FilterCase[] }[] = [
  { name: 'Users', rs: USER, docs: fixtureUsersWithGroups, cases: filterCases },
  { name: 'Users by groups', rs: USER, docs: fixtureUsersWithGroups, cases: userGroupFilterCases },
  { name: 'Groups by members', rs: GROUP, docs: fixtureGroups.map(groupDoc), cases: memberFilterCases },
];

for (const table of tables) {
  describe(`filter agreement: evaluator (${table.name})`, () => {
    for (const c of table.cases) {
      test(c.name, () => {
        const node = parseFilter(c.filter, table.rs);
        const ids = table.docs.filter((u) => matchesFilter(node, u)).map((u) => String(u.id));
        assert.deepEqual(sorted(ids), sorted(c.expect), c.filter);
      });
    }
  });
}

for (const dialect of dialects) {
  describe(`filter agreement: ${dialect}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(dialect);
      await insertOrg(t.database.db, { id: ORG, name: 'Agreement', createdAt: '2020-01-01T00:00:00.000Z' });
      const userPks = new Map<string, number>();
      for (const doc of fixtureUsers) userPks.set(String(doc.id), await storeFixture(t, doc));
      await storeGroups(t, userPks);
    });
    after(async () => {
      await t?.cleanup();
    });

    for (const table of tables) {
      for (const c of table.cases) {
        test(`${table.name}: ${c.name}`, async () => {
          const node = parseFilter(c.filter, table.rs);
          const result = await listResources(t.database.db, {
            orgId: ORG,
            type: table.rs.type.name,
            filter: node,
            offset: 0,
            limit: 100,
          });
          const ids = result.rows.map((r) => r.id);
          assert.deepEqual(sorted(ids), sorted(c.expect), c.filter);
          assert.equal(result.total, c.expect.length);
          // And the evaluator agrees row by row with what the database returned.
          const evaluated = table.docs.filter((u) => matchesFilter(node, u)).map((u) => String(u.id));
          assert.deepEqual(sorted(ids), sorted(evaluated), c.filter);
        });
      }
    }
  });
}
