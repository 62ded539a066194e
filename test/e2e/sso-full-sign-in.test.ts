/**
 * The whole sign-in as a host app sees it, on each database: a stock openid-client app signs in
 * with the service's provider (/oidc), which starts an attempt and binds it to the browser; the
 * browser runs the org's OIDC connection (/sso) against a real upstream oidc-provider IdP, comes
 * back through the provider's resume and lands at the app with a code; the app's ID token names
 * the directory user the IdP's identity matched. A browser without the binding cookie stops at
 * /sso/begin.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import {
  authorizationRequest,
  connectUpstreamIdp,
  type OidcHarness,
  REDIRECT_URI,
  startOidcHarness,
} from '../helpers/oidc.ts';
import { Browser } from '../helpers/tls.ts';
import { throughIdp, type UpstreamIdp } from '../helpers/upstream-oidc-idp.ts';

for (const dialect of dialects) {
  describe(`full sign-in through the org's OIDC IdP (${dialect})`, () => {
    let h: OidcHarness;
    let idp: UpstreamIdp;
    let config: client.Configuration;
    let ada: string;

    before(async () => {
      h = await startOidcHarness(dialect, { SSO_ALLOW_PRIVATE: 'true' });
      idp = await connectUpstreamIdp(h, 'e2e.example');
      ada = (
        await h.t.request(
          'POST',
          'Users',
          user('ada@e2e.example', { emails: [{ value: 'ada@e2e.example' }] }),
        )
      ).json().id;
      await idp.setUser({ sub: 'idp-ada', email: 'ada@e2e.example', email_verified: true });
      config = await h.discover(h.app.id, h.app.secret);
    });
    after(async () => {
      await h?.close();
      await idp?.stop();
    });

    const authorize = () =>
      authorizationRequest(config, { scope: 'openid email', login_hint: 'ada@e2e.example' });

    test('app → provider → /sso → IdP → /sso → provider → app: the ID token names the matched user', async () => {
      const { url, verifier, state } = await authorize();
      const browser = new Browser();
      const toSso = await browser.follow(url.href, `${h.tls.origin}/sso/begin/`);
      assert.ok(browser.cookies.has('scimitar_sso_bind'), 'the provider bound the attempt to this browser');
      assert.ok(
        browser.setCookies.some((c) =>
          /^scimitar_sso_bind=[^;]+; Path=\/sso; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/.test(c),
        ),
      );
      const toIdp = await browser.follow(toSso.location, idp.issuer);
      const back = await throughIdp(toIdp.location, h.tls.origin);
      const toApp = await browser.follow(back.href, REDIRECT_URI);
      const tokens = await client.authorizationCodeGrant(config, new URL(toApp.location), {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      const sub = tokens.claims()?.sub ?? '';
      assert.ok(sub.includes(ada), `${sub} names the directory user`);
    });

    test('the /sso/begin link opened in another browser is refused', async () => {
      const { url } = await authorize();
      const starter = new Browser();
      const toSso = await starter.follow(url.href, `${h.tls.origin}/sso/begin/`);
      const victim = new Browser();
      const res = await victim.get(toSso.location);
      assert.equal(res.status, 400);
      assert.match(await res.text(), /started in another browser/);
    });
  });
}
