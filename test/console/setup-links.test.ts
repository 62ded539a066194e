/**
 * Setup links on both dialects: the API confines a link to its org and to the setup routes;
 * the wizard's pages pick an IdP, make a token shown once, cite the vendor's documentation,
 * and turn "connected"; revoked, expired and malformed links get a clear page; no page of one
 * org's link shows another org's data.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IDP_GUIDES } from '../../src/console/idp-guides.ts';
import { type ApiTestApp, startApiTestApp } from '../helpers/api.ts';
import { cliIn, cliJsonIn } from '../helpers/cli.ts';
import { dialects } from '../helpers/dialects.ts';

for (const dialect of dialects) {
  describe(`setup links (${dialect})`, () => {
    let t: ApiTestApp;
    let secret = '';
    let linkId = '';
    const other = { orgId: '', token: '' };

    const withLink = (method: string, path: string, body?: unknown) =>
      t.api(method, path, body, { authorization: `Bearer ${secret}` });
    const page = (method: 'GET' | 'POST', url: string, form?: Record<string, string>) =>
      t.app.inject({
        method,
        url,
        ...(form
          ? {
              payload: new URLSearchParams(form).toString(),
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
            }
          : {}),
      });

    before(async () => {
      t = await startApiTestApp(dialect);
      const created = await t.api('POST', `/orgs/${t.orgId}/setup-links`, {});
      assert.equal(created.statusCode, 201);
      const body = created.json();
      assert.match(body.url, /^https:\/\/scim\.test\/setup\/setup_[A-Za-z0-9_-]{43}$/);
      secret = body.url.split('/').pop();
      linkId = body.id;
      const days = (Date.parse(body.expiresAt) - Date.now()) / 86400_000;
      assert.ok(days > 6.9 && days <= 7, 'seven days by default');
      const second = await t.directory.orgs.create('Other Corp');
      other.orgId = second.org.id;
      other.token = second.token.token;
      const secretUser = await t.as(other)('POST', 'Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'secret.person@other.example',
      });
      assert.equal(secretUser.statusCode, 201);
    });
    after(async () => t?.close());

    test('the list never shows the secret; the link is confined to its org and to setup', async () => {
      const list = await t.api('GET', `/orgs/${t.orgId}/setup-links`);
      assert.equal(list.statusCode, 200);
      assert.ok(!list.body.includes(secret));
      assert.equal(list.json().data[0].id, linkId);

      const me = await withLink('GET', '/setup-link');
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().orgId, t.orgId);
      assert.equal((await withLink('GET', `/orgs/${t.orgId}/status`)).statusCode, 200);
      assert.equal((await withLink('GET', `/orgs/${t.orgId}/users`)).statusCode, 200);
      for (const [method, path] of [
        ['GET', '/orgs'],
        ['GET', `/orgs/${other.orgId}/status`],
        ['GET', `/orgs/${other.orgId}/users`],
        ['GET', '/orgs/no-such-org/status'],
        ['GET', `/orgs/${t.orgId}/scim/tokens`],
        ['GET', `/orgs/${t.orgId}/setup-links`],
        ['POST', `/orgs/${t.orgId}/setup-links`],
        ['GET', `/orgs/${t.orgId}/audit`],
        ['GET', '/webhooks'],
        ['GET', '/events'],
        ['DELETE', `/orgs/${t.orgId}`],
      ] as const) {
        const response = await withLink(method, path, method === 'POST' ? {} : undefined);
        assert.equal(response.statusCode, 403, `${method} ${path}: ${response.body}`);
        assert.equal(response.json().code, 'forbidden');
      }
    });

    test("a link reads no audit trail: not the deployment's, not another org's, not its own", async () => {
      // There is something to leak: the deployment's trail (the API key's creation, an
      // operator's password set) and the other org's (its user's creation).
      const { link: opLink } = await t.directory.operators.create('ops@example.com');
      const session = await t.directory.operators.setPassword(opLink.token, 'correct horse battery staple');
      const deployment = await t.api('GET', '/audit');
      assert.equal(deployment.statusCode, 200);
      assert.ok(deployment.json().data.length >= 2, deployment.body);
      const others = await t.api('GET', `/orgs/${other.orgId}/audit`);
      assert.equal(others.statusCode, 200);
      assert.ok(others.json().data.length >= 1, others.body);
      const cookie = `__Host-scimitar_session=${session.token}`;
      const asOperator = await t.app.inject({ method: 'GET', url: '/api/v1/audit', headers: { cookie } });
      assert.equal(asOperator.statusCode, 200, 'the cookie alone reads it');
      for (const path of [
        '/audit',
        '/audit?format=jsonl',
        `/orgs/${other.orgId}/audit`,
        `/orgs/${other.orgId}/audit?format=jsonl`,
        `/orgs/${other.orgId}/audit/export`,
        `/orgs/${t.orgId}/audit/export`,
      ]) {
        // The link alone, and the link beside an operator's session cookie (the bearer decides).
        for (const headers of [{}, { cookie }] as Record<string, string>[]) {
          const response = await t.api('GET', path, undefined, {
            authorization: `Bearer ${secret}`,
            ...headers,
          });
          assert.equal(response.statusCode, 403, `GET ${path}: ${response.body}`);
          assert.equal(response.json().code, 'forbidden');
          assert.ok(!response.body.includes('api_key.create'), 'no entry leaks');
        }
      }
    });

    test('the wizard: pick an IdP, read its guide with its sources, make a token shown once', async () => {
      const start = await page('GET', `/setup/${secret}`);
      assert.equal(start.statusCode, 200);
      assert.match(String(start.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.equal(start.headers['referrer-policy'], 'no-referrer');
      for (const guide of IDP_GUIDES) assert.ok(start.body.includes(guide.name), guide.name);
      assert.match(start.body, /Acme Corp/);

      const bad = await page('POST', `/setup/${secret}/idp`, { idp: 'nonsense' });
      assert.equal(bad.statusCode, 400);
      const picked = await page('POST', `/setup/${secret}/idp`, { idp: 'entra' });
      assert.equal(picked.statusCode, 303);
      assert.equal(picked.headers.location, `/setup/${secret}/sso/entra`);
      assert.equal((await t.directory.orgs.get(t.orgId))?.idpProfile, 'entra');

      for (const guide of IDP_GUIDES) {
        const step = await page('GET', `/setup/${secret}/scim/${guide.id}`);
        assert.equal(step.statusCode, 200, guide.id);
        assert.ok(step.body.includes(`https://scim.test/scim/v2/${t.orgId}`), 'the base URL');
        assert.ok(
          step.body.includes(`<!-- Instructions for ${guide.name} written from: ${guide.sources[0]}`),
          'cited in the source',
        );
        assert.match(step.body, /hx-get="\/setup\/setup_[^"]+\/status"/);
      }
      const entra = await page('GET', `/setup/${secret}/scim/entra`);
      for (const label of ['Tenant URL', 'Secret Token', 'Test Connection', 'Provisioning Mode'])
        assert.ok(entra.body.includes(label), label);

      const tokensBefore = (await t.api('GET', `/orgs/${t.orgId}/scim/tokens`)).json().data.length;
      const made = await page('POST', `/setup/${secret}/scim/entra/token`);
      assert.equal(made.statusCode, 303, 'post/redirect/get');
      const location = String(made.headers.location);
      assert.match(
        location,
        /^\/setup\/setup_[A-Za-z0-9_-]{43}\/scim\/entra\?shown=[A-Za-z0-9_-]{22}#token-heading$/,
      );
      assert.doesNotMatch(location, /scim_/, 'the URL names the flash, never the token');
      const shownUrl = location.split('#')[0] ?? '';
      const shown = await page('GET', shownUrl);
      assert.equal(shown.statusCode, 200);
      const token = /<code id="new-token">(scim_[A-Za-z0-9_-]{43})<\/code>/.exec(shown.body)?.[1];
      assert.ok(token, 'the token is shown');
      assert.equal(shown.headers['cache-control'], 'no-store');
      const reloaded = await page('GET', shownUrl);
      assert.equal(reloaded.statusCode, 200);
      assert.ok(!reloaded.body.includes(token), 'a reload does not show it again');
      assert.doesNotMatch(reloaded.body, /<code id="new-token">/, 'nor another token');
      assert.match(reloaded.body, /shown only once, and\s+reloading the page made no new one/);
      const again = await page('GET', `/setup/${secret}/scim/entra`);
      assert.ok(!again.body.includes(token), 'shown only once');
      const tokens = (await t.api('GET', `/orgs/${t.orgId}/scim/tokens`)).json().data;
      assert.equal(tokens.length, tokensBefore + 1, 'one token made, however often the page loads');
      const stored = await t.directory.database.db
        .selectFrom('setup_link_flashes')
        .select('sealed')
        .execute();
      assert.ok(
        stored.every((f) => !f.sealed.includes(token)),
        'sealed at rest',
      );

      // A flash is its link's: another link of the same org cannot take it.
      const second = (await t.api('POST', `/orgs/${t.orgId}/setup-links`, {})).json().url.split('/').pop();
      const other = await page('POST', `/setup/${secret}/scim/okta/token`);
      const otherUrl = String(other.headers.location).split('#')[0] ?? '';
      const stolen = await page('GET', otherUrl.replace(secret, second));
      assert.doesNotMatch(stolen.body, /<code id="new-token">/);
      assert.match(
        (await page('GET', otherUrl)).body,
        /<code id="new-token">scim_/,
        'its own link still can',
      );

      const waiting = await page('GET', `/setup/${secret}/status`);
      assert.match(waiting.body, /Waiting for your IdP/);
      const scim = await t.as({ orgId: t.orgId, token })('GET', 'Users?filter=userName%20eq%20%22nobody%22');
      assert.equal(scim.statusCode, 200);
      await t.as({ orgId: t.orgId, token })('POST', 'Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'ada@acme.example',
      });
      const connected = await page('GET', `/setup/${secret}/status`);
      assert.match(connected.body, /Connected/);
      assert.match(connected.body, /ada@acme\.example/);
      for (const url of [`/setup/${secret}`, `/setup/${secret}/scim/entra`, `/setup/${secret}/status`]) {
        const body = (await page('GET', url)).body;
        assert.ok(
          !body.includes('secret.person') && !body.includes('Other Corp') && !body.includes('sk_'),
          url,
        );
      }
    });

    test('revoked, expired and malformed links get a clear page, and the API refuses them', async () => {
      for (const url of [
        '/setup/not-a-link',
        '/setup/setup_short',
        `/setup/${secret}x`,
        '/setup/%E0%A4%A',
        '/setup/',
      ]) {
        const response = await page('GET', url);
        assert.ok(
          response.statusCode === 404 || response.statusCode === 400,
          `${url}: ${response.statusCode}`,
        );
        assert.match(String(response.headers['content-type']), /^text\/html/);
        assert.doesNotMatch(response.body, /at .*\.ts:\d+/);
      }
      assert.equal((await page('GET', '/setup/not-a-link')).statusCode, 404);
      assert.match((await page('GET', '/setup/not-a-link')).body, /does not work/);

      const short = await t.api('POST', `/orgs/${t.orgId}/setup-links`, { expiresInSeconds: 60 });
      const shortSecret = short.json().url.split('/').pop();
      assert.equal((await page('GET', `/setup/${shortSecret}`)).statusCode, 200);
      await t.directory.database.db
        .updateTable('setup_links')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('id', '=', short.json().id)
        .execute();
      assert.equal((await page('GET', `/setup/${shortSecret}`)).statusCode, 404);

      assert.equal(
        (await t.api('POST', `/orgs/${t.orgId}/setup-links`, { expiresInSeconds: 10 })).statusCode,
        400,
      );
      const revoked = await t.api('DELETE', `/orgs/${t.orgId}/setup-links/${linkId}`);
      assert.equal(revoked.statusCode, 204);
      assert.equal((await t.api('DELETE', `/orgs/${t.orgId}/setup-links/${linkId}`)).statusCode, 404);
      const gone = await page('GET', `/setup/${secret}`);
      assert.equal(gone.statusCode, 404);
      assert.match(gone.body, /expired, it was revoked, or it was not copied whole/);
      assert.equal((await withLink('GET', '/setup-link')).statusCode, 401);
      const status = await page('GET', `/setup/${secret}/status`);
      assert.equal(status.statusCode, 286, 'htmx stops polling');
      assert.match(status.body, /no longer works/);
    });

    test('CLI: setup-links create prints a working link; list; revoke', async () => {
      const created = await cliIn(t.env.DATABASE_URL ?? '', [
        'setup-links',
        'create',
        t.orgId,
        '--days',
        '2',
      ]);
      assert.equal(created.code, 0, created.err);
      const url = /https:\/\/scim\.example\.com\/setup\/(setup_\S+)/.exec(created.out);
      assert.ok(url?.[1], created.out);
      assert.equal((await page('GET', `/setup/${url[1]}`)).statusCode, 200);
      const bad = await cliIn(t.env.DATABASE_URL ?? '', ['setup-links', 'create', 'no-such-org']);
      assert.notEqual(bad.code, 0);
      const list = await cliJsonIn(t.env.DATABASE_URL ?? '', ['setup-links', 'list', t.orgId]);
      const live = list.find(
        (l: { revokedAt: string | null; expiresAt: string }) =>
          !l.revokedAt && Date.parse(l.expiresAt) > Date.now() + 86400_000,
      );
      const revoked = await cliIn(t.env.DATABASE_URL ?? '', ['setup-links', 'revoke', t.orgId, live.id]);
      assert.equal(revoked.code, 0, revoked.err);
      assert.equal((await page('GET', `/setup/${url[1]}`)).statusCode, 404);
    });

    test("an org's status counts what its IdP did", async () => {
      const status = (await t.api('GET', `/orgs/${t.orgId}/status`)).json();
      assert.equal(status.connected, true);
      assert.ok(status.users >= 1);
      const fresh = (await t.api('GET', `/orgs/${other.orgId}/status`)).json();
      assert.equal(fresh.users, 1);
      assert.equal(fresh.heldDeprovisionings, 0);
      assert.equal((await t.api('GET', '/orgs/no-such/status')).statusCode, 404);
    });
  });
}
