import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ENTERPRISE, PATCH_OP, startTestApp, type TestApp, USER_SCHEMA, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import { assertScimError } from '../helpers/scim-error.ts';

const SCIM_JSON = /^application\/scim\+json/;

for (const dialect of dialects) {
  describe(`Users over HTTP (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => {
      await t.close();
    });

    test('create answers 201 with Location, ETag, meta and no password', async () => {
      const res = await t.request('POST', 'Users', {
        schemas: [USER_SCHEMA, ENTERPRISE],
        userName: 'Bjensen@Example.com',
        externalId: 'ext-1',
        password: 'hunter2-secret',
        name: { givenName: 'Barbara', familyName: 'Jensen' },
        emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
        active: true,
        [ENTERPRISE]: { employeeNumber: '701984', department: 'Tour Operations' },
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.match(String(res.headers['content-type']), SCIM_JSON);
      const body = res.json();
      assert.equal(typeof body.id, 'string');
      assert.equal(res.headers.location, `https://scim.test${t.base}/Users/${body.id}`);
      assert.equal(res.headers.etag, body.meta.version);
      assert.match(body.meta.version, /^W\/"\d+"$/);
      assert.equal(body.meta.resourceType, 'User');
      assert.equal(body.meta.location, res.headers.location);
      assert.equal(body.userName, 'Bjensen@Example.com');
      assert.equal(body.password, undefined);
      assert.equal(body[ENTERPRISE].department, 'Tour Operations');
      assert.deepEqual(body.schemas, [USER_SCHEMA, ENTERPRISE]);
      assert.ok(!res.body.includes('hunter2'));
    });

    test('duplicate userName, in another case, is 409 uniqueness', async () => {
      const res = await t.request('POST', 'Users', user('BJENSEN@example.COM'));
      assertScimError(res, 409, 'uniqueness');
    });

    test('missing userName is 400 invalidValue; wrong type is 400 invalidValue', async () => {
      assertScimError(await t.request('POST', 'Users', { schemas: [USER_SCHEMA] }), 400, 'invalidValue');
      assertScimError(
        await t.request('POST', 'Users', user('typed', { active: 'maybe' })),
        400,
        'invalidValue',
      );
    });

    test('malformed JSON is 400 invalidSyntax; application/json is accepted', async () => {
      assertScimError(await t.request('POST', 'Users', '{"schemas": [', {}), 400, 'invalidSyntax');
      const res = await t.request('POST', 'Users', JSON.stringify(user('json-client')), {
        'content-type': 'application/json',
      });
      assert.equal(res.statusCode, 201, res.body);
    });

    test('an over-size body is 413', async () => {
      const big = 'x'.repeat(t.config.maxBodyBytes + 10);
      const res = await t.request('POST', 'Users', JSON.stringify(user('big', { title: big })));
      assertScimError(res, 413);
    });

    test('get, filter, put, patch, delete lifecycle', async () => {
      const created = (
        await t.request('POST', 'Users', user('lifecycle@example.com', { displayName: 'Life' }))
      ).json();
      const get = await t.request('GET', `Users/${created.id}`);
      assert.equal(get.statusCode, 200);
      assert.equal(get.json().displayName, 'Life');

      const found = await t.request(
        'GET',
        `Users?filter=${encodeURIComponent('userName eq "LIFECYCLE@example.com"')}`,
      );
      assert.equal(found.statusCode, 200);
      const list = found.json();
      assert.deepEqual(list.schemas, ['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
      assert.equal(list.totalResults, 1);
      assert.equal(list.Resources[0].id, created.id);

      const put = await t.request(
        'PUT',
        `Users/${created.id}`,
        user('lifecycle@example.com', { title: 'Boss' }),
      );
      assert.equal(put.statusCode, 200, put.body);
      assert.equal(put.json().title, 'Boss');
      assert.equal(put.json().displayName, undefined, 'PUT replaces: omitted attributes are cleared');

      const patch = await t.request('PATCH', `Users/${created.id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'replace', path: 'active', value: false },
          { op: 'add', path: 'emails', value: [{ value: 'life@example.com', type: 'work' }] },
        ],
      });
      assert.equal(patch.statusCode, 200, patch.body);
      assert.equal(patch.json().active, false);
      assert.equal(patch.json().emails[0].value, 'life@example.com');
      assert.notEqual(patch.json().meta.version, put.json().meta.version);

      const del = await t.request('DELETE', `Users/${created.id}`);
      assert.equal(del.statusCode, 204);
      assertScimError(await t.request('GET', `Users/${created.id}`), 404);
      assertScimError(await t.request('DELETE', `Users/${created.id}`), 404);
      const reuse = await t.request('POST', 'Users', user('Lifecycle@example.com'));
      assert.equal(reuse.statusCode, 201, 'a deleted userName is free again');
    });

    test('PATCH is all or nothing and names the failing operation', async () => {
      const created = (
        await t.request('POST', 'Users', user('atomic@example.com', { title: 'Before' }))
      ).json();
      const res = await t.request('PATCH', `Users/${created.id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'replace', path: 'title', value: 'After' },
          { op: 'replace', path: 'noSuchAttribute', value: 'x' },
        ],
      });
      const body = assertScimError(res, 400, 'invalidPath');
      assert.match(String(body.detail), /Operations\[1\]/);
      assert.equal((await t.request('GET', `Users/${created.id}`)).json().title, 'Before');
    });

    test('paging, sorting and count=0', async () => {
      for (const n of ['c', 'a', 'b']) await t.request('POST', 'Users', user(`page-${n}@example.com`));
      const filter = encodeURIComponent('userName sw "page-"');
      const sorted = (
        await t.request('GET', `Users?filter=${filter}&sortBy=userName&sortOrder=descending`)
      ).json();
      assert.deepEqual(
        sorted.Resources.map((r: { userName: string }) => r.userName),
        ['page-c@example.com', 'page-b@example.com', 'page-a@example.com'],
      );
      const page = (
        await t.request('GET', `Users?filter=${filter}&sortBy=userName&startIndex=2&count=1`)
      ).json();
      assert.equal(page.totalResults, 3);
      assert.equal(page.startIndex, 2);
      assert.equal(page.itemsPerPage, 1);
      assert.equal(page.Resources[0].userName, 'page-b@example.com');
      const none = (await t.request('GET', `Users?filter=${filter}&count=0`)).json();
      assert.equal(none.totalResults, 3);
      assert.equal(none.itemsPerPage, 0);
    });

    test('attributes and excludedAttributes shape every resource response', async () => {
      const res = await t.request(
        'POST',
        'Users?attributes=userName',
        user('proj@example.com', { title: 'T', name: { givenName: 'G' } }),
      );
      assert.equal(res.statusCode, 201);
      const body = res.json();
      assert.equal(body.userName, 'proj@example.com');
      assert.equal(body.id !== undefined, true, 'id is always returned');
      assert.equal(body.title, undefined);
      const got = (await t.request('GET', `Users/${body.id}?excludedAttributes=title,name`)).json();
      assert.equal(got.title, undefined);
      assert.equal(got.name, undefined);
      assert.equal(got.userName, 'proj@example.com');
    });

    test('POST /Users/.search takes the query in the body', async () => {
      const res = await t.request('POST', 'Users/.search', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: 'userName eq "proj@example.com"',
        attributes: ['userName'],
        startIndex: 1,
        count: 10,
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().totalResults, 1);
      assert.equal(res.json().Resources[0].title, undefined);
    });

    test('bad filters are 400 invalidFilter, never an unfiltered list', async () => {
      for (const f of ['userName eq', 'nosuch eq "x"', 'userName xx "a"', '(userName eq "a"']) {
        assertScimError(
          await t.request('GET', `Users?filter=${encodeURIComponent(f)}`),
          400,
          'invalidFilter',
        );
      }
    });

    test('ETags: If-None-Match gives 304, a stale If-Match gives 412 and changes nothing', async () => {
      const created = await t.request('POST', 'Users', user('etag@example.com', { title: 'One' }));
      const { id } = created.json();
      const etag = String(created.headers.etag);
      const notModified = await t.request('GET', `Users/${id}`, undefined, { 'if-none-match': etag });
      assert.equal(notModified.statusCode, 304);
      const ok = await t.request('PUT', `Users/${id}`, user('etag@example.com', { title: 'Two' }), {
        'if-match': etag,
      });
      assert.equal(ok.statusCode, 200);
      const stale = await t.request('PUT', `Users/${id}`, user('etag@example.com', { title: 'Three' }), {
        'if-match': etag,
      });
      assertScimError(stale, 412);
      assert.equal((await t.request('GET', `Users/${id}`)).json().title, 'Two');
    });

    test('unknown paths and methods get SCIM errors', async () => {
      assertScimError(await t.request('GET', 'Nope'), 404);
      assertScimError(await t.request('GET', `Users/${crypto.randomUUID()}`), 404);
      const res = await t.request('DELETE', 'Users');
      assertScimError(res, 405);
      assert.match(String(res.headers.allow), /GET/);
    });
  });

  describe(`Authentication (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => {
      await t.close();
    });

    test('missing, wrong, revoked and other-org tokens all get the same 401', async () => {
      const cases: Record<string, string>[] = [
        {},
        { authorization: 'Bearer scim_wrongwrongwrongwrongwrongwrongwrongwrongwro' },
        { authorization: 'Basic dXNlcjpwYXNz' },
      ];
      for (const headers of cases) {
        const res = await t.app.inject({ method: 'GET', url: `${t.base}/Users`, headers });
        assertScimError(res, 401);
        assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      }
      const other = await t.directory.orgs.create('Other Org');
      const cross = await t.app.inject({
        method: 'GET',
        url: `${t.base}/Users`,
        headers: { authorization: `Bearer ${other.token.token}` },
      });
      assertScimError(cross, 401);
      const unknownOrg = await t.app.inject({
        method: 'GET',
        url: '/scim/v2/no-such-org/Users',
        headers: { authorization: `Bearer ${t.token}` },
      });
      assertScimError(unknownOrg, 401);

      const second = await t.directory.orgs.createToken(t.orgId, 'rotation');
      const withSecond = await t.app.inject({
        method: 'GET',
        url: `${t.base}/Users`,
        headers: { authorization: `Bearer ${second.token}` },
      });
      assert.equal(withSecond.statusCode, 200, 'two tokens live at once');
      await t.directory.orgs.revokeToken(t.orgId, second.prefix);
      const revoked = await t.app.inject({
        method: 'GET',
        url: `${t.base}/Users`,
        headers: { authorization: `Bearer ${second.token}` },
      });
      assertScimError(revoked, 401);
      const listed = await t.directory.orgs.listTokens(t.orgId);
      assert.ok(listed.find((x) => x.id === second.id)?.revokedAt);
      assert.ok(listed.find((x) => x.id === second.id)?.lastUsedAt, 'last use recorded');
    });

    test("one org never sees another org's users", async () => {
      const created = await t.request('POST', 'Users', user('secret@acme.example'));
      assert.equal(created.statusCode, 201);
      const other = await t.directory.orgs.create('Rival Inc');
      const auth = { authorization: `Bearer ${other.token.token}` };
      const base = `/scim/v2/${other.org.id}`;
      const get = await t.app.inject({
        method: 'GET',
        url: `${base}/Users/${created.json().id}`,
        headers: auth,
      });
      assertScimError(get, 404);
      const list = await t.app.inject({ method: 'GET', url: `${base}/Users`, headers: auth });
      assert.equal(list.json().totalResults, 0);
      const same = await t.app.inject({
        method: 'POST',
        url: `${base}/Users`,
        headers: { ...auth, 'content-type': 'application/scim+json' },
        payload: JSON.stringify(user('secret@acme.example')),
      });
      assert.equal(same.statusCode, 201, 'userName is unique per org, not globally');
    });
  });

  describe(`Discovery (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => {
      await t.close();
    });

    test('ServiceProviderConfig states what is supported', async () => {
      const res = await t.request('GET', 'ServiceProviderConfig');
      assert.equal(res.statusCode, 200);
      const spc = res.json();
      assert.deepEqual(spc.schemas, ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
      assert.equal(spc.patch.supported, true);
      assert.equal(spc.filter.supported, true);
      assert.equal(spc.filter.maxResults, t.config.maxPageSize);
      assert.equal(spc.sort.supported, true);
      assert.equal(spc.etag.supported, true);
      assert.equal(spc.authenticationSchemes[0].type, 'oauthbearertoken');
    });

    test('ResourceTypes and Schemas list and fetch by id', async () => {
      const types = (await t.request('GET', 'ResourceTypes')).json();
      const userType = types.Resources.find((r: { id: string }) => r.id === 'User');
      assert.equal(userType.endpoint, '/Users');
      assert.deepEqual(userType.schemaExtensions, [{ schema: ENTERPRISE, required: false }]);
      assert.equal((await t.request('GET', 'ResourceTypes/User')).json().schema, USER_SCHEMA);
      const schemas = (await t.request('GET', 'Schemas')).json();
      assert.ok(schemas.Resources.some((s: { id: string }) => s.id === ENTERPRISE));
      const userSchema = (await t.request('GET', `Schemas/${USER_SCHEMA}`)).json();
      const userName = userSchema.attributes.find((a: { name: string }) => a.name === 'userName');
      assert.equal(userName.uniqueness, 'server');
      assert.equal(userName.required, true);
      const password = userSchema.attributes.find((a: { name: string }) => a.name === 'password');
      assert.equal(password.returned, 'never');
      assert.equal(password.mutability, 'writeOnly');
      assertScimError(await t.request('GET', 'Schemas/urn:nope'), 404);
    });
  });
}
