/**
 * The one check of a SCIM error response (RFC 7644 §3.12), for every HTTP test: the status,
 * `Content-Type: application/scim+json`, the Error schema, `status` as a string, the exact
 * `scimType` (none when not given) and a `detail` string. Takes an inject() response
 * (test/helpers/app.ts) or a fetch answer (test/helpers/live-client.ts), and returns the body.
 */
import assert from 'node:assert/strict';
import { ERROR_SCHEMA } from '../../src/http/responses.ts';

/** An inject() response. */
interface Injected {
  statusCode: number;
  headers: Record<string, unknown>;
  json(): unknown;
}

/** A fetch answer whose JSON body was read into `body` (live-client Res) or `json`. */
interface Fetched {
  status: number;
  headers: Headers;
  body?: unknown;
  json?: unknown;
}

export type ErrorResponse = Injected | Fetched;

// biome-ignore lint/suspicious/noExplicitAny: error bodies are read as loose JSON
export function assertScimError(res: ErrorResponse, status: number, scimType?: string): any {
  const injected = 'statusCode' in res;
  const got = injected ? res.statusCode : res.status;
  const contentType = injected ? res.headers['content-type'] : res.headers.get('content-type');
  const body = (injected ? res.json() : (res.body ?? res.json)) as Record<string, unknown>;
  assert.equal(got, status, `expected ${status}, got ${got}: ${JSON.stringify(body)}`);
  assert.match(String(contentType), /^application\/scim\+json/);
  assert.deepEqual(body.schemas, [ERROR_SCHEMA]);
  assert.equal(body.status, String(status), 'RFC 7644 §3.12: status is a string');
  assert.equal(body.scimType, scimType);
  assert.equal(typeof body.detail, 'string');
  return body;
}
