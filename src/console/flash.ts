/**
 * Post/redirect/get for the console's forms (docs/console.md "Shown once"): a form that worked
 * answers 303 to a page, and what that page shows once (a message, a new token, key, setup link
 * or signing secret) waits server-side in a one-time flash (directory/operators.ts putFlash:
 * sealed, bound to the session, read once, 10 minutes). The URL carries only the flash's id,
 * never the secret. Reloading the page sends no form again, so nothing is made twice, and the
 * flash is gone: the secret is not shown again either.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionToken } from '../http/session-cookie.ts';
import { type Html, html, notice } from './html.ts';

export type Flash = Record<string, string>;

/**
 * The query parameter naming the flash: `shown` when it holds a secret (a page reloaded then
 * says why the secret is not there), `done` when only a message (a reload shows the page alone).
 */
const SECRET_PARAM = 'shown';
const MESSAGE_PARAM = 'done';
/** The fields of a flash that are secrets. */
const SECRETS = ['token', 'setupUrl', 'key', 'secret'];

/** Answers a form that worked: 303 to `to` (a console path, maybe with #fragment), showing `fields` once. */
export async function redirectWithFlash(
  request: FastifyRequest,
  reply: FastifyReply,
  to: string,
  fields: Flash,
): Promise<FastifyReply> {
  const token = sessionToken(request) ?? '';
  const id = await request.server.directory.operators.putFlash(token, fields);
  const [path = '', fragment] = to.split('#');
  const param = SECRETS.some((k) => fields[k] !== undefined) ? SECRET_PARAM : MESSAGE_PARAM;
  const url = `${path}${path.includes('?') ? '&' : '?'}${param}=${id}${fragment ? `#${fragment}` : ''}`;
  return reply.redirect(url, 303);
}

/**
 * The flash a page's URL names, taken (it is not there for the next load). A named flash that
 * is gone (the page was reloaded, or opened again later) says so in `gone`.
 */
export async function takeFlash(
  request: FastifyRequest,
  query: Record<string, string | undefined>,
): Promise<Flash> {
  const id = query[SECRET_PARAM] ?? query[MESSAGE_PARAM];
  if (!id) return {};
  const found = await request.server.directory.operators.takeFlash(sessionToken(request), id.slice(0, 64));
  return found ?? (query[SECRET_PARAM] ? { gone: '1' } : {});
}

/** The flash's notices: its message, its error, or that it was shown already. */
export function flashNotices(flash: Flash): Html {
  return html`${notice('ok', flash.message)}${notice('error', flash.error)}${
    flash.gone
      ? html`<p class="notice" role="status">The secret this page showed once is not shown again, and
          reloading made nothing new. If you did not copy it, make another and revoke the old one.</p>`
      : ''
  }`;
}
