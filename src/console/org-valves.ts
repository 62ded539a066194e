/**
 * An org's safety valves in the console (docs/safety-valves.md): on the org page, the settings
 * in force, the current window and the held changes (release or discard all, or those
 * selected); on /console/orgs/{orgId}/valves, the org's overrides of the deployment's settings
 * (the mass-deprovisioning valve, its share, floor and window; the seat cap and whom its error
 * names). Through /api/v1/orgs/{orgId}/valves and /held-changes only.
 */
import type { ResponseBody } from '@scimitar/sdk';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiFailure } from './api-client.ts';
import { flashNotices, redirectWithFlash, takeFlash } from './flash.ts';
import { csrfField, fieldErrors, section } from './forms.ts';
import { describedBy, fieldError, type Html, html } from './html.ts';
import { sendPage } from './plugin.ts';
import { requireOperator, type Signed } from './session.ts';
import { when } from './status-view.ts';

export type Valves = ResponseBody<'getValves'>;
type Held = ResponseBody<'listHeldChanges'>['data'][number];
type Org = ResponseBody<'getOrg'>;

type Params = {
  Params: { orgId: string };
  Body: Record<string, string> | undefined;
  Querystring: Record<string, string | undefined>;
};

/** The held changes the org page lists (and a selection may name). */
export const HELD_SHOWN = 50;

function minutes(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.round(seconds / 60)} min`;
}

/** The org page's section: settings in force, the window, the held changes with their actions. */
export function valvesSection(signed: Signed, base: string, valves: Valves, held: Held[]): Html {
  const d = valves.deprovisioning;
  const w = valves.window;
  return html`<dl class="facts">
      <dt>Mass-deprovisioning valve</dt><dd>${
        d.enabled
          ? html`on: holds what exceeds ${d.percent} % of the active users (at least ${d.minUsers}) deprovisioned within ${minutes(d.windowSeconds)}`
          : 'off'
      }${valves.overrides.enabled === null && valves.overrides.percent === null ? ' (the deployment’s setting)' : ''}</dd>
      <dt>Current window</dt><dd>${
        w
          ? `since ${when(w.start)}: ${w.deprovisioned} of ${w.threshold} let through (${w.activeUsers} active users at its start)`
          : 'none open'
      }</dd>
      <dt>Seat cap</dt><dd>${valves.seatCap === null ? 'none' : `${valves.activeUsers} of ${valves.seatCap} active users`}${valves.contact ? html`; the IdP’s admin is told to ask ${valves.contact}` : ''}</dd>
    </dl>
    <p><a href="${base}/valves">Change the valve settings</a></p>
    <h3>Held changes (${valves.held})</h3>
    ${
      held.length === 0
        ? html`<p>Nothing is held.</p>`
        : html`<form method="post" action="${base}/held" class="stack">${csrfField(signed)}
          <fieldset><legend>Held deprovisionings, oldest first (the order a release applies them in)</legend>
          <ul class="checks">${held.map(
            (h) => html`<li><input type="checkbox" id="held-${h.id}" name="id-${h.id}" value="1">
              <label for="held-${h.id}">${h.kind} of <code>${h.userName ?? h.userId}</code>, held ${when(h.heldAt)}</label></li>`,
          )}</ul>
          ${valves.held > held.length ? html`<p class="hint">The first ${held.length} of ${valves.held}; “all” acts on every one.</p>` : ''}
          </fieldset>
          <div class="inline">
            <button type="submit" name="action" value="release-selected" class="danger" data-confirm="Apply the selected held changes? Those users lose access.">Release selected</button>
            <button type="submit" name="action" value="discard-selected" class="secondary" data-confirm="Drop the selected held changes? The IdP’s next sync decides again.">Discard selected</button>
            <button type="submit" name="action" value="release-all" class="danger" data-confirm="Apply every held change? The users lose access.">Release all: apply them</button>
            <button type="submit" name="action" value="discard-all" class="secondary" data-confirm="Drop every held change? The IdP’s next sync decides again.">Discard all: keep the users</button>
          </div></form>`
    }`;
}

/** The settings form's number and text fields: [name, label, hint]. */
const FIELDS: [string, string, string][] = [
  [
    'percent',
    'Share of active users (%)',
    'Deprovisionings in a window beyond this share are held (1 to 100).',
  ],
  ['minUsers', 'Always let through (users)', 'A window lets at least this many through, whatever the share.'],
  ['windowMinutes', 'Window (minutes)', 'How long a window counts deprovisionings (1 to 43,200).'],
  [
    'seatCap',
    'Seat cap (active users)',
    'A create or reactivation beyond it is refused with a clear SCIM error.',
  ],
  ['contact', 'Whom the seat cap’s error names', 'E.g. “your account manager, sales@example.com”.'],
];

async function valvesPage(
  request: FastifyRequest,
  signed: Signed,
  reply: FastifyReply,
  orgId: string,
  q: Record<string, string | undefined>,
  state?: { values: Record<string, string>; errors: Record<string, string> },
) {
  const o = encodeURIComponent(orgId);
  const [org, valves, flash] = await Promise.all([
    signed.api.get<Org>(`/orgs/${o}`),
    signed.api.get<Valves>(`/orgs/${o}/valves`),
    state ? Promise.resolve({}) : takeFlash(request, q),
  ]);
  const base = `/console/orgs/${o}`;
  const ov = valves.overrides;
  const current: Record<string, string> = {
    enabled: ov.enabled === null ? '' : ov.enabled ? 'on' : 'off',
    percent: ov.percent === null ? '' : String(ov.percent),
    minUsers: ov.minUsers === null ? '' : String(ov.minUsers),
    windowMinutes: ov.windowSeconds === null ? '' : String(Math.round(ov.windowSeconds / 60)),
    seatCap: ov.seatCap === null ? '' : String(ov.seatCap),
    contact: ov.contact ?? '',
  };
  const v = (k: string) => state?.values[k] ?? current[k] ?? '';
  const e = state?.errors ?? {};
  const d = valves.deprovisioning;
  const body = html`<p><a href="${base}#held-h">Back to ${org.name}</a></p>
    ${flashNotices(flash)}
    ${state ? html`<p class="notice error" role="alert">That was not saved: see the message at the field.</p>` : ''}
    <p>Leave a field empty to use the deployment’s setting (no seat cap, for the seat cap). In force now:
      valve ${d.enabled ? 'on' : 'off'}, ${d.percent} %, at least ${d.minUsers} users, ${minutes(d.windowSeconds)}.</p>
    ${section(
      'valve-settings',
      'This org’s settings',
      html`<form method="post" action="${base}/valves" class="stack">${csrfField(signed)}
        <div><label for="v-enabled">Mass-deprovisioning valve</label>
          <select id="v-enabled" name="enabled"${describedBy('v-enabled', e.enabled)}>${[
            ['', 'the deployment’s setting'],
            ['on', 'on'],
            ['off', 'off'],
          ].map(
            ([value, label]) =>
              html`<option value="${value}"${value === v('enabled') ? html` selected` : ''}>${label}</option>`,
          )}</select>
          ${fieldError('v-enabled', e.enabled)}</div>
        ${FIELDS.map(
          ([name, label, hint]) => html`<div><label for="v-${name}">${label}</label>
            <input id="v-${name}" name="${name}" value="${v(name)}" maxlength="${name === 'contact' ? 200 : 12}"${name === 'contact' ? '' : html` inputmode="numeric"`} aria-describedby="v-${name}-hint${e[name] ? ` v-${name}-error` : ''}"${e[name] ? html` aria-invalid="true"` : ''}>
            <p class="hint" id="v-${name}-hint">${hint}</p>${fieldError(`v-${name}`, e[name])}</div>`,
        )}
        <div><button type="submit">Save the valve settings</button></div></form>`,
    )}`;
  return sendPage(reply, state ? 400 : 200, `Safety valves: ${org.name}`, body, {
    nav: signed.nav('/console'),
  });
}

/** A whole number from a form field; '' is null (the default); anything else a field error. */
function wholeNumber(
  value: string | undefined,
  field: string,
  errors: Record<string, string>,
): number | null {
  const text = (value ?? '').trim();
  if (text === '') return null;
  if (!/^\d{1,12}$/.test(text)) {
    errors[field] = 'Enter a whole number, or leave it empty for the deployment’s setting.';
    return null;
  }
  return Number(text);
}

export async function orgValvePages(app: FastifyInstance): Promise<void> {
  app.get<Params>('/orgs/:orgId/valves', async (request, reply) => {
    const signed = await requireOperator(request, reply);
    if (!signed) return reply;
    return valvesPage(request, signed, reply, request.params.orgId, request.query);
  });

  app.post<Params>('/orgs/:orgId/valves', async (request, reply) => {
    const signed = await requireOperator(request, reply);
    if (!signed) return reply;
    const o = encodeURIComponent(request.params.orgId);
    const { _csrf, ...values } = request.body ?? {};
    const errors: Record<string, string> = {};
    const windowMinutes = wholeNumber(values.windowMinutes, 'windowMinutes', errors);
    const change = {
      enabled: values.enabled === 'on' ? true : values.enabled === 'off' ? false : null,
      percent: wholeNumber(values.percent, 'percent', errors),
      minUsers: wholeNumber(values.minUsers, 'minUsers', errors),
      windowSeconds: windowMinutes === null ? null : windowMinutes * 60,
      seatCap: wholeNumber(values.seatCap, 'seatCap', errors),
      contact: (values.contact ?? '').trim() || null,
    };
    try {
      if (Object.keys(errors).length > 0)
        throw new ApiFailure({ status: 400, code: 'invalid_request', detail: 'See the fields' });
      await signed.api.call('PATCH', `/orgs/${o}/valves`, change);
    } catch (error) {
      if (!(error instanceof ApiFailure) || error.problem.status >= 500) throw error;
      const found = Object.keys(errors).length > 0 ? errors : fieldErrors(error, 'percent');
      // The API names the window in seconds; the form in minutes.
      if (found.windowSeconds) found.windowMinutes = 'Enter 1 to 43,200 minutes (30 days).';
      return valvesPage(request, signed, reply, request.params.orgId, {}, { values, errors: found });
    }
    return redirectWithFlash(request, reply, `/console/orgs/${o}/valves`, {
      message: 'Valve settings saved.',
    });
  });
}
