/**
 * RFC 7644 §3.7.3 over real HTTP: a problem with one bulk operation (no usable method, a bad
 * path, a POST without bulkId, a duplicate bulkId, no `data` object, …) is that operation's
 * 400 inside a 200 BulkResponse, in its place; it counts toward failOnErrors, a `bulkId:`
 * reference to it fails as one to any failed POST does, and the other operations run. Only a
 * malformed BulkRequest message is still refused as a whole.
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

const post = (bulkId: string, userName: string) => ({
  method: 'POST',
  path: '/Users',
  bulkId,
  data: { schemas: [USER], userName },
});
const retitle = (path: string) => ({
  method: 'PATCH',
  path,
  data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Retitled' }] },
});
const group = (bulkId: string, displayName: string, ...members: string[]) => ({
  method: 'POST',
  path: '/Groups',
  bulkId,
  data: { schemas: [GROUP], displayName, members: members.map((value) => ({ value })) },
});
/** The result without its error body: what is echoed of the operation. */
const echo = ({ response: _, ...rest }: OpResult) => rest;

for (const dialect of dialects) {
  describe(`Bulk: per-operation errors (${dialect})`, () => {
    const live = useLiveServer(dialect);
    let c: LiveClient;

    const userNames = async (prefix: string) =>
      (
        (await c.req('GET', `Users?filter=${encodeURIComponent(`userName sw "${prefix}"`)}`)).body
          .Resources ?? []
      )
        .map((u: { userName: string }) => u.userName)
        .sort();
    const assertError = (r: OpResult | undefined, status: string, scimType: string, index: number) => {
      assert.equal(r?.status, status, JSON.stringify(r));
      assert.deepEqual(r?.response?.schemas, [ERROR]);
      assert.equal(r?.response?.status, status);
      assert.equal(r?.response?.scimType, scimType, JSON.stringify(r));
      assert.ok(r?.response?.detail.startsWith(`Operations[${index}]: `), r?.response?.detail);
    };

    before(async () => {
      c = await live.client('bulk-op-errors');
    });

    test('each invalid operation is its own 400, in its place, and the operations around it run', async () => {
      const at = (id: string) => `${c.base}/Users/${id}`;
      // [operation, scimType, what the result echoes besides status]
      const cases: [unknown, string, Omit<OpResult, 'status' | 'response'>][] = [
        [null, 'invalidSyntax', {}],
        ['DELETE /Users/1', 'invalidSyntax', {}],
        [[{ method: 'DELETE', path: '/Users/1' }], 'invalidSyntax', {}],
        [{ method: 'GET', path: '/Users', bulkId: 'g' }, 'invalidValue', { bulkId: 'g' }],
        [{ method: 42, path: '/Users/1', bulkId: 7 }, 'invalidValue', {}],
        [{ path: '/Users/1', bulkId: { x: 1 } }, 'invalidValue', {}],
        [{ method: 'delete' }, 'invalidValue', { method: 'DELETE' }],
        [{ method: 'DELETE', path: 7 }, 'invalidValue', { method: 'DELETE' }],
        [{ method: 'DELETE', path: '/Users/a/b/c' }, 'invalidValue', { method: 'DELETE' }],
        [{ method: 'DELETE', path: '/../other/Users/1' }, 'invalidValue', { method: 'DELETE' }],
        [{ method: 'DELETE', path: '/Users/%E0%A4%A' }, 'invalidValue', { method: 'DELETE' }],
        [{ method: 'DELETE', path: '/Users/a%00b' }, 'invalidValue', { method: 'DELETE' }],
        [{ method: 'DELETE', path: '/Users' }, 'invalidValue', { method: 'DELETE' }],
        [{ method: 'PUT', path: '/Users', data: {} }, 'invalidValue', { method: 'PUT' }],
        [{ ...retitle('/Groups'), bulkId: 'r' }, 'invalidValue', { method: 'PATCH', bulkId: 'r' }],
        [{ ...post('x', 'no-bulkid@example.com'), bulkId: undefined }, 'invalidValue', { method: 'POST' }],
        [{ ...post('', 'empty-bulkid@example.com') }, 'invalidValue', { method: 'POST', bulkId: '' }],
        [
          { ...post('p', 'to-id@example.com'), path: '/Users/1' },
          'invalidValue',
          { method: 'POST', bulkId: 'p' },
        ],
        [{ method: 'POST', path: '/Users', bulkId: 'q' }, 'invalidSyntax', { method: 'POST', bulkId: 'q' }],
        [
          { method: 'POST', path: '/Users', bulkId: 'q', data: 'x' },
          'invalidSyntax',
          { method: 'POST', bulkId: 'q' },
        ],
        [{ method: 'PUT', path: '/Users/abc' }, 'invalidSyntax', { method: 'PUT', location: at('abc') }],
        [
          { method: 'PATCH', path: '/Users/a%20b', data: [] },
          'invalidSyntax',
          { method: 'PATCH', location: at('a%20b') },
        ],
        [
          { method: 'PUT', path: '/Users/bulkId:x', data: null },
          'invalidSyntax',
          { method: 'PUT', location: at('bulkId:x') },
        ],
      ];
      for (const [i, [op, scimType, echoed]] of cases.entries()) {
        const ops = await c.bulk([
          post(`b${i}`, `around-${i}-before@example.com`),
          op,
          post(`a${i}`, `around-${i}-after@example.com`),
        ]);
        const label = `case ${i}: ${JSON.stringify(op)}`;
        assert.equal(ops.length, 3, label);
        assert.deepEqual(
          ops.map((o) => [o.bulkId, o.status]),
          [
            [`b${i}`, '201'],
            [echoed.bulkId, '400'],
            [`a${i}`, '201'],
          ],
          label,
        );
        assertError(ops[1], '400', scimType, 1);
        assert.deepEqual(echo(ops[1] as OpResult), { ...echoed, status: '400' }, label);
      }
      const created = await userNames('around-');
      assert.equal(created.length, cases.length * 2, 'every valid operation ran');
      assert.deepEqual(await userNames('no-bulkid'), []);
      assert.deepEqual(await userNames('empty-bulkid'), []);
      assert.deepEqual(await userNames('to-id'), []);
    });

    test('failOnErrors counts an invalid operation: with 1 and an invalid first operation nothing else runs', async () => {
      const first = await c.bulk([{ method: 'GET', path: '/Users' }, post('f1', 'foe-1@example.com')], {
        failOnErrors: 1,
      });
      assert.equal(first.length, 1);
      assertError(first[0], '400', 'invalidValue', 0);
      assert.equal(first[0]?.method, undefined, 'an unusable method is not echoed');
      assert.deepEqual(await userNames('foe-1'), []);

      const middle = await c.bulk(
        [
          post('m1', 'foe-2a@example.com'),
          { method: 'POST', path: '/Users' },
          post('m3', 'foe-2c@example.com'),
        ],
        { failOnErrors: 1 },
      );
      assert.deepEqual(
        middle.map((o) => o.status),
        ['201', '400'],
      );
      assert.deepEqual(await userNames('foe-2'), ['foe-2a@example.com']);

      // An invalid operation and a failure while running count alike.
      const mixed = await c.bulk(
        [
          { method: 'DELETE', path: '/Users/no-such-user' },
          post('x1', 'foe-3a@example.com'),
          null,
          post('x2', 'foe-3b@example.com'),
        ],
        { failOnErrors: 2 },
      );
      assert.deepEqual(
        mixed.map((o) => o.status),
        ['404', '201', '400'],
      );
      assert.deepEqual(await userNames('foe-3'), ['foe-3a@example.com']);

      // Without failOnErrors every operation is answered.
      const all = await c.bulk([null, null, post('y', 'foe-4@example.com'), null]);
      assert.deepEqual(
        all.map((o) => o.status),
        ['400', '400', '201', '400'],
      );
    });

    test('a duplicate bulkId: the second operation fails; references resolve to the first', async () => {
      // The first POST 'd' waits for its manager, created last, so the duplicate fails before
      // it runs: references to 'd' must keep waiting for the first, not die with the second.
      const ops = await c.bulk([
        retitle('/Users/bulkId:d'),
        {
          ...post('d', 'dup-first@example.com'),
          data: {
            schemas: [USER, ENTERPRISE],
            userName: 'dup-first@example.com',
            [ENTERPRISE]: { manager: { value: 'bulkId:mgr' } },
          },
        },
        post('d', 'dup-second@example.com'),
        group('dg', 'Dup group', 'bulkId:d'),
        post('mgr', 'dup-manager@example.com'),
      ]);
      assert.deepEqual(
        ops.map((o) => [o.bulkId, o.status]),
        [
          [undefined, '200'],
          ['d', '201'],
          ['d', '400'],
          ['dg', '201'],
          ['mgr', '201'],
        ],
      );
      assertError(ops[2], '400', 'invalidValue', 2);
      assert.match(String(ops[2]?.response?.detail), /bulkId 'd' is already used by Operations\[1\]/);
      assert.equal(ops[2]?.location, undefined, 'a failed POST has no location');
      assert.equal(ops[0]?.location, ops[1]?.location, 'the reference names the first POST');
      const userId = String(ops[1]?.location).split('/').pop();
      const first = (await c.req('GET', String(ops[1]?.location))).body;
      assert.equal(first.title, 'Retitled');
      assert.equal(first[ENTERPRISE].manager.value, String(ops[4]?.location).split('/').pop());
      const members = (await c.req('GET', String(ops[3]?.location))).body.members ?? [];
      assert.deepEqual(
        members.map((m: { value: string }) => m.value),
        [userId],
      );
      assert.deepEqual(await userNames('dup-'), ['dup-first@example.com', 'dup-manager@example.com']);
    });

    test('a bulkId owned by an invalid operation: a later POST with it is a duplicate, references to it fail', async () => {
      const ops = await c.bulk([
        { method: 'POST', path: '/Users', bulkId: 'o' },
        post('o', 'owned-later@example.com'),
        retitle('/Users/bulkId:o'),
      ]);
      assert.deepEqual(
        ops.map((o) => o.status),
        ['400', '400', '409'],
      );
      assertError(ops[0], '400', 'invalidSyntax', 0);
      assertError(ops[1], '400', 'invalidValue', 1);
      assertError(ops[2], '409', 'invalidValue', 2);
      assert.deepEqual(await userNames('owned-'), []);
    });

    test('a reference to an operation that failed validation fails as one to any failed POST does', async () => {
      const ops = await c.bulk([
        retitle('/Users/bulkId:late'),
        group('refs', 'Refs invalid', 'bulkId:late'),
        { ...post('late', 'late@example.com'), path: '/Users/1' },
        { method: 'GET', path: '/Users', bulkId: 'get' },
        retitle('/Users/bulkId:get'),
      ]);
      // Positions are request order, although 0 and 1 wait for 2 to have run.
      assert.deepEqual(
        ops.map((o) => [o.method, o.status]),
        [
          ['PATCH', '409'],
          ['POST', '409'],
          ['POST', '400'],
          [undefined, '400'],
          ['PATCH', '409'],
        ],
      );
      for (const i of [0, 1, 4]) {
        assertError(ops[i], '409', 'invalidValue', i);
        assert.match(String(ops[i]?.response?.detail), /does not name a resource created by this request/);
      }
      assert.equal(ops[0]?.location, `${c.base}/Users/bulkId:late`);
      assert.deepEqual(
        (await c.req('GET', `Groups?filter=${encodeURIComponent('displayName eq "Refs invalid"')}`)).body
          .totalResults,
        0,
      );

      // The same request with a POST that fails when it runs answers the same statuses.
      const failing = await c.bulk([
        retitle('/Users/bulkId:late2'),
        group('refs2', 'Refs failed', 'bulkId:late2'),
        { ...post('late2', 'late2@example.com'), data: { schemas: [USER] } },
      ]);
      assert.deepEqual(
        failing.map((o) => o.status),
        ['409', '409', '400'],
      );

      // failOnErrors stops at the invalid POST: the operations that wait for it are left out.
      const stopped = await c.bulk(
        [retitle('/Users/bulkId:late3'), { ...post('late3', 'late3@example.com'), path: '/Users/1' }],
        { failOnErrors: 1 },
      );
      assert.deepEqual(
        stopped.map((o) => [o.bulkId, o.status]),
        [['late3', '400']],
      );
    });

    test('invalid operations do not disturb forward and circular references between the others', async () => {
      const ops = await c.bulk([
        group('ca', 'Circle A', 'bulkId:cb'),
        { method: 'PATCH', path: '/Groups/bulkId:ca' },
        group('cb', 'Circle B', 'bulkId:ca', 'bulkId:cu'),
        'not an operation',
        post('cu', 'circle-user@example.com'),
      ]);
      assert.deepEqual(
        ops.map((o) => o.status),
        ['201', '400', '201', '400', '201'],
      );
      assert.equal(ops[1]?.location, `${c.base}/Groups/bulkId:ca`, 'the path is echoed as sent, unresolved');
      const a = (await c.req('GET', String(ops[0]?.location))).body;
      const b = (await c.req('GET', String(ops[2]?.location))).body;
      assert.deepEqual(
        a.members.map((m: { value: string }) => m.value),
        [b.id],
      );
      assert.equal(b.members.length, 2);
    });

    test('an operation whose fields are of any JSON type is a 4xx result, never a 5xx', async () => {
      const values: unknown[] = [null, true, 0, -1.5, '', 'x', [], [null], {}, { a: { b: [] } }];
      const ops = values.flatMap((v, i) => [
        { method: v, path: v, bulkId: v, data: v },
        { method: 'POST', path: '/Users', bulkId: v, data: v },
        { method: 'PATCH', path: v, data: v, version: v },
        { method: 'DELETE', path: `/Users/any-${i}`, bulkId: v, version: v },
      ]);
      const res = await c.req('POST', 'Bulk', { schemas: [BULK_REQUEST], Operations: ops });
      assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
      const results = res.body.Operations as OpResult[];
      assert.equal(results.length, ops.length, 'every operation is answered');
      for (const r of results) {
        assert.ok(Number(r.status) >= 400 && Number(r.status) < 500, JSON.stringify(r));
        assert.deepEqual(r.response?.schemas, [ERROR]);
      }
    });

    test('problems with the message itself still refuse the whole request, whatever its operations', async () => {
      const spc = (await c.req('GET', 'ServiceProviderConfig')).body;
      const invalid = { method: 'GET', path: '/Users' };
      const valid = post('w', 'whole@example.com');
      const cases: [unknown, number, string | undefined][] = [
        [[valid, invalid], 400, 'invalidSyntax'],
        [{ Operations: [valid, invalid] }, 400, 'invalidSyntax'],
        [{ schemas: [BULK_REQUEST], Operations: { 0: valid } }, 400, 'invalidSyntax'],
        [{ schemas: [BULK_REQUEST], failOnErrors: 0, Operations: [valid, invalid] }, 400, 'invalidValue'],
        [{ schemas: [BULK_REQUEST], failOnErrors: '1', Operations: [valid, invalid] }, 400, 'invalidValue'],
        [
          {
            schemas: [BULK_REQUEST],
            Operations: [valid, ...Array.from({ length: spc.bulk.maxOperations as number }, () => invalid)],
          },
          413,
          undefined,
        ],
      ];
      for (const [body, status, scimType] of cases) {
        const res = await c.req('POST', 'Bulk', body);
        const label = JSON.stringify(body).slice(0, 120);
        assert.equal(res.status, status, label);
        assert.deepEqual(res.body.schemas, [ERROR], label);
        assert.equal(res.body.status, String(status), label);
        assert.equal(res.body.scimType, scimType, label);
      }
      assert.deepEqual(await userNames('whole'), [], 'a refused request runs no operation');
    });
  });
}
