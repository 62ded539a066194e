/**
 * Bulk conformance over real HTTP (RFC 7644 §3.7): message shapes, bulkId references in data,
 * extensions and paths, forward and circular references (§3.7.1, §3.7.2), per-operation
 * results and errors (§3.7.3), limits (§3.7.4), failOnErrors, per-operation atomicity and
 * organization isolation.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.ts';
import {
  BULK_REQUEST,
  ENTERPRISE,
  ERROR,
  GROUP,
  type LiveClient,
  type OpResult,
  PATCH_OP,
  USER,
  useLiveServer,
} from '../helpers/live-client.ts';

const userOp = (bulkId: string, userName: string, extra: Record<string, unknown> = {}) => ({
  method: 'POST',
  path: '/Users',
  bulkId,
  data: { schemas: [USER], userName, ...extra },
});
const groupOp = (bulkId: string, displayName: string, members: string[] = []) => ({
  method: 'POST',
  path: '/Groups',
  bulkId,
  data: { schemas: [GROUP], displayName, members: members.map((value) => ({ value })) },
});
const patchOp = (path: string, ...Operations: unknown[]) => ({
  method: 'PATCH',
  path,
  data: { schemas: [PATCH_OP], Operations },
});
const idOf = (r: OpResult | undefined) => String(r?.location).split('/').pop() as string;

for (const dialect of dialects) {
  describe(`Bulk conformance over HTTP (${dialect})`, () => {
    const live = useLiveServer(dialect);
    let c: LiveClient;
    let other: LiveClient;

    const count = async (cl: LiveClient, endpoint: string, filter: string) =>
      (await cl.req('GET', `${endpoint}?filter=${encodeURIComponent(filter)}`)).body.totalResults as number;
    const memberIds = async (location: string | undefined) =>
      ((await c.req('GET', String(location))).body.members ?? [])
        .map((m: { value: string }) => m.value)
        .sort();

    before(async () => {
      c = await live.client('bulk-a');
      other = await live.client('bulk-b');
    });

    test('§3.7.3 response shape: schemas, method, bulkId, absolute location, version as the ETag, status as a string', async () => {
      const ops = await c.bulk([
        { ...userOp('u', 'shape@example.com'), method: 'post' },
        patchOp('/Users/bulkId:u', { op: 'replace', path: 'title', value: 'Lead' }),
      ]);
      assert.equal(ops.length, 2);
      const [post, patch] = ops;
      assert.equal(post?.method, 'POST', 'the method is echoed in its canonical case');
      assert.equal(post?.bulkId, 'u');
      assert.equal(post?.status, '201');
      assert.equal(post?.response, undefined);
      assert.match(String(post?.location), new RegExp(`^${c.base}/Users/[^/]+$`));
      assert.equal(patch?.method, 'PATCH');
      assert.equal(patch?.status, '200');
      assert.equal(patch?.location, post?.location, 'bulkId: in a path names the created resource');
      const got = await c.req('GET', String(post?.location));
      assert.equal(got.status, 200);
      assert.equal(got.body.title, 'Lead');
      assert.equal(patch?.version, got.headers.get('etag'));
      assert.equal(got.body.meta.version, patch?.version);
    });

    test('§3.7.2 bulkId in member values, in an extension (manager) and in the path of later PUT/PATCH/DELETE', async () => {
      const ops = await c.bulk([
        userOp('boss', 'boss@example.com'),
        userOp('emp', 'emp@example.com', {
          schemas: [USER, ENTERPRISE],
          [ENTERPRISE]: { manager: { value: 'bulkId:boss' } },
        }),
        groupOp('tg', 'Tour Guides', ['bulkId:emp']),
        patchOp('/Groups/bulkId:tg', { op: 'add', path: 'members', value: [{ value: 'bulkId:boss' }] }),
        {
          method: 'PUT',
          path: '/Users/bulkId:emp',
          data: {
            schemas: [USER, ENTERPRISE],
            userName: 'emp@example.com',
            title: 'Guide',
            [ENTERPRISE]: { manager: { value: 'bulkId:boss' } },
          },
        },
        userOp('tmp', 'tmp@example.com'),
        { method: 'DELETE', path: '/Users/bulkId:tmp' },
      ]);
      assert.deepEqual(
        ops.map((o) => o.status),
        ['201', '201', '201', '200', '200', '201', '204'],
      );
      const [boss, emp, tg, , put, tmp, del] = ops;
      const emp1 = (await c.req('GET', String(emp?.location))).body;
      assert.equal(emp1[ENTERPRISE].manager.value, idOf(boss));
      assert.equal(emp1.title, 'Guide');
      assert.equal(put?.location, emp?.location);
      assert.deepEqual(await memberIds(tg?.location), [idOf(boss), idOf(emp)].sort());
      assert.equal(del?.location, tmp?.location);
      assert.equal((await c.req('GET', String(tmp?.location))).status, 404);
    });

    test('§3.7.2 the RFC examples: a new user in a new group, and a manager created by a later operation', async () => {
      const ops = await c.bulk([
        userOp('qwerty', 'Alice'),
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'ytrewq',
          data: {
            schemas: [GROUP],
            displayName: 'Tour Guides',
            members: [{ type: 'User', value: 'bulkId:qwerty' }],
          },
        },
        userOp('alice2', 'Alice2', {
          schemas: [USER, ENTERPRISE],
          [ENTERPRISE]: { employeeNumber: '11250', manager: { value: 'bulkId:batman' } },
        }),
        userOp('batman', 'Bob', {
          schemas: [USER, ENTERPRISE],
          [ENTERPRISE]: { employeeNumber: '11251', manager: { value: 'bulkId:qwerty' } },
        }),
      ]);
      assert.deepEqual(
        ops.map((o) => [o.bulkId, o.status]),
        [
          ['qwerty', '201'],
          ['ytrewq', '201'],
          ['alice2', '201'],
          ['batman', '201'],
        ],
      );
      const [alice, guides, alice2, bob] = ops;
      const group = (await c.req('GET', String(guides?.location))).body;
      assert.deepEqual(
        group.members.map((m: { value: string; type: string }) => [m.value, m.type]),
        [[idOf(alice), 'User']],
      );
      assert.equal((await c.req('GET', String(alice2?.location))).body[ENTERPRISE].manager.value, idOf(bob));
      assert.equal((await c.req('GET', String(bob?.location))).body[ENTERPRISE].manager.value, idOf(alice));
    });

    test('§3.7.2 forward references wait for their POST, and the request order is otherwise kept', async () => {
      const ops = await c.bulk([
        groupOp('fg', 'Forward', ['bulkId:fu']),
        patchOp('/Users/bulkId:fu', { op: 'replace', path: 'title', value: 'first' }),
        userOp('fu', 'forward@example.com'),
        patchOp('/Users/bulkId:fu', { op: 'replace', path: 'title', value: 'second' }),
      ]);
      assert.deepEqual(
        ops.map((o) => o.status),
        ['201', '200', '201', '200'],
      );
      assert.deepEqual(
        ops.map((o) => o.method),
        ['POST', 'PATCH', 'POST', 'PATCH'],
        'results come back in request order',
      );
      assert.deepEqual(await memberIds(ops[0]?.location), [idOf(ops[2])]);
      const u = (await c.req('GET', String(ops[2]?.location))).body;
      assert.equal(u.title, 'second', 'the PATCH written last in the request is applied last');
    });

    test('§3.7.1 circular references between new groups are resolved (the RFC example)', async () => {
      const ops = await c.bulk([
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'qwerty',
          data: {
            schemas: [GROUP],
            displayName: 'Group A',
            members: [{ type: 'Group', value: 'bulkId:ytrewq' }],
          },
        },
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'ytrewq',
          data: {
            schemas: [GROUP],
            displayName: 'Group B',
            members: [{ type: 'Group', value: 'bulkId:qwerty' }],
          },
        },
      ]);
      assert.deepEqual(
        ops.map((o) => [o.bulkId, o.status]),
        [
          ['qwerty', '201'],
          ['ytrewq', '201'],
        ],
      );
      const [a, b] = ops;
      assert.deepEqual(await memberIds(a?.location), [idOf(b)]);
      assert.deepEqual(await memberIds(b?.location), [idOf(a)]);
      for (const r of ops) {
        const got = await c.req('GET', String(r.location));
        assert.equal(
          r.version,
          got.headers.get('etag'),
          'the reported version is the resource’s current one',
        );
      }
    });

    test('§3.7.1 a longer cycle with a user and other members keeps every member', async () => {
      const ops = await c.bulk([
        groupOp('g1', 'Ring 1', ['bulkId:g2', 'bulkId:ru']),
        groupOp('g2', 'Ring 2', ['bulkId:g3']),
        groupOp('g3', 'Ring 3', ['bulkId:g1', 'bulkId:ru']),
        userOp('ru', 'ring@example.com'),
      ]);
      assert.deepEqual(
        ops.map((o) => o.status),
        ['201', '201', '201', '201'],
      );
      const [g1, g2, g3, ru] = ops;
      assert.deepEqual(await memberIds(g1?.location), [idOf(g2), idOf(ru)].sort());
      assert.deepEqual(await memberIds(g2?.location), [idOf(g3)]);
      assert.deepEqual(await memberIds(g3?.location), [idOf(g1), idOf(ru)].sort());
      const groups = (await c.req('GET', String(ru?.location))).body.groups ?? [];
      assert.equal(groups.length, 3, 'the user is in all three groups, directly or not');
    });

    test('§3.7.1 a cycle that cannot be resolved is 409 and creates nothing', async () => {
      const ops = await c.bulk([
        userOp('m1', 'cycle1@example.com', {
          schemas: [USER, ENTERPRISE],
          [ENTERPRISE]: { manager: { value: 'bulkId:m2' } },
        }),
        userOp('m2', 'cycle2@example.com', {
          schemas: [USER, ENTERPRISE],
          [ENTERPRISE]: { manager: { value: 'bulkId:m1' } },
        }),
      ]);
      assert.deepEqual(
        ops.map((o) => [o.status, o.response?.scimType, o.location]),
        [
          ['409', 'invalidValue', undefined],
          ['409', 'invalidValue', undefined],
        ],
      );
      assert.equal(await count(c, 'Users', 'userName sw "cycle"'), 0);
    });

    test('§3.7.1 when the other half of a cycle fails, the first group is not left half created', async () => {
      const ops = await c.bulk([
        groupOp('ha', 'Half A', ['bulkId:hb']),
        { ...groupOp('hb', 'Half B', ['bulkId:ha']), data: { schemas: [GROUP], members: [] } },
      ]);
      assert.deepEqual(
        ops.map((o) => o.status),
        ['409', '400'],
      );
      assert.equal(ops[0]?.location, undefined, 'a failed POST has no location');
      assert.equal(ops[0]?.response?.status, '409');
      assert.equal(await count(c, 'Groups', 'displayName eq "Half A"'), 0);
    });

    test('failOnErrors stopping inside a cycle undoes the half-created group and reports only what ran', async () => {
      const ops = await c.bulk(
        [
          groupOp('sa', 'Stop A', ['bulkId:sb']),
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'sb',
            data: { schemas: [GROUP], members: [{ value: 'bulkId:sa' }] },
          },
          userOp('after', 'after-stop@example.com'),
        ],
        { failOnErrors: 1 },
      );
      // 'after' refers to nothing and runs at once; the cycle is then broken by creating Stop A
      // without its member; Stop B fails, which stops the job before Stop A is completed.
      assert.deepEqual(
        ops.map((o) => [o.bulkId, o.status]),
        [
          ['sb', '400'],
          ['after', '201'],
        ],
      );
      assert.equal(await count(c, 'Groups', 'displayName eq "Stop A"'), 0);
    });

    test('§3.7.2 unresolvable references are 409 with an Error body; a failed POST cannot be referred to', async () => {
      const ops = await c.bulk([
        groupOp('lonely', 'Lonely', ['bulkId:nowhere']),
        patchOp('/Groups/bulkId:nowhere', { op: 'replace', path: 'displayName', value: 'x' }),
        userOp('broken', 'broken@example.com', { name: 'not an object' }),
        groupOp('needs-broken', 'Needs broken', ['bulkId:broken']),
        groupOp('self', 'Self', ['bulkId:self']),
      ]);
      assert.deepEqual(
        ops.map((o) => o.status),
        ['409', '409', '400', '409', '409'],
      );
      for (const o of ops) {
        assert.deepEqual(o.response?.schemas, [ERROR]);
        assert.equal(o.response?.status, o.status);
        assert.equal(typeof o.response?.detail, 'string');
      }
      assert.equal(ops[0]?.response?.scimType, 'invalidValue');
      assert.equal(
        ops[1]?.location,
        `${c.base}/Groups/bulkId:nowhere`,
        'a failed PATCH still has a location',
      );
      assert.equal(
        await count(
          c,
          'Groups',
          'displayName sw "Lonely" or displayName sw "Needs" or displayName eq "Self"',
        ),
        0,
      );
      // bulkIds live for one request only.
      const later = await c.bulk([patchOp('/Users/bulkId:u', { op: 'replace', path: 'title', value: 'x' })]);
      assert.equal(later[0]?.status, '409');
    });

    test('§3.7.3 version is an If-Match per operation: 412 inside the response with the resource location', async () => {
      const created = await c.req('POST', 'Users', {
        schemas: [USER],
        userName: 'versioned@example.com',
      });
      const id = created.body.id as string;
      const v1 = created.body.meta.version as string;
      const ops = await c.bulk([
        { ...patchOp(`/Users/${id}`, { op: 'replace', path: 'title', value: 'one' }), version: v1 },
        {
          method: 'PUT',
          path: `/Users/${id}`,
          version: v1,
          data: { schemas: [USER], userName: 'versioned@example.com', title: 'stale' },
        },
        { method: 'DELETE', path: `/Users/${id}`, version: v1 },
      ]);
      assert.deepEqual(
        ops.map((o) => o.status),
        ['200', '412', '412'],
      );
      assert.equal(ops[1]?.location, `${c.base}/Users/${id}`);
      assert.deepEqual(ops[1]?.response?.schemas, [ERROR]);
      assert.equal(ops[1]?.response?.status, '412');
      const now = await c.req('GET', `Users/${id}`);
      assert.equal(now.body.title, 'one', 'the stale PUT changed nothing');
      const del = await c.bulk([{ method: 'DELETE', path: `/Users/${id}`, version: ops[0]?.version }]);
      assert.equal(del[0]?.status, '204');
      assert.equal((await c.req('GET', `Users/${id}`)).status, 404);
    });

    test('failOnErrors: every operation runs without it; with N the job stops after the Nth error', async () => {
      const failing = (i: number) => ({ method: 'DELETE', path: `/Users/missing-${i}` });
      const all = await c.bulk([failing(1), userOp('f1', 'foe1@example.com'), failing(2), failing(3)]);
      assert.deepEqual(
        all.map((o) => o.status),
        ['404', '201', '404', '404'],
      );
      assert.equal(all[0]?.location, `${c.base}/Users/missing-1`);
      const two = await c.bulk(
        [failing(1), userOp('f2', 'foe2@example.com'), failing(2), userOp('f3', 'foe3@example.com')],
        { failOnErrors: 2 },
      );
      assert.deepEqual(
        two.map((o) => o.status),
        ['404', '201', '404'],
      );
      assert.equal(await count(c, 'Users', 'userName eq "foe3@example.com"'), 0);
    });

    test('each operation is atomic: a failed POST or PATCH writes nothing', async () => {
      const u = (await c.req('POST', 'Users', { schemas: [USER], userName: 'atomic@example.com' })).body;
      const g = (await c.req('POST', 'Groups', { schemas: [GROUP], displayName: 'Atomic' })).body;
      const ops = await c.bulk([
        groupOp('ag', 'Atomic ghosts', [u.id, crypto.randomUUID()]),
        patchOp(
          `/Groups/${g.id}`,
          { op: 'add', path: 'members', value: [{ value: u.id }] },
          { op: 'replace', path: 'displayName', value: 'Renamed' },
          { op: 'add', path: 'members', value: [{ value: crypto.randomUUID() }] },
        ),
        patchOp(
          `/Users/${u.id}`,
          { op: 'replace', path: 'title', value: 'changed' },
          { op: 'replace', path: 'noSuchAttribute', value: 1 },
        ),
      ]);
      assert.deepEqual(
        ops.map((o) => o.status),
        ['400', '400', '400'],
      );
      assert.equal(await count(c, 'Groups', 'displayName eq "Atomic ghosts"'), 0);
      const group = (await c.req('GET', `Groups/${g.id}`)).body;
      assert.equal(group.displayName, 'Atomic');
      assert.equal(group.meta.version, g.meta.version);
      assert.deepEqual(group.members ?? [], []);
      assert.equal((await c.req('GET', `Users/${u.id}`)).body.title, undefined);
    });

    test('§3.7.4 limits: maxOperations and maxPayloadSize are advertised; more is 413 with a SCIM error and nothing runs', async () => {
      const spc = (await c.req('GET', 'ServiceProviderConfig')).body;
      assert.equal(spc.bulk.supported, true);
      assert.equal(typeof spc.bulk.maxOperations, 'number');
      assert.equal(typeof spc.bulk.maxPayloadSize, 'number');
      const { maxOperations, maxPayloadSize } = spc.bulk as { maxOperations: number; maxPayloadSize: number };

      const ops = Array.from({ length: maxOperations + 1 }, (_, i) =>
        i === 0 ? userOp('first', 'limit-first@example.com') : { method: 'DELETE', path: `/Users/x${i}` },
      );
      const tooMany = await c.req('POST', 'Bulk', { schemas: [BULK_REQUEST], Operations: ops });
      assert.equal(tooMany.status, 413);
      assert.deepEqual(tooMany.body.schemas, [ERROR]);
      assert.equal(tooMany.body.status, '413');
      assert.match(tooMany.body.detail, new RegExp(String(maxOperations)));
      assert.equal(await count(c, 'Users', 'userName eq "limit-first@example.com"'), 0);

      const big = await c.req('POST', 'Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [userOp('big', 'limit-big@example.com', { nickName: 'x'.repeat(maxPayloadSize) })],
      });
      assert.equal(big.status, 413);
      assert.deepEqual(big.body.schemas, [ERROR]);
      assert.equal(big.body.status, '413');
      assert.match(big.body.detail, new RegExp(`maxPayloadSize ${maxPayloadSize}`));
      assert.equal(await count(c, 'Users', 'userName eq "limit-big@example.com"'), 0);

      const exactly = Array.from({ length: maxOperations }, (_, i) => ({
        method: 'DELETE',
        path: `/Users/y${i}`,
      }));
      const ok = await c.bulk(exactly);
      assert.equal(ok.length, maxOperations);
    });

    test('malformed bulk requests are 4xx SCIM errors, never 500', async () => {
      const bodies: unknown[] = [
        '',
        '{"schemas":',
        '[]',
        '"Operations"',
        { Operations: [] },
        { schemas: 'x', Operations: [] },
        { schemas: [BULK_REQUEST] },
        { schemas: [BULK_REQUEST], Operations: {} },
        { schemas: [BULK_REQUEST], failOnErrors: 'one', Operations: [] },
        { schemas: [BULK_REQUEST], failOnErrors: 0, Operations: [] },
        { schemas: [BULK_REQUEST], failOnErrors: 1.5, Operations: [] },
      ];
      // A problem with one operation is that operation's 400 inside a 200 BulkResponse (§3.7.3).
      const perOperation: unknown[] = [
        { schemas: [BULK_REQUEST], Operations: [null] },
        { schemas: [BULK_REQUEST], Operations: ['DELETE /Users/1'] },
        { schemas: [BULK_REQUEST], Operations: [{ method: 'GET', path: '/Users' }] },
        { schemas: [BULK_REQUEST], Operations: [{ method: 42, path: '/Users/1' }] },
        { schemas: [BULK_REQUEST], Operations: [{ method: 'DELETE' }] },
        { schemas: [BULK_REQUEST], Operations: [{ method: 'DELETE', path: 7 }] },
        { schemas: [BULK_REQUEST], Operations: [{ method: 'DELETE', path: '/Users/%E0%A4%A' }] },
        { schemas: [BULK_REQUEST], Operations: [{ method: 'DELETE', path: '/Users/a/b/c' }] },
        {
          schemas: [BULK_REQUEST],
          Operations: [{ method: 'POST', path: '/Users', data: { userName: 'x' } }],
        },
        { schemas: [BULK_REQUEST], Operations: [{ method: 'POST', path: '/Users', bulkId: 'x' }] },
        {
          schemas: [BULK_REQUEST],
          Operations: [{ method: 'POST', path: '/Users/1', bulkId: 'x', data: {} }],
        },
        { schemas: [BULK_REQUEST], Operations: [{ method: 'PUT', path: '/Users/1' }] },
        { schemas: [BULK_REQUEST], Operations: [{ method: 'PATCH', path: '/Users/1', data: [] }] },
        { schemas: [BULK_REQUEST], Operations: [{ method: 'POST', path: '/Users', bulkId: '', data: {} }] },
        {
          schemas: [BULK_REQUEST],
          Operations: [userOp('d', 'dup1@example.com'), userOp('d', 'dup2@example.com')],
        },
      ];
      const failures: string[] = [];
      for (const body of bodies) {
        const res = await c.req('POST', 'Bulk', body);
        const label = (typeof body === 'string' ? body : JSON.stringify(body)).slice(0, 100);
        if (res.status < 400 || res.status >= 500) failures.push(`${label} -> ${res.status}`);
        else if (res.body?.status !== String(res.status) || !res.body.schemas?.includes(ERROR)) {
          failures.push(`${label} -> not a SCIM error: ${JSON.stringify(res.body).slice(0, 200)}`);
        }
      }
      for (const body of perOperation) {
        const res = await c.req('POST', 'Bulk', body);
        const label = JSON.stringify(body).slice(0, 100);
        const last = res.body?.Operations?.at(-1);
        if (res.status !== 200) failures.push(`${label} -> ${res.status}`);
        else if (
          last?.status !== '400' ||
          last.response?.status !== '400' ||
          !last.response.schemas?.includes(ERROR)
        ) {
          failures.push(`${label} -> not a 400 operation: ${JSON.stringify(res.body).slice(0, 200)}`);
        }
      }
      assert.deepEqual(failures, []);
      assert.deepEqual(
        (await c.req('GET', `Users?filter=${encodeURIComponent('userName sw "dup"')}`)).body.Resources.map(
          (u: { userName: string }) => u.userName,
        ),
        ['dup1@example.com'],
        'the first operation with a bulkId runs; the duplicate does not',
      );

      // U+0000 cannot be stored by PostgreSQL: refused as 400 on both dialects, in data or in a path.
      const nul = await c.req('POST', 'Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [userOp('ok', 'before-nul@example.com'), userOp('nul', 'nul\u0000@example.com')],
      });
      assert.equal(nul.status, 400);
      assert.equal(nul.body.scimType, 'invalidValue');
      const nulPath = await c.req('POST', 'Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [{ method: 'DELETE', path: '/Users/%00' }],
      });
      assert.equal(nulPath.status, 200);
      assert.equal(nulPath.body.Operations[0].status, '400');
      assert.equal(nulPath.body.Operations[0].response.scimType, 'invalidValue');
      assert.equal(await count(c, 'Users', 'userName eq "before-nul@example.com"'), 0);

      // Problems inside one operation's data are that operation's error, not a 500.
      const nested = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const deep = await c.req(
        'POST',
        'Bulk',
        `{"schemas":["${BULK_REQUEST}"],"Operations":[{"method":"POST","path":"/Users","bulkId":"deep",` +
          `"data":{"schemas":["${USER}"],"userName":"deep@example.com","x":${nested}}}]}`,
      );
      assert.equal(deep.status, 200);
      assert.equal(deep.body.Operations[0].status, '400');
      const ops = await c.bulk([
        { method: 'POST', path: '/Users', bulkId: 'noschema', data: { userName: 'noschema@example.com' } },
        { method: 'PATCH', path: '/Users/nope', data: { Operations: 'x' } },
        { method: 'DELETE', path: '/Widgets/1' },
        {
          method: 'POST',
          path: '/Bulk',
          bulkId: 'nested',
          data: { schemas: [BULK_REQUEST], Operations: [] },
        },
        { method: 'PUT', path: '/ServiceProviderConfig/x', data: {} },
      ]);
      for (const o of ops) {
        assert.ok(Number(o.status) >= 400 && Number(o.status) < 500, JSON.stringify(o));
        assert.deepEqual(o.response?.schemas, [ERROR]);
      }
    });

    test('organization isolation: a bulk operation cannot see or change another organization', async () => {
      const theirs = (await other.req('POST', 'Users', { schemas: [USER], userName: 'theirs@example.com' }))
        .body;
      const theirGroup = (await other.req('POST', 'Groups', { schemas: [GROUP], displayName: 'Theirs' }))
        .body;
      const ops = await c.bulk([
        { method: 'DELETE', path: `/Users/${theirs.id}` },
        patchOp(`/Groups/${theirGroup.id}`, { op: 'replace', path: 'displayName', value: 'Mine now' }),
        {
          method: 'PUT',
          path: `/Users/${theirs.id}`,
          data: { schemas: [USER], userName: 'theirs@example.com', title: 'x' },
        },
        groupOp('steal', 'Steal', [theirs.id]),
        { ...userOp('dupe', 'theirs@example.com') },
      ]);
      assert.deepEqual(
        ops.map((o) => o.status),
        ['404', '404', '404', '400', '201'],
        'their ids do not exist here; their userName is free here',
      );
      assert.equal((await other.req('GET', `Users/${theirs.id}`)).body.title, undefined);
      assert.equal((await other.req('GET', `Groups/${theirGroup.id}`)).body.displayName, 'Theirs');
      // A bulk path cannot climb out of the organization's base URL.
      const climb = await c.req('POST', 'Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [{ method: 'DELETE', path: `/../${other.base.split('/').pop()}/Users/${theirs.id}` }],
      });
      assert.ok(['400', '404'].includes(climb.body.Operations?.[0]?.status), JSON.stringify(climb.body));
      assert.equal((await other.req('GET', `Users/${theirs.id}`)).status, 200);
      // Another organization's token is refused at this organization's /Bulk.
      const wrongToken = await fetch(`${c.base}/Bulk`, {
        method: 'POST',
        headers: { authorization: `Bearer ${other.token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({ schemas: [BULK_REQUEST], Operations: [userOp('x', 'intruder@example.com')] }),
      });
      assert.equal(wrongToken.status, 401);
      assert.equal(await count(c, 'Users', 'userName eq "intruder@example.com"'), 0);
      const noToken = await fetch(`${c.base}/Bulk`, {
        method: 'POST',
        headers: { 'content-type': 'application/scim+json' },
        body: JSON.stringify({ schemas: [BULK_REQUEST], Operations: [] }),
      });
      assert.equal(noToken.status, 401);
    });
  });
}
