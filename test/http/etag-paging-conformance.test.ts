/**
 * Black-box conformance of ETags (RFC 7644 §3.14 with RFC 7232 / RFC 9110 conditional
 * requests) and of paging (RFC 7644 §3.4.2.4 index paging, RFC 9865 cursor paging), through
 * the shared test app, as an RFC-driven suite or an IdP would exercise them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Dialect } from '../../src/store/db.ts';
import { PATCH_OP, startTestApp, USER_SCHEMA } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import { assertScimError } from '../helpers/scim-error.ts';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const MAX_PAGE = 5;
const DEFAULT_PAGE = 3;
const CURSOR_TIMEOUT = 600;
const WEAK_ETAG = /^W\/"[^"]+"$/;

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field and asserted on
type Json = Record<string, any>;

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: Json;
}

/**
 * The shared test app (test/helpers/app.ts), with small page limits and a clock the test can
 * move; answers read like fetch's (status, Headers, text and parsed JSON).
 */
async function startServer(dialect: Dialect) {
  const clock = { offsetMs: 0 };
  const t = await startTestApp(
    dialect,
    {
      DEFAULT_PAGE_SIZE: String(DEFAULT_PAGE),
      MAX_PAGE_SIZE: String(MAX_PAGE),
      CURSOR_TIMEOUT: String(CURSOR_TIMEOUT),
    },
    { now: () => new Date(Date.now() + clock.offsetMs) },
  );

  async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const sent: Record<string, string> = { accept: 'application/scim+json', ...headers };
    if (body !== undefined) sent['content-type'] ??= 'application/scim+json; charset=utf-8';
    const res = await t.request(method, path, body, sent);
    const replyHeaders = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined)
        replyHeaders.set(name, Array.isArray(value) ? value.join(', ') : String(value));
    }
    const text = res.body;
    let json: Json = {};
    if (text.length > 0) json = JSON.parse(text) as Json;
    return { status: res.statusCode, headers: replyHeaders, text, json };
  }

  return { call, clock, close: () => t.close() };
}

function user(userName: string, extra: Json = {}) {
  return { schemas: [USER_SCHEMA], userName, ...extra };
}

function group(displayName: string, members: string[] = []) {
  return { schemas: [GROUP_SCHEMA], displayName, members: members.map((value) => ({ value })) };
}

function patch(...Operations: unknown[]) {
  return { schemas: [PATCH_OP], Operations };
}

/** A resource response carries a weak ETag equal to its meta.version (RFC 7644 §3.14, RFC 7643 §3.1). */
function assertEtag(res: Reply): string {
  const etag = res.headers.get('etag');
  assert.ok(etag, `an ETag header on ${res.status}`);
  assert.match(etag, WEAK_ETAG);
  assert.equal(res.json.meta?.version, etag, 'meta.version equals the ETag header');
  return etag;
}

/** `W/"x"` → `"x"` (the strong form of the same opaque tag). */
const strong = (etag: string) => etag.replace(/^W\//, '');

const q = (params: Record<string, string | number>) =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');

for (const dialect of dialects) {
  describe(`ETags, RFC 7644 §3.14 (${dialect})`, () => {
    let s: Awaited<ReturnType<typeof startServer>>;
    before(async () => {
      s = await startServer(dialect);
    });
    after(async () => {
      await s?.close();
    });

    async function newUser(name: string, extra: Json = {}) {
      const res = await s.call('POST', 'Users', user(name, extra));
      assert.equal(res.status, 201, res.text);
      return { id: res.json.id as string, etag: assertEtag(res) };
    }

    test('ServiceProviderConfig says etag.supported', async () => {
      const res = await s.call('GET', 'ServiceProviderConfig');
      assert.equal(res.status, 200);
      assert.equal(res.json.etag?.supported, true);
    });

    test('every User response carries a weak ETag equal to meta.version; each change gives a new one', async () => {
      const { id, etag: created } = await newUser('etag-every@example.com', { title: 'One' });
      const got = await s.call('GET', `Users/${id}`);
      assert.equal(got.status, 200);
      assert.equal(assertEtag(got), created, 'GET after POST: same version');
      // A projection does not drop the header (meta.version is then absent from the body).
      const slim = await s.call('GET', `Users/${id}?attributes=userName`);
      assert.equal(slim.headers.get('etag'), created);

      const put = await s.call('PUT', `Users/${id}`, user('etag-every@example.com', { title: 'Two' }));
      assert.equal(put.status, 200, put.text);
      const afterPut = assertEtag(put);
      assert.notEqual(afterPut, created);

      const patched = await s.call(
        'PATCH',
        `Users/${id}`,
        patch({ op: 'replace', path: 'title', value: 'Three' }),
      );
      assert.equal(patched.status, 200, patched.text);
      const afterPatch = assertEtag(patched);
      assert.notEqual(afterPatch, afterPut);
      assert.notEqual(afterPatch, created);

      const listed = await s.call('GET', `Users?${q({ filter: `id eq "${id}"` })}`);
      assert.equal(listed.json.Resources[0].meta.version, afterPatch, 'list entries carry meta.version too');
      assert.equal((await s.call('GET', `Users/${id}`)).headers.get('etag'), afterPatch);
    });

    test('every Group response carries the ETag; membership changes give a new version', async () => {
      const a = await newUser('etag-grp-a@example.com');
      const b = await newUser('etag-grp-b@example.com');
      const created = await s.call('POST', 'Groups', group('ETag Group', [a.id]));
      assert.equal(created.status, 201, created.text);
      const v1 = assertEtag(created);
      const id = created.json.id as string;
      assert.equal(assertEtag(await s.call('GET', `Groups/${id}`)), v1);
      assert.equal((await s.call('GET', `Groups/${id}?excludedAttributes=members`)).headers.get('etag'), v1);

      const added = await s.call(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'add', path: 'members', value: [{ value: b.id }] }),
      );
      assert.ok(added.status === 200 || added.status === 204, added.text);
      const v2 = added.headers.get('etag');
      assert.ok(v2);
      assert.match(v2, WEAK_ETAG);
      assert.notEqual(v2, v1, 'adding a member is a modification');
      if (added.status === 200) assert.equal(added.json.meta.version, v2);

      const removed = await s.call(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'remove', path: `members[value eq "${a.id}"]` }),
      );
      const v3 = removed.headers.get('etag');
      assert.ok(v3);
      assert.notEqual(v3, v2, 'removing a member is a modification');

      const put = await s.call('PUT', `Groups/${id}`, group('ETag Group', []));
      assert.equal(put.status, 200, put.text);
      const v4 = assertEtag(put);
      assert.notEqual(v4, v3, 'PUT emptying members is a modification');
      assert.equal(assertEtag(await s.call('GET', `Groups/${id}`)), v4);
    });

    test('deleting a member changes the group: its old ETag no longer answers 304', async () => {
      const a = await newUser('etag-gone-a@example.com');
      const b = await newUser('etag-gone-b@example.com');
      const created = await s.call('POST', 'Groups', group('ETag Gone', [a.id, b.id]));
      const id = created.json.id as string;
      const before = assertEtag(created);
      assert.equal((await s.call('DELETE', `Users/${a.id}`)).status, 204);
      const got = await s.call('GET', `Groups/${id}`, undefined, { 'if-none-match': before });
      assert.equal(got.status, 200, 'the member list changed, so the cached copy is stale');
      assert.deepEqual(
        got.json.members.map((m: Json) => m.value),
        [b.id],
      );
      const now = assertEtag(got);
      assert.notEqual(now, before);
      assert.ok(Date.parse(got.json.meta.lastModified) >= Date.parse(created.json.meta.lastModified));
      // A stale If-Match on the group is refused now, and the current one works.
      const stale = await s.call(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'replace', path: 'displayName', value: 'X' }),
        {
          'if-match': before,
        },
      );
      assertScimError(stale, 412);
      const fresh = await s.call(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'replace', path: 'displayName', value: 'Y' }),
        {
          'if-match': now,
        },
      );
      assert.ok(fresh.status === 200 || fresh.status === 204, fresh.text);
    });

    test('deleting a nested group changes its parent group’s version', async () => {
      const child = await s.call('POST', 'Groups', group('ETag Child'));
      const parent = await s.call('POST', 'Groups', group('ETag Parent', [child.json.id]));
      const before = assertEtag(parent);
      assert.equal((await s.call('DELETE', `Groups/${child.json.id}`)).status, 204);
      const got = await s.call('GET', `Groups/${parent.json.id}`, undefined, { 'if-none-match': before });
      assert.equal(got.status, 200);
      assert.equal(got.json.members, undefined);
      assert.notEqual(assertEtag(got), before);
    });

    test('If-Match: the current tag, a list holding it, * and its strong form all let the write through', async () => {
      const { id, etag } = await newUser('etag-ifmatch@example.com', { title: 'A' });
      const viaList = await s.call(
        'PATCH',
        `Users/${id}`,
        patch({ op: 'replace', path: 'title', value: 'B' }),
        { 'if-match': `W/"nope", ${etag}, "other"` },
      );
      assert.equal(viaList.status, 200, viaList.text);
      const v2 = assertEtag(viaList);

      const viaStar = await s.call('PUT', `Users/${id}`, user('etag-ifmatch@example.com', { title: 'C' }), {
        'if-match': '*',
      });
      assert.equal(viaStar.status, 200, viaStar.text);
      const v3 = assertEtag(viaStar);
      assert.notEqual(v3, v2);

      // Clients that strip the weak prefix (or send what they think is a strong tag) are accepted:
      // the server only issues weak tags, so a strong comparison could never succeed.
      const viaStrong = await s.call(
        'PATCH',
        `Users/${id}`,
        patch({ op: 'replace', path: 'title', value: 'D' }),
        { 'if-match': strong(v3) },
      );
      assert.equal(viaStrong.status, 200, viaStrong.text);
      assert.equal(viaStrong.json.title, 'D');
    });

    test('a stale If-Match is 412 with a SCIM error body, and nothing changes (PUT, PATCH, DELETE)', async () => {
      const { id, etag: stale } = await newUser('etag-stale@example.com', { title: 'First' });
      const moved = await s.call(
        'PATCH',
        `Users/${id}`,
        patch({ op: 'replace', path: 'title', value: 'Second' }),
      );
      const current = assertEtag(moved);

      assertScimError(
        await s.call('PUT', `Users/${id}`, user('etag-stale@example.com', { title: 'Put' }), {
          'if-match': stale,
        }),
        412,
      );
      assertScimError(
        await s.call('PATCH', `Users/${id}`, patch({ op: 'replace', path: 'title', value: 'Patch' }), {
          'if-match': stale,
        }),
        412,
      );
      assertScimError(
        await s.call('PATCH', `Users/${id}`, patch({ op: 'replace', path: 'title', value: 'Patch' }), {
          'if-match': `${stale}, W/"999999"`,
        }),
        412,
      );
      assertScimError(await s.call('DELETE', `Users/${id}`, undefined, { 'if-match': stale }), 412);

      const after = await s.call('GET', `Users/${id}`);
      assert.equal(after.status, 200, 'a refused DELETE leaves the user in place');
      assert.equal(after.json.title, 'Second');
      assert.equal(assertEtag(after), current, 'a refused write does not change the version');

      assert.equal((await s.call('DELETE', `Users/${id}`, undefined, { 'if-match': current })).status, 204);
      assert.equal((await s.call('GET', `Users/${id}`)).status, 404);
    });

    test('preconditions do not mask other outcomes: a missing resource is 404, a bad body 400', async () => {
      const missing = '00000000-0000-4000-8000-000000000000';
      assertScimError(
        await s.call('PUT', `Users/${missing}`, user('etag-missing@example.com'), { 'if-match': '*' }),
        404,
      );
      assertScimError(await s.call('GET', `Users/${missing}`, undefined, { 'if-none-match': 'W/"1"' }), 404);
      const { id } = await newUser('etag-badbody@example.com');
      assertScimError(
        await s.call('PATCH', `Users/${id}`, { schemas: [PATCH_OP] }, { 'if-match': 'W/"999999"' }),
        400,
        'invalidSyntax',
      );
    });

    test('If-None-Match on GET: 304 without a body but with the ETag; a stale tag gets the resource', async () => {
      const { id, etag } = await newUser('etag-inm@example.com');
      for (const value of [etag, `W/"nope", ${etag}`, '*', strong(etag)]) {
        const res = await s.call('GET', `Users/${id}`, undefined, { 'if-none-match': value });
        assert.equal(res.status, 304, `If-None-Match: ${value}`);
        assert.equal(res.text, '', 'a 304 has no body');
        assert.equal(res.headers.get('etag'), etag, 'a 304 repeats the ETag');
      }
      const changed = await s.call(
        'PATCH',
        `Users/${id}`,
        patch({ op: 'replace', path: 'title', value: 'New' }),
      );
      const res = await s.call('GET', `Users/${id}`, undefined, { 'if-none-match': etag });
      assert.equal(res.status, 200);
      assert.equal(res.json.title, 'New');
      assert.equal(assertEtag(res), assertEtag(changed));
    });

    test('If-Match on GET that does not match is 412 (RFC 9110 §13.1.1); a matching one is 200', async () => {
      const { id, etag } = await newUser('etag-get-ifmatch@example.com');
      assertScimError(await s.call('GET', `Users/${id}`, undefined, { 'if-match': 'W/"999999"' }), 412);
      const ok = await s.call('GET', `Users/${id}`, undefined, { 'if-match': etag });
      assert.equal(ok.status, 200);
      assert.equal(assertEtag(ok), etag);
    });

    test('If-None-Match on a write that matches the current tag is 412 and changes nothing (RFC 9110 §13.1.2)', async () => {
      const { id, etag } = await newUser('etag-write-inm@example.com', { title: 'Kept' });
      assertScimError(
        await s.call('PUT', `Users/${id}`, user('etag-write-inm@example.com', { title: 'Lost' }), {
          'if-none-match': '*',
        }),
        412,
      );
      assertScimError(
        await s.call('PATCH', `Users/${id}`, patch({ op: 'replace', path: 'title', value: 'Lost' }), {
          'if-none-match': etag,
        }),
        412,
      );
      const got = await s.call('GET', `Users/${id}`);
      assert.equal(got.json.title, 'Kept');
      assert.equal(assertEtag(got), etag);
      // A tag that does not match lets the write through.
      const ok = await s.call('PATCH', `Users/${id}`, patch({ op: 'replace', path: 'title', value: 'New' }), {
        'if-none-match': 'W/"999999"',
      });
      assert.equal(ok.status, 200, ok.text);
    });

    test('If-None-Match on a list request still answers the ListResponse', async () => {
      await newUser('etag-list@example.com');
      const res = await s.call(
        'GET',
        `Users?${q({ filter: 'userName eq "etag-list@example.com"' })}`,
        undefined,
        {
          'if-none-match': 'W/"1"',
        },
      );
      assert.equal(res.status, 200);
      assert.deepEqual(res.json.schemas, [LIST_RESPONSE]);
      assert.equal(res.json.totalResults, 1);
    });

    test('Bulk results carry version = the ETag, and a stale bulk version is 412 with nothing changed', async () => {
      const res = await s.call('POST', 'Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [{ method: 'POST', path: '/Users', bulkId: 'u1', data: user('etag-bulk@example.com') }],
      });
      assert.equal(res.status, 200, res.text);
      const op = res.json.Operations[0];
      assert.equal(op.status, '201');
      assert.match(op.version, WEAK_ETAG);
      const id = String(op.location).split('/').pop();
      const got = await s.call('GET', `Users/${id}`);
      assert.equal(got.headers.get('etag'), op.version);

      const patched = await s.call('POST', 'Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [
          {
            method: 'PATCH',
            path: `/Users/${id}`,
            version: op.version,
            data: patch({ op: 'replace', path: 'title', value: 'Bulk' }),
          },
        ],
      });
      const done = patched.json.Operations[0];
      assert.equal(done.status, '200', JSON.stringify(done));
      assert.notEqual(done.version, op.version);
      assert.equal((await s.call('GET', `Users/${id}`)).headers.get('etag'), done.version);

      const stale = await s.call('POST', 'Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [
          {
            method: 'PATCH',
            path: `/Users/${id}`,
            version: op.version,
            data: patch({ op: 'replace', path: 'title', value: 'Stale' }),
          },
        ],
      });
      assert.equal(stale.json.Operations[0].status, '412', JSON.stringify(stale.json));
      assert.equal((await s.call('GET', `Users/${id}`)).json.title, 'Bulk');
    });
  });

  describe(`index paging, RFC 7644 §3.4.2.4 (${dialect})`, () => {
    let s: Awaited<ReturnType<typeof startServer>>;
    const names: string[] = [];
    const filter = 'userName sw "page-"';
    const list = (params: Record<string, string | number>) =>
      s.call('GET', `Users?${q({ filter, ...params })}`);

    before(async () => {
      s = await startServer(dialect);
      // Created out of name order, so creation order and userName order differ.
      for (const n of [4, 1, 6, 2, 7, 3, 5]) {
        const name = `page-${n}@example.com`;
        const res = await s.call('POST', 'Users', user(name));
        assert.equal(res.status, 201, res.text);
        names.push(name);
      }
      // Someone the filter does not match.
      await s.call('POST', 'Users', user('other@example.com'));
    });
    after(async () => {
      await s?.close();
    });

    const userNames = (res: Reply) => ((res.json.Resources ?? []) as Json[]).map((r) => r.userName as string);

    test('a page has the ListResponse shape; Resources present when totalResults > 0', async () => {
      const res = await list({ startIndex: 1, count: 2 });
      assert.equal(res.status, 200);
      assert.match(String(res.headers.get('content-type')), /^application\/scim\+json/);
      assert.deepEqual(res.json.schemas, [LIST_RESPONSE]);
      assert.equal(res.json.totalResults, 7);
      assert.equal(res.json.startIndex, 1);
      assert.equal(res.json.itemsPerPage, 2);
      assert.ok(Array.isArray(res.json.Resources));
      assert.equal(res.json.Resources.length, 2);
      for (const key of ['totalResults', 'startIndex', 'itemsPerPage'])
        assert.equal(typeof res.json[key], 'number', `${key} is a JSON number`);
    });

    test('no count: the default page size; count above the maximum: the maximum, itemsPerPage honest', async () => {
      const dflt = await list({});
      assert.equal(dflt.json.itemsPerPage, DEFAULT_PAGE);
      assert.equal(dflt.json.Resources.length, DEFAULT_PAGE);
      const capped = await list({ count: 1000 });
      assert.equal(capped.status, 200);
      assert.equal(capped.json.totalResults, 7);
      assert.equal(capped.json.Resources.length, MAX_PAGE);
      assert.equal(capped.json.itemsPerPage, MAX_PAGE);
      const spc = await s.call('GET', 'ServiceProviderConfig');
      assert.equal(spc.json.pagination.maxPageSize, MAX_PAGE);
      assert.equal(spc.json.pagination.defaultPageSize, DEFAULT_PAGE);
    });

    test('startIndex < 1 is read as 1', async () => {
      const first = await list({ startIndex: 1, count: 3 });
      for (const startIndex of [0, -1, -100]) {
        const res = await list({ startIndex, count: 3 });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.startIndex, 1);
        assert.deepEqual(userNames(res), userNames(first));
      }
    });

    test('count=0 and negative count return totalResults only', async () => {
      for (const count of [0, -1, -50]) {
        const res = await list({ count });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.totalResults, 7);
        assert.equal(res.json.itemsPerPage, 0);
        assert.equal(userNames(res).length, 0);
      }
    });

    test('startIndex past the end: an empty page with the true totalResults', async () => {
      for (const startIndex of [8, 100, 2147483648]) {
        const res = await list({ startIndex, count: 5 });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.totalResults, 7);
        assert.equal(res.json.itemsPerPage, 0);
        assert.equal(res.json.startIndex, startIndex);
        assert.equal(userNames(res).length, 0);
      }
      // Huge JSON numbers in a SearchRequest: still an empty page (or a 400), never a 500.
      for (const startIndex of [2 ** 53, 1e20]) {
        const res = await s.call('POST', 'Users/.search', {
          schemas: [SEARCH],
          filter,
          startIndex,
          count: 1e20,
        });
        if (res.status === 400) assertScimError(res, 400, 'invalidValue');
        else {
          assert.equal(res.status, 200, res.text);
          assert.equal(res.json.totalResults, 7);
          assert.equal(res.json.itemsPerPage, 0);
        }
      }
      const last = await list({ startIndex: 7, count: 5 });
      assert.equal(last.json.itemsPerPage, 1);
    });

    test('non-integer startIndex or count is 400 invalidValue (query and .search body)', async () => {
      for (const bad of ['abc', '1.5', '1e3', '0x10', 'true']) {
        assertScimError(await list({ startIndex: bad }), 400, 'invalidValue');
        assertScimError(await list({ count: bad }), 400, 'invalidValue');
      }
      for (const bad of ['abc', 2.5, true, [], {}]) {
        assertScimError(
          await s.call('POST', 'Users/.search', { schemas: [SEARCH], filter, count: bad }),
          400,
          'invalidValue',
        );
        assertScimError(
          await s.call('POST', 'Users/.search', { schemas: [SEARCH], filter, startIndex: bad }),
          400,
          'invalidValue',
        );
      }
    });

    /** Every match, in two pages of the largest size. */
    async function everything(sort: Record<string, string> = {}) {
      const one = await list({ ...sort, startIndex: 1, count: MAX_PAGE });
      const two = await list({ ...sort, startIndex: MAX_PAGE + 1, count: MAX_PAGE });
      return [...userNames(one), ...userNames(two)];
    }

    test('walking by startIndex visits every match once, in a stable order (default and sortBy)', async () => {
      const sorts: Record<string, string>[] = [
        {},
        { sortBy: 'userName' },
        { sortBy: 'userName', sortOrder: 'descending' },
      ];
      for (const sort of sorts) {
        const all = await everything(sort);
        assert.equal(all.length, 7);
        const walked: string[] = [];
        for (let start = 1; start <= 7; start += 2) {
          const page = await list({ ...sort, startIndex: start, count: 2 });
          assert.equal(page.json.startIndex, start);
          walked.push(...userNames(page));
        }
        assert.deepEqual(walked, all, `pages of ${JSON.stringify(sort)} join to the full list`);
        // The same page twice is the same page.
        assert.deepEqual(userNames(await list({ ...sort, startIndex: 3, count: 2 })), all.slice(2, 4));
      }
      assert.deepEqual(await everything(), names, 'default order is creation order');
      assert.deepEqual(await everything({ sortBy: 'userName' }), [...names].sort());
    });

    test('sorting with ties and missing values pages stably, by index and by cursor', async () => {
      const tagged: string[] = [];
      // Ties on familyName, some without a name, one with two emails.
      const rows: [string, Json][] = [
        ['tie-a', { name: { familyName: 'Same' }, emails: [{ value: 'z@x.test' }] }],
        ['tie-b', {}],
        ['tie-c', { name: { familyName: 'Same' } }],
        [
          'tie-d',
          {
            name: { familyName: 'Alpha' },
            emails: [{ value: 'b@x.test' }, { value: 'a@x.test', primary: true }],
          },
        ],
        ['tie-f', { name: { familyName: 'Same' } }],
      ];
      for (const [n, extra] of rows) {
        const res = await s.call('POST', 'Users', user(`${n}@example.com`, extra));
        tagged.push(res.json.id);
      }
      const tieFilter = 'userName sw "tie-"';
      try {
        for (const sortBy of ['name.familyName', 'emails.value']) {
          for (const sortOrder of ['ascending', 'descending']) {
            const full = await s.call(
              'GET',
              `Users?${q({ filter: tieFilter, sortBy, sortOrder, count: 5 })}`,
            );
            assert.equal(full.status, 200, full.text);
            const all = (full.json.Resources as Json[]).map((r) => r.id);
            assert.equal(new Set(all).size, 5);
            const byIndex: string[] = [];
            for (let start = 1; start <= 5; start += 3) {
              const page = await s.call(
                'GET',
                `Users?${q({ filter: tieFilter, sortBy, sortOrder, startIndex: start, count: 3 })}`,
              );
              byIndex.push(...(page.json.Resources as Json[]).map((r) => r.id));
            }
            assert.deepEqual(byIndex, all, `index pages, ${sortBy} ${sortOrder}`);
            const byCursor: string[] = [];
            let cursor = '';
            for (let i = 0; i < 10; i++) {
              const page = await s.call(
                'GET',
                `Users?${q({ filter: tieFilter, sortBy, sortOrder, cursor, count: 2 })}`,
              );
              assert.equal(page.status, 200, page.text);
              byCursor.push(...(page.json.Resources as Json[]).map((r) => r.id));
              if (!page.json.nextCursor) break;
              cursor = page.json.nextCursor;
            }
            assert.deepEqual(byCursor, all, `cursor pages, ${sortBy} ${sortOrder}`);
          }
        }
        const asc = await s.call(
          'GET',
          `Users?${q({ filter: tieFilter, sortBy: 'name.familyName', count: 5 })}`,
        );
        assert.deepEqual(
          (asc.json.Resources as Json[]).map((r) => r.userName.slice(0, 5)),
          ['tie-d', 'tie-a', 'tie-c', 'tie-f', 'tie-b'],
          'ascending: Alpha, the Same ties in creation order, then those without a value',
        );
        // A multi-valued attribute sorts by its primary value (tie-d: a@, not b@), RFC 7644 §3.4.2.3.
        const byEmail = await s.call(
          'GET',
          `Users?${q({ filter: tieFilter, sortBy: 'emails.value', count: 2 })}`,
        );
        assert.deepEqual(
          (byEmail.json.Resources as Json[]).map((r) => r.userName.slice(0, 5)),
          ['tie-d', 'tie-a'],
        );
      } finally {
        for (const id of tagged) assert.equal((await s.call('DELETE', `Users/${id}`)).status, 204);
      }
    });

    test('Okta-style probes (startIndex=1&count=2, count=100) and POST .search paging', async () => {
      const probe = await s.call('GET', 'Users?startIndex=1&count=2');
      assert.equal(probe.status, 200);
      assert.equal(probe.json.totalResults, 8);
      assert.equal(probe.json.Resources.length, 2);
      const search = await s.call('POST', 'Users/.search', {
        schemas: [SEARCH],
        filter,
        sortBy: 'userName',
        startIndex: 2,
        count: 3,
      });
      assert.equal(search.status, 200, search.text);
      assert.equal(search.json.startIndex, 2);
      assert.equal(search.json.itemsPerPage, 3);
      assert.deepEqual(userNames(search), [...names].sort().slice(1, 4));
    });
  });

  describe(`cursor paging, RFC 9865 (${dialect})`, () => {
    let s: Awaited<ReturnType<typeof startServer>>;
    const filter = 'userName sw "cur-"';
    before(async () => {
      s = await startServer(dialect);
      for (let i = 0; i < 7; i++) {
        const res = await s.call('POST', 'Users', user(`cur-${(i * 3) % 7}-${i}@example.com`));
        assert.equal(res.status, 201, res.text);
      }
    });
    after(async () => {
      await s?.close();
    });

    const ids = (res: Reply) => ((res.json.Resources ?? []) as Json[]).map((r) => r.id as string);

    /** Every match by index paging, in pages of the largest size. */
    async function everything() {
      const out: string[] = [];
      for (let start = 1; ; start += MAX_PAGE) {
        const page = await s.call('GET', `Users?${q({ filter, startIndex: start, count: MAX_PAGE })}`);
        out.push(...ids(page));
        if (start + MAX_PAGE > page.json.totalResults) return out;
      }
    }

    /** Walks GET pages from an empty cursor; returns the ids in order and the page count. */
    async function walk(params: Record<string, string | number>, between?: (page: number) => Promise<void>) {
      const seen: string[] = [];
      let cursor = '';
      let pages = 0;
      for (;;) {
        const res = await s.call('GET', `Users?${q({ filter, ...params, cursor })}`);
        assert.equal(res.status, 200, res.text);
        assert.ok(res.json.Resources.length <= Number(params.count ?? DEFAULT_PAGE));
        assert.equal(res.json.itemsPerPage, res.json.Resources.length);
        seen.push(...ids(res));
        pages++;
        if (res.json.nextCursor === undefined) break;
        assert.equal(typeof res.json.nextCursor, 'string');
        assert.match(res.json.nextCursor, /^[A-Za-z0-9\-._~]+$/, 'a cursor uses unreserved characters only');
        cursor = res.json.nextCursor;
        assert.ok(pages < 50, 'the walk ends');
        await between?.(pages);
      }
      return { seen, pages };
    }

    test('ServiceProviderConfig pagination object (RFC 9865 §4)', async () => {
      const res = await s.call('GET', 'ServiceProviderConfig');
      const p = res.json.pagination;
      assert.equal(p.cursor, true);
      assert.equal(p.index, true);
      assert.ok(p.defaultPaginationMethod === 'index' || p.defaultPaginationMethod === 'cursor');
      for (const key of ['defaultPageSize', 'maxPageSize', 'cursorTimeout']) {
        assert.ok(Number.isInteger(p[key]) && p[key] > 0, `${key} is a positive integer`);
      }
      assert.equal(p.cursorTimeout, CURSOR_TIMEOUT);
    });

    test('an empty cursor (cursor= and bare cursor) starts a walk; count is honoured; the last page has no nextCursor', async () => {
      const bare = await s.call('GET', `Users?${q({ filter, count: 3 })}&cursor`);
      const empty = await s.call('GET', `Users?${q({ filter, count: 3, cursor: '' })}`);
      for (const res of [bare, empty]) {
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(res.json.schemas, [LIST_RESPONSE]);
        assert.equal(res.json.totalResults, 7);
        assert.equal(res.json.itemsPerPage, 3);
        assert.equal(typeof res.json.nextCursor, 'string');
      }
      assert.deepEqual(ids(bare), ids(empty));
      const { seen, pages } = await walk({ count: 3 });
      assert.equal(pages, 3);
      assert.equal(new Set(seen).size, 7);
      const indexed = await everything();
      assert.deepEqual(seen, indexed, 'cursor walk and index pages agree on order');
      const plain = await s.call('GET', `Users?${q({ filter })}`);
      assert.equal(plain.json.startIndex, 1);
      assert.equal(plain.json.nextCursor, undefined, 'index paging answers no cursor (index is the default)');
    });

    test('no count with a cursor: the default page size; count above the maximum is capped', async () => {
      const dflt = await s.call('GET', `Users?${q({ filter, cursor: '' })}`);
      assert.equal(dflt.json.itemsPerPage, DEFAULT_PAGE);
      const capped = await s.call('GET', `Users?${q({ filter, cursor: '', count: 500 })}`);
      assert.equal(capped.status, 200, capped.text);
      assert.equal(capped.json.itemsPerPage, MAX_PAGE);
      assert.equal(capped.json.Resources.length, MAX_PAGE);
      assert.equal(typeof capped.json.nextCursor, 'string');
    });

    test('count may change between pages; sortBy is honoured', async () => {
      const first = await s.call('GET', `Users?${q({ filter, sortBy: 'userName', cursor: '', count: 2 })}`);
      const second = await s.call(
        'GET',
        `Users?${q({ filter, sortBy: 'userName', cursor: first.json.nextCursor, count: 4 })}`,
      );
      assert.equal(second.status, 200, second.text);
      assert.equal(second.json.itemsPerPage, 4);
      const names = [...first.json.Resources, ...second.json.Resources].map((r: Json) => r.userName);
      assert.deepEqual(names, [...names].sort());
      assert.equal(new Set(names).size, 6);
    });

    test('POST .search walks with "cursor" in the body', async () => {
      const seen: string[] = [];
      let cursor = '';
      for (let i = 0; i < 10; i++) {
        const res = await s.call('POST', 'Users/.search', {
          schemas: [SEARCH],
          filter,
          attributes: ['userName'],
          cursor,
          count: 2,
        });
        assert.equal(res.status, 200, res.text);
        seen.push(...ids(res));
        assert.equal(res.json.Resources[0]?.title, undefined);
        if (!res.json.nextCursor) break;
        cursor = res.json.nextCursor;
      }
      assert.equal(seen.length, 7);
      assert.equal(new Set(seen).size, 7);
    });

    test('invalid cursors are 400 invalidCursor', async () => {
      const first = await s.call('GET', `Users?${q({ filter, cursor: '', count: 2 })}`);
      const good: string = first.json.nextCursor;
      const flipped = good.slice(0, -2) + (good.at(-2) === 'A' ? 'B' : 'A') + good.slice(-1);
      for (const bad of ['garbage', 'x', good.slice(0, 10), flipped, `${good}A`, '!!!', 'a b']) {
        assertScimError(await s.call('GET', `Users?${q({ filter, cursor: bad })}`), 400, 'invalidCursor');
      }
      // The cursor belongs to its query: another filter or another endpoint refuse it.
      assertScimError(
        await s.call('GET', `Users?${q({ filter: 'userName sw "cur-1"', cursor: good })}`),
        400,
        'invalidCursor',
      );
      assertScimError(await s.call('GET', `Groups?${q({ cursor: good })}`), 400, 'invalidCursor');
      assertScimError(
        await s.call('POST', 'Users/.search', { schemas: [SEARCH], filter, cursor: 'garbage' }),
        400,
        'invalidCursor',
      );
      // A cursor that is not a string at all is an invalid cursor too.
      assertScimError(
        await s.call('POST', 'Users/.search', { schemas: [SEARCH], filter, cursor: 12345 }),
        400,
        'invalidCursor',
      );
    });

    test('cursor with startIndex is refused as documented (400 invalidCursor)', async () => {
      assertScimError(
        await s.call('GET', `Users?${q({ filter, cursor: '', startIndex: 1 })}`),
        400,
        'invalidCursor',
      );
    });

    test('a cursor older than cursorTimeout is 400 expiredCursor; within it, it works', async () => {
      const first = await s.call('GET', `Users?${q({ filter, cursor: '', count: 2 })}`);
      const cursor: string = first.json.nextCursor;
      try {
        s.clock.offsetMs = (CURSOR_TIMEOUT - 5) * 1000;
        assert.equal((await s.call('GET', `Users?${q({ filter, cursor, count: 2 })}`)).status, 200);
        s.clock.offsetMs = (CURSOR_TIMEOUT + 5) * 1000;
        assertScimError(
          await s.call('GET', `Users?${q({ filter, cursor, count: 2 })}`),
          400,
          'expiredCursor',
        );
      } finally {
        s.clock.offsetMs = 0;
      }
    });

    test('count=0 with a cursor: totalResults only, no nextCursor', async () => {
      const res = await s.call('GET', `Users?${q({ filter, cursor: '', count: 0 })}`);
      assert.equal(res.status, 200);
      assert.equal(res.json.totalResults, 7);
      assert.equal(res.json.itemsPerPage, 0);
      assert.equal(res.json.nextCursor, undefined);
    });

    test('while users are created and deleted, no survivor is skipped or repeated', async () => {
      const before = await everything();
      const created: string[] = [];
      const deleted = new Set<string>();
      const { seen } = await walk({ count: 2 }, async (page) => {
        const res = await s.call('POST', 'Users', user(`cur-new-${page}@example.com`));
        created.push(res.json.id);
        // Delete one not yet seen and one already seen.
        const unseen = before[before.length - page];
        if (unseen && !deleted.has(unseen)) {
          assert.equal((await s.call('DELETE', `Users/${unseen}`)).status, 204);
          deleted.add(unseen);
        }
      });
      assert.equal(new Set(seen).size, seen.length, 'no resource twice');
      for (const id of before.filter((x) => !deleted.has(x)))
        assert.ok(seen.includes(id), `survivor ${id} seen`);
      for (const id of deleted) {
        const at = before.indexOf(id);
        // A deleted one may only appear if its page had been read before it was deleted.
        if (seen.includes(id)) assert.ok(seen.indexOf(id) < at + 1);
      }
      for (const id of created) assert.ok(seen.filter((x) => x === id).length <= 1);
    });
  });
}
