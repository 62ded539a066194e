import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PATCH_OP, startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

function group(displayName: string, members: string[] = [], extra: Record<string, unknown> = {}) {
  return { schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })), ...extra };
}

function patch(...Operations: unknown[]) {
  return { schemas: [PATCH_OP], Operations };
}

type Member = { value: string; display?: string; type?: string; $ref?: string };

for (const dialect of dialects) {
  describe(`Groups over HTTP (${dialect})`, () => {
    let t: TestApp;
    const users: Record<string, string> = {};
    const ids = (res: { json(): { members?: Member[] } }) =>
      (res.json().members ?? []).map((m) => m.value).sort();

    before(async () => {
      t = await startTestApp(dialect);
      for (const name of ['ann', 'ben', 'cat', 'dan']) {
        const res = await t.request(
          'POST',
          'Users',
          user(`${name}@example.com`, { displayName: name.toUpperCase() }),
        );
        users[name] = res.json().id;
      }
    });
    after(async () => {
      await t.close();
    });

    test('create with members; GET shows value, display, type and $ref; excludedAttributes=members', async () => {
      const res = await t.request('POST', 'Groups', group('Engineering', [users.ann!, users.ben!]));
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json();
      assert.equal(res.headers.location, `https://scim.test${t.base}/Groups/${body.id}`);
      assert.equal(body.meta.resourceType, 'Group');
      const ann = body.members.find((m: Member) => m.value === users.ann);
      assert.deepEqual(ann, {
        value: users.ann,
        $ref: `https://scim.test${t.base}/Users/${users.ann}`,
        display: 'ANN',
        type: 'User',
      });
      const slim = await t.request('GET', `Groups/${body.id}?excludedAttributes=members`);
      assert.equal(slim.statusCode, 200);
      assert.equal(slim.json().members, undefined);
      assert.equal(slim.json().displayName, 'Engineering');
      const only = await t.request('GET', `Groups/${body.id}?attributes=members.value`);
      assert.deepEqual(
        only.json().members.map((m: Member) => Object.keys(m)),
        [['value'], ['value']],
      );
    });

    test('an unknown member id is 400 invalidValue and nothing is created', async () => {
      const res = await t.request('POST', 'Groups', group('Ghosts', [users.ann!, crypto.randomUUID()]));
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().scimType, 'invalidValue');
      const list = await t.request('GET', `Groups?filter=${encodeURIComponent('displayName eq "Ghosts"')}`);
      assert.equal(list.json().totalResults, 0);
    });

    test('membership PATCH as deltas: add, idempotent add, filtered remove, value-list remove, replace', async () => {
      const created = await t.request('POST', 'Groups', group('Deltas', [users.ann!]));
      const id = created.json().id;
      // Okta: add with display; Entra: "$ref": null and capitalised op.
      let res = await t.request(
        'PATCH',
        `Groups/${id}`,
        patch(
          { op: 'add', path: 'members', value: [{ value: users.ben, display: 'ben' }] },
          { op: 'Add', path: 'members', value: [{ value: users.cat, $ref: null }] },
        ),
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(ids(res), [users.ann, users.ben, users.cat].sort());
      const version = res.json().meta.version;

      res = await t.request(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'add', path: 'members', value: [{ value: users.ann }] }),
      );
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().meta.version, version, 'adding an existing member changes nothing');

      res = await t.request(
        'PATCH',
        `Groups/${id}`,
        patch(
          { op: 'remove', path: `members[value eq "${users.ann}"]` },
          { op: 'remove', path: `members[value eq "${users.dan}"]` },
        ),
      );
      assert.equal(res.statusCode, 200, 'removing a non-member is not an error');
      assert.deepEqual(ids(res), [users.ben, users.cat].sort());

      res = await t.request(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'Remove', path: 'members', value: [{ value: users.ben }] }),
      );
      assert.deepEqual(ids(res), [users.cat]);

      res = await t.request(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'replace', path: 'members', value: [{ value: users.dan }, { value: users.ann }] }),
      );
      assert.deepEqual(ids(res), [users.ann, users.dan].sort(), 'replace sets the list exactly');

      res = await t.request('PATCH', `Groups/${id}`, patch({ op: 'replace', path: 'members', value: [] }));
      assert.deepEqual(ids(res), [], "Okta's empty push empties the group");
    });

    test('member ids in PATCH value filters match in any case', async () => {
      const { ann, ben, cat } = users as { ann: string; ben: string; cat: string };
      const id = (await t.request('POST', 'Groups', group('Case', [ann, ben, cat]))).json().id;
      const removed = await t.request(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'remove', path: `members[value eq "${ann.toUpperCase()}"]` }),
      );
      assert.ok(removed.statusCode < 300, removed.body);
      assert.deepEqual(ids(await t.request('GET', `Groups/${id}`)), [ben, cat].sort());
      const replaced = await t.request(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'replace', path: `members[value eq "${ben.toUpperCase()}"]`, value: [{ value: ann }] }),
      );
      assert.ok(replaced.statusCode < 300, replaced.body);
      assert.deepEqual(ids(await t.request('GET', `Groups/${id}`)), [ann, cat].sort());
    });

    test('rename without a path keeps the members (Okta, Entra)', async () => {
      const created = await t.request('POST', 'Groups', group('Old name', [users.ann!, users.ben!]));
      const id = created.json().id;
      const res = await t.request(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'replace', value: { id, displayName: 'New name' } }),
      );
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().displayName, 'New name');
      assert.deepEqual(ids(res), [users.ann, users.ben].sort());
    });

    test('a failing operation undoes the membership steps before it', async () => {
      const created = await t.request('POST', 'Groups', group('Atomic', [users.ann!]));
      const id = created.json().id;
      const res = await t.request(
        'PATCH',
        `Groups/${id}`,
        patch(
          { op: 'add', path: 'members', value: [{ value: users.ben }] },
          { op: 'add', path: 'members', value: [{ value: 'no-such-id' }] },
        ),
      );
      assert.equal(res.statusCode, 400);
      assert.match(res.json().detail, /Operations\[1\]/);
      assert.deepEqual(ids(await t.request('GET', `Groups/${id}`)), [users.ann]);
    });

    test('PUT replaces members exactly', async () => {
      const created = await t.request('POST', 'Groups', group('Put', [users.ann!, users.ben!]));
      const id = created.json().id;
      const res = await t.request('PUT', `Groups/${id}`, group('Put', [users.cat!]));
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(ids(res), [users.cat]);
    });

    test('filters on members and displayName; users carry their direct and indirect groups', async () => {
      const inner = (await t.request('POST', 'Groups', group('Inner', [users.dan!]))).json().id;
      const outer = (await t.request('POST', 'Groups', group('Outer', [inner]))).json().id;
      const byMember = await t.request(
        'GET',
        `Groups?filter=${encodeURIComponent(`members[value eq "${users.dan}"]`)}`,
      );
      assert.deepEqual(
        byMember
          .json()
          .Resources.map((g: { displayName: string }) => g.displayName)
          .sort(),
        ['Inner'],
      );
      const byValue = await t.request(
        'GET',
        `Groups?filter=${encodeURIComponent(`members.value eq "${inner}"`)}`,
      );
      assert.deepEqual(
        byValue.json().Resources.map((g: { id: string }) => g.id),
        [outer],
      );
      const typed = await t.request('GET', `Groups?filter=${encodeURIComponent('members[type eq "Group"]')}`);
      assert.deepEqual(
        typed.json().Resources.map((g: { id: string }) => g.id),
        [outer],
      );

      const dan = (await t.request('GET', `Users/${users.dan}`)).json();
      const groups = Object.fromEntries(dan.groups.map((g: Member) => [g.display, g.type]));
      assert.equal(groups.Inner, 'direct');
      assert.equal(groups.Outer, 'indirect');
      const danByGroup = await t.request(
        'GET',
        `Users?filter=${encodeURIComponent(`groups.value eq "${outer}"`)}`,
      );
      assert.deepEqual(
        danByGroup.json().Resources.map((u: { id: string }) => u.id),
        [users.dan],
      );
      // Listed users carry their groups too (read with the page's membership flags).
      assert.deepEqual(
        danByGroup
          .json()
          .Resources[0].groups.map((g: Member) => g.display)
          .sort(),
        ['Inner', 'Outer'],
      );
      const loner = (await t.request('POST', 'Users', user('loner@example.com'))).json().id;
      const listedLoner = await t.request('GET', `Users?filter=${encodeURIComponent(`id eq "${loner}"`)}`);
      assert.equal(listedLoner.json().Resources[0].groups, undefined, 'a user in no group has no groups');

      // Deleting a user removes its memberships in the same transaction.
      const temp = (await t.request('POST', 'Users', user('temp@example.com'))).json().id;
      await t.request(
        'PATCH',
        `Groups/${inner}`,
        patch({ op: 'add', path: 'members', value: [{ value: temp }] }),
      );
      assert.equal((await t.request('DELETE', `Users/${temp}`)).statusCode, 204);
      assert.deepEqual(ids(await t.request('GET', `Groups/${inner}`)), [users.dan]);
      // Deleting a group removes it from its members' groups.
      assert.equal((await t.request('DELETE', `Groups/${outer}`)).statusCode, 204);
      const after = (await t.request('GET', `Users/${users.dan}`)).json();
      assert.deepEqual(
        after.groups.map((g: Member) => g.display),
        ['Inner'],
      );
    });

    test('a group of 1,100 members: one PATCH adds them, GET streams them all, PATCH answers 204', async () => {
      const many: string[] = [];
      for (let i = 0; i < 1100; i++) many.push(crypto.randomUUID());
      // Users created directly through the directory: the HTTP path is covered above.
      const actor = { orgId: t.orgId, tokenId: null, requestId: null };
      const { USER } = await import('../../src/scim/schema/definitions.ts');
      const created: string[] = [];
      for (const [i] of many.entries()) {
        const r = await t.directory.resources.create(actor, USER, user(`bulk${i}@example.com`));
        created.push(r.id);
      }
      const g = (await t.request('POST', 'Groups', group('Big'))).json().id;
      const add = await t.request(
        'PATCH',
        `Groups/${g}`,
        patch({ op: 'add', path: 'members', value: created.map((value) => ({ value })) }),
      );
      assert.equal(add.statusCode, 204, 'large groups answer PATCH with 204');
      assert.match(String(add.headers.etag), /^W\/"\d+"$/);
      const full = await t.request('GET', `Groups/${g}`);
      assert.equal(full.statusCode, 200);
      assert.deepEqual(ids(full), [...created].sort());
      const withBody = await t.request(
        'PATCH',
        `Groups/${g}?attributes=displayName`,
        patch({ op: 'remove', path: `members[value eq "${created[0]}"]` }),
      );
      assert.equal(withBody.statusCode, 200, 'asking for attributes gets a body');
      assert.equal(withBody.json().members, undefined);
      const listed = await t.request('GET', `Groups?filter=${encodeURIComponent('displayName eq "Big"')}`);
      assert.equal(listed.json().Resources[0].members.length, 1099);
    });

    test('concurrent PATCHes with the same If-Match: exactly one wins', async () => {
      const created = await t.request('POST', 'Groups', group('Race'));
      const etag = String(created.headers.etag);
      const id = created.json().id;
      const results = await Promise.all(
        [users.ann, users.ben, users.cat].map((u) =>
          t.request('PATCH', `Groups/${id}`, patch({ op: 'add', path: 'members', value: [{ value: u }] }), {
            'if-match': etag,
          }),
        ),
      );
      const codes = results.map((r) => r.statusCode).sort();
      assert.deepEqual(codes, [200, 412, 412]);
      assert.equal(ids(await t.request('GET', `Groups/${id}`)).length, 1);
    });

    test('concurrent PATCHes without If-Match lose no update', async () => {
      const id = (await t.request('POST', 'Groups', group('NoLoss'))).json().id;
      await Promise.all(
        [users.ann, users.ben, users.cat, users.dan].map((u) =>
          t.request('PATCH', `Groups/${id}`, patch({ op: 'add', path: 'members', value: [{ value: u }] })),
        ),
      );
      assert.equal(ids(await t.request('GET', `Groups/${id}`)).length, 4);
    });
  });
}
