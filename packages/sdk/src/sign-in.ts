/**
 * Both ends of "Sign-in for your app" (the service's docs/sso.md) without an OIDC library:
 * `signInUrl` builds the authorization request (code flow, PKCE S256, state and nonce, the org
 * by id, email domain or email), and `verifyIdToken` checks an ID token (RS256 signature
 * against the provider's JWKS, `iss`, `aud`, `exp`, `nonce`) and hands back its claims. Any
 * standard OIDC client (openid-client and the like) does the same; these are for apps that
 * want no more than this. WebCrypto only: Node 20, Deno, Bun and browsers alike.
 */

/** What a Scimitar ID token says of the user (docs/sso.md "Claims"). */
export interface ScimitarIdClaims {
  iss: string;
  /** `<orgId>:<userId>`. */
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  org_id: string;
  /** The user's directory id, as in the management API. */
  user_id: string;
  roles: string[];
  properties: Record<string, string | number | boolean | null>;
  [claim: string]: unknown;
}

export interface SignInUrlOptions {
  /** The provider's issuer: the service's PUBLIC_URL followed by `/oidc`. */
  issuer: string;
  clientId: string;
  /** Exactly one of the app's registered redirect URIs. */
  redirectUri: string;
  /** Which org signs in: its id… */
  org?: string;
  /** …or an email domain it registered… */
  domain?: string;
  /** …or the user's email (`login_hint`). */
  email?: string;
  /** Default `openid email profile offline_access`. */
  scope?: string;
}

export interface SignInRequest {
  /** Where to send the browser. */
  url: string;
  /** Keep these (in the app's session) for the callback. */
  state: string;
  nonce: string;
  codeVerifier: string;
}

function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

const trimSlash = (issuer: string) => issuer.replace(/\/+$/, '');

/** The authorization request (RFC 6749 §4.1.1, RFC 7636): send the browser to `url`. */
export async function signInUrl(options: SignInUrlOptions): Promise<SignInRequest> {
  const state = randomToken();
  const nonce = randomToken();
  const codeVerifier = randomToken();
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier))),
  );
  const url = new URL(`${trimSlash(options.issuer)}/auth`);
  const params: Record<string, string | undefined> = {
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    scope: options.scope ?? 'openid email profile offline_access',
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    org: options.org,
    domain: options.domain,
    login_hint: options.email,
  };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return { url: url.href, state, nonce, codeVerifier };
}

/** An ID token that did not verify; `reason` says which check failed. */
export class IdTokenError extends Error {
  override name = 'IdTokenError';
}

export interface VerifyIdTokenOptions {
  issuer: string;
  clientId: string;
  /** The nonce of the sign-in request; checked when given. */
  nonce?: string;
  /** Seconds of clock skew tolerated (default 60). */
  clockToleranceSeconds?: number;
  /** Another fetch (tests, proxies). */
  fetch?: typeof fetch;
}

interface Jwk {
  kty?: string;
  n?: string;
  e?: string;
  kid?: string;
}
const jwksCache = new Map<string, { keys: Jwk[]; at: number }>();
const JWKS_MAX_AGE_MS = 10 * 60 * 1000;

async function jwks(issuer: string, doFetch: typeof fetch, fresh: boolean): Promise<Jwk[]> {
  const cached = jwksCache.get(issuer);
  if (!fresh && cached && Date.now() - cached.at < JWKS_MAX_AGE_MS) return cached.keys;
  const response = await doFetch(`${issuer}/jwks`);
  if (!response.ok) throw new IdTokenError(`the provider's JWKS answered ${response.status}`);
  const { keys } = (await response.json()) as { keys: Jwk[] };
  jwksCache.set(issuer, { keys, at: Date.now() });
  return keys;
}

/**
 * Verifies an ID token from the service's provider (OpenID Connect Core §3.1.3.7): RS256
 * signature by a key of the issuer's JWKS (fetched again once for an unknown `kid`, for key
 * rotation), `iss`, `aud` (and `azp`), `exp`, `iat`, and `nonce` when given. Throws IdTokenError.
 */
export async function verifyIdToken(
  idToken: string,
  options: VerifyIdTokenOptions,
): Promise<ScimitarIdClaims> {
  const issuer = trimSlash(options.issuer);
  const doFetch = options.fetch ?? fetch;
  const parts = idToken.split('.');
  if (parts.length !== 3) throw new IdTokenError('not a JWS in compact form');
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: string; kid?: string };
  let claims: ScimitarIdClaims;
  try {
    header = JSON.parse(new TextDecoder().decode(fromBase64url(h)));
    claims = JSON.parse(new TextDecoder().decode(fromBase64url(p)));
  } catch {
    throw new IdTokenError('the token is not JSON');
  }
  if (header.alg !== 'RS256') throw new IdTokenError(`unexpected alg ${String(header.alg)}`);
  let key = (await jwks(issuer, doFetch, false)).find((k) => k.kid === header.kid);
  key ??= (await jwks(issuer, doFetch, true)).find((k) => k.kid === header.kid);
  if (!key) throw new IdTokenError('no key of the provider has this kid');
  const publicKey = await crypto.subtle.importKey(
    'jwk',
    { kty: key.kty, n: key.n, e: key.e, alg: 'RS256', ext: true },
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const ok = await crypto.subtle.verify(
    'RSASSA-PKCS1-v1_5',
    publicKey,
    fromBase64url(s),
    new TextEncoder().encode(`${h}.${p}`),
  );
  if (!ok) throw new IdTokenError('bad signature');
  const now = Math.floor(Date.now() / 1000);
  const skew = options.clockToleranceSeconds ?? 60;
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== issuer) throw new IdTokenError(`iss is ${String(claims.iss)}, not ${issuer}`);
  if (!audiences.includes(options.clientId)) throw new IdTokenError('aud does not name this client');
  if (audiences.length > 1 && claims.azp !== options.clientId)
    throw new IdTokenError('azp does not name this client');
  if (typeof claims.exp !== 'number' || claims.exp + skew < now) throw new IdTokenError('expired');
  if (typeof claims.iat !== 'number' || claims.iat - skew > now)
    throw new IdTokenError('issued in the future');
  if (options.nonce !== undefined && claims.nonce !== options.nonce) throw new IdTokenError('nonce mismatch');
  return claims;
}
