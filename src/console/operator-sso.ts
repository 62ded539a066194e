/**
 * Operators signing in to the console through SSO (docs/console.md "Operators and signing
 * in"): when OPERATOR_SSO_ORG names an org, its SSO connection signs operators in. The
 * sign-in runs as any other (src/sso/), as an attempt of purpose `operator`: nobody is looked up
 * in the org's directory; the verified email the IdP asserted finds the operator (made when
 * OPERATOR_SSO_CREATE is on). Like password sign-in, these routes call the directory's
 * OperatorService and SignInService directly: they are how a session comes to exist.
 *
 *   POST /console/sign-in/sso        starts the attempt, binds it to this browser (the cookie
 *                                    /sso/begin requires, and one for the way back), and sends
 *                                    the browser to the IdP.
 *   GET  /console/sign-in/sso/done   takes the completed attempt once, in the browser that
 *                                    started it, and signs the operator in.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DirectoryError } from '../directory/errors.ts';
import { setSessionCookie } from '../http/session-cookie.ts';
import { readCookie, ssoBindCookie } from '../sso/cookies.ts';
import { html } from './html.ts';
import { errorPage, type PageRequest, safeNext } from './plugin.ts';
import { continuePage } from './sso-forms.ts';

const BACK_COOKIE = 'scimitar_operator_sso';
const DONE_PATH = '/console/sign-in/sso/done';

/** Whether operators may sign in through SSO here (OPERATOR_SSO_ORG and PUBLIC_URL set). */
export function operatorSsoOn(request: FastifyRequest): boolean {
  const { config } = request.server;
  return config.operatorSso.orgId !== undefined && config.publicUrl !== undefined;
}

function backCookie(request: FastifyRequest, value: string, maxAge: number): string {
  const secure = request.server.config.publicUrl?.startsWith('https:') ? '; Secure' : '';
  return `${BACK_COOKIE}=${value}; Path=/console/sign-in; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`;
}

const tryAgain = html`<p><a href="/console/sign-in">Back to sign-in</a></p>`;

function refused(reply: FastifyReply, status: number, what: string) {
  return errorPage(reply, status, 'SSO sign-in failed', what, tryAgain);
}

export async function operatorSsoRoutes(app: FastifyInstance): Promise<void> {
  const { directory, config } = app;

  app.post('/sign-in/sso', async (request: PageRequest, reply) => {
    const orgId = config.operatorSso.orgId;
    if (!operatorSsoOn(request) || orgId === undefined)
      return refused(reply, 404, 'Operators sign in with their password here: SSO sign-in is not set up.');
    const next = safeNext(request.body?.next);
    let started: Awaited<ReturnType<typeof directory.signIns.start>>;
    try {
      started = await directory.signIns.start({
        purpose: 'operator',
        orgId,
        returnTo: `${DONE_PATH}?next=${encodeURIComponent(next)}`,
      });
    } catch (error) {
      if (!(error instanceof DirectoryError)) throw error;
      request.log.warn({ reason: error.message }, 'operator SSO sign-in cannot start');
      return refused(
        reply,
        503,
        `SSO sign-in is set up for the org '${orgId}', which has no enabled SSO connection. Sign in with your password, and check that org's single sign-on.`,
      );
    }
    // Not a redirect: /sso/begin goes on to the IdP, another origin (continuePage).
    reply.header('set-cookie', [
      ssoBindCookie(started.browserSecret, config.publicUrl ?? ''),
      backCookie(request, started.browserSecret, 600),
    ]);
    return continuePage(reply, started.redirectTo, 'Going to your IdP');
  });

  app.get<{ Querystring: { attempt?: string; next?: string } }>(
    '/sign-in/sso/done',
    async (request, reply) => {
      reply.header('set-cookie', backCookie(request, '', 0));
      const taken = await directory.signIns.takeOperator(
        String(request.query.attempt ?? ''),
        readCookie(request, BACK_COOKIE),
      );
      if (!taken || taken.orgId !== config.operatorSso.orgId)
        return refused(
          reply,
          400,
          'This sign-in has expired, was already used, or was started in another browser. Sign in again.',
        );
      if (!taken.result.ok) return refused(reply, 401, taken.result.error);
      try {
        const session = await directory.operators.signInWithSso(
          taken.result.claims.email,
          taken.result.emailVerified,
          config.operatorSso.createOperators,
          String(request.id),
        );
        setSessionCookie(request, reply, session.token, session.expiresAt);
        request.log.info({ operator: session.operatorId }, 'operator signed in through SSO');
      } catch (error) {
        if (!(error instanceof DirectoryError)) throw error;
        return refused(reply, 403, error.message);
      }
      // The IdP's redirect made this a cross-site chain: a same-site hop, so the session cookie comes along.
      return continuePage(reply, safeNext(request.query.next), 'Signed in');
    },
  );
}
