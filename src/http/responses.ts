/** The only place SCIM response bodies and error bodies are written (RFC 7644 §3.12, §8.1). */
import type { FastifyReply } from 'fastify';
import type { ScimError } from '../scim/errors.ts';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export function errorBody(error: ScimError) {
  const body: Record<string, unknown> = { schemas: [ERROR_SCHEMA], status: String(error.status) };
  if (error.scimType) body.scimType = error.scimType;
  body.detail = error.detail;
  return body;
}

export function sendScim(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

export function sendError(reply: FastifyReply, error: ScimError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return sendScim(reply, error.status, errorBody(error));
}

export function listResponse(total: number, startIndex: number, resources: unknown[]) {
  return {
    schemas: [LIST_RESPONSE],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

/**
 * RFC 7644 §3.8: whether an Accept header names application/json and nothing that covers
 * application/scim+json (itself, application/* or any type); q=0 entries do not count.
 * Such a client gets the same body labelled application/json.
 */
export function wantsPlainJson(accept: string | undefined): boolean {
  if (!accept) return false;
  let json = false;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    if (range === 'application/scim+json' || range === 'application/*' || range === '*/*') return false;
    if (range === 'application/json') json = true;
  }
  return json;
}
