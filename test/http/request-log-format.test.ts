import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orgOfUrl } from '../../src/http/request-log.ts';
import {
  BODY_LIMIT,
  bodyForLog,
  detectIdp,
  type Idp,
  pathForLog,
  redactJson,
  redactJsonText,
} from '../../src/http/request-log-format.ts';
import { type HintFacts, type HintInput, hintFor } from '../../src/http/request-log-hints.ts';

describe('detectIdp', () => {
  const cases: { name: string; headers: Record<string, string>; idp: Idp }[] = [
    { name: 'Okta (documented UA)', headers: { 'user-agent': 'Okta SCIM Client 1.0.0' }, idp: 'okta' },
    { name: 'Entra', headers: { 'user-agent': 'Microsoft Azure AD SCIM provisioning 1.0' }, idp: 'entra' },
    { name: 'Google', headers: { 'user-agent': 'Google-Auto-Provisioning' }, idp: 'google' },
    { name: 'OneLogin', headers: { 'user-agent': 'OneLogin SCIM Provisioner' }, idp: 'onelogin' },
    { name: 'JumpCloud', headers: { 'user-agent': 'JumpCloud SCIM' }, idp: 'jumpcloud' },
    { name: 'Ping', headers: { 'user-agent': 'PingFederate SCIM Connector' }, idp: 'ping' },
    { name: 'Rippling', headers: { 'user-agent': 'Rippling/1.0' }, idp: 'rippling' },
    {
      name: 'Okta by header only',
      headers: { 'user-agent': 'Java/17', 'x-okta-request-id': '1' },
      idp: 'okta',
    },
    { name: 'curl', headers: { 'user-agent': 'curl/8.0' }, idp: 'unknown' },
    { name: 'bare Apache-HttpClient', headers: { 'user-agent': 'Apache-HttpClient/4.5' }, idp: 'unknown' },
    { name: 'no headers', headers: {}, idp: 'unknown' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(detectIdp(c.headers), c.idp));
});

describe('redaction', () => {
  const cases: { name: string; input: unknown; expected: unknown }[] = [
    {
      name: 'password at the top level, keeps the rest',
      input: { userName: 'a', password: 'p' },
      expected: { userName: 'a', password: '[redacted]' },
    },
    {
      name: 'URN-qualified and nested secret-looking keys',
      input: { 'urn:x:User:password': 'p', nested: [{ clientSecret: 's', apiToken: 't', ok: 1 }] },
      expected: {
        'urn:x:User:password': '[redacted]',
        nested: [{ clientSecret: '[redacted]', apiToken: '[redacted]', ok: 1 }],
      },
    },
    {
      name: 'PATCH value whose path names the password (Entra capitalised op)',
      input: {
        Operations: [
          { op: 'Replace', path: 'password', value: 'p' },
          { op: 'add', path: 'title', value: 'x' },
        ],
      },
      expected: {
        Operations: [
          { op: 'Replace', path: 'password', value: '[redacted]' },
          { op: 'add', path: 'title', value: 'x' },
        ],
      },
    },
    {
      name: 'a filter comparing a password, and a token pasted into a value',
      input: { filter: 'password eq "p" and userName eq "u"', note: `scim_${'x'.repeat(43)}` },
      expected: { filter: 'password eq "[redacted]" and userName eq "u"', note: '[redacted]' },
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(redactJson(c.input), c.expected));

  test('text cut in the middle of a secret is still redacted', () => {
    assert.equal(
      redactJsonText('{"userName":"a","password":"hunter2-and-mo'),
      '{"userName":"a","password":"[redacted]"',
    );
  });

  test('bodies are cut to the limit and say so', () => {
    const big = { userName: 'x'.repeat(BODY_LIMIT * 2), password: 'p' };
    const out = bodyForLog(big) ?? '';
    assert.ok(out.length < BODY_LIMIT + 100);
    assert.match(out, /…\(truncated, \d+ characters\)$/);
    assert.equal(out.includes('"p"'), false);
    assert.equal(bodyForLog(undefined), null);
    assert.equal(bodyForLog(''), null);
  });

  test('query strings: secret parameters and filter comparisons', () => {
    assert.equal(
      pathForLog('/scim/v2/a/Users?access_token=abc&count=2'),
      '/scim/v2/a/Users?access_token=[redacted]&count=2',
    );
    const path = pathForLog(`/scim/v2/a/Users?filter=${encodeURIComponent('password eq "p"')}`);
    assert.equal(decodeURIComponent(path.split('filter=')[1] ?? ''), 'password eq "[redacted]"');
    assert.equal(
      pathForLog('/scim/v2/a/Users?filter=userName%20eq%20%22u%22'),
      '/scim/v2/a/Users?filter=userName%20eq%20%22u%22',
    );
  });

  test('org of a URL', () => {
    assert.equal(orgOfUrl('/scim/v2/acme/Users?x=1'), 'acme');
    assert.equal(orgOfUrl('/scim/v2/acme'), 'acme');
    assert.equal(orgOfUrl('/scim/v2/Not_An_Org/Users'), undefined);
    assert.equal(orgOfUrl('/healthz'), undefined);
  });
});

describe('hintFor', () => {
  const base: HintInput = {
    orgId: 'acme',
    method: 'GET',
    path: '/scim/v2/acme/Users',
    status: 400,
    scimType: null,
    detail: null,
    requestBody: undefined,
    auth: { kind: 'bearer', hash: 'h' },
    maxBodyBytes: 1024,
  };
  const cases: { name: string; input: Partial<HintInput>; facts?: HintFacts; hint: string | null }[] = [
    { name: 'success has none', input: { status: 200 }, hint: null },
    {
      name: '409 names the holder',
      input: { method: 'POST', status: 409, scimType: 'uniqueness', requestBody: { userName: 'ada' } },
      facts: { holderId: 'u1' },
      hint: "userName 'ada' already used by user u1",
    },
    {
      name: 'invalidFilter',
      input: { status: 400, scimType: 'invalidFilter', detail: 'Unknown operator zz at offset 9' },
      hint: 'filter not supported: Unknown operator zz at offset 9',
    },
    { name: '401 no header', input: { status: 401, auth: { kind: 'none' } }, hint: 'no bearer token' },
    { name: '401 unknown', input: { status: 401 }, facts: { token: null }, hint: 'unknown token' },
    {
      name: '401 other org',
      input: { status: 401 },
      facts: { token: { orgId: 'other', revokedAt: null } },
      hint: 'token is not for this organization',
    },
    {
      name: '401 revoked',
      input: { status: 401 },
      facts: { token: { orgId: 'acme', revokedAt: '2025-01-01T00:00:00.000Z' } },
      hint: 'token revoked at 2025-01-01T00:00:00.000Z',
    },
    {
      name: '401 expired',
      input: { status: 401 },
      facts: { token: { orgId: 'acme', revokedAt: null, expiresAt: '2025-02-01T00:00:00.000Z' } },
      hint: 'token expired at 2025-02-01T00:00:00.000Z',
    },
    { name: '404 id', input: { status: 404, path: '/scim/v2/acme/Groups/g1' }, hint: 'no Group with id g1' },
    {
      name: '404 endpoint',
      input: { status: 404, path: '/scim/v2/acme/Foo' },
      hint: 'no endpoint GET /scim/v2/acme/Foo',
    },
    {
      name: '412',
      input: {
        status: 412,
        path: '/scim/v2/acme/Users/u1',
        detail: 'If-Match does not match the current version W/"3" of User u1',
      },
      hint: 'ETag mismatch: current version is W/"3"',
    },
    {
      name: '412, a user in groups',
      input: {
        status: 412,
        path: '/scim/v2/acme/Users/u1',
        detail: 'If-Match does not match the current version W/"3-0a1b2c3d4e5f" of User u1',
      },
      hint: 'ETag mismatch: current version is W/"3-0a1b2c3d4e5f"',
    },
    { name: '413', input: { status: 413 }, hint: 'body larger than MAX_BODY_BYTES (1024)' },
    {
      name: '415',
      input: { status: 415, contentType: 'text/xml' },
      hint: "unsupported Content-Type 'text/xml'",
    },
    {
      name: 'invalid JSON',
      input: { status: 400, scimType: 'invalidSyntax', detail: 'The request body is not valid JSON: x' },
      hint: 'body is not valid JSON',
    },
    { name: '429', input: { status: 429, retryAfter: '12' }, hint: 'rate limited; retry after 12 s' },
    {
      name: '405',
      input: { status: 405, method: 'PUT', allow: 'GET, POST' },
      hint: 'PUT not allowed here (Allow: GET, POST)',
    },
  ];
  for (const c of cases) test(c.name, () => assert.equal(hintFor({ ...base, ...c.input }, c.facts), c.hint));
});
