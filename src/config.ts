/**
 * Configuration: read from the environment once, validated, and passed down. Nothing below
 * this module reads process.env. Every variable is documented in docs/config.md.
 */

import { readFileSync } from 'node:fs';
import { MIN_SECRET_KEY_LENGTH } from './crypto/secret-box.ts';
import { DEFAULT_ROLES, type RoleDefinition, roleDefinitionsProblem } from './directory/role-definitions.ts';
import type { ValveDefaults } from './directory/valves.ts';

export interface Config {
  /** TCP port to listen on (PORT, default 3000). */
  port: number;
  /** Interface to bind (HOST, default 127.0.0.1). */
  host: string;
  /** `sqlite:<file>` or `postgres://…` (DATABASE_URL, default sqlite:./data/scim.db). */
  databaseUrl: string;
  /**
   * Public origin used in meta.location and printed SCIM base URLs (PUBLIC_URL). When unset,
   * locations are built from the request's Host header and the CLI prints http://HOST:PORT.
   */
  publicUrl: string | undefined;
  /** Create a first organization and print its token when the database has none (BOOTSTRAP, default true). */
  bootstrap: boolean;
  /** pino level (LOG_LEVEL, default info). */
  logLevel: string;
  /** Largest request body accepted, in bytes (MAX_BODY_BYTES, default 4 MiB). */
  maxBodyBytes: number;
  /** Page size when a list request gives no count (DEFAULT_PAGE_SIZE, default 100). */
  defaultPageSize: number;
  /** Largest page a list request may ask for; advertised as filter.maxResults (MAX_PAGE_SIZE, default 1000). */
  maxPageSize: number;
  /** Trust X-Forwarded-* headers from a reverse proxy (TRUST_PROXY, default false). */
  trustProxy: boolean;
  /**
   * Key material that seals RFC 9865 cursors (CURSOR_SECRET, at least 32 characters). Unset:
   * a random secret generated into the database by its migrations, so every instance on one
   * database accepts the others' cursors.
   */
  cursorSecret: string | undefined;
  /** How long a cursor stays valid, in seconds; advertised as cursorTimeout (CURSOR_TIMEOUT, default 3600). */
  cursorTimeout: number;
  /** Most operations in one POST /Bulk; advertised as bulk.maxOperations (BULK_MAX_OPERATIONS, default 1000). */
  bulkMaxOperations: number;
  /** Request rate limits per token and per org (src/http/rate-limit.ts). */
  rateLimit: RateLimitConfig;
  /** Record every SCIM request and response per org (REQUEST_LOG, default true; src/http/request-log.ts). */
  requestLog: boolean;
  /** Answer the hot reads before Fastify's routing (FAST_READS, default true; src/http/fast-reads.ts). */
  fastReads: boolean;
  /** Days a request-log row is kept (REQUEST_LOG_RETENTION_DAYS, default 7). */
  requestLogRetentionDays: number;
  /** Newest request-log rows kept per org (REQUEST_LOG_MAX_ROWS_PER_ORG, default 100000). */
  requestLogMaxRowsPerOrg: number;
  /**
   * Days an audit-trail entry is kept (AUDIT_RETENTION_DAYS, 1 to 36500); undefined (the
   * default) keeps them forever. Pruned hourly by one instance at a time (directory/audit.ts).
   */
  auditRetentionDays: number | undefined;
  /** Bearer token /metrics asks for (METRICS_TOKEN, at least 16 characters); unset, /metrics is open. */
  metricsToken: string | undefined;
  /**
   * Each request's time budget in milliseconds (REQUEST_TIMEOUT_MS, default 10000): a read
   * still running then is stopped and the request answered 503 (src/http/request-budget.ts).
   */
  requestTimeoutMs: number;
  /**
   * Key material sealing secrets at rest, at least 32 characters (SECRET_KEY; WEBHOOK_SECRET_KEY
   * is its older name, still read): webhook secrets, SSO client secrets and private keys, the
   * OIDC provider's keys (src/crypto/secret-box.ts). Unset: a key generated into the database.
   */
  secretKey: string | undefined;
  /**
   * Whether SSO connections' IdP URLs may be plain http or on loopback, private or other
   * non-public addresses (SSO_ALLOW_PRIVATE, default false; docs/sso.md).
   */
  ssoAllowPrivate: boolean;
  /**
   * Operators' SSO sign-in to the console (docs/console.md): the org whose SSO connection signs
   * operators in (OPERATOR_SSO_ORG; unset: off), matched to operators by the verified email,
   * and whether a sign-in of an email no operator has makes one (OPERATOR_SSO_CREATE, default false).
   */
  operatorSso: { orgId: string | undefined; createOperators: boolean };
  /** Webhook delivery and event retention (src/events/, docs/webhooks.md). */
  events: EventsConfig;
  /**
   * PostgreSQL: how often, in seconds, the server looks for its tables that changed a lot
   * since their last ANALYZE and analyses them (PG_ANALYZE_INTERVAL_SECONDS, default 10; 0 or
   * `off`: never; store/pg-analyze.ts, docs/deployment.md). Ignored on SQLite.
   */
  pgAnalyzeIntervalSeconds: number;
  /**
   * OpenTelemetry traces (src/tracing.ts), off unless the standard OTEL_* variables ask for
   * them: undefined when off. The exporter reads its own OTEL_EXPORTER_OTLP_* variables
   * (endpoint, headers, timeout) and the SDK its OTEL_BSP_* and OTEL_TRACES_SAMPLER ones.
   */
  tracing: TracingConfig | undefined;
  /** The safety valves' defaults; each org may override them (docs/safety-valves.md). */
  valves: ValveDefaults;
  /**
   * The custom properties the deployment declares (PROPERTIES as JSON, or PROPERTIES_FILE
   * naming a JSON file; docs/properties.md): each org fills them from SCIM attributes.
   */
  properties: PropertyDef[];
  /**
   * The roles orgs map IdP groups to (docs/roles.md): ROLES (a JSON array of {key, name,
   * priority}) or ROLES_FILE (a file holding one); default owner, admin, member, viewer.
   */
  roles: readonly RoleDefinition[];
  /** The OIDC provider to the host app (src/oidc/, docs/sso.md "Sign-in for your app"). */
  oidc: OidcConfig;
}

export interface OidcConfig {
  /** Seconds an access token lives (OIDC_ACCESS_TOKEN_TTL, default 300). */
  accessTokenTtl: number;
  /** Seconds a refresh token, its grant and session live (OIDC_REFRESH_TOKEN_TTL, default 14 days). */
  refreshTokenTtl: number;
}

/** A deployment-declared custom property (docs/properties.md). */
export interface PropertyDef {
  /** Its name in `properties` on users: letters, digits and `_`, starting with a letter. */
  key: string;
  type: PropertyType;
  description: string;
}

export const PROPERTY_TYPES = ['string', 'number', 'boolean', 'dateTime'] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];
/** Most properties a deployment may declare. */
export const MAX_PROPERTIES = 100;
const PROPERTY_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export interface TracingConfig {
  /** OTEL_TRACES_EXPORTER: `otlp` (to OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT) or `console` (stdout). */
  exporter: 'otlp' | 'console';
  /** OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL: `http/protobuf` (the standard's default) or `http/json`. */
  protocol: 'http/protobuf' | 'http/json';
  /** OTEL_SERVICE_NAME, default `scimitar`. */
  serviceName: string;
}

export interface EventsConfig {
  /** Run the webhook dispatcher in this process (WEBHOOKS, default true). */
  deliver: boolean;
  /** Days events are kept for the feed (EVENT_RETENTION_DAYS, default 30). */
  retentionDays: number;
  /** A receiver that has not answered by then is cut off (WEBHOOK_TIMEOUT_MS, default 10000). */
  timeoutMs: number;
  /** Retries go on this long after the first attempt, then the delivery fails (WEBHOOK_RETRY_HOURS, default 24). */
  retryHours: number;
  /** First retry delay; each next one doubles, up to an hour, with jitter (WEBHOOK_RETRY_BASE_MS, default 5000). */
  retryBaseMs: number;
  /** Deliveries in flight at once per process (WEBHOOK_CONCURRENCY, default 32). */
  concurrency: number;
  /** How often the dispatcher looks for work when nothing woke it (WEBHOOK_POLL_MS, default 200). */
  pollMs: number;
  /**
   * Whether webhook endpoints may be on loopback, private, link-local or other non-public
   * addresses (WEBHOOK_ALLOW_PRIVATE, default false: SSRF protection, events/address-policy.ts).
   */
  allowPrivate: boolean;
}

export type RateLimitBackend = 'memory' | 'postgres' | 'redis';

export interface RateLimitConfig {
  /** Requests per window per token; 0 = no limit (RATE_LIMIT_PER_TOKEN, default 0: off). */
  perToken: number;
  /** Requests per window per org, all its tokens together; 0 = no limit (RATE_LIMIT_PER_ORG, default 0: off). */
  perOrg: number;
  /**
   * Failed authentications per window per client address, across orgs; over it, 429 instead
   * of 401; 0 = no limit (RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS, default 120).
   */
  unauthenticatedPerAddress: number;
  /** Window length in seconds (RATE_LIMIT_WINDOW_SECONDS, default 60). */
  windowSeconds: number;
  /** Where counters live (RATE_LIMIT_BACKEND): redis when REDIS_URL is set, else postgres on PostgreSQL, else memory. */
  backend: RateLimitBackend;
  /** redis://… (REDIS_URL). */
  redisUrl: string | undefined;
  /** Prefix of the Redis keys (RATE_LIMIT_KEY_PREFIX, default `scim:rl:`), so deployments can share a Redis. */
  keyPrefix: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got '${raw}'`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name} must be true or false, got '${raw}'`);
}

function databaseUrl(env: Env): string {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return 'sqlite:./data/scim.db';
  if (/^sqlite:.+/.test(raw) || /^postgres(ql)?:\/\/.+/.test(raw)) return raw;
  throw new ConfigError(`DATABASE_URL must be 'sqlite:<file>' or 'postgres://…', got '${raw}'`);
}

function publicUrl(env: Env): string | undefined {
  const raw = env.PUBLIC_URL;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute http(s) URL, got '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`PUBLIC_URL must be an http(s) URL, got '${raw}'`);
  }
  return raw.replace(/\/+$/, '');
}

function cursorSecret(env: Env): string | undefined {
  const raw = env.CURSOR_SECRET;
  if (raw === undefined || raw === '') return undefined;
  // Anyone who knows the secret can mint cursors; a short one could be guessed offline from one cursor.
  if (raw.length < 32)
    throw new ConfigError(`CURSOR_SECRET must be at least 32 characters, got ${raw.length}`);
  return raw;
}

function metricsToken(env: Env): string | undefined {
  const raw = env.METRICS_TOKEN;
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 16)
    throw new ConfigError(`METRICS_TOKEN must be at least 16 characters, got ${raw.length}`);
  return raw;
}

function rateLimit(env: Env, databaseUrl: string): RateLimitConfig {
  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\/.+/.test(redisUrl)) {
    throw new ConfigError(`REDIS_URL must be 'redis://…' or 'rediss://…', got '${redisUrl}'`);
  }
  const postgres = !databaseUrl.startsWith('sqlite:');
  const raw = env.RATE_LIMIT_BACKEND || (redisUrl ? 'redis' : postgres ? 'postgres' : 'memory');
  if (raw !== 'memory' && raw !== 'postgres' && raw !== 'redis') {
    throw new ConfigError(`RATE_LIMIT_BACKEND must be memory, postgres or redis, got '${raw}'`);
  }
  if (raw === 'redis' && !redisUrl) throw new ConfigError('RATE_LIMIT_BACKEND=redis needs REDIS_URL');
  if (raw === 'postgres' && !postgres) {
    throw new ConfigError('RATE_LIMIT_BACKEND=postgres needs a postgres:// DATABASE_URL');
  }
  return {
    perToken: integer(env, 'RATE_LIMIT_PER_TOKEN', 0, 0, 100_000_000),
    perOrg: integer(env, 'RATE_LIMIT_PER_ORG', 0, 0, 100_000_000),
    unauthenticatedPerAddress: integer(env, 'RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS', 120, 0, 100_000_000),
    windowSeconds: integer(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 24 * 3600),
    backend: raw,
    redisUrl,
    keyPrefix: env.RATE_LIMIT_KEY_PREFIX || 'scim:rl:',
  };
}

/**
 * Traces are on when OTEL_TRACES_EXPORTER names an exporter, or when an OTLP endpoint is set
 * and OTEL_TRACES_EXPORTER is unset; never with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none.
 * The standard's default exporter is otlp, but a server that sends nothing unless asked is ours.
 */
function tracingConfig(env: Env): TracingConfig | undefined {
  if (boolean(env, 'OTEL_SDK_DISABLED', false)) return undefined;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const named = (env.OTEL_TRACES_EXPORTER ?? '').trim().toLowerCase();
  const exporter = named === '' ? (endpoint ? 'otlp' : 'none') : named;
  if (exporter === 'none') return undefined;
  if (exporter !== 'otlp' && exporter !== 'console') {
    throw new ConfigError(`OTEL_TRACES_EXPORTER must be otlp, console or none, got '${named}'`);
  }
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ||
    env.OTEL_EXPORTER_OTLP_PROTOCOL ||
    'http/protobuf'
  )
    .trim()
    .toLowerCase();
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new ConfigError(
      `OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (grpc is not supported), got '${protocol}'`,
    );
  }
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
    const value = env[name];
    if (!value) continue;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      // The value is not repeated: a URL may carry credentials.
      throw new ConfigError(`${name} must be an http:// or https:// URL`);
    }
  }
  return { exporter, protocol, serviceName: env.OTEL_SERVICE_NAME || 'scimitar' };
}

function valvesConfig(env: Env): ValveDefaults {
  const contact = (env.SEAT_CAP_CONTACT ?? '').trim();
  if (contact.length > 200) throw new ConfigError(`SEAT_CAP_CONTACT must be at most 200 characters`);
  return {
    enabled: boolean(env, 'VALVE_DEPROVISIONING', true),
    percent: integer(env, 'VALVE_PERCENT', 30, 1, 100),
    minUsers: integer(env, 'VALVE_MIN_USERS', 10, 0, 1_000_000),
    windowSeconds: integer(env, 'VALVE_WINDOW_SECONDS', 3600, 60, 30 * 24 * 3600),
    contact: contact === '' ? undefined : contact,
  };
}

function secretKeyConfig(env: Env): string | undefined {
  const key = env.SECRET_KEY || undefined;
  const older = env.WEBHOOK_SECRET_KEY || undefined;
  if (key !== undefined && older !== undefined && key !== older) {
    throw new ConfigError(
      'SECRET_KEY and WEBHOOK_SECRET_KEY (its older name) are both set, to different values',
    );
  }
  const name = key !== undefined ? 'SECRET_KEY' : 'WEBHOOK_SECRET_KEY';
  const value = key ?? older;
  if (value !== undefined && value.length < MIN_SECRET_KEY_LENGTH) {
    throw new ConfigError(
      `${name} must be at least ${MIN_SECRET_KEY_LENGTH} characters, got ${value.length}`,
    );
  }
  return value;
}

/** PG_ANALYZE_INTERVAL_SECONDS: 1 to 3600, or 0 / `off` (never). */
function pgAnalyzeInterval(env: Env): number {
  const raw = env.PG_ANALYZE_INTERVAL_SECONDS;
  if (raw !== undefined && raw.trim().toLowerCase() === 'off') return 0;
  return integer(env, 'PG_ANALYZE_INTERVAL_SECONDS', 10, 0, 3600);
}

function eventsConfig(env: Env): EventsConfig {
  return {
    deliver: boolean(env, 'WEBHOOKS', true),
    retentionDays: integer(env, 'EVENT_RETENTION_DAYS', 30, 1, 3650),
    timeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    retryHours: integer(env, 'WEBHOOK_RETRY_HOURS', 24, 1, 24 * 30),
    retryBaseMs: integer(env, 'WEBHOOK_RETRY_BASE_MS', 5000, 10, 3_600_000),
    concurrency: integer(env, 'WEBHOOK_CONCURRENCY', 32, 1, 1000),
    pollMs: integer(env, 'WEBHOOK_POLL_MS', 200, 10, 60_000),
    allowPrivate: boolean(env, 'WEBHOOK_ALLOW_PRIVATE', false),
  };
}

/** PROPERTIES (JSON) or PROPERTIES_FILE (a JSON file): an array of {key, type, description?}. */
function properties(env: Env): PropertyDef[] {
  const inline = env.PROPERTIES;
  const file = env.PROPERTIES_FILE;
  if (inline && file) throw new ConfigError('Set PROPERTIES or PROPERTIES_FILE, not both');
  let text: string;
  let from: string;
  if (inline) {
    text = inline;
    from = 'PROPERTIES';
  } else if (file) {
    from = `PROPERTIES_FILE (${file})`;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`${from} cannot be read: ${(error as Error).message}`);
    }
  } else return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${from} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed))
    throw new ConfigError(`${from} must be a JSON array of {key, type, description}`);
  if (parsed.length > MAX_PROPERTIES) {
    throw new ConfigError(`${from} declares ${parsed.length} properties; at most ${MAX_PROPERTIES}`);
  }
  const seen = new Set<string>();
  return parsed.map((raw: unknown, i: number) => {
    const at = `${from}[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new ConfigError(`${at} must be an object`);
    const { key, type, description, ...rest } = raw as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw new ConfigError(`${at} has unknown field(s): ${unknown.join(', ')}`);
    if (typeof key !== 'string' || !PROPERTY_KEY.test(key)) {
      throw new ConfigError(`${at}.key must be letters, digits and _ (at most 64, starting with a letter)`);
    }
    if (seen.has(key.toLowerCase())) throw new ConfigError(`${at}.key '${key}' is declared twice`);
    seen.add(key.toLowerCase());
    if (typeof type !== 'string' || !(PROPERTY_TYPES as readonly string[]).includes(type)) {
      throw new ConfigError(`${at}.type must be one of ${PROPERTY_TYPES.join(', ')}`);
    }
    if (description !== undefined && (typeof description !== 'string' || description.length > 500)) {
      throw new ConfigError(`${at}.description must be a string of at most 500 characters`);
    }
    return { key, type: type as PropertyType, description: (description as string | undefined) ?? '' };
  });
}

function rolesConfig(env: Env): readonly RoleDefinition[] {
  if (env.ROLES && env.ROLES_FILE) throw new ConfigError('Set ROLES or ROLES_FILE, not both');
  let text = env.ROLES || undefined;
  const source = text !== undefined ? 'ROLES' : `ROLES_FILE (${env.ROLES_FILE})`;
  if (text === undefined && env.ROLES_FILE) {
    try {
      text = readFileSync(env.ROLES_FILE, 'utf8');
    } catch (error) {
      throw new ConfigError(`ROLES_FILE: cannot read ${env.ROLES_FILE}: ${(error as Error).message}`);
    }
  }
  if (text === undefined) return DEFAULT_ROLES;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  const problem = roleDefinitionsProblem(value);
  if (problem) throw new ConfigError(`${source}: ${problem}`);
  return (value as RoleDefinition[]).map((r) => ({ key: r.key, name: r.name, priority: r.priority }));
}

export function loadConfig(env: Env = process.env): Config {
  const defaultPageSize = integer(env, 'DEFAULT_PAGE_SIZE', 100, 1, 10_000);
  const maxPageSize = integer(env, 'MAX_PAGE_SIZE', 1000, 1, 10_000);
  if (defaultPageSize > maxPageSize) {
    throw new ConfigError(
      `DEFAULT_PAGE_SIZE (${defaultPageSize}) must not exceed MAX_PAGE_SIZE (${maxPageSize})`,
    );
  }
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl: databaseUrl(env),
    publicUrl: publicUrl(env),
    bootstrap: boolean(env, 'BOOTSTRAP', true),
    logLevel: env.LOG_LEVEL || 'info',
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 4 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    defaultPageSize,
    maxPageSize,
    trustProxy: boolean(env, 'TRUST_PROXY', false),
    bulkMaxOperations: integer(env, 'BULK_MAX_OPERATIONS', 1000, 1, 100_000),
    cursorSecret: cursorSecret(env),
    cursorTimeout: integer(env, 'CURSOR_TIMEOUT', 3600, 1, 7 * 24 * 3600),
    rateLimit: rateLimit(env, databaseUrl(env)),
    requestLog: boolean(env, 'REQUEST_LOG', true),
    fastReads: boolean(env, 'FAST_READS', true),
    requestLogRetentionDays: integer(env, 'REQUEST_LOG_RETENTION_DAYS', 7, 1, 3650),
    requestLogMaxRowsPerOrg: integer(env, 'REQUEST_LOG_MAX_ROWS_PER_ORG', 100_000, 1, 100_000_000),
    auditRetentionDays: env.AUDIT_RETENTION_DAYS
      ? integer(env, 'AUDIT_RETENTION_DAYS', 0, 1, 36_500)
      : undefined,
    metricsToken: metricsToken(env),
    secretKey: secretKeyConfig(env),
    ssoAllowPrivate: boolean(env, 'SSO_ALLOW_PRIVATE', false),
    operatorSso: {
      orgId: env.OPERATOR_SSO_ORG?.trim() || undefined,
      createOperators: boolean(env, 'OPERATOR_SSO_CREATE', false),
    },
    events: eventsConfig(env),
    pgAnalyzeIntervalSeconds: pgAnalyzeInterval(env),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 10_000, 1, 3_600_000),
    oidc: {
      accessTokenTtl: integer(env, 'OIDC_ACCESS_TOKEN_TTL', 300, 10, 24 * 3600),
      refreshTokenTtl: integer(env, 'OIDC_REFRESH_TOKEN_TTL', 14 * 24 * 3600, 60, 365 * 24 * 3600),
    },
    tracing: tracingConfig(env),
    properties: properties(env),
    valves: valvesConfig(env),
    roles: rolesConfig(env),
  };
}

/** The origin printed for humans when PUBLIC_URL is unset. */
export function displayOrigin(config: Config): string {
  if (config.publicUrl) return config.publicUrl;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

/**
 * Settings that are fine on a laptop and unsafe once the service is reachable from elsewhere
 * (docs/deployment.md, "Production settings"): the server logs each of these at start.
 */
export function productionWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const publicHost = config.publicUrl ? new URL(config.publicUrl).hostname : undefined;
  const exposed = !isLoopback(config.host) || (publicHost !== undefined && !isLoopback(publicHost));
  if (config.bootstrap && exposed) {
    warnings.push(
      'BOOTSTRAP is on while the server is reachable beyond this machine: a start on a database without organizations creates one and prints its token to the log. Set BOOTSTRAP=false and create organizations with `npx scimitar orgs create`.',
    );
  }
  if (config.publicUrl?.startsWith('http:') && publicHost !== undefined && !isLoopback(publicHost)) {
    warnings.push(
      `PUBLIC_URL is ${config.publicUrl}: IdPs would send their bearer tokens unencrypted. Put TLS in front (docs/deployment.md) and set PUBLIC_URL to an https:// origin.`,
    );
  }
  if (!config.metricsToken && !isLoopback(config.host)) {
    warnings.push(
      'METRICS_TOKEN is unset while the server listens beyond this machine: anyone who reaches it can read /metrics (organization ids, request counts). Set METRICS_TOKEN, or keep /metrics away from the public route at the proxy.',
    );
  }
  return warnings;
}
