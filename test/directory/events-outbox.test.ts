/**
 * The outbox: each SCIM change (single requests and Bulk) writes its events in its own
 * transaction; a failed change writes none; nested groups give every user whose effective
 * groups change a member event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { eventPayload } from '../../src/directory/event-form.ts';
import { type EventRow, latestPosition } from '../../src/store/events.ts';
import { PATCH_OP, startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import { outboxReader } from '../helpers/outbox.ts';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

for (const dialect of dialects) {
  describe(`outbox events (${dialect})`, () => {
    let t: TestApp;
    const fresh = outboxReader(() => t.directory.database.db);
    const brief = (rows: EventRow[]) =>
      rows.map((e) =>
        e.type.startsWith('group.member')
          ? `${e.type} ${e.resourceId} ${e.groupId} ${e.direct ? 'direct' : `via ${e.viaId}`}`
          : `${e.type} ${e.resourceId}`,
      );
    const post = async (path: string, body: unknown) => {
      const res = await t.request('POST', path, body);
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id as string;
    };
    const patch = async (path: string, ...Operations: unknown[]) => {
      const res = await t.request('PATCH', path, { schemas: [PATCH_OP], Operations });
      assert.ok(res.statusCode < 300, res.body);
    };

    before(async () => {
      t = await startTestApp(dialect);
      const org = await fresh();
      assert.deepEqual(
        org.map((e) => e.type),
        ['org.created', 'scim_token.created'],
      );
      assert.equal(JSON.stringify(org).includes(t.token), false, 'the token is never in an event');
    });
    after(async () => {
      await t.close();
    });

    test('a user: created, updated with previous values, deactivated, reactivated, deleted', async () => {
      const id = await post(
        'Users',
        user('ada@example.com', { displayName: 'Ada', password: 's3cret-Pass!' }),
      );
      const [created, ...rest] = await fresh();
      assert.equal(rest.length, 0);
      assert.equal(created?.type, 'user.created');
      assert.equal(created?.orgId, t.orgId);
      const data = created?.data as Record<string, unknown>;
      assert.equal(data.id, id);
      assert.equal(data.userName, 'ada@example.com');
      assert.equal(data.active, true);
      assert.equal(data.schemas, undefined);
      assert.equal(JSON.stringify(created).includes('s3cret'), false);

      await patch(
        `Users/${id}`,
        { op: 'replace', path: 'displayName', value: 'Ada L' },
        { op: 'replace', path: 'password', value: 'an0ther-Pass!' },
      );
      const [updated] = await fresh();
      assert.equal(updated?.type, 'user.updated');
      assert.deepEqual(updated?.changes, {
        changed: ['displayName', 'password'],
        previous: { displayName: 'Ada' },
      });
      assert.equal(JSON.stringify(updated).includes('an0ther'), false);

      await patch(`Users/${id}`, { op: 'replace', path: 'active', value: false });
      const [off] = await fresh();
      assert.equal(off?.type, 'user.deactivated');
      assert.deepEqual(off?.changes?.previous, { active: true });
      // A no-op writes nothing.
      await patch(`Users/${id}`, { op: 'replace', path: 'active', value: false });
      assert.deepEqual(await fresh(), []);
      await patch(`Users/${id}`, { op: 'replace', path: 'active', value: true });
      assert.equal((await fresh())[0]?.type, 'user.reactivated');
      assert.equal((await t.request('DELETE', `Users/${id}`)).statusCode, 204);
      const [deleted] = await fresh();
      assert.equal(deleted?.type, 'user.deleted');
      assert.equal((deleted?.data as { id?: string } | undefined)?.id, id);
    });

    test('each event keeps the format version it was written in', async () => {
      await post('Users', user('versioned@example.com'));
      const [now] = await fresh();
      assert.equal(now?.format, 2);
      assert.equal(eventPayload(now as EventRow).version, 2);
      // A row as a build before migration 0110 writes it (no format): version 1, as it was.
      await sql`insert into events (org_id, type, at, resource_type, resource_id, data)
        values (${t.orgId}, 'user.updated', ${new Date().toISOString()}, 'User', 'old', '{"title":"x"}')`.execute(
        t.directory.database.db,
      );
      const [old] = await fresh();
      assert.equal(old?.resourceId, 'old');
      assert.equal(eventPayload(old as EventRow).version, 1);
      assert.deepEqual(eventPayload(old as EventRow).data, { title: 'x' });
    });

    test('a change that fails writes no event', async () => {
      await post('Users', user('dup@example.com'));
      await fresh();
      const res = await t.request('POST', 'Users', user('dup@example.com'));
      assert.equal(res.statusCode, 409);
      // A group naming a member that does not exist: 400, nothing written.
      const bad = await t.request('POST', 'Groups', {
        schemas: [GROUP],
        displayName: 'Bad',
        members: [{ value: 'nope' }],
      });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(await fresh(), []);
    });

    test('groups: members added and removed, nesting reaches the users below, only real changes', async () => {
      const [u1, u2, u3] = [
        await post('Users', user('u1@example.com')),
        await post('Users', user('u2@example.com')),
        await post('Users', user('u3@example.com')),
      ];
      const parent = await post('Groups', {
        schemas: [GROUP],
        displayName: 'Parent',
        members: [{ value: u1 }],
      });
      const child = await post('Groups', {
        schemas: [GROUP],
        displayName: 'Child',
        members: [{ value: u1 }, { value: u2 }],
      });
      await fresh();
      // Nesting Child in Parent: Child's direct edge, and u2 gains Parent; u1 already had it.
      await patch(`Groups/${parent}`, { op: 'add', path: 'members', value: [{ value: child }] });
      assert.deepEqual(
        brief(await fresh()).sort(),
        [
          `group.member_added ${child} ${parent} direct`,
          `group.member_added ${u2} ${parent} via ${child}`,
        ].sort(),
      );
      // A grandparent above: u1 and u2 gain it through Parent.
      const top = await post('Groups', {
        schemas: [GROUP],
        displayName: 'Top',
        members: [{ value: parent }],
      });
      const topEvents = brief(await fresh());
      assert.deepEqual(topEvents.slice(0, 1), [`group.created ${top}`]);
      assert.deepEqual(
        topEvents.slice(1).sort(),
        [
          `group.member_added ${parent} ${top} direct`,
          `group.member_added ${u1} ${top} via ${parent}`,
          `group.member_added ${u2} ${top} via ${parent}`,
        ].sort(),
      );
      // u3 joins Child: u3 gains Child (direct), Parent and Top (through Child).
      await patch(`Groups/${child}`, { op: 'add', path: 'members', value: [{ value: u3 }] });
      assert.deepEqual(
        brief(await fresh()).sort(),
        [
          `group.member_added ${u3} ${child} direct`,
          `group.member_added ${u3} ${parent} via ${child}`,
          `group.member_added ${u3} ${top} via ${child}`,
        ].sort(),
      );
      // Adding someone already there: nothing.
      await patch(`Groups/${child}`, { op: 'add', path: 'members', value: [{ value: u3 }] });
      assert.deepEqual(await fresh(), []);
      // Child leaves Parent: u2 and u3 lose Parent and Top; u1 keeps both (directly in Parent).
      await patch(`Groups/${parent}`, { op: 'remove', path: `members[value eq "${child}"]` });
      assert.deepEqual(
        brief(await fresh()).sort(),
        [
          `group.member_removed ${child} ${parent} direct`,
          `group.member_removed ${u2} ${parent} via ${child}`,
          `group.member_removed ${u2} ${top} via ${child}`,
          `group.member_removed ${u3} ${parent} via ${child}`,
          `group.member_removed ${u3} ${top} via ${child}`,
        ].sort(),
      );
      // PUT replaces Child's members: u1 goes, u2 stays, u3 goes, nothing else.
      const put = await t.request('PUT', `Groups/${child}`, {
        schemas: [GROUP],
        displayName: 'Child renamed',
        members: [{ value: u2 }],
      });
      assert.equal(put.statusCode, 200, put.body);
      const replaced = await fresh();
      assert.deepEqual(
        brief(replaced).sort(),
        [
          `group.member_removed ${u1} ${child} direct`,
          `group.member_removed ${u3} ${child} direct`,
          `group.updated ${child}`,
        ].sort(),
      );
      const renamed = replaced.find((e) => e.type === 'group.updated');
      assert.deepEqual(renamed?.changes, { changed: ['displayName'], previous: { displayName: 'Child' } });
      // Deleting Top: Parent leaves it, and u1 (through Parent) loses it.
      assert.equal((await t.request('DELETE', `Groups/${top}`)).statusCode, 204);
      assert.deepEqual(
        brief(await fresh()).sort(),
        [
          `group.deleted ${top}`,
          `group.member_removed ${parent} ${top} direct`,
          `group.member_removed ${u1} ${top} via ${parent}`,
        ].sort(),
      );
    });

    test('Bulk writes its events like single requests', async () => {
      const res = await t.request('POST', '/scim/v2/' + t.orgId + '/Bulk', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [
          { method: 'POST', path: '/Users', bulkId: 'a', data: user('bulk1@example.com') },
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'g',
            data: { schemas: [GROUP], displayName: 'B', members: [{ value: 'bulkId:a' }] },
          },
        ],
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(
        (await fresh()).map((e) => e.type),
        ['user.created', 'group.created', 'group.member_added'],
      );
    });

    test('latestPosition is the last event', async () => {
      await post('Users', user('last@example.com'));
      const latest = await latestPosition(t.directory.database.db);
      const rows = await fresh();
      assert.deepEqual(latest, { tx: rows[rows.length - 1]?.tx, seq: rows[rows.length - 1]?.seq });
    });
  });
}
