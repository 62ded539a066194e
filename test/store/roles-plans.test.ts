/**
 * A role recompute over many users on tables whose statistics lie (store/roles.ts
 * recomputeMarked). `role_work` is scratch, and `user_roles` empties when a rule goes: analysed
 * then (autovacuum, an ANALYZE after an import), PostgreSQL estimates them empty however many
 * rows a recompute puts there, and the joins of the set-wise recompute became nested loops over
 * a whole index per user (a rule on a 100,000-member group did not finish in 5 minutes).
 * Checked without timing: the transaction's own statistics counters give the rows and index
 * entries it read, which must grow with the users, not with their square. Both dialects give
 * every user its role and one event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { addMembers } from '../../src/store/memberships.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import { insertResource } from '../../src/store/resources.ts';
import {
  deleteRule,
  insertRule,
  markUsersBelowMatching,
  type RecomputeInput,
  recomputeMarked,
} from '../../src/store/roles.ts';
import type { DB } from '../../src/store/schema.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { newUser, T0 } from './store-fixtures.ts';

const USERS = 2000;
const ORG = 'roles-plans';
const ROLES = [
  { key: 'admin', priority: 100 },
  { key: 'member', priority: 10 },
];

/** Rows and index entries `work` read on PostgreSQL, from the transaction's own counters. */
async function tuplesRead(db: Kysely<DB>, work: (tx: Kysely<DB>) => Promise<number>) {
  return db.transaction().execute(async (tx) => {
    const counted = async () =>
      Number(
        (
          await sql<{ n: string }>`select coalesce(sum(pg_stat_get_xact_tuples_returned(c.oid) +
              pg_stat_get_xact_tuples_fetched(c.oid)), 0) as n
            from pg_class as c where c.relnamespace = current_schema()::regnamespace`.execute(tx)
        ).rows[0]?.n,
      );
    const before = await counted();
    const changed = await work(tx);
    return { read: (await counted()) - before, changed };
  });
}

for (const dialect of dialects) {
  describe(`a role recompute of ${USERS} users on lying statistics (${dialect})`, () => {
    let t: TestDatabase;
    let n = 0;

    before(async () => {
      t = await openTestDatabase(dialect);
      const db = t.database.db;
      await insertOrg(db, { id: ORG, name: ORG, createdAt: T0 });
      await db.transaction().execute(async (tx) => {
        const members = [];
        for (let i = 0; i < USERS; i++) {
          const r = await insertResource(tx, newUser(ORG, `u-${String(i).padStart(5, '0')}`));
          members.push({ pk: r.pk, type: 'User' as const });
        }
        const group = await insertResource(tx, {
          ...newUser(ORG, 'g-all', { userName: null, displayName: 'Everyone' }),
          type: 'Group',
        });
        // A nested group above it: roles come through nesting too.
        const above = await insertResource(tx, {
          ...newUser(ORG, 'g-above', { userName: null, displayName: 'Above' }),
          type: 'Group',
        });
        await addMembers(tx, ORG, group.pk, members);
        await addMembers(tx, ORG, above.pk, [{ pk: group.pk, type: 'Group' }]);
      });
    });

    after(async () => {
      await t?.cleanup();
    });

    /** A rule (match displayName) added or removed and its users recomputed, in one transaction. */
    async function ruleChange(value: string, role: string, add: boolean) {
      const db = t.database.db;
      const run = async (tx: Kysely<DB>) => {
        const id = `rule-${value}-${role}`;
        if (add) await insertRule(tx, { id, orgId: ORG, match: 'displayName', value, role, createdAt: T0 });
        else await deleteRule(tx, ORG, id);
        const nonce = `nonce-${n++}`;
        await markUsersBelowMatching(tx, nonce, ORG, 'displayName', value);
        const input: RecomputeInput = {
          orgId: ORG,
          nonce,
          at: T0,
          roles: ROLES,
          settings: { defaultRole: null, mode: 'highest' },
        };
        return recomputeMarked(tx, input);
      };
      if (dialect === 'postgres') return tuplesRead(db, run);
      return { read: undefined, changed: await db.transaction().execute(run) };
    }

    async function roleCounts(): Promise<Record<string, number>> {
      const { rows } = await sql<{ roles: string; n: number | string }>`
        select roles, count(*) as n from user_roles where org_id = ${ORG} group by roles`.execute(
        t.database.db,
      );
      return Object.fromEntries(rows.map((r) => [r.roles, Number(r.n)]));
    }

    test('reads grow with the users, after the scratch tables were analysed empty', async () => {
      // A first rule and its removal leave role_work and user_roles empty with their pages;
      // analysed now, they are estimated empty from then on.
      assert.equal((await ruleChange('Everyone', 'member', true)).changed, USERS);
      assert.equal((await ruleChange('Everyone', 'member', false)).changed, USERS);
      if (dialect === 'postgres') await sql`analyze role_work, user_roles`.execute(t.database.db);

      const added = await ruleChange('Everyone', 'member', true);
      assert.equal(added.changed, USERS);
      assert.deepEqual(await roleCounts(), { member: USERS });
      // Through the nested group: every user moves from member to admin.
      const nested = await ruleChange('Above', 'admin', true);
      assert.equal(nested.changed, USERS);
      assert.deepEqual(await roleCounts(), { admin: USERS });
      const removed = await ruleChange('Above', 'admin', false);
      assert.equal(removed.changed, USERS);
      assert.deepEqual(await roleCounts(), { member: USERS });
      const events = await sql<{ n: number | string }>`
        select count(*) as n from events where org_id = ${ORG} and type = 'user.roles_changed'`.execute(
        t.database.db,
      );
      assert.equal(Number(events.rows[0]?.n), 5 * USERS);
      if (dialect === 'postgres') {
        // A handful of reads per user and statement; the nested loops read USERS per user.
        for (const [what, r] of [
          ['rule added', added],
          ['nested rule added', nested],
          ['rule removed', removed],
        ] as const) {
          assert.ok(
            r.read !== undefined && r.read < 60 * USERS,
            `${what}: ${r.read} rows read for ${USERS} users`,
          );
        }
      }
    });
  });
}
