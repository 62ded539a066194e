/**
 * What every SCIM route plugin under /scim/v2/:org shares (scim-routes.ts registers them):
 * the request type, the org's base URL, header reads, bearer-token authentication,
 * `attributes`/`excludedAttributes` projection, and 405 answers for unsupported methods.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../directory/deps.ts';
import type { Credentials } from '../directory/orgs.ts';
import { ScimError } from '../scim/errors.ts';
import { attributeListParam } from '../scim/list-query.ts';
import type { ResourceSchema } from '../scim/schema/types.ts';
import { sendError } from './responses.ts';

export type Req = FastifyRequest<{
  Params: { org: string; id?: string };
  Querystring: Record<string, unknown>;
}>;

export const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function origin(app: FastifyInstance, request: FastifyRequest): string {
  return app.config.publicUrl ?? `${request.protocol}://${request.host}`;
}

/** The org's SCIM base URL, `<origin>/scim/v2/<org>`, for `location` and `meta.location`. */
export function baseUrl(app: FastifyInstance, request: Req): string {
  return `${origin(app, request)}/scim/v2/${encodeURIComponent(request.params.org)}`;
}

/** A request header as one string (repeated headers joined, as RFC 9110 §5.3 allows). */
export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Authenticates the org's bearer token (RFC 7644 §2) and admits the request through the rate
 * limiter. The actor is kept on the request for the request log and the IdP-quirks log line.
 */
export async function authenticate(app: FastifyInstance, request: Req): Promise<Actor> {
  return (
    await authenticateWith(app, request, async () => ({
      credentials: await app.directory.orgs.authenticate(
        request.params.org,
        header(request, 'authorization'),
      ),
      value: undefined,
    }))
  ).actor;
}

/**
 * authenticate, where `check` reads the token together with what the request asks for (one
 * statement: Directory.getAuthenticated), and answers who the request is and that value.
 */
export async function authenticateWith<T>(
  app: FastifyInstance,
  request: Req,
  check: (authorization: string | undefined) => Promise<{ credentials: Credentials; value: T }>,
): Promise<{ actor: Actor; value: T }> {
  let checked: { credentials: Credentials; value: T };
  try {
    checked = await check(header(request, 'authorization'));
  } catch (error) {
    // A failed authentication counts against the client's address (429 past its limit).
    if (error instanceof ScimError && error.status === 401) await app.rateLimit.admitUnauthenticated(request);
    throw error;
  }
  const { tokenId, idpProfile, schemaVersion, hasRoleRules } = checked.credentials;
  const actor: Actor = {
    orgId: request.params.org,
    tokenId,
    requestId: String(request.id),
    // Made when a read first takes it (request-budget.ts): most requests never do.
    get signal() {
      return request.budget;
    },
    idpProfile,
    schemaVersion,
    hasRoleRules,
    appliedQuirks: [],
  };
  request.scimActor = actor;
  // Nothing to wait for when no limit is on: no promise on the hot path.
  if (app.rateLimit.enabled) await app.rateLimit.admit(request, actor);
  return { actor, value: checked.value };
}

/**
 * The org's own version of a resource schema: its User schema carries the extensions it
 * declared (directory/properties.ts). Nothing to read for an org that declared none.
 */
export function orgSchema(
  app: FastifyInstance,
  actor: Actor,
  base: ResourceSchema,
): ResourceSchema | Promise<ResourceSchema> {
  return (
    app.directory.properties.knownResourceSchema(actor, base) ??
    app.directory.properties.resourceSchema(actor, base)
  );
}

/** attributes / excludedAttributes apply to every response that returns a resource (§3.4.2.5, §3.9). */
export function projection(request: Req) {
  const q = request.query;
  const find = (name: string) => Object.keys(q).find((k) => k.toLowerCase() === name.toLowerCase());
  const a = find('attributes');
  const e = find('excludedAttributes');
  return {
    attributes: a ? attributeListParam('attributes', q[a]) : undefined,
    excludedAttributes: e ? attributeListParam('excludedAttributes', q[e]) : undefined,
  };
}

/** 405 for the methods a path does not support (RFC 9110 §15.5.6), as a SCIM error. */
export function refuseOtherMethods(app: FastifyInstance, url: string, allowed: readonly string[]) {
  const others = ALL_METHODS.filter((m) => !allowed.includes(m));
  if (others.length === 0) return;
  app.route({
    method: [...others],
    url,
    handler: async (request, reply) =>
      sendError(
        reply,
        ScimError.methodNotAllowed(`${request.method} is not supported on this endpoint`, allowed.join(', ')),
      ),
  });
}

/** An endpoint of RFC 7644 this server does not offer (yet): 501 after authentication, not a bare 404. */
export function notImplemented(app: FastifyInstance, url: string) {
  app.route({
    method: [...ALL_METHODS],
    url,
    handler: async (request) => {
      await authenticate(app, request as Req);
      throw ScimError.notImplemented(`${url} is not supported by this server`);
    },
  });
}

/** When each unknown org was last logged: one line per org per minute, however often an IdP retries. */
const unknownOrgLogged = new Map<string, number>();
const UNKNOWN_ORG_LOG_INTERVAL_MS = 60_000;

/**
 * A request named an organization that does not exist: most often a typo in the SCIM base URL
 * configured at an IdP. Logged (at most once a minute per name) and counted, so the operator
 * sees it; the client learns nothing more than a 401 or 404 tells.
 */
export function reportUnknownOrg(app: FastifyInstance, request: Req) {
  app.countUnknownOrg();
  const org = request.params.org;
  const now = Date.now();
  if (now - (unknownOrgLogged.get(org) ?? 0) < UNKNOWN_ORG_LOG_INTERVAL_MS) return;
  if (unknownOrgLogged.size >= 1000) unknownOrgLogged.clear();
  unknownOrgLogged.set(org, now);
  request.log.warn(
    { org: org.slice(0, 100), method: request.method, url: request.url.slice(0, 200), ip: request.ip },
    'request for an organization that does not exist: check the SCIM base URL configured at the IdP',
  );
}

/** 404 for an org that does not exist, on the endpoints that need no token (discovery). */
export async function requireOrg(app: FastifyInstance, request: Req) {
  if (await app.directory.orgs.exists(request.params.org)) return;
  reportUnknownOrg(app, request);
  throw ScimError.notFound(`No organization '${request.params.org}'`);
}
