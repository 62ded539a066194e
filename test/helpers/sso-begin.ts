/**
 * The first two steps of an SSO sign-in, as the service's OIDC provider and a browser take
 * them (docs/sso.md "The SSO run"): a sign-in attempt started for `email` (binding the
 * browser), then the browser at /sso/begin, which answers 303 to the org's IdP with the SSO
 * cookie. The SSO tests go on from there with their own IdP.
 */
import assert from 'node:assert/strict';
import type { TestApp } from './app.ts';

export interface Begun {
  attemptId: string;
  /** The /sso/begin URL the attempt sent the browser to. */
  redirectTo: string;
  /** Where /sso/begin sent the browser: the IdP's authorization or SSO URL. */
  location: string;
  /** The SSO cookie as set, and as the browser sends it back. */
  setCookie: string;
  cookie: string;
}

export async function beginSso(t: Pick<TestApp, 'app' | 'directory'>, email: string): Promise<Begun> {
  const { attemptId, redirectTo, browserSecret } = await t.directory.signIns.start({
    email,
    returnTo: '/oidc/interaction/x/resume',
  });
  const res = await t.app.inject({
    method: 'GET',
    url: redirectTo,
    headers: { cookie: `scimitar_sso_bind=${browserSecret}` },
  });
  assert.equal(res.statusCode, 303, res.body);
  const setCookie = String(res.headers['set-cookie']);
  return {
    attemptId,
    redirectTo,
    location: String(res.headers.location),
    setCookie,
    cookie: setCookie.split(';')[0] as string,
  };
}
