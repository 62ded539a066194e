/**
 * Setup links' pages, `/setup/<secret>` (docs/console.md "Setup links"): a wizard for a
 * customer's IT admin. Pick the IdP, then the SCIM step: the base URL, a token made on the spot
 * and shown once, that IdP's own instructions (idp-guides.ts), and a live status that turns
 * from "waiting for your IdP" to "connected". Every datum comes from the management API with
 * the link's secret as the credential, which the API confines to this org and to setup.
 * The SSO step (SAML/OIDC, step 2) is setup-sso.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiClient, ApiFailure, query } from './api-client.ts';
import { type Flash, redirectWithFlash, setupLinkFlashes, takeFlash } from './flash.ts';
import { Html, html } from './html.ts';
import { guideFor, IDP_GUIDES, type IdpGuide } from './idp-guides.ts';
import { errorPage, pageBasics, sendPage } from './plugin.ts';
import { setupSsoPages } from './setup-sso.ts';
import { type OrgStatus, statusView, type UserRow } from './status-view.ts';

interface LinkInfo {
  orgId: string;
  orgName: string;
  expiresAt: string;
}

type Params = { token: string; idp?: string };

const deadLink = html`<p>Ask the person who sent you this link for a new one. Setup links work for 7 days
  unless they set another time, and stop working at once when revoked.</p>`;

/** The link's API client and what it is for; or a clear page when the link does not work. */
export async function openLink(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) {
  const api = new ApiClient(request, { kind: 'bearer', secret: request.params.token });
  try {
    const link = await api.get<LinkInfo>('/setup-link');
    return { api, link };
  } catch (error) {
    if (!(error instanceof ApiFailure) || error.problem.status >= 500) throw error;
    await errorPage(
      reply,
      404,
      'This setup link does not work',
      'It has expired, it was revoked, or it was not copied whole.',
      deadLink,
    );
    return undefined;
  }
}

function fill(value: string, base: string, token: string | undefined): Html {
  if (value === '{base}') return html`<code>${base}</code>`;
  if (value === '{token}')
    return token ? html`<code>${token}</code>` : html`<em>the token you make below</em>`;
  return html`${value}`;
}

/** The vendor sources, cited in the page's source and linked for the admin. */
function sources(guide: IdpGuide): Html {
  const comment = new Html(
    `<!-- Instructions for ${guide.name} written from: ${guide.sources.map((s) => s.replace(/--/g, '%2D%2D')).join(' ')} -->`,
  );
  return html`${comment}<p class="hint">From ${guide.name}'s documentation:
    ${guide.sources.map((s, i) => html`${i > 0 ? ', ' : ''}<a href="${s}" rel="noreferrer noopener">${new URL(s).hostname}</a>`)}.</p>`;
}

function scimStep(token: string, link: LinkInfo, guide: IdpGuide, base: string, shown: Flash): Html {
  const newToken = shown.token;
  return html`
    <p>Connecting <strong>${link.orgName}</strong> with <strong>${guide.name}</strong>.
      <a href="/setup/${token}">Pick another IdP</a></p>
    <ol class="steps" aria-label="Wizard steps">
      <li>IdP: ${guide.name} ✓</li>
      <li><a href="/setup/${token}/sso/${guide.id}">Single sign-on (SAML or OIDC)</a></li>
      <li><strong>User provisioning (SCIM): this page.</strong></li>
    </ol>

    <h2>1. Your SCIM connection</h2>
    <dl class="facts">
      <dt>SCIM base URL</dt>
      <dd><span id="base-url"><code>${base}</code></span> <button type="button" class="secondary" data-copy="#base-url">Copy</button></dd>
    </dl>
    ${
      newToken
        ? html`<h3 id="token-heading">Your token</h3>
          <p role="status">Copy it now: it is shown only this once. If it gets lost, make another one.</p>
          <div class="secret"><code id="new-token">${newToken}</code>
            <button type="button" data-copy="#new-token">Copy token</button></div>`
        : html`${
            shown.gone
              ? html`<p class="notice" role="status">The token this page showed is shown only once, and
                  reloading the page made no new one. If you did not copy it, make another one.</p>`
              : ''
          }<form method="post" action="/setup/${token}/scim/${guide.id}/token" class="inline">
            <button type="submit">Make a SCIM token</button>
            <p class="hint">The token is shown once, on the next page. Making another one later does not stop this one.</p>
          </form>`
    }

    <h2>2. In ${guide.name}</h2>
    <ol class="steps">${guide.steps.map((s) => html`<li>${s}</li>`)}</ol>
    <h3>What to enter</h3>
    <div class="table-wrap" tabindex="0" role="region" aria-label="What to enter"><table>
      <thead><tr><th scope="col">${guide.name} field</th><th scope="col">Value</th></tr></thead>
      <tbody>${guide.fields.map(([label, value]) => html`<tr><td>${label}</td><td>${fill(value, base, newToken)}</td></tr>`)}</tbody>
    </table></div>
    <h3>Attribute mappings and groups</h3>
    <ul>${guide.mappings.map((m) => html`<li>${m}</li>`)}</ul>
    <h3>What “test connection” does</h3>
    <p>${guide.testConnection}</p>
    ${sources(guide)}

    <h2>3. Status</h2>
    <div id="status" aria-live="polite" hx-get="/setup/${token}/status" hx-trigger="every 3s" hx-swap="innerHTML">
      <p>Loading the status…</p>
    </div>
    <noscript><p><a href="/setup/${token}/scim/${guide.id}">Reload this page</a> to see the latest status.</p></noscript>`;
}

export async function setupPages(app: FastifyInstance): Promise<void> {
  await pageBasics(app);
  await app.register(setupSsoPages);
  app.setNotFoundHandler((_request, reply) =>
    errorPage(reply, 404, 'This setup link does not work', 'The address is not a setup link.', deadLink),
  );

  app.get<{ Params: Params }>('/:token', async (request, reply) => {
    const opened = await openLink(request, reply);
    if (!opened) return reply;
    const { link } = opened;
    const { token } = request.params;
    return sendPage(
      reply,
      200,
      `Connect ${link.orgName}`,
      html`
        <p>This page sets up single sign-on and user provisioning (SCIM) from your identity provider to
          <strong>${link.orgName}</strong>. The link works until ${link.expiresAt.slice(0, 16).replace('T', ' ')} UTC.</p>
        <h2>Which identity provider do you use?</h2>
        <form method="post" action="/setup/${token}/idp">
          <fieldset>
            <legend>Identity provider</legend>
            <ul class="idps">
              ${IDP_GUIDES.map((g) => html`<li><button type="submit" name="idp" value="${g.id}">${g.name}</button></li>`)}
            </ul>
          </fieldset>
        </form>`,
    );
  });

  app.post<{ Params: Params; Body: Record<string, string> | undefined }>(
    '/:token/idp',
    async (request, reply) => {
      const opened = await openLink(request, reply);
      if (!opened) return reply;
      const guide = guideFor(request.body?.idp ?? '');
      if (!guide)
        return errorPage(
          reply,
          400,
          'Pick an identity provider',
          'Choose one of the listed providers, or “Another IdP”.',
          html`<p><a href="/setup/${request.params.token}">Back</a></p>`,
        );
      // The org's IdP profile follows the admin's choice (which quirks its endpoint names in logs).
      await opened.api.call('PATCH', `/orgs/${opened.link.orgId}/scim`, { idpProfile: guide.id });
      return reply.redirect(`/setup/${request.params.token}/sso/${guide.id}`, 303);
    },
  );

  // The token a form made is shown by the page its 303 opens (post/redirect/get, flash.ts): a
  // reload of that page makes nothing and no longer shows the token.
  app.get<{ Params: Params; Querystring: Record<string, string | undefined> }>(
    '/:token/scim/:idp',
    async (request, reply) => {
      const opened = await openLink(request, reply);
      if (!opened) return reply;
      const { token } = request.params;
      const guide = guideFor(request.params.idp ?? '');
      if (!guide) return reply.redirect(`/setup/${token}`, 303);
      const [connection, shown] = await Promise.all([
        opened.api.get<{ scimBaseUrl: string }>(`/orgs/${opened.link.orgId}/scim`),
        takeFlash(request, request.query, setupLinkFlashes(request, token)),
      ]);
      return sendPage(
        reply,
        200,
        `Connect ${guide.name}`,
        scimStep(token, opened.link, guide, connection.scimBaseUrl, shown),
        { htmx: true },
      );
    },
  );

  app.post<{ Params: Params }>('/:token/scim/:idp/token', async (request, reply) => {
    const opened = await openLink(request, reply);
    if (!opened) return reply;
    const { token } = request.params;
    const guide = guideFor(request.params.idp ?? '');
    if (!guide) return reply.redirect(`/setup/${token}`, 303);
    const created = await opened.api.call<{ token: string }>(
      'POST',
      `/orgs/${opened.link.orgId}/scim/tokens`,
      { name: `${guide.name} (setup link)` },
    );
    return redirectWithFlash(
      request,
      reply,
      `/setup/${token}/scim/${guide.id}#token-heading`,
      { token: created.token },
      setupLinkFlashes(request, token),
    );
  });

  app.get<{ Params: Params }>('/:token/status', async (request, reply) => {
    const api = new ApiClient(request, { kind: 'bearer', secret: request.params.token });
    let body: Html;
    try {
      const link = await api.get<LinkInfo>('/setup-link');
      const status = await api.get<OrgStatus>(`/orgs/${link.orgId}/status`);
      const users = await api.get<{ data: UserRow[] }>(`/orgs/${link.orgId}/users${query({ limit: 10 })}`);
      body = statusView(status, users.data);
    } catch (error) {
      if (!(error instanceof ApiFailure) || error.problem.status >= 500) throw error;
      // The link stopped working while the page was open: say so, and stop polling (286).
      body = html`<p class="notice error" role="alert">This setup link no longer works. ${deadLink}</p>`;
      reply.code(286);
    }
    return reply.header('content-type', 'text/html; charset=utf-8').send(body.value);
  });
}
