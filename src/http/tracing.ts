/**
 * One span per HTTP request when tracing is on (src/tracing.ts): the span starts when Node
 * hands the request over and is the active span for everything Fastify then runs for it (the
 * directory's and the store's spans are its children), and ends when the response is closed.
 * It carries the route, method, status, organization and the IdP detected from the headers;
 * the URL path only as the request log redacts it, never the query string's values or a header.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { context, propagation, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyHttpOptions, FastifyInstance } from 'fastify';
import { tracer } from '../tracing.ts';
import { detectIdp, pathForLog } from './request-log-format.ts';

const spans = new WeakMap<IncomingMessage, Span>();

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Fastify's `serverFactory` with tracing: the HTTP server Fastify would build (its timeouts
 * too), whose handler runs each request inside a span of its own.
 */
export function tracedServer(handler: Handler, options: FastifyHttpOptions<Server>): Server {
  const server = createServer(options.http ?? {}, (request, response) => {
    const method = request.method ?? 'GET';
    // A caller's W3C `traceparent` makes this request a part of its trace.
    const parent = propagation.extract(context.active(), request.headers);
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': method,
          'url.path': pathForLog(request.url ?? '/').split('?')[0] ?? '/',
        },
      },
      parent,
    );
    spans.set(request, span);
    response.once('close', () => {
      span.setAttribute('http.response.status_code', response.statusCode);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!response.writableFinished) span.setAttribute('scimitar.client_disconnected', true);
      span.end();
    });
    context.with(trace.setSpan(parent, span), () => handler(request, response));
  });
  if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
  if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
  if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
  if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
  return server;
}

/** Names each request's span by its route and adds what Fastify knows of it. */
export async function requestSpans(app: FastifyInstance) {
  app.addHook('onRequest', (request, _reply, done) => {
    const span = spans.get(request.raw);
    if (!span) return done();
    const route = request.routeOptions.url;
    if (route) {
      span.updateName(`${request.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    if (route?.startsWith('/scim/')) span.setAttribute('scimitar.idp', detectIdp(request.headers));
    done();
  });
  app.addHook('onResponse', (request, _reply, done) => {
    const span = spans.get(request.raw);
    if (!span) return done();
    // The org once the request authenticated for it, else the one its URL names.
    const params = request.params as { org?: unknown; orgId?: unknown } | undefined;
    const named = typeof params?.org === 'string' ? params.org : params?.orgId;
    const org = request.scimActor?.orgId ?? (typeof named === 'string' ? named : undefined);
    if (org !== undefined) span.setAttribute('scimitar.org', org);
    span.setAttribute('scimitar.authenticated', request.scimActor != null);
    done();
  });
}

// Hooks on the root instance, like fastify-plugin's `skip-override`, so they apply to every route.
(requestSpans as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
