/**
 * The response to a PATCH of a group's document (src/directory/resources.ts patchDocument
 * reads the group's first MEMBER_PAGE + 1 members with its row): every member, in pages past
 * the first, and a 204 with the ETag past GROUP_PATCH_BODY_MAX_MEMBERS members unless the
 * request asks for attributes, as before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MEMBER_PAGE } from '../../src/directory/resources.ts';
import { GROUP_PATCH_BODY_MAX_MEMBERS } from '../../src/http/scim-resources.ts';
import { addMembers } from '../../src/store/memberships.ts';
import { insertResources } from '../../src/store/resources.ts';
import { PATCH_OP, startTestApp, type TestApp } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import { newUser } from '../store/store-fixtures.ts';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

for (const dialect of dialects) {
  describe(`PATCH of a large group's document (${dialect})`, () => {
    let t: TestApp;
    let users: { pk: number; id: string }[];
    before(async () => {
      t = await startTestApp(dialect, { REQUEST_LOG: 'false' });
      const records = await insertResources(
        t.directory.database.db,
        Array.from({ length: MEMBER_PAGE + 2 }, (_, i) =>
          newUser(t.orgId, `m-${String(i).padStart(5, '0')}`),
        ),
      );
      users = records.map((r) => ({ pk: r.pk, id: r.id }));
    });
    after(async () => {
      await t.close();
    });

    /** A group of the first `size` users. */
    async function group(size: number): Promise<string> {
      const res = await t.request('POST', 'Groups', { schemas: [GROUP_SCHEMA], displayName: `G${size}` });
      assert.equal(res.statusCode, 201, res.body);
      const id = JSON.parse(res.body).id as string;
      const row = await t.directory.database.db
        .selectFrom('resources')
        .select('pk')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      await addMembers(
        t.directory.database.db,
        t.orgId,
        Number(row.pk),
        users.slice(0, size).map((u) => ({ pk: u.pk, type: 'User' as const })),
      );
      return id;
    }

    const rename = (id: string, name: string, query = '') =>
      t.request('PATCH', `Groups/${id}${query}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'displayName', value: name }],
      });

    test(`${GROUP_PATCH_BODY_MAX_MEMBERS} members: 200 with every one of them`, async () => {
      const id = await group(GROUP_PATCH_BODY_MAX_MEMBERS);
      const res = await rename(id, 'Renamed');
      assert.equal(res.statusCode, 200, res.body);
      const body = JSON.parse(res.body);
      assert.equal(body.displayName, 'Renamed');
      assert.deepEqual(
        body.members.map((m: { value: string }) => m.value),
        users.slice(0, GROUP_PATCH_BODY_MAX_MEMBERS).map((u) => u.id),
      );
    });

    test('one member more: 204 with the ETag; asked for attributes, 200 with all of them', async () => {
      const id = await group(MEMBER_PAGE + 2);
      const res = await rename(id, 'Big');
      assert.equal(res.statusCode, 204, res.body);
      const etag = res.headers.etag;
      const read = await t.request('GET', `Groups/${id}?attributes=displayName`);
      assert.equal(read.headers.etag, etag);
      assert.equal(JSON.parse(read.body).displayName, 'Big');
      const full = await rename(id, 'Bigger', '?attributes=displayName,members');
      assert.equal(full.statusCode, 200, full.body);
      assert.deepEqual(
        JSON.parse(full.body).members.map((m: { value: string }) => m.value),
        users.map((u) => u.id),
      );
    });
  });
}
