/**
 * The console's single sign-on pages and operators' SSO sign-in, over inject() on both dialects
 * (console/sso.ts, console/operator-sso.ts, docs/console.md): an org's connections (SAML draft →
 * metadata, OIDC), field-level errors that change nothing, settings, a test sign-in through a
 * real oidc-provider process, delete; email domains; the org list's SSO badge. Operators sign in
 * through the OPERATOR_SSO_ORG's connection, matched by verified email: an unknown email is
 * refused unless OPERATOR_SSO_CREATE, an unverified one always; the sign-in is bound to the
 * browser that started it and taken once; an app sign-in's attempt never signs an operator in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { DEPLOYMENT_TRAIL } from '../../src/directory/audit.ts';
import { cliActor } from '../../src/directory/deps.ts';
import { type ApiTestApp, startApiTestApp } from '../helpers/api.ts';
import { dialects } from '../helpers/dialects.ts';
import { IDP_A, IDP_ENTITY_ID, idpMetadata } from '../helpers/saml-idp.ts';
import { startUpstreamIdp, throughIdp, type UpstreamIdp } from '../helpers/upstream-oidc-idp.ts';

const PASSWORD = 'correct horse battery staple';
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

function cookiesOf(res: LightMyRequestResponse): string[] {
  const set = res.headers['set-cookie'];
  const list = set === undefined ? [] : Array.isArray(set) ? set : [String(set)];
  return list.map((c) => c.split(';')[0] as string).filter((c) => !c.endsWith('='));
}

for (const dialect of dialects) {
  describe(`console: single sign-on (${dialect})`, () => {
    let t: ApiTestApp;
    let idp: UpstreamIdp;
    let cookie = '';
    let csrf = '';
    const opsOrg = 'ops';

    const post = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
      t.app.inject({
        method: 'POST',
        url,
        payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
      });
    const get = (url: string, c = cookie) => t.app.inject({ method: 'GET', url, headers: { cookie: c } });

    before(async () => {
      idp = await startUpstreamIdp(`${PUBLIC_URL}/sso/oidc/callback`);
      t = await startApiTestApp(dialect, {
        PUBLIC_URL,
        SSO_ALLOW_PRIVATE: 'true',
        OPERATOR_SSO_ORG: opsOrg,
      });
      const { link } = await t.directory.operators.create('ops@example.com');
      const session = await t.directory.operators.setPassword(link.token, PASSWORD);
      cookie = `__Host-scimitar_session=${session.token}`;
      csrf = session.csrf;
      await t.directory.orgs.create('Ops', { id: opsOrg });
      await t.directory.sso.create(cliActor(opsOrg), {
        protocol: 'oidc',
        oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
      });
    });
    after(async () => {
      await t?.close();
      await idp?.stop();
    });

    test('connections: SAML draft then metadata, OIDC, errors at the field, settings, test, delete', async () => {
      const base = `/console/orgs/${t.orgId}/sso`;
      const empty = await get(base);
      assert.equal(empty.statusCode, 200);
      assert.match(empty.body, /None yet/);
      assert.match((await get('/console')).body, /No SSO/);
      assert.match((await get(`/console/orgs/${t.orgId}`)).body, /Manage single sign-on/);

      // SAML: a draft with the values to paste, then the metadata.
      const made = await post(`${base}/saml`, { preset: 'okta', name: 'Okta SAML' });
      assert.equal(made.statusCode, 303, made.body);
      const page = String(made.headers.location);
      const id = page.split('/').pop() ?? '';
      const draft = await get(page);
      assert.ok(draft.body.includes(`${PUBLIC_URL}/sso/saml/${id}/acs`), 'ACS URL');
      assert.ok(draft.body.includes(`href="${PUBLIC_URL}/sso/saml/${id}/metadata"`), 'SP metadata link');
      assert.match(draft.body, /waiting for IdP metadata/);
      for (const [form, field] of [
        [{ metadataUrl: 'nope' }, 'metadataUrl'],
        [{ metadataXml: '<x/>' }, 'metadataXml'],
        [{}, 'metadataUrl'],
      ] as const) {
        const res = await post(`${page}/idp`, form);
        assert.equal(res.statusCode, 400, JSON.stringify(form));
        assert.match(res.body, new RegExp(`id="${field}-error"`));
      }
      assert.equal((await t.directory.sso.get(t.orgId, id)).enabled, false, 'nothing half-written');
      const imported = await post(`${page}/idp`, { metadataXml: idpMetadata([IDP_A.cert]) });
      assert.equal(imported.statusCode, 200, imported.body);
      assert.match(imported.body, /Metadata imported/);
      assert.equal((await t.directory.sso.get(t.orgId, id)).saml?.idpEntityId, IDP_ENTITY_ID);
      assert.match((await get('/console')).body, /SSO on/);

      // Settings: off, JIT, match key; a name too long is a field error.
      const long = await post(`${page}/settings`, { name: 'x'.repeat(201), matchBy: 'email' });
      assert.equal(long.statusCode, 400);
      assert.match(long.body, /id="name"[^>]*aria-invalid="true"/);
      const off = await post(`${page}/settings`, { name: 'Okta', matchBy: 'userName', jit: 'true' });
      assert.equal(off.statusCode, 200);
      const changed = await t.directory.sso.get(t.orgId, id);
      assert.deepEqual(
        [changed.name, changed.enabled, changed.jit, changed.matchBy],
        ['Okta', false, true, 'userName'],
      );
      // The CSRF token is checked on every form.
      const forged = await post(`${page}/delete`, { _csrf: 'forged' });
      assert.equal(forged.statusCode, 403);

      // OIDC: field errors, then a connection and a test sign-in through the real IdP.
      const bad = await post(`${base}/oidc`, {
        preset: 'entra',
        issuer: 'ftp://x',
        clientId: 'c',
        clientSecret: 's',
      });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /id="issuer-error">[^<]*must be http/);
      const oidc = await post(`${base}/oidc`, {
        preset: 'entra',
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
      });
      assert.equal(oidc.statusCode, 303, oidc.body);
      const oidcPage = String(oidc.headers.location);
      await idp.setUser({ sub: 'e-1', email: 'eve@acme.example', email_verified: true, family_name: 'Eve' });
      const test = await post(`${oidcPage}/test`, {});
      const bind = cookiesOf(test);
      const begin = await get(onward(test), bind.join('; '));
      const back = await throughIdp(String(begin.headers.location), PUBLIC_URL);
      const callback = await get(`${back.pathname}${back.search}`, [...bind, ...cookiesOf(begin)].join('; '));
      assert.equal(callback.statusCode, 303, callback.body);
      assert.match(String(callback.headers.location), /^\/console\/sso-tested\//);
      const hop = await get(String(callback.headers.location), '');
      assert.match(String(hop.headers.refresh), /^0;url=\/console\/orgs\/.+\?attempt=sia_/);
      const shown = await get(String(hop.headers.refresh).slice('0;url='.length));
      assert.match(shown.body, /The test sign-in worked/);
      assert.match(shown.body, /eve@acme\.example/);
      assert.equal((await t.api('GET', `/orgs/${t.orgId}/users`)).json().data.length, 0);

      const deleted = await post(`${oidcPage}/delete`, {});
      assert.equal(deleted.statusCode, 200);
      assert.match(deleted.body, /Connection deleted/);
      assert.equal((await t.directory.sso.list(t.orgId)).length, 1);
    });

    test('email domains: add, refuse bad ones at the field, verify says why not, remove', async () => {
      const base = `/console/orgs/${t.orgId}/sso`;
      for (const domain of ['', 'not a domain']) {
        const res = await post(`${base}/domains`, { domain });
        assert.equal(res.statusCode, 400, domain);
        assert.match(res.body, /id="domain-error"/);
      }
      const added = await post(`${base}/domains`, { domain: 'Acme.Example' });
      assert.equal(added.statusCode, 200);
      assert.match(added.body, /_scimitar\.acme\.example/);
      const taken = await t.directory.orgs.create('Rival');
      await t.directory.sso.addDomain(cliActor(taken.org.id), { domain: 'rival.example' });
      const clash = await post(`${base}/domains`, { domain: 'rival.example' });
      assert.equal(clash.statusCode, 400);
      assert.match(clash.body, /id="domain-error"/);
      const verify = await post(`${base}/domains/acme.example/verify`, {});
      assert.equal(verify.statusCode, 400);
      const removed = await post(`${base}/domains/acme.example/remove`, {});
      assert.equal(removed.statusCode, 200);
      assert.equal((await t.directory.sso.listDomains(t.orgId)).length, 0);
    });

    /** An operator's SSO sign-in in a fresh browser, as `claims`; the final answer. */
    async function operatorSignIn(
      claims: Record<string, unknown> & { sub: string },
      tamper?: (c: string[]) => string[],
    ) {
      await idp.setUser(claims);
      const start = await t.app.inject({
        method: 'POST',
        url: '/console/sign-in/sso',
        payload: 'next=%2Fconsole%2Fapi-keys',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      const jar = cookiesOf(start);
      const begin = await get(onward(start), jar.join('; '));
      const back = await throughIdp(String(begin.headers.location), PUBLIC_URL);
      const callback = await get(`${back.pathname}${back.search}`, [...jar, ...cookiesOf(begin)].join('; '));
      assert.equal(callback.statusCode, 303, callback.body);
      assert.match(String(callback.headers.location), /^\/console\/sign-in\/sso\/done\?next=/);
      return get(String(callback.headers.location), (tamper ? tamper(jar) : jar).join('; '));
    }

    test('operators sign in through the ops org’s SSO, matched by verified email', async () => {
      const page = await get('/console/sign-in', '');
      assert.match(page.body, /Sign in with SSO/);

      const done = await operatorSignIn({ sub: 'op-1', email: 'OPS@example.com', email_verified: true });
      assert.equal(done.statusCode, 200, done.body);
      assert.equal(done.headers.refresh, '0;url=/console/api-keys');
      const session = cookiesOf(done).find((c) => c.startsWith('__Host-scimitar_session='));
      assert.ok(session, 'a session cookie');
      assert.match(
        String(done.headers['set-cookie']),
        /__Host-scimitar_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/,
      );
      assert.equal((await get('/console/api-keys', session)).statusCode, 200);

      const unknown = await operatorSignIn({
        sub: 'op-2',
        email: 'mallory@example.com',
        email_verified: true,
      });
      assert.equal(unknown.statusCode, 403);
      assert.match(unknown.body, /no operator mallory@example\.com/);
      const unverified = await operatorSignIn({
        sub: 'op-3',
        email: 'ops@example.com',
        email_verified: false,
      });
      assert.equal(unverified.statusCode, 403);
      assert.match(unverified.body, /no verified email/);
      // Another browser (no or a wrong binding cookie) cannot finish it.
      const stolen = await operatorSignIn(
        { sub: 'op-1', email: 'ops@example.com', email_verified: true },
        () => ['scimitar_operator_sso=someone-else'],
      );
      assert.equal(stolen.statusCode, 400);
      assert.equal(cookiesOf(stolen).filter((c) => c.includes('session')).length, 0);
      assert.equal(
        (await t.directory.operators.list()).length,
        1,
        'no operator made without OPERATOR_SSO_CREATE',
      );

      // An app sign-in's attempt, or a test, never signs an operator in.
      const app = await t.directory.signIns.start({ orgId: opsOrg, returnTo: '/x' });
      assert.equal(await t.directory.signIns.takeOperator(app.attemptId, app.browserSecret), null);
      const tested = await t.directory.signIns.start({ purpose: 'test', orgId: opsOrg, returnTo: '/x' });
      assert.equal(await t.directory.signIns.takeOperator(tested.attemptId, tested.browserSecret), null);
      // A setup link of the ops org cannot change the SSO that signs operators in.
      const link = (await t.api('POST', `/orgs/${opsOrg}/setup-links`, {})).json().url.split('/').pop();
      const [c] = await t.directory.sso.list(opsOrg);
      const patch = await t.api(
        'PATCH',
        `/orgs/${opsOrg}/sso/connections/${c?.id}`,
        { enabled: false },
        {
          authorization: `Bearer ${link}`,
        },
      );
      assert.equal(patch.statusCode, 403);
    });
  });
}

describe('operators made at their first SSO sign-in (OPERATOR_SSO_CREATE)', () => {
  test('an unknown verified email becomes an operator without a password', async () => {
    const idp = await startUpstreamIdp(`${PUBLIC_URL}/sso/oidc/callback`);
    const t = await startApiTestApp(dialects[0] ?? 'sqlite', {
      PUBLIC_URL,
      SSO_ALLOW_PRIVATE: 'true',
      OPERATOR_SSO_ORG: 'ops',
      OPERATOR_SSO_CREATE: 'true',
    });
    try {
      await t.directory.orgs.create('Ops', { id: 'ops' });
      await t.directory.sso.create(cliActor('ops'), {
        protocol: 'oidc',
        oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
      });
      await idp.setUser({ sub: 'n-1', email: 'new@example.com', email_verified: true });
      const start = await t.app.inject({
        method: 'POST',
        url: '/console/sign-in/sso',
        payload: '',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      const jar = cookiesOf(start);
      const begin = await t.app.inject({
        method: 'GET',
        url: onward(start),
        headers: { cookie: jar.join('; ') },
      });
      const back = await throughIdp(String(begin.headers.location), PUBLIC_URL);
      const callback = await t.app.inject({
        method: 'GET',
        url: `${back.pathname}${back.search}`,
        headers: { cookie: [...jar, ...cookiesOf(begin)].join('; ') },
      });
      const done = await t.app.inject({
        method: 'GET',
        url: String(callback.headers.location),
        headers: { cookie: jar.join('; ') },
      });
      assert.equal(done.statusCode, 200, done.body);
      const ops = await t.directory.operators.list();
      assert.deepEqual(
        ops.map((o) => [o.email, o.active]),
        [['new@example.com', false]],
      );
      // The deployment's trail records the operator it made, and by what.
      const trail = await t.directory.audit.page(
        DEPLOYMENT_TRAIL,
        { action: 'operator.create' },
        { limit: 10 },
      );
      assert.deepEqual(
        trail.items.map((e) => [e.resourceId, e.actorKind, e.tokenId, e.attributes]),
        [[ops[0]?.id, 'system', 'operator-sso', ['email']]],
      );
      assert.ok(trail.items[0]?.requestId, 'the sign-in request is named');
    } finally {
      await t.close();
      await idp.stop();
    }
  });
});
