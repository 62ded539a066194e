/**
 * RFC 9865 cursor paging over HTTP: GET /Users?cursor and POST /Users/.search with "cursor",
 * walked while users come and go; sealed, scoped and expiring cursors; discovery.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { cursorKeys, cursorScope, openCursor, sealCursor } from '../../src/scim/cursor.ts';
import { ScimError } from '../../src/scim/errors.ts';
import type { Dialect } from '../../src/store/db.ts';
import { startTestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import { assertScimError } from '../helpers/scim-error.ts';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const TIMEOUT = 600;

interface ResourceJson {
  id: string;
  userName: string;
  displayName?: string;
  members?: { value: string }[];
}

/** The shared test app (test/helpers/app.ts) with a clock the test moves and a second org. */
async function startClockedApp(dialect: Dialect) {
  // Starts at real time, so that another instance on its own real clock agrees with it.
  const clock = { ms: Date.now() };
  const t = await startTestApp(
    dialect,
    { CURSOR_TIMEOUT: String(TIMEOUT) },
    { now: () => new Date(clock.ms) },
  );
  const other = await t.directory.orgs.create('Other Corp');
  const acme = { orgId: t.orgId, token: t.token };
  return Object.assign(t, {
    clock,
    asOther: t.as({ orgId: other.org.id, token: other.token.token }),
    /** Requests to another app (another instance) as Acme. */
    via: (target: FastifyInstance) => t.as(acme, target),
  });
}

const q = (params: Record<string, string | number>) =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');

for (const dialect of dialects) {
  describe(`cursor paging over HTTP (${dialect})`, () => {
    let t: Awaited<ReturnType<typeof startClockedApp>>;
    before(async () => {
      t = await startClockedApp(dialect);
    });
    after(async () => {
      await t?.close();
    });

    async function create(userName: string): Promise<string> {
      const res = await t.request('POST', 'Users', user(userName));
      assert.equal(res.statusCode, 201, res.body);
      return res.json().id as unknown as string;
    }

    async function seed(prefix: string, n: number): Promise<string[]> {
      const ids: string[] = [];
      // Names out of creation order, mixed case, so that sorting and pk order differ.
      for (let i = 0; i < n; i++) {
        ids.push(await create(`${prefix}${i % 2 ? 'U' : 'u'}ser-${(i * 37) % 100}-${i}`));
      }
      return ids;
    }

    test('ServiceProviderConfig advertises both pagination methods (RFC 9865 §4)', async () => {
      const res = await t.request('GET', 'ServiceProviderConfig');
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json().pagination, {
        cursor: true,
        index: true,
        defaultPaginationMethod: 'index',
        defaultPageSize: t.config.defaultPageSize,
        maxPageSize: t.config.maxPageSize,
        cursorTimeout: TIMEOUT,
      });
    });

    test('an empty cursor starts cursor paging; index paging is unchanged', async () => {
      await seed('first-', 7);
      const filter = 'userName sw "first-"';
      const res = await t.request('GET', `Users?${q({ filter, count: 3 })}&cursor`);
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
      const body = res.json();
      assert.deepEqual(body.schemas, ['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
      assert.equal(body.totalResults, 7);
      assert.equal(body.itemsPerPage, 3);
      assert.equal(body.Resources?.length, 3);
      assert.equal(body.startIndex, undefined, 'a cursor page has no index');
      assert.equal(body.previousCursor, undefined, 'previousCursor is not offered');
      assert.match(String(body.nextCursor), /^[A-Za-z0-9_-]{30,}$/, 'URL-safe (RFC 3986 unreserved)');

      const index = (await t.request('GET', `Users?${q({ filter, count: 3 })}`)).json();
      assert.equal(index.startIndex, 1);
      assert.equal(index.nextCursor, undefined);
      assert.deepEqual(
        index.Resources?.map((r: ResourceJson) => r.id),
        body.Resources?.map((r: ResourceJson) => r.id),
        'both methods start alike',
      );
    });

    test('walk every page while users are created and deleted: none skipped, none repeated', async () => {
      const prefix = 'walk-';
      const original = await seed(prefix, 20);
      const filter = `userName sw "${prefix}"`;
      const seen: string[] = [];
      const created: string[] = [];
      const deleted: string[] = [];
      let cursor = '';
      let pages = 0;
      for (;;) {
        // One creation races the page read itself; it may or may not be on this page.
        const [res] = await Promise.all([
          t.request('GET', `Users?${q({ filter, count: 4, cursor })}`),
          pages > 0 && pages <= 3
            ? create(`${prefix}race-${pages}`).then((id) => created.push(id))
            : undefined,
        ]);
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        seen.push(...(body.Resources ?? []).map((r: ResourceJson) => r.id));
        pages++;
        if (body.nextCursor === undefined) break;
        assert.equal(body.itemsPerPage, 4);
        cursor = String(body.nextCursor);
        if (pages <= 3) {
          // Between pages: a new user, the deletion of a user already seen and of one not yet seen.
          created.push(await create(`${prefix}new-${pages}`));
          const unseen = original.find((id) => !seen.includes(id) && !deleted.includes(id));
          for (const id of [seen[pages], unseen]) {
            if (id && !deleted.includes(id)) {
              assert.equal((await t.request('DELETE', `Users/${id}`)).statusCode, 204);
              deleted.push(id);
            }
          }
        }
        assert.ok(pages < 50, 'the walk ends');
      }
      assert.equal(new Set(seen).size, seen.length, 'no user is returned twice');
      for (const id of original.filter((x) => !deleted.includes(x))) {
        assert.ok(seen.includes(id), `user ${id} existed throughout and was returned`);
      }
      const deletedUnseen = deleted.filter((id) => !seen.includes(id));
      assert.ok(deletedUnseen.length >= 1, 'users deleted before their page are not returned');
      // Default order is creation order, so users created while walking come after the position.
      for (const id of created)
        assert.ok(seen.includes(id), `user ${id} created during the walk appears once`);
    });

    test('sorted walk over POST .search (userName descending) while users come and go', async () => {
      const prefix = 'srt-';
      const original = await seed(prefix, 15);
      const search = (cursor: string) =>
        t.request('POST', 'Users/.search', {
          schemas: [SEARCH],
          filter: `userName sw "${prefix}"`,
          sortBy: 'userName',
          sortOrder: 'descending',
          attributes: ['userName'],
          cursor,
          count: 4,
        });
      const seen: { id: string; userName: string }[] = [];
      const deleted: string[] = [];
      let cursor = '';
      for (let page = 1; ; page++) {
        const res = await search(cursor);
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        for (const r of body.Resources ?? []) {
          assert.deepEqual(Object.keys(r).sort(), ['id', 'schemas', 'userName'], 'attributes apply');
          seen.push({ id: r.id, userName: r.userName });
        }
        if (body.nextCursor === undefined) break;
        cursor = String(body.nextCursor);
        if (page <= 2) {
          // Sorts before the position (already passed: must not appear) and after it (must).
          await create(`${prefix}zzz-${page}`);
          await create(`${prefix}aaa-${page}`);
          const unseen = original.find((id) => !seen.some((s) => s.id === id) && !deleted.includes(id));
          if (unseen) {
            assert.equal((await t.request('DELETE', `Users/${unseen}`)).statusCode, 204);
            deleted.push(unseen);
          }
        }
        assert.ok(page < 50, 'the walk ends');
      }
      const names = seen.map((s) => s.userName);
      assert.equal(new Set(names).size, names.length, 'no user is returned twice');
      const sorted = [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? 1 : -1));
      assert.deepEqual(names, sorted, 'descending by userName, case-insensitively');
      for (const id of original.filter((x) => !deleted.includes(x))) {
        assert.ok(
          seen.some((s) => s.id === id),
          `user ${id} existed throughout and was returned`,
        );
      }
      assert.ok(
        !names.some((n) => n.startsWith(`${prefix}zzz-`)),
        'created behind the position: not returned',
      );
      for (const page of [1, 2]) assert.ok(names.includes(`${prefix}aaa-${page}`), 'created ahead: returned');
    });

    test('the last page has no nextCursor, also when it is full', async () => {
      await seed('last-', 6);
      const filter = 'userName sw "last-"';
      const first = (await t.request('GET', `Users?${q({ filter, count: 3, cursor: '' })}`)).json();
      const second = (
        await t.request('GET', `Users?${q({ filter, count: 3, cursor: String(first.nextCursor) })}`)
      ).json();
      assert.equal(second.itemsPerPage, 3);
      assert.equal(second.totalResults, 6);
      assert.equal(second.nextCursor, undefined);
      assert.ok(!('nextCursor' in second));
    });

    test('count=0 with a cursor: totalResults only, no nextCursor', async () => {
      const body = (
        await t.request('GET', `Users?${q({ filter: 'userName sw "first-"', count: 0 })}&cursor=`)
      ).json();
      assert.equal(body.totalResults, 7);
      assert.deepEqual(body.Resources, []);
      assert.equal(body.nextCursor, undefined);
    });

    test('a changed, forged or malformed cursor is 400 invalidCursor', async () => {
      const filter = 'userName sw "first-"';
      const good = String(
        (await t.request('GET', `Users?${q({ filter, count: 2, cursor: '' })}`)).json().nextCursor,
      );
      const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
      const bad = [
        flip(good, 5), // in the tag
        flip(good, Math.floor(good.length / 2)), // in the sealed position
        good.slice(0, -2),
        `${good}AA`,
        'abc',
        'not a cursor',
        `${good}=`,
        Buffer.from('{"v":1,"o":"x","p":1}').toString('base64url'),
      ];
      for (const cursor of bad) {
        assertScimError(
          await t.request('GET', `Users?${q({ filter, count: 2, cursor })}`),
          400,
          'invalidCursor',
        );
      }
      const res = await t.request('POST', 'Users/.search', {
        schemas: [SEARCH],
        filter,
        cursor: flip(good, 8),
      });
      assertScimError(res, 400, 'invalidCursor');
      // The genuine one still works.
      assert.equal(
        (await t.request('GET', `Users?${q({ filter, count: 2, cursor: good })}`)).statusCode,
        200,
      );
    });

    test('a cursor only works for its org, filter and sort: else 400 invalidCursor', async () => {
      const filter = 'userName sw "first-"';
      const cursor = String(
        (await t.request('GET', `Users?${q({ filter, count: 2, cursor: '' })}`)).json().nextCursor,
      );
      // Another spelling of the same filter is the same query.
      const same = await t.request(
        'GET',
        `Users?${q({ filter: 'USERNAME  sw  "first-"', count: 5, cursor })}`,
      );
      assert.equal(same.statusCode, 200, same.body);
      const cases = [
        { name: 'another filter', path: `Users?${q({ filter: 'userName sw "first-u"', count: 2, cursor })}` },
        { name: 'no filter', path: `Users?${q({ count: 2, cursor })}` },
        { name: 'a sort', path: `Users?${q({ filter, sortBy: 'userName', count: 2, cursor })}` },
      ];
      for (const c of cases) assertScimError(await t.request('GET', c.path), 400, 'invalidCursor');
      assertScimError(
        await t.asOther('GET', `Users?${q({ filter, count: 2, cursor })}`),
        400,
        'invalidCursor',
      );

      const sorted = String(
        (await t.request('GET', `Users?${q({ filter, sortBy: 'userName', count: 2, cursor: '' })}`)).json()
          .nextCursor,
      );
      const descending = `Users?${q({ filter, sortBy: 'userName', sortOrder: 'descending', count: 2, cursor: sorted })}`;
      assertScimError(await t.request('GET', descending), 400, 'invalidCursor');
    });

    test('Groups page by cursor too, members included; a Users cursor is refused there', async () => {
      const members = await seed('grp-', 2);
      for (const name of ['g-1', 'g-2', 'g-3']) {
        const res = await t.request('POST', 'Groups', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          displayName: name,
          members: members.map((value) => ({ value })),
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      const first = (await t.request('GET', 'Groups?count=2&cursor')).json();
      assert.equal(first.totalResults, 3);
      assert.deepEqual(
        first.Resources?.map((g: ResourceJson) => g.displayName),
        ['g-1', 'g-2'],
      );
      assert.deepEqual(
        first.Resources?.[0]?.members?.map((m: { value: string }) => m.value).sort(),
        [...members].sort(),
      );
      const second = (await t.request('GET', `Groups?count=2&cursor=${first.nextCursor}`)).json();
      assert.deepEqual(
        second.Resources?.map((g: ResourceJson) => g.displayName),
        ['g-3'],
      );
      assert.equal(second.nextCursor, undefined);

      const users = String((await t.request('GET', 'Users?count=1&cursor')).json().nextCursor);
      assertScimError(await t.request('GET', `Groups?count=2&cursor=${users}`), 400, 'invalidCursor');
    });

    test('startIndex and cursor together are 400 invalidCursor', async () => {
      assertScimError(
        await t.request('GET', `Users?${q({ startIndex: 1, cursor: '' })}`),
        400,
        'invalidCursor',
      );
      assertScimError(
        await t.request('POST', 'Users/.search', { schemas: [SEARCH], startIndex: 3, cursor: '' }),
        400,
        'invalidCursor',
      );
    });

    test(`a cursor is valid for cursorTimeout (${TIMEOUT} s), then 400 expiredCursor`, async () => {
      const filter = 'userName sw "first-"';
      const start = t.clock.ms;
      try {
        const cursor = String(
          (await t.request('GET', `Users?${q({ filter, count: 2, cursor: '' })}`)).json().nextCursor,
        );
        t.clock.ms = start + TIMEOUT * 1000;
        const ok = await t.request('GET', `Users?${q({ filter, count: 2, cursor })}`);
        assert.equal(ok.statusCode, 200, ok.body);
        const next = String(ok.json().nextCursor);
        t.clock.ms += 1;
        assertScimError(
          await t.request('GET', `Users?${q({ filter, count: 2, cursor })}`),
          400,
          'expiredCursor',
        );
        // Each page's cursor carries its own issue time.
        assert.equal(
          (await t.request('GET', `Users?${q({ filter, count: 2, cursor: next })}`)).statusCode,
          200,
        );
      } finally {
        t.clock.ms = start;
      }
    });

    test('instances sharing the database accept each other’s cursors; CURSOR_SECRET replaces the key', async () => {
      const filter = 'userName sw "first-"';
      const cursor = String(
        (await t.request('GET', `Users?${q({ filter, count: 2, cursor: '' })}`)).json().nextCursor,
      );
      const twin = await buildApp(loadConfig(t.env), { logger: false });
      const keyed = await buildApp(loadConfig({ ...t.env, CURSOR_SECRET: 'k'.repeat(40) }), {
        logger: false,
      });
      try {
        const viaTwin = await t.via(twin)('GET', `Users?${q({ filter, count: 2, cursor })}`);
        assert.equal(viaTwin.statusCode, 200, `the twin opens the cursor: ${viaTwin.body}`);
        assertScimError(
          await t.via(keyed)('GET', `Users?${q({ filter, count: 2, cursor })}`),
          400,
          'invalidCursor',
        );
        const own = String(
          (await t.via(keyed)('GET', `Users?${q({ filter, count: 2, cursor: '' })}`)).json().nextCursor,
        );
        assert.equal(
          (await t.via(keyed)('GET', `Users?${q({ filter, count: 2, cursor: own })}`)).statusCode,
          200,
        );
      } finally {
        await twin.close();
        await keyed.close();
      }
    });
  });
}

describe('cursor sealing (scim/cursor.ts)', () => {
  const keys = cursorKeys('s'.repeat(32));
  const scope = cursorScope('acme', 'User', {});
  const issued = new Date('2030-01-01T00:00:00.000Z');
  const at = (seconds: number) => new Date(issued.getTime() + seconds * 1000);

  test('round-trips a position, with string, number and NULL keys', () => {
    for (const position of [
      { key: 'bjensen', pk: 42 },
      { key: 2.5, pk: 7 },
      { key: null, pk: 1 },
      { key: 'é ü 🙂 "quoted"', pk: 9007199254740991 },
    ]) {
      const cursor = sealCursor(keys, scope, position, issued);
      assert.deepEqual(openCursor(keys, cursor, scope, at(1), 60), position);
    }
  });

  test('reveals nothing in clear: no org, type or key in the cursor text', () => {
    const cursor = sealCursor(keys, scope, { key: 'secret-name', pk: 123456 }, issued);
    const decoded = Buffer.from(cursor, 'base64url').toString('latin1');
    for (const s of ['acme', 'User', 'secret-name', '123456']) assert.ok(!decoded.includes(s), s);
  });

  const filtered = cursorScope('acme', 'User', {
    filter: {
      op: 'pr',
      attr: { path: 'title', location: ['title'], type: 'string', caseExact: false, multiValued: false },
    },
  });
  const cases: { name: string; open: () => unknown; scimType: string }[] = [
    {
      name: 'another org',
      open: () =>
        openCursor(
          keys,
          sealCursor(keys, scope, { key: null, pk: 1 }, issued),
          { ...scope, orgId: 'x' },
          issued,
          60,
        ),
      scimType: 'invalidCursor',
    },
    {
      name: 'another resource type',
      open: () =>
        openCursor(
          keys,
          sealCursor(keys, scope, { key: null, pk: 1 }, issued),
          cursorScope('acme', 'Group', {}),
          issued,
          60,
        ),
      scimType: 'invalidCursor',
    },
    {
      name: 'another filter',
      open: () =>
        openCursor(keys, sealCursor(keys, scope, { key: null, pk: 1 }, issued), filtered, issued, 60),
      scimType: 'invalidCursor',
    },
    {
      name: 'another secret',
      open: () =>
        openCursor(
          cursorKeys('t'.repeat(32)),
          sealCursor(keys, scope, { key: null, pk: 1 }, issued),
          scope,
          issued,
          60,
        ),
      scimType: 'invalidCursor',
    },
    {
      name: 'older than the timeout',
      open: () =>
        openCursor(keys, sealCursor(keys, scope, { key: null, pk: 1 }, issued), scope, at(60.001), 60),
      scimType: 'expiredCursor',
    },
  ];
  for (const c of cases) {
    test(`refuses a cursor of ${c.name}: ${c.scimType}`, () => {
      assert.throws(
        c.open,
        (e: unknown) => e instanceof ScimError && e.status === 400 && e.scimType === c.scimType,
      );
    });
  }
});
