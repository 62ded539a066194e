/**
 * The OIDC provider as the tests and bench/revocation.ts drive it: the real app behind TLS on
 * loopback (tls.ts), one org with an enabled SSO connection, one host app registered, and a
 * sign-in as a browser and a stock openid-client make it. The SSO leg is completed through
 * directory.signIns.complete, as src/sso/ does once the org's IdP answered.
 */
import * as client from 'openid-client';
import { cliActor } from '../../src/directory/deps.ts';
import type { Dialect } from '../../src/store/db.ts';
import { insertSsoConnection } from '../../src/store/sso.ts';
import { startTestApp, type TestApp } from './app.ts';
import { Browser, startTlsServer, tlsFetch } from './tls.ts';
import { startUpstreamIdp, type UpstreamIdp } from './upstream-oidc-idp.ts';

export const CONNECTION_ID = 'conn_test';
export const REDIRECT_URI = 'http://localhost:7777/callback';

/**
 * The authorization request a stock openid-client app makes to the provider: code with PKCE
 * (S256) and a state, to REDIRECT_URI unless `params` says otherwise. The verifier and state
 * are what the app keeps for the code exchange.
 */
export async function authorizationRequest(config: client.Configuration, params: Record<string, string>) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...params,
  });
  return { url, verifier, state };
}

export interface OidcHarness {
  t: TestApp;
  tls: Awaited<ReturnType<typeof startTlsServer>>;
  issuer: string;
  /** The registered host app. */
  app: { id: string; secret: string };
  /** The host app's view of the provider, as openid-client discovers it. */
  discover(clientId: string, secret: string): Promise<client.Configuration>;
  /** The host app's side up to the browser's redirect, then the SSO leg, then the code exchange. */
  signIn(
    config: client.Configuration,
    userId: string,
    extra?: Record<string, string>,
  ): Promise<{
    tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    browser: Browser;
    redirectTo: string;
  }>;
  close(): Promise<void>;
}

export async function startOidcHarness(
  dialect: Dialect,
  env: Record<string, string> = {},
): Promise<OidcHarness> {
  const tls = await startTlsServer();
  const issuer = `${tls.origin}/oidc`;
  const t = await startTestApp(dialect, { PUBLIC_URL: tls.origin, ...env });
  await t.app.ready();
  tls.setHandler(t.app.routing);
  const now = new Date().toISOString();
  await insertSsoConnection(t.directory.database.db, {
    id: CONNECTION_ID,
    orgId: t.orgId,
    protocol: 'oidc',
    name: 'IdP',
    preset: 'generic',
    enabled: true,
    settings: '{}',
    secrets: null,
    createdAt: now,
    updatedAt: now,
  });
  const created = await t.directory.apps.create({ name: 'host', redirectUris: [REDIRECT_URI] });
  const discover = (clientId: string, secret: string) =>
    client.discovery(new URL(issuer), clientId, undefined, client.ClientSecretBasic(secret), {
      [client.customFetch]: tlsFetch as unknown as client.CustomFetch,
    });
  return {
    t,
    tls,
    issuer,
    app: { id: created.app.id, secret: created.secret },
    discover,
    async signIn(config, userId, extra = { org: t.orgId }) {
      const browser = new Browser();
      const { url, verifier, state } = await authorizationRequest(config, {
        scope: 'openid email profile offline_access',
        ...extra,
      });
      const toSso = await browser.follow(url.href, `${tls.origin}/sso/`);
      const attemptId = toSso.location.split('/').pop() as string;
      const { redirectTo } = await t.directory.signIns.complete(attemptId, {
        userId,
        connectionId: CONNECTION_ID,
      });
      const callback = await browser.follow(`${tls.origin}${redirectTo}`, REDIRECT_URI);
      const tokens = await client.authorizationCodeGrant(config, new URL(callback.location), {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
      return { tokens, browser, redirectTo };
    },
    async close() {
      await tls.close();
      await t.close();
    },
  };
}

/**
 * A real upstream OIDC IdP (upstream-oidc-idp.ts) as the harness org's connection, sign-ins of
 * `domain` routed to it. The harness must allow private SSO addresses (SSO_ALLOW_PRIVATE).
 */
export async function connectUpstreamIdp(h: OidcHarness, domain: string): Promise<UpstreamIdp> {
  const idp = await startUpstreamIdp(`${h.tls.origin}/sso/oidc/callback`);
  const c = await h.t.directory.sso.create(cliActor(h.t.orgId), {
    protocol: 'oidc',
    oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
  });
  await h.t.directory.sso.addDomain(cliActor(h.t.orgId), { domain, connectionId: c.id });
  return idp;
}
