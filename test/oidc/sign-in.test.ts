/**
 * The service as an OIDC provider, driven by a stock openid-client as the host app over real
 * TLS on loopback, on both dialects: discovery and JWKS, authorization code with PKCE (S256
 * required), the ID token's claims, refresh with rotation, introspection, exact redirect URIs,
 * the cookies' flags, the interaction bound to its sign-in attempt; then SCIM deactivation and
 * deletion revoke every session and token in their own transaction.
 *
 * The SSO leg here is completed through directory.signIns.complete (what src/sso/ calls once
 * the org's IdP answered); test/e2e/sso-full-sign-in.test.ts and sso-deprovision.test.ts run it
 * through a real upstream IdP.
 */
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { IdTokenError, signInUrl, verifyIdToken } from '@scimitar/sdk';
import { sql } from 'kysely';
import * as client from 'openid-client';
import { cliActor, systemActor } from '../../src/directory/deps.ts';
import { type TestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import { CONNECTION_ID, type OidcHarness, REDIRECT_URI, startOidcHarness } from '../helpers/oidc.ts';
import { until } from '../helpers/receiver.ts';
import { Browser, tlsFetch } from '../helpers/tls.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The OAuth error code a refused call got (in the body, or in a WWW-Authenticate challenge). */
async function oauthError(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    const e = error as { error?: string; cause?: { parameters?: { error?: string } }[] };
    const code = e.error ?? e.cause?.[0]?.parameters?.error;
    if (code) return code;
    throw error;
  }
  throw new Error('the call succeeded');
}

for (const dialect of dialects) {
  describe(`OIDC provider (${dialect})`, () => {
    let h: OidcHarness;
    let t: TestApp;
    let tls: OidcHarness['tls'];
    let issuer: string;
    let app: { id: string; secret: string };
    let config: client.Configuration;
    const redirectUri = REDIRECT_URI;

    before(async () => {
      h = await startOidcHarness(dialect);
      ({ t, tls, issuer, app } = h);
      config = await discover(app.id, app.secret);
    });
    after(async () => h?.close());

    const discover = (clientId: string, secret: string) => h.discover(clientId, secret);
    const signIn = (userId: string, extra?: Record<string, string>) => h.signIn(config, userId, extra);

    async function newUser(userName: string): Promise<string> {
      const response = await t.request(
        'POST',
        'Users',
        user(userName, {
          emails: [{ value: userName, primary: true }],
          name: { givenName: 'Ada', familyName: 'L' },
        }),
      );
      assert.equal(response.statusCode, 201, response.body);
      return response.json().id;
    }

    test('discovery names the issuer; the JWKS publishes the public RS256 key only', async () => {
      const metadata = config.serverMetadata();
      assert.equal(metadata.issuer, issuer);
      assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
      assert.ok(metadata.introspection_endpoint && metadata.backchannel_logout_supported);
      const jwks = (await (await tlsFetch(metadata.jwks_uri as string)).json()) as {
        keys: { alg: string; d?: string; n: string }[];
      };
      assert.equal(jwks.keys.length, 1);
      assert.equal(jwks.keys[0]?.alg, 'RS256');
      assert.equal(jwks.keys[0]?.d, undefined, 'no private part');
      const { rows } = await sql<{
        value: string;
      }>`select value from settings where key = 'oidc_provider_keys'`.execute(t.directory.database.db);
      assert.ok(rows[0] && !rows[0].value.includes(String(jwks.keys[0]?.n)), 'the keys are sealed at rest');
    });

    test('code + PKCE: the ID token carries org, directory id, roles and properties; refresh rotates', async () => {
      const userId = await newUser('ada@example.com');
      const { tokens } = await signIn(userId);
      const claims = tokens.claims();
      assert.ok(claims);
      assert.equal(claims.iss, issuer);
      assert.equal(claims.aud, app.id);
      assert.equal(claims.sub, `${t.orgId}:${userId}`);
      assert.equal(claims.org_id, t.orgId);
      assert.equal(claims.user_id, userId);
      assert.ok(Array.isArray(claims.roles));
      assert.deepEqual(claims.properties, {});
      assert.equal(tokens.token_type.toLowerCase(), 'bearer');
      assert.ok(tokens.expires_in && tokens.expires_in <= 300, 'access tokens live 5 minutes');
      const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.equal(info.email, 'ada@example.com');
      assert.equal(info.given_name, 'Ada');

      const first = tokens.refresh_token as string;
      const refreshed = await client.refreshTokenGrant(config, first);
      assert.ok(refreshed.refresh_token && refreshed.refresh_token !== first, 'rotated');
      assert.equal(refreshed.claims()?.sub, claims.sub);
      const introspected = await client.tokenIntrospection(config, refreshed.access_token);
      assert.equal(introspected.active, true);
      assert.equal(introspected.sub, claims.sub);
      // Another app learns nothing of this app's tokens.
      const other = await t.directory.apps.create({ name: 'other', redirectUris: [redirectUri] });
      const otherConfig = await discover(other.app.id, other.secret);
      assert.equal((await client.tokenIntrospection(otherConfig, refreshed.access_token)).active, false);
      await t.directory.apps.delete(other.app.id);
      // A used refresh token presented again is refused, and ends the whole grant (reuse detection).
      assert.equal(await oauthError(client.refreshTokenGrant(config, first)), 'invalid_grant');
      assert.equal((await client.tokenIntrospection(config, refreshed.access_token)).active, false);
      assert.equal(
        await oauthError(client.refreshTokenGrant(config, refreshed.refresh_token)),
        'invalid_grant',
      );
    });

    test("the SDK's signInUrl and verifyIdToken work both ends with the provider", async () => {
      const userId = await newUser('sdk@example.com');
      const request = await signInUrl({
        issuer,
        clientId: app.id,
        redirectUri,
        email: 'sdk@example.com',
        org: t.orgId,
      });
      const browser = new Browser();
      const toSso = await browser.follow(request.url, `${tls.origin}/sso/`);
      const { redirectTo } = await t.directory.signIns.complete(toSso.location.split('/').pop() as string, {
        userId,
        connectionId: CONNECTION_ID,
      });
      const callback = new URL((await browser.follow(`${tls.origin}${redirectTo}`, redirectUri)).location);
      assert.equal(callback.searchParams.get('state'), request.state);
      const exchanged = await tlsFetch(`${issuer}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${app.id}:${app.secret}`).toString('base64')}` },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: callback.searchParams.get('code') as string,
          redirect_uri: redirectUri,
          code_verifier: request.codeVerifier,
        }),
      });
      assert.equal(exchanged.status, 200);
      const { id_token: idToken } = (await exchanged.json()) as { id_token: string };
      const options = { issuer, clientId: app.id, nonce: request.nonce, fetch: tlsFetch as typeof fetch };
      const claims = await verifyIdToken(idToken, options);
      assert.equal(claims.user_id, userId);
      assert.equal(claims.org_id, t.orgId);
      const [h, , sig] = idToken.split('.') as [string, string, string];
      const forged = Buffer.from(JSON.stringify({ ...claims, user_id: 'someone-else' })).toString(
        'base64url',
      );
      await assert.rejects(verifyIdToken(`${h}.${forged}.${sig}`, options), IdTokenError);
      await assert.rejects(verifyIdToken(idToken, { ...options, clientId: 'app_other' }), /aud/);
      await assert.rejects(verifyIdToken(idToken, { ...options, nonce: 'another' }), /nonce/);
      await assert.rejects(
        verifyIdToken(idToken, { ...options, issuer: `${tls.origin}/other` }),
        IdTokenError,
      );
    });

    test('the provider cookies are Secure, HttpOnly and SameSite=Lax', async () => {
      const userId = await newUser('cookies@example.com');
      const { browser } = await signIn(userId);
      const names = new Set(browser.setCookies.map((c) => c.split('=')[0]));
      for (const name of ['_interaction', '_interaction_resume', '_session'])
        assert.ok(names.has(name), name);
      for (const line of browser.setCookies) {
        assert.match(line, /;\s*secure/i, line);
        assert.match(line, /;\s*httponly/i, line);
        assert.match(line, /;\s*samesite=lax/i, line);
      }
    });

    test('redirect URIs match exactly: a near miss is refused without redirecting there', async () => {
      for (const uri of [
        `${redirectUri}/x`,
        `${redirectUri}?next=https://evil.example`,
        'http://localhost:7778/callback',
        'http://localhost:7777/Callback',
        'https://evil.example/callback',
      ]) {
        const url = client.buildAuthorizationUrl(config, {
          redirect_uri: uri,
          scope: 'openid',
          code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
          org: t.orgId,
        });
        const response = await tlsFetch(url);
        assert.equal(response.status, 400, uri);
        assert.equal(response.headers.get('location'), null, uri);
        assert.match(await response.text(), /redirect_uri/);
      }
    });

    test('PKCE is required, S256 only', async () => {
      for (const params of [{}, { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }] as Record<
        string,
        string
      >[]) {
        const url = client.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri,
          scope: 'openid',
          org: t.orgId,
          ...params,
        });
        const response = await tlsFetch(url);
        const location = new URL(response.headers.get('location') as string);
        assert.equal(`${location.origin}${location.pathname}`, redirectUri);
        assert.equal(location.searchParams.get('error'), 'invalid_request', JSON.stringify(params));
      }
    });

    test('the org comes from org, domain or the login_hint email; unknown ones get a clear page', async () => {
      await t.directory.sso.addDomain(cliActor(t.orgId), { domain: 'acme.example' });
      const userId = await newUser('realm@acme.example');
      for (const extra of [
        { domain: 'acme.example' },
        { login_hint: 'realm@acme.example' },
        { org: t.orgId },
      ] as Record<string, string>[]) {
        const { tokens } = await signIn(userId, extra);
        assert.equal(tokens.claims()?.org_id, t.orgId, JSON.stringify(extra));
      }
      for (const extra of [
        { domain: 'nobody.example' },
        { login_hint: 'x@nobody.example' },
        { org: 'no-such-org' },
      ] as Record<string, string>[]) {
        const url = client.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri,
          scope: 'openid',
          code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
          ...extra,
        });
        const browser = new Browser();
        const toInteraction = await browser.get(url.href);
        const page = await browser.get(new URL(toInteraction.headers.get('location') as string, url).href);
        assert.equal(page.status, 404, JSON.stringify(extra));
        assert.match(page.headers.get('content-type') ?? '', /text\/html/);
        assert.equal(page.headers.get('location'), null);
      }
    });

    test('an attempt resumes only the interaction that started it, once', async () => {
      const userId = await newUser('bound@example.com');
      const start = async (browser: Browser) => {
        const url = client.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri,
          scope: 'openid',
          code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
          org: t.orgId,
        });
        const toSso = await browser.follow(url.href, `${tls.origin}/sso/`);
        return toSso.location.split('/').pop() as string;
      };
      const victim = new Browser();
      const attacker = new Browser();
      const victimAttempt = await start(victim);
      await start(attacker);
      // The attacker completes its own attempt and sends the victim's browser its resume link.
      const attackerAttempt = await start(attacker);
      const { redirectTo } = await t.directory.signIns.complete(attackerAttempt, {
        userId,
        connectionId: CONNECTION_ID,
      });
      const attackerResume = new URL(redirectTo, tls.origin);
      const victimUid = (
        await t.directory.signIns.complete(victimAttempt, { userId, connectionId: CONNECTION_ID })
      ).redirectTo.split('/')[4];
      const forged = `${tls.origin}/oidc/interaction/${victimUid}/resume${attackerResume.search}`;
      const refused = await victim.get(forged);
      assert.equal(refused.status, 400);
      assert.equal(refused.headers.get('location'), null);
      // The unknown org, domain and email are clear 4xx pages, not 500s.
      const noOrg = await tlsFetch(
        client.buildAuthorizationUrl(config, {
          redirect_uri: redirectUri,
          scope: 'openid',
          code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
        }),
      );
      assert.equal(noOrg.status, 303);
      const page = await new Browser().get(new URL(noOrg.headers.get('location') as string, tls.origin).href);
      assert.ok(page.status >= 400 && page.status < 500, String(page.status));
    });

    test('a SCIM deactivation revokes sessions and tokens in its transaction; a deletion too', async () => {
      const userId = await newUser('leaver@example.com');
      const { tokens } = await signIn(userId);
      assert.ok((await t.directory.oidc.rowsOf(t.orgId, userId)) > 0);
      const patch = await t.request('PATCH', `Users/${userId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', value: { active: false } }],
      });
      assert.equal(patch.statusCode, 200, patch.body);
      assert.equal(await t.directory.oidc.rowsOf(t.orgId, userId), 0);
      assert.equal(
        await oauthError(client.refreshTokenGrant(config, tokens.refresh_token as string)),
        'invalid_grant',
      );
      assert.equal((await client.tokenIntrospection(config, tokens.access_token)).active, false);
      assert.equal((await client.tokenIntrospection(config, tokens.refresh_token as string)).active, false);
      assert.equal((await t.directory.roles.access(t.orgId, userId)).allowed, false);
      // A refresh racing the deactivation cannot store a token for the user any more.
      const late = { accountId: `${t.orgId}:${userId}`, clientId: app.id, grantId: 'g' };
      assert.equal(await t.directory.oidc.upsert('RefreshToken', 'raced', late, 60), false);
      assert.equal(await t.directory.oidc.rowsOf(t.orgId, userId), 0);
      await assert.rejects(client.fetchUserInfo(config, tokens.access_token, client.skipSubjectCheck));

      const other = await newUser('deleted@example.com');
      const second = await signIn(other);
      assert.equal((await t.request('DELETE', `Users/${other}`)).statusCode, 204);
      assert.equal(
        await oauthError(client.refreshTokenGrant(config, second.tokens.refresh_token as string)),
        'invalid_grant',
      );
      assert.equal((await client.tokenIntrospection(config, second.tokens.access_token)).active, false);
    });

    test('a deactivation the safety valve holds revokes nothing until it is released', async () => {
      await t.directory.valves.update(t.orgId, { minUsers: 0, percent: 1 });
      try {
        const first = await newUser('held-first@example.com');
        const userId = await newUser('held@example.com');
        const { tokens } = await signIn(userId);
        for (const id of [first, userId]) {
          const patch = await t.request('PATCH', `Users/${id}`, {
            schemas: [PATCH_OP],
            Operations: [{ op: 'replace', value: { active: false } }],
          });
          assert.equal(patch.statusCode, 200, patch.body);
        }
        const held = await t.directory.valves.held(t.orgId, { limit: 10 });
        assert.ok(
          held.items.some((h) => h.userId === userId),
          'the deactivation is held',
        );
        const still = await client.refreshTokenGrant(config, tokens.refresh_token as string);
        assert.equal((await client.tokenIntrospection(config, still.access_token)).active, true);
        await t.directory.valves.release(systemActor(t.orgId, 'test', 'release-held'));
        assert.equal(await t.directory.oidc.rowsOf(t.orgId, userId), 0);
        assert.equal(
          await oauthError(client.refreshTokenGrant(config, still.refresh_token as string)),
          'invalid_grant',
        );
        assert.equal((await client.tokenIntrospection(config, still.access_token)).active, false);
      } finally {
        await t.directory.valves.update(t.orgId, { minUsers: 10, percent: 30 });
      }
    });

    test('deprovisioning sends a signed back-channel logout token to apps that registered an endpoint', async () => {
      const received: string[] = [];
      const server = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => {
          body += c;
        });
        req.on('end', () => {
          received.push(body);
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const logoutUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/logout`;
        await t.directory.apps.update(app.id, { backchannelLogoutUri: logoutUri });
        const userId = await newUser('logged-out@example.com');
        await signIn(userId);
        const patch = await t.request('PATCH', `Users/${userId}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', value: { active: false } }],
        });
        assert.equal(patch.statusCode, 200);
        await until('the logout token', () => received.length > 0, 30_000);
        const token = new URLSearchParams(received[0]).get('logout_token') as string;
        const [header, payload, signature] = token.split('.') as [string, string, string];
        const jwks = (await (await tlsFetch(config.serverMetadata().jwks_uri as string)).json()) as {
          keys: Record<string, string>[];
        };
        const kid = JSON.parse(Buffer.from(header, 'base64url').toString()).kid;
        const jwk = jwks.keys.find((k) => k.kid === kid);
        assert.ok(jwk);
        const key = createPublicKey({ key: jwk, format: 'jwk' });
        assert.ok(
          verify('sha256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url')),
        );
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
        assert.equal(claims.iss, issuer);
        assert.equal(claims.aud, app.id);
        assert.equal(claims.sub, `${t.orgId}:${userId}`);
        assert.deepEqual(claims.events, { 'http://schemas.openid.net/event/backchannel-logout': {} });
        assert.equal(claims.nonce, undefined);
        await until('the queue to empty', async () => {
          const again = await sql<{ n: number }>`select count(*) as n from oidc_logouts`.execute(
            t.directory.database.db,
          );
          return Number(again.rows[0]?.n) === 0;
        });
      } finally {
        await t.directory.apps.update(app.id, { backchannelLogoutUri: null });
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    });

    test('deleting an app ends its tokens; a rotated secret stops authenticating', async () => {
      const userId = await newUser('app-gone@example.com');
      const { tokens } = await signIn(userId);
      const { secret } = await t.directory.apps.rotateSecret(app.id);
      assert.equal(
        await oauthError(client.refreshTokenGrant(config, tokens.refresh_token as string)),
        'invalid_client',
      );
      app.secret = secret;
      config = await discover(app.id, secret);
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string);
      const spare = await t.directory.apps.create({ name: 'spare', redirectUris: [redirectUri] });
      await t.directory.apps.delete(app.id);
      const { rows } = await sql<{
        n: number;
      }>`select count(*) as n from oidc_store where client_id = ${app.id}`.execute(t.directory.database.db);
      assert.equal(Number(rows[0]?.n), 0, "the app's grants, codes and tokens are gone");
      assert.equal(
        await oauthError(client.refreshTokenGrant(config, refreshed.refresh_token as string)),
        'invalid_client',
      );
      app = { id: spare.app.id, secret: spare.secret };
      config = await discover(app.id, app.secret);
    });
  });
}
