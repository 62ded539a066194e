/**
 * The org page's request log and audit trail (docs/console.md): their filters as GET forms
 * (each keeps the other's), the API queries they make, and older pages by the API's cursors.
 * Each logged request links to its page with its hint and redacted bodies (org.ts).
 */
import type { ResponseBody } from '@scimitar/sdk';
import { ACTOR_KINDS, AUDIT_ACTIONS, AUDIT_RESOURCE_TYPES } from '../directory/audit.ts';
import { query } from './api-client.ts';
import { type Html, html } from './html.ts';
import { when } from './status-view.ts';

type LoggedRequest = ResponseBody<'listRequests'>['data'][number];
type AuditEntry = ResponseBody<'listAuditEntries'>['data'][number];
type Page<T> = { data: T[]; nextCursor: string | null };
type Query = Record<string, string | undefined>;

const STATUS_CLASSES = ['2xx', '4xx', '5xx'];
const REQUEST_PARAMS = ['status', 'rpath', 'rcursor'];
const AUDIT_PARAMS = ['aaction', 'aactor', 'atype', 'aid', 'asince', 'auntil', 'acursor'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const text = (value: string | undefined, max: number) => (value ?? '').trim().slice(0, max);
const oneOf = (value: string | undefined, allowed: readonly string[]) =>
  value !== undefined && allowed.includes(value) ? value : undefined;

/** A day (YYYY-MM-DD) as the instant it starts, UTC, `plus` days later; undefined if no day. */
function dayStart(day: string | undefined, plus = 0): string | undefined {
  if (!day || !DAY.test(day)) return undefined;
  const at = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(at) ? undefined : new Date(at + plus * 86_400_000).toISOString();
}

/** Hidden fields keeping the page's other filters when one form is sent. */
function keep(q: Query, names: string[]): Html {
  return html`${names
    .filter((n) => !n.endsWith('cursor') && q[n])
    .map((n) => html`<input type="hidden" name="${n}" value="${q[n]}">`)}`;
}

function options(values: readonly string[], selected: string | undefined, all: string): Html {
  return html`<option value="">${all}</option>${values.map(
    (v) => html`<option value="${v}"${v === selected ? html` selected` : ''}>${v}</option>`,
  )}`;
}

/** GET /orgs/{orgId}/requests with the page's request filters. */
export function requestLogPath(o: string, q: Query): string {
  return `/orgs/${o}/requests${query({
    limit: 20,
    status: oneOf(q.status, STATUS_CLASSES) ?? (/^[1-5]\d\d$/.test(q.status ?? '') ? q.status : undefined),
    path: text(q.rpath, 200),
    cursor: text(q.rcursor, 500),
  })}`;
}

/** GET /orgs/{orgId}/audit with the page's audit filters (the until day is included). */
export function auditPath(o: string, q: Query): string {
  return `/orgs/${o}/audit${query({
    limit: 20,
    action: oneOf(q.aaction, AUDIT_ACTIONS),
    actorKind: oneOf(q.aactor, ACTOR_KINDS),
    resourceType: oneOf(q.atype, AUDIT_RESOURCE_TYPES),
    resourceId: text(q.aid, 200),
    since: dayStart(q.asince),
    until: dayStart(q.auntil, 1),
    cursor: text(q.acursor, 500),
  })}`;
}

export function requestLogSection(base: string, q: Query, requests: Page<LoggedRequest>): Html {
  const status = q.status ?? '';
  const path = text(q.rpath, 200);
  return html`<form method="get" action="${base}#requests-h" class="inline" role="search" aria-label="Filter the request log">
      ${keep(q, AUDIT_PARAMS)}
      <div><label for="status-filter">Status</label><select id="status-filter" name="status">
        ${options(STATUS_CLASSES, status, 'all')}</select></div>
      <div><label for="path-filter">Path contains</label><input id="path-filter" name="rpath" type="search" maxlength="200" value="${path}"></div>
      <button type="submit" class="secondary">Filter</button></form>
    <div class="table-wrap" tabindex="0" role="region" aria-label="Request log"><table>
      <thead><tr><th scope="col">When</th><th scope="col">Request</th><th scope="col">Status</th><th scope="col">Hint</th></tr></thead>
      <tbody>${requests.data.map(
        (
          r,
        ) => html`<tr><td><a href="${base}/requests/${r.id}">${when(r.at)}</a></td><td>${r.method} <code>${r.path}</code></td>
          <td>${r.status >= 400 ? html`<span class="badge bad">${r.status}</span>` : r.status}</td><td>${r.hint ?? ''}</td></tr>`,
      )}</tbody></table></div>
    ${requests.data.length === 0 ? html`<p>No requests${status || path ? ' match' : ' yet'}.</p>` : ''}
    <p class="hint">Open a request for its hint and its bodies, with secrets and personal data redacted.</p>
    ${
      requests.nextCursor
        ? html`<p><a href="${base}${query({ ...pick(q, [...REQUEST_PARAMS, ...AUDIT_PARAMS]), rcursor: requests.nextCursor })}#requests-h">Older requests</a></p>`
        : ''
    }`;
}

export function auditSection(base: string, q: Query, audit: Page<AuditEntry>): Html {
  const filtered = AUDIT_PARAMS.some((n) => !n.endsWith('cursor') && q[n]);
  return html`<form method="get" action="${base}#audit-h" class="inline" role="search" aria-label="Filter the audit trail">
      ${keep(q, REQUEST_PARAMS)}
      <div><label for="audit-action">Action</label><select id="audit-action" name="aaction">${options(AUDIT_ACTIONS, q.aaction, 'any')}</select></div>
      <div><label for="audit-actor">Who</label><select id="audit-actor" name="aactor">${options(ACTOR_KINDS, q.aactor, 'anyone')}</select></div>
      <div><label for="audit-type">Resource type</label><select id="audit-type" name="atype">${options(AUDIT_RESOURCE_TYPES, q.atype, 'any')}</select></div>
      <div><label for="audit-id">Resource id</label><input id="audit-id" name="aid" type="search" maxlength="200" value="${text(q.aid, 200)}"></div>
      <div><label for="audit-since">From (UTC day)</label><input id="audit-since" name="asince" type="date" value="${DAY.test(q.asince ?? '') ? q.asince : ''}"></div>
      <div><label for="audit-until">To (UTC day)</label><input id="audit-until" name="auntil" type="date" value="${DAY.test(q.auntil ?? '') ? q.auntil : ''}"></div>
      <button type="submit" class="secondary">Filter</button></form>
    <div class="table-wrap" tabindex="0" role="region" aria-label="Audit trail"><table>
      <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">What</th><th scope="col">Attributes</th></tr></thead>
      <tbody>${audit.data.map(
        (a) =>
          html`<tr><td>${when(a.at)}</td><td>${a.actor.kind}${a.actor.id ? html` <code>${a.actor.id}</code>` : ''}</td><td>${a.action}</td><td>${a.resourceType ?? ''} <code>${a.resourceId ?? ''}</code></td><td>${a.attributes.join(', ')}</td></tr>`,
      )}</tbody></table></div>
    ${audit.data.length === 0 ? html`<p>No entries${filtered ? ' match' : ' yet'}.</p>` : ''}
    ${
      audit.nextCursor
        ? html`<p><a href="${base}${query({ ...pick(q, [...REQUEST_PARAMS, ...AUDIT_PARAMS]), acursor: audit.nextCursor })}#audit-h">Older entries</a></p>`
        : ''
    }`;
}

function pick(q: Query, names: string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((n) => [n, q[n]]));
}
