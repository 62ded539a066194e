/**
 * An org's single sign-on in the console (docs/console.md "Pages"): its SSO connections (SAML
 * by metadata URL or file, or OIDC), each with the values to paste into the IdP, its SP
 * metadata link, its settings, a test sign-in and delete; and its email domains (home-realm
 * discovery: add, verify, remove). The org page shows a summary (ssoSummary) and the org list
 * a badge (ssoBadge). Every read and write is a call to the management API.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_METADATA_BYTES } from '../directory/saml-metadata.ts';
import { SSO_PRESETS } from '../directory/sso-presets.ts';
import { type ApiClient, ApiFailure } from './api-client.ts';
import { describedBy, fieldError, type Html, html, notice } from './html.ts';
import { formBodies, sendPage } from './plugin.ts';
import { requireOperator, type Signed } from './session.ts';
import {
  apiFieldErrors,
  type ConnectionView,
  continuePage,
  type FieldErrors,
  isDraft,
  oidcFields,
  oidcForm,
  samlMetadataForm,
  saveIdpSide,
  spValues,
  startTest,
  type TestView,
  testOf,
  testResultView,
} from './sso-forms.ts';
import { type OrgStatus, when } from './status-view.ts';

interface Domain {
  domain: string;
  connectionId: string | null;
  verificationRecord: { name: string; value: string };
  verifiedAt: string | null;
}

type Form = Record<string, string> | undefined;
type OrgReq = FastifyRequest<{ Params: { orgId: string; id?: string; domain?: string }; Body: Form }>;

export function ssoBadge(status: Pick<OrgStatus, 'sso'>): Html {
  const { connections, enabled } = status.sso;
  if (enabled > 0) return html`<span class="badge ok">SSO on</span>`;
  if (connections > 0) return html`<span class="badge wait">SSO set up, off</span>`;
  return html`<span class="badge wait">No SSO</span>`;
}

function state(c: ConnectionView): Html {
  if (isDraft(c)) return html`<span class="badge wait">waiting for IdP metadata</span>`;
  return c.enabled ? html`<span class="badge ok">on</span>` : html`<span class="badge bad">off</span>`;
}

function idpOf(c: ConnectionView): string {
  return c.protocol === 'oidc' ? (c.oidc?.issuer ?? '') : c.saml?.idpEntityId || '—';
}

/** The org page's SSO section: connections and domains at a glance, and the link to manage them. */
export async function ssoSummary(api: ApiClient, o: string): Promise<Html> {
  const [connections, domains] = await Promise.all([
    api.get<{ data: ConnectionView[] }>(`/orgs/${o}/sso/connections`),
    api.get<{ data: Domain[] }>(`/orgs/${o}/sso/domains`),
  ]);
  return html`<section aria-labelledby="sso-h"><h2 id="sso-h">Single sign-on</h2>
    ${
      connections.data.length === 0
        ? html`<p>No SSO connection yet: the org's users cannot sign in to the app through their IdP.</p>`
        : html`<ul>${connections.data.map((c) => html`<li>${c.name} (${c.protocol.toUpperCase()}) ${state(c)} <code>${idpOf(c)}</code></li>`)}</ul>`
    }
    <p>Email domains: ${domains.data.length === 0 ? 'none' : domains.data.map((d, i) => html`${i > 0 ? ', ' : ''}<code>${d.domain}</code>`)}.</p>
    <p><a href="/console/orgs/${o}/sso">Manage single sign-on</a></p></section>`;
}

function csrf(signed: Signed): Html {
  return html`<input type="hidden" name="_csrf" value="${signed.session.csrf}">`;
}

function presetOptions(protocol: 'saml' | 'oidc', selected: string | undefined): Html {
  return html`${SSO_PRESETS.filter((p) => p.protocols.includes(protocol)).map(
    (p) => html`<option value="${p.key}"${p.key === selected ? html` selected` : ''}>${p.label}</option>`,
  )}`;
}

interface ListView {
  message?: string;
  error?: string;
  form?: Form;
  /** Which new-connection form the errors belong to. */
  errorsFor?: 'saml' | 'oidc' | 'domain';
  errors?: FieldErrors;
}

async function listPage(signed: Signed, reply: FastifyReply, orgId: string, v: ListView = {}, status = 200) {
  const o = encodeURIComponent(orgId);
  const base = `/console/orgs/${o}/sso`;
  const [org, connections, domains] = await Promise.all([
    signed.api.get<{ name: string }>(`/orgs/${o}`),
    signed.api.get<{ data: ConnectionView[] }>(`/orgs/${o}/sso/connections`),
    signed.api.get<{ data: Domain[] }>(`/orgs/${o}/sso/domains`),
  ]);
  const errors = v.errors ?? {};
  const ef = (kind: ListView['errorsFor']) => (v.errorsFor === kind ? errors : {});
  const body = html`
    <p><a href="/console/orgs/${o}">Back to ${org.name}</a></p>
    ${notice('ok', v.message)}${notice('error', v.error)}
    <h2>Connections</h2>
    ${
      connections.data.length === 0
        ? html`<p>None yet. Or send the org's IT admin a setup link: its wizard sets up SSO too.</p>`
        : html`<div class="table-wrap" tabindex="0" role="region" aria-label="SSO connections"><table>
          <thead><tr><th scope="col">Connection</th><th scope="col">Protocol</th><th scope="col">IdP</th><th scope="col">State</th><th scope="col">Created</th></tr></thead>
          <tbody>${connections.data.map(
            (
              c,
            ) => html`<tr><td><a href="${base}/${c.id}">${c.name}</a><br><code>${c.id}</code></td><td>${c.protocol.toUpperCase()} (${c.preset})</td>
              <td><code>${idpOf(c)}</code></td><td>${state(c)}</td><td>${when(c.createdAt)}</td></tr>`,
          )}</tbody></table></div>`
    }
    <h3>New SAML connection</h3>
    <p class="hint">Makes the connection's ACS URL and entity ID for the IdP; its metadata comes next.</p>
    <form method="post" action="${base}/saml" class="inline">${csrf(signed)}
      <div><label for="saml-preset">IdP</label><select id="saml-preset" name="preset">${presetOptions('saml', v.form?.preset)}</select></div>
      <div><label for="saml-name">Name</label><input id="saml-name" name="name" maxlength="200"${describedBy('saml-name', ef('saml').name)}>${fieldError('saml-name', ef('saml').name)}</div>
      <button type="submit">Create SAML connection</button></form>
    <h3>New OIDC connection</h3>
    <form method="post" action="${base}/oidc" class="stack">${csrf(signed)}
      <div><label for="oidc-preset">IdP</label><select id="oidc-preset" name="preset">${presetOptions('oidc', v.form?.preset)}</select></div>
      <div><label for="oidc-name">Name</label><input id="oidc-name" name="name" maxlength="200" value="${v.errorsFor === 'oidc' ? (v.form?.name ?? '') : ''}"></div>
      ${oidcFields(v.errorsFor === 'oidc' ? v.form : undefined, ef('oidc'), undefined, undefined)}
      <div><button type="submit">Create OIDC connection</button></div></form>
    <h2>Email domains</h2>
    <p>A sign-in naming an email of these domains goes to this org (home-realm discovery, docs/sso.md).
      Verifying is optional: publish the TXT record, then Verify.</p>
    ${
      domains.data.length === 0
        ? html`<p>No domains.</p>`
        : html`<div class="table-wrap" tabindex="0" role="region" aria-label="Email domains"><table>
          <thead><tr><th scope="col">Domain</th><th scope="col">Connection</th><th scope="col">TXT record</th><th scope="col">Verified</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${domains.data.map(
            (
              d,
            ) => html`<tr><td><code>${d.domain}</code></td><td>${d.connectionId ? html`<code>${d.connectionId}</code>` : 'the first enabled'}</td>
              <td><code>${d.verificationRecord.name}</code> = <code>${d.verificationRecord.value}</code></td>
              <td>${d.verifiedAt ? when(d.verifiedAt) : 'no'}</td>
              <td><form method="post" action="${base}/domains/${encodeURIComponent(d.domain)}/verify" class="inline">${csrf(signed)}<button type="submit" class="secondary">Verify ${d.domain}</button></form>
                <form method="post" action="${base}/domains/${encodeURIComponent(d.domain)}/remove" class="inline">${csrf(signed)}<button type="submit" class="danger" data-confirm="Stop routing ${d.domain} to this org?">Remove ${d.domain}</button></form></td></tr>`,
          )}</tbody></table></div>`
    }
    <form method="post" action="${base}/domains" class="inline">${csrf(signed)}
      <div><label for="domain">Domain</label><input id="domain" name="domain" maxlength="253" placeholder="acme.com" value="${v.errorsFor === 'domain' ? (v.form?.domain ?? '') : ''}"${describedBy('domain', ef('domain').domain)}>${fieldError('domain', ef('domain').domain)}</div>
      <div><label for="domain-connection">Connection</label><select id="domain-connection" name="connectionId"><option value="">the first enabled</option>
        ${connections.data.map((c) => html`<option value="${c.id}">${c.name}</option>`)}</select></div>
      <button type="submit">Add domain</button></form>`;
  return sendPage(reply, status, `Single sign-on: ${org.name}`, body, { nav: signed.nav('/console') });
}

interface EditView {
  message?: string;
  form?: Form;
  errors?: FieldErrors;
  /** Which form the errors belong to. */
  errorsFor?: 'idp' | 'settings';
  test?: TestView | undefined;
}

async function editPage(
  signed: Signed,
  reply: FastifyReply,
  orgId: string,
  id: string,
  v: EditView = {},
  status = 200,
) {
  const o = encodeURIComponent(orgId);
  const base = `/console/orgs/${o}/sso/${encodeURIComponent(id)}`;
  const c = await signed.api.get<ConnectionView>(`/orgs/${o}/sso/connections/${encodeURIComponent(id)}`);
  const idpErrors = v.errorsFor === 'idp' ? (v.errors ?? {}) : {};
  const setErrors = v.errorsFor === 'settings' ? (v.errors ?? {}) : {};
  const body = html`
    <p><a href="/console/orgs/${o}/sso">Back to single sign-on</a></p>
    ${notice('ok', v.message)}
    <p>${c.protocol.toUpperCase()} · ${c.preset} · ${state(c)} <code>${c.id}</code></p>
    <h2>What the IdP needs</h2>
    ${spValues(c)}
    <h2>${c.protocol === 'saml' ? "The IdP's metadata" : 'The IdP'}</h2>
    ${
      c.protocol === 'saml'
        ? html`${
            isDraft(c)
              ? html`<p>Not imported yet: the connection signs nobody in until it is.</p>`
              : html`<dl class="facts"><dt>IdP entity ID</dt><dd><code>${c.saml?.idpEntityId ?? ''}</code></dd>
            <dt>Sign-on URL</dt><dd><code>${c.saml?.idpSsoUrl ?? ''}</code></dd><dt>Signing certificates</dt><dd>${String(c.saml?.idpCertificates.length ?? 0)}</dd></dl>`
          }
          ${samlMetadataForm(`${base}/idp`, signed.session.csrf, v.errorsFor === 'idp' ? v.form : undefined, idpErrors)}`
        : oidcForm(
            `${base}/oidc`,
            signed.session.csrf,
            v.errorsFor === 'idp' ? v.form : undefined,
            idpErrors,
            c,
            undefined,
          )
    }
    <h2>Settings</h2>
    <form method="post" action="${base}/settings" class="stack">${csrf(signed)}
      <div><label for="name">Name</label><input id="name" name="name" required maxlength="200" value="${c.name}"${describedBy('name', setErrors.name)}>${fieldError('name', setErrors.name)}</div>
      <div><label for="matchBy">Find users by</label><select id="matchBy" name="matchBy">
        ${(['email', 'userName', 'nameId'] as const).map((k) => html`<option value="${k}"${k === c.matchBy ? html` selected` : ''}>${k}</option>`)}</select></div>
      <div><input type="checkbox" id="enabled" name="enabled" value="true"${c.enabled ? html` checked` : ''}> <label for="enabled">On: signs users in</label></div>
      <div><input type="checkbox" id="jit" name="jit" value="true"${c.jit ? html` checked` : ''}> <label for="jit">Create users the directory lacks at their first sign-in (JIT); off, the org requires SCIM</label></div>
      ${fieldError('enabled', setErrors.enabled)}
      <div><button type="submit">Save settings</button></div></form>
    <h2>Test a sign-in</h2>
    <p>Runs a real sign-in through this connection in this browser and shows what the IdP sent. Nobody is signed in and no user is made.</p>
    <div id="test-result">${testResultView(v.test)}</div>
    ${
      c.enabled && !isDraft(c)
        ? html`<form method="post" action="${base}/test">${csrf(signed)}<button type="submit">Test a sign-in</button></form>`
        : html`<p class="hint">Turn the connection on (with its IdP's settings) to test it.</p>`
    }
    <h2>Delete</h2>
    <form method="post" action="${base}/delete">${csrf(signed)}<button type="submit" class="danger" data-confirm="Delete ${c.name}? Its users can no longer sign in through it.">Delete this connection</button></form>`;
  return sendPage(reply, status, c.name, body, { nav: signed.nav('/console') });
}

export async function ssoPages(app: FastifyInstance): Promise<void> {
  // Metadata files run larger than the other forms.
  formBodies(app, MAX_METADATA_BYTES + 16 * 1024);

  const signedIn = async (request: OrgReq, reply: FastifyReply) => requireOperator(request, reply);
  const o = (request: OrgReq) => encodeURIComponent(request.params.orgId);

  app.get<{ Params: { orgId: string } }>('/orgs/:orgId/sso', async (request, reply) => {
    const signed = await signedIn(request as OrgReq, reply);
    if (!signed) return reply;
    return listPage(signed, reply, request.params.orgId);
  });

  app.post('/orgs/:orgId/sso/saml', async (request: OrgReq, reply) => {
    const signed = await signedIn(request, reply);
    if (!signed) return reply;
    const preset = request.body?.preset ?? 'generic';
    const name = (request.body?.name ?? '').trim();
    try {
      const c = await signed.api.call<ConnectionView>('POST', `/orgs/${o(request)}/sso/connections`, {
        protocol: 'saml',
        preset,
        enabled: false,
        ...(name ? { name } : {}),
      });
      return reply.redirect(`/console/orgs/${o(request)}/sso/${c.id}`, 303);
    } catch (error) {
      const errors = apiFieldErrors(error, ['name', 'preset']);
      return listPage(
        signed,
        reply,
        request.params.orgId,
        { form: request.body, errorsFor: 'saml', errors: { name: Object.values(errors)[0] ?? '' } },
        400,
      );
    }
  });

  app.post('/orgs/:orgId/sso/oidc', async (request: OrgReq, reply) => {
    const signed = await signedIn(request, reply);
    if (!signed) return reply;
    const name = (request.body?.name ?? '').trim();
    const saved = await saveIdpSide(signed.api, o(request), 'oidc', request.body, undefined, {
      protocol: 'oidc',
      preset: request.body?.preset ?? 'generic',
      ...(name ? { name } : {}),
    });
    if ('errors' in saved)
      return listPage(
        signed,
        reply,
        request.params.orgId,
        { form: request.body, errorsFor: 'oidc', errors: saved.errors },
        400,
      );
    return reply.redirect(`/console/orgs/${o(request)}/sso/${saved.connection.id}`, 303);
  });

  app.get<{ Params: { orgId: string; id: string }; Querystring: { attempt?: string } }>(
    '/orgs/:orgId/sso/:id',
    async (request, reply) => {
      const signed = await signedIn(request as unknown as OrgReq, reply);
      if (!signed) return reply;
      const test = await testOf(signed.api, encodeURIComponent(request.params.orgId), request.query.attempt);
      return editPage(signed, reply, request.params.orgId, request.params.id, { test });
    },
  );

  // Back from the IdP (a cross-site chain): a same-site hop to the connection's page.
  app.get<{ Params: { orgId: string; id: string }; Querystring: { attempt?: string } }>(
    '/sso-tested/:orgId/:id',
    async (request, reply) => {
      const { orgId, id } = request.params;
      const attempt = String(request.query.attempt ?? '').slice(0, 100);
      const to = `/console/orgs/${encodeURIComponent(orgId)}/sso/${encodeURIComponent(id)}?attempt=${encodeURIComponent(attempt)}`;
      return continuePage(reply, to, 'Test sign-in finished');
    },
  );

  const connectionPath = (request: OrgReq) =>
    `/orgs/${o(request)}/sso/connections/${encodeURIComponent(request.params.id ?? '')}`;

  app.post('/orgs/:orgId/sso/:id/idp', async (request: OrgReq, reply) => {
    const signed = await signedIn(request, reply);
    if (!signed) return reply;
    const id = request.params.id ?? '';
    const existing = await signed.api.get<ConnectionView>(connectionPath(request));
    const saved = await saveIdpSide(signed.api, o(request), existing.protocol, request.body, existing);
    if ('errors' in saved)
      return editPage(
        signed,
        reply,
        request.params.orgId,
        id,
        { form: request.body, errorsFor: 'idp', errors: saved.errors },
        400,
      );
    const message =
      existing.protocol === 'saml' ? 'Metadata imported; the connection is on.' : 'OIDC settings saved.';
    return editPage(signed, reply, request.params.orgId, id, { message });
  });

  app.post('/orgs/:orgId/sso/:id/settings', async (request: OrgReq, reply) => {
    const signed = await signedIn(request, reply);
    if (!signed) return reply;
    const b = request.body ?? {};
    try {
      await signed.api.call('PATCH', connectionPath(request), {
        name: (b.name ?? '').trim(),
        matchBy: b.matchBy,
        enabled: b.enabled === 'true',
        jit: b.jit === 'true',
      });
    } catch (error) {
      const errors = apiFieldErrors(error, ['name', 'matchBy', 'enabled']);
      const first = Object.entries(errors)[0] ?? ['enabled', ''];
      const field = first[0] === 'name' ? 'name' : 'enabled';
      return editPage(
        signed,
        reply,
        request.params.orgId,
        request.params.id ?? '',
        { errorsFor: 'settings', errors: { [field]: first[1] } },
        400,
      );
    }
    return editPage(signed, reply, request.params.orgId, request.params.id ?? '', {
      message: 'Settings saved.',
    });
  });

  app.post('/orgs/:orgId/sso/:id/test', async (request: OrgReq, reply) => {
    const signed = await signedIn(request, reply);
    if (!signed) return reply;
    const id = encodeURIComponent(request.params.id ?? '');
    return startTest(
      request,
      reply,
      signed.api,
      { orgId: o(request), id },
      `/console/sso-tested/${o(request)}/${id}`,
    );
  });

  app.post('/orgs/:orgId/sso/:id/delete', async (request: OrgReq, reply) => {
    const signed = await signedIn(request, reply);
    if (!signed) return reply;
    await signed.api.call('DELETE', connectionPath(request));
    return listPage(signed, reply, request.params.orgId, { message: 'Connection deleted.' });
  });

  const domainAction = (what: 'verify' | 'remove') => async (request: OrgReq, reply: FastifyReply) => {
    const signed = await signedIn(request, reply);
    if (!signed) return reply;
    const path = `/orgs/${o(request)}/sso/domains/${encodeURIComponent(request.params.domain ?? '')}`;
    try {
      if (what === 'verify') await signed.api.call('POST', `${path}/verify`);
      else await signed.api.call('DELETE', path);
    } catch (error) {
      if (!(error instanceof ApiFailure) || error.problem.status >= 500) throw error;
      return listPage(signed, reply, request.params.orgId, { error: error.problem.detail }, 400);
    }
    return listPage(signed, reply, request.params.orgId, {
      message: what === 'verify' ? `${request.params.domain} verified.` : `${request.params.domain} removed.`,
    });
  };
  app.post('/orgs/:orgId/sso/domains/:domain/verify', domainAction('verify'));
  app.post('/orgs/:orgId/sso/domains/:domain/remove', domainAction('remove'));

  app.post('/orgs/:orgId/sso/domains', async (request: OrgReq, reply) => {
    const signed = await signedIn(request, reply);
    if (!signed) return reply;
    const domain = (request.body?.domain ?? '').trim();
    const connectionId = request.body?.connectionId || null;
    if (!domain)
      return listPage(
        signed,
        reply,
        request.params.orgId,
        {
          form: request.body,
          errorsFor: 'domain',
          errors: { domain: 'Enter the domain of the org’s email addresses, such as acme.com.' },
        },
        400,
      );
    try {
      await signed.api.call('POST', `/orgs/${o(request)}/sso/domains`, { domain, connectionId });
    } catch (error) {
      const errors = apiFieldErrors(error, ['domain']);
      return listPage(
        signed,
        reply,
        request.params.orgId,
        { form: request.body, errorsFor: 'domain', errors: { domain: Object.values(errors)[0] ?? '' } },
        400,
      );
    }
    return listPage(signed, reply, request.params.orgId, { message: `${domain} added.` });
  });
}
