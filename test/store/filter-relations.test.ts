/**
 * Filters on `groups` (a User's, direct and through nested groups) and `members` (a Group's), on
 * every dialect, alone (compiled as a set) and as a conjunct that another condition drives
 * (compiled as a check of each row): both forms must give the same resources.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseFilter } from '../../src/scim/filter/parse.ts';
import { GROUP, USER } from '../../src/scim/schema/definitions.ts';
import { addMembers } from '../../src/store/memberships.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import { deleteResource, insertResource, listResources } from '../../src/store/resources.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { newUser, numTerm, strTerm, T0 } from './store-fixtures.ts';

const ORG = 'rel';
// Ids as the service makes them: lower-case UUIDs.
const U = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const G = (n: number) => `00000000-0000-4000-8000-0000000000a${n}`;

// u1 in A; u2 in B, B in A (so u2 is in A indirectly); u3 in C; u4 in nothing; u5 in D, which
// is deleted. Groups: A holds u1 and B; B holds u2; C holds u3.
const userCases: { filter: string; expect: number[] }[] = [
  { filter: `groups.value eq "${G(1)}"`, expect: [1, 2] },
  { filter: `groups.value eq "${G(1).toUpperCase()}"`, expect: [1, 2] },
  { filter: `groups.value eq "${G(2)}"`, expect: [2] },
  { filter: `groups.value eq "${G(4)}"`, expect: [] },
  { filter: 'groups[display eq "b team"]', expect: [2] },
  { filter: 'groups.display co "team"', expect: [1, 2, 3] },
  { filter: `groups[value eq "${G(1)}" and type eq "indirect"]`, expect: [2] },
  { filter: 'groups[type eq "direct"]', expect: [1, 2, 3] },
  { filter: 'groups pr', expect: [1, 2, 3] },
  { filter: 'not (groups pr)', expect: [4, 5] },
  { filter: `groups.value ne "${G(1)}"`, expect: [3, 4, 5] },
  { filter: `groups.$ref eq "https://x.example/scim/v2/o/Groups/${G(3)}"`, expect: [3] },
  // The same relations, as conjuncts that another condition drives.
  { filter: `userName eq "u2" and groups.value eq "${G(1)}"`, expect: [2] },
  { filter: `userName eq "u3" and groups.value eq "${G(1)}"`, expect: [] },
  { filter: 'userName sw "u" and groups.display co "a t"', expect: [1, 2] },
  { filter: 'userName sw "u" and groups[type eq "indirect"]', expect: [2] },
  { filter: 'userName sw "u" and not (groups pr)', expect: [4, 5] },
  { filter: `active eq true and groups.value eq "${G(2)}"`, expect: [2] },
  { filter: `name.givenName eq "x" or groups.value eq "${G(3)}"`, expect: [3] },
];

const groupCases: { filter: string; expect: number[] }[] = [
  { filter: `members.value eq "${U(2)}"`, expect: [2] },
  { filter: `members.value eq "${G(2)}"`, expect: [1] },
  { filter: 'members[type eq "Group"]', expect: [1] },
  { filter: 'members.display eq "u3"', expect: [3] },
  { filter: 'not (members pr)', expect: [] },
  { filter: `displayName sw "a" and members.value eq "${U(1)}"`, expect: [1] },
  { filter: `displayName sw "b" and members.value eq "${U(1)}"`, expect: [] },
  { filter: 'displayName co "team" and members[type eq "User" and display eq "u3"]', expect: [3] },
  { filter: 'displayName co "team" and not (members.display eq "u1")', expect: [2, 3] },
];

for (const dialect of dialects) {
  describe(`groups and members filters: ${dialect}`, () => {
    let t: TestDatabase;
    const pks = new Map<string, number>();
    before(async () => {
      t = await openTestDatabase(dialect);
      const db = t.database.db;
      await insertOrg(db, { id: ORG, name: 'Relations', createdAt: T0 });
      for (let n = 1; n <= 5; n++) {
        const r = await insertResource(
          db,
          newUser(ORG, U(n), {
            userName: `u${n}`,
            terms: [strTerm('userName', `u${n}`), numTerm('active', 1)],
          }),
        );
        pks.set(U(n), r.pk);
      }
      const names = ['A team', 'B team', 'C team', 'D team'];
      for (let n = 1; n <= 4; n++) {
        const name = names[n - 1] as string;
        const r = await insertResource(db, {
          ...newUser(ORG, G(n), { userName: null }),
          type: 'Group',
          displayName: name,
          doc: { schemas: [GROUP.core.id], displayName: name },
          terms: [strTerm('displayName', name)],
        });
        pks.set(G(n), r.pk);
      }
      const pk = (id: string) => pks.get(id) as number;
      const user = (n: number) => ({ pk: pk(U(n)), type: 'User' as const });
      await addMembers(db, ORG, pk(G(1)), [user(1), { pk: pk(G(2)), type: 'Group' }]);
      await addMembers(db, ORG, pk(G(2)), [user(2)]);
      await addMembers(db, ORG, pk(G(3)), [user(3)]);
      await addMembers(db, ORG, pk(G(4)), [user(5)]);
      await deleteResource(db, ORG, 'Group', G(4), T0);
    });
    after(async () => {
      await t?.cleanup();
    });

    for (const [type, cases, idOf] of [
      ['User', userCases, U],
      ['Group', groupCases, G],
    ] as const) {
      for (const c of cases) {
        test(`${type}s: ${c.filter}`, async () => {
          const result = await listResources(t.database.db, {
            orgId: ORG,
            type,
            filter: parseFilter(c.filter, type === 'User' ? USER : GROUP),
            offset: 0,
            limit: 100,
          });
          assert.deepEqual(result.rows.map((r) => r.id).sort(), c.expect.map(idOf).sort());
          assert.equal(result.total, c.expect.length);
        });
      }
    }
  });
}
