/**
 * What a request-log row may say, pure: which identity provider sent a request (from its
 * headers), bodies with every secret replaced (writeOnly and `returned: never` attributes of
 * the served schemas, RFC 7643 §7, and any key naming a password, secret or token), query
 * strings likewise, and truncation to a bounded size.
 */
import { allSchemas } from '../scim/schema/definitions.ts';
import type { AttributeDef } from '../scim/schema/types.ts';

export const REDACTED = '[redacted]';
/** Characters of each body kept in a row. */
export const BODY_LIMIT = 16 * 1024;
/** Characters of the path (with query string) kept in a row. */
export const PATH_LIMIT = 4096;

export type Idp = 'okta' | 'entra' | 'google' | 'onelogin' | 'jumpcloud' | 'ping' | 'rippling' | 'unknown';

/**
 * User-Agent patterns, first match wins. Okta documents `Okta SCIM Client 1.0.0`
 * (docs/idp-notes.md); the Entra provisioning service is seen as `Microsoft Azure AD SCIM
 * provisioning …`; the others are matched on their product names, which their connectors
 * carry. A bare `Apache-HttpClient` (some Ping connectors) is too generic to name.
 */
const USER_AGENTS: [RegExp, Idp][] = [
  [/\bokta\b/i, 'okta'],
  [/azure|entra|\baad\b|microsoft/i, 'entra'],
  [/onelogin/i, 'onelogin'],
  [/jumpcloud/i, 'jumpcloud'],
  [/ping ?(identity|federate|one)|\bpingone\b/i, 'ping'],
  [/rippling/i, 'rippling'],
  [/google/i, 'google'],
];

/** Header names some IdPs add, for clients whose User-Agent says nothing. */
const HEADER_PREFIXES: [string, Idp][] = [
  ['x-okta-', 'okta'],
  ['x-ms-', 'entra'],
  ['x-rippling-', 'rippling'],
  ['x-jumpcloud-', 'jumpcloud'],
  ['x-onelogin-', 'onelogin'],
];

/** The identity provider a request most likely comes from, by its headers (lower-case names). */
export function detectIdp(headers: Record<string, string | string[] | undefined>): Idp {
  const ua = headers['user-agent'];
  const agent = Array.isArray(ua) ? ua.join(' ') : (ua ?? '');
  for (const [pattern, idp] of USER_AGENTS) if (pattern.test(agent)) return idp;
  for (const name of Object.keys(headers)) {
    for (const [prefix, idp] of HEADER_PREFIXES) if (name.startsWith(prefix)) return idp;
  }
  return 'unknown';
}

/**
 * Key names that say "secret" in any case or spelling clients use for custom attributes:
 * matched against the name with separators removed (`api_key`, `apiKey`, `API-KEY`).
 */
const SECRET_WORDS = /password|passwd|passphrase|pwd|secret|token|credential|privatekey|apikey/;
/** Short words matched only whole (`pin`, `userPin`, `pin_code`; not `shipping`). */
const SECRET_WHOLE_WORDS = new Set(['pin', 'pins', 'otp', 'cvv']);

function sensitiveNames(attributes: AttributeDef[], out: Set<string>) {
  for (const a of attributes) {
    if (a.mutability === 'writeOnly' || a.returned === 'never') out.add(a.name.toLowerCase());
    if (a.subAttributes) sensitiveNames(a.subAttributes, out);
  }
  return out;
}

/** Names of the schema attributes that are never returned or writeOnly (User `password`). */
const SENSITIVE = sensitiveNames(
  allSchemas.flatMap((s) => s.attributes),
  new Set<string>(),
);

/** Whether one name (no dots, colons or filters) says secret: by the schemas first, then by its words. */
function isSensitiveWord(name: string): boolean {
  const lower = name.toLowerCase();
  if (SENSITIVE.has(lower)) return true;
  if (SECRET_WORDS.test(lower.replace(/[^a-z0-9]/g, ''))) return true;
  // camelCase and snake/kebab words: `userPin`, `pin_code`, `PIN`.
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((w) => SECRET_WHOLE_WORDS.has(w));
}

/**
 * Whether an attribute name or path names a secret, in any case (attribute names are
 * case-insensitive, RFC 7643 §2.1): `password`, `PASSWORD`, `urn:…:User:password`,
 * `emails[type eq "work"].password`, `password[value eq "x"]`, or a custom `apiKey`.
 */
export function isSensitiveName(name: string): boolean {
  if (name.length > 1024) return true;
  for (const part of name.split(/[^\w$-]+/)) if (part !== '' && isSensitiveWord(part)) return true;
  return false;
}

/**
 * Query parameters of the sign-in protocols that carry single-use secrets or credentials,
 * though their names say nothing of it: OAuth 2.0 and OIDC authorization codes and states
 * (RFC 6749 §4.1.2, OpenID Connect Core §3.1.2.1), PKCE verifiers (RFC 7636 §4.5), client
 * assertions (RFC 7523 §2.2), SAML messages and their RelayState (SAML 2.0 Bindings §3.4.3,
 * §3.5.3). `/sso` and `/oidc` receive them (docs/sso.md); they are redacted on every route,
 * where no other meaning of these names is read. Lower case; `*_token`, `*_secret` and the
 * like are caught by their words already.
 */
const PROTOCOL_PARAMS = new Set([
  'code',
  'state',
  'nonce',
  'code_verifier',
  'client_assertion',
  'samlresponse',
  'samlrequest',
  'relaystate',
]);

/** A comparison inside a filter: the attribute path, the operator, the compared literal. */
const FILTER_COMPARISON = /([\w:.$[\]-]+)(\s+(?:eq|ne|co|sw|ew|gt|ge|lt|le)\s+)"(?:[^"\\]|\\.)*"?/gi;
/** Cheap first test: text without any of these has nothing to redact. */
const MAY_HOLD_SECRET =
  /pass|pwd|secret|token|credential|key|pin|otp|cvv|scim_|sk_|appsec_|opl_|ses_|setup_/i;
/**
 * A secret of ours anywhere in text, whatever carried it (a path such as `/setup/<secret>` or
 * `/console/set-password/<secret>` too): a kind prefix and 32 random bytes in base64url
 * (src/directory/credentials.ts issueSecret; SCIM tokens, API keys, app secrets, operator
 * links and sessions, setup links).
 */
const OUR_TOKEN = /(?<![A-Za-z0-9])(?:scim|sk|appsec|opl|ses|setup)_[A-Za-z0-9_-]{43}/g;

/** Redacts secrets that plain text may carry: our tokens, filters comparing secret attributes. */
export function redactText(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  return text
    .replace(OUR_TOKEN, REDACTED)
    .replace(FILTER_COMPARISON, (whole, path: string, op: string) =>
      isSensitiveName(path) ? `${path}${op}"${REDACTED}"` : whole,
    );
}

/** Levels of a logged request body kept; deeper ones are replaced by a marker. */
const LOG_MAX_DEPTH = 64;

/**
 * A copy of a parsed JSON value with every secret replaced: values under sensitive keys, and
 * the `value` of a PATCH operation whose `path` names a sensitive attribute (RFC 7644 §3.5.2).
 */
export function redactJson(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  // A client may nest a body deeper than the recursion (and JSON.stringify) can go; the log
  // keeps the first levels (the request itself was refused for it).
  if (typeof value === 'object' && value !== null && depth >= LOG_MAX_DEPTH) return '…(nested deeper)';
  if (Array.isArray(value)) return value.map((x) => redactJson(x, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const input = value as Record<string, unknown>;
  // Keys are matched in any case: `Path`/`Value` (Entra), `"PATH":"PASSWORD"` (RFC 7643 §2.1).
  let pathNamesSecret = false;
  for (const [key, v] of Object.entries(input)) {
    if (key.toLowerCase() === 'path' && typeof v === 'string' && isSensitiveName(v)) pathNamesSecret = true;
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(input)) {
    if (isSensitiveName(key) || (key.toLowerCase() === 'value' && pathNamesSecret)) out[key] = REDACTED;
    else out[key] = redactJson(v, depth + 1);
  }
  return out;
}

/**
 * Redacts JSON that could not be parsed (cut at the size limit, or invalid): string values of
 * sensitive keys, even unterminated ones at the cut.
 */
export function redactJsonText(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  return redactText(text).replace(
    /("((?:[^"\\]|\\.)*)"\s*:\s*)"(?:[^"\\]|\\.)*"?/g,
    (whole, head: string, key: string) => (isSensitiveName(key) ? `${head}"${REDACTED}"` : whole),
  );
}

/** Text cut to `limit` characters, saying how much was cut. */
export function truncate(text: string, limit = BODY_LIMIT): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}…(truncated, ${text.length} characters)`;
}

/** A request or response body for the log: redacted JSON when it parses, redacted text otherwise, cut. */
export function bodyForLog(body: unknown, limit = BODY_LIMIT): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') {
    if (body === '') return null;
    // Parsing a huge body only to cut it would cost more than it shows: cut, then redact as text.
    if (body.length <= 4 * limit) {
      try {
        return truncate(JSON.stringify(redactJson(JSON.parse(body))), limit);
      } catch {
        // not JSON: fall through
      }
    }
    return redactJsonText(truncate(body, limit));
  }
  return truncate(JSON.stringify(redactJson(body)) ?? '', limit);
}

/** A path with its query string, secret-looking parameters and filter comparisons redacted, cut. */
export function pathForLog(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return truncate(redactText(url), PATH_LIMIT);
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // keep it raw
      }
      if (eq >= 0 && (isSensitiveName(name) || PROTOCOL_PARAMS.has(name.toLowerCase())))
        return `${rawName}=${REDACTED}`;
      if (eq < 0) return pair;
      let value: string;
      try {
        value = decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
      } catch {
        return pair;
      }
      const clean = redactText(value);
      return clean === value ? pair : `${rawName}=${encodeURIComponent(clean)}`;
    });
  return truncate(`${redactText(url.slice(0, q))}?${params.join('&')}`, PATH_LIMIT);
}
