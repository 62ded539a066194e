/**
 * A user's ETag covers its computed `groups` (RFC 7643 §4.1.2; RFC 7644 §3.14: the version
 * changes when the resource does): a user in no group has `W/"<version>"`, a user in groups
 * `W/"<version>-<digest>"`, and every membership change, group rename, nesting or group delete
 * that changes what its `groups` show gives it a new ETag, although none writes the user's row.
 * Over real HTTP on a loopback port, on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { etagOf } from '../../src/scim/etag.ts';
import { PATCH_OP, startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const PLAIN = /^W\/"(\d+)"$/;
const WITH_GROUPS = /^W\/"(\d+)-[0-9a-f]{12}"$/;

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field and asserted on
type Json = Record<string, any>;

interface Reply {
  status: number;
  etag: string | null;
  text: string;
  json: Json;
}

function group(displayName: string, members: string[] = []) {
  return { schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })) };
}

function patch(...Operations: unknown[]) {
  return { schemas: [PATCH_OP], Operations };
}

describe('etagOf: the digest of a user’s groups', () => {
  const a = { id: 'a', display: 'A', type: 'direct' };
  const b = { id: 'b', display: 'B', type: 'indirect' };

  test('no groups is the plain version; groups add a digest whatever their order', () => {
    assert.equal(etagOf(7), 'W/"7"');
    assert.equal(etagOf(7, []), 'W/"7"');
    assert.match(etagOf(7, [a, b]), WITH_GROUPS);
    assert.equal(etagOf(7, [a, b]), etagOf(7, [b, a]));
    assert.ok(etagOf(7, [a, b]).startsWith('W/"7-'));
  });

  test('value, display and type each change the digest', () => {
    const base = etagOf(7, [a, b]);
    assert.notEqual(etagOf(7, [a]), base);
    assert.notEqual(etagOf(7, [{ ...a, id: 'c' }, b]), base);
    assert.notEqual(etagOf(7, [{ ...a, display: 'A2' }, b]), base);
    assert.notEqual(etagOf(7, [{ ...a, display: null }, b]), base);
    assert.notEqual(etagOf(7, [{ ...a, type: 'indirect' }, b]), base);
    assert.notEqual(etagOf(8, [a, b]), base);
  });
});

for (const dialect of dialects) {
  describe(`a user's ETag covers its groups (${dialect})`, () => {
    let t: TestApp;
    let origin: string;

    before(async () => {
      t = await startTestApp(dialect);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    after(async () => {
      await t?.close();
    });

    async function call(
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<Reply> {
      const init: RequestInit = {
        method,
        headers: { authorization: `Bearer ${t.token}`, accept: 'application/scim+json', ...headers },
      };
      if (body !== undefined) {
        init.body = JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] = 'application/scim+json';
      }
      const res = await fetch(`${origin}${t.base}/${path}`, init);
      const text = await res.text();
      return {
        status: res.status,
        etag: res.headers.get('etag'),
        text,
        json: text ? (JSON.parse(text) as Json) : {},
      };
    }

    async function newUser(userName: string, extra: Json = {}): Promise<string> {
      const res = await call('POST', 'Users', user(userName, extra));
      assert.equal(res.status, 201, res.text);
      return res.json.id as string;
    }

    async function newGroup(displayName: string, members: string[] = []): Promise<string> {
      const res = await call('POST', 'Groups', group(displayName, members));
      assert.equal(res.status, 201, res.text);
      return res.json.id as string;
    }

    /** The user's current ETag, checked against its meta.version. */
    async function etagOfUser(id: string): Promise<string> {
      const res = await call('GET', `Users/${id}`);
      assert.equal(res.status, 200, res.text);
      assert.ok(res.etag);
      assert.equal(res.json.meta.version, res.etag, 'meta.version equals the ETag header');
      return res.etag;
    }

    /** The old tag no longer answers 304 (the user is sent, with the new tag); the new one does. */
    async function assertMoved(id: string, old: string): Promise<string> {
      const stale = await call('GET', `Users/${id}`, undefined, { 'if-none-match': old });
      assert.equal(stale.status, 200, `If-None-Match ${old}: the groups changed, so no 304`);
      assert.ok(stale.etag);
      assert.notEqual(stale.etag, old);
      assert.equal(stale.json.meta.version, stale.etag);
      const fresh = await call('GET', `Users/${id}`, undefined, { 'if-none-match': stale.etag });
      assert.equal(fresh.status, 304, `If-None-Match ${stale.etag} is the current tag`);
      assert.equal(fresh.etag, stale.etag);
      return stale.etag;
    }

    async function addMember(groupId: string, memberId: string) {
      const res = await call(
        'PATCH',
        `Groups/${groupId}`,
        patch({ op: 'add', path: 'members', value: [{ value: memberId }] }),
      );
      assert.ok(res.status === 200 || res.status === 204, res.text);
    }

    test('a user never in a group keeps W/"<version>"', async () => {
      // Other users are in groups: the plain tag is not just an empty directory's.
      const other = await newUser('etag-groups-other@example.com');
      await newGroup('Etag Groups Elsewhere', [other]);
      const id = await newUser('etag-groups-never@example.com', { title: 'One' });
      assert.equal(await etagOfUser(id), 'W/"1"');
      const patched = await call(
        'PATCH',
        `Users/${id}`,
        patch({ op: 'replace', path: 'title', value: 'Two' }),
      );
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.etag, 'W/"2"');
      assert.equal(await etagOfUser(id), 'W/"2"');
      assert.match(await etagOfUser(other), WITH_GROUPS);
    });

    test('adding to a group, removing, renaming, nesting and deleting the group each give a new ETag', async () => {
      const id = await newUser('etag-groups-life@example.com');
      const plain = await etagOfUser(id);
      assert.match(plain, PLAIN);

      const team = await newGroup('Etag Team');
      const dept = await newGroup('Etag Dept');
      const other = await newGroup('Etag Other');
      await addMember(team, id);
      const added = await assertMoved(id, plain);
      assert.match(added, WITH_GROUPS);
      assert.equal(
        WITH_GROUPS.exec(added)?.[1],
        PLAIN.exec(plain)?.[1],
        'the user’s own version did not move',
      );

      await addMember(other, id);
      const inTwo = await assertMoved(id, added);

      const removed = await call(
        'PATCH',
        `Groups/${other}`,
        patch({ op: 'remove', path: `members[value eq "${id}"]` }),
      );
      assert.ok(removed.status === 200 || removed.status === 204, removed.text);
      const afterRemove = await assertMoved(id, inTwo);
      // The same groups as after the first add: the same representation, the same tag.
      assert.equal(afterRemove, added);

      const renamed = await call(
        'PATCH',
        `Groups/${team}`,
        patch({ op: 'replace', path: 'displayName', value: 'Etag Team 2' }),
      );
      assert.ok(renamed.status === 200 || renamed.status === 204, renamed.text);
      const afterRename = await assertMoved(id, afterRemove);

      await addMember(dept, team);
      const nested = await assertMoved(id, afterRename);
      const groups = (await call('GET', `Users/${id}`)).json.groups as Json[];
      assert.deepEqual(
        groups.map((g) => [g.value, g.type]).sort(),
        [
          [dept, 'indirect'],
          [team, 'direct'],
        ].sort(),
      );

      assert.equal((await call('DELETE', `Groups/${dept}`)).status, 204);
      const afterDelete = await assertMoved(id, nested);
      assert.match(afterDelete, WITH_GROUPS);

      assert.equal((await call('DELETE', `Groups/${team}`)).status, 204);
      const alone = await assertMoved(id, afterDelete);
      assert.equal(alone, plain, 'in no group again: the plain tag of the same version');
    });

    test('a stale If-Match is 412 on PATCH, PUT and DELETE, and changes nothing; the current one works', async () => {
      const id = await newUser('etag-groups-stale@example.com', { title: 'Kept' });
      const plain = await etagOfUser(id);
      const g = await newGroup('Etag Stale');
      await addMember(g, id);
      const current = await assertMoved(id, plain);
      // The old-style tag (what the version alone gives) is one of them.
      const versionOnly = `W/"${WITH_GROUPS.exec(current)?.[1]}"`;
      assert.equal(versionOnly, plain);

      for (const stale of [versionOnly, versionOnly.replace(/^W\//, '')]) {
        const refusals = [
          await call('PATCH', `Users/${id}`, patch({ op: 'replace', path: 'title', value: 'Lost' }), {
            'if-match': stale,
          }),
          await call('PUT', `Users/${id}`, user('etag-groups-stale@example.com', { title: 'Lost' }), {
            'if-match': stale,
          }),
          await call('DELETE', `Users/${id}`, undefined, { 'if-match': stale }),
        ];
        for (const res of refusals) {
          assert.equal(res.status, 412, res.text);
          assert.equal(res.json.status, '412');
        }
      }
      const unchanged = await call('GET', `Users/${id}`);
      assert.equal(unchanged.json.title, 'Kept');
      assert.equal(unchanged.etag, current, 'refused writes changed nothing');
      assert.equal(
        (await call('GET', `Users/${id}`, undefined, { 'if-none-match': versionOnly })).status,
        200,
      );
      assert.equal((await call('GET', `Users/${id}`, undefined, { 'if-match': versionOnly })).status, 412);

      // If-None-Match on a write that names the current tag is refused too.
      const inm = await call('PATCH', `Users/${id}`, patch({ op: 'replace', path: 'title', value: 'Lost' }), {
        'if-none-match': current,
      });
      assert.equal(inm.status, 412, inm.text);

      const patched = await call(
        'PATCH',
        `Users/${id}`,
        patch({ op: 'replace', path: 'title', value: 'Patched' }),
        {
          'if-match': current,
        },
      );
      assert.equal(patched.status, 200, patched.text);
      assert.match(String(patched.etag), WITH_GROUPS);
      assert.equal(patched.json.meta.version, patched.etag);
      assert.equal(await etagOfUser(id), patched.etag);

      const put = await call('PUT', `Users/${id}`, user('etag-groups-stale@example.com', { title: 'Put' }), {
        'if-match': (patched.etag as string).replace(/^W\//, ''),
      });
      assert.equal(put.status, 200, put.text);
      assert.equal(await etagOfUser(id), put.etag);

      // A membership change after the tag was read makes it stale for a write too.
      const later = await newGroup('Etag Stale Later');
      await addMember(later, id);
      assert.equal(
        (await call('DELETE', `Users/${id}`, undefined, { 'if-match': put.etag as string })).status,
        412,
      );
      assert.equal((await call('GET', `Users/${id}`)).status, 200);
      const now = await etagOfUser(id);
      assert.equal((await call('DELETE', `Users/${id}`, undefined, { 'if-match': now })).status, 204);
      assert.equal((await call('GET', `Users/${id}`)).status, 404);
    });

    test('attributes and excludedAttributes leave the ETag as the full representation’s', async () => {
      const id = await newUser('etag-groups-projection@example.com');
      const g = await newGroup('Etag Projection');
      await addMember(g, id);
      const full = await etagOfUser(id);
      assert.match(full, WITH_GROUPS);
      for (const query of ['attributes=userName', 'excludedAttributes=groups', 'attributes=groups.display']) {
        const res = await call('GET', `Users/${id}?${query}`);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.etag, full, query);
        const notModified = await call('GET', `Users/${id}?${query}`, undefined, { 'if-none-match': full });
        assert.equal(notModified.status, 304, query);
      }
      const slim = await call('GET', `Users/${id}?excludedAttributes=groups`);
      assert.equal(slim.json.groups, undefined);
      assert.equal(slim.json.meta.version, full);
      const patched = await call(
        'PATCH',
        `Users/${id}?attributes=userName`,
        patch({ op: 'replace', path: 'title', value: 'T' }),
      );
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.json.groups, undefined);
      assert.equal(patched.etag, await etagOfUser(id));
      assert.match(String(patched.etag), WITH_GROUPS);
    });

    test('a Bulk result gives a user in a group the version GET by id gives it', async () => {
      const id = await newUser('etag-groups-bulk@example.com');
      await newGroup('Etag Bulk', [id]);
      const res = await call('POST', 'Bulk', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [
          {
            method: 'PATCH',
            path: `/Users/${id}`,
            data: patch({ op: 'replace', path: 'title', value: 'B' }),
          },
          { method: 'POST', path: '/Users', bulkId: 'n', data: user('etag-groups-bulk-new@example.com') },
        ],
      });
      assert.equal(res.status, 200, res.text);
      const [patched, created] = res.json.Operations as Json[];
      assert.equal(patched?.status, '200', res.text);
      assert.match(patched?.version as string, WITH_GROUPS);
      assert.equal(patched?.version, await etagOfUser(id));
      assert.equal(created?.status, '201', res.text);
      const createdId = String(created?.location ?? '')
        .split('/')
        .pop() as string;
      assert.equal(created?.version, await etagOfUser(createdId));
    });

    test('a listing gives each user the meta.version GET by id gives it', async () => {
      const inGroup = await newUser('etag-groups-list-a@example.com', { title: 'etag-list' });
      const alone = await newUser('etag-groups-list-b@example.com', { title: 'etag-list' });
      const g = await newGroup('Etag Listing', [inGroup]);
      const nested = await newGroup('Etag Listing Parent', [g]);
      assert.ok(nested);
      const expected = new Map([
        [inGroup, await etagOfUser(inGroup)],
        [alone, await etagOfUser(alone)],
      ]);
      assert.match(expected.get(inGroup) as string, WITH_GROUPS);
      assert.match(expected.get(alone) as string, PLAIN);

      const filter = encodeURIComponent('title eq "etag-list"');
      const lists = [
        await call('GET', `Users?filter=${filter}`),
        await call('GET', `Users?filter=${filter}&excludedAttributes=groups`),
        await call('GET', `Users?filter=${filter}&attributes=userName,meta`),
        await call('GET', `Users?count=1000`),
        await call('POST', 'Users/.search', {
          schemas: [SEARCH],
          filter: 'title eq "etag-list"',
          excludedAttributes: ['groups'],
        }),
        await call('GET', `Users?filter=${encodeURIComponent(`id eq "${inGroup}"`)}`),
      ];
      for (const list of lists) {
        assert.equal(list.status, 200, list.text);
        const seen = new Map(
          (list.json.Resources as Json[]).map((r) => [r.id as string, r.meta?.version as string]),
        );
        for (const [id, etag] of expected) {
          if (seen.has(id)) assert.equal(seen.get(id), etag, `${id} in ${list.text.slice(0, 80)}`);
        }
        assert.ok(seen.has(inGroup), 'the user in a group is listed');
      }
    });
  });
}
