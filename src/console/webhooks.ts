/**
 * The console's webhooks pages: endpoints (create with the secret shown once; edit the URL, the
 * org and event-type filters and the description), an endpoint's recent deliveries, one
 * delivery with each attempt, redelivery; over /api/v1/webhooks.
 */
import type { ResponseBody } from '@scimitar/sdk';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { EVENT_TYPES } from '../directory/webhooks.ts';
import { ApiFailure, query } from './api-client.ts';
import { type Flash, flashNotices, redirectWithFlash, takeFlash } from './flash.ts';
import { csrfField, fieldErrors, postButton } from './forms.ts';
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

/** What the endpoint forms (create, edit) hold: as typed, or as the endpoint is. */
interface EndpointForm {
  url: string;
  orgId: string;
  description: string;
  eventTypes: readonly string[];
}

/** The forms' fields; event types are one checkbox each (`event-<type>`; forms keep one value per name). */
function readEndpointForm(body: Record<string, string> | undefined): EndpointForm {
  return {
    url: (body?.url ?? '').trim(),
    orgId: (body?.orgId ?? '').trim(),
    description: (body?.description ?? '').trim(),
    eventTypes: EVENT_TYPES.filter((type) => body?.[`event-${type}`] !== undefined),
  };
}

/** The API's body for a form: empty org, description or event types mean none (every org, all types). */
function endpointBody(form: EndpointForm) {
  return {
    url: form.url,
    orgId: form.orgId || null,
    description: form.description || null,
    eventTypes: form.eventTypes.length > 0 ? [...form.eventTypes] : null,
  };
}

/** A refused endpoint form's messages by field, saying what to enter; undefined for a 5xx. */
function endpointErrors(error: unknown): Record<string, string> | undefined {
  if (!(error instanceof ApiFailure) || error.problem.status >= 500) return undefined;
  const errors = fieldErrors(error, 'url', (detail) =>
    /organization/i.test(detail)
      ? 'orgId'
      : /event type/i.test(detail)
        ? 'eventTypes'
        : /description/i.test(detail)
          ? 'description'
          : undefined,
  );
  // The schema's own words ("must match format") say little: say what to enter.
  const schemaError = (field: string) =>
    error.problem.errors?.some((e) => e.path.startsWith(`body/${field}`));
  const guide = 'Enter an absolute http:// or https:// URL, such as https://app.example.com/webhooks/scim.';
  // A refused address says itself what to do (WEBHOOK_ALLOW_PRIVATE); the URL's form does not.
  if (errors.url && !/public address/.test(errors.url))
    errors.url = schemaError('url') ? guide : `${errors.url.replace(/\.?$/, '.')} ${guide}`;
  const orgHint =
    "Enter the id of an existing org (as in its page's address), or leave it empty for every org.";
  if (errors.orgId)
    errors.orgId = schemaError('orgId')
      ? `Not an org id. ${orgHint}`
      : `${errors.orgId.replace(/\.?$/, '.')} ${orgHint}`;
  return errors;
}

/** The URL, org, event types and description fields, with their errors; ids start with `prefix`. */
function endpointFields(prefix: string, form: EndpointForm, errors: Record<string, string>): Html {
  const id = (name: string) => `${prefix}-${name}`;
  return html`<div><label for="${id('url')}">URL</label>
      <input id="${id('url')}" name="url" type="url" required maxlength="2000" placeholder="https://app.example.com/webhooks/scim" value="${form.url}"${describedBy(id('url'), errors.url)}>
      ${fieldError(id('url'), errors.url)}</div>
    <div><label for="${id('org')}">Only this org’s events (an org id; empty: every org)</label>
      <input id="${id('org')}" name="orgId" maxlength="63" value="${form.orgId}"${describedBy(id('org'), errors.orgId)}>
      ${fieldError(id('org'), errors.orgId)}</div>
    <fieldset${errors.eventTypes ? html` aria-describedby="${id('types')}-error"` : ''}><legend>Only these event types (none ticked: every type)</legend>
      <ul class="checks">${EVENT_TYPES.map(
        (
          type,
        ) => html`<li><input type="checkbox" id="${id(type)}" name="event-${type}" value="1"${form.eventTypes.includes(type) ? html` checked` : ''}>
          <label for="${id(type)}"><code>${type}</code></label></li>`,
      )}</ul>
      ${fieldError(id('types'), errors.eventTypes)}</fieldset>
    <div><label for="${id('description')}">Description</label>
      <input id="${id('description')}" name="description" maxlength="500" value="${form.description}"${describedBy(id('description'), errors.description)}>
      ${fieldError(id('description'), errors.description)}</div>`;
}

const EMPTY_FORM: EndpointForm = { url: '', orgId: '', description: '', eventTypes: [] };

async function endpointsPage(
  signed: Signed,
  reply: FastifyReply,
  fresh: Flash = {},
  status = 200,
  typed: { form: EndpointForm; errors: Record<string, string> } = { form: EMPTY_FORM, errors: {} },
) {
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
        ${endpointFields('hook', typed.form, typed.errors)}
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
    const form = readEndpointForm(request.body);
    try {
      const created = await signed.api.call<{ secret: string }>('POST', '/webhooks', endpointBody(form));
      return redirectWithFlash(request, reply, '/console/webhooks', {
        secret: created.secret,
        message: 'Endpoint created.',
      });
    } catch (error) {
      const errors = endpointErrors(error);
      if (!errors) throw error;
      return endpointsPage(signed, reply, {}, 400, { form, errors });
    }
  });

  /** One endpoint: its facts, actions, edit form (as typed when `typed`) and deliveries. */
  const endpointPage = async (
    signed: Signed,
    reply: FastifyReply,
    id: string,
    options: {
      status?: string | undefined;
      flash?: Flash;
      typed?: { form: EndpointForm; errors: Record<string, string> };
    },
  ) => {
    const { status, flash = {}, typed } = options;
    const [endpoint, deliveries] = await Promise.all([
      signed.api.get<Endpoint>(`/webhooks/${id}`),
      signed.api.get<{ data: Delivery[] }>(`/webhooks/${id}/deliveries${query({ limit: 50, status })}`),
    ]);
    const action = (path: string, label: string, confirm: string, danger = false) =>
      postButton(signed, `/console/webhooks/${id}/${path}`, label, confirm, danger);
    const current: EndpointForm = {
      url: endpoint.url,
      orgId: endpoint.orgId ?? '',
      description: endpoint.description ?? '',
      eventTypes: endpoint.eventTypes ?? [],
    };
    return sendPage(
      reply,
      typed ? 400 : 200,
      `Webhook ${endpoint.url.slice(0, 60)}`,
      html`<p><a href="/console/webhooks">All endpoints</a></p>${flashNotices(flash)}
        ${
          flash.secret
            ? html`<div class="secret" role="status"><span>New signing secret, shown only this once:</span> <code id="new-secret">${flash.secret}</code>
              <button type="button" data-copy="#new-secret">Copy secret</button></div>`
            : ''
        }
        ${typed ? html`<p class="notice error" role="alert">Nothing was changed: correct the fields marked below.</p>` : ''}
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
        <section aria-labelledby="edit-h"><h2 id="edit-h">Change the endpoint</h2>
          <p class="hint">A new URL is used from the next attempt on, by deliveries already queued too.
            New filters choose among the events not yet queued; queued deliveries are sent as they are.</p>
          <form method="post" action="/console/webhooks/${id}/edit" class="stack">${csrfField(signed)}
            ${endpointFields('edit', typed?.form ?? current, typed?.errors ?? {})}
            <div><button type="submit">Save changes</button></div>
          </form></section>
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
  };

  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>(
    '/webhooks/:id',
    async (request, reply) => {
      const signed = await requireOperator(request, reply);
      if (!signed) return reply;
      const status = STATUSES.includes(request.query.status ?? '') ? request.query.status : undefined;
      const flash = await takeFlash(request, request.query);
      return endpointPage(signed, reply, encodeURIComponent(request.params.id), { status, flash });
    },
  );

  // The edit form: the URL, the filters and the description, in one PATCH of the API.
  app.post<{ Params: { id: string }; Body: Record<string, string> | undefined }>(
    '/webhooks/:id/edit',
    async (request, reply) => {
      const signed = await requireOperator(request, reply);
      if (!signed) return reply;
      const id = encodeURIComponent(request.params.id);
      const form = readEndpointForm(request.body);
      try {
        await signed.api.call('PATCH', `/webhooks/${id}`, endpointBody(form));
      } catch (error) {
        const errors = endpointErrors(error);
        if (!errors || (error instanceof ApiFailure && error.problem.status === 404)) throw error;
        return endpointPage(signed, reply, id, { typed: { form, errors } });
      }
      return redirectWithFlash(request, reply, `/console/webhooks/${id}`, { message: 'Endpoint changed.' });
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
