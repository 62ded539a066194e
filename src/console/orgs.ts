/** The console's org pages: the list with each org's status, and creating an org. */
import type { ResponseBody } from '@scimitar/sdk';
import type { FastifyInstance } from 'fastify';
import { ApiFailure } from './api-client.ts';
import { describedBy, fieldError, html } from './html.ts';
import { type PageRequest, sendPage } from './plugin.ts';
import { requireOperator } from './session.ts';

type OrgPage = ResponseBody<'listOrgs'>;
type Org = OrgPage['data'][number];

export async function orgPages(app: FastifyInstance): Promise<void> {
  app.get('/', async (request: PageRequest, reply) => {
    const signed = await requireOperator(request, reply);
    if (!signed) return reply;
    const orgs = await signed.api.get<OrgPage>('/orgs?limit=100');
    return sendPage(reply, 200, 'Orgs', orgList(orgs.data, signed.nav('/console').csrf), {
      nav: signed.nav('/console'),
    });
  });

  app.post('/orgs', async (request: PageRequest, reply) => {
    const signed = await requireOperator(request, reply);
    if (!signed) return reply;
    const name = (request.body?.name ?? '').trim();
    try {
      const created = await signed.api.call<Org>('POST', '/orgs', { name });
      return reply.redirect(`/console/orgs/${encodeURIComponent(created.id)}?created=1`, 303);
    } catch (error) {
      if (!(error instanceof ApiFailure) || error.problem.status >= 500) throw error;
      const orgs = await signed.api.get<OrgPage>('/orgs?limit=100');
      const message = error.problem.errors?.length
        ? 'Give the org a name of 1 to 200 characters.'
        : error.problem.detail;
      return sendPage(reply, 400, 'Orgs', orgList(orgs.data, signed.session.csrf, { name, error: message }), {
        nav: signed.nav('/console'),
      });
    }
  });
}

function orgList(orgs: Org[], csrf: string, form: { name?: string; error?: string } = {}) {
  return html`
    <h2>New org</h2>
    <form method="post" action="/console/orgs" class="stack">
      <input type="hidden" name="_csrf" value="${csrf}">
      <div>
        <label for="org-name">Name</label>
        <input id="org-name" name="name" required maxlength="200" value="${form.name ?? ''}"${describedBy('org-name', form.error)}>
        <p class="hint">The customer's name, e.g. “Acme Corp”. Its id is made from it.</p>
        ${fieldError('org-name', form.error)}
      </div>
      <div><button type="submit">Create org</button></div>
    </form>
    <h2>All orgs</h2>
    ${
      orgs.length === 0
        ? html`<p>No orgs yet.</p>`
        : html`<div class="table-wrap" tabindex="0" role="region" aria-label="All orgs"><table>
            <thead><tr><th scope="col">Org</th><th scope="col">Id</th><th scope="col">IdP</th><th scope="col">Created</th></tr></thead>
            <tbody>${orgs.map(
              (o) => html`<tr>
                <td><a href="/console/orgs/${o.id}">${o.name}</a></td>
                <td><code>${o.id}</code></td>
                <td>${o.idpProfile}</td>
                <td>${o.createdAt.slice(0, 10)}</td>
              </tr>`,
            )}</tbody>
          </table></div>`
    }`;
}
