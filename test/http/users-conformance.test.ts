/**
 * Users and discovery, black-box over real HTTP on loopback, as an RFC-driven compliance suite
 * would test them: RFC 7643 §2.4, §4.1, §4.3 (User, enterprise extension) and RFC 7644 §3.1–3.6,
 * §3.4.2.5 (attributes), §3.4.3 (.search), §3.8 (media types), §3.9, §3.12 (errors), §4 (discovery).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.ts';
import { ENTERPRISE, type Json, patch, q, SEARCH, USER, useLiveServer } from '../helpers/live-client.ts';
import { assertScimError } from '../helpers/scim-error.ts';

const userNames = (body: Json): string[] => (body.Resources ?? []).map((r: Json) => r.userName);
const sortedNames = (body: Json): string[] => userNames(body).sort();

/** RFC 7643 §8.2's full user, with readOnly values a client may echo (id, groups, manager.displayName). */
function fullUser(userName: string): Json {
  return {
    schemas: [USER, ENTERPRISE],
    id: 'client-chosen-id',
    externalId: `ext-${userName}`,
    userName,
    name: {
      formatted: 'Ms. Barbara J Jensen, III',
      familyName: 'Jensen',
      givenName: 'Barbara',
      middleName: 'Jane',
      honorificPrefix: 'Ms.',
      honorificSuffix: 'III',
    },
    displayName: 'Babs Jensen',
    nickName: 'Babs',
    profileUrl: 'https://login.example.com/bjensen',
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    addresses: [
      {
        type: 'work',
        streetAddress: '100 Universal City Plaza',
        locality: 'Hollywood',
        region: 'CA',
        postalCode: '91608',
        country: 'USA',
        formatted: '100 Universal City Plaza\nHollywood, CA 91608 USA',
        primary: true,
      },
    ],
    phoneNumbers: [{ value: '555-555-5555', type: 'work' }],
    ims: [{ value: 'someaimhandle', type: 'aim' }],
    photos: [{ value: 'https://photos.example.com/profilephoto/72930000000Ccne/F', type: 'photo' }],
    userType: 'Employee',
    title: 'Tour Guide',
    preferredLanguage: 'en-US',
    locale: 'en-US',
    timezone: 'America/Los_Angeles',
    active: true,
    password: 't1meMa$heen',
    groups: [{ value: 'e9e30dba-f08f-4109-8486-d5c6a331660a', display: 'Tour Guides' }],
    x509Certificates: [{ value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx' }],
    entitlements: [{ value: 'ent-1', type: 'license', primary: true }],
    roles: [{ value: 'tour-guide', display: 'Tour guide', primary: false }],
    [ENTERPRISE]: {
      employeeNumber: '701984',
      costCenter: '4130',
      organization: 'Universal Studios',
      division: 'Theme Park',
      department: 'Tour Operations',
      manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' },
    },
    meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z', version: 'W/"42"' },
  };
}

for (const dialect of dialects) {
  describe(`Users conformance over HTTP (${dialect})`, () => {
    const live = useLiveServer(dialect);

    test('create with every User attribute: 201, each attribute reads back, readOnly and writeOnly handled', async () => {
      const c = await live.client('full user');
      const sent = fullUser('bjensen@example.com');
      const created = await c.req('POST', 'Users', sent);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const body = created.body;
      assert.notEqual(body.id, 'client-chosen-id', 'id is readOnly: the server assigns it');
      assert.equal(created.headers.get('location'), body.meta.location);
      assert.equal(body.meta.location, `${c.base}/Users/${body.id}`);
      assert.equal(created.headers.get('etag'), body.meta.version);
      assert.equal(body.meta.resourceType, 'User');
      assert.notEqual(body.meta.created, '2010-01-23T04:56:22Z', 'meta is readOnly');
      assert.equal(body.meta.created, body.meta.lastModified);
      assert.equal(body.password, undefined, 'password is returned never');
      assert.equal(body.groups, undefined, 'groups is readOnly: the client value is ignored');
      assert.deepEqual(body.schemas, [USER, ENTERPRISE]);

      const got = await c.req('GET', `Users/${body.id}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, body, 'GET returns what POST returned');
      const expected = structuredClone(sent);
      for (const k of ['id', 'password', 'groups', 'meta', 'schemas']) delete expected[k];
      delete expected[ENTERPRISE].manager.displayName; // readOnly sub-attribute
      for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual(got.body[key], value, `attribute ${key} reads back as sent`);
      }
      for (const key of Object.keys(got.body)) {
        assert.ok(key in expected || ['id', 'meta', 'schemas'].includes(key), `unexpected attribute ${key}`);
      }
    });

    test('userName is unique case-insensitively on POST, PUT and PATCH (409 uniqueness); own case change is fine', async () => {
      const c = await live.client('uniqueness');
      const a = await c.req('POST', 'Users', { schemas: [USER], userName: 'Alex@Example.com' });
      const b = await c.req('POST', 'Users', { schemas: [USER], userName: 'blair@example.com' });
      assert.equal(a.status, 201);
      assertScimError(
        await c.req('POST', 'Users', { schemas: [USER], userName: 'alex@example.COM' }),
        409,
        'uniqueness',
      );
      assertScimError(
        await c.req('PUT', `Users/${b.body.id}`, { schemas: [USER], userName: 'ALEX@example.com' }),
        409,
        'uniqueness',
      );
      assertScimError(
        await c.req(
          'PATCH',
          `Users/${b.body.id}`,
          patch({ op: 'replace', path: 'userName', value: 'alex@EXAMPLE.com' }),
        ),
        409,
        'uniqueness',
      );
      const own = await c.req('PUT', `Users/${a.body.id}`, { schemas: [USER], userName: 'alex@example.com' });
      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.equal(own.body.userName, 'alex@example.com');
      const list = await c.req('GET', 'Users');
      assert.deepEqual(sortedNames(list.body), ['alex@example.com', 'blair@example.com']);
    });

    test('POST validation: schemas, required userName, types and primary uniqueness (RFC 7643 §2.4)', async () => {
      const c = await live.client('validation');
      assertScimError(await c.req('POST', 'Users', { userName: 'no-schemas' }), 400, 'invalidSyntax');
      assertScimError(await c.req('POST', 'Users', { schemas: [USER] }), 400, 'invalidValue');
      assertScimError(await c.req('POST', 'Users', { schemas: [USER], userName: '' }), 400, 'invalidValue');
      assertScimError(
        await c.req('POST', 'Users', { schemas: [USER], userName: 'n', name: 'x' }),
        400,
        'invalidValue',
      );
      assertScimError(
        await c.req('POST', 'Users', { schemas: [USER], userName: 'a', active: 'maybe' }),
        400,
        'invalidValue',
      );
      const twoPrimaries = {
        schemas: [USER],
        userName: 'p',
        emails: [
          { value: 'a@example.com', primary: true },
          { value: 'b@example.com', primary: true },
        ],
      };
      assertScimError(await c.req('POST', 'Users', twoPrimaries), 400, 'invalidValue');
      const ok = await c.req('POST', 'Users', { ...twoPrimaries, emails: [twoPrimaries.emails[0]] });
      assert.equal(ok.status, 201);
      assertScimError(await c.req('PUT', `Users/${ok.body.id}`, twoPrimaries), 400, 'invalidValue');
      assertScimError(await c.req('POST', 'Users', '{"schemas": ['), 400, 'invalidSyntax');
      assert.equal((await c.req('GET', 'Users')).body.totalResults, 1, 'nothing else was created');
    });

    test('attribute names and schema URNs are case-insensitive in bodies, paths, filters and attributes=', async () => {
      const c = await live.client('case');
      const created = await c.req('POST', 'Users', {
        schemas: [USER.toUpperCase(), ENTERPRISE.toLowerCase()],
        USERNAME: 'casey',
        Name: { GivenName: 'Casey' },
        Emails: [{ Value: 'casey@example.com', TYPE: 'work', Primary: true }],
        [ENTERPRISE.toUpperCase()]: { Department: 'Ops' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.userName, 'casey');
      assert.deepEqual(created.body.name, { givenName: 'Casey' });
      assert.deepEqual(created.body.emails, [{ value: 'casey@example.com', type: 'work', primary: true }]);
      assert.deepEqual(created.body[ENTERPRISE], { department: 'Ops' });
      const id = created.body.id;

      const byFilter = await c.req(
        'GET',
        `Users?${q(`${ENTERPRISE.toLowerCase()}:DEPARTMENT eq "ops" and NAME.givenname sw "CAS"`)}`,
      );
      assert.deepEqual(userNames(byFilter.body), ['casey']);
      const projected = await c.req(
        'GET',
        `Users/${id}?attributes=USERNAME,${ENTERPRISE.toUpperCase()}:department`,
      );
      assert.deepEqual(Object.keys(projected.body).sort(), ['id', 'schemas', 'userName', ENTERPRISE].sort());
      const patched = await c.req(
        'PATCH',
        `Users/${id}`,
        patch({ op: 'REPLACE', path: 'EMAILS[TYPE eq "work"].VALUE', value: 'c2@example.com' }),
      );
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.emails[0].value, 'c2@example.com');
    });

    test('filters: every operator, and/or/not, value paths, extension, dates, caseExact (RFC 7644 §3.4.2.2)', async () => {
      const c = await live.client('filters');
      const mk = async (userName: string, extra: Json) => {
        const res = await c.req('POST', 'Users', { schemas: [USER, ENTERPRISE], userName, ...extra });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        return res.body;
      };
      const alice = await mk('alice', {
        externalId: 'A-1',
        name: { familyName: 'Smith', givenName: 'Alice' },
        title: 'Engineer',
        userType: 'Employee',
        active: true,
        emails: [{ value: 'alice@example.com', type: 'work', primary: true }],
        [ENTERPRISE]: { department: 'R&D', manager: { value: 'mgr-1' } },
      });
      await mk('Bob', {
        name: { familyName: 'jones' },
        userType: 'Employee',
        active: false,
        emails: [{ value: 'bob@example.org', type: 'home' }],
        phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }],
      });
      await mk('carol', { displayName: 'Carol', userType: 'Contractor', roles: [{ value: 'admin' }] });

      const cases: [string, string[]][] = [
        ['userName eq "ALICE"', ['alice']],
        ['userName ne "alice"', ['Bob', 'carol']],
        ['name.familyName co "MIT"', ['alice']],
        ['userName sw "b"', ['Bob']],
        ['userName ew "OL"', ['carol']],
        ['title pr', ['alice']],
        ['userName gt "b"', ['Bob', 'carol']],
        ['userName ge "bob"', ['Bob', 'carol']],
        ['userName lt "bob"', ['alice']],
        ['userName le "bob"', ['Bob', 'alice']],
        ['active eq true', ['alice']],
        ['active eq false and userName eq "bob"', ['Bob']],
        ['userName eq "alice" or userName eq "carol"', ['alice', 'carol']],
        ['not (userName eq "alice")', ['Bob', 'carol']],
        [
          'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
          ['Bob', 'alice'],
        ],
        ['emails[type eq "work" and value co "@example.com"]', ['alice']],
        ['emails[type eq "work"].value eq "ALICE@example.com"', ['alice']],
        ['emails.type eq "home"', ['Bob']],
        ['phoneNumbers[type eq "mobile"]', ['Bob']],
        ['roles.value eq "admin"', ['carol']],
        [`${ENTERPRISE}:department eq "r&d"`, ['alice']],
        [`${ENTERPRISE}:manager.value eq "mgr-1"`, ['alice']],
        ['externalId eq "A-1"', ['alice']],
        ['externalId eq "a-1"', []],
        [`id eq "${alice.id}"`, ['alice']],
        ['meta.resourceType eq "User"', ['Bob', 'alice', 'carol']],
        ['meta.lastModified gt "2011-05-13T04:42:34Z"', ['Bob', 'alice', 'carol']],
        ['meta.lastModified lt "2011-05-13T04:42:34Z"', []],
        [`meta.created ge "${alice.meta.created}" and meta.created le "${alice.meta.created}"`, ['alice']],
        ['(title pr or displayName pr) and not (userType eq "Contractor")', ['alice']],
      ];
      for (const [filter, expected] of cases) {
        const res = await c.req('GET', `Users?${q(filter)}`);
        assert.equal(res.status, 200, `${filter}: ${JSON.stringify(res.body)}`);
        assert.deepEqual(sortedNames(res.body), expected, filter);
        assert.equal(res.body.totalResults, expected.length, filter);
      }
      for (const bad of [
        'nosuch eq "x"',
        'userName xx "a"',
        'userName eq "a" or',
        'emails[type eq "work"',
        'active eq "true"',
        'meta.lastModified gt "yesterday"',
        'name eq "x"',
        'password eq "secret"',
      ]) {
        assertScimError(await c.req('GET', `Users?${q(bad)}`), 400, 'invalidFilter');
      }
    });

    test('sortBy and sortOrder (RFC 7644 §3.4.2.3); writeOnly and complex attributes are not sortable', async () => {
      const c = await live.client('sorting');
      for (const [userName, familyName, department] of [
        ['b-user', 'Zeta', 'B'],
        ['A-user', 'alpha', undefined],
        ['c-user', undefined, 'A'],
      ]) {
        const body: Json = { schemas: [USER], userName, password: `pw-${userName}` };
        if (familyName) body.name = { familyName };
        if (department) body[ENTERPRISE] = { department };
        assert.equal((await c.req('POST', 'Users', body)).status, 201);
      }
      const order = async (params: string) => {
        const res = await c.req('GET', `Users?${params}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return userNames(res.body);
      };
      assert.deepEqual(await order('sortBy=userName'), ['A-user', 'b-user', 'c-user']);
      assert.deepEqual(await order('sortBy=USERNAME&sortOrder=descending'), ['c-user', 'b-user', 'A-user']);
      assert.deepEqual(await order('sortBy=name.familyName'), ['A-user', 'b-user', 'c-user'], 'missing last');
      assert.deepEqual(await order(`sortBy=${ENTERPRISE}:department`), ['c-user', 'b-user', 'A-user']);
      const search = await c.req('POST', 'Users/.search', {
        schemas: [SEARCH],
        sortBy: 'userName',
        sortOrder: 'descending',
        startIndex: 2,
        count: 1,
        attributes: ['userName'],
      });
      assert.equal(search.status, 200);
      assert.equal(search.body.totalResults, 3);
      assert.equal(search.body.startIndex, 2);
      assert.deepEqual(search.body.Resources, [
        { schemas: [USER], id: search.body.Resources[0].id, userName: 'b-user' },
      ]);
      assertScimError(await c.req('GET', 'Users?sortBy=password'), 400, 'invalidValue');
      assertScimError(await c.req('GET', 'Users?sortBy=name'), 400, 'invalidValue');
      assertScimError(await c.req('GET', 'Users?sortBy=nosuch'), 400, 'invalidValue');
      assertScimError(await c.req('GET', 'Users?sortBy=userName&sortOrder=sideways'), 400, 'invalidValue');
    });

    test('attributes / excludedAttributes on GET, list, .search and on POST/PUT/PATCH responses (§3.4.2.5, §3.9)', async () => {
      const c = await live.client('projection');
      const created = await c.req('POST', `Users?attributes=userName`, fullUser('proj@example.com'));
      assert.equal(created.status, 201);
      const id = created.body.id;
      assert.deepEqual(created.body, { schemas: [USER], id, userName: 'proj@example.com' });

      const get = async (params: string) => {
        const res = await c.req('GET', `Users/${id}?${params}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return res.body;
      };
      let body = await get(`attributes=name.givenName,emails.value,${ENTERPRISE}:department`);
      assert.deepEqual(body, {
        schemas: [USER, ENTERPRISE],
        id,
        name: { givenName: 'Barbara' },
        emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }],
        [ENTERPRISE]: { department: 'Tour Operations' },
      });
      body = await get(`attributes=${USER}:userName,meta.lastModified`);
      assert.deepEqual(Object.keys(body).sort(), ['id', 'meta', 'schemas', 'userName']);
      assert.deepEqual(Object.keys(body.meta), ['lastModified']);
      body = await get(`attributes=${ENTERPRISE}`);
      assert.deepEqual(Object.keys(body[ENTERPRISE]).sort(), [
        'costCenter',
        'department',
        'division',
        'employeeNumber',
        'manager',
        'organization',
      ]);
      assert.equal(body.userName, undefined);
      body = await get('attributes=password');
      assert.equal(body.password, undefined, 'returned never even when asked for');
      body = await get(`excludedAttributes=id,emails,name.formatted,${ENTERPRISE}:manager,meta`);
      assert.equal(body.id, id, 'id is returned always');
      assert.equal(body.emails, undefined);
      assert.equal(body.meta, undefined);
      assert.equal(body.name.formatted, undefined);
      assert.equal(body.name.givenName, 'Barbara');
      assert.equal(body[ENTERPRISE].manager, undefined);
      assert.equal(body[ENTERPRISE].department, 'Tour Operations');
      assert.equal(body.userName, 'proj@example.com');

      const list = await c.req('GET', `Users?attributes=displayName&${q('userName eq "proj@example.com"')}`);
      assert.deepEqual(list.body.Resources, [{ schemas: [USER], id, displayName: 'Babs Jensen' }]);
      const search = await c.req('POST', 'Users/.search', {
        schemas: [SEARCH],
        filter: 'userName eq "proj@example.com"',
        excludedAttributes: ['emails', 'addresses', 'meta', ENTERPRISE],
      });
      assert.equal(search.status, 200);
      assert.equal(search.body.Resources[0].emails, undefined);
      assert.equal(search.body.Resources[0][ENTERPRISE], undefined);
      assert.deepEqual(search.body.Resources[0].schemas, [USER]);
      assert.equal(search.body.Resources[0].title, 'Tour Guide');

      const put = await c.req('PUT', `Users/${id}?attributes=title`, {
        ...fullUser('proj@example.com'),
        title: 'Lead',
      });
      assert.equal(put.status, 200);
      assert.deepEqual(put.body, { schemas: [USER], id, title: 'Lead' });
      const patched = await c.req(
        'PATCH',
        `Users/${id}?excludedAttributes=emails,addresses,phoneNumbers,ims,photos,x509Certificates,meta`,
        patch({ op: 'replace', path: 'nickName', value: 'B' }),
      );
      assert.equal(patched.status, 200);
      assert.equal(patched.body.nickName, 'B');
      assert.equal(patched.body.emails, undefined);
      assert.equal(patched.body.meta, undefined);
      assert.equal(patched.body.userName, 'proj@example.com');
    });

    test('PUT replaces: readOnly values are ignored, omitted attributes are cleared, 404 for unknown ids (§3.5.1)', async () => {
      const c = await live.client('put');
      const created = await c.req('POST', 'Users', fullUser('put@example.com'));
      const id = created.body.id;
      const put = await c.req('PUT', `Users/${id}`, {
        schemas: [USER],
        id: 'another-id',
        userName: 'put@example.com',
        displayName: 'Replaced',
        groups: [{ value: 'g' }],
        meta: { created: '2000-01-01T00:00:00Z', resourceType: 'Group' },
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal(put.body.id, id);
      assert.equal(put.body.meta.created, created.body.meta.created);
      assert.equal(put.body.meta.resourceType, 'User');
      assert.notEqual(put.body.meta.version, created.body.meta.version);
      assert.equal(put.headers.get('etag'), put.body.meta.version);
      assert.equal(put.body.displayName, 'Replaced');
      assert.equal(put.body.groups, undefined);
      for (const gone of ['name', 'emails', 'title', 'x509Certificates', ENTERPRISE]) {
        assert.equal(put.body[gone], undefined, `${gone} omitted from the PUT is cleared`);
      }
      assert.deepEqual(put.body.schemas, [USER]);
      const got = await c.req('GET', `Users/${id}`);
      assert.deepEqual(got.body, put.body);
      assertScimError(
        await c.req('PUT', `Users/${id}`, { schemas: [USER], displayName: 'x' }),
        400,
        'invalidValue',
      );
      assertScimError(
        await c.req('PUT', 'Users/00000000-0000-0000-0000-000000000000', { schemas: [USER], userName: 'z' }),
        404,
      );
    });

    test('PATCH on every path form (RFC 7644 §3.5.2)', async () => {
      const c = await live.client('patch paths');
      const created = await c.req('POST', 'Users', {
        schemas: [USER, ENTERPRISE],
        userName: 'pat',
        name: { familyName: 'Smith', givenName: 'Pat' },
        emails: [
          { value: 'pat@work.example', type: 'work', primary: true },
          { value: 'pat@home.example', type: 'home' },
        ],
        [ENTERPRISE]: { department: 'D1', costCenter: 'CC1' },
      });
      const id = created.body.id;
      const step = async (...ops: unknown[]) => {
        const res = await c.req('PATCH', `Users/${id}`, patch(...ops));
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const got = await c.req('GET', `Users/${id}`);
        assert.deepEqual(got.body, res.body, 'the PATCH response is the stored resource');
        return res.body;
      };

      let u = await step({ op: 'replace', path: 'displayName', value: 'Pat S' });
      assert.equal(u.displayName, 'Pat S');
      u = await step({ op: 'replace', path: 'name.givenName', value: 'Patricia' });
      assert.deepEqual(u.name, { familyName: 'Smith', givenName: 'Patricia' });
      u = await step({ op: 'replace', path: 'name', value: { middleName: 'Q' } });
      assert.deepEqual(
        u.name,
        { familyName: 'Smith', givenName: 'Patricia', middleName: 'Q' },
        '§3.5.2.3: sub-attributes not in the value are left unchanged',
      );
      u = await step({ op: 'remove', path: 'name.middleName' });
      assert.deepEqual(u.name, { familyName: 'Smith', givenName: 'Patricia' });
      u = await step({ op: 'replace', path: 'emails[type eq "work"].value', value: 'p@work.example' });
      assert.deepEqual(u.emails[0], { value: 'p@work.example', type: 'work', primary: true });
      u = await step({
        op: 'add',
        path: 'emails',
        value: [{ value: 'p@home.example', type: 'home', primary: true }],
      });
      assert.equal(u.emails.length, 3);
      assert.deepEqual(
        u.emails.filter((e: Json) => e.primary === true).map((e: Json) => e.value),
        ['p@home.example'],
        'a new primary value takes primary from the old one (RFC 7643 §2.4)',
      );
      u = await step({
        op: 'add',
        path: 'emails',
        value: [{ value: 'p@home.example', type: 'home', primary: true }],
      });
      assert.equal(u.emails.length, 3, 'adding an existing value changes nothing (§3.5.2.1)');
      u = await step({ op: 'remove', path: 'emails[value eq "pat@home.example"]' });
      assert.deepEqual(
        u.emails.map((e: Json) => e.value),
        ['p@work.example', 'p@home.example'],
      );
      u = await step({ op: 'replace', path: `${USER}:title`, value: 'Lead' });
      assert.equal(u.title, 'Lead');
      u = await step({ op: 'replace', path: `${ENTERPRISE}:department`, value: 'D2' });
      assert.equal(u[ENTERPRISE].department, 'D2');
      u = await step({ op: 'add', path: `${ENTERPRISE}:manager`, value: { value: 'mgr-1' } });
      assert.deepEqual(u[ENTERPRISE].manager, { value: 'mgr-1' });
      u = await step({ op: 'replace', path: `${ENTERPRISE}:manager.value`, value: 'mgr-2' });
      assert.deepEqual(u[ENTERPRISE].manager, { value: 'mgr-2' });
      u = await step({
        op: 'replace',
        value: {
          nickName: 'P',
          'name.familyName': 'Smyth',
          [`${ENTERPRISE}:division`]: 'DV',
          [ENTERPRISE]: { organization: 'Org' },
        },
      });
      assert.equal(u.nickName, 'P');
      assert.equal(u.name.familyName, 'Smyth');
      assert.deepEqual(u[ENTERPRISE], {
        department: 'D2',
        costCenter: 'CC1',
        manager: { value: 'mgr-2' },
        division: 'DV',
        organization: 'Org',
      });
      u = await step({ op: 'replace', path: ENTERPRISE, value: { costCenter: 'CC2' } });
      assert.equal(u[ENTERPRISE].costCenter, 'CC2');
      assert.equal(
        u[ENTERPRISE].department,
        'D2',
        'replace on the extension keeps what the value does not name',
      );
      u = await step({ op: 'remove', path: ENTERPRISE });
      assert.equal(u[ENTERPRISE], undefined, 'remove with the extension URN as path removes the extension');
      assert.deepEqual(u.schemas, [USER]);
      u = await step({ op: 'add', path: ENTERPRISE, value: { employeeNumber: '7' } });
      assert.deepEqual(u[ENTERPRISE], { employeeNumber: '7' });
      assert.deepEqual(u.schemas, [USER, ENTERPRISE]);
      u = await step({ op: 'remove', path: ENTERPRISE.toLowerCase() });
      assert.equal(u[ENTERPRISE], undefined);
      u = await step({ op: 'remove', path: 'emails' });
      assert.equal(u.emails, undefined);
      u = await step({ op: 'replace', path: 'password', value: 'n3w-Secret' });
      assert.equal(u.password, undefined, 'changePassword: accepted, never returned');
      const before = u.meta.version;
      u = await step({ op: 'remove', path: 'title' }, { op: 'add', path: 'title', value: 'Lead' });
      assert.equal(u.title, 'Lead');
      assert.equal(u.meta.version, before, 'a PATCH that changes nothing keeps the version');

      const fail = async (op: unknown, status: number, scimType: string) => {
        const res = await c.req('PATCH', `Users/${id}`, patch(op));
        assertScimError(res, status, scimType);
        assert.match(res.body.detail, /^Operations\[0\]/);
      };
      await fail({ op: 'replace', path: 'id', value: 'x' }, 400, 'mutability');
      await fail({ op: 'replace', path: 'meta.created', value: '2000-01-01T00:00:00Z' }, 400, 'mutability');
      await fail({ op: 'add', path: 'groups', value: [{ value: 'g' }] }, 400, 'mutability');
      await fail({ op: 'replace', path: 'nosuch', value: 'x' }, 400, 'invalidPath');
      await fail({ op: 'replace', path: 'emails[type co "fax"].value', value: 'x' }, 400, 'noTarget');
      await fail({ op: 'remove' }, 400, 'noTarget');
      await fail({ op: 'remove', path: 'userName' }, 400, 'invalidValue');
      await fail({ op: 'replace', path: 'active', value: 'maybe' }, 400, 'invalidValue');
      await fail({ op: 'move', path: 'title', value: 'x' }, 400, 'invalidSyntax');
      assertScimError(
        await c.req('PATCH', `Users/${id}`, { schemas: [USER], Operations: [] }),
        400,
        'invalidSyntax',
      );
      assert.equal(
        (await c.req('GET', `Users/${id}`)).body.meta.version,
        before,
        'failed PATCHes change nothing',
      );
    });

    test('DELETE is 204, then GET, PUT, PATCH and DELETE are 404 (§3.6)', async () => {
      const c = await live.client('delete');
      const created = await c.req('POST', 'Users', { schemas: [USER], userName: 'gone@example.com' });
      const id = created.body.id;
      const del = await c.req('DELETE', `Users/${id}`);
      assert.equal(del.status, 204);
      assert.equal(del.body, undefined);
      assertScimError(await c.req('GET', `Users/${id}`), 404);
      assertScimError(await c.req('DELETE', `Users/${id}`), 404);
      assertScimError(
        await c.req('PUT', `Users/${id}`, { schemas: [USER], userName: 'gone@example.com' }),
        404,
      );
      assertScimError(
        await c.req('PATCH', `Users/${id}`, patch({ op: 'replace', path: 'title', value: 't' })),
        404,
      );
      const list = await c.req('GET', `Users?${q('userName eq "gone@example.com"')}`);
      assert.equal(list.body.totalResults, 0);
      const again = await c.req('POST', 'Users', { schemas: [USER], userName: 'gone@example.com' });
      assert.equal(again.status, 201, 'the userName is free again');
      assert.notEqual(again.body.id, id);
    });

    test('media types: application/json requests; Accept decides between application/scim+json and application/json (§3.8)', async () => {
      const c = await live.client('media types');
      const plain = await c.req(
        'POST',
        'Users',
        { schemas: [USER], userName: 'json@example.com' },
        {
          'content-type': 'application/json; charset=utf-8',
        },
      );
      assert.equal(plain.status, 201);
      const id = plain.body.id;
      assert.match(plain.headers.get('content-type') ?? '', /^application\/scim\+json/);
      for (const [accept, type] of [
        [undefined, 'application/scim+json'],
        ['application/scim+json', 'application/scim+json'],
        ['application/json', 'application/json'],
        ['application/json, application/scim+json;q=0.9', 'application/scim+json'],
        ['application/scim+json;q=0, application/json', 'application/json'],
        ['*/*', 'application/scim+json'],
      ] as const) {
        const headers: Record<string, string> = accept ? { accept } : {};
        for (const path of [
          `Users/${id}`,
          'Users',
          'ServiceProviderConfig',
          'Users/nope',
          'NoSuchEndpoint',
        ]) {
          const res = await c.req('GET', path, undefined, headers);
          assert.equal(res.headers.get('content-type'), `${type}; charset=utf-8`, `${accept} ${path}`);
        }
      }
      const created = await c.req(
        'POST',
        'Users',
        { schemas: [USER], userName: 'json2@example.com' },
        {
          accept: 'application/json',
        },
      );
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('content-type'), 'application/json; charset=utf-8');
    });

    test('discovery: ServiceProviderConfig capabilities work, ResourceTypes and Schemas match what is enforced (§4)', async () => {
      const c = await live.client('discovery');
      const spc = await c.req('GET', 'ServiceProviderConfig');
      assert.equal(spc.status, 200);
      assert.deepEqual(spc.body.schemas, ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
      for (const feature of ['patch', 'bulk', 'filter', 'changePassword', 'sort', 'etag']) {
        assert.equal(typeof spc.body[feature]?.supported, 'boolean', feature);
      }
      assert.ok(Array.isArray(spc.body.authenticationSchemes) && spc.body.authenticationSchemes.length > 0);

      // What is advertised works.
      const u = await c.req('POST', 'Users', { schemas: [USER], userName: 'disc@example.com', title: 'T' });
      assert.equal(spc.body.etag.supported, true);
      assert.equal(
        (await c.req('GET', `Users/${u.body.id}`, undefined, { 'if-none-match': u.body.meta.version }))
          .status,
        304,
      );
      assert.equal(spc.body.patch.supported, true);
      assert.equal(
        (await c.req('PATCH', `Users/${u.body.id}`, patch({ op: 'replace', path: 'title', value: 'U' })))
          .status,
        200,
      );
      assert.equal(spc.body.changePassword.supported, true);
      assert.equal(
        (
          await c.req(
            'PATCH',
            `Users/${u.body.id}`,
            patch({ op: 'replace', path: 'password', value: 'pw-2' }),
          )
        ).status,
        200,
      );
      assert.equal(spc.body.sort.supported, true);
      assert.equal((await c.req('GET', 'Users?sortBy=userName')).status, 200);
      assert.equal(spc.body.filter.supported, true);
      assert.ok(spc.body.filter.maxResults > 0);
      assert.equal((await c.req('GET', `Users?${q('title eq "U"')}`)).body.totalResults, 1);
      assert.equal(spc.body.bulk.supported, true);
      const bulk = await c.req('POST', 'Bulk', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [
          {
            method: 'POST',
            path: '/Users',
            bulkId: 'b1',
            data: { schemas: [USER], userName: 'bulk@example.com' },
          },
        ],
      });
      assert.equal(bulk.status, 200);
      assert.equal(bulk.body.Operations[0].status, '201');

      const types = await c.req('GET', 'ResourceTypes');
      assert.equal(types.status, 200);
      const userType = types.body.Resources.find((r: Json) => r.id === 'User');
      assert.deepEqual(
        { endpoint: userType.endpoint, schema: userType.schema, schemaExtensions: userType.schemaExtensions },
        { endpoint: '/Users', schema: USER, schemaExtensions: [{ schema: ENTERPRISE, required: false }] },
      );
      assert.deepEqual((await c.req('GET', 'ResourceTypes/User')).body, userType);
      assertScimError(await c.req('GET', 'ResourceTypes/Nope'), 404);

      const schemas = await c.req('GET', 'Schemas');
      assert.equal(schemas.status, 200);
      for (const s of schemas.body.Resources) {
        const one = await c.req('GET', `Schemas/${s.id}`);
        assert.deepEqual(one.body, s, s.id);
      }
      assertScimError(await c.req('GET', 'Schemas/urn:example:nope'), 404);
      assertScimError(await c.req('GET', `Schemas?${q('id eq "x"')}`), 403);

      const userSchema = schemas.body.Resources.find((s: Json) => s.id === USER);
      const entSchema = schemas.body.Resources.find((s: Json) => s.id === ENTERPRISE);
      const attr = (schema: Json, name: string) => schema.attributes.find((a: Json) => a.name === name);
      const sub = (a: Json, name: string) => a.subAttributes.find((s: Json) => s.name === name);
      for (const a of [...userSchema.attributes, ...entSchema.attributes]) {
        for (const k of [
          'name',
          'type',
          'multiValued',
          'required',
          'caseExact',
          'mutability',
          'returned',
          'uniqueness',
        ]) {
          assert.ok(k in a, `${a.name} has ${k}`);
        }
        assert.equal(
          a.type === 'complex',
          Array.isArray(a.subAttributes),
          `${a.name}: subAttributes iff complex`,
        );
      }
      // The characteristics the server enforces are the ones it publishes.
      assert.deepEqual(
        [
          attr(userSchema, 'userName').required,
          attr(userSchema, 'userName').uniqueness,
          attr(userSchema, 'userName').caseExact,
        ],
        [true, 'server', false],
      );
      assert.deepEqual(
        [attr(userSchema, 'password').mutability, attr(userSchema, 'password').returned],
        ['writeOnly', 'never'],
      );
      assert.equal(attr(userSchema, 'groups').mutability, 'readOnly');
      assert.equal(sub(attr(entSchema, 'manager'), 'displayName').mutability, 'readOnly');
      assert.deepEqual(sub(attr(userSchema, 'emails'), 'type').canonicalValues, ['work', 'home', 'other']);
      for (const name of [
        'emails',
        'phoneNumbers',
        'ims',
        'photos',
        'addresses',
        'groups',
        'entitlements',
        'roles',
        'x509Certificates',
      ]) {
        assert.equal(attr(userSchema, name).multiValued, true, name);
      }
      assert.equal(sub(attr(userSchema, 'x509Certificates'), 'value').type, 'binary');
      assert.deepEqual(
        sub(attr(userSchema, 'addresses'), 'formatted') &&
          attr(userSchema, 'addresses')
            .subAttributes.map((s: Json) => s.name)
            .sort(),
        ['country', 'formatted', 'locality', 'postalCode', 'primary', 'region', 'streetAddress', 'type'],
      );
      // A full user's response uses only published attribute names, arrays exactly where multiValued.
      const full = (await c.req('POST', 'Users', fullUser('schema-check@example.com'))).body;
      for (const [schema, holder] of [
        [userSchema, full],
        [entSchema, full[ENTERPRISE]],
      ]) {
        for (const [key, value] of Object.entries(holder as Json)) {
          if (['schemas', 'id', 'externalId', 'meta', ENTERPRISE].includes(key)) continue;
          const def = attr(schema, key);
          assert.ok(def, `${key} is published in ${schema.id}`);
          assert.equal(Array.isArray(value), def.multiValued, `${key}: array iff multiValued`);
          if (def.type === 'complex') {
            for (const element of def.multiValued ? (value as Json[]) : [value]) {
              for (const k of Object.keys(element)) assert.ok(sub(def, k), `${key}.${k} is published`);
            }
          }
        }
      }
    });
  });
}
