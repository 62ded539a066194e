/**
 * A create or update with its terms, event and audit row in one store call (one statement on
 * PostgreSQL: src/store/resource-writes.ts): all of it or none, on both dialects.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { StoreConflict, StoreNotFound, StoreVersionMismatch } from '../../src/store/errors.ts';
import { addMembers } from '../../src/store/memberships.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import {
  CREATES_AT_ONCE,
  createResourceWith,
  createTurns,
  deleteResourceWith,
  updateResourceWith,
  type WriteRecords,
} from '../../src/store/resource-writes.ts';
import { deleteResource, type ResourceRecord } from '../../src/store/resources.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { newUser, numTerm, strTerm, T0 } from './store-fixtures.ts';

const records = (action: string, event = true): WriteRecords => ({
  ...(event
    ? {
        event: {
          orgId: 'o1',
          type: `user.${action}`,
          at: T0,
          resourceType: 'User',
          resourceId: 'x',
          data: { action },
        },
      }
    : {}),
  audit: {
    orgId: 'o1',
    at: T0,
    requestId: 'r',
    actorKind: 'system',
    tokenId: null,
    action,
    resourceType: 'User',
    resourceId: 'x',
    attributes: ['title'],
  },
});

for (const dialect of dialects) {
  describe(`resource writes with their records (${dialect})`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(dialect);
      await insertOrg(t.database.db, { id: 'o1', name: 'O', createdAt: T0 });
    });
    after(async () => {
      await t.cleanup();
    });

    const db = () => t.database.db;
    /** `work`'s result, and how many statements and transactions it sent through Kysely. */
    const throughKysely = async <T>(work: () => Promise<T>): Promise<{ result: T; viaKysely: number }> => {
      const root = db();
      const kysely = { executeQuery: root.executeQuery, transaction: root.transaction };
      let viaKysely = 0;
      root.executeQuery = ((...a: Parameters<typeof root.executeQuery>) => {
        viaKysely++;
        return kysely.executeQuery.apply(root, a);
      }) as typeof root.executeQuery;
      root.transaction = (() => {
        viaKysely++;
        return kysely.transaction.apply(root);
      }) as typeof root.transaction;
      try {
        return { result: await work(), viaKysely };
      } finally {
        root.executeQuery = kysely.executeQuery;
        root.transaction = kysely.transaction;
      }
    };
    const terms = async (pk: number) =>
      (
        await db()
          .selectFrom('resource_terms')
          .select(['path', 'elem', 'str', 'lc', 'num'])
          .where('resource_pk', '=', pk)
          .execute()
      )
        .map((r) =>
          JSON.stringify([r.path, Number(r.elem), r.str, r.lc, r.num === null ? null : Number(r.num)]),
        )
        .sort();
    const expected = (
      list: { path: string; elem: number; str: string | null; lc: string | null; num: number | null }[],
    ) => list.map((r) => JSON.stringify([r.path, r.elem, r.str, r.lc, r.num])).sort();
    const count = async (table: 'events' | 'audit_events', resourceId: string) =>
      Number(
        (
          await sql<{
            n: number;
          }>`select count(*) as n from ${sql.table(table)} where resource_id = ${resourceId}`.execute(db())
        ).rows[0]?.n,
      );
    const live = async () =>
      Number(
        (
          await db()
            .selectFrom('resource_counts')
            .select('n')
            .where('org_id', '=', 'o1')
            .where('type', '=', 'User')
            .executeTakeFirst()
        )?.n ?? 0,
      );

    test('a create writes the row, its terms, the live count, the event and the audit row', async () => {
      const before = await live();
      const termsIn = [
        strTerm('userName', 'a1'),
        strTerm('emails.value', 'A@x.com', 0),
        numTerm('active', 1),
      ];
      const record = await createResourceWith(db(), newUser('o1', 'a1', { terms: termsIn }), {
        ...records('created'),
        event: { ...(records('created').event as NonNullable<WriteRecords['event']>), resourceId: 'a1' },
        audit: { ...records('created').audit, resourceId: 'a1' },
      });
      assert.equal(record.id, 'a1');
      assert.equal(record.version, 1);
      assert.deepEqual(await terms(record.pk), expected(termsIn));
      assert.equal(await live(), before + 1);
      assert.equal(await count('events', 'a1'), 1);
      assert.equal(await count('audit_events', 'a1'), 1);
    });

    test('creates at once: a taken userName among them fails alone, the others are written', async () => {
      const before = await live();
      // On SQLite a create outside a transaction runs on the writer itself (sqlite-driver.ts
      // writeInGroup), as a member of the group commit: nothing goes through Kysely's executor.
      const { result: results, viaKysely } = await throughKysely(() =>
        Promise.allSettled(
          ['b1', 'b2', 'A1', 'b3'].map((name) =>
            createResourceWith(
              db(),
              newUser('o1', `id-${name}`, { userName: name, terms: [strTerm('nickName', name)] }),
              {
                ...records('created', false),
                audit: { ...records('created').audit, resourceId: `id-${name}` },
              },
            ),
          ),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
      );
      const failed = results[2];
      assert.ok(failed?.status === 'rejected' && failed.reason instanceof StoreConflict);
      assert.equal(await live(), before + 3);
      assert.equal(await count('audit_events', 'id-A1'), 0);
      for (const r of results)
        if (r.status === 'fulfilled') assert.equal((await terms(r.value.pk)).length, 1);
      if (dialect === 'sqlite') assert.equal(viaKysely, 0, 'SQLite creates ran through Kysely');
    });

    test('a create whose userName is taken writes nothing at all', async () => {
      const before = await live();
      await assert.rejects(
        createResourceWith(db(), newUser('o1', 'a2', { userName: 'A1' }), records('created')),
        (e) => e instanceof StoreConflict && e.field === 'userName',
      );
      assert.equal(await live(), before);
      assert.equal(await count('events', 'a2'), 0);
      assert.equal(await count('audit_events', 'a2'), 0);
    });

    let user: ResourceRecord;
    test('an update at the version read rewrites the changed terms only, and records', async () => {
      user = await createResourceWith(
        db(),
        newUser('o1', 'u1', {
          terms: [strTerm('userName', 'u1'), strTerm('emails.value', 'old@x.com', 0), strTerm('title', 'T')],
        }),
        records('created', false),
      );
      const next = [
        strTerm('userName', 'u1'),
        strTerm('emails.value', 'new@x.com', 0),
        strTerm('emails.value', 'two@x.com', 1),
      ];
      const updated = await updateResourceWith(
        db(),
        user.pk,
        {
          userName: 'u1',
          externalId: 'e1',
          displayName: 'U One',
          active: false,
          doc: { userName: 'u1', x: 1 },
          lastModified: T0,
          terms: next,
        },
        user.version,
        user,
        {
          event: { ...(records('updated').event as NonNullable<WriteRecords['event']>), resourceId: 'u1' },
          audit: { ...records('updated').audit, resourceId: 'u1' },
        },
      );
      assert.equal(updated.version, user.version + 1);
      assert.equal(updated.externalId, 'e1');
      assert.equal(updated.displayName, 'U One');
      assert.equal(updated.active, false);
      assert.deepEqual(updated.doc, { userName: 'u1', x: 1 });
      assert.deepEqual(await terms(user.pk), expected(next));
      assert.equal(await count('events', 'u1'), 1);
      assert.equal(await count('audit_events', 'u1'), 1);
      user = updated;
    });

    test('an update from a version that moved on writes nothing and says so', async () => {
      await assert.rejects(
        updateResourceWith(
          db(),
          user.pk,
          { ...user, doc: { stale: true }, lastModified: T0, terms: [] },
          user.version - 1,
          user,
          {
            event: { ...(records('updated').event as NonNullable<WriteRecords['event']>), resourceId: 'u1' },
            audit: { ...records('updated').audit, resourceId: 'u1' },
          },
        ),
        (e) => e instanceof StoreVersionMismatch,
      );
      assert.equal((await terms(user.pk)).length, 3);
      assert.equal(await count('events', 'u1'), 1);
      assert.equal(await count('audit_events', 'u1'), 1);
    });

    test('updates at once: a taken userName among them fails alone, the others are written', async () => {
      const made: ResourceRecord[] = [];
      await createResourceWith(
        db(),
        newUser('o1', 'id-taken', { userName: 'taken' }),
        records('created', false),
      );
      for (const name of ['w1', 'w2', 'w3']) {
        made.push(
          await createResourceWith(
            db(),
            newUser('o1', `id-${name}`, {
              userName: name,
              terms: [strTerm('userName', name), strTerm('title', 'Old')],
            }),
            records('created', false),
          ),
        );
      }
      // On SQLite an update outside a transaction runs on the writer itself, as a create does.
      const { result: results, viaKysely } = await throughKysely(() =>
        Promise.allSettled(
          made.map((user, i) => {
            const userName = i === 1 ? 'TAKEN' : `${user.userName}x`;
            return updateResourceWith(
              db(),
              user.pk,
              {
                ...user,
                userName,
                doc: { userName, title: 'New' },
                lastModified: T0,
                terms: [strTerm('userName', userName), strTerm('title', 'New')],
              },
              user.version,
              user,
              {
                event: {
                  ...(records('updated').event as NonNullable<WriteRecords['event']>),
                  resourceId: user.id,
                },
                audit: { ...records('updated').audit, resourceId: user.id },
              },
            );
          }),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      const failed = results[1];
      assert.ok(failed?.status === 'rejected' && failed.reason instanceof StoreConflict);
      assert.equal(failed.reason.field, 'userName');
      for (const [i, user] of made.entries()) {
        const title = (await terms(user.pk)).map((row) => JSON.parse(row)).find(([path]) => path === 'title');
        assert.equal(title?.[3], i === 1 ? 'old' : 'new', user.id);
        assert.equal(await count('events', user.id), i === 1 ? 0 : 1, user.id);
        assert.equal(await count('audit_events', user.id), i === 1 ? 0 : 1, user.id);
        const result = results[i];
        if (result?.status === 'fulfilled') {
          assert.equal(result.value.version, user.version + 1);
          assert.deepEqual(result.value.doc, { userName: `${user.userName}x`, title: 'New' });
        }
      }
      if (dialect === 'sqlite') assert.equal(viaKysely, 0, 'SQLite updates ran through Kysely');
    });

    test('an update of a deleted resource is StoreNotFound', async () => {
      await deleteResource(db(), 'o1', 'User', 'u1', T0);
      await assert.rejects(
        updateResourceWith(
          db(),
          user.pk,
          { ...user, lastModified: T0, terms: [] },
          user.version,
          user,
          records('updated'),
        ),
        (e) => e instanceof StoreNotFound,
      );
    });

    test('a delete writes the tombstone, uncounts it, drops its terms and memberships, moves its groups, and records', async () => {
      const member = await createResourceWith(db(), newUser('o1', 'd1'), records('created', false));
      const group = await createResourceWith(
        db(),
        newUser('o1', 'dg1', { type: 'Group', userName: null, displayName: 'DG' }),
        records('created', false),
      );
      await addMembers(db(), 'o1', group.pk, [{ pk: member.pk, type: 'User' }]);
      const before = await live();
      const deleted = await deleteResourceWith(db(), member, T0, {
        event: { ...(records('deleted').event as NonNullable<WriteRecords['event']>), resourceId: 'd1' },
        audit: { ...records('deleted').audit, resourceId: 'd1' },
      });
      assert.equal(deleted, true);
      assert.equal(await live(), before - 1);
      assert.deepEqual(await terms(member.pk), []);
      const memberships = await db()
        .selectFrom('memberships')
        .select('group_pk')
        .where('member_pk', '=', member.pk)
        .execute();
      assert.equal(memberships.length, 0);
      const row = await db()
        .selectFrom('resources')
        .select(['deleted_at', 'user_name_lc'])
        .where('pk', '=', member.pk)
        .executeTakeFirst();
      assert.equal(row?.deleted_at, T0);
      assert.equal(row?.user_name_lc, null);
      const groupRow = await db()
        .selectFrom('resources')
        .select('version')
        .where('pk', '=', group.pk)
        .executeTakeFirst();
      assert.ok(Number(groupRow?.version) > group.version, 'the group it was in has a new version');
      assert.equal(await count('events', 'd1'), 1);
      assert.equal(await count('audit_events', 'd1'), 1);
      // Deleted already: nothing is written again.
      assert.equal(
        await deleteResourceWith(db(), member, T0, {
          ...records('deleted'),
          audit: { ...records('deleted').audit, resourceId: 'd1' },
        }),
        false,
      );
      assert.equal(await live(), before - 1);
      assert.equal(await count('audit_events', 'd1'), 1);
    });

    test('concurrent creates of one org take turns, two at a time on PostgreSQL, and all land', async () => {
      const before = await live();
      const key = 'o1\u0000User';
      const creates = Array.from({ length: 30 }, (_, i) =>
        createResourceWith(db(), newUser('o1', `turn${i}`), records('created', false)),
      );
      // Synchronously after the calls: on PostgreSQL two statements run and the rest wait in
      // this process (store/turns.ts); SQLite's writer serialises them its own way.
      const seen = createTurns.size(key);
      if (dialect === 'postgres')
        assert.deepEqual(seen, { running: CREATES_AT_ONCE, waiting: 30 - CREATES_AT_ONCE });
      else assert.deepEqual(seen, { running: 0, waiting: 0 });
      const made = await Promise.all(creates);
      assert.equal(new Set(made.map((r) => r.pk)).size, 30);
      assert.equal(await live(), before + 30);
      assert.deepEqual(createTurns.size(key), { running: 0, waiting: 0 });
      assert.equal(createTurns.keys(), 0, 'no entry is left behind');
    });

    test('a create that fails in its turn hands the turn on', async () => {
      const key = 'o1\u0000User';
      const outcomes = await Promise.allSettled(
        // Every other one takes a userName already taken: StoreConflict.
        Array.from({ length: 10 }, (_, i) =>
          createResourceWith(
            db(),
            newUser('o1', `hand${i}`, { userName: i % 2 === 0 ? 'turn0' : `hand${i}` }),
            records('created', false),
          ),
        ),
      );
      assert.deepEqual(
        outcomes.map((o) => o.status),
        Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 'rejected' : 'fulfilled')),
      );
      for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof StoreConflict);
      assert.deepEqual(createTurns.size(key), { running: 0, waiting: 0 });
    });
  });
}
