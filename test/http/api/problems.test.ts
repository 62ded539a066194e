/**
 * Every failure of an /api/v1 request is an RFC 9457 problem document with a stable code,
 * never a 500, while SCIM routes keep answering SCIM errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { type ApiTestApp, startApiTestApp } from '../../helpers/api.ts';
import { dialects } from '../../helpers/dialects.ts';

function assertProblem(response: LightMyRequestResponse, status: number, code: string) {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const body = response.json();
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  assert.equal(body.type, 'about:blank');
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.detail, 'string');
  assert.equal(typeof body.requestId, 'string');
  return body;
}

for (const dialect of dialects) {
  describe(`management API problems (${dialect})`, () => {
    let t: ApiTestApp;
    before(async () => {
      t = await startApiTestApp(dialect, { MAX_BODY_BYTES: '10000' });
    });
    after(async () => t?.close());

    test('malformed JSON, an empty body, a wrong media type and an oversize body are 4xx problems', async () => {
      assertProblem(await t.api('POST', '/orgs', '{"name":'), 400, 'malformed_json');
      assertProblem(await t.api('POST', '/orgs', '[1,'), 400, 'malformed_json');
      assertProblem(await t.api('POST', '/orgs', ''), 400, 'validation_failed');
      assertProblem(
        await t.api('POST', '/orgs', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }),
        415,
        'unsupported_media_type',
      );
      assertProblem(await t.api('POST', '/orgs', { name: 'x'.repeat(20_000) }), 413, 'payload_too_large');
      assertProblem(await t.api('POST', '/orgs', { name: 'nul\u0000' }), 400, 'invalid_request');
    });

    test('schema violations name where they are', async () => {
      const body = assertProblem(
        await t.api('POST', '/orgs', { name: 42, extra: true }),
        400,
        'validation_failed',
      );
      assert.ok(Array.isArray(body.errors) && body.errors.length > 0);
      assert.ok(body.errors.every((e: { path: string }) => e.path.startsWith('body')));
      assertProblem(
        await t.api('POST', '/orgs', { name: 'Unknown field', extra: true }),
        400,
        'validation_failed',
      );
      assertProblem(
        await t.api('POST', '/orgs', { name: 'X', idpProfile: 'nope' }),
        400,
        'validation_failed',
      );
      assertProblem(await t.api('POST', '/orgs', [1, 2]), 400, 'validation_failed');
      assertProblem(await t.api('POST', '/orgs', 'null'), 400, 'validation_failed');
      assertProblem(await t.api('GET', '/orgs?limit=0'), 400, 'validation_failed');
      assertProblem(await t.api('GET', '/orgs?limit=1000'), 400, 'validation_failed');
      assertProblem(await t.api('GET', '/orgs?limit=x'), 400, 'validation_failed');
      assertProblem(await t.api('GET', `/orgs/${'a'.repeat(100)}`), 400, 'validation_failed');
    });

    test('a bad cursor, an unknown org and an unknown endpoint', async () => {
      assertProblem(await t.api('GET', '/orgs?cursor=not-a-cursor'), 400, 'invalid_request');
      assertProblem(
        await t.api('GET', `/orgs?cursor=${Buffer.from('[1]').toString('base64url')}`),
        400,
        'invalid_request',
      );
      assertProblem(await t.api('GET', '/orgs/no-such-org'), 404, 'not_found');
      assertProblem(await t.api('PATCH', '/orgs/no-such-org', { name: 'x' }), 404, 'not_found');
      assertProblem(await t.api('GET', '/no-such-endpoint'), 404, 'not_found');
      assertProblem(await t.api('DELETE', '/openapi.json'), 404, 'not_found');
    });

    test('a malformed URL under /api/v1 is a problem; under /scim/v2 a SCIM error', async () => {
      assertProblem(await t.api('GET', '/orgs/%E0%A4%A'), 400, 'invalid_request');
      const scim = await t.request('GET', `${t.base}/Users/%E0%A4%A`);
      assert.equal(scim.statusCode, 400);
      assert.match(String(scim.headers['content-type']), /^application\/scim\+json/);
    });

    test('a taken org id is a conflict', async () => {
      assert.equal((await t.api('POST', '/orgs', { name: 'Taken', id: 'taken' })).statusCode, 201);
      assertProblem(await t.api('POST', '/orgs', { name: 'Taken', id: 'taken' }), 409, 'conflict');
    });

    test('SCIM routes keep their own error bodies', async () => {
      const response = await t.request('GET', 'Users?filter=userName%20eq');
      assert.equal(response.statusCode, 400);
      assert.match(String(response.headers['content-type']), /^application\/scim\+json/);
      assert.equal(response.json().scimType, 'invalidFilter');
    });
  });
}
