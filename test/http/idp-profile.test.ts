/**
 * IdP profiles and quirks over HTTP (src/scim/quirks.ts, docs/idp-quirks.md): every rule
 * works for an org with the default profile (Entra's filtered-path add included), applied
 * rules are logged, and the CLI sets the profile. The rules whose
 * `where` is 'http' are checked here, one case each (test/scim/quirks.test.ts has the rest).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/cli.ts';
import { buildApp } from '../../src/http/app.ts';
import { QUIRKS, type QuirkName } from '../../src/scim/quirks.ts';
import { ENTERPRISE, PATCH_OP, startTestApp, type TestApp, USER_SCHEMA, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';

const SCIM_JSON = /^application\/scim\+json/;
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const CREATE_RULE: QuirkName = 'entra-add-on-filtered-path-creates-element';

type Res = Awaited<ReturnType<TestApp['request']>>;

function json(res: Res): Record<string, unknown> {
  return res.json() as Record<string, unknown>;
}

function expectStatus(res: Res, status: number): Record<string, unknown> {
  assert.equal(res.statusCode, status, `expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res.body ? json(res) : {};
}

async function cli(t: TestApp, ...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    { DATABASE_URL: t.config.databaseUrl, PUBLIC_URL: 'https://scim.test' },
    {
      out: (s) => {
        out += s;
      },
      err: (s) => {
        err += s;
      },
    },
  );
  return { code, out, err };
}

const workEmailPatch = {
  schemas: [PATCH_OP],
  Operations: [{ op: 'Add', path: 'emails[type eq "work"].value', value: 'babs@work.example' }],
};

/** One case per quirk that only HTTP can show. */
const HTTP_CASES: { rule: QuirkName; source: string; run: (t: TestApp) => Promise<void> }[] = [
  {
    rule: 'lookup-unknown-value-empty-list',
    source: 'Entra use-scim-to-provision-users-and-groups.md (Test Connection); Okta scim-20 reference',
    async run(t) {
      for (const filter of [
        'userName eq "5c9a3b4e-11a1-4e53-9b7b-3ad1e5c9a3b4"',
        'externalId eq "5c9a3b4e-11a1-4e53-9b7b-3ad1e5c9a3b4"',
        'emails[type eq "work"].value eq "nobody@example.com"',
      ]) {
        const res = await t.request(
          'GET',
          `Users?filter=${encodeURIComponent(filter)}&startIndex=1&count=100`,
        );
        const body = expectStatus(res, 200);
        assert.match(String(res.headers['content-type']), SCIM_JSON);
        assert.equal(body.totalResults, 0, filter);
        assert.deepEqual(body.Resources ?? [], [], filter);
      }
    },
  },
  {
    rule: 'duplicate-username-409',
    source: 'Entra scim-validator-tutorial.md; Okta scim-20 reference',
    async run(t) {
      expectStatus(await t.request('POST', 'Users', user('dup@example.com')), 201);
      const body = expectStatus(await t.request('POST', 'Users', user('DUP@example.com')), 409);
      assert.equal(body.scimType, 'uniqueness');
    },
  },
  {
    rule: 'entra-group-read-excluding-members',
    source: 'Entra use-scim-to-provision-users-and-groups.md (groups)',
    async run(t) {
      const member = expectStatus(await t.request('POST', 'Users', user('member@example.com')), 201);
      expectStatus(
        await t.request('POST', 'Groups', {
          schemas: [GROUP_SCHEMA],
          displayName: 'Read Without Members',
          members: [{ value: member.id }],
        }),
        201,
      );
      const filter = encodeURIComponent('displayName eq "Read Without Members"');
      const body = expectStatus(
        await t.request('GET', `Groups?filter=${filter}&excludedAttributes=members`),
        200,
      );
      const found = body.Resources as Record<string, unknown>[];
      assert.equal(found.length, 1);
      assert.equal(found[0]?.displayName, 'Read Without Members');
      assert.equal(found[0]?.members, undefined);
    },
  },
  {
    rule: 'okta-scim-json-charset',
    source: 'Okta scim-20 reference (headers)',
    async run(t) {
      const res = await t.request('POST', 'Users', user('charset@example.com'), {
        'content-type': 'application/scim+json; charset=utf-8',
        'user-agent': 'Okta SCIM Client 1.0.0',
      });
      assert.equal(expectStatus(res, 201).userName, 'charset@example.com');
    },
  },
  {
    rule: 'hard-delete-204',
    source: 'Entra (hard delete); Okta (unlink with delete); JumpCloud (test user and group)',
    async run(t) {
      const u = expectStatus(await t.request('POST', 'Users', user('jc-test-user@example.com')), 201);
      const g = expectStatus(
        await t.request('POST', 'Groups', { schemas: [GROUP_SCHEMA], displayName: 'JC Test' }),
        201,
      );
      for (const path of [`Users/${u.id}`, `Groups/${g.id}`]) {
        expectStatus(await t.request('DELETE', path), 204);
        expectStatus(await t.request('GET', path), 404);
      }
    },
  },
  {
    rule: 'jumpcloud-string-ids',
    source: 'JumpCloud custom SCIM integration ("id must be a string")',
    async run(t) {
      const u = expectStatus(await t.request('POST', 'Users', user('string-id@example.com')), 201);
      const g = expectStatus(
        await t.request('POST', 'Groups', { schemas: [GROUP_SCHEMA], displayName: 'Ids' }),
        201,
      );
      assert.equal(typeof u.id, 'string');
      assert.equal(typeof g.id, 'string');
    },
  },
  {
    rule: 'rippling-service-provider-config-probe',
    source: 'authn-sh-docs rippling guide',
    async run(t) {
      const res = await t.app.inject({ method: 'GET', url: `${t.base}/ServiceProviderConfig` });
      const body = expectStatus(res, 200);
      assert.deepEqual(body.schemas, ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
    },
  },
];

test('every quirk checked over HTTP has a case', () => {
  const covered = new Set(HTTP_CASES.map((c) => c.rule));
  for (const q of QUIRKS.filter((q) => q.where === 'http'))
    assert.ok(covered.has(q.name), `no case: ${q.name}`);
});

for (const dialect of dialects) {
  describe(`IdP profiles over HTTP (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => {
      await t?.close();
    });

    for (const c of HTTP_CASES) test(`${c.rule} (${c.source})`, () => c.run(t));

    test('a new org is generic; authenticate returns the profile with the token', async () => {
      assert.equal((await t.directory.orgs.get(t.orgId))?.idpProfile, 'generic');
      const auth = await t.directory.orgs.authenticate(t.orgId, `Bearer ${t.token}`);
      assert.equal(auth.idpProfile, 'generic');
      assert.equal(typeof auth.tokenId, 'string');
    });

    test('Entra filtered-path add creates the element under the default profile', async () => {
      assert.equal((await t.directory.orgs.get(t.orgId))?.idpProfile, 'generic');
      const created = expectStatus(
        await t.request(
          'POST',
          'Users',
          user('entra-add@example.com', { emails: [{ value: 'h@home.example', type: 'home' }] }),
        ),
        201,
      );
      const path = `Users/${created.id}`;
      const res = await t.request('PATCH', path, workEmailPatch);
      const body = expectStatus(res, 200);
      assert.match(String(res.headers['content-type']), SCIM_JSON);
      assert.ok(res.headers.etag);
      assert.deepEqual(body.emails, [
        { value: 'h@home.example', type: 'home' },
        { value: 'babs@work.example', type: 'work' },
      ]);
      // The new element is indexed like any other: the Entra matching filter finds the user.
      const filter = encodeURIComponent('emails[type eq "work"].value eq "babs@work.example"');
      const found = expectStatus(await t.request('GET', `Users?filter=${filter}`), 200);
      assert.equal(found.totalResults, 1);

      // Entra's documented case: Add on phoneNumbers[type eq "mobile"].value with no mobile number.
      const mobile = await t.request('PATCH', path, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' }],
      });
      assert.deepEqual(expectStatus(mobile, 200).phoneNumbers, [{ value: '+1 555 0100', type: 'mobile' }]);

      // A filter that describes no single element is still 400 noTarget, and changes nothing.
      const refused = await t.request('PATCH', path, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Add', path: 'addresses[type eq "work" or type eq "home"].locality', value: 'Paris' },
        ],
      });
      assert.equal(expectStatus(refused, 400).scimType, 'noTarget');
      assert.equal(expectStatus(await t.request('GET', path), 200).addresses, undefined);
    });

    test('a PUT without active keeps active=false (OneLogin template)', async () => {
      const created = expectStatus(
        await t.request('POST', 'Users', user('suspended@example.com', { active: true, title: 'Guide' })),
        201,
      );
      const path = `Users/${created.id}`;
      expectStatus(
        await t.request('PATCH', path, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', value: { active: false } }],
        }),
        200,
      );
      const put = expectStatus(
        await t.request('PUT', path, {
          schemas: [USER_SCHEMA],
          userName: 'suspended@example.com',
          displayName: 'Suspended User',
          title: '',
        }),
        200,
      );
      assert.equal(put.active, false);
      assert.equal(put.displayName, 'Suspended User');
      assert.equal(put.title, undefined, 'other omitted or empty attributes are still cleared');
      assert.equal(expectStatus(await t.request('GET', path), 200).active, false);
      const filter = encodeURIComponent('userName eq "suspended@example.com" and active eq false');
      assert.equal(expectStatus(await t.request('GET', `Users?filter=${filter}`), 200).totalResults, 1);
    });

    test('bare-string manager on POST, PUT and PATCH', async () => {
      const boss = expectStatus(await t.request('POST', 'Users', user('boss@example.com')), 201);
      const boss2 = expectStatus(await t.request('POST', 'Users', user('boss2@example.com')), 201);
      const created = expectStatus(
        await t.request('POST', 'Users', {
          schemas: [USER_SCHEMA, ENTERPRISE],
          userName: 'report@example.com',
          [ENTERPRISE]: { manager: boss.id },
        }),
        201,
      );
      assert.deepEqual((created[ENTERPRISE] as Record<string, unknown>).manager, { value: boss.id });
      const path = `Users/${created.id}`;
      const patched = expectStatus(
        await t.request('PATCH', path, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: boss2.id }],
        }),
        200,
      );
      assert.deepEqual((patched[ENTERPRISE] as Record<string, unknown>).manager, { value: boss2.id });
      const put = expectStatus(
        await t.request('PUT', path, {
          schemas: [USER_SCHEMA, ENTERPRISE],
          userName: 'report@example.com',
          [ENTERPRISE]: { manager: boss.id },
        }),
        200,
      );
      assert.deepEqual((put[ENTERPRISE] as Record<string, unknown>).manager, { value: boss.id });
    });

    test('applied quirks are logged, with their names', async () => {
      const lines: Record<string, unknown>[] = [];
      const logger = {
        level: 'info',
        stream: {
          write(line: string) {
            lines.push(JSON.parse(line) as Record<string, unknown>);
          },
        },
      };
      const app = await buildApp(t.config, { directory: t.directory, logger });
      try {
        const send = (method: string, url: string, body?: unknown) =>
          app.inject({
            method: method as 'POST',
            url: `${t.base}/${url}`,
            headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/scim+json' },
            ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
          });
        const created = (await send('POST', 'Users', user('logged@example.com', { active: false }))).json();
        const quirkLines = () => lines.filter((l) => l.msg === 'IdP quirks applied');

        expectStatus(await send('PUT', `Users/${created.id}`, user('logged@example.com')), 200);
        assert.deepEqual(
          quirkLines().map((l) => l.quirks),
          [['put-omitting-active-keeps-it']],
        );

        // Under the default profile too: the rule is on for every org.
        expectStatus(await send('PATCH', `Users/${created.id}`, workEmailPatch), 200);
        // Already there now: a plain update, nothing to log.
        expectStatus(await send('PATCH', `Users/${created.id}`, workEmailPatch), 200);
        assert.deepEqual(
          quirkLines().map((l) => l.quirks),
          [['put-omitting-active-keeps-it'], [CREATE_RULE]],
        );
        assert.equal(quirkLines()[1]?.level, 30, 'logged at info');
      } finally {
        await app.close();
      }
    });

    test('CLI: orgs set-idp, orgs create --idp, orgs list --json; unknown profiles refused', async () => {
      const set = await cli(t, 'orgs', 'set-idp', t.orgId, 'entra', '--json');
      assert.equal(set.code, 0, set.err);
      const view = JSON.parse(set.out);
      assert.equal(view.idpProfile, 'entra');
      // No rule is bound to a profile today (docs/idp-notes.md "Where IdPs conflict").
      assert.deepEqual(view.profileQuirks, []);
      try {
        // The next request already reads the new profile (it comes with the token lookup).
        assert.equal((await t.directory.orgs.authenticate(t.orgId, `Bearer ${t.token}`)).idpProfile, 'entra');

        const list = JSON.parse((await cli(t, 'orgs', 'list', '--json')).out) as {
          id: string;
          idpProfile: string;
        }[];
        assert.equal(list.find((o) => o.id === t.orgId)?.idpProfile, 'entra');
        const text = await cli(t, 'orgs', 'list');
        assert.match(text.out, /IDP/);
        assert.match(text.out, new RegExp(`${t.orgId}\\s+Acme Corp\\s+entra`));
      } finally {
        const back = await cli(t, 'orgs', 'set-idp', t.orgId, 'generic');
        assert.equal(back.code, 0, back.err);
        assert.match(back.out, /now uses IdP profile 'generic'/);
      }

      const unknown = await cli(t, 'orgs', 'set-idp', t.orgId, 'azure');
      assert.equal(unknown.code, 1);
      assert.match(unknown.err, /Unknown IdP profile 'azure': use one of generic, okta, entra, google/);
      assert.equal((await t.directory.orgs.get(t.orgId))?.idpProfile, 'generic');
      const unknownJson = await cli(t, 'orgs', 'set-idp', t.orgId, 'azure', '--json');
      assert.match(JSON.parse(unknownJson.err).error, /Unknown IdP profile 'azure'/);
      const noOrg = await cli(t, 'orgs', 'set-idp', 'no-such-org', 'okta');
      assert.equal(noOrg.code, 1);
      assert.match(noOrg.err, /No organization 'no-such-org'/);

      const created = await cli(t, 'orgs', 'create', 'Okta Shop', '--idp', 'okta', '--json');
      assert.equal(created.code, 0, created.err);
      assert.equal(JSON.parse(created.out).idpProfile, 'okta');
      const plain = await cli(t, 'orgs', 'create', 'Plain Shop', '--json');
      assert.equal(JSON.parse(plain.out).idpProfile, 'generic');
      const bad = await cli(t, 'orgs', 'create', 'Bad Shop', '--idp', 'okta2');
      assert.equal(bad.code, 1);
      assert.match(bad.err, /Unknown IdP profile 'okta2'/);
      assert.equal(
        (await t.directory.orgs.list()).some((o) => o.name === 'Bad Shop'),
        false,
      );
    });
  });
}
