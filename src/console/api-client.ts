/**
 * The console's way to its data: the management API (/api/v1), called in-process through
 * Fastify's inject() with the browser's own credential (the operator's session cookie and the
 * CSRF token its form carried, or a setup link's bearer secret). The API authenticates and
 * authorises it exactly as it would a request from the network; the console has no other
 * way into the directory's data.
 */
import type { FastifyRequest } from 'fastify';
import { API_PREFIX } from '../http/api/index.ts';
import { CSRF_HEADER } from '../http/session-cookie.ts';

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

/** A problem document's fields the pages show. */
export interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: { path: string; message: string }[];
}

/** An API answer that was not 2xx, carrying the problem document. */
export class ApiFailure extends Error {
  override name = 'ApiFailure';
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

export type Credential = { kind: 'session'; csrf?: string | undefined } | { kind: 'bearer'; secret: string };

export class ApiClient {
  constructor(
    private readonly request: FastifyRequest,
    private readonly credential: Credential,
  ) {}

  private headers(): Record<string, string> {
    // The browser's Host: the API builds the URLs it answers with (SCIM base URL, setup link) from it.
    const headers: Record<string, string> = { accept: 'application/json', host: this.request.host };
    if (this.credential.kind === 'bearer') headers.authorization = `Bearer ${this.credential.secret}`;
    else {
      if (this.request.headers.cookie) headers.cookie = this.request.headers.cookie;
      if (this.credential.csrf) headers[CSRF_HEADER] = this.credential.csrf;
    }
    return headers;
  }

  /** Calls the API; a non-2xx answer throws ApiFailure with its problem document. */
  async call<T = unknown>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const headers = this.headers();
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.request.server.inject({
      method,
      url: API_PREFIX + path,
      headers,
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      // The API sees the browser's address, for its logs and limits.
      remoteAddress: this.request.ip,
    });
    const text = response.body;
    const parsed = text ? (JSON.parse(text) as unknown) : null;
    if (response.statusCode >= 400) {
      const p = (parsed ?? {}) as Partial<Problem>;
      throw new ApiFailure({
        status: response.statusCode,
        code: p.code ?? 'internal_error',
        detail: p.detail ?? `The API answered ${response.statusCode}`,
        ...(p.errors ? { errors: p.errors } : {}),
      });
    }
    return parsed as T;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }
}

/** A query string of the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const entries = Object.entries(params).filter(
    (e): e is [string, string | number] => e[1] !== undefined && e[1] !== null && e[1] !== '',
  );
  if (entries.length === 0) return '';
  return `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
}
