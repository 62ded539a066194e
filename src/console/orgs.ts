/** The console's org list: search, each org's status at a glance, and creating an org. */
import type { ResponseBody } from '@scimitar/sdk';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiFailure, query } from './api-client.ts';
import { describedBy, fieldError, html } from './html.ts';
import { type PageRequest, sendPage } from './plugin.ts';
import { requireOperator, type Signed } from './session.ts';
import { ssoBadge } from './sso.ts';
import { connectionBadge, type OrgStatus, when } from './status-view.ts';

type OrgPage = ResponseBody<'listOrgs'>;
type Org = OrgPage['data'][number];

/** Orgs per page; each shows its status (one API call each, in parallel). */
const PAGE = 50;

async function listPage(
  signed: Signed,
  reply: FastifyReply,
  params: { q?: string | undefined; cursor?: string | undefined },
  form: { name?: string; error?: string } = {},
  status = 200,
) {
  const q = (params.q ?? '').trim().slice(0, 200);
  const orgs = await signed.api.get<OrgPage>(`/orgs${query({ limit: PAGE, q, cursor: params.cursor })}`);
  const statuses = await Promise.all(
    orgs.data.map((o) => signed.api.get<OrgStatus>(`/orgs/${encodeURIComponent(o.id)}/status`)),
  );
  const body = html`
    <form method="get" action="/console" class="inline" role="search">
      <div><label for="org-q">Search orgs</label><input id="org-q" name="q" type="search" maxlength="200" value="${q}"></div>
      <p class="hint">Part of an org's name or id.</p>
      <button type="submit" class="secondary">Search</button>
    </form>
    ${
      orgs.data.length === 0
        ? html`<p>${q ? 'No org matches.' : 'No orgs yet.'}</p>`
        : html`<div class="table-wrap" tabindex="0" role="region" aria-label="Orgs"><table>
            <thead><tr><th scope="col">Org</th><th scope="col">SCIM</th><th scope="col">SSO</th><th scope="col">Last IdP request</th><th scope="col">Users</th>
              <th scope="col">Groups</th><th scope="col">Errors (24 h)</th><th scope="col">Held</th></tr></thead>
            <tbody>${orgs.data.map((o: Org, i) => {
              const s = statuses[i] as OrgStatus;
              return html`<tr>
                <td><a href="/console/orgs/${o.id}">${o.name}</a><br><code>${o.id}</code></td>
                <td>${connectionBadge(s)}</td><td>${ssoBadge(s)}</td><td>${when(s.lastRequestAt)}</td><td>${s.users}</td><td>${s.groups}</td>
                <td>${s.failuresLastDay > 0 ? html`<span class="badge bad">${s.failuresLastDay}</span>` : '0'}</td>
                <td>${s.heldDeprovisionings > 0 ? html`<span class="badge bad">${s.heldDeprovisionings}</span>` : '0'}</td>
              </tr>`;
            })}</tbody>
          </table></div>`
    }
    ${orgs.nextCursor ? html`<p><a href="/console${query({ q, cursor: orgs.nextCursor })}">Next orgs</a></p>` : ''}
    <h2>New org</h2>
    <form method="post" action="/console/orgs" class="stack">
      <input type="hidden" name="_csrf" value="${signed.session.csrf}">
      <div>
        <label for="org-name">Name</label>
        <input id="org-name" name="name" required maxlength="200" value="${form.name ?? ''}"${describedBy('org-name', form.error)}>
        <p class="hint">The customer's name, e.g. “Acme Corp”. Its id is made from it.</p>
        ${fieldError('org-name', form.error)}
      </div>
      <div><button type="submit">Create org</button></div>
    </form>`;
  return sendPage(reply, status, 'Orgs', body, { nav: signed.nav('/console') });
}

export async function orgPages(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { q?: string; cursor?: string } }>('/', async (request, reply) => {
    const signed = await requireOperator(request, reply);
    if (!signed) return reply;
    return listPage(signed, reply, request.query);
  });

  app.post('/orgs', async (request: PageRequest, reply) => {
    const signed = await requireOperator(request, reply);
    if (!signed) return reply;
    const name = (request.body?.name ?? '').trim();
    try {
      const created = await signed.api.call<Org>('POST', '/orgs', { name });
      return reply.redirect(`/console/orgs/${encodeURIComponent(created.id)}`, 303);
    } catch (error) {
      if (!(error instanceof ApiFailure) || error.problem.status >= 500) throw error;
      const message = error.problem.errors?.length
        ? 'Give the org a name of 1 to 200 characters.'
        : error.problem.detail;
      return listPage(signed, reply, {}, { name, error: message }, 400);
    }
  });
}
