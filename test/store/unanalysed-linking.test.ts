/**
 * A SCIM create probes the org's members added otherwise (API members, JIT users of SSO) for
 * one to link (src/store/linking.ts). On tables never analysed (autovacuum off, or right after
 * an import) PostgreSQL must still probe by key: it once read one of the three partial
 * indexes on the org alone and filtered every non-SCIM member of the org, per create.
 * Checked without timing, by the rows and index entries the statements read. Both dialects
 * find the same members.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { StoreCreateDeferred } from '../../src/store/errors.ts';
import {
  findLinkable,
  hasLinkable,
  type LinkBy,
  type LinkKeys,
  linkableExistsSqlite,
  setMemberSource,
} from '../../src/store/linking.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import { createResourceWith, type WriteRecords } from '../../src/store/resource-writes.ts';
import { insertResource } from '../../src/store/resources.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { tuplesRead } from '../helpers/pg-plans.ts';
import { newUser, strTerm, T0 } from './store-fixtures.ts';

const ORG = 'linking';
/** Non-SCIM members, a quarter of each kind: API, and SSO linked by email, userName, NameID. */
const MEMBERS = 2000;
const SCIM_USERS = 1000;
const KINDS: (LinkBy | null)[] = [null, 'email', 'userName', 'nameId'];
/** Rows and index entries a create may read: its own writes' lookups and a few probes. */
const CREATE_READS = 100;

const name = (i: number) => `m-${String(i).padStart(5, '0')}`;
const email = (i: number) => `${name(i)}@example.com`;
const sub = (i: number) => `sub-${i}`;

/**
 * The keys a SCIM create of userName `userName` with `emails` and `externalId` links on (the
 * create's statement takes the userName and externalId from the new row: pass the same).
 */
function keysOf(userName: string, emails: string[] = [], externalId: string | null = null): LinkKeys {
  return {
    keys: [...new Set([userName, ...emails].map((k) => k.toLowerCase()))],
    userName: userName.toLowerCase(),
    externalId,
  };
}

const records = (id: string): WriteRecords => ({
  audit: {
    orgId: ORG,
    at: T0,
    requestId: 'r',
    actorKind: 'system',
    tokenId: null,
    action: 'create',
    resourceType: 'User',
    resourceId: id,
    attributes: ['userName'],
  },
});

for (const dialect of dialects) {
  describe(`linking probes on tables never analysed (${dialect})`, () => {
    let t: TestDatabase;
    const pks: number[] = [];
    const db = () => t.database.db;

    before(async () => {
      t = await openTestDatabase(dialect);
      await insertOrg(db(), { id: ORG, name: ORG, createdAt: T0 });
      await db()
        .transaction()
        .execute(async (tx) => {
          for (let i = 0; i < MEMBERS; i++) {
            const linkBy = KINDS[i % KINDS.length] ?? null;
            const r = await insertResource(
              tx,
              newUser(ORG, `id-${i}`, { userName: name(i), externalId: linkBy === 'nameId' ? sub(i) : null }),
            );
            const byEmail = linkBy === null || linkBy === 'email';
            await setMemberSource(
              tx,
              r.pk,
              linkBy === null ? 'api' : 'sso',
              byEmail ? email(i) : null,
              linkBy,
            );
            pks.push(r.pk);
          }
          for (let i = 0; i < SCIM_USERS; i++) await insertResource(tx, newUser(ORG, `scim-${i}`));
        });
      if (dialect === 'postgres') {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from pg_class
          where relnamespace = current_schema()::regnamespace and relname = 'resources' and reltuples >= 0`.execute(
          db(),
        );
        assert.equal(rows[0]?.n, 0, 'the table was never analysed');
      }
    });

    after(async () => {
      await t?.cleanup();
    });

    const found = async (keys: LinkKeys) => {
      const members = await findLinkable(db(), ORG, keys);
      assert.equal(await hasLinkable(db(), ORG, keys), members.length > 0, 'hasLinkable agrees');
      if (dialect === 'sqlite') {
        // The create's guard on SQLite (resource-writes.ts) reads this expression instead.
        const e = linkableExistsSqlite(ORG, keys);
        const { rows } = e
          ? await db().executeQuery<{ x: number }>(CompiledQuery.raw(`select (${e.sql}) as x`, e.parameters))
          : { rows: [{ x: 0 }] };
        assert.equal(rows[0]?.x === 1, members.length > 0, 'linkableExistsSqlite agrees');
      }
      return members.map((m) => m.pk);
    };

    test('each member is found by the key it links on, and by no other', async () => {
      // An API member (0): by its userName or its email.
      assert.deepEqual(await found(keysOf('M-00000')), [pks[0]]);
      assert.deepEqual(await found(keysOf('someone', ['M-00000@example.com'])), [pks[0]]);
      // Linked by email (1): the email only.
      assert.deepEqual(await found(keysOf('someone', [email(1)])), [pks[1]]);
      assert.deepEqual(await found(keysOf(name(1))), []);
      // Linked by userName (2): the userName only, not as an email.
      assert.deepEqual(await found(keysOf(name(2).toUpperCase())), [pks[2]]);
      assert.deepEqual(await found(keysOf('someone', [name(2)])), []);
      // Linked by NameID (3): the externalId only, exactly.
      assert.deepEqual(await found(keysOf('someone', [], sub(3))), [pks[3]]);
      assert.deepEqual(await found(keysOf('someone', [], sub(3).toUpperCase())), []);
      assert.deepEqual(await found(keysOf(name(3))), []);
      // Two members of two keys: both, in pk order (the caller's conflict).
      assert.deepEqual(await found(keysOf(name(6), [email(5)])), [pks[5], pks[6]]);
      assert.deepEqual(await found(keysOf('nobody', ['nobody@example.com'], 'nobody')), []);
    });

    if (dialect !== 'postgres') return;

    test('a create that links nobody probes by key, not the org', async () => {
      for (const generic of [false, true]) {
        const id = generic ? 'new-generic' : 'new-custom';
        const { n, result } = await tuplesRead(db(), async (tx) => {
          // A named statement's generic plan (after five runs) must not read the org either.
          if (generic) await sql`set local plan_cache_mode = force_generic_plan`.execute(tx);
          return createResourceWith(
            tx,
            newUser(ORG, id, { externalId: `sub-${id}`, terms: [strTerm('userName', id)] }),
            records(id),
            keysOf(id, [`${id}@example.com`], `sub-${id}`),
          );
        });
        assert.equal(result.id, id);
        assert.ok(n <= CREATE_READS, `the create (${generic ? 'generic' : 'custom'} plan) read ${n} rows`);
      }
    });

    test('a create that matches members returns them, reading a few rows', async () => {
      for (const generic of [false, true]) {
        const { n, result } = await tuplesRead(db(), async (tx) => {
          if (generic) await sql`set local plan_cache_mode = force_generic_plan`.execute(tx);
          return createResourceWith(
            tx,
            newUser(ORG, 'again', { userName: 'someone-else', externalId: sub(11) }),
            records('again'),
            keysOf('someone-else', [email(9)], sub(11)),
          ).catch((error: unknown) => error);
        });
        assert.ok(result instanceof StoreCreateDeferred, 'the create was deferred');
        assert.deepEqual(
          result.linkable?.map((m) => m.pk),
          [pks[9], pks[11]],
        );
        assert.ok(n <= CREATE_READS, `the create read ${n} rows`);
      }
    });

    test("the locked lookup reads the matches, not the org's members", async () => {
      const { n, result } = await tuplesRead(db(), (tx) =>
        findLinkable(tx, ORG, keysOf(name(1998), [email(1997)], sub(1999))),
      );
      assert.deepEqual(
        result.map((m) => m.pk),
        [pks[1997], pks[1998], pks[1999]],
      );
      assert.ok(n <= 20, `findLinkable read ${n} rows`);
    });
  });
}
