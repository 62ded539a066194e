/**
 * /oidc: the provider (provider.ts) inside the Fastify app, and its two interaction steps.
 *
 * oidc-provider is a Koa application: its callback gets the raw request with the mount path cut
 * from the URL (and `originalUrl` kept, from which it learns the path), in a plugin of its own
 * that leaves request bodies unread for it. It is built on the first /oidc request, so an app
 * that never signs anyone in generates no keys.
 *
 * The interaction (docs/sso.md "How a sign-in runs"):
 * 1. GET /oidc/interaction/:uid: the org comes from `org`, `domain` or the `login_hint` email;
 *    directory.signIns.start runs home-realm discovery and hands back the SSO URL to send the
 *    browser to. The attempt id is saved in the interaction, which only this browser's
 *    interaction cookie names.
 * 2. GET /oidc/interaction/:uid/resume?attempt=…: directory.signIns.take (single use) must give
 *    the attempt saved in this interaction; its user becomes the session's account.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Directory } from '../directory/directory.ts';
import { DirectoryError } from '../directory/errors.ts';
import { accountIdOf } from '../directory/oidc.ts';
import { sendPlainPage } from '../http/plain-page.ts';
import { appendSetCookie, ssoBindCookie } from '../sso/cookies.ts';
import { startLogoutJob } from './logouts.ts';
import { createProvider, OIDC_PREFIX, type OidcSettings } from './provider.ts';

/** What the interaction keeps between its two steps (in oidc-provider's interaction `result`). */
interface Pending {
  scimitar?: { attemptId?: string };
}

const MAX_PARAM = 320;

function param(params: Record<string, unknown>, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_PARAM ? value : undefined;
}

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/** The interaction this browser's interaction cookie names, or undefined (expired, other browser). */
async function interactionOf(p: Provider, request: FastifyRequest, reply: FastifyReply) {
  try {
    return (await p.interactionDetails(request.raw, reply.raw)) as Interaction;
  } catch {
    return undefined;
  }
}

function expired(reply: FastifyReply) {
  return sendPlainPage(
    reply,
    400,
    'Sign-in expired',
    'This sign-in has expired or was opened elsewhere. Start again from the app.',
  );
}

export interface OidcRoutesOptions {
  settings: OidcSettings;
  /** How often each instance looks for back-channel logouts to send (ms; default 1000). */
  logoutPollMs?: number;
}

export function oidcRoutes(options: OidcRoutesOptions) {
  return async function oidcPlugin(app: FastifyInstance) {
    const directory: Directory = app.directory;
    const { signIns } = directory;

    let built: Promise<{ provider: Provider; handle: ReturnType<Provider['callback']> }> | undefined;
    const provider = () => {
      built ??= createProvider(directory, options.settings).then((p) => ({
        provider: p,
        handle: p.callback(),
      }));
      built.catch(() => {
        built = undefined;
      });
      return built;
    };

    const job = startLogoutJob(
      directory,
      async () => (await provider()).provider,
      app.log,
      options.logoutPollMs ?? 1000,
    );
    app.addHook('onClose', async () => job.stop());

    // Every URL the provider builds (discovery's endpoints, redirects, the interaction's return)
    // and its cookies' Secure flag follow PUBLIC_URL, whatever Host or X-Forwarded-* the
    // request came with: the issuer and its endpoints always agree.
    const publicUrl = new URL(options.settings.publicUrl);
    app.addHook('onRequest', async (request) => {
      const headers = request.raw.headers;
      headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
      headers['x-forwarded-host'] = publicUrl.host;
      if (!options.settings.trustProxy) delete headers['x-forwarded-for'];
    });

    // oidc-provider reads its own bodies (form posts to /token, /token/introspection…).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

    const forward = async (request: FastifyRequest, reply: FastifyReply) => {
      const { handle } = await provider();
      reply.hijack();
      const raw = request.raw as typeof request.raw & { originalUrl?: string };
      raw.originalUrl = raw.url;
      raw.url = (raw.url ?? '').slice(OIDC_PREFIX.length) || '/';
      await handle(raw, reply.raw as ServerResponse);
    };

    app.get('/interaction/:uid', async (request, reply) => {
      const { provider: p } = await provider();
      const details = await interactionOf(p, request, reply);
      if (!details) return expired(reply);
      if ((request.params as { uid: string }).uid !== details.uid) {
        return sendPlainPage(
          reply,
          400,
          'Sign-in expired',
          'This sign-in does not match your browser. Start again from the app.',
        );
      }
      const params = details.params as Record<string, unknown>;
      const hint = param(params, 'login_hint');
      const email = hint?.includes('@') ? hint : undefined;
      const orgId = param(params, 'org');
      const domain = param(params, 'domain');
      if (!orgId && !domain && !email) {
        return sendPlainPage(
          reply,
          400,
          'Which organization?',
          'The app must say which organization signs in: an org id (org), an email domain (domain) or the email address (login_hint).',
        );
      }
      let started: { attemptId: string; redirectTo: string; browserSecret: string };
      try {
        started = await signIns.start({
          ...(orgId ? { orgId } : {}),
          ...(domain ? { domain } : {}),
          ...(email ? { email } : {}),
          returnTo: `${OIDC_PREFIX}/interaction/${details.uid}/resume`,
        });
      } catch (error) {
        if (error instanceof DirectoryError)
          return sendPlainPage(
            reply,
            error.code === 'not_found' ? 404 : 400,
            'Cannot sign in',
            error.message,
          );
        throw error;
      }
      await p.interactionResult(
        request.raw,
        reply.raw,
        { scimitar: { attemptId: started.attemptId } },
        {
          mergeWithLastSubmission: false,
        },
      );
      // Binds the attempt to this browser: /sso/begin refuses any other (src/sso/cookies.ts).
      appendSetCookie(reply, ssoBindCookie(started.browserSecret, options.settings.publicUrl));
      return reply.header('cache-control', 'no-store').redirect(started.redirectTo, 303);
    });

    app.get('/interaction/:uid/resume', async (request, reply) => {
      const { provider: p } = await provider();
      const attempt = (request.query as { attempt?: unknown }).attempt;
      const details = await interactionOf(p, request, reply);
      if (!details) return expired(reply);
      const pending = (details.result as Pending | undefined)?.scimitar?.attemptId;
      if (
        (request.params as { uid: string }).uid !== details.uid ||
        typeof attempt !== 'string' ||
        attempt !== pending
      ) {
        return sendPlainPage(
          reply,
          400,
          'Sign-in refused',
          'This sign-in was not started in this browser. Start again from the app.',
        );
      }
      const taken = await signIns.take(attempt);
      if (!taken) {
        return sendPlainPage(
          reply,
          400,
          'Sign-in expired',
          'This sign-in was already used or has expired. Start again from the app.',
        );
      }
      reply.hijack();
      await p.interactionFinished(
        request.raw,
        reply.raw,
        { login: { accountId: accountIdOf(taken.orgId, taken.userId) } },
        { mergeWithLastSubmission: false },
      );
    });

    app.all('/', forward);
    app.all('/*', forward);
  };
}
