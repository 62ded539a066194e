/**
 * POST /.search at the service root (RFC 7644 §3.4.3): Users and Groups in one search, with
 * filter, projection, sorting and both kinds of paging; bad input is a 400 with its scimType.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp, USER_SCHEMA, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import { assertScimError } from '../helpers/scim-error.ts';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

type Listed = { id: string; schemas: string[]; meta: { resourceType: string }; [k: string]: unknown };

for (const dialect of dialects) {
  describe(`POST /.search at the service root (${dialect})`, () => {
    let t: TestApp;
    const ids: Record<string, string> = {};
    const search = (body: Record<string, unknown>) =>
      t.request('POST', '.search', { schemas: [SEARCH], ...body });
    const names = (res: { json(): { Resources: Listed[] } }) =>
      res.json().Resources.map((r) => (r.userName ?? r.displayName) as string);

    before(async () => {
      t = await startTestApp(dialect);
      // Created in this order, so creation order interleaves the two types.
      const made: [string, string, unknown][] = [
        ['ann', 'Users', user('ann@example.com', { displayName: 'Ann', externalId: 'x-ann' })],
        ['eng', 'Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering', externalId: 'x-eng' }],
        ['ben', 'Users', user('ben@example.com', { displayName: 'Ben', active: false })],
        ['ops', 'Groups', { schemas: [GROUP_SCHEMA], displayName: 'Ops' }],
        ['cat', 'Users', user('cat@example.com')],
      ];
      for (const [key, endpoint, body] of made) {
        const res = await t.request('POST', endpoint, body);
        assert.equal(res.statusCode, 201, res.body);
        ids[key] = res.json().id;
      }
      const res = await t.request('PATCH', `Groups/${ids.eng}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'add', path: 'members', value: [{ value: ids.ann }] }],
      });
      assert.equal(res.statusCode, 200, res.body);
    });
    after(async () => {
      await t.close();
    });

    test('without a filter: every user and group, in creation order, each with its schemas', async () => {
      const res = await search({});
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
      const body = res.json();
      assert.equal(body.totalResults, 5);
      assert.equal(body.startIndex, 1);
      assert.equal(body.itemsPerPage, 5);
      assert.deepEqual(names(res), [
        'ann@example.com',
        'Engineering',
        'ben@example.com',
        'Ops',
        'cat@example.com',
      ]);
      const [ann, eng] = body.Resources as Listed[];
      assert.deepEqual(ann?.schemas, [USER_SCHEMA]);
      assert.equal(ann?.meta.resourceType, 'User');
      assert.deepEqual(ann?.groups, [
        {
          value: ids.eng,
          $ref: `https://scim.test${t.base}/Groups/${ids.eng}`,
          display: 'Engineering',
          type: 'direct',
        },
      ]);
      assert.deepEqual(eng?.schemas, [GROUP_SCHEMA]);
      assert.equal(eng?.meta.resourceType, 'Group');
      assert.deepEqual(
        (eng?.members as { value: string }[] | undefined)?.map((m) => m.value),
        [ids.ann],
      );
    });

    test('the SearchRequest schema may be left out, but another one is refused', async () => {
      const bare = await t.request('POST', '.search', { filter: 'externalId pr' });
      assert.equal(bare.statusCode, 200, bare.body);
      assert.deepEqual(names(bare).sort(), ['Engineering', 'ann@example.com']);
      assertScimError(await t.request('POST', '.search', { schemas: [USER_SCHEMA] }), 400, 'invalidSyntax');
      assertScimError(await t.request('POST', '.search', [1]), 400, 'invalidSyntax');
    });

    test('an attribute of both types filters both', async () => {
      const res = await search({ filter: 'displayName sw "e" or externalId eq "x-ann"' });
      assert.deepEqual(names(res), ['ann@example.com', 'Engineering']);
    });

    test('an attribute one type lacks is unassigned on it: no match, but ne and eq null hold', async () => {
      assert.deepEqual(names(await search({ filter: 'userName sw "b"' })), ['ben@example.com']);
      assert.deepEqual(names(await search({ filter: 'members pr' })), ['Engineering']);
      assert.deepEqual(names(await search({ filter: 'active eq false or displayName eq "Ops"' })), [
        'ben@example.com',
        'Ops',
      ]);
      // `ne` and `eq null` hold where the attribute has no value (docs/filter-semantics.md).
      assert.deepEqual(names(await search({ filter: 'userName ne "ann@example.com"' })), [
        'Engineering',
        'ben@example.com',
        'Ops',
        'cat@example.com',
      ]);
      assert.deepEqual(names(await search({ filter: 'userName eq null' })), ['Engineering', 'Ops']);
      // Users without a work email match too: the negation holds for them as for groups.
      assert.deepEqual(names(await search({ filter: 'not (emails[type eq "work"]) and displayName pr' })), [
        'ann@example.com',
        'Engineering',
        'ben@example.com',
        'Ops',
      ]);
      assert.deepEqual(names(await search({ filter: 'meta.resourceType eq "Group"' })), [
        'Engineering',
        'Ops',
      ]);
      const none = await search({ filter: 'members pr and userName pr' });
      assert.equal(none.statusCode, 200);
      assert.equal(none.json().totalResults, 0);
      assert.deepEqual(none.json().Resources, []);
    });

    test('attributes and excludedAttributes apply to each type', async () => {
      const res = await search({ attributes: ['userName', 'displayName'], filter: 'externalId pr' });
      const [ann, eng] = res.json().Resources as Listed[];
      assert.deepEqual(ann, {
        schemas: [USER_SCHEMA],
        id: ids.ann,
        userName: 'ann@example.com',
        displayName: 'Ann',
      });
      assert.deepEqual(eng, { schemas: [GROUP_SCHEMA], id: ids.eng, displayName: 'Engineering' });
      const slim = await search({ excludedAttributes: ['members', 'groups'], filter: 'externalId pr' });
      for (const r of slim.json().Resources as Listed[]) {
        assert.equal(r.members, undefined);
        assert.equal(r.groups, undefined);
        assert.equal(typeof r.externalId, 'string');
      }
    });

    test('sortBy orders across types; an attribute one type lacks sorts as unassigned (last)', async () => {
      const byName = await search({
        sortBy: 'displayName',
        sortOrder: 'descending',
        filter: 'displayName pr',
      });
      assert.deepEqual(names(byName), ['Ops', 'Engineering', 'ben@example.com', 'ann@example.com']);
      const byUserName = await search({ sortBy: 'userName', sortOrder: 'descending' });
      // Descending is the exact reverse: the unassigned first, newest first, as in one type.
      assert.deepEqual(names(byUserName), [
        'Ops',
        'Engineering',
        'cat@example.com',
        'ben@example.com',
        'ann@example.com',
      ]);
      const byType = await search({ sortBy: 'meta.resourceType' });
      assert.deepEqual(names(byType), [
        'Engineering',
        'Ops',
        'ann@example.com',
        'ben@example.com',
        'cat@example.com',
      ]);
    });

    test('startIndex and count page the merged result', async () => {
      const res = await search({ startIndex: 2, count: 2 });
      const body = res.json();
      assert.equal(body.totalResults, 5);
      assert.equal(body.startIndex, 2);
      assert.equal(body.itemsPerPage, 2);
      assert.deepEqual(names(res), ['Engineering', 'ben@example.com']);
      const beyond = await search({ startIndex: 9 });
      assert.equal(beyond.json().totalResults, 5);
      assert.deepEqual(beyond.json().Resources, []);
      const counted = await search({ count: 0 });
      assert.equal(counted.json().totalResults, 5);
      assert.deepEqual(counted.json().Resources, []);
    });

    test('cursors page the merged result, and are bound to the root search', async () => {
      const seen: string[] = [];
      let cursor = '';
      for (let pages = 0; pages < 5; pages++) {
        const res = await search({ cursor, count: 2, sortBy: 'displayName' });
        assert.equal(res.statusCode, 200, res.body);
        seen.push(...names(res));
        const next = res.json().nextCursor;
        if (next === undefined) break;
        cursor = next;
      }
      // By displayName (Ann, Ben, Engineering, Ops), then cat, who has none.
      assert.deepEqual(seen, ['ann@example.com', 'ben@example.com', 'Engineering', 'Ops', 'cat@example.com']);
      const first = (await search({ cursor: '', count: 1 })).json().nextCursor;
      assert.equal(typeof first, 'string');
      // A cursor of the root search is not one of /Users, nor of another root filter.
      assertScimError(
        await t.request('POST', 'Users/.search', { cursor: first, count: 1 }),
        400,
        'invalidCursor',
      );
      assertScimError(await search({ cursor: first, filter: 'userName pr' }), 400, 'invalidCursor');
      assertScimError(await search({ cursor: '', startIndex: 1 }), 400, 'invalidCursor');
    });

    test('bad input: 400 with its scimType', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ filter: 'nosuch eq "x"' }, 'invalidFilter'],
        [{ filter: 'userName eq "x" or nosuch pr' }, 'invalidFilter'],
        [{ filter: 'userName eq' }, 'invalidFilter'],
        [{ filter: 'members[value eq "x"' }, 'invalidFilter'],
        [{ filter: 'members[nosuch eq "x"]' }, 'invalidFilter'],
        [{ filter: 'password eq "secret"' }, 'invalidFilter'],
        [{ filter: 'userName zz "x"' }, 'invalidFilter'],
        [{ filter: 'displayName gt null' }, 'invalidFilter'],
        [{ filter: '' }, 'invalidFilter'],
        // A NUL anywhere in a JSON body is refused with the body, as in every search.
        [{ filter: 'title eq "\u0000"' }, 'invalidValue'],
        [{ filter: 7 }, 'invalidValue'],
        [{ sortBy: 'nosuch' }, 'invalidValue'],
        [{ sortBy: 'members' }, 'invalidValue'],
        [{ sortOrder: 'up' }, 'invalidValue'],
        [{ startIndex: 'one' }, 'invalidValue'],
        [{ count: true }, 'invalidValue'],
        [{ attributes: 3 }, 'invalidValue'],
        [{ cursor: 5 }, 'invalidCursor'],
        [{ cursor: 'not-a-cursor' }, 'invalidCursor'],
      ];
      for (const [body, scimType] of cases) {
        const res = await search(body);
        assert.equal(res.json().scimType, scimType, `${JSON.stringify(body)}: ${res.body}`);
        assertScimError(res, 400, scimType);
      }
    });

    test('other methods: 405; without a token: 401', async () => {
      const get = await t.request('GET', '.search');
      assertScimError(get, 405);
      const anonymous = await t.app.inject({ method: 'POST', url: `${t.base}/.search`, payload: {} });
      assertScimError(anonymous, 401);
    });
  });
}
