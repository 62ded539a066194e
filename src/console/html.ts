/**
 * HTML for the console and the setup pages: a tagged template that escapes every interpolated
 * value (RFC-less, but the OWASP rule: escape on output, in the context written), and the page
 * layout. No inline script or style anywhere: the pages' Content-Security-Policy forbids both.
 */

/** Markup that is already safe (made by `html`); anything else interpolated is escaped. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

export interface Layout {
  title: string;
  body: Html;
  /** The signed-in operator's nav (the console); absent on the setup pages and sign-in. */
  nav?: { email: string; csrf: string; current?: string } | undefined;
  /** Load htmx (pages with live parts). */
  htmx?: boolean;
}

const NAV: [string, string][] = [
  ['/console', 'Orgs'],
  ['/console/webhooks', 'Webhooks'],
  ['/console/api-keys', 'API keys'],
];

/** A whole page. */
export function page({ title, body, nav, htmx }: Layout): string {
  const header = nav
    ? html`<header class="bar">
        <a class="brand" href="/console">Scimitar console</a>
        <nav aria-label="Main"><ul>
          ${NAV.map(([href, label]) => html`<li><a href="${href}"${nav.current === href ? html` aria-current="page"` : ''}>${label}</a></li>`)}
        </ul></nav>
        <form method="post" action="/console/sign-out" class="sign-out">
          <input type="hidden" name="_csrf" value="${nav.csrf}">
          <span class="who">${nav.email}</span>
          <button type="submit">Sign out</button>
        </form>
      </header>`
    : html`<header class="bar"><span class="brand">Scimitar</span></header>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${htmx ? '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}\'>' : ''}
<title>${escapeHtml(title)} · Scimitar</title>
<link rel="icon" href="/console/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/console/assets/console.css">
<script src="/console/assets/console.js" defer></script>
${htmx ? '<script src="/console/assets/htmx.min.js" defer></script>' : ''}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
${header.value}
<main id="main">
<h1>${escapeHtml(title)}</h1>
${body.value}
</main>
</body>
</html>
`;
}

/** A form's field-level error, tied to its input by aria-describedby. */
export function fieldError(id: string, message: string | undefined): Html {
  return message ? html`<p class="field-error" id="${id}-error">${message}</p>` : html``;
}

/** Attributes that tie an input to its error message, when there is one. */
export function describedBy(id: string, message: string | undefined): Html {
  return message ? html` aria-invalid="true" aria-describedby="${id}-error"` : html``;
}

/** A notice at the top of a page (role=status) or an error (role=alert). */
export function notice(kind: 'ok' | 'error', text: string | undefined): Html {
  if (!text) return html``;
  return kind === 'error'
    ? html`<p class="notice error" role="alert">${text}</p>`
    : html`<p class="notice ok" role="status">${text}</p>`;
}
