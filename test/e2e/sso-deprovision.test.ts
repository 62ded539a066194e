/**
 * Issue 13's whole flow, on each database: a stock openid-client app signs a user in through
 * the service's provider and the org's OIDC connection (a real upstream oidc-provider IdP in its
 * own process), gets an access and a refresh token; then the IdP deactivates the user over SCIM,
 * and from that answer on the refresh fails, introspection says inactive, and the management
 * API's access check says no.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { PATCH_OP, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import {
  authorizationRequest,
  connectUpstreamIdp,
  type OidcHarness,
  REDIRECT_URI,
  startOidcHarness,
} from '../helpers/oidc.ts';
import { Browser, tlsFetch } from '../helpers/tls.ts';
import { throughIdp, type UpstreamIdp } from '../helpers/upstream-oidc-idp.ts';

for (const dialect of dialects) {
  describe(`SSO sign-in, then SCIM deactivation ends it (${dialect})`, () => {
    let h: OidcHarness;
    let idp: UpstreamIdp;

    before(async () => {
      h = await startOidcHarness(dialect, { SSO_ALLOW_PRIVATE: 'true' });
      idp = await connectUpstreamIdp(h, 'leaver.example');
    });
    after(async () => {
      await h?.close();
      await idp?.stop();
    });

    test('sign in through the IdP; deactivate by SCIM; refresh, introspection and access say no', async () => {
      const created = await h.t.request(
        'POST',
        'Users',
        user('lee@leaver.example', { emails: [{ value: 'lee@leaver.example', primary: true }] }),
      );
      assert.equal(created.statusCode, 201, created.body);
      const userId = created.json().id as string;
      await idp.setUser({ sub: 'idp-lee', email: 'lee@leaver.example', email_verified: true });

      const config = await h.discover(h.app.id, h.app.secret);
      const { url, verifier, state } = await authorizationRequest(config, {
        scope: 'openid email offline_access',
        login_hint: 'lee@leaver.example',
      });
      const browser = new Browser();
      const toSso = await browser.follow(url.href, `${h.tls.origin}/sso/begin/`);
      const toIdp = await browser.follow(toSso.location, idp.issuer);
      const back = await throughIdp(toIdp.location, h.tls.origin);
      const toApp = await browser.follow(back.href, REDIRECT_URI);
      const tokens = await client.authorizationCodeGrant(config, new URL(toApp.location), {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      assert.equal(tokens.claims()?.user_id, userId);
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
      assert.equal((await client.tokenIntrospection(config, refreshed.access_token)).active, true);

      const { key } = await h.t.directory.apiKeys.create('e2e');
      const access = async () => {
        const response = await tlsFetch(`${h.tls.origin}/api/v1/orgs/${h.t.orgId}/users/${userId}/access`, {
          headers: { authorization: `Bearer ${key}` },
        });
        return ((await response.json()) as { allowed: boolean }).allowed;
      };
      assert.equal(await access(), true);

      const patch = await tlsFetch(`${h.tls.origin}${h.t.base}/Users/${userId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${h.t.token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', value: { active: false } }],
        }),
      });
      assert.equal(patch.status, 200);

      await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token as string), (error) => {
        assert.equal((error as { error?: string }).error, 'invalid_grant');
        return true;
      });
      assert.equal((await client.tokenIntrospection(config, refreshed.access_token)).active, false);
      assert.equal(await access(), false);
    });
  });
}
