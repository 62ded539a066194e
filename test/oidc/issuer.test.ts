/**
 * The provider's URLs and cookies follow PUBLIC_URL, not the request: whatever Host or
 * X-Forwarded-* a request carries, discovery names PUBLIC_URL's endpoints, and over plain HTTP
 * (a TLS proxy in front) its cookies are still Secure when PUBLIC_URL is https.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../helpers/app.ts';

describe('OIDC issuer from PUBLIC_URL', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp('sqlite', { PUBLIC_URL: 'https://id.example.com' });
  });
  after(async () => t?.close());

  test('discovery names PUBLIC_URL endpoints whatever Host and X-Forwarded-* say', async () => {
    for (const headers of [
      {},
      { host: 'evil.example' },
      { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' },
    ] as Record<string, string>[]) {
      const response = await t.app.inject({
        method: 'GET',
        url: '/oidc/.well-known/openid-configuration',
        headers,
      });
      assert.equal(response.statusCode, 200);
      const metadata = response.json();
      assert.equal(metadata.issuer, 'https://id.example.com/oidc');
      for (const key of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'introspection_endpoint']) {
        assert.ok(
          String(metadata[key]).startsWith('https://id.example.com/oidc/'),
          `${key}: ${metadata[key]}`,
        );
      }
    }
  });

  test('cookies are Secure over plain HTTP behind a TLS proxy', async () => {
    const { app } = await t.directory.apps.create({ redirectUris: ['https://app.example.com/cb'] });
    const response = await t.app.inject({
      method: 'GET',
      url: `/oidc/auth?client_id=${app.id}&redirect_uri=${encodeURIComponent('https://app.example.com/cb')}&response_type=code&scope=openid&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&org=${t.orgId}`,
    });
    assert.equal(response.statusCode, 303, response.body);
    assert.match(String(response.headers.location), /^\/oidc\/interaction\//);
    const cookies = [response.headers['set-cookie'] ?? []].flat();
    assert.ok(cookies.length > 0);
    for (const line of cookies) assert.match(line, /;\s*secure/i, line);
  });
});
