/**
 * The setup wizard's step 2, single sign-on (docs/console.md "Setup links"): for the IdP the
 * admin picked, SAML (the ACS URL and entity ID to paste, then the IdP's metadata by URL or
 * file) or OIDC (the redirect URI to paste, then issuer, client id and secret), then "Test a
 * sign-in", which runs a real sign-in through the org's connection and shows what the IdP sent,
 * or why it failed. Each IdP's instructions are idp-sso-guides.ts, its sources cited in the
 * page's source. Every datum comes from the management API with the link's secret, which the
 * API confines to this org and to the routes marked for setup.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_METADATA_BYTES } from '../directory/saml-metadata.ts';
import { readCookie } from '../sso/cookies.ts';
import type { ApiClient } from './api-client.ts';
import { Html, html } from './html.ts';
import { guideFor, type IdpGuide } from './idp-guides.ts';
import { type ProtocolGuide, type SsoGuide, ssoGuideFor } from './idp-sso-guides.ts';
import { errorPage, formBodies, sendPage } from './plugin.ts';
import { openLink } from './setup.ts';
import {
  type ConnectionView,
  type FieldErrors,
  fillValue,
  isDraft,
  oidcForm,
  samlMetadataForm,
  saveIdpSide,
  spValues,
  startTest,
  type TestView,
  testOf,
  testResultView,
} from './sso-forms.ts';

interface LinkInfo {
  orgId: string;
  orgName: string;
}

type Protocol = 'saml' | 'oidc';
type Params = { token: string; idp: string };

/** Where a test sign-in comes back to; the cookie says which link and IdP page to show. */
const RETURN_PATH = '/setup/sso-return';
const RETURN_COOKIE = 'scimitar_setup_sso';

interface Opened {
  api: ApiClient;
  link: LinkInfo;
  guide: IdpGuide;
  sso: SsoGuide;
}

/** The link, its API client and the IdP's guides; or a page saying the link does not work. */
async function open(request: FastifyRequest, reply: FastifyReply): Promise<Opened | undefined> {
  const params = request.params as Params;
  const opened = await openLink(request as FastifyRequest<{ Params: Params }>, reply);
  if (!opened) return undefined;
  const guide = guideFor(params.idp);
  const sso = ssoGuideFor(params.idp);
  if (!guide || !sso) {
    await reply.redirect(`/setup/${params.token}`, 303);
    return undefined;
  }
  return { ...opened, guide, sso };
}

function protocolOf(sso: SsoGuide, asked: unknown): Protocol {
  return sso.protocols.includes(asked as Protocol) ? (asked as Protocol) : (sso.protocols[0] ?? 'saml');
}

interface Chosen {
  /** The connection the page sets up, if there is one yet. */
  connection: ConnectionView | undefined;
  /** The org's other connections of the protocol, which the admin can open instead. */
  others: ConnectionView[];
}

/**
 * The connection of the protocol this page sets up: the one asked for (`?connection=`, one of
 * this org's: the list comes from the API, confined to the org), else the org's first made for
 * this IdP; and the org's other connections of the protocol, to pick instead.
 */
async function connectionOf(o: Opened, protocol: Protocol, wanted?: unknown): Promise<Chosen> {
  return choose(o, await connectionsOf(o), protocol, wanted);
}

/** The org's SSO connections, from the API (confined to the link's org). */
async function connectionsOf(o: Opened): Promise<ConnectionView[]> {
  return (await o.api.get<{ data: ConnectionView[] }>(`/orgs/${o.link.orgId}/sso/connections`)).data;
}

/** connectionOf among connections read already. */
function choose(o: Opened, list: ConnectionView[], protocol: Protocol, wanted?: unknown): Chosen {
  const mine = list.filter((c) => c.protocol === protocol);
  const connection = mine.find((c) => c.id === wanted) ?? mine.find((c) => c.preset === o.guide.id);
  return { connection, others: mine.filter((c) => c !== connection) };
}

/** `?connection=<id>` for the page's links and forms, when it sets up an existing connection. */
const which = (c: ConnectionView | undefined) => (c ? `connection=${encodeURIComponent(c.id)}` : '');

function sources(sso: SsoGuide, name: string): Html {
  const comment = new Html(
    `<!-- SSO instructions for ${name} written from: ${sso.sources.map((s) => s.replace(/--/g, '%2D%2D')).join(' ')} -->`,
  );
  return html`${comment}<p class="hint">From ${name}'s documentation:
    ${sso.sources.map((s, i) => html`${i > 0 ? ', ' : ''}<a href="${s}" rel="noreferrer noopener">${new URL(s).hostname}</a>`)}.</p>`;
}

interface View extends Chosen {
  protocol: Protocol;
  test?: TestView | undefined;
  form?: Record<string, string> | undefined;
  errors?: FieldErrors;
  saved?: string;
}

function instructions(g: ProtocolGuide, name: string, c: ConnectionView | undefined, redirect: string): Html {
  return html`<ol class="steps">${g.steps.map((s) => html`<li>${s}</li>`)}</ol>
    <h3>What to enter in ${name}</h3>
    <div class="table-wrap" tabindex="0" role="region" aria-label="What to enter in ${name}"><table>
      <thead><tr><th scope="col">${name} field</th><th scope="col">Value</th></tr></thead>
      <tbody>${g.fields.map(([label, value]) => html`<tr><td>${label}</td><td>${fillValue(value, c, redirect)}</td></tr>`)}</tbody>
    </table></div>
    <h3>Attributes</h3>
    <ul>${g.mappings.map((m) => html`<li>${m}</li>`)}</ul>`;
}

/** Which connection the page sets up, and the org's others of the protocol to open instead. */
function chosen(v: View, base: string, orgName: string, idpName: string, label: string): Html {
  const c = v.connection;
  const one = v.others.length === 1;
  const link = (x: ConnectionView) =>
    html`<a href="${base}?protocol=${v.protocol}&amp;${which(x)}">${x.name}</a> <code>${x.id}</code>`;
  const open = one ? 'Open it' : 'Open one';
  return html`${c ? html`<p>This page sets up the connection <strong>${c.name}</strong> <code>${c.id}</code>.</p>` : ''}
    ${
      v.others.length > 0
        ? html`<p>${orgName} ${c ? 'also has' : 'has'} ${one ? `this ${label} connection` : `these ${label} connections`}:
          ${v.others.map((x, i) => html`${i > 0 ? ', ' : ''}${link(x)}`)}.
          ${c ? `${open} to set it up instead.` : `${open} to set it up, or start a new one for ${idpName} below.`}</p>`
        : ''
    }`;
}

function ssoPage(token: string, o: Opened, v: View, redirectUri: string): Html {
  const { guide, sso, link } = o;
  const base = `/setup/${token}/sso/${guide.id}`;
  const q = which(v.connection);
  const g = v.protocol === 'saml' ? sso.saml : sso.oidc;
  const c = v.connection;
  const errors = v.errors ?? {};
  const ready = c !== undefined && !isDraft(c) && c.enabled;
  const other: Protocol = v.protocol === 'saml' ? 'oidc' : 'saml';
  const label = (p: Protocol) => (p === 'saml' ? 'SAML 2.0' : 'OpenID Connect');
  return html`
    <p>Connecting <strong>${link.orgName}</strong> with <strong>${guide.name}</strong>.
      <a href="/setup/${token}">Pick another IdP</a></p>
    <ol class="steps" aria-label="Wizard steps">
      <li>IdP: ${guide.name} ✓</li>
      <li><strong>Single sign-on: this page.</strong></li>
      <li><a href="/setup/${token}/scim/${guide.id}">User provisioning (SCIM)</a></li>
    </ol>
    <p>Single sign-on lets your users sign in to ${link.orgName} through ${guide.name}.
      This page uses <strong>${label(v.protocol)}</strong>.
      ${sso.protocols.includes(other) ? html`<a href="${base}?protocol=${other}">Use ${label(other)} instead</a>.` : ''}</p>
    ${v.saved ? html`<p class="notice ok" role="status">${v.saved}</p>` : ''}
    ${chosen(v, base, link.orgName, guide.name, label(v.protocol))}
    ${
      !g
        ? html``
        : v.protocol === 'saml' && !c
          ? html`<h2>1. Start</h2>
            <p>${guide.name} asks for this service's ACS URL and entity ID first; starting makes them.</p>
            <form method="post" action="${base}/saml/start"><button type="submit">Start SAML setup</button></form>`
          : html`<h2>1. In ${guide.name}</h2>
            ${c ? spValues(c) : ''}
            ${instructions(g, guide.name, c, redirectUri)}
            <h2>2. From ${guide.name}</h2>
            <p>${g.handBack}</p>
            ${
              v.protocol === 'saml'
                ? html`${c && !isDraft(c) ? html`<p>Imported: the IdP <code>${c.saml?.idpEntityId ?? ''}</code>, ${String(c.saml?.idpCertificates.length ?? 0)} signing certificate(s). Save new metadata to replace it.</p>` : ''}
                  ${samlMetadataForm(`${base}/saml?${q}`, undefined, v.form, errors)}`
                : oidcForm(`${base}/oidc${q ? `?${q}` : ''}`, undefined, v.form, errors, c, sso.issuerHint)
            }
            <h2>3. Test a sign-in</h2>
            <p>${g.test}</p>
            <div id="test-result">${testResultView(v.test)}</div>
            ${
              ready
                ? html`<form method="post" action="${base}/test?${q}">
                    <input type="hidden" name="protocol" value="${v.protocol}">
                    <button type="submit">Test a sign-in</button>
                    <p class="hint">You sign in at ${guide.name} and come back here. Nobody is signed in to ${link.orgName}, and no user is made.</p>
                  </form>`
                : html`<p class="hint">Save ${v.protocol === 'saml' ? 'the metadata' : 'the settings'} first.</p>`
            }`
    }
    ${sources(sso, guide.name)}
    <p><a class="button" href="/setup/${token}/scim/${guide.id}">Next: user provisioning (SCIM)</a></p>`;
}

export async function setupSsoPages(app: FastifyInstance): Promise<void> {
  // Metadata files run larger than the other forms: this plugin's forms take up to 1 MiB.
  formBodies(app, MAX_METADATA_BYTES + 16 * 1024);
  const publicUrl = app.config.publicUrl;
  const redirectUri = publicUrl ? `${new URL(publicUrl).origin}/sso/oidc/callback` : '';

  const render = (reply: FastifyReply, status: number, token: string, o: Opened, v: View) =>
    sendPage(reply, status, `Single sign-on with ${o.guide.name}`, ssoPage(token, o, v, redirectUri));

  app.get<{ Params: Params; Querystring: { protocol?: string; attempt?: string; connection?: string } }>(
    '/:token/sso/:idp',
    async (request, reply) => {
      const o = await open(request, reply);
      if (!o) return reply;
      const protocol = protocolOf(o.sso, request.query.protocol);
      if (!publicUrl)
        return errorPage(
          reply,
          200,
          'Single sign-on',
          'Single sign-on is not available on this service yet (its operator has not set PUBLIC_URL).',
          html`<p><a class="button" href="/setup/${request.params.token}/scim/${o.guide.id}">Next: user provisioning (SCIM)</a></p>`,
        );
      const test = await testOf(o.api, o.link.orgId, request.query.attempt);
      const list = await connectionsOf(o);
      // Back from a test: the page of the connection it ran through.
      const tested = test ? list.find((c) => c.id === test.connectionId)?.protocol : undefined;
      const shown = tested ?? protocol;
      const chosen = choose(o, list, shown, test && tested ? test.connectionId : request.query.connection);
      return render(reply, 200, request.params.token, o, { protocol: shown, ...chosen, test });
    },
  );

  app.post<{ Params: Params }>('/:token/sso/:idp/saml/start', async (request, reply) => {
    const o = await open(request, reply);
    if (!o) return reply;
    // One draft for this IdP: starting twice opens the same one.
    const connection =
      (await connectionOf(o, 'saml')).connection ??
      (await o.api.call<ConnectionView>('POST', `/orgs/${o.link.orgId}/sso/connections`, {
        protocol: 'saml',
        preset: o.guide.id,
        name: `${o.guide.name} SAML`,
        enabled: false,
      }));
    return reply.redirect(
      `/setup/${request.params.token}/sso/${o.guide.id}?protocol=saml&${which(connection)}`,
      303,
    );
  });

  app.post<{
    Params: Params & { protocol: string };
    Querystring: { connection?: string };
    Body: Record<string, string> | undefined;
  }>('/:token/sso/:idp/:protocol(saml|oidc)', async (request, reply) => {
    const o = await open(request, reply);
    if (!o) return reply;
    const protocol = request.params.protocol as Protocol;
    const { connection, others } = await connectionOf(o, protocol, request.query.connection);
    if ((protocol === 'saml' && !connection) || !o.sso[protocol])
      return reply.redirect(`/setup/${request.params.token}/sso/${o.guide.id}?protocol=${protocol}`, 303);
    const saved = await saveIdpSide(o.api, o.link.orgId, protocol, request.body, connection, {
      protocol,
      preset: o.guide.id,
      name: `${o.guide.name} OIDC`,
    });
    if ('errors' in saved)
      return render(reply, 400, request.params.token, o, {
        protocol,
        connection,
        others,
        form: request.body,
        errors: saved.errors,
      });
    return render(reply, 200, request.params.token, o, {
      protocol,
      connection: saved.connection,
      others,
      saved:
        protocol === 'saml'
          ? `Saved: ${o.guide.name}'s metadata is imported. Now test a sign-in.`
          : `Saved: ${o.guide.name}'s OIDC settings. Now test a sign-in.`,
    });
  });

  app.post<{
    Params: Params;
    Querystring: { connection?: string };
    Body: Record<string, string> | undefined;
  }>('/:token/sso/:idp/test', async (request, reply) => {
    const o = await open(request, reply);
    if (!o) return reply;
    const protocol = protocolOf(o.sso, request.body?.protocol);
    const { connection } = await connectionOf(o, protocol, request.query.connection);
    if (!connection) return reply.redirect(`/setup/${request.params.token}/sso/${o.guide.id}`, 303);
    const secure = publicUrl?.startsWith('https:') ? '; Secure' : '';
    const cookie = `${RETURN_COOKIE}=${request.params.token}.${o.guide.id}; Path=/setup; Max-Age=600; HttpOnly; SameSite=Lax${secure}`;
    return startTest(request, reply, o.api, connection, RETURN_PATH, cookie);
  });

  // The IdP sent the browser back: to the page of the link and IdP that started the test.
  app.get<{ Querystring: { attempt?: string } }>('/sso-return', async (request, reply) => {
    const [token, idp] = (readCookie(request, RETURN_COOKIE) ?? '').split('.');
    const attempt = String(request.query.attempt ?? '');
    if (!token || !idp || !/^setup_[A-Za-z0-9_-]{1,100}$/.test(token) || !ssoGuideFor(idp))
      return errorPage(
        reply,
        400,
        'Test sign-in expired',
        'This browser has no test sign-in in progress (tests last 10 minutes).',
        html`<p>Open your setup link again and start the test from there.</p>`,
      );
    const secure = publicUrl?.startsWith('https:') ? '; Secure' : '';
    return reply
      .header('set-cookie', `${RETURN_COOKIE}=; Path=/setup; Max-Age=0; HttpOnly; SameSite=Lax${secure}`)
      .redirect(`/setup/${token}/sso/${idp}?attempt=${encodeURIComponent(attempt.slice(0, 100))}`, 303);
  });
}
