import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PATCH_OP, startTestApp, type TestApp, USER_SCHEMA } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

type OpResult = {
  method: string;
  bulkId?: string;
  status: string;
  location?: string;
  version?: string;
  response?: { scimType?: string; detail: string };
};

for (const dialect of dialects) {
  describe(`Bulk (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect, { BULK_MAX_OPERATIONS: '5', MAX_BODY_BYTES: '65536' });
    });
    after(async () => {
      await t.close();
    });

    test('creates a user and adds it to a group in one request, forward reference included', async () => {
      const res = await t.request('POST', 'Bulk', {
        schemas: [BULK],
        Operations: [
          // The group refers to a user created by a later operation (RFC 7644 §3.7.1).
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'g1',
            data: { schemas: [GROUP_SCHEMA], displayName: 'Bulk team', members: [{ value: 'bulkId:u1' }] },
          },
          {
            method: 'POST',
            path: '/Users',
            bulkId: 'u1',
            data: { schemas: [USER_SCHEMA], userName: 'bulk1@example.com' },
          },
        ],
      });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.deepEqual(body.schemas, ['urn:ietf:params:scim:api:messages:2.0:BulkResponse']);
      const [g, u] = body.Operations as OpResult[];
      assert.equal(g?.status, '201');
      assert.equal(u?.status, '201');
      assert.equal(g?.bulkId, 'g1');
      assert.match(String(u?.location), new RegExp(`${t.base}/Users/`));
      assert.match(String(u?.version), /^W\/"\d+"$/);
      const group = await t.request('GET', String(g?.location).replace('https://scim.test', ''));
      const userId = String(u?.location).split('/').pop();
      assert.deepEqual(
        group.json().members.map((m: { value: string }) => m.value),
        [userId],
      );
    });

    test('each operation stands alone: errors are reported per operation; failOnErrors stops the job', async () => {
      const res = await t.request('POST', 'Bulk', {
        schemas: [BULK],
        failOnErrors: 1,
        Operations: [
          {
            method: 'POST',
            path: '/Users',
            bulkId: 'a',
            data: { schemas: [USER_SCHEMA], userName: 'bulk-a@example.com' },
          },
          {
            method: 'POST',
            path: '/Users',
            bulkId: 'b',
            data: { schemas: [USER_SCHEMA], userName: 'bulk-a@example.com' },
          },
          {
            method: 'POST',
            path: '/Users',
            bulkId: 'c',
            data: { schemas: [USER_SCHEMA], userName: 'bulk-c@example.com' },
          },
        ],
      });
      assert.equal(res.statusCode, 200);
      const ops = res.json().Operations as OpResult[];
      assert.deepEqual(
        ops.map((o) => o.status),
        ['201', '409'],
      );
      assert.equal(ops[1]?.response?.scimType, 'uniqueness');
      const c = await t.request(
        'GET',
        `Users?filter=${encodeURIComponent('userName eq "bulk-c@example.com"')}`,
      );
      assert.equal(c.json().totalResults, 0, 'nothing after the failOnErrors limit ran');
    });

    test('PUT, PATCH and DELETE by path, with version checks', async () => {
      const created = (
        await t.request('POST', 'Users', { schemas: [USER_SCHEMA], userName: 'bulk-v@example.com' })
      ).json();
      const res = await t.request('POST', 'Bulk', {
        schemas: [BULK],
        Operations: [
          {
            method: 'PATCH',
            path: `/Users/${created.id}`,
            version: created.meta.version,
            data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Lead' }] },
          },
          {
            method: 'PUT',
            path: `/Users/${created.id}`,
            version: created.meta.version,
            data: { schemas: [USER_SCHEMA], userName: 'bulk-v@example.com' },
          },
          { method: 'DELETE', path: `/Users/${created.id}` },
          { method: 'DELETE', path: `/Users/${created.id}` },
        ],
      });
      const ops = res.json().Operations as OpResult[];
      assert.deepEqual(
        ops.map((o) => o.status),
        ['200', '412', '204', '404'],
      );
    });

    test('an unresolvable bulkId is 409; bad operations are reported, not thrown', async () => {
      const res = await t.request('POST', 'Bulk', {
        schemas: [BULK],
        Operations: [
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'lonely',
            data: { schemas: [GROUP_SCHEMA], displayName: 'X', members: [{ value: 'bulkId:nowhere' }] },
          },
        ],
      });
      const ops = res.json().Operations as OpResult[];
      assert.equal(ops[0]?.status, '409');
      assert.equal(ops[0]?.response?.scimType, 'invalidValue');
    });

    test('limits: more than maxOperations or maxPayloadSize is 413; both are advertised', async () => {
      const many = Array.from({ length: 6 }, (_, i) => ({
        method: 'POST',
        path: '/Users',
        bulkId: `m${i}`,
        data: { schemas: [USER_SCHEMA], userName: `m${i}@example.com` },
      }));
      const tooMany = await t.request('POST', 'Bulk', { schemas: [BULK], Operations: many });
      assert.equal(tooMany.statusCode, 413);
      assert.equal(tooMany.json().status, '413');
      const big = await t.request('POST', 'Bulk', {
        schemas: [BULK],
        Operations: [],
        pad: 'x'.repeat(70_000),
      });
      assert.equal(big.statusCode, 413);
      const spc = (await t.request('GET', 'ServiceProviderConfig')).json();
      assert.deepEqual(spc.bulk, { supported: true, maxOperations: 5, maxPayloadSize: 65536 });
      const noSchema = await t.request('POST', 'Bulk', { Operations: [] });
      assert.equal(noSchema.statusCode, 400);
      assert.equal(noSchema.json().scimType, 'invalidSyntax');
    });
  });
}
