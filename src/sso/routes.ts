/**
 * /sso: the SSO run with an org's IdP for a sign-in attempt (docs/sso.md "How a sign-in runs",
 * directory/sign-ins.ts). Registered when PUBLIC_URL is set: the IdP's redirect URI is built
 * from it.
 *
 *   GET /sso/begin/:attemptId  loads the pending attempt and its connection, keeps the
 *                              protocol's state on the attempt (sealed) and a browser secret's
 *                              hash, sets the SSO cookie and sends the browser to the IdP.
 *   GET /sso/oidc/callback     (OIDC) the cookie names the attempt and proves the browser; the
 *                              code is exchanged with PKCE, `state` and `nonce` checked and the
 *                              ID token validated by openid-client; the identity is resolved
 *                              (directory/sso-users.ts) and the attempt completed.
 *
 * Cookies: see cookies.ts. /sso/begin requires the browser binding the attempt's starter set.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Directory } from '../directory/directory.ts';
import { DirectoryError } from '../directory/errors.ts';
import {
  boundReceived,
  browserMatches,
  type IdentityResult,
  type PendingSignIn,
} from '../directory/sign-ins.ts';
import type { SsoRuntimeConnection } from '../directory/sso-connections.ts';
import type { SsoIdentity, SsoSignInOutcome } from '../directory/sso-users.ts';
import { sendPlainPage } from '../http/plain-page.ts';
import { readCookie, SSO_BIND_COOKIE, SSO_COOKIE, SSO_IDP_COOKIE, ssoCookie } from './cookies.ts';
import { type OidcFlow, OidcRpError, oidcBegin, oidcFinish } from './oidc.ts';
import {
  MAX_SAML_RESPONSE_BYTES,
  type SamlFlow,
  SamlSpError,
  samlBegin,
  samlFinish,
  samlMetadata,
} from './saml.ts';

export interface SsoRoutesOptions {
  publicUrl: string;
}

/** How long an IdP-initiated sign-in waits for the app's sign-in to reach /sso/begin. */
const IDP_INITIATED_MS = 2 * 60 * 1000;

interface IdpInitiated {
  orgId: string;
  connectionId: string;
  userId: string;
  until: number;
}

interface Flow {
  /** SHA-256 (hex) of the browser secret in the SSO cookie. */
  browser: string;
  oidc?: OidcFlow;
  saml?: SamlFlow;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function cookieOf(request: FastifyRequest): { attemptId: string; secret: string } | undefined {
  const [attemptId, secret] = (readCookie(request, SSO_COOKIE) ?? '').split('.');
  return attemptId && secret ? { attemptId, secret } : undefined;
}

/** The outcome's page when the user may not sign in, else undefined. */
function refusal(reply: FastifyReply, outcome: SsoSignInOutcome) {
  switch (outcome.kind) {
    case 'user':
      return undefined;
    case 'not_provisioned':
      return sendPlainPage(
        reply,
        403,
        'Not provisioned',
        'Your identity provider signed you in, but your organization has not provisioned your account here. Ask your administrator to assign you to this app.',
      );
    case 'deactivated':
      return sendPlainPage(
        reply,
        403,
        'Account deactivated',
        'Your account in this organization is deactivated. Ask your administrator.',
      );
    case 'ambiguous':
      return sendPlainPage(
        reply,
        409,
        'Account conflict',
        'More than one account, or an account of someone else, matches what your identity provider sent. Ask your administrator.',
      );
    case 'missing':
      return sendPlainPage(
        reply,
        400,
        'Incomplete sign-in',
        `Your identity provider did not send the ${outcome.attribute} this organization signs users in by.`,
      );
    case 'no_seat':
      return sendPlainPage(reply, 403, 'No seat left', outcome.detail);
  }
}

export function ssoRoutes(options: SsoRoutesOptions) {
  const origin = new URL(options.publicUrl).origin;
  const oidcRedirectUri = `${origin}/sso/oidc/callback`;

  return async function ssoPlugin(app: FastifyInstance) {
    const directory: Directory = app.directory;

    const setCookie = (reply: FastifyReply, value: string, maxAge?: number, sameSite?: 'Lax' | 'None') =>
      reply.header('set-cookie', ssoCookie(SSO_COOKIE, value, origin, maxAge, sameSite));
    /** The IdP's answer failed a check (OidcRpError, SamlSpError): a page saying why; else rethrown. */
    const refusedAnswer = (
      request: FastifyRequest,
      reply: FastifyReply,
      error: unknown,
      connectionId: string,
      sameSite: 'Lax' | 'None',
      attempt?: PendingSignIn,
    ) => {
      if (!(error instanceof OidcRpError || error instanceof SamlSpError)) throw error;
      setCookie(reply, '', 0, sameSite);
      request.log.info({ connection: connectionId, reason: error.message }, 'SSO sign-in refused');
      if (attempt && attempt.purpose !== 'app')
        return finishIdentity(reply, attempt, {
          ok: false,
          error: `The identity provider's answer was refused: ${error.message}`,
        });
      return sendPlainPage(
        reply,
        400,
        'Sign-in failed',
        `The identity provider's answer was refused: ${error.message}`,
      );
    };
    const gone = (reply: FastifyReply) =>
      sendPlainPage(
        reply,
        400,
        'Sign-in expired',
        'This sign-in has expired, was already used or was started in another browser. Start again from the app.',
      );

    /** The pending attempt the cookie names, its flow opened, when this browser holds it. */
    const fromCookie = async (
      request: FastifyRequest,
    ): Promise<{ attempt: PendingSignIn; flow: Flow } | undefined> => {
      const cookie = cookieOf(request);
      if (!cookie) return undefined;
      const attempt = await directory.signIns.pending(cookie.attemptId);
      if (!attempt?.flow) return undefined;
      let flow: Flow;
      try {
        flow = JSON.parse((await directory.secrets.secretBox()).open(attempt.flow)) as Flow;
      } catch {
        return undefined;
      }
      const a = Buffer.from(sha256(cookie.secret));
      const b = Buffer.from(flow.browser);
      if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
      return { attempt, flow };
    };

    const finish = async (
      reply: FastifyReply,
      attempt: PendingSignIn,
      outcome: SsoSignInOutcome,
      sameSite: 'Lax' | 'None' = 'Lax',
    ) => {
      setCookie(reply, '', 0, sameSite);
      const refused = refusal(reply, outcome);
      if (refused) return refused;
      if (outcome.kind !== 'user') return gone(reply);
      try {
        const { redirectTo } = await directory.signIns.complete(attempt.attemptId, {
          userId: outcome.userId,
          connectionId: attempt.connectionId,
          claims: outcome.claims,
        });
        return reply.header('cache-control', 'no-store').redirect(redirectTo, 303);
      } catch (error) {
        if (error instanceof DirectoryError) return gone(reply);
        throw error;
      }
    };

    /**
     * A `test` or `operator` attempt (directory/sign-ins.ts SignInPurpose): what the IdP
     * answered is recorded on the attempt, no user is looked up or created, and the browser
     * goes back to the page that started it, which shows or uses the result.
     */
    const finishIdentity = async (reply: FastifyReply, attempt: PendingSignIn, result: IdentityResult) => {
      try {
        const { redirectTo } = await directory.signIns.completeIdentity(
          attempt.attemptId,
          attempt.connectionId,
          result,
        );
        return reply.header('cache-control', 'no-store').redirect(redirectTo, 303);
      } catch (error) {
        if (error instanceof DirectoryError) return gone(reply);
        throw error;
      }
    };
    /** The identity as a test or operator attempt keeps it. */
    const identityResult = (connection: SsoRuntimeConnection, identity: SsoIdentity): IdentityResult => ({
      ok: true,
      nameId: identity.nameId.slice(0, 1000),
      claims: directory.ssoUsers.claimsOf(connection, identity),
      received: boundReceived(identity.attributes),
      emailVerified: identity.emailVerified !== false,
    });

    /**
     * An IdP-initiated SAML answer: validated (it must answer no request), recorded in the replay
     * cache, its user resolved; the result is kept sealed in a 2-minute cookie and the browser
     * sent to the app's sign-in start, whose /sso/begin for this org and connection completes at
     * once (below).
     */
    const idpInitiated = async (
      request: FastifyRequest,
      reply: FastifyReply,
      connection: SsoRuntimeConnection,
      samlResponse: string,
    ) => {
      let result: Awaited<ReturnType<typeof samlFinish>>;
      try {
        result = await samlFinish(connection, origin, undefined, samlResponse);
      } catch (error) {
        return refusedAnswer(request, reply, error, connection.id, 'None');
      }
      if (
        !(await directory.sso.recordAssertion(
          connection.orgId,
          connection.id,
          result.assertionId,
          result.notOnOrAfter,
        ))
      ) {
        return sendPlainPage(reply, 400, 'Sign-in failed', 'This assertion was already used (replay).');
      }
      const outcome = await directory.ssoUsers.resolve(connection, result.identity);
      const refused = refusal(reply, outcome);
      if (refused) return refused;
      if (outcome.kind !== 'user') return gone(reply);
      const idp: IdpInitiated = {
        orgId: connection.orgId,
        connectionId: connection.id,
        userId: outcome.userId,
        until: Date.now() + IDP_INITIATED_MS,
      };
      const sealed = (await directory.secrets.secretBox()).seal(JSON.stringify(idp));
      reply.header('set-cookie', ssoCookie(SSO_IDP_COOKIE, sealed, origin, IDP_INITIATED_MS / 1000));
      return reply.header('cache-control', 'no-store').redirect(connection.saml?.idpInitiatedUrl ?? '/', 303);
    };

    /** The IdP-initiated result in this browser for the attempt's org and connection, if any. */
    const idpInitiatedFor = async (request: FastifyRequest, attempt: PendingSignIn) => {
      const value = readCookie(request, SSO_IDP_COOKIE);
      if (!value) return undefined;
      try {
        const idp = JSON.parse((await directory.secrets.secretBox()).open(value)) as IdpInitiated;
        const fits =
          idp.orgId === attempt.orgId && idp.connectionId === attempt.connectionId && idp.until > Date.now();
        return fits ? idp : undefined;
      } catch {
        return undefined;
      }
    };

    app.get('/begin/:attemptId', async (request, reply) => {
      const attempt = await directory.signIns.pending((request.params as { attemptId: string }).attemptId);
      if (!attempt) return gone(reply);
      // Only the browser that started the sign-in may run it (the provider set this cookie).
      if (!browserMatches(attempt, readCookie(request, SSO_BIND_COOKIE))) {
        return sendPlainPage(
          reply,
          400,
          'Sign-in refused',
          'This sign-in was started in another browser. Start again from the app.',
        );
      }
      const connection = await directory.sso
        .runtime(attempt.orgId, attempt.connectionId)
        .catch(() => undefined);
      if (!connection?.enabled)
        return sendPlainPage(
          reply,
          404,
          'Cannot sign in',
          'This organization has no enabled SSO connection.',
        );
      // The IdP already signed this browser in (IdP-initiated): the attempt completes at once.
      const idp = attempt.purpose === 'app' ? await idpInitiatedFor(request, attempt) : undefined;
      if (idp) {
        reply.header('set-cookie', ssoCookie(SSO_IDP_COOKIE, '', origin, 0));
        return finish(reply, attempt, { kind: 'user', userId: idp.userId, created: false, claims: {} });
      }
      const secret = randomBytes(24).toString('base64url');
      const flow: Flow = { browser: sha256(secret) };
      let target: string;
      if (connection.protocol === 'oidc') {
        try {
          const begun = await oidcBegin(connection, oidcRedirectUri, directory.deps.ssoAllowPrivate === true);
          flow.oidc = begun.flow;
          target = begun.url;
        } catch (error) {
          request.log.warn({ err: error, connection: connection.id }, 'OIDC discovery failed');
          if (attempt.purpose !== 'app')
            return finishIdentity(reply, attempt, {
              ok: false,
              error: `The identity provider could not be reached at its issuer's discovery document (${connection.oidc?.issuer ?? ''}/.well-known/openid-configuration). Check the issuer URL.`,
            });
          return sendPlainPage(
            reply,
            502,
            'Identity provider unavailable',
            "The organization's identity provider could not be reached. Try again later.",
          );
        }
      } else {
        try {
          const begun = await samlBegin(connection, origin, attempt.attemptId);
          flow.saml = begun.flow;
          target = begun.url;
        } catch (error) {
          request.log.warn({ err: error, connection: connection.id }, 'SAML request failed');
          if (attempt.purpose !== 'app')
            return finishIdentity(reply, attempt, {
              ok: false,
              error:
                'No sign-in request could be made for this SAML connection: check its sign-on URL and certificate.',
            });
          return sendPlainPage(
            reply,
            502,
            'Identity provider unavailable',
            "The organization's SAML connection could not make a sign-in request. Ask your administrator.",
          );
        }
      }
      const sealed = (await directory.secrets.secretBox()).seal(JSON.stringify(flow));
      if (!(await directory.signIns.setFlow(attempt.attemptId, sealed))) return gone(reply);
      // The SAML IdP POSTs back cross-site: only a SameSite=None cookie comes with that.
      setCookie(
        reply,
        `${attempt.attemptId}.${secret}`,
        undefined,
        connection.protocol === 'saml' ? 'None' : 'Lax',
      );
      return reply.header('cache-control', 'no-store').redirect(target, 303);
    });

    app.get('/oidc/callback', async (request, reply) => {
      const found = await fromCookie(request);
      const oidcFlow = found?.flow.oidc;
      if (!found || !oidcFlow) return gone(reply);
      const { attempt } = found;
      const connection = await directory.sso
        .runtime(attempt.orgId, attempt.connectionId)
        .catch(() => undefined);
      if (!connection?.enabled || connection.protocol !== 'oidc') return gone(reply);
      let identity: Awaited<ReturnType<typeof oidcFinish>>;
      try {
        identity = await oidcFinish(
          connection,
          oidcFlow,
          new URL(request.url, origin),
          directory.deps.ssoAllowPrivate === true,
        );
      } catch (error) {
        return refusedAnswer(request, reply, error, connection.id, 'Lax', attempt);
      }
      if (attempt.purpose !== 'app') {
        setCookie(reply, '', 0, 'Lax');
        return finishIdentity(reply, attempt, identityResult(connection, identity));
      }
      return finish(reply, attempt, await directory.ssoUsers.resolve(connection, identity));
    });

    app.get('/saml/:connectionId/metadata', async (request, reply) => {
      const connection = await directory.sso.runtimeById(
        (request.params as { connectionId: string }).connectionId,
      );
      if (connection?.protocol !== 'saml')
        return sendPlainPage(reply, 404, 'Not found', 'No such SAML connection.');
      return reply
        .header('content-type', 'application/samlmetadata+xml')
        .send(await samlMetadata(connection, origin));
    });

    // The IdP's HTTP-POST: a form with SAMLResponse (and RelayState), size-limited.
    app.register(async (acs) => {
      acs.removeAllContentTypeParsers();
      acs.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit: MAX_SAML_RESPONSE_BYTES + 8 * 1024 },
        (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
      );
      acs.post('/saml/:connectionId/acs', async (request, reply) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        const samlResponse = body.SAMLResponse;
        if (typeof samlResponse !== 'string' || samlResponse.length === 0) {
          return sendPlainPage(reply, 400, 'Sign-in failed', 'The identity provider sent no SAMLResponse.');
        }
        const found = await fromCookie(request);
        const samlFlow = found?.flow.saml;
        const connectionId = (request.params as { connectionId: string }).connectionId;
        if (!found || !samlFlow || found.attempt.connectionId !== connectionId) {
          // No attempt of this browser: IdP-initiated, when the connection allows it.
          const idpConnection = found ? undefined : await directory.sso.runtimeById(connectionId);
          if (
            idpConnection?.enabled &&
            idpConnection.saml?.allowIdpInitiated &&
            idpConnection.saml.idpInitiatedUrl
          ) {
            return idpInitiated(request, reply, idpConnection, samlResponse);
          }
          return sendPlainPage(
            reply,
            400,
            'Start from the app',
            'This sign-in did not start from the app in this browser, or it expired. Open the app and sign in there.',
          );
        }
        const { attempt } = found;
        const connection = await directory.sso
          .runtime(attempt.orgId, attempt.connectionId)
          .catch(() => undefined);
        if (!connection?.enabled || connection.protocol !== 'saml') return gone(reply);
        let result: Awaited<ReturnType<typeof samlFinish>>;
        try {
          result = await samlFinish(connection, origin, samlFlow, samlResponse);
        } catch (error) {
          return refusedAnswer(request, reply, error, connection.id, 'None', attempt);
        }
        if (
          !(await directory.sso.recordAssertion(
            attempt.orgId,
            connection.id,
            result.assertionId,
            result.notOnOrAfter,
          ))
        ) {
          setCookie(reply, '', 0, 'None');
          return sendPlainPage(reply, 400, 'Sign-in failed', 'This assertion was already used (replay).');
        }
        if (attempt.purpose !== 'app') {
          setCookie(reply, '', 0, 'None');
          return finishIdentity(reply, attempt, identityResult(connection, result.identity));
        }
        return finish(reply, attempt, await directory.ssoUsers.resolve(connection, result.identity), 'None');
      });
    });
  };
}
