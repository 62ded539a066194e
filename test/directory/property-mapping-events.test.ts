/**
 * A change of an org's property mappings (docs/properties.md) gives every user whose
 * `properties` change one `user.updated` event, with the previous value, written by the
 * mapping change's own transaction; users whose value stays get none, nor do other orgs'
 * users or deleted ones. The org has more users than one batch of the walk (500), so the
 * walk's paging is crossed twice. On each database.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Actor } from '../../src/directory/deps.ts';
import type { Directory } from '../../src/directory/directory.ts';
import { USER } from '../../src/scim/schema/definitions.ts';
import { type EventRow, latestPosition } from '../../src/store/events.ts';
import { ENTERPRISE, USER_SCHEMA } from '../helpers/app.ts';
import { dialects, type TestDatabase } from '../helpers/dialects.ts';
import { openTestDirectory } from '../helpers/directory.ts';
import { outboxReader } from '../helpers/outbox.ts';

const PROPERTIES = [
  { key: 'costCenter', type: 'string' as const, description: 'Billing cost center' },
  { key: 'level', type: 'number' as const, description: '' },
];
/** More than two batches of the walk (properties.ts USER_BATCH). */
const USERS = 1_050;

type Update = {
  data: { id: string; properties: Record<string, unknown>; userName: string };
  changes: { changed: string[]; previous: Record<string, unknown> };
};

for (const dialect of dialects) {
  describe(`property mapping changes send user.updated events (${dialect})`, () => {
    let t: TestDatabase;
    let directory: Directory;
    let acme: Actor;
    let other: Actor;
    const fresh = outboxReader(() => directory.database.db);
    /** The user.updated events since the last call, by user id; the other types listed apart. */
    async function updates(): Promise<{ byId: Map<string, Update[]>; others: EventRow[] }> {
      const byId = new Map<string, Update[]>();
      const others: EventRow[] = [];
      for (const e of await fresh()) {
        if (e.type !== 'user.updated') {
          others.push(e);
          continue;
        }
        assert.equal(e.orgId, acme.orgId, 'only the org whose mapping changed');
        const list = byId.get(String(e.resourceId)) ?? [];
        list.push({ data: e.data, changes: e.changes } as Update);
        byId.set(String(e.resourceId), list);
      }
      return { byId, others };
    }
    const ids: string[] = [];
    /** User i: cost center CC-<i> for even i, none for odd; title T-<i mod 3> (0: none). */
    const costCenter = (i: number) => (i % 2 === 0 ? `CC-${i}` : null);
    const title = (i: number) => (i % 3 === 0 ? null : `CC-${i}`);
    let deletedId = '';

    before(async () => {
      ({ t, directory } = await openTestDirectory(dialect, { properties: PROPERTIES }));
      const a = await directory.orgs.create('Acme', { id: 'acme' });
      const b = await directory.orgs.create('Other', { id: 'other' });
      acme = { orgId: a.org.id, tokenId: null, requestId: null };
      other = { orgId: b.org.id, tokenId: null, requestId: null };
      for (let i = 0; i < USERS; i++) {
        const cc = costCenter(i);
        const tt = title(i);
        const created = await directory.resources.create(acme, USER, {
          schemas: [USER_SCHEMA, ENTERPRISE],
          userName: `u${i}@acme.test`,
          ...(tt ? { title: tt } : {}),
          ...(i === 7 ? { active: false } : {}),
          ...(cc ? { [ENTERPRISE]: { costCenter: cc } } : {}),
        });
        ids.push(created.id);
      }
      // A deleted user is not walked; another org's users are not either.
      const gone = await directory.resources.create(acme, USER, {
        schemas: [USER_SCHEMA, ENTERPRISE],
        userName: 'gone@acme.test',
        [ENTERPRISE]: { costCenter: 'CC-gone' },
      });
      deletedId = gone.id;
      await directory.resources.delete(acme, USER, gone.id);
      await directory.resources.create(other, USER, {
        schemas: [USER_SCHEMA, ENTERPRISE],
        userName: 'x@other.test',
        title: 'X',
        [ENTERPRISE]: { costCenter: 'CC-x' },
      });
      await fresh();
    });
    after(async () => {
      await t?.cleanup();
    });

    test('mapping a property: one event per user that gains a value, previous null', async () => {
      await directory.properties.setMapping(acme.orgId, 'costCenter', `${ENTERPRISE}:costCenter`);
      const { byId, others } = await updates();
      assert.deepEqual(others, [], 'no other events');
      const expected = ids.filter((_, i) => costCenter(i) !== null);
      assert.equal(byId.size, expected.length);
      for (const [i, id] of ids.entries()) {
        const got = byId.get(id);
        if (costCenter(i) === null) {
          assert.equal(got, undefined, `u${i} keeps null: no event`);
          continue;
        }
        assert.equal(got?.length, 1, `u${i}: exactly one event`);
        const e = got?.[0] as Update;
        assert.equal(e.data.id, id);
        assert.equal(e.data.userName, `u${i}@acme.test`);
        assert.deepEqual(e.data.properties, { costCenter: costCenter(i), level: null });
        assert.deepEqual(e.changes, {
          changed: ['properties.costCenter'],
          previous: { 'properties.costCenter': null },
        });
      }
      assert.equal(byId.has(deletedId), false, 'a deleted user gets none');
      // The deactivated user is still a user of the org: its properties changed too.
      assert.equal(byId.get(ids[8] as string)?.length, 1);
    });

    test('the same mapping again reads nothing new and sends nothing', async () => {
      await directory.properties.setMapping(
        acme.orgId,
        'costCenter',
        `${ENTERPRISE.toLowerCase()}:COSTCENTER`,
      );
      const { byId, others } = await updates();
      assert.equal(byId.size, 0);
      assert.deepEqual(others, []);
    });

    test('remapping: only users whose value differs, with the value it replaces', async () => {
      await directory.properties.setMapping(acme.orgId, 'costCenter', 'title');
      const { byId } = await updates();
      let expected = 0;
      for (const [i, id] of ids.entries()) {
        const got = byId.get(id);
        if (costCenter(i) === title(i)) {
          assert.equal(got, undefined, `u${i}: same value from both paths, no event`);
          continue;
        }
        expected++;
        assert.equal(got?.length, 1, `u${i}: exactly one event`);
        assert.deepEqual(got?.[0]?.changes, {
          changed: ['properties.costCenter'],
          previous: { 'properties.costCenter': costCenter(i) },
        });
        assert.equal(got?.[0]?.data.properties.costCenter, title(i));
      }
      assert.equal(byId.size, expected);
      // The users whose even index is not a multiple of 3 read CC-i both ways: some stayed put.
      assert.ok(expected < USERS);
    });

    test('removing the mapping: every user that had a value goes back to null', async () => {
      const at = await latestPosition(directory.database.db);
      await directory.properties.removeMapping(acme.orgId, 'costCenter');
      const { byId } = await updates();
      const expected = ids.filter((_, i) => title(i) !== null);
      assert.equal(byId.size, expected.length);
      for (const id of expected) {
        const e = byId.get(id)?.[0];
        assert.equal(e?.data.properties.costCenter, null);
        assert.equal(e?.changes.changed.join(), 'properties.costCenter');
      }
      // All of them written by one transaction (PostgreSQL numbers rows by the writing
      // transaction, store/events.ts; SQLite writes 0).
      const rows = await directory.database.db
        .selectFrom('events')
        .select('tx')
        .distinct()
        .where('seq', '>', at.seq)
        .execute();
      assert.equal(rows.length, 1);
      // The audit entry of the change is in the trail, once.
      const trail = await directory.audit.page(
        acme.orgId,
        { action: 'property_mapping.remove' },
        { limit: 10 },
      );
      assert.equal(trail.items.length, 1);
    });
  });
}
