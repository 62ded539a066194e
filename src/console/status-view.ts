/** An org's status as HTML: the setup page's live part and the console's org page share it. */
import type { ResponseBody } from '@scimitar/sdk';
import { type Html, html } from './html.ts';

/** GET /api/v1/orgs/{orgId}/status, typed from the API's own OpenAPI document (packages/sdk). */
export type OrgStatus = ResponseBody<'getOrgStatus'>;
/** A user as GET /api/v1/orgs/{orgId}/users lists it. */
export type UserRow = ResponseBody<'listUsers'>['data'][number];

/** A time as people read it, in UTC. */
export function when(iso: string | null): string {
  return iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : 'never';
}

export function connectionBadge(status: Pick<OrgStatus, 'connected'>): Html {
  return status.connected
    ? html`<span class="badge ok">Connected</span>`
    : html`<span class="badge wait">Waiting for your IdP</span>`;
}

/** What a failure means, in plain words, when the request log has no hint. */
function plain(status: number): string {
  if (status === 401)
    return 'The IdP sent no token, or one that does not work here: paste the token again, whole.';
  if (status === 404) return 'The IdP asked for something that is not here; check the base URL.';
  if (status === 409) return 'The user or group already exists here with the same userName.';
  if (status === 429) return 'The IdP sent too many requests at once; it will retry.';
  if (status >= 500) return 'This server failed; it is not your setup. Tell your provider.';
  return 'The IdP sent something this server could not accept.';
}

export function statusView(status: OrgStatus, users: UserRow[]): Html {
  return html`
    <p>${connectionBadge(status)}
      ${status.connected ? html` Your IdP's requests arrive.` : html` Nothing has arrived with a token yet. Finish the steps above and run your IdP's test connection or first sync.`}</p>
    <dl class="facts">
      <dt>Users synced</dt><dd>${status.users}</dd>
      <dt>Groups synced</dt><dd>${status.groups}</dd>
      <dt>Last request</dt><dd>${when(status.lastRequestAt)}</dd>
      <dt>Failures in the last hour</dt><dd>${status.failuresLastHour}</dd>
    </dl>
    ${
      status.recentFailures.length > 0
        ? html`<h3>Recent failures</h3>
          <ul>${status.recentFailures.map(
            (
              f,
            ) => html`<li><strong>${f.status}</strong> on ${f.method} <code>${f.path}</code> at ${when(f.at)}:
              ${f.hint ?? plain(f.status)}</li>`,
          )}</ul>`
        : ''
    }
    ${
      users.length > 0
        ? html`<h3>Synced users${status.users > users.length ? html` (the first ${users.length} of ${status.users})` : ''}</h3>
          <ul class="users">${users.map(
            (u) =>
              html`<li>${u.displayName ?? u.userName} <code>${u.userName}</code>${u.active ? '' : html` <span class="badge bad">deactivated</span>`}</li>`,
          )}</ul>`
        : ''
    }`;
}
