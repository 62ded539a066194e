/** The console's API keys page: list, create (shown once), revoke; over /api/v1/api-keys. */
import type { ResponseBody } from '@scimitar/sdk';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiFailure } from './api-client.ts';
import { type Flash, flashNotices, redirectWithFlash, takeFlash } from './flash.ts';
import { describedBy, fieldError, html } from './html.ts';
import { type PageRequest, sendPage } from './plugin.ts';
import { requireOperator, type Signed } from './session.ts';
import { when } from './status-view.ts';

type ApiKey = ResponseBody<'listApiKeys'>['data'][number];

async function keysPage(signed: Signed, reply: FastifyReply, fresh: Flash = {}, status = 200) {
  const { data } = await signed.api.get<{ data: ApiKey[] }>('/api-keys');
  const csrf = html`<input type="hidden" name="_csrf" value="${signed.session.csrf}">`;
  return sendPage(
    reply,
    status,
    'API keys',
    html`<p>Keys for your app's backend to call the management API (docs/api.md). Each key manages every org.</p>
      ${flashNotices(fresh)}
      ${
        fresh.key
          ? html`<div class="secret" role="status"><span>New key, shown only this once:</span> <code id="new-key">${fresh.key}</code>
              <button type="button" data-copy="#new-key">Copy key</button></div>`
          : ''
      }
      <form method="post" action="/console/api-keys" class="inline">${csrf}
        <div><label for="key-name">Name</label>
          <input id="key-name" name="name" required maxlength="200"${describedBy('key-name', fresh.invalid)}>
          ${fieldError('key-name', fresh.invalid)}</div>
        <button type="submit">Create API key</button></form>
      <div class="table-wrap" tabindex="0" role="region" aria-label="API keys"><table>
        <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${data.map(
          (
            k,
          ) => html`<tr><td>${k.name}</td><td><code>${k.prefix}…</code></td><td>${when(k.createdAt)}</td><td>${when(k.lastUsedAt)}</td>
            <td>${k.revokedAt ? html`<span class="badge bad">revoked</span>` : html`<span class="badge ok">live</span>`}</td>
            <td>${
              k.revokedAt
                ? ''
                : html`<form method="post" action="/console/api-keys/${k.id}/revoke" class="inline">${csrf}
                    <button type="submit" class="danger" data-confirm="Revoke ${k.prefix}? Apps using it are refused at once.">Revoke ${k.prefix}</button></form>`
            }</td></tr>`,
        )}</tbody></table></div>`,
    { nav: signed.nav('/console/api-keys') },
  );
}

export async function apiKeyPages(app: FastifyInstance): Promise<void> {
  app.get('/api-keys', async (request: PageRequest, reply) => {
    const signed = await requireOperator(request, reply);
    return signed
      ? keysPage(signed, reply, await takeFlash(request, request.query as Record<string, string>))
      : reply;
  });

  app.post('/api-keys', async (request: PageRequest, reply) => {
    const signed = await requireOperator(request, reply);
    if (!signed) return reply;
    try {
      const created = await signed.api.call<{ key: string }>('POST', '/api-keys', {
        name: (request.body?.name ?? '').trim(),
      });
      return redirectWithFlash(request, reply, '/console/api-keys', {
        key: created.key,
        message: 'API key created.',
      });
    } catch (error) {
      if (!(error instanceof ApiFailure) || error.problem.status >= 500) throw error;
      return keysPage(signed, reply, { invalid: 'Give the key a name of 1 to 200 characters.' }, 400);
    }
  });

  app.post<{ Params: { id: string } }>('/api-keys/:id/revoke', async (request, reply) => {
    const signed = await requireOperator(request, reply);
    if (!signed) return reply;
    await signed.api.call('DELETE', `/api-keys/${encodeURIComponent(request.params.id)}`);
    return redirectWithFlash(request, reply, '/console/api-keys', { message: 'API key revoked.' });
  });
}
