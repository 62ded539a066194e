/**
 * The two hot SCIM reads answered before Fastify's routing, hooks and reply machinery
 * (FAST_READS, docs/config.md): `GET <base>/Users/<id>` with no query string, and
 * `GET <base>/Users?filter=userName eq "…"` with no other parameter, where `<base>` is
 * `/scim/v2/<org>`. An IdP sends these two far more than anything else; Fastify's own share of
 * them (routing, request and reply objects, the hook chain, the child logger) was about a third
 * of the server's CPU per request (measured: bench numbers in docs/benchmarks.md).
 *
 * They call the same directory methods and the same rendering as the routes (scim-resources.ts,
 * scim-lists.ts) and write the same status, headers and body; they feed the same request log,
 * metrics and server log lines. Anything else, or any doubt, goes to Fastify untouched: another
 * method, path or parameter, odd casing, a trailing slash, an encoded character, a request
 * body, a precondition header, and every answer but a 200 (a refused token, an unknown id, a
 * bad filter): those are found before anything is written or counted, and Fastify then handles
 * the request from the start, as if the fast path did not exist (reading the token again; its
 * "last used" mark is written at most once a minute anyway). Off entirely, leaving everything to
 * Fastify, when tracing is on, when TRUST_PROXY is set, when a token or org rate limit is set
 * (an admitted request is counted and its response carries RateLimit headers), and while the
 * app is closing (Fastify answers 503 then).
 *
 * test/http/fast-reads.test.ts sends the same requests to a server with and without it.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Actor } from '../directory/deps.ts';
import type { Credentials } from '../directory/orgs.ts';
import { type Resource, resourceEtag } from '../directory/resources.ts';
import { type ListQuery, parseListQuery } from '../scim/list-query.ts';
import { USER } from '../scim/schema/definitions.ts';
import type { ResourceSchema } from '../scim/schema/types.ts';
import { listText, resourceText } from './render.ts';
import { budgetSignal } from './request-budget.ts';
import { JSON_CONTENT_TYPE, LIST_RESPONSE, SCIM_CONTENT_TYPE, wantsPlainJson } from './responses.ts';

/** `/scim/v2/<org>/Users/<id>`: an org id as orgs have them, an id of unreserved characters only. */
const BY_ID = /^\/scim\/v2\/([a-z0-9][a-z0-9-]{0,62})\/Users\/([A-Za-z0-9._~-]{1,1024})$/;
/** `/scim/v2/<org>/Users?<query>` (no fragment). */
const LIST = /^\/scim\/v2\/([a-z0-9][a-z0-9-]{0,62})\/Users\?([^#]{1,4096})$/;

/** The routes (their Fastify patterns) the metrics count these requests under. */
const BY_ID_ROUTE = '/scim/v2/:org/Users/:id';
const LIST_ROUTE = '/scim/v2/:org/Users';

/** What Fastify would hand the routes, and what the request log, metrics and server log read. */
interface Hot {
  req: IncomingMessage;
  res: ServerResponse;
  org: string;
  /** performance.now() when the request reached us. */
  start: number;
  /** Its id, as Fastify's genReqId (app.ts) would make it: the server log's reqId, the request log's. */
  requestId: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Whether a request may be a hot read at all, from its method and headers alone. */
function plainGet(req: IncomingMessage): boolean {
  if (req.method !== 'GET') return false;
  const h = req.headers;
  // A body (Fastify would read it), a precondition (304/412), Fastify's version constraint:
  // not ours to judge.
  if (
    h['transfer-encoding'] !== undefined ||
    (h['content-length'] !== undefined && h['content-length'] !== '0')
  )
    return false;
  return h['if-match'] === undefined && h['if-none-match'] === undefined && h['accept-version'] === undefined;
}

/**
 * The value of a query string that is `filter=<value>` and nothing else, decoded as Fastify's
 * query parser (fast-querystring, by find-my-way) decodes it: `+` is a space, then
 * percent-decoding. Undefined for anything else, or for a value that does not decode (left
 * to Fastify).
 */
function filterOf(raw: string): string | undefined {
  if (!raw.startsWith('filter=') || raw.includes('&')) return undefined;
  const value = raw.slice('filter='.length).replaceAll('+', ' ');
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** The list query of `filter=userName eq "<string>"`, or undefined. */
function userNameLookup(raw: string, app: FastifyInstance): ListQuery | undefined {
  const filter = filterOf(raw);
  if (!filter) return undefined;
  let query: ListQuery;
  try {
    query = parseListQuery({ filter }, USER, app.config);
  } catch {
    return undefined; // Fastify answers the 401 or the 400
  }
  const f = query.filter;
  if (f?.op !== 'eq' || !('attr' in f) || f.attr.path !== 'userName' || typeof f.value !== 'string')
    return undefined;
  return query;
}

/**
 * Installs the fast path in front of the handler Fastify gave the HTTP server, if the settings
 * allow it (see above). Call once every plugin is registered.
 */
export function installFastReads(app: FastifyInstance, options: { tracing: boolean }): void {
  const config = app.config;
  const stats = { on: false, served: 0 };
  app.decorate('fastReads', stats);
  if (!config.fastReads || options.tracing || config.trustProxy || app.rateLimit.countsAuthenticated) return;
  const server = app.server;
  const handlers = server.listeners('request') as Handler[];
  const fastify = handlers[0];
  if (handlers.length !== 1 || !fastify) return;
  stats.on = true;
  const directory = app.directory;
  const budgetMs = config.requestTimeoutMs;
  let closing = false;
  // Fastify logs each request at info ('incoming request', 'request completed'); so do we then.
  const logger = app.log as { isLevelEnabled?: (level: string) => boolean };
  const infoLogged = () => logger.isLevelEnabled?.('info') === true;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });

  function actorOf(hot: Hot, credentials: Credentials): Actor {
    const { tokenId, idpProfile, schemaVersion, hasRoleRules } = credentials;
    let signal: AbortSignal | undefined;
    return {
      orgId: hot.org,
      tokenId,
      requestId: hot.requestId,
      get signal() {
        signal ??= budgetSignal(hot.res, performance.now() - hot.start, budgetMs);
        return signal;
      },
      idpProfile,
      schemaVersion,
      hasRoleRules,
      appliedQuirks: [],
    };
  }

  function schemaOf(actor: Actor): ResourceSchema | Promise<ResourceSchema> {
    return (
      directory.properties.knownResourceSchema(actor, USER) ??
      directory.properties.resourceSchema(actor, USER)
    );
  }

  function baseOf(hot: Hot): string {
    const origin =
      config.publicUrl ??
      `${(hot.req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'}://${logView(hot.req).host}`;
    return `${origin}/scim/v2/${encodeURIComponent(hot.org)}`;
  }

  /** The request as the server log's serializer reads it (app.ts requestForLog), as Fastify has it. */
  function logView(req: IncomingMessage) {
    return {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      host: req.headers.host ?? (req.headers[':authority'] as string | undefined) ?? '',
      ip: req.socket?.remoteAddress as string,
      socket: req.socket,
    };
  }

  /** Writes a 200 as the route would, then (once it is sent) logs and counts it as Fastify's hooks do. */
  function send(hot: Hot, actor: Actor, route: string, etag: string | undefined, text: string) {
    const { req, res, requestId } = hot;
    const log = infoLogged() ? app.log.child({ reqId: requestId }) : undefined;
    log?.info({ req: logView(req) }, 'incoming request');
    const accept = req.headers.accept;
    // The order Fastify writes them in: the route's headers, then content-length.
    const headers: Record<string, string> = {};
    if (etag !== undefined) headers.etag = etag;
    headers['content-type'] =
      accept !== undefined && wantsPlainJson(accept) ? JSON_CONTENT_TYPE : SCIM_CONTENT_TYPE;
    headers['content-length'] = String(Buffer.byteLength(text));
    const finished = () => {
      res.removeListener('finish', finished);
      res.removeListener('error', finished);
      const elapsed = performance.now() - hot.start;
      const request = { method: 'GET', headers: req.headers, scimActor: actor };
      app.countRequest(request, route, 200, elapsed);
      if (config.requestLog) {
        app.requestLog.capture({
          orgId: hot.org,
          actor,
          at: directory.deps.now().getTime() - elapsed,
          requestId,
          method: 'GET',
          url: req.url ?? '',
          status: 200,
          durationMs: elapsed,
          headers: req.headers,
          requestBody: undefined,
          payload: text,
          auth: undefined,
          allow: undefined,
          retryAfter: undefined,
          bytes: (Number(req.headers['content-length']) || 0) + text.length,
        });
      }
      log?.info({ res: { statusCode: 200 }, responseTime: elapsed }, 'request completed');
    };
    res.on('finish', finished);
    res.on('error', finished);
    res.writeHead(200, headers);
    res.end(text);
  }

  /** GET /Users/<id>: the route's work (scim-resources.ts); undefined when Fastify must answer. */
  async function byId(hot: Hot, id: string): Promise<(() => void) | undefined> {
    let got: { credentials: Credentials; resource: () => Resource };
    try {
      got = await directory.getAuthenticated(hot.org, hot.req.headers.authorization, USER, id);
    } catch {
      return undefined; // 401
    }
    const actor = actorOf(hot, got.credentials);
    let record: Resource;
    try {
      record = got.resource();
    } catch {
      return undefined; // 404
    }
    const rs = await schemaOf(actor);
    const text = resourceText({ directory, base: baseOf(hot) }, rs, record, {
      attributes: undefined,
      excludedAttributes: undefined,
    });
    if (text === undefined) return undefined;
    return () => send(hot, actor, BY_ID_ROUTE, resourceEtag(record), text);
  }

  /** GET /Users?filter=userName eq "…": the list route's work (scim-lists.ts). */
  async function lookup(hot: Hot, query: ListQuery): Promise<(() => void) | undefined> {
    let got: Awaited<ReturnType<typeof directory.listAuthenticated>>;
    try {
      got = await directory.listAuthenticated(hot.org, hot.req.headers.authorization, USER, query);
    } catch {
      return undefined; // 401
    }
    const actor = actorOf(hot, got.credentials);
    const result = await got.list(actor);
    const rs = await schemaOf(actor);
    const head = {
      schemas: [LIST_RESPONSE],
      totalResults: result.total,
      startIndex: result.startIndex,
      itemsPerPage: result.records.length,
    };
    const text = listText({ directory, base: baseOf(hot) }, rs, head, result.records, {
      attributes: query.attributes,
      excludedAttributes: query.excludedAttributes,
    });
    if (text === undefined) return undefined;
    return () => send(hot, actor, LIST_ROUTE, undefined, text);
  }

  server.removeListener('request', fastify);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url;
    if (closing || url === undefined || !plainGet(req)) return fastify(req, res);
    const start = performance.now();
    let work: Promise<(() => void) | undefined>;
    const byIdMatch = BY_ID.exec(url);
    if (byIdMatch) {
      work = byId(
        { req, res, org: byIdMatch[1] as string, start, requestId: randomUUID() },
        byIdMatch[2] as string,
      );
    } else {
      const listMatch = LIST.exec(url);
      const query = listMatch && userNameLookup(listMatch[2] as string, app);
      if (!listMatch || !query) return fastify(req, res);
      work = lookup({ req, res, org: listMatch[1] as string, start, requestId: randomUUID() }, query);
    }
    work.then(
      (answer) => {
        // Nothing written yet: Fastify answers as if it had had the request all along.
        if (answer === undefined || closing) return fastify(req, res);
        stats.served++;
        answer();
      },
      () => fastify(req, res),
    );
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Whether the fast path is on, and how many requests it answered (tests, diagnosis). */
    fastReads: { on: boolean; served: number };
  }
}
