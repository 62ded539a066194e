/**
 * Signing in to the console (docs/console.md): the sign-in form (throttled per account and
 * address, http/rate-limit.ts `admitSignIn`), the one-time link that sets a password, and
 * signing out. These routes call the directory's OperatorService directly: they are how a
 * session comes to exist, before there is a credential to call the API with.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DirectoryError } from '../directory/errors.ts';
import { MIN_PASSWORD } from '../directory/operators.ts';
import { clearSessionCookie, sameCsrf, sessionToken, setSessionCookie } from '../http/session-cookie.ts';
import { describedBy, fieldError, html } from './html.ts';
import { operatorSsoOn } from './operator-sso.ts';
import { errorPage, type PageRequest, safeNext, sendPage } from './plugin.ts';

function signInForm(next: string, email = '', error?: string, sso = false) {
  return html`
    ${
      sso
        ? html`<form method="post" action="/console/sign-in/sso" class="inline">
            <input type="hidden" name="next" value="${next}">
            <button type="submit">Sign in with SSO</button></form>
          <p class="hint">Or with your email and password:</p>`
        : ''
    }
    ${error ? html`<p class="notice error" role="alert" id="email-error">${error}</p>` : ''}
    <form method="post" action="/console/sign-in" class="stack">
      <input type="hidden" name="next" value="${next}">
      <div>
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${email}"${describedBy('email', error)}>
      </div>
      <div>
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256">
      </div>
      <div><button type="submit">Sign in</button></div>
    </form>
    <p class="hint">Forgot your password? Ask another operator to run
    <code>npx scimitar operators reset &lt;your email&gt;</code> and send you the link it prints.</p>`;
}

function passwordForm(token: string, email: string, error?: string) {
  return html`
    <p>Choose the password for <strong>${email}</strong>. This link works once.</p>
    <form method="post" action="/console/set-password/${token}" class="stack">
      <input type="text" name="username" autocomplete="username" value="${email}" hidden>
      <div>
        <label for="password">New password</label>
        <input id="password" name="password" type="password" autocomplete="new-password" required minlength="${MIN_PASSWORD}" maxlength="256"${describedBy('password', error)}>
        <p class="hint">At least ${MIN_PASSWORD} characters. A passphrase of a few words is good.</p>
        ${fieldError('password', error)}
      </div>
      <div>
        <label for="confirm">The same password again</label>
        <input id="confirm" name="confirm" type="password" autocomplete="new-password" required maxlength="256">
      </div>
      <div><button type="submit">Set password and sign in</button></div>
    </form>`;
}

const linkGone = html`<p>Ask another operator for a new link: <code>npx scimitar operators reset &lt;your email&gt;</code>.
  Links work once, for 24 hours.</p>`;

/** The page for a password link that is used, expired or mistyped (`what` says which, when known). */
function linkGonePage(reply: FastifyReply, what = 'It was used already, has expired, or was mistyped.') {
  return errorPage(reply, 404, 'This link does not work', what, linkGone);
}

export async function signInRoutes(app: FastifyInstance): Promise<void> {
  const { directory } = app;

  app.get('/sign-in', async (request: PageRequest, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next);
    if (await directory.operators.session(sessionToken(request))) return reply.redirect(next, 303);
    return sendPage(reply, 200, 'Sign in', signInForm(next, '', undefined, operatorSsoOn(request)));
  });

  app.post('/sign-in', async (request: PageRequest, reply) => {
    const { email = '', password = '', next: rawNext } = request.body ?? {};
    const next = safeNext(rawNext);
    const wait = await app.rateLimit.admitSignIn(request, email);
    if (wait !== undefined) {
      reply.header('retry-after', String(wait));
      return sendPage(
        reply,
        429,
        'Sign in',
        signInForm(
          next,
          email,
          `Too many sign-in attempts. Wait ${Math.ceil(wait / 60)} minutes and try again.`,
        ),
      );
    }
    try {
      const session = await directory.operators.signIn(email, password);
      setSessionCookie(request, reply, session.token, session.expiresAt);
      return reply.redirect(next, 303);
    } catch (error) {
      if (!(error instanceof DirectoryError)) throw error;
      return sendPage(
        reply,
        401,
        'Sign in',
        signInForm(next, email, 'The email or password is not right.', operatorSsoOn(request)),
      );
    }
  });

  app.get<{ Params: { token: string } }>('/set-password/:token', async (request, reply) => {
    const link = await directory.operators.checkLink(request.params.token);
    if (!link) return linkGonePage(reply);
    return sendPage(reply, 200, 'Set your password', passwordForm(request.params.token, link.email));
  });

  app.post<{ Params: { token: string }; Body: Record<string, string> | undefined }>(
    '/set-password/:token',
    async (request, reply) => {
      const { token } = request.params;
      const link = await directory.operators.checkLink(token);
      if (!link) return linkGonePage(reply);
      const { password = '', confirm = '' } = request.body ?? {};
      if (password !== confirm)
        return sendPage(
          reply,
          400,
          'Set your password',
          passwordForm(token, link.email, 'The two passwords differ; type the same one twice.'),
        );
      try {
        const session = await directory.operators.setPassword(token, password, String(request.id));
        setSessionCookie(request, reply, session.token, session.expiresAt);
        return reply.redirect('/console', 303);
      } catch (error) {
        if (!(error instanceof DirectoryError)) throw error;
        if (error.code === 'not_found') return linkGonePage(reply, error.message);
        return sendPage(reply, 400, 'Set your password', passwordForm(token, link.email, error.message));
      }
    },
  );

  app.post('/sign-out', async (request: PageRequest, reply) => {
    const token = sessionToken(request);
    const session = await directory.operators.session(token);
    // A sign-out form from another site must not end the session (CSRF).
    if (session && sameCsrf(request.body?._csrf, session.csrf)) await directory.operators.signOut(token);
    clearSessionCookie(request, reply);
    return reply.redirect('/console/sign-in', 303);
  });
}
