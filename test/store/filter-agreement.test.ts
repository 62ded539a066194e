/**
 * The shared filter case table (test/cases/filter-cases.ts) over the shared fixture users,
 * through the in-memory evaluator and through the SQL compiler on every dialect: all three
 * must give the case's expected ids (ARCHITECTURE.md "Storage principles").
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { matchesFilter } from '../../src/scim/filter/evaluate.ts';
import { parseFilter } from '../../src/scim/filter/parse.ts';
import { USER } from '../../src/scim/schema/definitions.ts';
import { indexTerms } from '../../src/scim/schema/index-terms.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import { insertResource, listResources, updateResource } from '../../src/store/resources.ts';
import { filterCases } from '../cases/filter-cases.ts';
import { fixtureUsers } from '../cases/users-fixture.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';

const ORG = 'agree';

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Stores a fixture user as the directory would: columns from the doc, terms from indexTerms. */
async function storeFixture(t: TestDatabase, doc: Record<string, unknown>): Promise<void> {
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
}

const sorted = (ids: string[]) => [...ids].sort();

describe('filter agreement: evaluator', () => {
  for (const c of filterCases) {
    test(c.name, () => {
      const node = parseFilter(c.filter, USER);
      const ids = fixtureUsers.filter((u) => matchesFilter(node, u)).map((u) => String(u.id));
      assert.deepEqual(sorted(ids), sorted(c.expect), c.filter);
    });
  }
});

for (const dialect of dialects) {
  describe(`filter agreement: ${dialect}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(dialect);
      await insertOrg(t.database.db, { id: ORG, name: 'Agreement', createdAt: '2020-01-01T00:00:00.000Z' });
      for (const doc of fixtureUsers) await storeFixture(t, doc);
    });
    after(async () => {
      await t?.cleanup();
    });

    for (const c of filterCases) {
      test(c.name, async () => {
        const node = parseFilter(c.filter, USER);
        const result = await listResources(t.database.db, {
          orgId: ORG,
          type: 'User',
          filter: node,
          offset: 0,
          limit: 100,
        });
        const ids = result.rows.map((r) => r.id);
        assert.deepEqual(sorted(ids), sorted(c.expect), c.filter);
        assert.equal(result.total, c.expect.length);
        // And the evaluator agrees row by row with what the database returned.
        const evaluated = fixtureUsers.filter((u) => matchesFilter(node, u)).map((u) => String(u.id));
        assert.deepEqual(sorted(ids), sorted(evaluated), c.filter);
      });
    }
  });
}
