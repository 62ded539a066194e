/**
 * What the black-box HTTP tests share: a live server of one dialect for a describe block, a
 * fetch client for one org (bearer token, SCIM JSON in and out), the response types, and the
 * SCIM URNs, taken from the source that exports them (test/scim/urns.test.ts pins each one to
 * the RFC text, so a wrong constant there cannot pass here unnoticed).
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { ERROR_SCHEMA, LIST_RESPONSE } from '../../src/http/responses.ts';
import { BULK_REQUEST, BULK_RESPONSE } from '../../src/scim/bulk.ts';
import { SEARCH_REQUEST } from '../../src/scim/list-query.ts';
import { PATCH_OP_URN } from '../../src/scim/patch/parse.ts';
import { CORE_GROUP, CORE_USER, ENTERPRISE_USER } from '../../src/scim/schema/definitions.ts';
import type { Dialect } from '../../src/store/db.ts';
import { type LiveServer, startLiveServer } from '../idp/server.ts';

export {
  BULK_REQUEST,
  BULK_RESPONSE,
  CORE_GROUP as GROUP,
  CORE_USER as USER,
  ENTERPRISE_USER as ENTERPRISE,
  ERROR_SCHEMA as ERROR,
  LIST_RESPONSE,
  PATCH_OP_URN as PATCH_OP,
  SEARCH_REQUEST as SEARCH,
};

// biome-ignore lint/suspicious/noExplicitAny: SCIM JSON bodies are read as loose JSON
export type Json = any;

/** An answer whose body was parsed as JSON (undefined when it was empty). */
export interface Res {
  status: number;
  headers: Headers;
  body: Json;
}

/** An answer read as text, not parsed. */
export interface TextRes {
  status: number;
  headers: Headers;
  text: string;
}

/** An error body, RFC 7644 §3.12. */
export type ScimErrorBody = { schemas: string[]; status: string; scimType?: string; detail: string };

/** One operation's result in a BulkResponse, RFC 7644 §3.7.3. */
export type OpResult = {
  method?: string;
  bulkId?: string;
  status: string;
  location?: string;
  version?: string;
  response?: ScimErrorBody;
};

export interface ClientOptions {
  /** The Content-Type of a request that has a body, unless the call's headers name another. */
  contentType?: string;
}

export interface LiveClient {
  /** The org's SCIM base URL. */
  base: string;
  token: string;
  /**
   * `path` relative to the base (or an absolute http URL), with the org's bearer token; a body
   * that is not a string is sent as JSON. The answer's body is parsed: a non-JSON one throws.
   */
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Res>;
  /** As req, but the body is sent as the bytes given and the answer is returned as text. */
  send(
    method: string,
    path: string,
    body?: string | Uint8Array,
    headers?: Record<string, string>,
  ): Promise<TextRes>;
  /** A BulkRequest that must be answered 200 with a SCIM BulkResponse: its operation results. */
  bulk(Operations: unknown[], extra?: Record<string, unknown>): Promise<OpResult[]>;
}

export function liveClient(org: { base: string; token: string }, options: ClientOptions = {}): LiveClient {
  const { base, token } = org;
  const contentType = options.contentType ?? 'application/scim+json';
  const send: LiveClient['send'] = async (method, path, body, headers = {}) => {
    const res = await fetch(path.startsWith('http') ? path : `${base}/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': contentType }),
        ...headers,
      },
      ...(body === undefined ? {} : { body }),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const req: LiveClient['req'] = async (method, path, body, headers) => {
    const encoded = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
    const { status, headers: resHeaders, text } = await send(method, path, encoded, headers);
    return { status, headers: resHeaders, body: text === '' ? undefined : JSON.parse(text) };
  };
  return {
    base,
    token,
    req,
    send,
    async bulk(Operations, extra = {}) {
      const res = await req('POST', 'Bulk', { schemas: [BULK_REQUEST], ...extra, Operations });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.match(res.headers.get('content-type') ?? '', /^application\/scim\+json/);
      assert.deepEqual(res.body.schemas, [BULK_RESPONSE]);
      return res.body.Operations;
    },
  };
}

export interface LiveFixture {
  /** The running server (from the describe block's first `before` hook on). */
  readonly server: LiveServer;
  /** A new org with this IdP profile, and a client for it. */
  client(name: string, profile?: string, options?: ClientOptions): Promise<LiveClient>;
}

/**
 * Called inside a describe block: starts a live server of this dialect before its tests (a
 * `before` hook registered now, so it runs ahead of the block's own) and closes it after them.
 */
export function useLiveServer(dialect: Dialect): LiveFixture {
  let server: LiveServer | undefined;
  before(async () => {
    server = await startLiveServer(dialect);
  });
  after(async () => {
    await server?.close();
  });
  const running = (): LiveServer => {
    if (!server) throw new Error('the live server is not started yet: use it from a test or a later hook');
    return server;
  };
  return {
    get server() {
      return running();
    },
    async client(name, profile = 'generic', options = {}) {
      return liveClient(await running().org(name, profile), options);
    },
  };
}

/** A PatchOp message, RFC 7644 §3.5.2. */
export const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP_URN], Operations });

/** A `filter=` query parameter. */
export const q = (filter: string) => `filter=${encodeURIComponent(filter)}`;
