/**
 * The management API's errors: RFC 9457 problem documents (`application/problem+json`), each
 * with a stable `code` from PROBLEM_CODES (listed in docs/api.md; a test keeps the two in step).
 * The only place /api/v1 error bodies are written.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Every code the API answers with, and its HTTP status; docs/api.md says what each means. */
export const PROBLEM_CODES = {
  invalid_request: 400,
  validation_failed: 400,
  malformed_json: 400,
  confirmation_required: 400,
  url_not_allowed: 400,
  unknown_group: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  idp_owned: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal_error: 500,
} as const;

export type ProblemCode = keyof typeof PROBLEM_CODES;

export interface FieldError {
  /** Where: `body`, `querystring`, `params` or `headers`, then a JSON Pointer, e.g. `body/name`. */
  path: string;
  message: string;
}

/** An error that the API plugin's error handler answers as a problem document. */
export class ApiProblem extends Error {
  override name = 'ApiProblem';
  readonly status: number;

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.status = PROBLEM_CODES[code];
  }
}

/** The body (RFC 9457 §3): `type` is about:blank, so `title` is the status phrase (§4.2.1). */
export function problemBody(problem: ApiProblem, request: FastifyRequest) {
  return {
    type: 'about:blank',
    title: STATUS_CODES[problem.status] ?? 'Error',
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
    instance: request.url.split('?')[0],
    requestId: String(request.id),
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ApiProblem): FastifyReply {
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
  return reply
    .code(problem.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problemBody(problem, request)));
}
