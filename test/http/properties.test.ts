/**
 * Custom properties and per-org extension schemas (docs/properties.md), over HTTP on both
 * dialects: an org declares an Entra-style and an Okta-style extension through the management
 * API, maps the deployment's properties to core, enterprise and extension attributes, and the
 * IdPs' requests, sent as they send them, reach `properties` on users in the API and in
 * `user.updated` events. The extensions show in that org's discovery only; their attributes
 * are validated, filtered through the index terms, patched and projected like core ones.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CompiledQuery } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { parseFilter } from '../../src/scim/filter/parse.ts';
import { USER } from '../../src/scim/schema/definitions.ts';
import { listQueries } from '../../src/store/resources.ts';
import { type ApiTestApp, problemOf, startApiTestApp } from '../helpers/api.ts';
import { ENTERPRISE, PATCH_OP, USER_SCHEMA } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';

/** Entra's custom extension attribute URN (customize-application-attributes, "Provisioning a custom extension attribute"). */
const ENTRA_EXT = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';
/** An Okta app attribute's external namespace (Profile Editor: External name / External namespace). */
const OKTA_EXT = 'urn:okta:scimitar:1.0:user:custom';

const PROPERTIES = [
  { key: 'costCenter', type: 'string', description: 'Billing cost center' },
  { key: 'badge', type: 'string' },
  { key: 'hiredAt', type: 'dateTime' },
  { key: 'level', type: 'number' },
  { key: 'contractor', type: 'boolean' },
  { key: 'jobTitle', type: 'string' },
];

for (const dialect of dialects) {
  describe(`custom properties and extension schemas (${dialect})`, () => {
    let t: ApiTestApp;
    before(async () => {
      t = await startApiTestApp(dialect, { PROPERTIES: JSON.stringify(PROPERTIES) });
    });
    after(async () => {
      await t.close();
    });

    const declare = (body: unknown) => t.api('POST', `/orgs/${t.orgId}/extensions`, body);
    const map = (key: string, path: string) => t.api('PUT', `/orgs/${t.orgId}/properties/${key}`, { path });
    const apiUser = async (id: string) => {
      const res = await t.api('GET', `/orgs/${t.orgId}/users/${id}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { properties: Record<string, unknown> };
    };

    test('an org declares an Entra and an Okta extension, and maps properties to them', async () => {
      const entra = await declare({
        urn: ENTRA_EXT,
        name: 'CustomExtension',
        attributes: [
          { name: 'CustomAttribute', type: 'string' },
          { name: 'hireDate', type: 'dateTime' },
          { name: 'level', type: 'integer' },
        ],
      });
      assert.equal(entra.statusCode, 201, entra.body);
      assert.equal(entra.json().attributes[0].mutability, 'readWrite');
      const okta = await declare({
        urn: OKTA_EXT,
        attributes: [
          { name: 'costCode', type: 'string', caseExact: true },
          { name: 'contractor', type: 'boolean' },
          { name: 'skills', type: 'string', multiValued: true },
        ],
      });
      assert.equal(okta.statusCode, 201, okta.body);
      for (const [key, path] of [
        ['costCenter', `${ENTERPRISE}:costCenter`],
        ['badge', `${OKTA_EXT}:costCode`],
        ['hiredAt', `${ENTRA_EXT}:hireDate`],
        ['level', `${ENTRA_EXT.toLowerCase()}:LEVEL`],
        ['contractor', `${OKTA_EXT}:contractor`],
        ['jobTitle', 'title'],
      ] as const) {
        const res = await map(key, path);
        assert.equal(res.statusCode, 200, `${key}: ${res.body}`);
      }
      const list = (await t.api('GET', `/orgs/${t.orgId}/properties`)).json().data;
      assert.deepEqual(
        list.map((p: { key: string; path: string }) => [p.key, p.path]),
        [
          ['costCenter', `${ENTERPRISE}:costCenter`],
          ['badge', `${OKTA_EXT}:costCode`],
          ['hiredAt', `${ENTRA_EXT}:hireDate`],
          ['level', `${ENTRA_EXT}:level`],
          ['contractor', `${OKTA_EXT}:contractor`],
          ['jobTitle', 'title'],
        ],
        'paths are stored in their canonical case',
      );
    });

    test('the extensions show in this org’s /Schemas and /ResourceTypes only', async () => {
      const schemas = await t.request('GET', 'Schemas');
      assert.equal(schemas.statusCode, 200);
      const ids = schemas.json().Resources.map((s: { id: string }) => s.id);
      assert.ok(ids.includes(ENTRA_EXT) && ids.includes(OKTA_EXT), ids.join());
      const one = await t.request('GET', `Schemas/${OKTA_EXT}`);
      assert.equal(one.statusCode, 200);
      assert.equal(one.json().attributes[2].multiValued, true);
      const userType = (await t.request('GET', 'ResourceTypes/User')).json();
      assert.deepEqual(
        userType.schemaExtensions.map((e: { schema: string }) => e.schema),
        [ENTERPRISE, ENTRA_EXT, OKTA_EXT],
      );

      const other = await t.directory.orgs.create('Other Org');
      const as = t.as({ orgId: other.org.id, token: other.token.token });
      const otherIds = (await as('GET', 'Schemas')).json().Resources.map((s: { id: string }) => s.id);
      assert.ok(!otherIds.includes(ENTRA_EXT) && !otherIds.includes(OKTA_EXT), otherIds.join());
      assert.equal((await as('GET', `Schemas/${ENTRA_EXT}`)).statusCode, 404);
      const otherType = (await as('GET', 'ResourceTypes/User')).json();
      assert.deepEqual(
        otherType.schemaExtensions.map((e: { schema: string }) => e.schema),
        [ENTERPRISE],
      );
      // Without a token, discovery shows the deployment's schemas.
      const anonymous = await t.app.inject({ method: 'GET', url: `${t.base}/Schemas` });
      assert.equal(anonymous.statusCode, 200);
      assert.ok(!anonymous.body.includes(ENTRA_EXT));
    });

    let entraId = '';
    let oktaId = '';

    test('an Entra user with its extension attribute reaches properties', async () => {
      // As Entra POSTs a user (use-scim-to-provision-users-and-groups: enterprise extension,
      // roles: [], meta.resourceType), with the custom extension as its own object.
      const res = await t.request('POST', 'Users', {
        schemas: [USER_SCHEMA, ENTERPRISE, ENTRA_EXT],
        externalId: 'a1b2c3',
        userName: 'Test_User_ab6490ee@contoso.com',
        active: true,
        title: 'Engineer',
        roles: [],
        meta: { resourceType: 'User' },
        [ENTERPRISE]: { costCenter: 'CC-42', employeeNumber: '701984' },
        [ENTRA_EXT]: { CustomAttribute: 'alpha', hireDate: '2024-05-01T08:00:00Z', level: 7 },
      });
      assert.equal(res.statusCode, 201, res.body);
      const body = res.json();
      entraId = body.id;
      assert.deepEqual(body[ENTRA_EXT], {
        CustomAttribute: 'alpha',
        hireDate: '2024-05-01T08:00:00.000Z',
        level: 7,
      });
      assert.ok(body.schemas.includes(ENTRA_EXT));
      assert.deepEqual((await apiUser(entraId)).properties, {
        costCenter: 'CC-42',
        badge: null,
        hiredAt: '2024-05-01T08:00:00.000Z',
        level: 7,
        contractor: null,
        jobTitle: 'Engineer',
      });
    });

    test('an Okta user with its custom namespace reaches properties', async () => {
      // As Okta POSTs a user (SCIM 2.0 reference: password, groups: [], externalId), its app
      // attribute sent under the attribute's external namespace.
      const res = await t.request(
        'POST',
        'Users',
        {
          schemas: [USER_SCHEMA, OKTA_EXT],
          userName: 'isaac@example.com',
          name: { givenName: 'Isaac', familyName: 'Brock' },
          emails: [{ primary: true, value: 'isaac@example.com', type: 'work' }],
          displayName: 'Isaac Brock',
          locale: 'en-US',
          externalId: '00ujl29u0le5T6Aj10h7',
          groups: [],
          password: '1mz050nq',
          active: true,
          [OKTA_EXT]: { costCode: 'X-9', contractor: true, skills: ['go', 'sql'] },
        },
        { 'user-agent': 'Okta SCIM Client 1.0.0' },
      );
      assert.equal(res.statusCode, 201, res.body);
      oktaId = res.json().id;
      const props = (await apiUser(oktaId)).properties;
      assert.equal(props.badge, 'X-9');
      assert.equal(props.contractor, true);
      assert.equal(props.costCenter, null);
    });

    test('a filter on an extension attribute runs through the index terms', async () => {
      const byCode = await t.request(
        'GET',
        `Users?filter=${encodeURIComponent(`${OKTA_EXT}:costCode eq "X-9"`)}`,
      );
      assert.equal(byCode.statusCode, 200, byCode.body);
      assert.deepEqual(
        byCode.json().Resources.map((r: { id: string }) => r.id),
        [oktaId],
      );
      // caseExact: another case does not match.
      const wrongCase = await t.request(
        'GET',
        `Users?filter=${encodeURIComponent(`${OKTA_EXT}:costCode eq "x-9"`)}`,
      );
      assert.equal(wrongCase.json().totalResults, 0);
      const byAttr = await t.request(
        'GET',
        `Users?filter=${encodeURIComponent(`${ENTRA_EXT}:CustomAttribute eq "ALPHA" and ${ENTRA_EXT}:level gt 5`)}`,
      );
      assert.deepEqual(
        byAttr.json().Resources.map((r: { id: string }) => r.id),
        [entraId],
      );
      const sorted = await t.request('GET', `Users?sortBy=${encodeURIComponent(`${ENTRA_EXT}:hireDate`)}`);
      assert.equal(sorted.statusCode, 200, sorted.body);
      // Another org's token cannot name the attribute: its schema has no such extension.
      const other = await t.directory.orgs.create('Third Org');
      const foreign = await t.as({ orgId: other.org.id, token: other.token.token })(
        'GET',
        `Users?filter=${encodeURIComponent(`${OKTA_EXT}:costCode eq "X-9"`)}`,
      );
      assert.equal(foreign.statusCode, 400);
      assert.equal(foreign.json().scimType, 'invalidFilter');

      if (dialect === 'sqlite') {
        const rs = await t.directory.properties.resourceSchema({ orgId: t.orgId }, USER);
        const { page } = listQueries(t.directory.database.db, {
          orgId: t.orgId,
          type: 'User',
          filter: parseFilter(`${OKTA_EXT}:costCode eq "X-9"`, rs),
          offset: 0,
          limit: 100,
        });
        const c = page.compile();
        const { rows } = await t.directory.database.db.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`explain query plan ${c.sql}`, [...c.parameters]),
        );
        assert.ok(
          rows.some((r) =>
            /USING INDEX resource_terms_str_idx \(org_id=\? AND path=\? AND str=\?\)/.test(r.detail),
          ),
          JSON.stringify(rows),
        );
      }
    });

    test('PATCH add, replace and remove on extension paths; events carry properties', async () => {
      const patch = (...Operations: unknown[]) =>
        t.request('PATCH', `Users/${entraId}`, { schemas: [PATCH_OP], Operations });
      // Entra's default dialect: capitalised op, a path naming the extension attribute.
      let res = await patch({ op: 'Replace', path: `${ENTRA_EXT}:CustomAttribute`, value: 'beta' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json()[ENTRA_EXT].CustomAttribute, 'beta');
      // aadOptscim062020: a replace without path whose keys are URN-qualified.
      res = await patch({ op: 'replace', value: { [`${ENTRA_EXT}:level`]: 9 } });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json()[ENTRA_EXT].level, 9);
      res = await patch({ op: 'remove', path: `${ENTRA_EXT}:hireDate` });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json()[ENTRA_EXT].hireDate, undefined);
      res = await t.request('PATCH', `Users/${oktaId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: `${OKTA_EXT}:skills`, value: ['rust'] }],
      });
      assert.deepEqual(res.json()[OKTA_EXT].skills, ['go', 'sql', 'rust']);

      const props = (await apiUser(entraId)).properties;
      assert.equal(props.level, 9);
      assert.equal(props.hiredAt, null);

      type Update = {
        type: string;
        data: { id: string; properties?: Record<string, unknown> };
        changes?: { changed: string[]; previous: Record<string, unknown> };
      };
      // On PostgreSQL the feed shows a transaction's events once every older transaction of the
      // cluster ended (docs/events.md): other work on a shared server may hold them back a moment.
      let updates: Update[] = [];
      for (let attempt = 0; attempt < 100 && updates.length < 3; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        const feed = await t.api('GET', `/events?org=${t.orgId}&type=user.updated&limit=500`);
        assert.equal(feed.statusCode, 200, feed.body);
        updates = (feed.json().data as Update[]).filter((e) => e.data.id === entraId);
      }
      assert.equal(updates.length, 3);
      const levelChange = updates[1];
      // Nested changes are named one level down (api-form.ts apiChanges).
      assert.ok(levelChange?.changes?.changed.includes('properties.level'), JSON.stringify(levelChange));
      assert.equal(levelChange?.changes?.previous['properties.level'], 7);
      assert.equal(levelChange?.data.properties?.level, 9);
    });

    test('projection: attributes and excludedAttributes name extension attributes', async () => {
      const only = await t.request(
        'GET',
        `Users/${entraId}?attributes=${encodeURIComponent(`${ENTRA_EXT}:level`)}`,
      );
      assert.deepEqual(only.json()[ENTRA_EXT], { level: 9 });
      assert.equal(only.json().userName, undefined);
      // In a list too, whether the list was read with the token in one statement (userName eq) or not.
      const listed = await t.request(
        'GET',
        `Users?filter=${encodeURIComponent('userName eq "test_user_ab6490ee@contoso.com"')}&attributes=${encodeURIComponent(`${ENTRA_EXT}:level`)}`,
      );
      assert.equal(listed.statusCode, 200, listed.body);
      assert.deepEqual(listed.json().Resources[0][ENTRA_EXT], { level: 9 });
      const searched = await t.request('POST', 'Users/.search', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: `${ENTRA_EXT}:level eq 9`,
        attributes: [`${ENTRA_EXT}:level`],
      });
      assert.equal(searched.statusCode, 200, searched.body);
      assert.deepEqual(searched.json().Resources[0][ENTRA_EXT], { level: 9 });
      const rooted = await t.request('POST', '.search', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: `${ENTRA_EXT}:level eq 9`,
      });
      assert.equal(rooted.statusCode, 200, rooted.body);
      assert.equal(rooted.json().totalResults, 1);
      const without = await t.request(
        'GET',
        `Users/${entraId}?excludedAttributes=${encodeURIComponent(ENTRA_EXT)}`,
      );
      assert.equal(without.json()[ENTRA_EXT], undefined);
      assert.equal(without.json().userName, 'Test_User_ab6490ee@contoso.com');
    });

    test('invalid extension values are 400 invalidValue', async () => {
      for (const [body, where] of [
        [{ [ENTRA_EXT]: { level: 'seven' } }, 'level'],
        [{ [ENTRA_EXT]: { hireDate: 'yesterday' } }, 'hireDate'],
        [{ [OKTA_EXT]: { contractor: 'maybe' } }, 'contractor'],
        [{ [OKTA_EXT]: { costCode: ['a', 'b'] } }, 'costCode'],
      ] as const) {
        const res = await t.request('POST', 'Users', {
          schemas: [USER_SCHEMA],
          userName: `bad-${where}@example.com`,
          ...body,
        });
        assert.equal(res.statusCode, 400, `${where}: ${res.body}`);
        assert.equal(res.json().scimType, 'invalidValue');
        assert.match(res.json().detail, new RegExp(where));
      }
      const patched = await t.request('PATCH', `Users/${entraId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: `${ENTRA_EXT}:level`, value: 1.5 }],
      });
      assert.equal(patched.statusCode, 400);
      assert.equal(patched.json().scimType, 'invalidValue');
    });

    test('an undeclared extension URN is ignored, as before', async () => {
      const res = await t.request('POST', 'Users', {
        schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extension:Undeclared:2.0:User'],
        userName: 'undeclared@example.com',
        'urn:ietf:params:scim:schemas:extension:Undeclared:2.0:User': { anything: 1 },
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.json()['urn:ietf:params:scim:schemas:extension:Undeclared:2.0:User'], undefined);
    });

    test('bad mappings are refused when set', async () => {
      for (const [key, path, code, pattern] of [
        ['badge', 'nickname.first', 'invalid_request', /names no attribute/],
        ['badge', 'urn:example:nothing:attr', 'invalid_request', /names no attribute/],
        ['level', 'title', 'invalid_request', /type string/],
        ['contractor', `${ENTRA_EXT}:level`, 'invalid_request', /type integer/],
        ['badge', 'emails.value', 'invalid_request', /multi-valued/],
        ['badge', 'name', 'invalid_request', /complex/],
        ['badge', 'password', 'invalid_request', /never returned/],
        ['badge', `${OKTA_EXT}:skills`, 'invalid_request', /multi-valued/],
        ['nope', 'title', 'not_found', /No property 'nope'/],
      ] as const) {
        const res = await map(key, path);
        assert.equal(res.statusCode, code === 'not_found' ? 404 : 400, `${key} ← ${path}: ${res.body}`);
        assert.equal(problemOf(res).code, code);
        assert.match(problemOf(res).detail, pattern);
      }
      // An extension that fills a property cannot be removed; once unmapped it can.
      const busy = await t.api('DELETE', `/orgs/${t.orgId}/extensions/${encodeURIComponent(OKTA_EXT)}`);
      assert.equal(busy.statusCode, 409, busy.body);
      assert.match(problemOf(busy).detail, /badge, contractor/);
    });

    test('another instance on the same database serves a change at its next request; Bulk too', async () => {
      // A second app (its own directory, its own cache) over the same database, as behind a
      // load balancer: it learns of the new extension from the version read with the token.
      const twin = await buildApp(loadConfig(t.env), { logger: false });
      try {
        const viaTwin = t.as({ orgId: t.orgId, token: t.token }, twin);
        const before = await viaTwin('GET', `Schemas/${encodeURIComponent('urn:acme:late')}`);
        assert.equal(before.statusCode, 404);
        assert.equal(
          (await declare({ urn: 'urn:acme:late', attributes: [{ name: 'shoe', type: 'integer' }] }))
            .statusCode,
          201,
        );
        assert.equal(
          (await viaTwin('GET', `Schemas/${encodeURIComponent('urn:acme:late')}`)).statusCode,
          200,
        );
        const bulk = await viaTwin('POST', 'Bulk', {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
          Operations: [
            {
              method: 'POST',
              path: '/Users',
              bulkId: 'b1',
              data: { schemas: [USER_SCHEMA], userName: 'bulk@example.com', 'urn:acme:late': { shoe: 44 } },
            },
            {
              method: 'POST',
              path: '/Users',
              bulkId: 'b2',
              data: {
                schemas: [USER_SCHEMA],
                userName: 'bulk2@example.com',
                'urn:acme:late': { shoe: 'big' },
              },
            },
          ],
        });
        assert.equal(bulk.statusCode, 200, bulk.body);
        const [ok, bad] = bulk.json().Operations as { status: string; location?: string }[];
        assert.equal(ok?.status, '201');
        assert.equal(bad?.status, '400');
        const id = String(ok?.location).split('/').pop();
        assert.equal((await t.request('GET', `Users/${id}`)).json()['urn:acme:late'].shoe, 44);
        const removed = await t.api(
          'DELETE',
          `/orgs/${t.orgId}/extensions/${encodeURIComponent('urn:acme:late')}`,
        );
        assert.equal(removed.statusCode, 204);
        // Removed: no longer returned, by either instance.
        assert.equal((await viaTwin('GET', `Users/${id}`)).json()['urn:acme:late'], undefined);
      } finally {
        await twin.close();
      }
    });

    test('declarations are checked and bounded', async () => {
      const attrs = [{ name: 'a', type: 'string' }];
      for (const [body, status, pattern] of [
        [{ urn: 'not-a-urn', attributes: attrs }, 400, /must be a URN/],
        [{ urn: ENTERPRISE, attributes: attrs }, 400, /reserved/],
        [{ urn: `${ENTRA_EXT}:sub`, attributes: attrs }, 400, /overlaps/],
        [
          { urn: ENTRA_EXT.toUpperCase().replace('URN:', 'urn:'), attributes: attrs },
          409,
          /already declared/,
        ],
        [
          { urn: 'urn:x:y', attributes: [{ name: '9lives', type: 'string' }] },
          400,
          /must start with a letter/,
        ],
        [{ urn: 'urn:x:y', attributes: [{ name: 'a', type: 'complex' }] }, 400, null],
        [{ urn: 'urn:x:y', attributes: [{ name: 'a', type: 'string', uniqueness: 'server' }] }, 400, null],
        [
          {
            urn: 'urn:x:y',
            attributes: [
              { name: 'a', type: 'string' },
              { name: 'A', type: 'string' },
            ],
          },
          400,
          /declared twice/,
        ],
        [
          {
            urn: 'urn:x:y',
            attributes: Array.from({ length: 51 }, (_, i) => ({ name: `a${i}`, type: 'string' })),
          },
          400,
          null,
        ],
        [{ urn: `urn:x:${'y'.repeat(300)}`, attributes: attrs }, 400, null],
        [{ urn: 'urn:x:y', attributes: [] }, 400, null],
      ] as const) {
        const res = await declare(body);
        assert.equal(res.statusCode, status, `${JSON.stringify(body).slice(0, 80)}: ${res.body}`);
        if (pattern) assert.match(problemOf(res).detail, pattern);
      }
      // At most 10 extensions per org (2 declared above).
      for (let i = 0; i < 8; i++) {
        assert.equal((await declare({ urn: `urn:acme:ext${i}`, attributes: attrs })).statusCode, 201);
      }
      const tooMany = await declare({ urn: 'urn:acme:ext-last', attributes: attrs });
      assert.equal(tooMany.statusCode, 400);
      assert.match(problemOf(tooMany).detail, /at most 10 extensions/);
      for (let i = 0; i < 8; i++) {
        const res = await t.api(
          'DELETE',
          `/orgs/${t.orgId}/extensions/${encodeURIComponent(`urn:acme:ext${i}`)}`,
        );
        assert.equal(res.statusCode, 204, res.body);
      }
      const gone = await t.api(
        'DELETE',
        `/orgs/${t.orgId}/extensions/${encodeURIComponent('urn:acme:ext0')}`,
      );
      assert.equal(gone.statusCode, 404);
      const noOrg = await t.api('GET', '/orgs/no-such-org/extensions');
      assert.equal(noOrg.statusCode, 404);
    });
  });
}
