/**
 * A read of one resource says, in the same statement, whether it is in any group (`inGroups`
 * in src/store/resources.ts). On PostgreSQL that statement is prepared once per connection
 * (src/store/pg-statements.ts), and after five runs it may keep a generic plan, made with the
 * memberships table as it was then: on a fresh service, near empty. Such a plan once kept a
 * sequential scan of memberships afterwards, after a large import (never analysed): every GET
 * of a user in no group read every membership. Checked without timing, by the rows and index
 * entries each read takes, on the same connection (one transaction) whose plans were made
 * while memberships was near empty. Both dialects give the same flags.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { addMembers, readGroupWithMembers } from '../../src/store/memberships.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import {
  insertResource,
  listWithToken,
  type ResourceRecord,
  readResource,
  readResourceWithToken,
} from '../../src/store/resources.ts';
import type { DB } from '../../src/store/schema.ts';
import { insertToken } from '../../src/store/tokens.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { attr, newUser, T0 } from './store-fixtures.ts';

const ORG = 'in-groups';
const HASH = 'cd'.repeat(32);
/** The import: GROUPS groups of MEMBERS users each, 50,000 memberships. */
const GROUPS = 500;
const MEMBERS = 100;
/** Rows and index entries one read may take: the token, its org, the user, one membership probe. */
const READS = 10;

/** Rows and index entries read on PostgreSQL by `work`, inside the transaction `tx`. */
async function readIn<T>(tx: Kysely<DB>, work: () => Promise<T>): Promise<{ n: number; result: T }> {
  const counted = async () =>
    Number(
      (
        await sql<{ n: string }>`select coalesce(sum(pg_stat_get_xact_tuples_returned(c.oid) +
          pg_stat_get_xact_tuples_fetched(c.oid)), 0) as n
        from pg_class as c where c.relnamespace = current_schema()::regnamespace`.execute(tx)
      ).rows[0]?.n,
    );
  const before = await counted();
  const result = await work();
  return { n: (await counted()) - before, result };
}

for (const dialect of dialects) {
  describe(`the membership flag of a read, after a large import (${dialect})`, () => {
    let t: TestDatabase;

    before(async () => {
      t = await openTestDatabase(dialect);
      const db = t.database.db;
      await insertOrg(db, { id: ORG, name: ORG, createdAt: T0 });
      await insertToken(db, {
        id: 'tok',
        orgId: ORG,
        name: 't',
        prefix: 'scim_x',
        hash: HASH,
        createdAt: T0,
      });
      // A fresh service: two users, one of them in a group, itself in another group.
      const grouped = await insertResource(db, newUser(ORG, 'grouped'));
      await insertResource(db, newUser(ORG, 'alone'));
      const group = (id: string) =>
        insertResource(db, { ...newUser(ORG, id, { userName: null }), type: 'Group' });
      const nested = await group('nested');
      const parent = await group('parent');
      await addMembers(db, ORG, nested.pk, [{ pk: grouped.pk, type: 'User' }]);
      await addMembers(db, ORG, parent.pk, [{ pk: nested.pk, type: 'Group' }]);
    });

    after(async () => {
      await t?.cleanup();
    });

    const reads = (tx: Kysely<DB>, id: string) => ({
      withToken: async () => (await readResourceWithToken(tx, HASH, ORG, 'User', id)).record,
      byUserName: async () => {
        const filter = { op: 'eq' as const, attr: attr('userName'), value: id };
        const list = await listWithToken(tx, HASH, {
          orgId: ORG,
          type: 'User',
          limit: 100,
          offset: 0,
          filter,
        });
        assert.ok(list && 'rows' in list, 'the userName lookup is read with its token');
        return list.rows[0];
      },
      alone: () => readResource(tx, ORG, 'User', id),
    });
    /** A group read with its first members (a PATCH of a group), as `reads` reads a user. */
    const groupRead = (tx: Kysely<DB>, id: string) => async () =>
      (await readGroupWithMembers(tx, ORG, id, 1))?.record;

    test('reads flag their user in a group or not, reading a few rows, with plans made before the import', async () => {
      await t.database.db.transaction().execute(async (tx) => {
        // Plans made while memberships holds one row: more than five runs each, so that a
        // prepared statement settles on its generic plan.
        for (let i = 0; i < 8; i++) {
          for (const id of ['grouped', 'alone']) {
            for (const [name, read] of Object.entries(reads(tx, id))) {
              const record = (await read()) as ResourceRecord | undefined;
              assert.equal(record?.inGroups, id === 'grouped', `${name} of ${id}`);
            }
          }
          for (const id of ['nested', 'parent']) {
            assert.equal((await groupRead(tx, id)())?.inGroups, id === 'nested', `group ${id}`);
          }
        }
        if (dialect === 'postgres') {
          const { rows } = await sql<{ generic: number }>`select count(*)::int as generic
            from pg_prepared_statements where generic_plans > 0 and statement like '%in_groups%'`.execute(tx);
          assert.ok((rows[0]?.generic ?? 0) >= 1, 'a statement with the flag kept its generic plan');
        }
        // The import: 50,000 memberships, never analysed.
        const users: { pk: number; type: 'User' }[] = [];
        for (let i = 0; i < MEMBERS; i++) {
          users.push({ pk: (await insertResource(tx, newUser(ORG, `member-${i}`))).pk, type: 'User' });
        }
        for (let g = 0; g < GROUPS; g++) {
          const group = await insertResource(tx, {
            ...newUser(ORG, `group-${g}`, { userName: null }),
            type: 'Group',
          });
          await addMembers(tx, ORG, group.pk, users);
        }
        for (const id of ['grouped', 'alone', 'member-7']) {
          for (const [name, read] of Object.entries(reads(tx, id))) {
            if (dialect !== 'postgres') {
              const record = (await read()) as ResourceRecord | undefined;
              assert.equal(record?.inGroups, id !== 'alone', `${name} of ${id}`);
              continue;
            }
            const { n, result } = await readIn(tx, read);
            assert.equal(
              (result as ResourceRecord | undefined)?.inGroups,
              id !== 'alone',
              `${name} of ${id}`,
            );
            assert.ok(n <= READS, `${name} of ${id} read ${n} rows and index entries`);
          }
        }
        for (const id of ['nested', 'parent']) {
          if (dialect !== 'postgres') {
            assert.equal((await groupRead(tx, id)())?.inGroups, id === 'nested', `group ${id}`);
            continue;
          }
          // The group, its flag, and its first member (with that member's display).
          const { n, result } = await readIn(tx, groupRead(tx, id));
          assert.equal(result?.inGroups, id === 'nested', `group ${id}`);
          assert.ok(n <= READS, `the read of group ${id} read ${n} rows and index entries`);
        }
      });
    });
  });
}
