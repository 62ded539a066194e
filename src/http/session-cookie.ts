/**
 * The operator's session cookie (docs/console.md): set by the console's sign-in, read by the
 * console and by the management API, which accepts it beside API keys. HttpOnly, SameSite=Strict,
 * Path=/; over https it is `__Host-`-prefixed and Secure (RFC 6265bis §4.1.3.2: the browser then
 * refuses it from plain http, from a subdomain, or with a Domain attribute).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'scimitar_session';
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;
/** The header an unsafe API request made with the cookie carries the session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** Whether the browser reached us over https (PUBLIC_URL says so, or the request did). */
export function isSecure(request: FastifyRequest): boolean {
  const publicUrl = request.server.config.publicUrl;
  return publicUrl ? publicUrl.startsWith('https:') : request.protocol === 'https';
}

/** The cookies of a request (RFC 6265 §5.4), first value of each name. */
export function readCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header || header.length > 8192) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

/** The session secret the request's cookie carries, if any. */
export function sessionToken(request: FastifyRequest): string | undefined {
  const cookies = readCookies(request.headers.cookie);
  return cookies.get(SECURE_SESSION_COOKIE) ?? cookies.get(SESSION_COOKIE);
}

function cookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  const secure = isSecure(request);
  const name = secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expiresAt: string,
) {
  const seconds = Math.max(0, Math.floor((Date.parse(expiresAt) - Date.now()) / 1000));
  reply.header('set-cookie', cookie(request, token, seconds));
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply) {
  reply.header('set-cookie', cookie(request, '', 0));
}

/** Constant-time comparison of a sent CSRF token with the session's. */
export function sameCsrf(sent: unknown, expected: string): boolean {
  if (typeof sent !== 'string') return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
