/**
 * The management API under /api/v1 (docs/api.md): JSON for the host app's backend, the CLI and
 * the console, authenticated with API keys. An encapsulated plugin: its own body parser, its
 * own error and not-found handlers (RFC 9457 problem documents), its own OpenAPI document; the
 * SCIM routes keep theirs.
 *
 * Adding routes: write a module exporting a `FastifyPluginAsyncTypebox` (see orgs.ts) whose
 * routes carry TypeBox schemas for params, querystring, body and responses (`withProblems`),
 * and register it in `managementApi` below. A route without a schema still works but is missing
 * from the document, and test/http/api/openapi.test.ts fails.
 */
import swagger from '@fastify/swagger';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken } from '../../directory/credentials.ts';
import { DirectoryError } from '../../directory/errors.ts';
import { SETUP_LINK_PREFIX } from '../../directory/setup-links.ts';
import { ScimError } from '../../scim/errors.ts';
import { jsonBodyParser } from '../json-body.ts';
import { CSRF_HEADER, sameCsrf, sessionToken } from '../session-cookie.ts';
import { apiKeyRoutes } from './api-keys.ts';
import { appRoutes } from './apps.ts';
import { auditRoutes } from './audit.ts';
import { deprovisioningRoutes } from './deprovisionings.ts';
import { eventRoutes } from './events.ts';
import { groupRoutes } from './groups.ts';
import { memberRoutes } from './members.ts';
import { orgRoutes } from './orgs.ts';
import { ApiProblem, type FieldError, PROBLEM_CODES, type ProblemCode, sendProblem } from './problems.ts';
import { propertyRoutes } from './properties.ts';
import { requestLogRoutes } from './requests.ts';
import { roleRoutes } from './roles.ts';
import { scimConnectionRoutes } from './scim-connection.ts';
import { setupLinkRoutes } from './setup-links.ts';
import { ssoRoutes } from './sso.ts';
import { userRoutes } from './users.ts';
import { valveRoutes } from './valves.ts';
import { webhookRoutes } from './webhooks.ts';

export const API_PREFIX = '/api/v1';

declare module 'fastify' {
  interface FastifyRequest {
    /** The id of the API key that authenticated the request (set by the API plugin). */
    apiKeyId: string | null;
    /** Who the request is (set by the API plugin): an API key or a signed-in operator. */
    credential: Credential | null;
  }
  interface FastifyContextConfig {
    /** The route needs no API key (the OpenAPI document). */
    public?: boolean;
    /** A setup link may call the route, for its own org (directory/setup-links.ts). */
    setup?: boolean;
  }
}

/** What authenticated an API request: an API key, or an operator's session cookie (the console). */
export type Credential =
  | { kind: 'api_key'; id: string }
  | { kind: 'operator'; id: string }
  /** A setup link's secret (directory/setup-links.ts): its own org, and `setup` routes only. */
  | { kind: 'setup_link'; id: string; orgId: string; expiresAt: string };

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * An `Authorization` header must hold an API key; without one, the operator's session cookie
 * (http/session-cookie.ts) is accepted, and an unsafe method must then carry the session's CSRF
 * token in `X-CSRF-Token` (the cookie alone would let another site's form act as the operator).
 */
async function authenticate(request: FastifyRequest): Promise<Credential> {
  const { directory } = request.server;
  const bearer = bearerToken(request.headers.authorization);
  if (bearer?.startsWith(SETUP_LINK_PREFIX)) {
    const grant = await directory.setupLinks.authenticate(bearer);
    return { kind: 'setup_link', id: grant.linkId, orgId: grant.orgId, expiresAt: grant.expiresAt };
  }
  const cookieToken = request.headers.authorization === undefined ? sessionToken(request) : undefined;
  if (cookieToken === undefined) {
    return {
      kind: 'api_key',
      id: (await directory.apiKeys.authenticate(request.headers.authorization)).keyId,
    };
  }
  const session = await directory.operators.session(cookieToken);
  if (!session)
    throw new DirectoryError(
      'The session has ended: sign in to the console again, or send an API key',
      'unauthorized',
    );
  if (UNSAFE.has(request.method) && !sameCsrf(request.headers[CSRF_HEADER], session.csrf))
    throw new ApiProblem(
      'forbidden',
      `A request made with the session cookie needs the session's X-CSRF-Token header`,
    );
  return { kind: 'operator', id: session.operatorId };
}

/**
 * A setup link may call only the routes marked `config.setup`, and only for its own org (a
 * route's `orgId`); anything else is 403, whether or not that org exists.
 */
function checkSetupScope(request: FastifyRequest, credential: Credential): void {
  if (credential.kind !== 'setup_link') return;
  const orgId = (request.params as { orgId?: unknown } | undefined)?.orgId;
  if (!request.routeOptions.config.setup || (orgId !== undefined && orgId !== credential.orgId))
    throw new ApiProblem('forbidden', "A setup link may only set up its own org's connection");
}

/** The problem a thrown error means. Unknown errors are the server's fault: logged, answered 500. */
function toProblem(error: unknown, request: FastifyRequest, maxBodyBytes: number): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (error instanceof DirectoryError) return new ApiProblem(error.code, error.message);
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const context = fastifyError.validationContext ?? 'request';
    const errors: FieldError[] = fastifyError.validation.map((v) => ({
      path: `${context}${v.instancePath}`,
      message: v.message ?? 'is not valid',
    }));
    return new ApiProblem(
      'validation_failed',
      `The ${context} is not valid: ${fastifyError.message}`,
      errors,
    );
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiProblem('payload_too_large', `The body is larger than ${maxBodyBytes} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiProblem('unsupported_media_type', 'Send the body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiProblem('malformed_json', 'The body is empty; send a JSON object');
  }
  // The root parser's errors, should a request reach here through it.
  // The directory's SCIM-shaped errors (a malformed id, a missing resource).
  if (error instanceof ScimError && error.status < 500) {
    const byStatus: Record<number, ProblemCode> = {
      404: 'not_found',
      409: 'conflict',
      413: 'payload_too_large',
    };
    return new ApiProblem(byStatus[error.status] ?? 'invalid_request', error.detail);
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    const code = (Object.keys(PROBLEM_CODES) as ProblemCode[]).find((c) => PROBLEM_CODES[c] === status);
    return new ApiProblem(code ?? 'invalid_request', fastifyError.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return new ApiProblem('internal_error', 'The server failed to answer; the requestId finds it in the logs');
}

/** Answers any failure of an /api/v1 request, including one from the root app (a malformed URL). */
export function sendApiError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  maxBodyBytes: number,
): FastifyReply {
  return sendProblem(request, reply, toProblem(error, request, maxBodyBytes));
}

export const managementApi: FastifyPluginAsyncTypebox = async (api) => {
  const maxBodyBytes = api.config.maxBodyBytes;

  api.setErrorHandler((error, request, reply) => sendApiError(request, reply, error, maxBodyBytes));
  api.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      new ApiProblem('not_found', `No endpoint ${request.method} ${request.url.split('?')[0]}`),
    ),
  );

  // Bodies are JSON, sent as application/json; anything else is a 415 problem.
  api.removeAllContentTypeParsers();
  api.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    jsonBodyParser({
      syntax: (message) => new ApiProblem('malformed_json', `The body is not valid JSON: ${message}`),
      nul: () => new ApiProblem('invalid_request', 'Strings may not contain U+0000'),
    }),
  );

  api.decorateRequest('apiKeyId', null);
  api.decorateRequest('credential', null);
  api.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.public) return;
    try {
      request.credential = await authenticate(request);
      if (request.credential.kind === 'api_key') request.apiKeyId = request.credential.id;
      checkSetupScope(request, request.credential);
    } catch (error) {
      if (error instanceof DirectoryError && error.code === 'unauthorized') {
        reply.header('www-authenticate', 'Bearer realm="api"');
      }
      throw error;
    }
  });

  await api.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Scimitar management API',
        version: '1.0.0',
        description: 'Orgs, their SCIM connections, users and groups as JSON. See docs/api.md.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key, `sk_…`' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'scimitar_session',
            description:
              "The console's operator session (`__Host-scimitar_session` over https); unsafe methods also need the `X-CSRF-Token` header (docs/console.md)",
          },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
  });

  api.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.header('content-type', 'application/json; charset=utf-8').send(api.swagger()),
  );

  await api.register(orgRoutes);
  await api.register(scimConnectionRoutes);
  await api.register(userRoutes);
  await api.register(memberRoutes);
  await api.register(groupRoutes);
  await api.register(webhookRoutes);
  await api.register(requestLogRoutes);
  await api.register(auditRoutes);
  await api.register(roleRoutes);
  await api.register(deprovisioningRoutes);
  await api.register(eventRoutes);
  await api.register(propertyRoutes);
  await api.register(valveRoutes);
  await api.register(setupLinkRoutes);
  await api.register(apiKeyRoutes);
  await api.register(appRoutes);
  await api.register(ssoRoutes);
};
