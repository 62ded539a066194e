/**
 * What the setup wizard's SSO step (setup-sso.ts) and the console's SSO page (sso.ts) share:
 * the values to paste into the IdP, the forms for the IdP's side (SAML metadata by URL or file;
 * OIDC issuer, client id and secret) with field-level messages, starting a test sign-in, and
 * its result. Everything goes through the management API (api-client.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SignInTest } from '../directory/sign-ins.ts';
import { ssoBindCookie } from '../sso/cookies.ts';
import { type ApiClient, ApiFailure } from './api-client.ts';
import { describedBy, fieldError, type Html, html, page } from './html.ts';

export interface ConnectionView {
  id: string;
  orgId: string;
  protocol: 'saml' | 'oidc';
  name: string;
  preset: string;
  enabled: boolean;
  jit: boolean;
  matchBy: string;
  attributes: Record<string, string>;
  oidc: { issuer: string; clientId: string; scopes: string[]; clientSecretSet: boolean } | null;
  saml: { idpEntityId: string; idpSsoUrl: string; idpCertificates: string[] } | null;
  urls: { entityId?: string; acsUrl?: string; metadataUrl?: string; redirectUri?: string } | null;
  createdAt: string;
}

/** A test sign-in as the API answers it (directory/sign-ins.ts SignInTest). */
export type TestView = SignInTest;

export type FieldErrors = Record<string, string>;
type Form = Record<string, string> | undefined;

/** A SAML connection still waiting for its IdP's metadata. */
export function isDraft(c: ConnectionView): boolean {
  return c.protocol === 'saml' && (c.saml?.idpCertificates.length ?? 0) === 0;
}

function csrfField(csrf: string | undefined): Html {
  return csrf ? html`<input type="hidden" name="_csrf" value="${csrf}">` : html``;
}

function copyable(id: string, value: string): Html {
  return html`<span id="${id}"><code>${value}</code></span> <button type="button" class="secondary" data-copy="#${id}" aria-label="Copy ${id.replace(/-/g, ' ')}">Copy</button>`;
}

/** The values the IdP asks for, with copy buttons. */
export function spValues(c: ConnectionView): Html {
  const u = c.urls;
  if (!u)
    return html`<p class="notice error" role="alert">The service has no PUBLIC_URL, so it serves no SSO: ask its operator to set it.</p>`;
  if (c.protocol === 'oidc')
    return html`<dl class="facts"><dt>Redirect URI</dt><dd>${copyable(`redirect-uri-${c.id}`, u.redirectUri ?? '')}</dd></dl>`;
  return html`<dl class="facts">
    <dt>ACS URL</dt><dd>${copyable(`acs-url-${c.id}`, u.acsUrl ?? '')}</dd>
    <dt>Entity ID</dt><dd>${copyable(`entity-id-${c.id}`, u.entityId ?? '')}</dd>
    <dt>SP metadata</dt><dd><a href="${u.metadataUrl ?? ''}">${u.metadataUrl ?? ''}</a></dd>
  </dl>`;
}

/** Fills a guide's placeholder with the connection's value. */
export function fillValue(value: string, c: ConnectionView | undefined, redirectUri: string): Html {
  const u = c?.urls;
  const code = (v: string | undefined, missing: string) =>
    v ? html`<code>${v}</code>` : html`<em>${missing}</em>`;
  switch (value) {
    case '{acs}':
      return code(u?.acsUrl, 'shown once you start the SAML setup');
    case '{entityId}':
      return code(u?.entityId, 'shown once you start the SAML setup');
    case '{metadata}':
      return code(u?.metadataUrl, 'shown once you start the SAML setup');
    case '{redirect}':
      return code(redirectUri, 'ask the operator to set PUBLIC_URL');
    default:
      return html`${value}`;
  }
}

/** The form for the IdP's SAML metadata: a URL, or a file (read into the box) or pasted XML. */
export function samlMetadataForm(
  action: string,
  csrf: string | undefined,
  form: Form,
  errors: FieldErrors,
): Html {
  return html`<form method="post" action="${action}" class="stack">
    ${csrfField(csrf)}
    ${errors.form ? html`<p class="notice error" role="alert">${errors.form}</p>` : ''}
    <div>
      <label for="metadataUrl">Metadata URL</label>
      <input id="metadataUrl" name="metadataUrl" type="url" inputmode="url" maxlength="2000" placeholder="https://" value="${form?.metadataUrl ?? ''}"${describedBy('metadataUrl', errors.metadataUrl)}>
      <p class="hint">Fetched once, now. It must be https.</p>
      ${fieldError('metadataUrl', errors.metadataUrl)}
    </div>
    <div>
      <label for="metadata-file">Or a metadata file</label>
      <input id="metadata-file" type="file" accept=".xml,application/xml,text/xml,application/samlmetadata+xml" data-file-into="#metadataXml">
    </div>
    <div>
      <label for="metadataXml">Metadata XML (the file's content, or paste it here)</label>
      <textarea id="metadataXml" name="metadataXml" rows="4" maxlength="1048576"${describedBy('metadataXml', errors.metadataXml)}>${form?.metadataXml ?? ''}</textarea>
      ${fieldError('metadataXml', errors.metadataXml)}
    </div>
    <div><button type="submit">Save the IdP's metadata</button></div>
  </form>`;
}

/** The OIDC fields: issuer, client id and secret (kept when left empty on a change). */
export function oidcFields(
  form: Form,
  errors: FieldErrors,
  existing: ConnectionView | undefined,
  issuerHint: string | undefined,
): Html {
  const v = (name: 'issuer' | 'clientId') => form?.[name] ?? existing?.oidc?.[name] ?? '';
  const secretSet = existing?.oidc?.clientSecretSet === true;
  return html`${errors.form ? html`<p class="notice error" role="alert">${errors.form}</p>` : ''}
    <div>
      <label for="issuer">Issuer</label>
      <input id="issuer" name="issuer" type="url" inputmode="url" required maxlength="2000" value="${v('issuer')}"${describedBy('issuer', errors.issuer)}>
      ${issuerHint ? html`<p class="hint">Looks like <code>${issuerHint}</code>. Its /.well-known/openid-configuration must answer.</p>` : ''}
      ${fieldError('issuer', errors.issuer)}
    </div>
    <div>
      <label for="clientId">Client ID</label>
      <input id="clientId" name="clientId" required maxlength="500" autocomplete="off" value="${v('clientId')}"${describedBy('clientId', errors.clientId)}>
      ${fieldError('clientId', errors.clientId)}
    </div>
    <div>
      <label for="clientSecret">Client secret</label>
      <input id="clientSecret" name="clientSecret" type="password" maxlength="2000" autocomplete="off"${secretSet ? '' : html` required`}${describedBy('clientSecret', errors.clientSecret)}>
      <p class="hint">${secretSet ? 'A secret is stored (never shown). Leave this empty to keep it.' : 'Stored encrypted, never shown again.'}</p>
      ${fieldError('clientSecret', errors.clientSecret)}
    </div>`;
}

/** The form for an OIDC IdP (oidcFields and a button). */
export function oidcForm(
  action: string,
  csrf: string | undefined,
  form: Form,
  errors: FieldErrors,
  existing: ConnectionView | undefined,
  issuerHint: string | undefined,
): Html {
  return html`<form method="post" action="${action}" class="stack">
    ${csrfField(csrf)}
    ${oidcFields(form, errors, existing, issuerHint)}
    <div><button type="submit">Save OIDC settings</button></div>
  </form>`;
}

/**
 * A page that moves the browser on by itself (the Refresh header, and a link). After an IdP's
 * redirect the browser is in a cross-site chain, which the console's SameSite=Strict session
 * cookie does not come with; a navigation this page starts is same-site, so it does. And a form
 * that leads to the IdP answers with it rather than a redirect: the pages' CSP `form-action
 * 'self'` also covers the redirects after a form is sent, so a browser blocks a 303 chain that
 * ends at the IdP; a navigation this page starts is no form submission.
 */
export function continuePage(reply: FastifyReply, to: string, title: string) {
  return reply
    .header('refresh', `0;url=${to}`)
    .header('content-type', 'text/html; charset=utf-8')
    .send(
      page({
        title,
        body: html`<p role="status"><a href="${to}">Continue</a></p>`,
      }),
    );
}

const trimmed = (form: Form, name: string) => (form?.[name] ?? '').trim();

/** The SAML form's API input, or field errors before anything is sent. */
export function readSamlForm(form: Form): { saml: Record<string, string> } | { errors: FieldErrors } {
  const metadataUrl = trimmed(form, 'metadataUrl');
  const metadataXml = trimmed(form, 'metadataXml');
  if (metadataUrl && metadataXml)
    return { errors: { metadataUrl: 'Give the metadata URL or the XML, not both: empty one of them.' } };
  if (!metadataUrl && !metadataXml)
    return {
      errors: { metadataUrl: "Paste the IdP's metadata URL here, or choose its metadata file below." },
    };
  if (metadataUrl) {
    let url: URL | undefined;
    try {
      url = new URL(metadataUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
      return {
        errors: {
          metadataUrl: `'${metadataUrl.slice(0, 100)}' is not a URL: copy the whole address, starting with https://.`,
        },
      };
    return { saml: { metadataUrl } };
  }
  if (!metadataXml.startsWith('<'))
    return {
      errors: {
        metadataXml: 'This is not XML: choose the metadata file the IdP gave you, or paste its content.',
      },
    };
  return { saml: { metadataXml } };
}

/** The OIDC form's API input, or field errors before anything is sent. */
export function readOidcForm(
  form: Form,
  existing: ConnectionView | undefined,
): { oidc: Record<string, string> } | { errors: FieldErrors } {
  const issuer = trimmed(form, 'issuer');
  const clientId = trimmed(form, 'clientId');
  const clientSecret = trimmed(form, 'clientSecret');
  const errors: FieldErrors = {};
  if (!issuer) errors.issuer = 'Paste the IdP’s issuer URL.';
  else {
    try {
      new URL(issuer);
    } catch {
      errors.issuer = `'${issuer.slice(0, 100)}' is not a URL: copy the whole issuer, starting with https://.`;
    }
  }
  if (!clientId) errors.clientId = 'Paste the client ID the IdP shows for this app.';
  if (!clientSecret && !existing?.oidc?.clientSecretSet)
    errors.clientSecret = 'Paste the client secret the IdP made for this app.';
  if (Object.keys(errors).length > 0) return { errors };
  return { oidc: { issuer, clientId, ...(clientSecret ? { clientSecret } : {}) } };
}

/**
 * The API's refusal of a form as field errors: a validation error names its field; a domain
 * error (bad metadata, a URL that is not allowed, an issuer that does not answer) goes to the
 * field that was sent. Anything else (not a 4xx) is thrown on.
 */
export function apiFieldErrors(error: unknown, fields: string[]): FieldErrors {
  if (!(error instanceof ApiFailure) || error.problem.status >= 500) throw error;
  const { problem } = error;
  for (const e of problem.errors ?? []) {
    const field = fields.find((f) => e.path.endsWith(`/${f}`));
    if (field) return { [field]: `${e.message}.` };
  }
  const named = fields.find((f) => problem.detail.includes(f));
  return { [named ?? fields[0] ?? 'form']: whatToDo(problem.detail) };
}

function whatToDo(detail: string): string {
  if (/non-public address/.test(detail))
    return `${detail}. Use the IdP's public https address, or ask the operator about SSO_ALLOW_PRIVATE.`;
  if (/must be https/.test(detail)) return `${detail}: use the https:// address.`;
  if (/metadata/i.test(detail))
    return `${detail}. Check that it is the IdP's SAML metadata (an EntityDescriptor), whole.`;
  return detail;
}

/**
 * Reads the form for the IdP's side of a connection (SAML metadata, or OIDC settings) and saves
 * it through the API: a change of `existing` (SAML metadata turns it on), else a new connection
 * with `create`'s fields. The saved connection, or field errors (nothing was written).
 */
export async function saveIdpSide(
  api: ApiClient,
  orgId: string,
  protocol: 'saml' | 'oidc',
  form: Form,
  existing: ConnectionView | undefined,
  create: Record<string, unknown> = {},
): Promise<{ connection: ConnectionView } | { errors: FieldErrors }> {
  const read = protocol === 'saml' ? readSamlForm(form) : readOidcForm(form, existing);
  if ('errors' in read) return read;
  const body = 'saml' in read ? { saml: read.saml, enabled: true } : { oidc: read.oidc };
  const fields =
    'saml' in read
      ? [read.saml.metadataUrl ? 'metadataUrl' : 'metadataXml']
      : ['issuer', 'clientId', 'clientSecret'];
  try {
    const connection = existing
      ? await api.call<ConnectionView>(
          'PATCH',
          `/orgs/${orgId}/sso/connections/${encodeURIComponent(existing.id)}`,
          body,
        )
      : await api.call<ConnectionView>('POST', `/orgs/${orgId}/sso/connections`, { ...create, ...body });
    return { connection };
  } catch (error) {
    return { errors: apiFieldErrors(error, fields) };
  }
}

/**
 * Starts a test sign-in through the connection (the API's startSsoTest), binds it to this
 * browser (the cookie /sso/begin requires) and sends the browser on to the IdP (continuePage).
 */
export async function startTest(
  request: FastifyRequest,
  reply: FastifyReply,
  api: ApiClient,
  c: { orgId: string; id: string },
  returnTo: string,
  extraCookie?: string,
) {
  const started = await api.call<{ redirectTo: string; browserSecret: string }>(
    'POST',
    `/orgs/${c.orgId}/sso/connections/${c.id}/tests`,
    { returnTo },
  );
  const publicUrl = request.server.config.publicUrl ?? '';
  const cookies = [ssoBindCookie(started.browserSecret, publicUrl)];
  if (extraCookie) cookies.push(extraCookie);
  // Not a redirect: the IdP is another origin (continuePage).
  return continuePage(reply.header('set-cookie', cookies), started.redirectTo, 'Going to your IdP');
}

/** The test's result in plain words. */
export function testResultView(test: TestView | undefined): Html {
  if (!test) return html``;
  const r = test.result;
  if (!r)
    return html`<p class="notice error" role="alert">The test did not finish: the IdP has not sent you back yet, or the sign-in was abandoned. Try again.</p>`;
  if (!r.ok)
    return html`<div class="notice error" role="alert"><p><strong>The test sign-in failed.</strong> ${r.error}</p>
      <p>Check the values you pasted into your IdP and the metadata or settings above, then test again.</p></div>`;
  const rows = Object.entries(r.received);
  return html`<div class="notice ok" role="status"><p><strong>The test sign-in worked.</strong> Your IdP signed in
      <strong>${r.claims.email ?? r.nameId}</strong>. Nobody was signed in here and no user was created.</p></div>
    <dl class="facts">
      <dt>Name ID / subject</dt><dd><code>${r.nameId}</code></dd>
      ${['email', 'givenName', 'familyName', 'displayName', 'userName'].map(
        (k) =>
          html`<dt>${k}</dt><dd>${r.claims[k] ? html`<code>${r.claims[k]}</code>` : html`<em>not sent</em>`}</dd>`,
      )}
    </dl>
    ${r.claims.email ? '' : html`<p class="notice error" role="alert">Your IdP sent no email attribute under the name this connection reads: users are found by their email. Add the attribute mapping shown above.</p>`}
    ${r.emailVerified ? '' : html`<p class="notice error" role="alert">Your IdP says this email is not verified: such sign-ins are not matched to users.</p>`}
    <details><summary>Everything the IdP sent (${rows.length})</summary>
      <div class="table-wrap" tabindex="0" role="region" aria-label="Attributes received"><table>
        <thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead>
        <tbody>${rows.map(([k, v]) => html`<tr><td><code>${k}</code></td><td>${v}</td></tr>`)}</tbody>
      </table></div>
    </details>`;
}

/** The test a page was sent back with (`?attempt=`), if it is this org's. */
export async function testOf(api: ApiClient, orgId: string, attempt: unknown): Promise<TestView | undefined> {
  if (typeof attempt !== 'string' || !/^sia_[A-Za-z0-9_-]{32}$/.test(attempt)) return undefined;
  try {
    return await api.get<TestView>(`/orgs/${orgId}/sso/tests/${attempt}`);
  } catch (error) {
    if (error instanceof ApiFailure && error.problem.status < 500) return undefined;
    throw error;
  }
}
