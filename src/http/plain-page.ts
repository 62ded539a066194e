/**
 * A plain HTML page for a browser flow that cannot go on (a sign-in refused or expired): the
 * title and text escaped, no script, not cached. Used by src/oidc/ and src/sso/.
 */
import type { FastifyReply } from 'fastify';

export function sendPlainPage(reply: FastifyReply, status: number, title: string, text: string) {
  const html = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'")
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title></head>` +
        `<body><h1>${html(title)}</h1><p>${html(text)}</p></body></html>`,
    );
}
