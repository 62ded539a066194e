/**
 * One org in the console: its status, SCIM connection (tokens, IdP profile), setup links,
 * users and groups, request log, audit trail and held changes. Every read and write is a call
 * to the management API with the operator's session (api-client.ts).
 */
import type { ResponseBody } from '@scimitar/sdk';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IDP_PROFILES } from '../scim/quirks.ts';
import { type ApiClient, ApiFailure, query } from './api-client.ts';
import { type Flash, flashNotices, redirectWithFlash, takeFlash } from './flash.ts';
import { csrfField, postButton, section } from './forms.ts';
import { html } from './html.ts';
import { auditPath, auditSection, requestLogPath, requestLogSection } from './org-logs.ts';
import { rolesSummary } from './org-roles.ts';
import { HELD_SHOWN, type Valves, valvesSection } from './org-valves.ts';
import { sendPage } from './plugin.ts';
import { requireOperator, type Signed } from './session.ts';
import { ssoSummary } from './sso.ts';
import { connectionBadge, type OrgStatus, statusView, when } from './status-view.ts';

// The API's answers, typed from its OpenAPI document (packages/sdk; types only, nothing runs).
type Org = ResponseBody<'getOrg'>;
type Token = ResponseBody<'listScimTokens'>['data'][number];
type SetupLink = ResponseBody<'listSetupLinks'>['data'][number];
type User = ResponseBody<'listUsers'>['data'][number];
type Group = ResponseBody<'listGroups'>['data'][number];
type LoggedRequest = ResponseBody<'listRequests'>['data'][number];
type AuditEntry = ResponseBody<'listAuditEntries'>['data'][number];
type Held = ResponseBody<'listHeldChanges'>['data'][number];
type RoleRule = ResponseBody<'listRoleRules'>['data'][number];
type RoleSettings = ResponseBody<'getRoleSettings'>;
type PropertyMapping = ResponseBody<'listPropertyMappings'>['data'][number];

type OrgParams = { Params: { orgId: string }; Querystring: Record<string, string | undefined> };

/** What a form's answer shows once (flash.ts): message, error, and the secrets token and setupUrl. */
type Fresh = Flash;

async function orgPage(
  signed: Signed,
  reply: FastifyReply,
  orgId: string,
  q: Record<string, string | undefined>,
  fresh: Fresh = {},
  status = 200,
) {
  const api: ApiClient = signed.api;
  const o = encodeURIComponent(orgId);
  const search = (q.q ?? '').trim().slice(0, 200);
  const userQuery = search ? (search.includes('@') ? { email: search } : { name: search }) : {};
  const groupSearch = (q.gq ?? '').trim().slice(0, 200);
  const [
    org,
    state,
    tokens,
    links,
    users,
    groups,
    requests,
    audit,
    held,
    valves,
    rules,
    roleSettings,
    properties,
  ] = await Promise.all([
    api.get<Org>(`/orgs/${o}`),
    api.get<OrgStatus>(`/orgs/${o}/status`),
    api.get<{ data: Token[] }>(`/orgs/${o}/scim/tokens`),
    api.get<{ data: SetupLink[] }>(`/orgs/${o}/setup-links`),
    api.get<{ data: User[]; nextCursor: string | null }>(
      `/orgs/${o}/users${query({ limit: 25, ...userQuery, cursor: q.ucursor?.slice(0, 500) })}`,
    ),
    api.get<{ data: Group[]; nextCursor: string | null }>(
      `/orgs/${o}/groups${query({ limit: 25, name: groupSearch, cursor: q.gcursor?.slice(0, 500) })}`,
    ),
    api.get<{ data: LoggedRequest[]; nextCursor: string | null }>(requestLogPath(o, q)),
    api.get<{ data: AuditEntry[]; nextCursor: string | null }>(auditPath(o, q)),
    api.get<{ data: Held[] }>(`/orgs/${o}/held-changes?limit=${HELD_SHOWN}`),
    api.get<Valves>(`/orgs/${o}/valves`),
    api.get<{ data: RoleRule[] }>(`/orgs/${o}/roles/rules`),
    api.get<RoleSettings>(`/orgs/${o}/roles/settings`),
    api.get<{ data: PropertyMapping[] }>(`/orgs/${o}/properties`),
  ]);
  const base = `/console/orgs/${o}`;
  const body = html`
    ${flashNotices(fresh)}
    <nav aria-label="On this page"><ul class="inline-list">
      <li><a href="#status-h">Status</a></li><li><a href="#scim-h">SCIM connection</a></li>
      <li><a href="#setup-h">Setup links</a></li><li><a href="#sso-h">Single sign-on</a></li><li><a href="#users-h">Users and groups</a></li>
      <li><a href="#roles-h">Roles and properties</a></li>
      <li><a href="#requests-h">Request log</a></li><li><a href="#audit-h">Audit trail</a></li>
      <li><a href="#held-h">Safety valves</a></li>
    </ul></nav>
    ${section('status', 'Status', statusView(state, []))}
    ${section(
      'scim',
      'SCIM connection',
      html`
      <dl class="facts"><dt>SCIM base URL</dt><dd><span id="base-url"><code>${org.scimBaseUrl}</code></span>
        <button type="button" class="secondary" data-copy="#base-url">Copy</button></dd></dl>
      <form method="post" action="${base}/idp-profile" class="inline">${csrfField(signed)}
        <div><label for="idp-profile">IdP profile</label>
        <select id="idp-profile" name="idpProfile">${IDP_PROFILES.map((p) => html`<option value="${p}"${p === org.idpProfile ? html` selected` : ''}>${p}</option>`)}</select></div>
        <button type="submit" class="secondary">Save profile</button>
      </form>
      ${
        fresh.token
          ? html`<div class="secret" role="status"><span>New token, shown only this once:</span> <code id="new-token">${fresh.token}</code>
              <button type="button" data-copy="#new-token">Copy token</button></div>`
          : ''
      }
      <h3>Tokens</h3>
      <div class="table-wrap" tabindex="0" role="region" aria-label="SCIM tokens"><table>
        <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${tokens.data.map(
          (
            t,
          ) => html`<tr><td>${t.name}</td><td><code>${t.prefix}…</code></td><td>${when(t.createdAt)}</td><td>${when(t.lastUsedAt)}</td>
            <td>${t.revokedAt ? html`<span class="badge bad">revoked</span>` : html`<span class="badge ok">live</span>`}</td>
            <td>${t.revokedAt ? '' : postButton(signed, `${base}/tokens/${encodeURIComponent(t.id)}/revoke`, `Revoke ${t.prefix}`, `Revoke token ${t.prefix}? The IdP using it stops at once.`, true)}</td></tr>`,
        )}</tbody></table></div>
      <form method="post" action="${base}/tokens" class="inline">${csrfField(signed)}
        <div><label for="token-name">New token’s name</label><input id="token-name" name="name" maxlength="200" value="token"></div>
        <button type="submit">Create token</button></form>`,
    )}
    ${section(
      'setup',
      'Setup links',
      html`<p>A setup link lets the customer’s IT admin connect their IdP themselves: it shows this org’s SCIM
        connection and status only, never other orgs or API keys.</p>
      ${
        fresh.setupUrl
          ? html`<div class="secret" role="status"><span>Send this link to the IT admin (shown only this once):</span>
              <code id="setup-url">${fresh.setupUrl}</code> <button type="button" data-copy="#setup-url">Copy link</button></div>`
          : ''
      }
      <div class="table-wrap" tabindex="0" role="region" aria-label="Setup links"><table>
        <thead><tr><th scope="col">Link</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${links.data.map((l) => {
          const live = !l.revokedAt && Date.parse(l.expiresAt) > Date.now();
          return html`<tr><td><code>${l.prefix}…</code></td><td>${when(l.createdAt)}</td><td>${when(l.expiresAt)}</td><td>${when(l.lastUsedAt)}</td>
            <td>${l.revokedAt ? html`<span class="badge bad">revoked</span>` : live ? html`<span class="badge ok">live</span>` : html`<span class="badge bad">expired</span>`}</td>
            <td>${live ? postButton(signed, `${base}/setup-links/${encodeURIComponent(l.id)}/revoke`, `Revoke link ${l.prefix}`, 'Revoke this setup link? It stops working at once.', true) : ''}</td></tr>`;
        })}</tbody></table></div>
      <form method="post" action="${base}/setup-links" class="inline">${csrfField(signed)}
        <div><label for="link-days">Works for (days)</label><input id="link-days" name="days" type="number" min="1" max="90" value="7" inputmode="numeric"></div>
        <button type="submit">Create setup link</button></form>`,
    )}
    ${await ssoSummary(api, o)}
    ${section(
      'users',
      'Users and groups',
      html`<form method="get" action="${base}#users-h" class="inline" role="search">
        ${groupSearch ? html`<input type="hidden" name="gq" value="${groupSearch}">` : ''}
        <div><label for="user-q">Search users</label><input id="user-q" name="q" type="search" maxlength="200" value="${search}"></div>
        <p class="hint">A name, or an email address.</p>
        <button type="submit" class="secondary">Search</button></form>
      <h3>Users (${state.users})</h3>
      <div class="table-wrap" tabindex="0" role="region" aria-label="Users"><table>
        <thead><tr><th scope="col">User</th><th scope="col">userName</th><th scope="col">Active</th><th scope="col">Source</th><th scope="col">Roles</th><th scope="col">Properties</th></tr></thead>
        <tbody>${users.data.map(
          (
            u,
          ) => html`<tr><td>${u.displayName ?? ''}</td><td><code>${u.userName}</code></td><td>${u.active ? 'yes' : html`<span class="badge bad">no</span>`}</td>
            <td>${u.source}</td><td>${(u.roles ?? []).join(', ')}</td>
            <td>${Object.entries(u.properties ?? {})
              .filter(([, v]) => v !== null)
              .map(([k, v]) => html`<code>${k}</code>=${String(v)} `)}</td></tr>`,
        )}</tbody></table></div>
      ${users.data.length === 0 ? html`<p>No users${search ? ' match' : ' yet'}.</p>` : ''}
      ${users.nextCursor ? html`<p><a href="${base}${query({ q: search, gq: groupSearch, ucursor: users.nextCursor })}#users-h">Next users</a></p>` : ''}
      <h3>Groups (${state.groups})</h3>
      <form method="get" action="${base}#users-h" class="inline" role="search">
        ${search ? html`<input type="hidden" name="q" value="${search}">` : ''}
        <div><label for="group-q">Search groups</label><input id="group-q" name="gq" type="search" maxlength="200" value="${groupSearch}"></div>
        <p class="hint">Part of a group’s display name, any case.</p>
        <button type="submit" class="secondary">Search groups</button></form>
      <div class="table-wrap" tabindex="0" role="region" aria-label="Groups"><table>
        <thead><tr><th scope="col">Group</th><th scope="col">externalId</th><th scope="col">id</th></tr></thead>
        <tbody>${groups.data.map(
          (g) =>
            html`<tr><td>${g.displayName}</td><td>${g.externalId ? html`<code>${g.externalId}</code>` : ''}</td><td><code>${g.id}</code></td></tr>`,
        )}</tbody></table></div>
      ${groups.data.length === 0 ? html`<p>No groups${groupSearch ? ' match' : ' yet'}.</p>` : ''}
      ${groups.nextCursor ? html`<p><a href="${base}${query({ q: search, gq: groupSearch, gcursor: groups.nextCursor })}#users-h">Next groups</a></p>` : ''}`,
    )}
    ${section('roles', 'Roles and properties', rolesSummary(base, rules.data, roleSettings, properties.data))}
    ${section('requests', 'Request log', requestLogSection(base, q, requests))}
    ${section('audit', 'Audit trail', auditSection(base, q, audit))}
    ${section('held', 'Safety valves and held changes', valvesSection(signed, base, valves, held.data))}`;
  return sendPage(
    reply,
    status,
    org.name,
    html`<p>${connectionBadge(state)} <code>${org.id}</code></p>${body}`,
    {
      nav: signed.nav('/console'),
    },
  );
}

/**
 * Runs an operator's write. Done: 303 to the org page at `anchor`, which shows the result (and
 * a new secret) once (flash.ts), so a reload sends nothing again. A 4xx problem is the org page
 * with the message, 400, instead of a bare error page.
 */
async function act(
  request: FastifyRequest<{ Params: { orgId: string } }>,
  reply: FastifyReply,
  anchor: string,
  work: (signed: Signed, o: string) => Promise<Fresh>,
) {
  const signed = await requireOperator(request, reply);
  if (!signed) return reply;
  const o = encodeURIComponent(request.params.orgId);
  let fresh: Fresh;
  try {
    fresh = await work(signed, o);
  } catch (error) {
    if (!(error instanceof ApiFailure) || error.problem.status >= 500 || error.problem.status === 404)
      throw error;
    fresh = { error: error.problem.errors?.map((e) => e.message).join('; ') || error.problem.detail };
  }
  if (fresh.error) return orgPage(signed, reply, request.params.orgId, {}, fresh, 400);
  return redirectWithFlash(request, reply, `/console/orgs/${o}#${anchor}`, fresh);
}

export async function orgDetailPages(app: FastifyInstance): Promise<void> {
  app.get<OrgParams>('/orgs/:orgId', async (request, reply) => {
    const signed = await requireOperator(request, reply);
    if (!signed) return reply;
    const fresh = await takeFlash(request, request.query);
    return orgPage(signed, reply, request.params.orgId, request.query, fresh);
  });

  app.post<OrgParams & { Body: Record<string, string> | undefined }>(
    '/orgs/:orgId/tokens',
    async (request, reply) =>
      act(request, reply, 'scim-h', async (signed, o) => {
        const name = (request.body?.name ?? '').trim() || 'token';
        const created = await signed.api.call<{ token: string }>('POST', `/orgs/${o}/scim/tokens`, { name });
        return { token: created.token, message: 'Token created.' };
      }),
  );

  app.post<{ Params: { orgId: string; id: string } }>(
    '/orgs/:orgId/tokens/:id/revoke',
    async (request, reply) =>
      act(request, reply, 'scim-h', async (signed, o) => {
        await signed.api.call('DELETE', `/orgs/${o}/scim/tokens/${encodeURIComponent(request.params.id)}`);
        return { message: 'Token revoked.' };
      }),
  );

  app.post<OrgParams & { Body: Record<string, string> | undefined }>(
    '/orgs/:orgId/idp-profile',
    async (request, reply) =>
      act(request, reply, 'scim-h', async (signed, o) => {
        await signed.api.call('PATCH', `/orgs/${o}/scim`, { idpProfile: request.body?.idpProfile ?? '' });
        return { message: 'IdP profile saved.' };
      }),
  );

  app.post<OrgParams & { Body: Record<string, string> | undefined }>(
    '/orgs/:orgId/setup-links',
    async (request, reply) =>
      act(request, reply, 'setup-h', async (signed, o): Promise<Fresh> => {
        const days = Number(request.body?.days ?? '7');
        if (!Number.isInteger(days) || days < 1 || days > 90)
          return { error: 'A setup link works for 1 to 90 days: enter a whole number.' };
        const created = await signed.api.call<{ url: string }>('POST', `/orgs/${o}/setup-links`, {
          expiresInSeconds: days * 86400,
        });
        return { setupUrl: created.url, message: 'Setup link created.' };
      }),
  );

  app.post<{ Params: { orgId: string; id: string } }>(
    '/orgs/:orgId/setup-links/:id/revoke',
    async (request, reply) =>
      act(request, reply, 'setup-h', async (signed, o) => {
        await signed.api.call('DELETE', `/orgs/${o}/setup-links/${encodeURIComponent(request.params.id)}`);
        return { message: 'Setup link revoked: it no longer works.' };
      }),
  );

  app.post<OrgParams & { Body: Record<string, string> | undefined }>(
    '/orgs/:orgId/held',
    async (request, reply) =>
      act(request, reply, 'held-h', async (signed, o): Promise<Fresh> => {
        const [verb, scope] = (request.body?.action ?? '').split('-');
        if ((verb !== 'release' && verb !== 'discard') || (scope !== 'all' && scope !== 'selected'))
          return { error: 'Choose one of the buttons: release or discard, the selected or all.' };
        const ids = Object.keys(request.body ?? {})
          .map((k) => /^id-(\d{1,15})$/.exec(k)?.[1])
          .filter((id): id is string => id !== undefined)
          .map(Number)
          .slice(0, HELD_SHOWN);
        if (scope === 'selected' && ids.length === 0)
          return { error: 'Select at least one held change, or use “all”.' };
        const past = verb === 'release' ? 'released' : 'discarded';
        const outcome = await signed.api.call<Record<string, unknown[]>>(
          'POST',
          `/orgs/${o}/held-changes/${verb}`,
          scope === 'selected' ? { ids } : {},
        );
        const n = outcome[past]?.length ?? 0;
        const gone = outcome.gone?.length ?? 0;
        return {
          message: `${n} held change${n === 1 ? '' : 's'} ${past}.${gone > 0 ? ` ${gone} dropped: their user no longer exists.` : ''}`,
        };
      }),
  );

  app.get<{ Params: { orgId: string; id: string } }>('/orgs/:orgId/requests/:id', async (request, reply) => {
    const signed = await requireOperator(request, reply);
    if (!signed) return reply;
    const o = encodeURIComponent(request.params.orgId);
    const id = Number(request.params.id);
    if (!Number.isSafeInteger(id) || id < 1)
      throw new ApiFailure({
        status: 404,
        code: 'not_found',
        detail: `No logged request ${request.params.id}`,
      });
    const r = await signed.api.get<
      LoggedRequest & { requestBody: string | null; responseBody: string | null; userAgent: string | null }
    >(`/orgs/${o}/requests/${id}`);
    return sendPage(
      reply,
      200,
      `${r.method} ${r.path.slice(0, 80)}`,
      html`<p><a href="/console/orgs/${o}#requests-h">Back to the org</a></p>
        <dl class="facts"><dt>When</dt><dd>${when(r.at)}</dd><dt>Status</dt><dd>${r.status}</dd>
          <dt>IdP</dt><dd>${r.idp ?? 'unknown'}</dd><dt>User-Agent</dt><dd>${r.userAgent ?? ''}</dd>
          <dt>Hint</dt><dd>${r.hint ?? 'none'}</dd></dl>
        <h2>Request body (redacted)</h2><pre>${r.requestBody ?? '(none)'}</pre>
        <h2>Response body (redacted)</h2><pre>${r.responseBody ?? '(none)'}</pre>`,
      { nav: signed.nav('/console') },
    );
  });
}
