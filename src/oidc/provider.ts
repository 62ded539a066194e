/**
 * The service as an OpenID Connect provider to the host app (docs/sso.md "Sign-in for your
 * app"), built on `oidc-provider`: authorization code with PKCE (S256) required, confidential
 * clients only (the apps, directory/apps.ts), opaque access tokens (so that revoking them in
 * the database ends them at once, and introspection says so), refresh tokens rotated at each
 * use, ID tokens signed RS256 with a key generated once and sealed at rest.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { Directory } from '../directory/directory.ts';
import { parseAccountId } from '../directory/oidc.ts';
import { PLAIN_PAGE_HEADERS, plainPage } from '../http/plain-page.ts';
import { directoryAdapter } from './adapter.ts';

/** Where the provider is mounted; the issuer is PUBLIC_URL followed by it. */
export const OIDC_PREFIX = '/oidc';

export interface OidcSettings {
  /** PUBLIC_URL: the issuer is `${publicUrl}/oidc`. */
  publicUrl: string;
  /** Seconds an access token lives (OIDC_ACCESS_TOKEN_TTL, default 300). */
  accessTokenTtl: number;
  /** Seconds a refresh token (and the grant and session behind it) lives (OIDC_REFRESH_TOKEN_TTL, default 14 days). */
  refreshTokenTtl: number;
  /** TRUST_PROXY: whether X-Forwarded-For names the client (routes.ts drops it otherwise). */
  trustProxy: boolean;
  /**
   * WEBHOOK_ALLOW_PRIVATE: back-channel logouts may go to loopback and private addresses, which
   * oidc-provider's own fetch refuses otherwise.
   */
  allowPrivate: boolean;
}

/** The scopes and the claims each one gives (docs/sso.md "Claims"). */
export const OIDC_CLAIMS = {
  openid: ['sub', 'org_id', 'user_id', 'roles', 'properties'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username'],
  email: ['email', 'email_verified'],
};

/** Parameters of the authorization request beyond the standard ones: which org signs in. */
export const EXTRA_PARAMS = ['org', 'domain'];

function sha256Hex(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export async function createProvider(directory: Directory, settings: OidcSettings): Promise<Provider> {
  // Loaded on the first sign-in only: a process that signs no one in never loads it.
  const { default: ProviderClass, errors } = await import('oidc-provider');
  const keys = await directory.oidc.keys();
  const issuer = `${settings.publicUrl.replace(/\/+$/, '')}${OIDC_PREFIX}`;
  const configuration: Configuration = {
    adapter: directoryAdapter(directory, () => new errors.InvalidGrant('the user may no longer sign in')),
    clients: [],
    jwks: keys.jwks as Configuration['jwks'],
    cookies: {
      keys: keys.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    async findAccount(_ctx, sub) {
      const account = parseAccountId(sub);
      const claims = account && (await directory.oidc.account(account.orgId, account.userId));
      if (!claims) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...claims }) };
    },
    claims: OIDC_CLAIMS,
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    extraParams: EXTRA_PARAMS,
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      // An app may introspect and revoke its own tokens only.
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256'],
      userinfoSigningAlgValues: ['RS256'],
      introspectionSigningAlgValues: ['RS256'],
      authorizationSigningAlgValues: ['RS256'],
      // Client secrets are stored hashed: nothing may use them as an HMAC key.
      clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256'],
      requestObjectSigningAlgValues: ['RS256', 'PS256', 'ES256'],
    },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    // A redirect_uri is always sent and compared exactly, even when an app registered one.
    allowOmittingSingleRegisteredRedirectUri: false,
    ttl: {
      AccessToken: settings.accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: settings.refreshTokenTtl,
      Grant: settings.refreshTokenTtl,
      Session: settings.refreshTokenTtl,
    },
    rotateRefreshToken: true,
    fetch: (url, options) => {
      // oidc-provider passes a dispatcher that refuses special-use addresses.
      if (settings.allowPrivate) delete (options as { dispatcher?: unknown }).dispatcher;
      return globalThis.fetch(url, options);
    },
    // Every sign-in gets a refresh token: revocation on deprovisioning is what ends it.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    expiresWithSession: async () => false,
    // The error page names the OAuth error only, and loads nothing from elsewhere.
    async renderError(ctx, out) {
      ctx.set(PLAIN_PAGE_HEADERS);
      ctx.body = plainPage('Cannot sign in', `${out.error}: ${out.error_description ?? ''}`);
    },
    interactions: {
      url: (_ctx, interaction) => `${OIDC_PREFIX}/interaction/${interaction.uid}`,
    },
    // The apps are the host app's own: no consent screen. The grant holds what was asked for.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { oidc } = ctx;
      if (!oidc.client || !oidc.session?.accountId) return undefined;
      const existing = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
      const found = existing ? await oidc.provider.Grant.find(existing) : undefined;
      const grant =
        found ??
        new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
      const scope = oidc.params?.scope;
      grant.addOIDCScope(typeof scope === 'string' ? scope : 'openid');
      await grant.save();
      return grant;
    },
  };
  const provider = new ProviderClass(issuer, configuration);
  // The scheme and host of every URL the provider builds are PUBLIC_URL's: routes.ts sets the
  // X-Forwarded-Proto and X-Forwarded-Host it reads on every request.
  provider.proxy = true;
  // Client secrets are stored as SHA-256 (directory/apps.ts): compare the hashes in constant time.
  provider.Client.prototype.compareClientSecret = function compareClientSecret(
    this: { clientSecret?: string },
    actual: string,
  ) {
    const stored = Buffer.from(this.clientSecret ?? '', 'hex');
    const given = sha256Hex(actual);
    return stored.length === given.length && timingSafeEqual(stored, given);
  };
  return provider;
}
