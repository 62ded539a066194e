/**
 * The console's side of the operator session: who is signed in, the guard every page runs,
 * and the CSRF check of every form post (the API checks the same token again for its writes).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OperatorSession } from '../directory/operators.ts';
import { sameCsrf, sessionToken } from '../http/session-cookie.ts';
import { ApiClient } from './api-client.ts';
import { html } from './html.ts';
import { errorPage } from './plugin.ts';

export interface Signed {
  session: OperatorSession;
  api: ApiClient;
  /** The layout's nav for this operator. */
  nav: (current?: string) => { email: string; csrf: string; current?: string };
}

/**
 * The signed-in operator, or undefined after answering: a redirect to sign-in for a page, a 403
 * page for a form whose CSRF token is missing or wrong.
 */
export async function requireOperator(
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Signed | undefined> {
  const session = await request.server.directory.operators.session(sessionToken(request));
  if (!session) {
    const next = request.method === 'GET' ? request.url : '/console';
    await reply.redirect(`/console/sign-in?next=${encodeURIComponent(next)}`, 303);
    return undefined;
  }
  let csrf: string | undefined;
  if (request.method === 'POST') {
    const sent = (request.body as Record<string, string> | undefined)?._csrf;
    if (!sameCsrf(sent, session.csrf)) {
      await errorPage(
        reply,
        403,
        'Form expired',
        'This form was not sent from this console, or your session changed since it was shown. Reload the page and send it again.',
        html`<p><a href="/console">Back to the console</a></p>`,
      );
      return undefined;
    }
    csrf = session.csrf;
  }
  return {
    session,
    api: new ApiClient(request, { kind: 'session', csrf }),
    nav: (current?: string) => ({
      email: session.email,
      csrf: session.csrf,
      ...(current ? { current } : {}),
    }),
  };
}
