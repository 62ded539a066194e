/** The real app on a real database with one org, one SCIM token and one management API key. */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Dialect } from '../../src/store/db.ts';
import { startTestApp, type TestApp } from './app.ts';

export interface ApiTestApp extends TestApp {
  apiKey: string;
  /** inject() under /api/v1 with the API key; a body is sent as application/json. */
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
}

export async function startApiTestApp(
  dialect: Dialect,
  env: Record<string, string> = {},
): Promise<ApiTestApp> {
  const t = await startTestApp(dialect, env);
  const { key } = await t.directory.apiKeys.create('test');
  return {
    ...t,
    apiKey: key,
    api(method, path, body, headers = {}) {
      const options: InjectOptions = {
        method: method as InjectOptions['method'],
        url: `/api/v1${path}`,
        headers: { authorization: `Bearer ${key}`, ...headers },
      };
      if (body !== undefined) {
        options.payload = typeof body === 'string' ? body : JSON.stringify(body);
        options.headers = { 'content-type': 'application/json', ...options.headers };
      }
      return t.app.inject(options);
    },
  };
}

/** Asserts nothing; returns the parsed problem document of a response. */
export function problemOf(response: LightMyRequestResponse): {
  status: number;
  code: string;
  detail: string;
} {
  return response.json();
}
