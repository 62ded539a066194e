/**
 * The operator console at /console (docs/console.md): server-rendered pages, a client of the
 * management API (api-client.ts) with the operator's session cookie. Registered by
 * http/app.ts as an encapsulated plugin: its own body parser (forms), error pages and headers.
 */
import type { FastifyInstance } from 'fastify';
import { apiKeyPages } from './api-keys.ts';
import { html } from './html.ts';
import { operatorSsoRoutes } from './operator-sso.ts';
import { orgDetailPages } from './org.ts';
import { orgRolePages } from './org-roles.ts';
import { orgValvePages } from './org-valves.ts';
import { orgPages } from './orgs.ts';
import { assetRoutes, errorPage, pageBasics } from './plugin.ts';
import { signInRoutes } from './sign-in.ts';
import { ssoPages } from './sso.ts';
import { webhookPages } from './webhooks.ts';

export async function consoleApp(app: FastifyInstance): Promise<void> {
  await pageBasics(app);
  app.setNotFoundHandler((request, reply) =>
    errorPage(
      reply,
      404,
      'Page not found',
      `There is no page ${request.url.split('?')[0]}.`,
      html`<p><a href="/console">Go to the console’s start page</a></p>`,
    ),
  );
  await app.register(assetRoutes);
  await app.register(signInRoutes);
  await app.register(operatorSsoRoutes);
  await app.register(orgPages);
  await app.register(orgDetailPages);
  await app.register(orgRolePages);
  await app.register(orgValvePages);
  await app.register(ssoPages);
  await app.register(webhookPages);
  await app.register(apiKeyPages);
}
