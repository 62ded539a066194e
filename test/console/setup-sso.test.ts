/**
 * The setup wizard's SSO step on both dialects (console/setup-sso.ts, docs/console.md): each
 * IdP's guide with its sources; SAML started as a draft that gives the ACS URL and entity ID,
 * then the IdP's metadata; OIDC's issuer, client id and secret; bad metadata and URLs get
 * field-level messages and change nothing; "Test a sign-in" runs a real sign-in through the
 * connection (a SAML IdP that signs real assertions, a real oidc-provider process) and the page
 * shows what the IdP sent or why it was refused; no user is made. The link stays confined to
 * its org: another org's connection, deleting, domains are refused.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { SSO_GUIDES } from '../../src/console/idp-sso-guides.ts';
import { cliActor } from '../../src/directory/deps.ts';
import { type ApiTestApp, startApiTestApp } from '../helpers/api.ts';
import { dialects } from '../helpers/dialects.ts';
import {
  ASSERTION,
  ATTACKER,
  assertionXml,
  b64,
  IDP_A,
  IDP_ENTITY_ID,
  idpMetadata,
  requestIdOf,
  responseXml,
  sign,
} from '../helpers/saml-idp.ts';
import { startUpstreamIdp, throughIdp, type UpstreamIdp } from '../helpers/upstream-oidc-idp.ts';

const PUBLIC_URL = 'https://scim.test';

/**
 * Where a page that sends the browser on to the IdP points: a 200 page with a Refresh header, not
 * a redirect (the pages' CSP form-action would block a form's redirect chain to another origin).
 */
function onward(res: LightMyRequestResponse): string {
  assert.equal(res.statusCode, 200, res.body);
  const to = /^0;url=(\/sso\/begin\/sia_\S+)$/.exec(String(res.headers.refresh))?.[1];
  assert.ok(to, `a Refresh to /sso/begin: ${String(res.headers.refresh)}`);
  return to;
}

/** The cookies a response sets, as `name=value` for the next request's Cookie header. */
function cookiesOf(res: LightMyRequestResponse): string[] {
  const set = res.headers['set-cookie'];
  const list = set === undefined ? [] : Array.isArray(set) ? set : [String(set)];
  return list.map((c) => c.split(';')[0] as string).filter((c) => !c.endsWith('='));
}

for (const dialect of dialects) {
  describe(`setup wizard: single sign-on (${dialect})`, () => {
    let t: ApiTestApp;
    let idp: UpstreamIdp;
    let secret = '';
    let otherOrg = '';
    let otherConnection = '';
    let notFound: Server;
    let notFoundUrl = '';

    const page = (method: 'GET' | 'POST', url: string, form?: Record<string, string>, cookie?: string) =>
      t.app.inject({
        method,
        url,
        headers: {
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...(cookie ? { cookie } : {}),
        },
        ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
      });
    const withLink = (method: string, path: string, body?: unknown) =>
      t.api(method, path, body, { authorization: `Bearer ${secret}` });

    before(async () => {
      idp = await startUpstreamIdp(`${PUBLIC_URL}/sso/oidc/callback`);
      t = await startApiTestApp(dialect, { PUBLIC_URL, SSO_ALLOW_PRIVATE: 'true' });
      secret = (await t.api('POST', `/orgs/${t.orgId}/setup-links`, {})).json().url.split('/').pop();
      const other = await t.directory.orgs.create('Other Corp');
      otherOrg = other.org.id;
      otherConnection = (
        await t.directory.sso.create(cliActor(otherOrg), {
          protocol: 'saml',
          name: 'Other IdP',
          saml: { metadataXml: idpMetadata([IDP_A.cert]) },
        })
      ).id;
      notFound = createServer((_req, res) => res.writeHead(404).end('no'));
      await new Promise<void>((resolve) => notFound.listen(0, '127.0.0.1', resolve));
      notFoundUrl = `http://127.0.0.1:${(notFound.address() as { port: number }).port}/metadata`;
    });
    after(async () => {
      await t?.close();
      await idp?.stop();
      notFound?.close();
    });

    test("each IdP's SSO guide, cited in the page's source", async () => {
      for (const guide of SSO_GUIDES) {
        for (const protocol of guide.protocols) {
          const res = await page('GET', `/setup/${secret}/sso/${guide.id}?protocol=${protocol}`);
          assert.equal(res.statusCode, 200, `${guide.id} ${protocol}`);
          assert.ok(res.body.includes(`written from: ${guide.sources[0]}`), `${guide.id} cites its sources`);
          assert.match(res.headers['content-security-policy'] as string, /frame-ancestors 'none'/);
          if (protocol === 'oidc') {
            assert.ok(res.body.includes(`${PUBLIC_URL}/sso/oidc/callback`), 'the redirect URI to paste');
            assert.ok(res.body.includes((guide.oidc?.fields[0] ?? [''])[0].replace(/'/g, '&#39;')));
          } else assert.match(res.body, /Start SAML setup/);
        }
      }
      // An unknown IdP goes back to the choice; a dead link gets the dead-link page.
      assert.equal((await page('GET', `/setup/${secret}/sso/nonsense`)).statusCode, 303);
      const dead = await page('GET', '/setup/setup_nope/sso/okta');
      assert.equal(dead.statusCode, 404);
      assert.match(dead.body, /This setup link does not work/);
    });

    test('SAML: the values to paste, bad metadata refused field by field, then a test sign-in', async () => {
      const started = await page('POST', `/setup/${secret}/sso/okta/saml/start`);
      assert.equal(started.statusCode, 303);
      // Starting twice makes one draft.
      await page('POST', `/setup/${secret}/sso/okta/saml/start`);
      const drafts = await t.directory.sso.list(t.orgId);
      assert.equal(drafts.length, 1);
      const draft = drafts[0];
      assert.ok(draft);
      assert.equal(draft.enabled, false);
      const acs = `${PUBLIC_URL}/sso/saml/${draft.id}/acs`;
      const sp = `${PUBLIC_URL}/sso/saml/${draft.id}`;
      const shown = await page('GET', `/setup/${secret}/sso/okta?protocol=saml`);
      assert.ok(shown.body.includes(`<code>${acs}</code>`), 'the ACS URL');
      assert.ok(shown.body.includes(`<code>${sp}</code>`), 'the entity ID');
      assert.match(shown.body, /Audience URI \(SP Entity ID\)/);
      assert.doesNotMatch(shown.body, /Test a sign-in<\/button>/, 'no test before the metadata');
      // The draft cannot sign anyone in.
      await assert.rejects(t.directory.signIns.start({ orgId: t.orgId, returnTo: '/x' }), /no enabled SSO/);

      const bad: [Record<string, string>, string, RegExp][] = [
        [{}, 'metadataUrl', /metadata URL here/],
        [{ metadataUrl: 'https://a.example/m', metadataXml: '<x/>' }, 'metadataUrl', /not both/],
        [{ metadataUrl: 'not a url' }, 'metadataUrl', /is not a URL/],
        [{ metadataUrl: 'ftp://idp.example/m' }, 'metadataUrl', /is not a URL/],
        [{ metadataUrl: notFoundUrl }, 'metadataUrl', /answered 404/],
        [{ metadataXml: 'hello' }, 'metadataXml', /This is not XML/],
        [{ metadataXml: '<x/>' }, 'metadataXml', /no EntityDescriptor/],
        [{ metadataXml: '<a><b>' }, 'metadataXml', /not well-formed/],
        [{ metadataXml: '<!DOCTYPE x [<!ENTITY e "e">]><x/>' }, 'metadataXml', /DOCTYPE/],
      ];
      for (const [form, field, message] of bad) {
        const res = await page('POST', `/setup/${secret}/sso/okta/saml`, form);
        assert.equal(res.statusCode, 400, JSON.stringify(form));
        assert.match(
          res.body,
          new RegExp(`id="${field}"[^>]*aria-invalid="true" aria-describedby="${field}-error"`),
        );
        const error =
          new RegExp(`<p class="field-error" id="${field}-error">([^<]*)</p>`).exec(res.body)?.[1] ?? '';
        assert.match(error.replace(/&#39;/g, "'"), message, JSON.stringify(form));
      }
      const big = await page('POST', `/setup/${secret}/sso/okta/saml`, {
        metadataXml: `<x>${'a'.repeat(1_100_000)}</x>`,
      });
      assert.equal(big.statusCode, 413);
      const still = await t.directory.sso.get(t.orgId, draft.id);
      assert.equal(still.enabled, false, 'nothing half-written');
      assert.deepEqual(still.saml?.idpCertificates, []);

      const saved = await page('POST', `/setup/${secret}/sso/okta/saml`, {
        metadataXml: idpMetadata([IDP_A.cert]),
      });
      assert.equal(saved.statusCode, 200, saved.body);
      assert.match(saved.body, /metadata is imported/);
      assert.match(saved.body, /Test a sign-in<\/button>/);
      const connection = await t.directory.sso.get(t.orgId, draft.id);
      assert.equal(connection.enabled, true);
      assert.equal(connection.saml?.idpEntityId, IDP_ENTITY_ID);

      /** The browser's trip: test → /sso/begin → the IdP (`answer`) → the ACS → back to the page. */
      async function trip(answer: (requestId: string) => string) {
        const test = await page('POST', `/setup/${secret}/sso/okta/test`, { protocol: 'saml' });
        const toBegin = onward(test);
        const cookies = cookiesOf(test);
        assert.ok(cookies.some((c) => c.startsWith('scimitar_sso_bind=')));
        assert.match(
          String(test.headers['set-cookie']),
          /scimitar_setup_sso=[^;]+; Path=\/setup; Max-Age=600; HttpOnly; SameSite=Lax; Secure/,
        );
        const begin = await page('GET', toBegin, undefined, cookies.join('; '));
        assert.equal(begin.statusCode, 303, begin.body);
        const requestId = requestIdOf(String(begin.headers.location));
        const acsPost = await t.app.inject({
          method: 'POST',
          url: `/sso/saml/${draft?.id}/acs`,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            cookie: [...cookies, ...cookiesOf(begin)].join('; '),
          },
          payload: `SAMLResponse=${encodeURIComponent(b64(answer(requestId)))}`,
        });
        assert.equal(acsPost.statusCode, 303, acsPost.body);
        assert.match(String(acsPost.headers.location), /^\/setup\/sso-return\?attempt=sia_/);
        const back = await page('GET', String(acsPost.headers.location), undefined, cookies.join('; '));
        assert.equal(back.statusCode, 303);
        assert.match(String(back.headers.location), new RegExp(`^/setup/${secret}/sso/okta\\?attempt=sia_`));
        return page('GET', String(back.headers.location));
      }
      const signed = (requestId: string, signer = IDP_A) =>
        responseXml(
          sign(
            assertionXml({
              requestId,
              audience: sp,
              recipient: acs,
              nameId: 'ada@acme.example',
              attributes: {
                email: 'ada@acme.example',
                firstName: 'Ada',
                lastName: 'Lovelace',
                department: 'R&amp;D',
              },
            }),
            ASSERTION,
            signer,
          ),
          { requestId, recipient: acs },
        );
      const ok = await trip((id) => signed(id));
      assert.equal(ok.statusCode, 200);
      assert.match(ok.body, /The test sign-in worked/);
      assert.match(ok.body, /<dt>givenName<\/dt><dd><code>Ada<\/code>/);
      assert.match(ok.body, /<td><code>department<\/code><\/td><td>R&amp;D<\/td>/);
      const users = await t.api('GET', `/orgs/${t.orgId}/users`);
      assert.equal(users.json().data.length, 0, 'a test makes no user');

      const refused = await trip((id) => signed(id, ATTACKER));
      assert.match(refused.body, /The test sign-in failed/);
      assert.match(refused.body, /answer was refused/);

      // The return page without its cookie says so, never a stack trace.
      const lost = await page('GET', '/setup/sso-return?attempt=sia_x');
      assert.equal(lost.statusCode, 400);
      assert.match(lost.body, /no test sign-in in progress/);
    });

    test("the page names the connection it sets up; the org's others can be opened instead", async () => {
      const [okta] = await t.directory.sso.list(t.orgId);
      assert.ok(okta);
      const sets = (body: string, name: string) =>
        body.includes(`This page sets up the connection <strong>${name}</strong>`);
      // Entra ID has no SAML connection yet: the page offers a new one, and names Okta's.
      const entra = await page('GET', `/setup/${secret}/sso/entra?protocol=saml`);
      assert.match(entra.body, /Start SAML setup/);
      assert.ok(!entra.body.includes('This page sets up'), entra.body);
      assert.match(entra.body, / has this SAML 2.0 connection:/);
      assert.ok(entra.body.includes(`?protocol=saml&amp;connection=${okta.id}">Okta SAML</a>`));
      // Opened by its link, the page sets up Okta's connection.
      const opened = await page('GET', `/setup/${secret}/sso/entra?protocol=saml&connection=${okta.id}`);
      assert.ok(sets(opened.body, 'Okta SAML'));
      assert.ok(opened.body.includes(`<code>${PUBLIC_URL}/sso/saml/${okta.id}/acs</code>`));
      assert.ok(opened.body.includes(`/sso/entra/saml?connection=${okta.id}"`), "the form saves Okta's");
      // A new one for Entra ID: the page sets it up, and names Okta's as the other.
      const started = await page('POST', `/setup/${secret}/sso/entra/saml/start`);
      assert.equal(started.statusCode, 303);
      const entraDraft = (await t.directory.sso.list(t.orgId)).find((c) => c.preset === 'entra');
      assert.ok(entraDraft);
      assert.equal(
        started.headers.location,
        `/setup/${secret}/sso/entra?protocol=saml&connection=${entraDraft.id}`,
      );
      const drafted = await page('GET', String(started.headers.location));
      assert.ok(sets(drafted.body, 'Microsoft Entra ID SAML'));
      assert.match(drafted.body, / also has this SAML 2.0 connection:/);
      // A refused save stays on the connection it was for.
      const refused = await page('POST', `/setup/${secret}/sso/entra/saml?connection=${okta.id}`, {
        metadataXml: '<a><b>',
      });
      assert.equal(refused.statusCode, 400);
      assert.ok(sets(refused.body, 'Okta SAML'));
      // Another org's connection is never opened: the page shows this org's own.
      const foreign = await page(
        'GET',
        `/setup/${secret}/sso/okta?protocol=saml&connection=${otherConnection}`,
      );
      assert.equal(foreign.statusCode, 200);
      assert.ok(!foreign.body.includes(otherConnection) && !foreign.body.includes('Other IdP'));
      assert.ok(sets(foreign.body, 'Okta SAML'));
      await t.directory.sso.delete(cliActor(t.orgId), entraDraft.id);
    });

    test('OIDC: bad settings refused field by field, then a test sign-in through the IdP', async () => {
      const bad: [Record<string, string>, string, RegExp][] = [
        [{ issuer: '', clientId: 'c', clientSecret: 's' }, 'issuer', /issuer URL/],
        [{ issuer: 'nope', clientId: 'c', clientSecret: 's' }, 'issuer', /is not a URL/],
        [{ issuer: 'ftp://idp.example', clientId: 'c', clientSecret: 's' }, 'issuer', /must be http/],
        [{ issuer: idp.issuer, clientId: '', clientSecret: 's' }, 'clientId', /client ID/],
        [{ issuer: idp.issuer, clientId: 'c', clientSecret: '' }, 'clientSecret', /client secret/],
        [
          { issuer: idp.issuer, clientId: 'c'.repeat(501), clientSecret: 's' },
          'clientId',
          /must NOT have more than 500/,
        ],
      ];
      for (const [form, field, message] of bad) {
        const res = await page('POST', `/setup/${secret}/sso/entra/oidc`, form);
        assert.equal(res.statusCode, 400, JSON.stringify(form));
        const error =
          new RegExp(`<p class="field-error" id="${field}-error">([^<]*)</p>`).exec(res.body)?.[1] ?? '';
        assert.match(error.replace(/&#39;/g, "'"), message, `${JSON.stringify(form)}: ${error}`);
      }
      assert.equal((await t.directory.sso.list(t.orgId)).filter((c) => c.protocol === 'oidc').length, 0);

      const saved = await page('POST', `/setup/${secret}/sso/entra/oidc`, {
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
      });
      assert.equal(saved.statusCode, 200, saved.body);
      assert.ok(!saved.body.includes(idp.clientSecret), 'the secret is never shown');
      assert.match(saved.body, /A secret is stored/);

      await idp.setUser({
        sub: 'entra-grace',
        email: 'grace@contoso.example',
        email_verified: true,
        given_name: 'Grace',
      });
      const test = await page('POST', `/setup/${secret}/sso/entra/test`, { protocol: 'oidc' });
      const cookies = cookiesOf(test);
      const begin = await page('GET', onward(test), undefined, cookies.join('; '));
      assert.equal(begin.statusCode, 303, begin.body);
      const back = await throughIdp(String(begin.headers.location), PUBLIC_URL);
      const callback = await page(
        'GET',
        `${back.pathname}${back.search}`,
        undefined,
        [...cookies, ...cookiesOf(begin)].join('; '),
      );
      assert.equal(callback.statusCode, 303, callback.body);
      const again = await page('GET', String(callback.headers.location), undefined, cookies.join('; '));
      const result = await page('GET', String(again.headers.location));
      assert.match(result.body, /The test sign-in worked/);
      assert.match(result.body, /grace@contoso\.example/);
      assert.match(result.body, /<code>entra-grace<\/code>/);
      assert.ok(!result.body.includes('Other Corp'));
    });

    test("the link stays confined to its org's SSO", async () => {
      for (const [method, path, body] of [
        ['GET', `/orgs/${otherOrg}/sso/connections`, undefined],
        ['PATCH', `/orgs/${otherOrg}/sso/connections/${otherConnection}`, { enabled: false }],
        ['POST', `/orgs/${otherOrg}/sso/connections/${otherConnection}/tests`, { returnTo: '/x' }],
        ['DELETE', `/orgs/${t.orgId}/sso/connections/${otherConnection}`, undefined],
        ['POST', `/orgs/${t.orgId}/sso/domains`, { domain: 'contoso.example' }],
        ['GET', `/orgs/${t.orgId}/sso/domains`, undefined],
      ] as const) {
        const res = await withLink(method, path, body);
        assert.equal(res.statusCode, 403, `${method} ${path}: ${res.body}`);
      }
      // Its own org's connection by another org's id: not found.
      const res = await withLink('POST', `/orgs/${t.orgId}/sso/connections/${otherConnection}/tests`, {
        returnTo: '/x',
      });
      assert.equal(res.statusCode, 404);
      // A test result of another org is not found, even by its attempt id.
      const foreign = await t.directory.signIns.start({ purpose: 'test', orgId: otherOrg, returnTo: '/x' });
      const read = await withLink('GET', `/orgs/${t.orgId}/sso/tests/${foreign.attemptId}`);
      assert.equal(read.statusCode, 404);
      // An app sign-in cannot take a test attempt.
      assert.equal(await t.directory.signIns.take(foreign.attemptId), null);
    });
  });
}
