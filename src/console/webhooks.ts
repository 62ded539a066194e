/**
 * The console's webhooks pages: endpoints (create with the secret shown once), an endpoint's
 * recent deliveries, one delivery with each attempt, redelivery; over /api/v1/webhooks.
 */
import type { ResponseBody } from '@scimitar/sdk';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiFailure, query } from './api-client.ts';
import { type Flash, flashNotices, redirectWithFlash, takeFlash } from './flash.ts';
import { csrfField, postButton } from './forms.ts';
import { describedBy, fieldError, type Html, html } from './html.ts';
import { type PageRequest, sendPage } from './plugin.ts';
import { requireOperator, type Signed } from './session.ts';
import { when } from './status-view.ts';

type Endpoint = ResponseBody<'listWebhookEndpoints'>['data'][number];
type Delivery = ResponseBody<'listWebhookDeliveries'>['data'][number];
type DeliveryWithAttempts = ResponseBody<'getWebhookDelivery'>;

const STATUSES = ['pending', 'delivered', 'failed'];

function failedCell(e: Endpoint, d: Delivery | undefined): Html {
  if (!d) return html`none`;
  return html`<a href="/console/webhooks/${e.id}?status=failed"><span class="badge bad">failed</span> ${when(d.createdAt)}</a>`;
}

function deliveryBadge(status: string): Html {
  const kind = status === 'delivered' ? 'ok' : status === 'failed' ? 'bad' : 'wait';
  return html`<span class="badge ${kind}">${status}</span>`;
}

async function endpointsPage(signed: Signed, reply: FastifyReply, fresh: Flash = {}, status = 200) {
  const { data } = await signed.api.get<{ data: Endpoint[] }>('/webhooks');
  // Which endpoints are failing: each one's latest delivery that gave up, if any.
  const failed = await Promise.all(
    data.map((e) =>
      signed.api.get<{ data: Delivery[] }>(
        `/webhooks/${encodeURIComponent(e.id)}/deliveries?status=failed&limit=1`,
      ),
    ),
  );
  return sendPage(
    reply,
    status,
    'Webhooks',
    html`<p>Endpoints of your app that receive every change as a signed webhook (docs/webhooks.md).</p>
      ${flashNotices(fresh)}
      ${
        fresh.secret
          ? html`<div class="secret" role="status"><span>Signing secret, shown only this once:</span> <code id="new-secret">${fresh.secret}</code>
              <button type="button" data-copy="#new-secret">Copy secret</button></div>`
          : ''
      }
      <div class="table-wrap" tabindex="0" role="region" aria-label="Webhook endpoints"><table>
        <thead><tr><th scope="col">URL</th><th scope="col">Org</th><th scope="col">Events</th><th scope="col">State</th><th scope="col">Last failed delivery</th></tr></thead>
        <tbody>${data.map(
          (
            e,
            i,
          ) => html`<tr><td><a href="/console/webhooks/${e.id}">${e.url}</a>${e.description ? html`<br><span class="hint">${e.description}</span>` : ''}</td>
            <td>${e.orgId ?? 'every org'}</td><td>${e.eventTypes?.join(', ') ?? 'all'}</td>
            <td>${e.enabled ? html`<span class="badge ok">enabled</span>` : html`<span class="badge bad">disabled</span> ${e.disabledReason ?? ''}`}</td>
            <td>${failedCell(e, failed[i]?.data[0])}</td></tr>`,
        )}</tbody></table></div>
      ${data.length === 0 ? html`<p>No endpoints yet.</p>` : ''}
      <h2>New endpoint</h2>
      <form method="post" action="/console/webhooks" class="stack">${csrfField(signed)}
        <div><label for="hook-url">URL</label>
          <input id="hook-url" name="url" type="url" required maxlength="2000" placeholder="https://app.example.com/webhooks/scim" value="${fresh.url ?? ''}"${describedBy('hook-url', fresh.invalid)}>
          ${fieldError('hook-url', fresh.invalid)}</div>
        <div><label for="hook-org">Only this org’s events (an org id; empty: every org)</label>
          <input id="hook-org" name="orgId" maxlength="63" value="${fresh.orgId ?? ''}"></div>
        <div><label for="hook-description">Description</label><input id="hook-description" name="description" maxlength="500"></div>
        <div><button type="submit">Create endpoint</button></div>
      </form>`,
    { nav: signed.nav('/console/webhooks') },
  );
}

export async function webhookPages(app: FastifyInstance): Promise<void> {
  app.get('/webhooks', async (request: PageRequest, reply) => {
    const signed = await requireOperator(request, reply);
    return signed
      ? endpointsPage(signed, reply, await takeFlash(request, request.query as Record<string, string>))
      : reply;
  });

  app.post('/webhooks', async (request: PageRequest, reply) => {
    const signed = await requireOperator(request, reply);
    if (!signed) return reply;
    const url = (request.body?.url ?? '').trim();
    const orgId = (request.body?.orgId ?? '').trim();
    const description = (request.body?.description ?? '').trim();
    try {
      const created = await signed.api.call<{ secret: string }>('POST', '/webhooks', {
        url,
        ...(orgId ? { orgId } : {}),
        ...(description ? { description } : {}),
      });
      return redirectWithFlash(request, reply, '/console/webhooks', {
        secret: created.secret,
        message: 'Endpoint created.',
      });
    } catch (error) {
      if (!(error instanceof ApiFailure) || error.problem.status >= 500) throw error;
      const message = error.problem.errors?.length
        ? 'Enter an absolute http:// or https:// URL, and an existing org id or nothing.'
        : error.problem.detail;
      return endpointsPage(signed, reply, { invalid: message, url, orgId }, 400);
    }
  });

  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>(
    '/webhooks/:id',
    async (request, reply) => {
      const signed = await requireOperator(request, reply);
      if (!signed) return reply;
      const id = encodeURIComponent(request.params.id);
      const status = STATUSES.includes(request.query.status ?? '') ? request.query.status : undefined;
      const [endpoint, deliveries, flash] = await Promise.all([
        signed.api.get<Endpoint>(`/webhooks/${id}`),
        signed.api.get<{ data: Delivery[] }>(`/webhooks/${id}/deliveries${query({ limit: 50, status })}`),
        takeFlash(request, request.query),
      ]);
      const action = (path: string, label: string, confirm: string, danger = false) =>
        postButton(signed, `/console/webhooks/${id}/${path}`, label, confirm, danger);
      return sendPage(
        reply,
        200,
        `Webhook ${endpoint.url.slice(0, 60)}`,
        html`<p><a href="/console/webhooks">All endpoints</a></p>${flashNotices(flash)}
        ${
          flash.secret
            ? html`<div class="secret" role="status"><span>New signing secret, shown only this once:</span> <code id="new-secret">${flash.secret}</code>
              <button type="button" data-copy="#new-secret">Copy secret</button></div>`
            : ''
        }
        <dl class="facts"><dt>Org</dt><dd>${endpoint.orgId ?? 'every org'}</dd>
          <dt>Events</dt><dd>${endpoint.eventTypes?.join(', ') ?? 'all'}</dd>
          <dt>State</dt><dd>${endpoint.enabled ? html`<span class="badge ok">enabled</span>` : html`<span class="badge bad">disabled</span> ${endpoint.disabledReason ?? ''}`}</dd>
          ${endpoint.previousSecretExpiresAt ? html`<dt>Previous secret</dt><dd>still signs until ${when(endpoint.previousSecretExpiresAt)}</dd>` : ''}</dl>
        <div class="inline">
          ${
            endpoint.enabled
              ? action(
                  'disable',
                  'Disable',
                  'Stop delivering to this endpoint? Events wait until it is enabled again.',
                )
              : action('enable', 'Enable', 'Resume deliveries to this endpoint?')
          }
          ${action('rotate-secret', 'Rotate the signing secret', 'Make a new signing secret? The old one keeps signing beside it for 24 hours.')}
          ${action('delete', 'Delete the endpoint', 'Delete this endpoint with its deliveries? This cannot be undone.', true)}
        </div>
        <h2>Deliveries</h2>
        <form method="get" action="/console/webhooks/${id}" class="inline">
          <div><label for="delivery-status">Deliveries</label><select id="delivery-status" name="status">
            <option value="">all</option>${STATUSES.map((s) => html`<option value="${s}"${s === status ? html` selected` : ''}>${s}</option>`)}
          </select></div><button type="submit" class="secondary">Filter</button></form>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Deliveries"><table>
          <thead><tr><th scope="col">Created</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last answer</th></tr></thead>
          <tbody>${deliveries.data.map(
            (
              d,
            ) => html`<tr><td><a href="/console/webhooks/${id}/deliveries/${d.id}">${when(d.createdAt)}</a></td><td>${d.eventType ?? '(pruned)'}</td>
              <td>${deliveryBadge(d.status)}</td><td>${d.attempts}</td><td>${d.lastStatus ?? ''} ${d.lastError ?? ''}</td></tr>`,
          )}</tbody></table></div>
        ${deliveries.data.length === 0 ? html`<p>No deliveries${status ? ` ${status}` : ''}.</p>` : ''}`,
        { nav: signed.nav('/console/webhooks') },
      );
    },
  );

  const endpointAction = (
    path: string,
    work: (signed: Signed, id: string) => Promise<{ to: string; flash: Flash }>,
  ) =>
    app.post<{ Params: { id: string } }>(`/webhooks/:id/${path}`, async (request, reply) => {
      const signed = await requireOperator(request, reply);
      if (!signed) return reply;
      const { to, flash } = await work(signed, encodeURIComponent(request.params.id));
      return redirectWithFlash(request, reply, to, flash);
    });

  for (const [path, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const)
    endpointAction(path, async (signed, id) => {
      await signed.api.call('PATCH', `/webhooks/${id}`, { enabled });
      return {
        to: `/console/webhooks/${id}`,
        flash: { message: enabled ? 'Endpoint enabled.' : 'Endpoint disabled.' },
      };
    });

  endpointAction('rotate-secret', async (signed, id) => {
    const rotated = await signed.api.call<{ secret: string }>('POST', `/webhooks/${id}/rotate-secret`, {});
    return {
      to: `/console/webhooks/${id}`,
      flash: {
        secret: rotated.secret,
        message: 'New signing secret made; the old one signs beside it for 24 hours.',
      },
    };
  });

  endpointAction('delete', async (signed, id) => {
    await signed.api.call('DELETE', `/webhooks/${id}`);
    return { to: '/console/webhooks', flash: { message: 'Endpoint deleted.' } };
  });

  const deliveryPage = async (
    signed: Signed,
    reply: FastifyReply,
    id: string,
    deliveryId: number,
    flash: Flash = {},
  ) => {
    const d = await signed.api.get<DeliveryWithAttempts>(`/webhooks/${id}/deliveries/${deliveryId}`);
    return sendPage(
      reply,
      200,
      `Delivery ${deliveryId}`,
      html`<p><a href="/console/webhooks/${id}">Back to the endpoint</a></p>${flashNotices(flash)}
        <dl class="facts"><dt>Event</dt><dd>${d.eventType ?? '(pruned)'} <code>${d.eventId}</code></dd>
          <dt>Status</dt><dd>${deliveryBadge(d.status)}</dd><dt>Next attempt</dt><dd>${when(d.nextAttemptAt)}</dd></dl>
        <h2>Attempts</h2>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Attempts"><table>
          <thead><tr><th scope="col">At</th><th scope="col">Status</th><th scope="col">Latency</th><th scope="col">Error</th><th scope="col">Answer</th></tr></thead>
          <tbody>${d.attemptLog.map(
            (
              a,
            ) => html`<tr><td>${when(a.at)}</td><td>${a.status ?? 'no answer'}</td><td>${Math.round(a.latencyMs)} ms</td>
              <td>${a.error ?? ''}</td><td><code>${(a.responseStart ?? '').slice(0, 200)}</code></td></tr>`,
          )}</tbody></table></div>
        <form method="post" action="/console/webhooks/${id}/deliveries/${deliveryId}/redeliver" class="inline">${csrfField(signed)}
          <button type="submit">Redeliver</button></form>`,
      { nav: signed.nav('/console/webhooks') },
    );
  };

  app.get<{ Params: { id: string; deliveryId: string }; Querystring: Record<string, string | undefined> }>(
    '/webhooks/:id/deliveries/:deliveryId',
    async (request, reply) => {
      const signed = await requireOperator(request, reply);
      if (!signed) return reply;
      return deliveryPage(
        signed,
        reply,
        encodeURIComponent(request.params.id),
        Number(request.params.deliveryId) || 0,
        await takeFlash(request, request.query),
      );
    },
  );

  app.post<{ Params: { id: string; deliveryId: string } }>(
    '/webhooks/:id/deliveries/:deliveryId/redeliver',
    async (request, reply) => {
      const signed = await requireOperator(request, reply);
      if (!signed) return reply;
      const id = encodeURIComponent(request.params.id);
      const deliveryId = Number(request.params.deliveryId) || 0;
      await signed.api.call('POST', `/webhooks/${id}/deliveries/${deliveryId}/redeliver`);
      return redirectWithFlash(request, reply, `/console/webhooks/${id}/deliveries/${deliveryId}`, {
        message: 'Queued for redelivery.',
      });
    },
  );
}
