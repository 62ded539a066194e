/**
 * Lookups of one resource by id or userName on tables never analysed (autovacuum off, or a
 * production database right after a large import), at several sizes of the org: on PostgreSQL
 * every index on (org_id, type, …) then looks as if it held one row of the org, and which one
 * the planner took depended on the indexes' heights, so on the table's size and the keys'
 * lengths. With ids as the service makes them (uuids) and no externalIds (whose index then
 * deduplicates into a short tree), a GET by id read every user of the org from about 6,000
 * users on. Checked without timing: the rows and index entries each lookup read, at each size.
 * SQLite checks the same results (its planner picks the unique index by itself).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { findMembersById } from '../../src/store/memberships.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import {
  deleteResource,
  getResource,
  insertResources,
  listResources,
  listWithToken,
  lockGroupForDelete,
  lockResource,
  readResource,
  readResourceWithToken,
  searchResources,
} from '../../src/store/resources.ts';
import type { DB } from '../../src/store/schema.ts';
import { insertToken } from '../../src/store/tokens.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { blocksFetched, tuplesRead } from '../helpers/pg-plans.ts';
import { attr, newUser, T0 } from './store-fixtures.ts';

/** The org's size at each round: the planner's choice changed between these. */
const SIZES = [1500, 7000, 24000];
const ORG = randomUUID();
const OTHER = randomUUID();
const HASH = 'cd'.repeat(32);
/** The most rows and index entries a lookup of one row may read. */
const MAX_READ = 12;

for (const dialect of dialects) {
  describe(`one resource by id or userName on tables never analysed (${dialect})`, () => {
    let t: TestDatabase;
    let db: Kysely<DB>;
    const users: { id: string; userName: string }[] = [];
    const groups: string[] = [];
    let made = 0;

    before(async () => {
      t = await openTestDatabase(dialect);
      db = t.database.db;
      await insertOrg(db, { id: ORG, name: 'lookups', createdAt: T0 });
      await insertOrg(db, { id: OTHER, name: 'other', createdAt: T0 });
      await insertToken(db, {
        id: 'tok-lookups',
        orgId: ORG,
        name: 't',
        prefix: 'scim_l',
        hash: HASH,
        createdAt: T0,
      });
      // Another org's users share the tables (and the ids' shape), never the results.
      await insertResources(
        db,
        Array.from({ length: 300 }, (_, i) =>
          newUser(OTHER, randomUUID(), { userName: `user${i}@example.com` }),
        ),
      );
    });

    after(async () => {
      await t?.cleanup();
    });

    /** Grows the org to `size` users (and a group per 100), created a second apart. */
    async function growTo(size: number) {
      const batch = [];
      while (users.length < size) {
        const i = made++;
        const user = { id: randomUUID(), userName: `user${i}@example.com` };
        users.push(user);
        batch.push({
          // Half the users have an externalId, as when an IdP took over an org that had users.
          ...newUser(ORG, user.id, { userName: user.userName, externalId: i % 2 ? null : `ext-${i}` }),
          created: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
        });
        if (i % 100 === 0) {
          const id = randomUUID();
          groups.push(id);
          batch.push({
            ...newUser(ORG, id, { userName: null, displayName: `group ${i}` }),
            type: 'Group' as const,
          });
        }
      }
      await insertResources(db, batch);
    }

    /**
     * `work`'s result, after checking on PostgreSQL that it read at most MAX_READ rows, with a
     * custom plan and with the generic plan that a prepared statement uses after five runs.
     */
    async function light<T>(
      what: string,
      work: (tx: Kysely<DB>) => Promise<T>,
      once = false,
      most = MAX_READ,
    ): Promise<T> {
      if (dialect !== 'postgres') return work(db);
      let result: T | undefined;
      for (const mode of once ? ['auto'] : ['force_custom_plan', 'force_generic_plan']) {
        const read = await tuplesRead(db, async (tx) => {
          await sql.raw(`set local plan_cache_mode = ${mode}`).execute(tx);
          return work(tx);
        });
        assert.ok(
          read.n <= most,
          `${what} read ${read.n} rows and index entries at ${users.length} users (${mode})`,
        );
        result = read.result;
      }
      return result as T;
    }

    for (const size of SIZES) {
      test(`at ${size} users, every lookup of one resource reads about one row`, async () => {
        await growTo(size);
        if (dialect === 'postgres') {
          const { rows } = await sql<{ n: number }>`
            select count(*)::int as n from pg_class
            where relnamespace = current_schema()::regnamespace and relname = 'resources' and reltuples >= 0`.execute(
            db,
          );
          assert.equal(rows[0]?.n, 0, 'the table was never analysed');
        }
        const user = users[Math.floor(users.length / 2)] as { id: string; userName: string };
        const group = groups[Math.floor(groups.length / 2)] as string;

        assert.equal(
          (await light('getResource', (tx) => getResource(tx, ORG, 'User', user.id)))?.id,
          user.id,
        );
        assert.equal(
          (await light('readResource', (tx) => readResource(tx, ORG, 'User', user.id)))?.id,
          user.id,
        );
        assert.equal(await light('another org', (tx) => getResource(tx, OTHER, 'User', user.id)), undefined);
        const withToken = await light('a GET with its token', (tx) =>
          readResourceWithToken(tx, HASH, ORG, 'User', user.id),
        );
        assert.equal(withToken.token?.id, 'tok-lookups');
        assert.equal(withToken.record?.userName, user.userName);

        const byName = { op: 'eq' as const, attr: attr('userName'), value: user.userName.toUpperCase() };
        const q = { orgId: ORG, type: 'User' as const, offset: 0, limit: 100 };
        const listed = await light('userName eq', (tx) => listResources(tx, { ...q, filter: byName }));
        assert.deepEqual(
          listed.rows.map((r) => r.id),
          [user.id],
        );
        const read = await light('userName eq with its token', (tx) =>
          listWithToken(tx, HASH, { ...q, filter: byName }),
        );
        assert.ok(read && 'rows' in read);
        assert.deepEqual(
          read.rows.map((r) => r.id),
          [user.id],
        );
        const compound = {
          op: 'and' as const,
          left: byName,
          right: { op: 'pr' as const, attr: attr('userName') },
        };
        const both = await light('userName eq … and userName pr', (tx) =>
          listResources(tx, { ...q, filter: compound }),
        );
        assert.deepEqual(
          both.rows.map((r) => r.id),
          [user.id],
        );
        const searched = await light('a root search by userName', (tx) =>
          searchResources(tx, {
            orgId: ORG,
            types: new Map([['User' as const, byName]]),
            offset: 0,
            limit: 10,
          }),
        );
        assert.deepEqual(
          searched.rows.map((r) => r.id),
          [user.id],
        );

        const ext = users.findIndex(
          (u, i) => i >= users.length / 2 && u.userName.match(/^user(\d*[02468])@/),
        );
        const byExternalId = {
          op: 'eq' as const,
          attr: attr('externalId', { caseExact: true }),
          value: `ext-${users[ext]?.userName.match(/\d+/)?.[0]}`,
        };
        const external = await light('externalId eq', (tx) =>
          listResources(tx, { ...q, filter: byExternalId }),
        );
        assert.deepEqual(
          external.rows.map((r) => r.id),
          [users[ext]?.id],
        );

        const members = await light(
          'members by id',
          (tx) => findMembersById(tx, ORG, [user.id, user.id.toUpperCase(), group, randomUUID()]),
          false,
          // Eight probes (four ids, two types), each reading its key's entry or the next one.
          3 * MAX_READ,
        );
        assert.deepEqual([...members.keys()].sort(), [user.id, group].sort());

        if (dialect === 'postgres') {
          // Ids that match nothing (a 404, a member id of the other type) must not walk the rest of
          // the org's index: a row comparison's upper bound does not stop a scan. Counted in
          // buffer fetches, which the entries a scan skips inside the index do cost.
          const absent = Array.from({ length: 100 }, () => randomUUID());
          const blocks = await blocksFetched(db, (tx) => findMembersById(tx, ORG, absent));
          assert.equal(blocks.result.size, 0);
          assert.ok(
            blocks.n <= 200 * 6,
            `200 probes for absent ids fetched ${blocks.n} buffers at ${users.length} users`,
          );
        }

        // The reads of a PATCH, a group's PATCH and a group's DELETE, which lock the row.
        const locked = await light('a PATCH lock', (tx) => lockResource(tx, ORG, 'User', user.id));
        assert.equal(locked?.id, user.id);
        assert.equal((await light('a group lock', (tx) => lockResource(tx, ORG, 'Group', group)))?.id, group);
        const forDelete = await light('a group delete lock', (tx) => lockGroupForDelete(tx, ORG, group));
        assert.equal(forDelete?.record.id, group);

        // A delete finds the row as a lookup does; the next lookup finds nothing.
        const gone = users.splice(10, 1)[0] as { id: string };
        assert.equal(
          await light('a delete', (tx) => deleteResource(tx, ORG, 'User', gone.id, T0), true),
          true,
          'deleted',
        );
        assert.equal(await getResource(db, ORG, 'User', gone.id), undefined);
      });
    }

    test('externalId eq answers every live match in creation order, no tombstone', async () => {
      // externalId is not unique: an IdP may send one twice, and a deleted user keeps its own.
      const shared = Array.from({ length: 4 }, () => randomUUID());
      await insertResources(
        db,
        shared.map((id, i) => newUser(ORG, id, { userName: `shared${i}@example.com`, externalId: 'shared' })),
      );
      assert.equal(await deleteResource(db, ORG, 'User', shared[1] as string, T0), true);
      const live = [shared[0], shared[2], shared[3]];
      const filter = { op: 'eq' as const, attr: attr('externalId', { caseExact: true }), value: 'shared' };
      const q = { orgId: ORG, type: 'User' as const, offset: 0, filter };
      const all = await listResources(db, { ...q, limit: 10 });
      if (dialect === 'postgres') {
        const read = await tuplesRead(db, (tx) => listResources(tx, { ...q, limit: 10 }));
        assert.ok(read.n <= 4 * MAX_READ, `externalId eq of four rows read ${read.n} rows and index entries`);
      }
      assert.deepEqual(
        all.rows.map((r) => r.id),
        live,
      );
      assert.equal(all.total, 3);
      const first = await listResources(db, { ...q, limit: 2 });
      assert.deepEqual(
        first.rows.map((r) => r.id),
        live.slice(0, 2),
      );
      assert.equal(first.total, 3);
      assert.equal(
        (await listResources(db, { ...q, filter: { ...filter, value: 'SHARED' }, limit: 10 })).total,
        0,
      );
    });
  });
}
