/**
 * What every console and setup page shares: security headers (a strict Content-Security-Policy
 * with frame-ancestors 'none'), form bodies, the assets, and HTML error pages that say what to do
 * (never a stack trace).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DirectoryError } from '../directory/errors.ts';
import { ApiFailure } from './api-client.ts';
import { type Html, html, page } from './html.ts';

/**
 * Scripts and styles from this origin only, no inline code, no eval, forms posting here only,
 * never framed (CSP Level 3 §6; `frame-ancestors` replaces X-Frame-Options, sent too for old
 * browsers), the page's address never sent on (setup links carry their secret in it).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
};

/** Forms are small: a password, a name, a URL. */
export const FORM_BODY_LIMIT = 64 * 1024;

const require = createRequire(import.meta.url);
const here = new URL('./assets/', import.meta.url);

function asset(path: string | URL, type: string) {
  return { body: readFileSync(path), type };
}

/** Sends a whole HTML page. */
export function sendPage(
  reply: FastifyReply,
  status: number,
  title: string,
  body: Html,
  extra: Partial<Parameters<typeof page>[0]> = {},
) {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .send(page({ title, body, ...extra }));
}

/** A page for an error, saying what to do next. */
export function errorPage(reply: FastifyReply, status: number, title: string, what: string, next: Html) {
  return sendPage(reply, status, title, html`<p role="alert">${what}</p>${next}`);
}

/** Parses form bodies (the first value of each field) up to `bodyLimit` bytes; no other type. */
export function formBodies(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit },
    (_request, body, done) => {
      const fields: Record<string, string> = {};
      for (const [key, value] of new URLSearchParams(body as string))
        if (!(key in fields)) fields[key] = value;
      done(null, fields);
    },
  );
}

/** The shared hooks and routes, for a plugin instance serving pages. */
export async function pageBasics(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(PAGE_HEADERS);
  });

  formBodies(app, FORM_BODY_LIMIT);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiFailure && error.problem.status < 500)
      return errorPage(reply, error.problem.status, 'That did not work', error.problem.detail, backLink());
    if (error instanceof DirectoryError)
      return errorPage(
        reply,
        error.code === 'not_found' ? 404 : 400,
        'That did not work',
        error.message,
        backLink(),
      );
    const status = error.statusCode ?? 500;
    if (status === 413)
      return errorPage(reply, 413, 'Too much data', 'The form sent more than this page accepts.', backLink());
    if (status === 415)
      return errorPage(reply, 415, 'Not a form', 'Send this page’s forms from a browser.', backLink());
    if (status >= 400 && status < 500)
      return errorPage(reply, status, 'That did not work', error.message, backLink());
    request.log.error({ err: error }, 'console page failed');
    return errorPage(
      reply,
      500,
      'Something went wrong',
      `The server failed to answer. Try again; if it keeps failing, give your operator this id: ${request.id}.`,
      backLink(),
    );
  });
}

function backLink(): Html {
  return html`<p><a href="/console">Back to the console</a></p>`;
}

/** /console/assets/*: the stylesheet, the script, and htmx from node_modules (no CDN, no build). */
export async function assetRoutes(app: FastifyInstance): Promise<void> {
  const assets: Record<string, { body: Buffer; type: string }> = {
    'console.css': asset(new URL('console.css', here), 'text/css; charset=utf-8'),
    'console.js': asset(new URL('console.js', here), 'text/javascript; charset=utf-8'),
    'htmx.min.js': asset(require.resolve('htmx.org/dist/htmx.min.js'), 'text/javascript; charset=utf-8'),
    'favicon.svg': asset(new URL('favicon.svg', here), 'image/svg+xml'),
  };
  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const found = assets[request.params.name];
    if (!found) return errorPage(reply, 404, 'Not found', 'There is no such file.', backLink());
    return reply
      .header('content-type', found.type)
      .header('cache-control', 'public, max-age=3600')
      .send(found.body);
  });
}

/** Whether a URL is one of the console's or the setup links' pages. */
export function isPagePath(url: string): boolean {
  return /^\/(console|setup)(\/|\?|$)/.test(url);
}

/** A page URL the router refused (malformed percent-encoding, an over-long segment). */
export function malformedPageUrl(reply: FastifyReply) {
  reply.headers(PAGE_HEADERS);
  return errorPage(
    reply,
    400,
    'This address does not work',
    'The address is malformed: it was probably not copied whole.',
    backLink(),
  );
}

/** A page path that is safe to send the browser to after sign-in: this console only. */
export function safeNext(next: unknown): string {
  if (
    typeof next !== 'string' ||
    !next.startsWith('/console') ||
    next.startsWith('//') ||
    next.includes('\\')
  )
    return '/console';
  return next.slice(0, 2000);
}

export type PageRequest = FastifyRequest<{ Body: Record<string, string> | undefined }>;
