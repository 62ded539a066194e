/**
 * A plain HTML page for a browser flow that cannot go on (a sign-in refused or expired, an OIDC
 * protocol error): the title and text escaped, no script, nothing loaded, not cached. Used by
 * src/oidc/ and src/sso/.
 */
import type { FastifyReply } from 'fastify';

export const PLAIN_PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'",
} as const;

export function plainPage(title: string, text: string): string {
  const html = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title></head>` +
    `<body><h1>${html(title)}</h1><p>${html(text)}</p></body></html>`
  );
}

export function sendPlainPage(reply: FastifyReply, status: number, title: string, text: string) {
  return reply.code(status).headers(PLAIN_PAGE_HEADERS).send(plainPage(title, text));
}
