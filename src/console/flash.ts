/**
 * Post/redirect/get for the console's and the setup pages' forms (docs/console.md "Shown once"):
 * a form that worked answers 303 to a page, and what that page shows once (a message, a new
 * token, key, setup link or signing secret) waits server-side in a one-time flash
 * (directory/flashes.ts: sealed, bound to the operator's session or to the setup link, read
 * once, 10 minutes). The URL carries only the flash's id,
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

/** Where a page's flashes are kept: bound to the operator's session, or to a setup link. */
export interface FlashKeeper {
  put(fields: Flash): Promise<string>;
  take(id: string): Promise<Flash | undefined>;
}

/** The console's: bound to the operator's session (directory/operators.ts). */
function sessionFlashes(request: FastifyRequest): FlashKeeper {
  const operators = request.server.directory.operators;
  return {
    put: (fields) => operators.putFlash(sessionToken(request) ?? '', fields),
    take: (id) => operators.takeFlash(sessionToken(request), id),
  };
}

/** A setup page's: bound to its link, whose secret is the page's credential (directory/setup-links.ts). */
export function setupLinkFlashes(request: FastifyRequest, secret: string): FlashKeeper {
  const links = request.server.directory.setupLinks;
  return { put: (fields) => links.putFlash(secret, fields), take: (id) => links.takeFlash(secret, id) };
}

/**
 * Answers a form that worked: 303 to `to` (a path, maybe with #fragment), showing `fields` once.
 * The flash is the operator session's unless `keeper` says otherwise.
 */
export async function redirectWithFlash(
  request: FastifyRequest,
  reply: FastifyReply,
  to: string,
  fields: Flash,
  keeper: FlashKeeper = sessionFlashes(request),
): Promise<FastifyReply> {
  const id = await keeper.put(fields);
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
  keeper: FlashKeeper = sessionFlashes(request),
): Promise<Flash> {
  const id = query[SECRET_PARAM] ?? query[MESSAGE_PARAM];
  if (!id) return {};
  const found = await keeper.take(id.slice(0, 64));
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
