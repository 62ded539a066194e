/**
 * Small checks on a step's response. Each returns undefined when satisfied or a one-line reason.
 * Expected values may be `{{var}}` templates, filled from the run's captured values.
 */
import { isDeepStrictEqual } from 'node:util';
import { fill } from './template.ts';
import type { Check, StepResponse, Vars } from './types.ts';

export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

type Doc = Record<string, unknown>;

function isDoc(value: unknown): value is Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined) return 'absent';
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function expand(expected: unknown, vars: Vars): unknown {
  return fill(expected, (name) => vars[name]);
}

/**
 * Reads `a.b.c` or `urn:…:User:a.b` from a document; attribute names are case-insensitive
 * (RFC 7643 §2.1), so keys match in any case.
 */
export function readPath(doc: unknown, path: string): unknown {
  let keys: string[];
  if (path.toLowerCase().startsWith('urn:')) {
    const cut = path.lastIndexOf(':');
    keys = [path.slice(0, cut), ...path.slice(cut + 1).split('.')];
  } else keys = path.split('.');
  let at: unknown = doc;
  for (const key of keys) {
    if (!isDoc(at)) return undefined;
    const found = Object.keys(at).find((k) => k.toLowerCase() === key.toLowerCase());
    at = found === undefined ? undefined : at[found];
  }
  return at;
}

function body(res: StepResponse): Doc | undefined {
  return isDoc(res.body) ? res.body : undefined;
}

function resources(res: StepResponse): Doc[] | string {
  const b = body(res);
  if (!b) return `expected a ListResponse, got ${show(res.body)}`;
  const list = readPath(b, 'Resources');
  const total = readPath(b, 'totalResults');
  if (typeof total !== 'number') return `totalResults is ${show(total)}, expected a number`;
  if (list === undefined) {
    return total === 0 ? [] : `totalResults is ${total} but Resources is absent (RFC 7644 §3.4.2)`;
  }
  if (!Array.isArray(list) || !list.every(isDoc)) return `Resources is ${show(list)}, expected an array`;
  return list;
}

/** RFC 7644 §3.4.2: a well-formed ListResponse (integers, schema URN, page no larger than asked). */
export function listResponse(options: { startIndex?: number; maxItems?: number } = {}): Check {
  return (res) => {
    const b = body(res);
    if (!b) return `expected a ListResponse, got ${show(res.body)}`;
    const schemas = readPath(b, 'schemas');
    if (!Array.isArray(schemas) || !schemas.includes(LIST_RESPONSE))
      return `schemas is ${show(schemas)}, expected [${LIST_RESPONSE}]`;
    const list = resources(res);
    if (typeof list === 'string') return list;
    for (const name of ['itemsPerPage', 'startIndex'] as const) {
      const v = readPath(b, name);
      if (v !== undefined && !Number.isInteger(v)) return `${name} is ${show(v)}, expected an integer`;
    }
    if (options.startIndex !== undefined && readPath(b, 'startIndex') !== options.startIndex)
      return `startIndex is ${show(readPath(b, 'startIndex'))}, expected ${options.startIndex}`;
    if (options.maxItems !== undefined && list.length > options.maxItems)
      return `${list.length} Resources on a page of count=${options.maxItems}`;
    return undefined;
  };
}

/** An unknown lookup is an empty ListResponse (200); a 404 passes only where the step allows it. */
export function emptyList(): Check {
  return (res) => {
    if (res.status === 404) return undefined;
    const list = resources(res);
    if (typeof list === 'string') return list;
    const total = readPath(body(res), 'totalResults');
    if (total !== 0 || list.length > 0) return `expected no match, got totalResults ${show(total)}`;
    return undefined;
  };
}

/** The list holds exactly these resources (ids, any order). */
export function listIds(expected: readonly string[]): Check {
  return (res, vars) => {
    const list = resources(res);
    if (typeof list === 'string') return list;
    const want = (expand(expected, vars) as unknown[]).map(String).sort();
    const got = list.map((r) => String(readPath(r, 'id'))).sort();
    return isDeepStrictEqual(got, want) ? undefined : `ids ${show(got)}, expected ${show(want)}`;
  };
}

/** The list holds this resource (other resources may be there too). */
export function listIncludes(id: string): Check {
  return (res, vars) => {
    const list = resources(res);
    if (typeof list === 'string') return list;
    const want = String(expand(id, vars));
    return list.some((r) => readPath(r, 'id') === want) ? undefined : `${want} is not in the list`;
  };
}

/** Every listed resource passes `check` (as if it were the response body). */
export function eachResource(check: Check): Check {
  return (res, vars) => {
    const list = resources(res);
    if (typeof list === 'string') return list;
    for (const r of list) {
      const reason = check({ ...res, body: r, text: JSON.stringify(r) }, vars);
      if (reason) return `${String(readPath(r, 'id'))}: ${reason}`;
    }
    return undefined;
  };
}

/** RFC 7644 §3.3: the created resource has a server-assigned string `id`. */
export function hasId(): Check {
  return (res) => {
    const id = readPath(body(res), 'id');
    if (typeof id !== 'string' || id === '') return `id is ${show(id)}, expected a non-empty string`;
    return undefined;
  };
}

/** Okta treats an empty response body to a create as a failure. */
export function nonEmptyBody(): Check {
  return (res) => (res.text.trim() === '' ? 'the response body is empty' : undefined);
}

/** RFC 7644 §3.1, §8.1: responses carry application/scim+json. */
export function scimContentType(): Check {
  return (res) => {
    const type = res.headers['content-type'] ?? '';
    return /^application\/scim\+json/i.test(type)
      ? undefined
      : `Content-Type is ${show(type)}, expected application/scim+json`;
  };
}

/** RFC 7644 §3.12: an error body with this scimType. */
export function scimType(expected: string): Check {
  return (res) => {
    const got = readPath(body(res), 'scimType');
    return got === expected ? undefined : `scimType is ${show(got)}, expected "${expected}"`;
  };
}

/** The attribute equals the expected value exactly (after filling templates). */
export function attr(path: string, expected: unknown): Check {
  return (res, vars) => {
    const want = expand(expected, vars);
    const got = readPath(body(res), path);
    return isDeepStrictEqual(got, want) ? undefined : `${path} is ${show(got)}, expected ${show(want)}`;
  };
}

/** RFC 7643 §2.5: unassigned means absent, null or an empty array. */
export function unassigned(path: string): Check {
  return (res) => {
    const got = readPath(body(res), path);
    if (got === undefined || got === null || (Array.isArray(got) && got.length === 0)) return undefined;
    return `${path} is ${show(got)}, expected it unassigned`;
  };
}

/** For template-driven IdPs (OneLogin) an emptied field arrives as ""; echoing "" back is fine too. */
export function unassignedOrEmpty(path: string): Check {
  return (res, vars) =>
    readPath(body(res), path) === ''
      ? undefined
      : unassigned(path)(res, vars)?.replace('unassigned', 'unassigned or ""');
}

/** `active` is this boolean (RFC 7643 §4.1.1: a boolean, whatever string the IdP sent). */
export function active(expected: boolean): Check {
  return attr('active', expected);
}

/** A user created without `active` (OneLogin templates) must not come out disabled. */
export function notDisabled(): Check {
  return (res) => {
    const got = readPath(body(res), 'active');
    return got === undefined || got === true ? undefined : `active is ${show(got)}, expected true or absent`;
  };
}

/** The value of the element of a multi-valued attribute with this type (`emails[type eq "work"].value`). */
export function typedValue(attribute: string, type: string, expected: string): Check {
  return (res, vars) => {
    const want = expand(expected, vars);
    const list = readPath(body(res), attribute);
    const found = Array.isArray(list)
      ? list.find((e) => isDoc(e) && String(readPath(e, 'type')).toLowerCase() === type)
      : undefined;
    const got = readPath(found, 'value');
    return got === want
      ? undefined
      : `${attribute}[type eq "${type}"].value is ${show(got)}, expected ${show(want)}`;
  };
}

export function email(type: string, expected: string): Check {
  return typedValue('emails', type, expected);
}

/** The group's members are exactly these ids (any order; RFC 7644 §3.5.2.3 replace). */
export function members(expected: readonly string[]): Check {
  return (res, vars) => {
    const list = readPath(body(res), 'members') ?? [];
    if (!Array.isArray(list)) return `members is ${show(list)}, expected an array`;
    const want = (expand(expected, vars) as unknown[]).map(String).sort();
    const got = list.map((m) => String(readPath(m, 'value'))).sort();
    return isDeepStrictEqual(got, want) ? undefined : `members ${show(got)}, expected ${show(want)}`;
  };
}

/** RFC 7643 §7: password is writeOnly, returned never. */
export function noPassword(): Check {
  return (res) =>
    readPath(body(res), 'password') === undefined ? undefined : 'the response echoes password';
}

/** The value of a response header matches. */
export function header(name: string, pattern: RegExp): Check {
  return (res) => {
    const got = res.headers[name.toLowerCase()];
    return got !== undefined && pattern.test(got)
      ? undefined
      : `header ${name} is ${show(got)}, expected ${pattern}`;
  };
}
