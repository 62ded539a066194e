/**
 * A page of groups whose members the response shows reads each group's first members for the
 * whole page in one query (src/directory/resources.ts withFirstMembers), a bounded number of
 * rows over all the groups; a group with more members than its share gets the rest page by
 * page. Every member must be there, once, whatever the share.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

for (const dialect of dialects) {
  describe(`a page of groups with their members (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect, { REQUEST_LOG: 'false' });
    });
    after(async () => {
      await t.close();
    });

    test('120 groups, one of them with 150 members: every member of every group, once', async () => {
      const users: string[] = [];
      for (let i = 0; i < 150; i += 25) {
        const made = await Promise.all(
          Array.from({ length: 25 }, (_, j) => t.request('POST', 'Users', user(`glm-${i + j}@example.com`))),
        );
        for (const res of made) {
          assert.equal(res.statusCode, 201, res.body);
          users.push(JSON.parse(res.body).id as string);
        }
      }
      const big = await t.request('POST', 'Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: 'GLM big',
        members: users.map((value) => ({ value })),
      });
      assert.equal(big.statusCode, 201, big.body);
      const expected = new Map<string, string[]>([[JSON.parse(big.body).id as string, [...users].sort()]]);
      for (let i = 0; i < 119; i += 17) {
        const made = await Promise.all(
          Array.from({ length: Math.min(17, 119 - i) }, (_, j) => {
            const members = users.slice(i + j, i + j + 2);
            return t.request('POST', 'Groups', {
              schemas: [GROUP_SCHEMA],
              displayName: `GLM ${i + j}`,
              members: members.map((value) => ({ value })),
            });
          }),
        );
        made.forEach((res, j) => {
          assert.equal(res.statusCode, 201, res.body);
          expected.set(JSON.parse(res.body).id as string, users.slice(i + j, i + j + 2).sort());
        });
      }
      const res = await t.request(
        'GET',
        `Groups?count=200&filter=${encodeURIComponent('displayName sw "GLM"')}`,
      );
      assert.equal(res.statusCode, 200, res.body);
      const body = JSON.parse(res.body) as {
        totalResults: number;
        Resources: { id: string; members?: { value: string }[] }[];
      };
      assert.equal(body.totalResults, 120);
      assert.equal(body.Resources.length, 120);
      for (const group of body.Resources) {
        const got = (group.members ?? []).map((m) => m.value).sort();
        assert.deepEqual(got, expected.get(group.id), `members of group ${group.id}`);
      }
      // Without members in the response, none are read, and the groups are all there.
      const bare = await t.request('GET', 'Groups?count=200&excludedAttributes=members');
      assert.equal(JSON.parse(bare.body).Resources.length, 120);
      assert.ok(JSON.parse(bare.body).Resources.every((g: { members?: unknown }) => g.members === undefined));
    });
  });
}
