/** Pieces the console's signed-in pages share: the CSRF field, one-button forms, sections. */
import type { ApiFailure } from './api-client.ts';
import { type Html, html } from './html.ts';
import type { Signed } from './session.ts';

export function csrfField(signed: Signed): Html {
  return html`<input type="hidden" name="_csrf" value="${signed.session.csrf}">`;
}

/** A form of one button posting to `action`; `confirm` asks first (console.js). */
export function postButton(
  signed: Signed,
  action: string,
  label: string,
  confirm?: string,
  danger = false,
): Html {
  return html`<form method="post" action="${action}" class="inline">${csrfField(signed)}
    <button type="submit"${danger ? html` class="danger"` : ''}${confirm ? html` data-confirm="${confirm}"` : ''}>${label}</button></form>`;
}

export function section(id: string, title: string, body: Html): Html {
  return html`<section aria-labelledby="${id}-h"><h2 id="${id}-h">${title}</h2>${body}</section>`;
}

/**
 * An API problem as messages by form field: a validation error goes to the field its JSON
 * Pointer names (`body/value` → value), anything else to `fallback`, where `route` may send it
 * elsewhere by its text. Returns undefined for what is not the user's to fix (5xx).
 */
export function fieldErrors(
  error: ApiFailure,
  fallback: string,
  route: (detail: string) => string | undefined = () => undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of error.problem.errors ?? []) {
    const field = /^body\/([A-Za-z]+)/.exec(e.path)?.[1] ?? fallback;
    out[field] = out[field] ? `${out[field]}; ${e.message}` : e.message;
  }
  if (!error.problem.errors?.length) out[route(error.problem.detail) ?? fallback] = error.problem.detail;
  return out;
}
