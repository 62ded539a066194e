/**
 * buildApp(config): the Fastify application, separate from the process that listens
 * (src/main.ts), so tests drive it with inject() or on a loopback port.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { consoleApp } from '../console/index.ts';
import { isPagePath, malformedPageUrl } from '../console/plugin.ts';
import { setupPages } from '../console/setup.ts';
import type { DirectoryDeps } from '../directory/deps.ts';
import { Directory } from '../directory/directory.ts';
import { oidcRoutes } from '../oidc/routes.ts';
import { ScimError } from '../scim/errors.ts';
import { ssoRoutes } from '../sso/routes.ts';
import { tracingOn } from '../tracing.ts';
import { API_PREFIX, managementApi, sendApiError } from './api/index.ts';
import { installFastReads } from './fast-reads.ts';
import { healthRoutes } from './health.ts';
import { jsonBodyParser } from './json-body.ts';
import { metricsRoutes } from './metrics.ts';
import { setupRateLimit } from './rate-limit.ts';
import { requestBudget } from './request-budget.ts';
import { requestLog } from './request-log.ts';
import { pathForLog } from './request-log-format.ts';
import { errorBody, JSON_CONTENT_TYPE, SCIM_CONTENT_TYPE, sendError, wantsPlainJson } from './responses.ts';
import { compilersFactory } from './schema-compilers.ts';
import { scimRoutes } from './scim-routes.ts';
import { requestSpans, tracedServer } from './tracing.ts';
import { closeUnusedConnectionsOnClose } from './unused-connections.ts';

declare module 'fastify' {
  interface FastifyInstance {
    directory: Directory;
    config: Config;
  }
}

export interface BuildOptions {
  /** Use this directory instead of opening config.databaseUrl (it is not closed with the app). */
  directory?: Directory;
  /** Override clock / id generation (tests). */
  deps?: Partial<Omit<DirectoryDeps, 'database'>>;
  /** pino logger options or false; defaults to config.logLevel. */
  logger?: boolean | { level: string; stream?: { write(line: string): void } };
}

/** Fastify's own client errors, mapped to the SCIM error they mean. */
function fastifyErrorToScim(error: FastifyError, maxBodyBytes: number): ScimError | undefined {
  // RFC 7644 §3.7.4: the 413 names the limit (advertised as bulk.maxPayloadSize).
  const tooLarge = `The request body is larger than this server accepts (maxPayloadSize ${maxBodyBytes} bytes)`;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return ScimError.payloadTooLarge(tooLarge);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return ScimError.unsupportedMediaType('Send application/scim+json or application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return ScimError.invalidSyntax(error.message);
  }
  if (error.statusCode === 413) return ScimError.payloadTooLarge(tooLarge);
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new ScimError(
      error.statusCode,
      error.statusCode === 400 ? 'invalidSyntax' : undefined,
      error.message,
    );
  }
  return undefined;
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a malformed request line or
 * header, a bad Content-Length or chunk, headers over the size limit, a timeout) are answered
 * with a SCIM error body too (RFC 7644 §3.12), not Fastify's plain JSON; then the connection closes.
 */
function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const detail =
    status === 431
      ? 'The request line and headers are larger than this server accepts'
      : status === 408
        ? 'The request was not received in time'
        : `The HTTP request is malformed (${error.code ?? 'parse error'})`;
  const body = JSON.stringify(
    errorBody(new ScimError(status, status === 400 ? 'invalidSyntax' : undefined, detail)),
  );
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${SCIM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** What the server log says of a request (pino's `req`): Fastify's default fields, the URL redacted. */
export function requestForLog(request: Pick<FastifyRequest, 'method' | 'url' | 'host' | 'ip' | 'socket'>) {
  return {
    method: request.method,
    url: pathForLog(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? { level: config.logLevel };
  const app = Fastify({
    // The server's own log carries each request's URL: its query string is redacted as the
    // request log's is (a `filter=password eq "…"`, `?access_token=`), never logged as sent.
    logger:
      logger === false ? false : { ...(logger === true ? {} : logger), serializers: { req: requestForLog } },
    bodyLimit: config.maxBodyBytes,
    trustProxy: config.trustProxy,
    genReqId: () => randomUUID(),
    clientErrorHandler,
    // Filters and ids may be long; the default 100-char parameter limit would cut them.
    // Some clients write /users for /Users; paths match case-insensitively (ids keep their case).
    // Errors the router raises before any route runs (an over-long id, a malformed URL) are
    // SCIM errors too.
    frameworkErrors: (error, request, reply) => {
      if (request.url.startsWith(`${API_PREFIX}/`))
        return sendApiError(request, reply, error, config.maxBodyBytes);
      if (isPagePath(request.url)) return malformedPageUrl(reply);
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
        return sendError(reply, ScimError.notFound('No such resource: ids are at most 1024 characters'));
      }
      return sendError(reply, ScimError.invalidSyntax(`The request URL is malformed: ${error.message}`));
    },
    routerOptions: { maxParamLength: 1024, ignoreTrailingSlash: true, caseSensitive: false },
    // With tracing on, a server whose handler runs each request in a span (tracing.ts).
    ...(tracingOn() ? { serverFactory: tracedServer } : {}),
    // Route schemas (the management API's) refuse unknown properties rather than drop them.
    ajv: { customOptions: { removeAdditional: false } },
    // Compiled once per process, not once per app (schema-compilers.ts).
    schemaController: { compilersFactory },
  });

  const directory =
    options.directory ??
    (await Directory.open(
      config.databaseUrl,
      {
        secretKey: config.secretKey,
        ssoAllowPrivate: config.ssoAllowPrivate,
        webhookAllowPrivate: config.events.allowPrivate,
        roles: config.roles,
        properties: config.properties,
        valves: config.valves,
        ...options.deps,
      },
      { statementTimeoutMs: config.requestTimeoutMs },
    ));
  app.decorate('directory', directory);
  app.decorate('config', config);
  closeUnusedConnectionsOnClose(app);
  if (!options.directory) app.addHook('onClose', async () => directory.close());
  // Fastify runs onClose hooks last added first: the jobs below stop before the directory closes.
  if (config.auditRetentionDays !== undefined) {
    // The audit trail's retention (docs/config.md AUDIT_RETENTION_DAYS): one instance at a time.
    const pruning = directory.audit.startPruning(config.auditRetentionDays, {
      onError: (error) => app.log.warn({ err: error }, 'audit trail: pruning failed'),
    });
    app.addHook('onClose', () => pruning.stop());
  }
  if (config.pgAnalyzeIntervalSeconds > 0) {
    // PostgreSQL: ANALYZE of the tables that changed a lot (docs/deployment.md "Table
    // statistics on PostgreSQL"), one instance at a time; nothing on SQLite. Started once the
    // app is ready, so that an app whose build failed leaves no timer behind.
    let analyzing: ReturnType<Directory['startAnalyzing']>;
    app.addHook('onReady', async () => {
      analyzing = directory.startAnalyzing({
        everyMs: config.pgAnalyzeIntervalSeconds * 1000,
        onError: (error) => app.log.warn({ err: error }, 'PostgreSQL ANALYZE round failed'),
        onAnalysed: (tables) => app.log.debug({ tables }, 'PostgreSQL tables analysed'),
      });
    });
    app.addHook('onClose', async () => analyzing?.stop());
  }

  // SCIM bodies are JSON whatever the client calls them (RFC 7644 §3.1 says
  // application/scim+json; IdPs also send application/json, some send nothing useful).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'string' },
    jsonBodyParser({
      syntax: (message) => ScimError.invalidSyntax(`The request body is not valid JSON: ${message}`),
      nul: () => ScimError.invalidValue('Strings may not contain the NUL character (U+0000)'),
    }),
  );

  app.setErrorHandler((error: FastifyError | ScimError, request, reply) => {
    if (error instanceof ScimError) return sendError(reply, error);
    const mapped = fastifyErrorToScim(error, config.maxBodyBytes);
    if (mapped) return sendError(reply, mapped);
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, ScimError.internal());
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, ScimError.notFound(`No endpoint ${request.method} ${request.url.split('?')[0]}`)),
  );

  await app.register(healthRoutes);

  // RFC 7644 §3.8: every SCIM body (routes, errors, unknown endpoints) goes out as
  // application/scim+json unless the client accepts only application/json.
  // Synchronous, as every hook on the hot path: an async hook costs a promise per request.
  app.addHook('onSend', (request, reply, payload, done) => {
    const accept = request.headers.accept;
    if (accept !== undefined && wantsPlainJson(accept)) {
      const type = reply.getHeader('content-type');
      if (typeof type === 'string' && type.startsWith('application/scim+json')) {
        reply.header('content-type', JSON_CONTENT_TYPE);
      }
    }
    done(null, payload);
  });

  if (tracingOn()) await app.register(requestSpans);
  await app.register(requestBudget);
  await app.register(requestLog);
  await app.register(metricsRoutes);
  await setupRateLimit(app);
  await app.register(scimRoutes, { prefix: '/scim/v2/:org' });
  await app.register(managementApi, { prefix: API_PREFIX });
  // The OIDC provider needs its issuer: PUBLIC_URL (docs/sso.md "Sign-in for your app").
  if (config.publicUrl) {
    const settings = {
      publicUrl: config.publicUrl,
      trustProxy: config.trustProxy === true,
      allowPrivate: config.events.allowPrivate,
      ...config.oidc,
    };
    await app.register(oidcRoutes({ settings }), { prefix: '/oidc' });
    // SSO with the org's IdP: its redirect URIs are built from PUBLIC_URL too (docs/sso.md).
    await app.register(ssoRoutes({ publicUrl: config.publicUrl }), { prefix: '/sso' });
  }
  await app.register(consoleApp, { prefix: '/console' });
  await app.register(setupPages, { prefix: '/setup' });
  // GET by id and the userName lookup answered before Fastify's routing (fast-reads.ts).
  installFastReads(app, { tracing: tracingOn() });
  return app;
}
