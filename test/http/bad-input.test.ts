/**
 * No client input produces a 500: a table of malformed requests against every endpoint, each
 * answered with a 4xx SCIM error body.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PATCH_OP, startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

function deep(n: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
}

for (const dialect of dialects) {
  describe(`malformed input is a 4xx SCIM error, never a 500 (${dialect})`, () => {
    let t: TestApp;
    let userId: string;
    let groupId: string;
    before(async () => {
      t = await startTestApp(dialect);
      userId = (await t.request('POST', 'Users', user('target@example.com'))).json().id;
      groupId = (await t.request('POST', 'Groups', { schemas: [GROUP], displayName: 'G' })).json().id;
    });
    after(async () => {
      await t.close();
    });

    const cases = (): [string, string, unknown, Record<string, string>?][] => [
      ['POST', 'Users', []],
      ['POST', 'Users', 'just a string'],
      ['POST', 'Users', null],
      ['POST', 'Users', 42],
      ['POST', 'Users', { schemas: 'not-an-array', userName: 'x' }],
      ['POST', 'Users', { schemas: [], userName: 'x' }],
      ['POST', 'Users', user('x', { emails: 'not-a-list-of-objects' })],
      [
        'POST',
        'Users',
        user('x', {
          emails: [
            { value: 'a', primary: true },
            { value: 'b', primary: true },
          ],
        }),
      ],
      ['POST', 'Users', user('x', { name: 'flat' })],
      ['POST', 'Users', user('x', { active: { nested: true } })],
      ['POST', 'Users', user('x', { meta: { created: 'yesterday' }, deep: deep(50) })],
      ['POST', 'Users', user('x', { title: deep(30) })],
      ['POST', 'Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 123 }],
      ['POST', 'Users', '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "x",}'],
      ['POST', 'Users', '\u0000\u0001'],
      ['POST', 'Groups', { schemas: [GROUP], displayName: 'x', members: 'everyone' }],
      ['POST', 'Groups', { schemas: [GROUP] }],
      ['PUT', `Users/${'x'.repeat(2000)}`, user('x')],
      ['PUT', 'Users/abc', []],
      ['PATCH', 'Users/abc', { schemas: [PATCH_OP], Operations: [{ op: 'add', value: { title: 'x' } }] }],
      ['PATCH', `Users/$ID`, { schemas: [PATCH_OP] }],
      ['PATCH', `Users/$ID`, { schemas: [PATCH_OP], Operations: {} }],
      ['PATCH', `Users/$ID`, { schemas: [PATCH_OP], Operations: [] }],
      ['PATCH', `Users/$ID`, { schemas: [PATCH_OP], Operations: [null, 1, 'x'] }],
      ['PATCH', `Users/$ID`, { schemas: [PATCH_OP], Operations: [{ op: 'explode', path: 'title' }] }],
      ['PATCH', `Users/$ID`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 42, value: 1 }] }],
      ['PATCH', `Users/$ID`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails[', value: 1 }] }],
      [
        'PATCH',
        `Users/$ID`,
        { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails[type eq]', value: 1 }] },
      ],
      [
        'PATCH',
        `Users/$ID`,
        {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'emails[type co "work"].value', value: 'x' }],
        },
      ],
      [
        'PATCH',
        `Users/$ID`,
        { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'id', value: 'x' }] },
      ],
      ['PATCH', `Users/$ID`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'userName' }] }],
      [
        'PATCH',
        `Users/$ID`,
        { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'active', value: 'maybe' }] },
      ],
      [
        'PATCH',
        `Groups/$GID`,
        { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: 'x' }] },
      ],
      [
        'PATCH',
        `Groups/$GID`,
        { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: '$GID' }] }] },
      ],
      [
        'PATCH',
        `Groups/$GID`,
        { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members[value eq "x"]', value: [] }] },
      ],
      [
        'PATCH',
        `Groups/$GID`,
        {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'members[type eq "User"].display', value: 'x' }],
        },
      ],
      ['GET', 'Users?filter=', undefined],
      ['GET', `Users?filter=${encodeURIComponent('(((((')}`, undefined],
      ['GET', `Users?filter=${encodeURIComponent('emails[value eq "a"][type eq "b"]')}`, undefined],
      ['GET', `Users?filter=${encodeURIComponent('meta.created gt "not a date"')}`, undefined],
      ['GET', `Users?filter=${encodeURIComponent('active gt true')}`, undefined],
      ['GET', `Users?filter=${encodeURIComponent('userName eq "x"'.repeat(1000))}`, undefined],
      [
        'GET',
        `Users?filter=${encodeURIComponent('not ('.repeat(100) + 'userName pr' + ')'.repeat(100))}`,
        undefined,
      ],
      ['GET', 'Users?startIndex=abc', undefined],
      ['GET', 'Users?count=1e400', undefined],
      ['GET', 'Users?sortBy=nosuch', undefined],
      ['GET', 'Users?sortBy=name', undefined],
      ['GET', 'Users?sortOrder=sideways', undefined],
      ['GET', 'Users?cursor=%%%', undefined],
      ['GET', 'Users?cursor=abc&startIndex=2', undefined],
      ['POST', 'Users/.search', { filter: 42 }],
      ['POST', 'Users/.search', []],
      ['POST', 'Bulk', { schemas: [BULK], Operations: 'x' }],
      // A bad operation is that operation's 400 inside a 200 (bulk-operation-errors.test.ts);
      // a message without the BulkRequest schema is refused whole.
      ['POST', 'Bulk', { schemas: ['urn:example:not-bulk'], Operations: [] }],
      ['POST', 'Bulk', { schemas: [BULK], failOnErrors: -1, Operations: [] }],
      ['PUT', 'Users/$ID', user('target@example.com'), { 'if-match': 'garbage' }],
      ['DELETE', 'Groups/$GID', undefined, { 'if-match': 'W/"999"' }],
      ['GET', 'Schemas?filter=x', undefined],
      // U+0000 in an id: PostgreSQL text cannot hold it, so no lookup may be tried.
      ['GET', 'Users/%00', undefined],
      ['GET', 'Groups/a%00b', undefined],
      ['PUT', 'Users/%00', user('x')],
      [
        'PATCH',
        'Users/%00',
        { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'x' }] },
      ],
      ['DELETE', 'Groups/%00', undefined],
      ['GET', `Users?filter=${encodeURIComponent('userName eq "a\u0000"')}`, undefined],
      // U+0000 as an escape inside a filter literal: JSON.parse makes the character itself.
      ['GET', `Users?filter=${encodeURIComponent('title eq "\\u0000"')}`, undefined],
      ['GET', `Users?filter=${encodeURIComponent('externalId eq "\\u0000"')}`, undefined],
      ['GET', `Groups?filter=${encodeURIComponent('members[value eq "\\u0000"]')}`, undefined],
      ['POST', 'Users/.search', { filter: 'userName sw "a\\u0000"' }],
      [
        'PATCH',
        'Groups/$GID',
        { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members[value eq "\\u0000"]' }] },
      ],
    ];

    test('every case', async () => {
      const failures: string[] = [];
      for (const [method, rawPath, body, headers] of cases()) {
        const path = rawPath.replace(/\$ID/g, userId).replace(/\$GID/g, groupId);
        const sent = typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body);
        const res = await t.request(method, path, sent, headers);
        const label = `${method} ${path.slice(0, 80)} ${String(sent).slice(0, 80)}`;
        if (res.statusCode < 400 || res.statusCode >= 500) {
          failures.push(`${label} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
          continue;
        }
        const err = res.json();
        if (
          !/^application\/scim\+json/.test(String(res.headers['content-type'])) ||
          err.status !== String(res.statusCode)
        ) {
          failures.push(`${label} -> not a SCIM error body: ${res.body.slice(0, 200)}`);
        }
      }
      assert.deepEqual(failures, []);
      // The user and the group are as they were.
      assert.equal((await t.request('GET', `Users/${userId}`)).json().userName, 'target@example.com');
      assert.equal((await t.request('GET', `Groups/${groupId}`)).json().displayName, 'G');
    });

    test('NUL in a filter literal is invalidFilter, in a body invalidValue, on every database alike', async () => {
      const filter = await t.request('GET', `Users?filter=${encodeURIComponent('title eq "\\u0000"')}`);
      assert.equal(filter.statusCode, 400);
      assert.equal(filter.json().scimType, 'invalidFilter');
      const body = await t.request('PATCH', `Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'title', value: 'a\u0000b' }],
      });
      assert.equal(body.statusCode, 400);
      assert.equal(body.json().scimType, 'invalidValue');
    });

    test('a Bulk path holding a lone surrogate fails that operation alone', async () => {
      const text = JSON.stringify({
        schemas: [BULK],
        Operations: [
          {
            method: 'POST',
            path: '/Users',
            bulkId: 'a',
            data: user('before-surrogate@example.com'),
          },
          {
            method: 'PATCH',
            path: '/Users/SURROGATE',
            data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'title', value: 'x' }] },
          },
          { method: 'DELETE', path: '/Groups/LOW' },
        ],
      })
        .replace('SURROGATE', '\\ud800')
        .replace('LOW', '\\udc00x');
      const res = await t.request('POST', 'Bulk', text);
      assert.equal(res.statusCode, 200, res.body);
      const [post, patch, del] = res.json().Operations;
      assert.equal(post.status, '201');
      for (const op of [patch, del]) {
        assert.equal(op.status, '400');
        assert.equal(op.response.scimType, 'invalidValue');
        assert.match(op.response.detail, /lone surrogate/);
      }
    });
  });
}
