/** Users and groups through the management API, on both dialects: camelCase, paged, searchable, read-only. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ApiTestApp, startApiTestApp } from '../../helpers/api.ts';
import { user } from '../../helpers/app.ts';
import { dialects } from '../../helpers/dialects.ts';
import { until } from '../../helpers/receiver.ts';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

for (const dialect of dialects) {
  describe(`API users and groups (${dialect})`, () => {
    let t: ApiTestApp;
    const ids: Record<string, string> = {};
    before(async () => {
      t = await startApiTestApp(dialect);
      const create = async (key: string, path: string, body: unknown) => {
        const response = await t.request('POST', path, body);
        assert.equal(response.statusCode, 201, response.body);
        ids[key] = response.json().id;
      };
      await create('ada', 'Users', {
        ...user('ada@example.com'),
        externalId: 'okta-ada',
        password: 'S3cret-password!',
        name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
        emails: [{ value: 'Ada.L@Example.com', type: 'work', primary: true }],
      });
      await create('bob', 'Users', { ...user('bob@example.com'), displayName: 'Bob Builder' });
      await create('cy', 'Users', { ...user('cy@example.com'), active: false });
      await create('inner', 'Groups', {
        schemas: [GROUP],
        displayName: 'Inner',
        members: [{ value: ids.ada }],
      });
      await create('outer', 'Groups', {
        schemas: [GROUP],
        displayName: 'Outer',
        externalId: 'grp-1',
        members: [{ value: ids.inner }, { value: ids.bob }, { value: ids.cy }],
      });
    });
    after(async () => t?.close());

    const path = (p: string) => `/orgs/${t.orgId}${p}`;

    test('users list in pages that neither repeat nor skip', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
        const response = await t.api('GET', path(`/users${query}`));
        assert.equal(response.statusCode, 200, response.body);
        const body = response.json();
        assert.ok(body.data.length <= 2);
        seen.push(...body.data.map((u: { userName: string }) => u.userName));
        cursor = body.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, ['ada@example.com', 'bob@example.com', 'cy@example.com']);
    });

    test('a user is camelCase JSON, without password or SCIM wire names', async () => {
      const body = (await t.api('GET', path(`/users?userName=ADA@example.com`))).json();
      assert.equal(body.data.length, 1);
      const ada = body.data[0];
      assert.deepEqual(ada.name, {
        formatted: 'Ada Lovelace',
        givenName: 'Ada',
        familyName: 'Lovelace',
        middleName: null,
        honorificPrefix: null,
        honorificSuffix: null,
      });
      assert.deepEqual(ada.emails, [{ value: 'Ada.L@Example.com', type: 'work', primary: true }]);
      assert.equal(ada.externalId, 'okta-ada');
      assert.equal(ada.active, true);
      assert.equal(ada.source, 'scim');
      assert.equal(ada.linkedAt, null);
      assert.deepEqual([ada.attributes, ada.enterprise, ada.extensions], [{}, null, {}]);
      const text = JSON.stringify(body);
      for (const word of ['password', 'schemas', 'meta', 'urn:', 'S3cret', 'scrypt']) {
        assert.ok(!text.includes(word), `${word} in ${text}`);
      }
    });

    test('search by email, userName, externalId, name and active', async () => {
      const names = async (query: string) =>
        (await t.api('GET', path(`/users?${query}`)))
          .json()
          .data.map((u: { userName: string }) => u.userName);
      assert.deepEqual(await names('email=ada.l%40example.COM'), ['ada@example.com']);
      assert.deepEqual(await names('externalId=okta-ada'), ['ada@example.com']);
      assert.deepEqual(await names('externalId=OKTA-ADA'), [], 'externalId is caseExact');
      assert.deepEqual(await names('name=lovel'), ['ada@example.com']);
      assert.deepEqual(await names('name=builder'), ['bob@example.com']);
      assert.deepEqual(await names('active=false'), ['cy@example.com']);
      assert.deepEqual(await names('active=true&name=a'), ['ada@example.com']);
      assert.deepEqual(await names('email=%22%20or%20userName%20pr%20or%20%22'), [], 'a value is a value');
      assert.equal((await t.api('GET', path('/users?active=maybe'))).json().code, 'validation_failed');
    });

    test('search groups by display name (any case) and externalId', async () => {
      const names = async (query: string) =>
        (await t.api('GET', path(`/groups?${query}`)))
          .json()
          .data.map((g: { displayName: string }) => g.displayName);
      assert.deepEqual(await names('name=OUT'), ['Outer']);
      assert.deepEqual(await names('name=er'), ['Inner', 'Outer']);
      assert.deepEqual(await names('externalId=grp-1'), ['Outer']);
      assert.deepEqual(await names('externalId=GRP-1'), [], 'externalId is caseExact');
      assert.deepEqual(await names('name=inn&externalId=grp-1'), [], 'the parameters combine with AND');
      assert.deepEqual(await names('name=%22%20or%20displayName%20pr%20or%20%22'), [], 'a value is a value');
      assert.deepEqual(await names('name=%25'), [], '% is a character, not a wildcard');
      const first = (await t.api('GET', path('/groups?name=er&limit=1'))).json();
      assert.equal(first.data.length, 1);
      const next = (await t.api('GET', path(`/groups?name=er&limit=1&cursor=${first.nextCursor}`))).json();
      assert.deepEqual(
        next.data.map((g: { displayName: string }) => g.displayName),
        ['Outer'],
        'pages keep the search',
      );
      for (const query of ['name=', `name=${'x'.repeat(201)}`])
        assert.equal((await t.api('GET', path(`/groups?${query}`))).json().code, 'validation_failed', query);
    });

    test('one user with its direct and nested groups', async () => {
      const response = await t.api('GET', path(`/users/${ids.ada}`));
      assert.equal(response.statusCode, 200, response.body);
      const groups = response
        .json()
        .groups.sort((a: { displayName: string }, b: { displayName: string }) =>
          a.displayName.localeCompare(b.displayName),
        );
      assert.deepEqual(groups, [
        { id: ids.inner, displayName: 'Inner', direct: true },
        { id: ids.outer, displayName: 'Outer', direct: false },
      ]);
      assert.equal((await t.api('GET', path('/users/no-such-user'))).json().code, 'not_found');
      assert.equal(
        (await t.api('GET', path(`/users/${ids.inner}`))).statusCode,
        404,
        'a group is not a user',
      );
    });

    test('groups list; one group; its members paged', async () => {
      const list = (await t.api('GET', path('/groups'))).json();
      assert.deepEqual(
        list.data.map((g: { displayName: string }) => g.displayName),
        ['Inner', 'Outer'],
      );
      const outer = (await t.api('GET', path(`/groups/${ids.outer}`))).json();
      assert.equal(outer.externalId, 'grp-1');
      const members: { id: string; type: string; display: string }[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=1&cursor=${cursor}` : '?limit=1';
        const body = (await t.api('GET', path(`/groups/${ids.outer}/members${query}`))).json();
        assert.ok(body.data.length <= 1);
        members.push(...body.data);
        cursor = body.nextCursor;
      } while (cursor);
      assert.deepEqual(members.map((m) => `${m.type}:${m.display}`).sort(), [
        'group:Inner',
        'user:Bob Builder',
        'user:cy@example.com',
      ]);
      assert.equal((await t.api('GET', path('/groups/nope/members'))).statusCode, 404);
    });

    test('writes to SCIM-managed users and groups get idp_owned', async () => {
      for (const [method, p, body] of [
        ['POST', '/users', { userName: 'x' }],
        ['PATCH', `/users/${ids.ada}`, { active: false }],
        ['PUT', `/users/${ids.ada}`, { userName: 'x' }],
        ['DELETE', `/users/${ids.ada}`, undefined],
        ['POST', '/groups', { displayName: 'x' }],
        ['PATCH', `/groups/${ids.outer}`, { displayName: 'y' }],
        ['DELETE', `/groups/${ids.outer}`, undefined],
      ] as const) {
        const response = await t.api(method, path(p), body);
        assert.equal(response.statusCode, 409, `${method} ${p}`);
        assert.equal(response.json().code, 'idp_owned');
        assert.match(response.json().detail, /identity provider/);
      }
      assert.equal((await t.api('GET', path(`/users/${ids.ada}`))).json().active, true, 'nothing changed');
    });

    test("nothing the IdP sent is lost, and the API's user is the user.created event's data", async () => {
      const created = await t.request('POST', 'Users', {
        schemas: [...user('grace@example.com').schemas, ENTERPRISE],
        userName: 'grace@example.com',
        title: 'Rear Admiral',
        nickName: 'Amazing Grace',
        phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
        addresses: [{ locality: 'Arlington', country: 'US', type: 'work' }],
        roles: [{ value: 'admiral', primary: true }],
        name: { givenName: 'Grace', middleName: 'Brewster', familyName: 'Hopper', honorificPrefix: 'RADM' },
        emails: [{ value: 'grace@example.com', type: 'work', primary: true, display: 'Grace' }],
        [ENTERPRISE]: { employeeNumber: '1906', department: 'Navy', manager: { value: ids.ada } },
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id;
      const response = await t.api('GET', path(`/users/${id}`));
      assert.equal(response.statusCode, 200, response.body);
      const { groups, ...grace } = response.json();
      assert.deepEqual(groups, []);
      assert.deepEqual(grace.attributes, {
        title: 'Rear Admiral',
        nickName: 'Amazing Grace',
        phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
        addresses: [{ locality: 'Arlington', country: 'US', type: 'work' }],
        roles: [{ value: 'admiral', primary: true }],
      });
      assert.equal(grace.name.middleName, 'Brewster');
      assert.equal(grace.name.honorificPrefix, 'RADM');
      assert.deepEqual(grace.emails, [
        { value: 'grace@example.com', type: 'work', primary: true, display: 'Grace' },
      ]);
      assert.equal(grace.enterprise.employeeNumber, '1906');
      assert.equal(grace.enterprise.manager.value, ids.ada);
      assert.equal(grace.version, 1);

      // The same form in the event: one form, whichever way the app reads it.
      // On PostgreSQL the feed shows an event once every older transaction on the server ended.
      type Feed = { data: { data: { id: string }; version: number }[] };
      const eventOf = async (type: string) => {
        const feed: Feed = (await t.api('GET', `/events?org=${t.orgId}&type=${type}&limit=100`)).json();
        return feed.data.find((e) => e.data.id === id);
      };
      await until('the user.created event', async () => (await eventOf('user.created')) !== undefined);
      const event = (await eventOf('user.created')) as Feed['data'][number];
      assert.equal(event.version, 2);
      // `roles` are computed at read time (directory/roles.ts); their changes have events of their own.
      const { roles: _roles, ...formOfEvents } = grace;
      assert.deepEqual(event.data, formOfEvents);

      // What changed names the attribute inside `attributes`, with its previous value only.
      const patched = await t.request('PATCH', `Users/${id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'title', value: 'Commodore' }],
      });
      assert.equal(patched.statusCode, 200, patched.body);
      await until('the user.updated event', async () => (await eventOf('user.updated')) !== undefined);
      const update = (await eventOf('user.updated')) as Feed['data'][number] & {
        changes: { changed: string[]; previous: Record<string, unknown> };
      };
      assert.deepEqual(update.changes, {
        changed: ['attributes.title'],
        previous: { 'attributes.title': 'Rear Admiral' },
      });
      const { groups: _, roles: __, ...now } = (await t.api('GET', path(`/users/${id}`))).json();
      assert.deepEqual(update.data, now);
    });

    test("another org's users are not found there", async () => {
      const other = (await t.api('POST', '/orgs', { name: 'Other' })).json();
      assert.equal((await t.api('GET', `/orgs/${other.id}/users/${ids.ada}`)).statusCode, 404);
      assert.deepEqual((await t.api('GET', `/orgs/${other.id}/users`)).json().data, []);
      assert.equal((await t.api('GET', '/orgs/no-such-org/users')).statusCode, 404);
    });
  });
}
