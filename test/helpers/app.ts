/** Builds the real app over a real database of the given dialect, with one org and its token. */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { type Config, loadConfig } from '../../src/config.ts';
import { Directory } from '../../src/directory/directory.ts';
import { buildApp } from '../../src/http/app.ts';
import type { Dialect } from '../../src/store/db.ts';
import { openTestDatabase } from './dialects.ts';

export interface TestApp {
  app: FastifyInstance;
  directory: Directory;
  config: Config;
  /** The environment `config` was read from (to build another instance over the same database). */
  env: Record<string, string>;
  orgId: string;
  token: string;
  /** `/scim/v2/<org>` */
  base: string;
  /** inject() with the org's bearer token and a SCIM content type. */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  /** `request` as another org (its id and token), optionally sent to another app instance. */
  as(org: { orgId: string; token: string }, target?: FastifyInstance): TestApp['request'];
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** The directory's clock (default: real time). */
  now?: () => Date;
  /** Rewrites the database URL the app connects with (openTestDatabase). */
  connectVia?: (url: string) => string;
}

export async function startTestApp(
  dialect: Dialect,
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const { database, url, cleanup } = await openTestDatabase(
    dialect,
    options.connectVia ? { connectVia: options.connectVia } : {},
  );
  const fullEnv = {
    DATABASE_URL: url,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'https://scim.test',
    // Test receivers listen on loopback (events/address-policy.ts).
    WEBHOOK_ALLOW_PRIVATE: 'true',
    ...env,
  };
  const config = loadConfig(fullEnv);
  const directory = new Directory({
    database,
    now: options.now ?? (() => new Date()),
    newId: () => crypto.randomUUID(),
    properties: config.properties,
    roles: config.roles,
    valves: config.valves,
    webhookAllowPrivate: config.events.allowPrivate,
    ssoAllowPrivate: config.ssoAllowPrivate,
    secretKey: config.secretKey,
  });
  const app = await buildApp(config, { directory, logger: false });
  const { org, token } = await directory.orgs.create('Acme Corp');
  const base = `/scim/v2/${org.id}`;
  const as =
    (who: { orgId: string; token: string }, target: FastifyInstance = app): TestApp['request'] =>
    (method, path, body, headers = {}) => {
      const options: InjectOptions = {
        method: method as InjectOptions['method'],
        url: path.startsWith('/') ? path : `/scim/v2/${who.orgId}/${path}`,
        headers: { authorization: `Bearer ${who.token}`, ...headers },
      };
      if (body !== undefined) {
        options.payload = typeof body === 'string' ? body : JSON.stringify(body);
        options.headers = { 'content-type': 'application/scim+json', ...options.headers };
      }
      return target.inject(options);
    };
  return {
    app,
    directory,
    config,
    env: fullEnv,
    orgId: org.id,
    token: token.token,
    base,
    request: as({ orgId: org.id, token: token.token }),
    as,
    async close() {
      await app.close();
      await cleanup();
    },
  };
}

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export function user(userName: string, extra: Record<string, unknown> = {}) {
  return { schemas: [USER_SCHEMA], userName, ...extra };
}
