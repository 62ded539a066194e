/**
 * Schema rules for incoming values, RFC 7643 §2 (attribute characteristics, data types) and
 * §7, RFC 7644 §3.3 (POST) and §3.5.1 (PUT). Everything a client sends is canonicalised here:
 * names in schema case, values in their JSON type, "absent" made uniform, so that the store,
 * the filter evaluator and the projection see one shape.
 */
import { ScimError } from '../errors.ts';
import { bareStringManager } from '../quirks.ts';
import { findCoreAttribute, findSchemaAttribute, findSubAttribute } from './resolve.ts';
import type { AttributeDef, ResourceSchema, SchemaDef } from './types.ts';

/** Longest string value accepted (any string-like type). Larger values are not identifiers. */
export const MAX_STRING_LENGTH = 65536;
/** Deepest nesting of a request body accepted (objects and arrays count one level each). */
export const MAX_DEPTH = 10;
/** Most elements in one multi-valued attribute (Group `members` is exempt, see below). */
export const MAX_VALUES = 1000;

type Json = Record<string, unknown>;

function isPlainObject(v: unknown): v is Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Whether a value counts as absent (RFC 7643 §2.5 "unassigned"): null, the empty string
 * (OneLogin renders unmapped template fields as ""), an empty array, or an object with no
 * present member.
 */
export function isAbsent(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.every(isAbsent);
  if (isPlainObject(v)) return Object.values(v).every(isAbsent);
  return false;
}

const invalid = (path: string, what: string) => ScimError.invalidValue(`Attribute '${path}' ${what}`);

// xsd:dateTime (RFC 7643 §2.3.5): date, 'T', time, optional fraction, optional zone.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

function normalizeDateTime(v: string, path: string): string {
  const m = DATE_TIME.exec(v);
  const bad = () => invalid(path, 'must be a dateTime (xsd:dateTime, e.g. 2026-01-01T00:00:00Z)');
  if (!m) throw bad();
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
  // Date.parse rolls 30 February over to 1 March; check the calendar ourselves.
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth) throw bad();
  if (hour! > 23 || minute! > 59 || second! > 59) throw bad();
  // xsd:dateTime without a zone is "local" to nobody in particular; a server must not read it
  // in its own time zone, so it is taken as UTC.
  const date = new Date(m[8] === undefined ? `${v}Z` : v);
  if (Number.isNaN(date.getTime())) throw bad();
  return date.toISOString();
}

// RFC 7643 §2.3.6: base64 per RFC 4648 §4. Padding optional (some clients strip it).
const BASE64 = /^[A-Za-z0-9+/]*$/;

function checkBase64(v: string, path: string): string {
  const body = v.replace(/={1,2}$/, '');
  const padded = body.length !== v.length;
  if (!BASE64.test(body) || (padded ? v.length % 4 !== 0 : body.length % 4 === 1)) {
    throw invalid(path, 'must be base64-encoded binary');
  }
  return v;
}

function checkLength(v: string, path: string): string {
  if (v.length > MAX_STRING_LENGTH) throw invalid(path, `is longer than ${MAX_STRING_LENGTH} characters`);
  return v;
}

/** One non-absent simple value, by RFC 7643 §2.3 data type. */
function normalizeSimple(def: AttributeDef, v: unknown, path: string): unknown {
  switch (def.type) {
    case 'string':
    case 'reference':
      if (typeof v !== 'string') throw invalid(path, 'must be a string');
      return checkLength(v, path);
    case 'binary':
      if (typeof v !== 'string') throw invalid(path, 'must be base64-encoded binary');
      return checkBase64(checkLength(v, path), path);
    case 'boolean':
      if (typeof v === 'boolean') return v;
      // Microsoft Entra sends "True"/"False" strings in its default PATCH dialect.
      if (typeof v === 'string') {
        const lower = v.toLowerCase();
        if (lower === 'true') return true;
        if (lower === 'false') return false;
      }
      throw invalid(path, 'must be a boolean');
    case 'integer':
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalid(path, 'must be an integer');
      return v;
    case 'decimal':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(path, 'must be a number');
      return v;
    case 'dateTime':
      if (typeof v !== 'string')
        throw invalid(path, 'must be a dateTime (xsd:dateTime, e.g. 2026-01-01T00:00:00Z)');
      return normalizeDateTime(v, path);
    case 'complex':
      // Not reached: complex values go through normalizeComplex.
      throw invalid(path, 'must be an object');
  }
}

/** A complex value: sub-attribute names matched case-insensitively, unknown ones dropped. */
function normalizeComplex(def: AttributeDef, v: unknown, path: string): Json | undefined {
  if (!isPlainObject(v)) throw invalid(path, 'must be an object');
  const byName = new Map<string, unknown>();
  for (const [key, raw] of Object.entries(v)) {
    const sub = findSubAttribute(def, key);
    if (!sub) continue;
    const value = normalizeAttributeValue(sub, raw, `${path}.${sub.name}`);
    if (value === undefined) continue;
    if (byName.has(sub.name)) throw invalid(`${path}.${sub.name}`, 'is given more than once');
    byName.set(sub.name, value);
  }
  if (byName.size === 0) return undefined;
  // Output in definition order: documents compare equal whatever the client's key order.
  const out: Json = {};
  for (const sub of def.subAttributes ?? []) if (byName.has(sub.name)) out[sub.name] = byName.get(sub.name);
  return out;
}

function normalizeSingle(def: AttributeDef, v: unknown, path: string): unknown {
  if (isAbsent(v)) return undefined;
  // entra-bare-string-manager (quirks.ts): `"manager": "<id>"` is `{ "value": "<id>" }`.
  if (def.type === 'complex') return normalizeComplex(def, bareStringManager(def, v), path);
  return normalizeSimple(def, v, path);
}

/**
 * Canonicalises and type-checks one attribute value (RFC 7643 §2.3 data types, §2.4
 * multi-valued attributes). `path` is the canonical attribute path used in error messages.
 * Returns undefined when the value counts as absent (null, "", [], or an object whose
 * sub-attributes are all absent); elements of a multi-valued attribute that has a `value`
 * sub-attribute are dropped when they lack `value`. readOnly sub-attributes are kept: dropping them is the
 * caller's job (normalizeResource), since PATCH and POST treat them differently.
 * canonicalValues are not enforced: IdPs send their own `type` labels.
 */
export function normalizeAttributeValue(def: AttributeDef, value: unknown, path: string): unknown {
  if (!def.multiValued) {
    if (Array.isArray(value)) {
      if (isAbsent(value)) return undefined;
      throw invalid(path, 'is single-valued and must not be an array');
    }
    return normalizeSingle(def, value, path);
  }
  // A single value for a multi-valued attribute is read as a one-element list (lenient: Entra
  // sends `"value": {...}` in some member PATCHes).
  const list = Array.isArray(value) ? value : [value];
  // An element of a {value, type, primary} attribute without a value is only a label (OneLogin
  // renders `{"value": "", "type": "work"}` for an unmapped phone number): it counts as absent.
  const needsValue = def.type === 'complex' && findSubAttribute(def, 'value') !== undefined;
  const out: unknown[] = [];
  for (const [i, element] of list.entries()) {
    if (Array.isArray(element)) throw invalid(path, 'must not contain nested arrays');
    const n = normalizeSingle(def, element, path);
    if (n === undefined) continue;
    if (needsValue && (n as Json).value === undefined) {
      // A Group member without a value (only display, type or $ref) names nobody: refused,
      // not dropped like a label, or the client would believe it was added.
      if (def.name === 'members')
        throw ScimError.invalidValue(`${path}[${i}].value is required: the id of a User or Group`);
      continue;
    }
    out.push(n);
  }
  if (out.length === 0) return undefined;
  if (def.type === 'complex' && out.filter((e) => (e as Json).primary === true).length > 1) {
    // RFC 7643 §2.4: "The primary attribute value 'true' MUST appear no more than once."
    throw ScimError.invalidValue(`${path}: more than one value has primary=true`);
  }
  return out;
}

/**
 * Drops readOnly sub-attributes from a normalised value (RFC 7643 §2.2: readOnly values sent
 * by a client SHALL be ignored). Returns undefined when nothing is left.
 */
export function dropReadOnlySubAttributes(def: AttributeDef, value: unknown): unknown {
  if (def.type !== 'complex' || value === undefined) return value;
  const strip = (element: unknown): Json | undefined => {
    const out: Json = {};
    for (const [key, v] of Object.entries(element as Json)) {
      if (findSubAttribute(def, key)?.mutability !== 'readOnly') out[key] = v;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  if (!Array.isArray(value)) return strip(value);
  const list = value.map(strip).filter((e) => e !== undefined);
  return list.length > 0 ? list : undefined;
}

function depthExceeds(v: unknown, limit: number): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (limit === 0) return true;
  const children = Array.isArray(v) ? v : Object.values(v);
  return children.some((c) => depthExceeds(c, limit - 1));
}

/** Whether `def` may hold more than MAX_VALUES elements. */
function isUnbounded(rs: ResourceSchema, def: AttributeDef): boolean {
  // Group members are stored as rows (ARCHITECTURE.md "Storage principles"): groups can hold
  // millions of members, so the per-attribute cap that protects User documents does not apply.
  return rs.type.name === 'Group' && def.name === 'members';
}

/** Loose equality of two normalised values under the attribute's caseExact rule. */
function sameValue(def: AttributeDef, a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') {
    return def.caseExact || def.type !== 'string' ? a === b : a.toLowerCase() === b.toLowerCase();
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => sameValue(def, x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const sub = findSubAttribute(def, k);
      if (!sub || !sameValue(sub, a[k], b[k])) return false;
    }
    return true;
  }
  return a === b;
}

export interface NormalizedResource {
  /** Canonical doc (COMMON.md): schemas, core attributes, extensions under their URN; no id/meta. */
  doc: Record<string, unknown>;
  /** The writeOnly `password`, when the client sent one; never part of `doc`. */
  password?: string;
}

interface Collected {
  /** Per schema id, attribute name → normalised value. */
  values: Map<string, Map<string, unknown>>;
  password?: string;
}

function collect(rs: ResourceSchema, schema: SchemaDef, key: string, raw: unknown, acc: Collected): void {
  const def = findSchemaAttribute(rs, schema, key);
  // Unknown attributes are ignored (lenient: IdPs send vendor attributes), and so are
  // readOnly ones such as id, meta, User `groups` (RFC 7643 §2.2).
  if (!def || def.mutability === 'readOnly') return;
  const extension = schema !== rs.core;
  const path = extension ? `${schema.id}:${def.name}` : def.name;
  if (def.multiValued && Array.isArray(raw) && raw.length > MAX_VALUES && !isUnbounded(rs, def)) {
    throw invalid(path, `has more than ${MAX_VALUES} values`);
  }
  const value = dropReadOnlySubAttributes(def, normalizeAttributeValue(def, raw, path));
  if (def.mutability === 'writeOnly') {
    // The only writeOnly attribute is the User password; it is handed back apart from the doc
    // so that it can never be stored or returned with it.
    if (def.name === 'password' && typeof value === 'string') acc.password = value;
    return;
  }
  if (value === undefined) return;
  let map = acc.values.get(schema.id);
  if (!map) {
    map = new Map();
    acc.values.set(schema.id, map);
  }
  if (map.has(def.name)) throw invalid(path, 'is given more than once');
  map.set(def.name, value);
}

function topLevelAttributes(rs: ResourceSchema, schema: SchemaDef): AttributeDef[] {
  if (schema !== rs.core) return schema.attributes;
  const common = ['externalId'].map((n) => findCoreAttribute(rs, n)).filter((d) => d !== undefined);
  return [...common, ...schema.attributes];
}

/**
 * Turns a POST (RFC 7644 §3.3) or PUT (§3.5.1) body into a canonical doc. Names and extension
 * URNs are matched case-insensitively (RFC 7643 §2.1); unknown attributes and extensions are
 * ignored; readOnly attributes and sub-attributes are ignored (RFC 7643 §2.2); the writeOnly
 * password is returned apart. Required attributes must be present. In replace mode an
 * immutable attribute that already has a value may not change, and is kept when omitted.
 */
export function normalizeResource(
  input: unknown,
  rs: ResourceSchema,
  options: { mode: 'create' | 'replace'; existing?: Record<string, unknown> },
): NormalizedResource {
  if (!isPlainObject(input)) throw ScimError.invalidSyntax('Request body must be a JSON object');
  if (depthExceeds(input, MAX_DEPTH)) {
    throw ScimError.invalidValue(`Request body is nested deeper than ${MAX_DEPTH} levels`);
  }
  const schemasKey = Object.keys(input).find((k) => k.toLowerCase() === 'schemas');
  const schemas = schemasKey === undefined ? undefined : input[schemasKey];
  const coreLower = rs.core.id.toLowerCase();
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === coreLower)
  ) {
    throw ScimError.invalidSyntax(`'schemas' must be an array that contains '${rs.core.id}'`);
  }

  const acc: Collected = { values: new Map() };
  for (const [key, raw] of Object.entries(input)) {
    if (key === schemasKey) continue;
    const lower = key.toLowerCase();
    const extension = rs.extensions.find((s) => s.id.toLowerCase() === lower);
    if (extension) {
      if (isAbsent(raw)) continue;
      if (!isPlainObject(raw)) throw invalid(extension.id, 'must be an object');
      for (const [k, v] of Object.entries(raw)) collect(rs, extension, k, v, acc);
      continue;
    }
    // A URN-qualified attribute at top level (`urn:...:enterprise:2.0:User:employeeNumber`)
    // is the same attribute (RFC 7644 §3.10); unknown URNs are ignored.
    const qualified = [rs.core, ...rs.extensions].find((s) => lower.startsWith(`${s.id.toLowerCase()}:`));
    if (qualified) {
      const name = key.slice(qualified.id.length + 1);
      if (!name.includes('.')) collect(rs, qualified, name, raw, acc);
      continue;
    }
    if (lower.startsWith('urn:')) continue;
    collect(rs, rs.core, key, raw, acc);
  }

  for (const schema of [rs.core, ...rs.extensions]) {
    const values = acc.values.get(schema.id) ?? new Map<string, unknown>();
    const existing =
      schema === rs.core ? options.existing : (options.existing?.[schema.id] as Json | undefined);
    for (const def of topLevelAttributes(rs, schema)) {
      const path = schema === rs.core ? def.name : `${schema.id}:${def.name}`;
      if (options.mode === 'replace' && existing) checkImmutable(def, path, existing[def.name], values);
      if (def.required && def.mutability !== 'readOnly' && !values.has(def.name)) {
        throw invalid(path, 'is required');
      }
    }
    if (values.size > 0) acc.values.set(schema.id, values);
  }

  const doc: Json = { schemas: [rs.core.id] };
  for (const schema of [rs.core, ...rs.extensions]) {
    const values = acc.values.get(schema.id);
    if (!values) continue;
    const ordered: Json = {};
    for (const def of topLevelAttributes(rs, schema)) {
      if (values.has(def.name)) ordered[def.name] = values.get(def.name);
    }
    if (schema === rs.core) Object.assign(doc, ordered);
    else {
      (doc.schemas as string[]).push(schema.id);
      doc[schema.id] = ordered;
    }
  }
  return acc.password === undefined ? { doc } : { doc, password: acc.password };
}

/**
 * RFC 7643 §2.2 immutable: once set, a value may not change; a PUT that omits it keeps it.
 * For a singular complex attribute the rule applies to its immutable sub-attributes. Sub-
 * attributes of multi-valued attributes (Group members.value) are not checked here: a PUT
 * replaces whole elements, each an immutable record of its own.
 */
function checkImmutable(def: AttributeDef, path: string, old: unknown, values: Map<string, unknown>): void {
  if (isAbsent(old)) return;
  const next = values.get(def.name);
  if (def.mutability === 'immutable') {
    if (next === undefined) values.set(def.name, old);
    else if (!sameValue(def, old, next)) throw ScimError.mutability(`Attribute '${path}' is immutable`);
    else values.set(def.name, old);
    return;
  }
  if (def.type !== 'complex' || def.multiValued || !isPlainObject(old)) return;
  const merged: Json = { ...((next as Json | undefined) ?? {}) };
  let changed = false;
  for (const sub of def.subAttributes ?? []) {
    if (sub.mutability !== 'immutable' || isAbsent(old[sub.name])) continue;
    const n = merged[sub.name];
    if (n !== undefined && !sameValue(sub, old[sub.name], n)) {
      throw ScimError.mutability(`Attribute '${path}.${sub.name}' is immutable`);
    }
    merged[sub.name] = old[sub.name];
    changed = true;
  }
  if (!changed) return;
  const ordered: Json = {};
  for (const sub of def.subAttributes ?? []) if (sub.name in merged) ordered[sub.name] = merged[sub.name];
  values.set(def.name, ordered);
}
