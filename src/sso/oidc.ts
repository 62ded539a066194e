/**
 * The OpenID Connect relying party (openid-client 6) for an org's OIDC connection: discovery
 * from the issuer (cached 10 minutes per connection), authorization code with PKCE (S256, always
 * sent: an IdP that issued the code without a challenge refuses the verifier, RFC 9700 §2.1.1),
 * `state` and `nonce` checked, the ID token validated (signature from the IdP's JWKS, issuer,
 * audience, expiry, nonce) by openid-client.
 *
 * Every request to the IdP goes through guarded-fetch.ts: public addresses only (checked at
 * connect time, so DNS rebinding does not help) unless SSO_ALLOW_PRIVATE, no redirects, 1 MiB,
 * 10 seconds.
 */
import * as client from 'openid-client';
import type { SsoRuntimeConnection } from '../directory/sso-connections.ts';
import type { SsoIdentity } from '../directory/sso-users.ts';
import { guardedFetch } from '../events/guarded-fetch.ts';

const TIMEOUT_MS = 10_000;
const CACHE_MS = 10 * 60 * 1000;

/** What the callback needs of the begin step (sealed on the attempt). */
export interface OidcFlow {
  state: string;
  nonce: string;
  verifier: string;
}

/** The IdP's answer was refused; the message says why (shown to the user, logged). */
export class OidcRpError extends Error {
  override name = 'OidcRpError';
}

const configs = new Map<string, { at: number; config: Promise<client.Configuration> }>();

function configFor(c: SsoRuntimeConnection, allowPrivate: boolean): Promise<client.Configuration> {
  const oidc = c.oidc;
  if (!oidc) throw new OidcRpError('not an OIDC connection');
  const key = JSON.stringify([c.id, c.updatedAt, oidc.issuer, oidc.clientId, c.clientSecret]);
  const cached = configs.get(key);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.config;
  const fetcher = guardedFetch({ allowPrivate, timeoutMs: TIMEOUT_MS }) as unknown as client.CustomFetch;
  const config = client
    .discovery(
      new URL(oidc.issuer),
      oidc.clientId,
      undefined,
      c.clientSecret ? client.ClientSecretBasic(c.clientSecret) : client.None(),
      {
        [client.customFetch]: fetcher,
        ...(allowPrivate && oidc.issuer.startsWith('http:')
          ? { execute: [client.allowInsecureRequests] }
          : {}),
      },
    )
    .then((config) => {
      config[client.customFetch] = fetcher;
      return config;
    });
  configs.set(key, { at: Date.now(), config });
  config.catch(() => configs.delete(key));
  if (configs.size > 1000) configs.delete(configs.keys().next().value as string);
  return config;
}

export async function oidcBegin(
  c: SsoRuntimeConnection,
  redirectUri: string,
  allowPrivate: boolean,
): Promise<{ url: string; flow: OidcFlow }> {
  const config = await configFor(c, allowPrivate);
  const flow: OidcFlow = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    verifier: client.randomPKCECodeVerifier(),
  };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: (c.oidc?.scopes ?? ['openid']).join(' '),
    response_type: 'code',
    state: flow.state,
    nonce: flow.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: 'S256',
  });
  return { url: url.href, flow };
}

/** Exchanges the code of the IdP's redirect back (`callbackUrl`); the identity its ID token asserts. */
export async function oidcFinish(
  c: SsoRuntimeConnection,
  flow: OidcFlow,
  callbackUrl: URL,
  allowPrivate: boolean,
): Promise<SsoIdentity> {
  const config = await configFor(c, allowPrivate);
  if (callbackUrl.searchParams.get('state') !== flow.state) throw new OidcRpError('state mismatch');
  let claims: client.IDToken | undefined;
  let userinfo: client.UserInfoResponse | undefined;
  try {
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    claims = tokens.claims();
    // Many IdPs put only `sub` in the ID token and the profile at the userinfo endpoint; its
    // answer must be about the same subject (openid-client checks).
    if (claims?.sub && tokens.access_token && config.serverMetadata().userinfo_endpoint) {
      userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    }
  } catch (error) {
    // openid-client wraps oauth4webapi's error, whose message names the claim or step.
    const e = error as { message?: string; error?: string; cause?: unknown };
    const inner = e.cause instanceof Error ? e.cause.message : undefined;
    throw new OidcRpError(String(e.error ?? inner ?? e.message ?? 'token exchange failed').slice(0, 200));
  }
  if (!claims?.sub) throw new OidcRpError('no ID token subject');
  // The ID token's claims win over userinfo's.
  const attributes: Record<string, unknown> = { ...userinfo, ...claims };
  return {
    nameId: claims.sub,
    attributes,
    emailVerified: attributes.email_verified === false ? false : undefined,
  };
}
