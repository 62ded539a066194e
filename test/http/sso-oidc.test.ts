/**
 * OIDC sign-in with an org's IdP (src/sso/, docs/sso.md), end to end on each database: a sign-in
 * attempt started as the service's provider starts it, the browser's trip through /sso/begin, a
 * real upstream oidc-provider in its own process and back through /sso/oidc/callback. Refused:
 * a state mismatch, a nonce mismatch, a code issued without PKCE, another browser's callback,
 * a replayed callback, users the org has not provisioned (SCIM required) or deactivated. JIT
 * creates the user once. The SSO cookie is HttpOnly, SameSite=Lax, Secure under https, Path=/sso.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliActor } from '../../src/directory/deps.ts';
import { startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import { beginSso } from '../helpers/sso-begin.ts';
import { startUpstreamIdp, throughIdp, type UpstreamIdp } from '../helpers/upstream-oidc-idp.ts';

const PUBLIC_URL = 'https://scim.test';

for (const dialect of dialects) {
  describe(`OIDC sign-in with the org's IdP (${dialect})`, () => {
    let t: TestApp;
    let idp: UpstreamIdp;
    let connectionId: string;

    before(async () => {
      idp = await startUpstreamIdp(`${PUBLIC_URL}/sso/oidc/callback`);
      t = await startTestApp(dialect, { PUBLIC_URL, SSO_ALLOW_PRIVATE: 'true' });
      const c = await t.directory.sso.create(cliActor(t.orgId), {
        protocol: 'oidc',
        preset: 'okta',
        oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
      });
      connectionId = c.id;
      await t.directory.sso.addDomain(cliActor(t.orgId), { domain: 'acme.example' });
    });
    after(async () => {
      await t?.close();
      await idp?.stop();
    });

    /** start (as the provider does, binding the browser) and /sso/begin: the IdP URL, the SSO cookie. */
    async function begin(email = 'ada@acme.example') {
      const begun = await beginSso(t, email);
      return { ...begun, authUrl: begun.location };
    }
    const callback = (url: URL, cookie: string) =>
      t.app.inject({ method: 'GET', url: `${url.pathname}${url.search}`, headers: { cookie } });

    test('sign-in: PKCE S256, state and nonce sent; the attempt completes with the SCIM-provisioned user', async () => {
      const ada = (
        await t.request(
          'POST',
          'Users',
          user('ada@acme.example', { emails: [{ value: 'ada@acme.example' }] }),
        )
      ).json().id;
      await idp.setUser({
        sub: 'okta-ada',
        email: 'ada@acme.example',
        email_verified: true,
        given_name: 'Ada',
      });
      const b = await begin();
      const auth = new URL(b.authUrl);
      assert.equal(auth.origin, idp.issuer);
      assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
      assert.ok(auth.searchParams.get('code_challenge'));
      assert.ok(auth.searchParams.get('state'));
      assert.ok(auth.searchParams.get('nonce'));
      assert.equal(auth.searchParams.get('redirect_uri'), `${PUBLIC_URL}/sso/oidc/callback`);
      assert.match(
        b.setCookie,
        /^scimitar_sso=sia_[^;]+; Path=\/sso; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/,
      );
      const back = await throughIdp(b.authUrl, PUBLIC_URL);
      const done = await callback(back, b.cookie);
      assert.equal(done.statusCode, 303, done.body);
      assert.equal(done.headers.location, `/oidc/interaction/x/resume?attempt=${b.attemptId}`);
      assert.match(
        String(done.headers['set-cookie']),
        /^scimitar_sso=; Path=\/sso; Max-Age=0; HttpOnly; SameSite=Lax; Secure$/,
      );
      const taken = await t.directory.signIns.take(b.attemptId);
      assert.equal(taken?.userId, ada);
      assert.equal(taken?.connectionId, connectionId);
      assert.equal(taken?.claims.givenName, 'Ada');
      // The callback once only.
      assert.equal((await callback(back, b.cookie)).statusCode, 400);
    });

    test('a sign-in link opened in another browser (no or a wrong binding cookie) is refused at begin', async () => {
      const { redirectTo } = await t.directory.signIns.start({ email: 'ada@acme.example', returnTo: '/r' });
      for (const cookie of [undefined, 'scimitar_sso_bind=someone-elses-secret', 'scimitar_sso_bind=']) {
        const res = await t.app.inject({ method: 'GET', url: redirectTo, headers: cookie ? { cookie } : {} });
        assert.equal(res.statusCode, 400, String(cookie));
        assert.match(res.body, /started in another browser/);
        assert.equal(res.headers['set-cookie'], undefined);
      }
    });

    test('state mismatch, another browser, no cookie: refused, the attempt stays open', async () => {
      const b = await begin();
      const back = await throughIdp(b.authUrl, PUBLIC_URL);
      const forged = new URL(back);
      forged.searchParams.set('state', 'forged-state');
      const r1 = await callback(forged, b.cookie);
      assert.equal(r1.statusCode, 400);
      assert.match(r1.body, /state mismatch/);
      const other = await begin();
      const r2 = await callback(back, other.cookie);
      assert.equal(r2.statusCode, 400, 'the cookie of another attempt');
      const stolen = b.cookie.replace(/\.[^.]+$/, '.not-the-browser-secret');
      assert.equal(
        (await callback(back, stolen)).statusCode,
        400,
        'the attempt id without its browser secret',
      );
      assert.equal((await callback(back, '')).statusCode, 400);
      assert.ok(await t.directory.signIns.pending(b.attemptId), 'not completed');
    });

    test('nonce mismatch: an ID token minted for another nonce is refused', async () => {
      const b = await begin();
      const auth = new URL(b.authUrl);
      auth.searchParams.set('nonce', 'attacker-nonce');
      const back = await throughIdp(auth.href, PUBLIC_URL);
      const r = await callback(back, b.cookie);
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /nonce/);
      assert.equal(await t.directory.signIns.take(b.attemptId), null);
    });

    test('PKCE downgrade: a code issued without a challenge is refused at the exchange', async () => {
      const b = await begin();
      const auth = new URL(b.authUrl);
      auth.searchParams.delete('code_challenge');
      auth.searchParams.delete('code_challenge_method');
      const back = await throughIdp(auth.href, PUBLIC_URL);
      assert.ok(back.searchParams.get('code'), 'the IdP issued a code without PKCE');
      const r = await callback(back, b.cookie);
      assert.equal(r.statusCode, 400);
      assert.match(r.body, /invalid_grant/);
      assert.equal(await t.directory.signIns.take(b.attemptId), null);
    });

    test('SCIM required: not provisioned and deactivated users get a clear page; JIT creates once', async () => {
      await idp.setUser({ sub: 'okta-bob', email: 'bob@acme.example', email_verified: true });
      let b = await begin('bob@acme.example');
      let r = await callback(await throughIdp(b.authUrl, PUBLIC_URL), b.cookie);
      assert.equal(r.statusCode, 403);
      assert.match(r.body, /Not provisioned/);
      assert.ok(r.headers['content-type']?.toString().startsWith('text/html'));

      const gone = (await t.request('POST', 'Users', user('gone@acme.example', { active: false }))).json().id;
      assert.ok(gone);
      await idp.setUser({ sub: 'okta-gone', email: 'gone@acme.example', email_verified: true });
      b = await begin('gone@acme.example');
      r = await callback(await throughIdp(b.authUrl, PUBLIC_URL), b.cookie);
      assert.equal(r.statusCode, 403);
      assert.match(r.body, /deactivated/);

      await t.directory.sso.update(cliActor(t.orgId), connectionId, { jit: true });
      await idp.setUser({
        sub: 'okta-bob',
        email: 'bob@acme.example',
        email_verified: true,
        given_name: 'Bob',
        family_name: 'Builder',
      });
      for (let i = 0; i < 2; i++) {
        b = await begin('bob@acme.example');
        r = await callback(await throughIdp(b.authUrl, PUBLIC_URL), b.cookie);
        assert.equal(r.statusCode, 303, r.body);
      }
      const found = (
        await t.request('GET', `Users?filter=${encodeURIComponent('userName eq "bob@acme.example"')}`)
      ).json();
      assert.equal(found.totalResults, 1, 'created once, then found');
      assert.equal(found.Resources[0].name.familyName, 'Builder');

      // An unverified email is not matched by.
      await idp.setUser({ sub: 'okta-x', email: 'ada@acme.example', email_verified: false });
      b = await begin();
      r = await callback(await throughIdp(b.authUrl, PUBLIC_URL), b.cookie);
      assert.equal(r.statusCode, 400);
      await t.directory.sso.update(cliActor(t.orgId), connectionId, { jit: false });
    });
  });
}

test('SSO cookies: Secure only under an https PUBLIC_URL, except SameSite=None (always Secure)', async () => {
  const { ssoCookie } = await import('../../src/sso/cookies.ts');
  assert.equal(
    ssoCookie('a', 'v', 'http://localhost:3000'),
    'a=v; Path=/sso; Max-Age=600; HttpOnly; SameSite=Lax',
  );
  assert.equal(
    ssoCookie('a', 'v', 'https://x.example'),
    'a=v; Path=/sso; Max-Age=600; HttpOnly; SameSite=Lax; Secure',
  );
  assert.equal(
    ssoCookie('a', 'v', 'http://localhost:3000', 600, 'None'),
    'a=v; Path=/sso; Max-Age=600; HttpOnly; SameSite=None; Secure',
  );
});
