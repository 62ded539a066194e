/**
 * The cookies of a sign-in's SSO leg (docs/sso.md "The SSO run"). All are HttpOnly, scoped to
 * /sso, SameSite=Lax (an OIDC IdP's redirect back is a top-level GET) and Secure when PUBLIC_URL
 * is https; the SAML leg's `scimitar_sso` is SameSite=None and Secure (its IdP POSTs back).
 *
 *   scimitar_sso_bind  set by whoever starts the attempt (the OIDC provider's interaction), in
 *                      the browser that started it: /sso/begin requires it.
 *   scimitar_sso       set by /sso/begin: the attempt and a browser secret for the callback.
 *   scimitar_sso_idp   set by the ACS after an IdP-initiated SAML sign-in: who signed in, for
 *                      2 minutes, until the app's sign-in reaches /sso/begin.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SSO_COOKIE = 'scimitar_sso';
export const SSO_BIND_COOKIE = 'scimitar_sso_bind';
/** An IdP-initiated SAML sign-in's result (sealed), for the next /sso/begin of that org and connection. */
export const SSO_IDP_COOKIE = 'scimitar_sso_idp';
const MAX_AGE = 600;
const MAX_COOKIE = 1024;

function attributes(publicUrl: string, maxAge: number, sameSite: 'Lax' | 'None'): string {
  // SameSite=None is only accepted with Secure.
  const secure = sameSite === 'None' || new URL(publicUrl).protocol === 'https:';
  return `Path=/sso; Max-Age=${maxAge}; HttpOnly; SameSite=${sameSite}${secure ? '; Secure' : ''}`;
}

/**
 * A Set-Cookie value. `value` '' with maxAge 0 clears it. SameSite=None (always Secure) for the
 * SAML leg, whose IdP answers with a cross-site POST that a Lax cookie would not come with.
 */
export function ssoCookie(
  name: string,
  value: string,
  publicUrl: string,
  maxAge = MAX_AGE,
  sameSite: 'Lax' | 'None' = 'Lax',
): string {
  return `${name}=${value}; ${attributes(publicUrl, maxAge, sameSite)}`;
}

/** The Set-Cookie value that binds a started attempt to this browser (StartedSignIn.browserSecret). */
export function ssoBindCookie(browserSecret: string, publicUrl: string): string {
  return ssoCookie(SSO_BIND_COOKIE, browserSecret, publicUrl);
}

/** Adds a Set-Cookie header, keeping any set on the raw response (oidc-provider sets its own there). */
export function appendSetCookie(reply: FastifyReply, cookie: string): void {
  const prev = reply.raw.getHeader('set-cookie');
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev : [String(prev)];
  reply.raw.setHeader('set-cookie', [...list, cookie]);
}

/** A cookie's value from the request, or undefined (absent, too long). */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    const value = rest.join('=');
    return value.length > 0 && value.length <= MAX_COOKIE ? value : undefined;
  }
  return undefined;
}
