/**
 * PATCH application, RFC 7644 §3.5.2: add (§3.5.2.1), remove (§3.5.2.2), replace (§3.5.2.3)
 * on a canonical doc. Pure: the input is never mutated; all operations apply or none does
 * (the first failure throws, and the caller still holds the untouched input).
 */
import { atOperation, ScimError } from '../errors.ts';
import type { FilterNode } from '../filter/ast.ts';
import { matchesElement } from '../filter/evaluate.ts';
import { type PatchPath, parsePatchPath } from '../filter/patch-path.ts';
import { cloneJson, isObject } from '../json.ts';
import {
  bareStringManager,
  type IdpProfile,
  newElementForFilteredPath,
  type QuirkName,
  quirkEnabled,
} from '../quirks.ts';
import {
  dropReadOnlySubAttributes,
  isAbsent,
  MAX_VALUES,
  normalizeAttributeValue,
} from '../schema/normalize.ts';
import { findSchema, findSubAttribute } from '../schema/resolve.ts';
import type { AttributeDef, ResolvedAttribute, ResourceSchema } from '../schema/types.ts';
import type { PatchOperation } from './parse.ts';

type Json = Record<string, unknown>;

export interface PatchResult {
  /** The patched canonical doc, `schemas` recomputed (core first, then extensions present). */
  doc: Json;
  /**
   * Sorted canonical top-level paths whose value changed (`emails`, `name`,
   * `urn:…:enterprise:2.0:User:manager`, and `password` when one was set), for the audit log.
   */
  changed: string[];
  /** The writeOnly password set by the PATCH, if any: never part of `doc` (RFC 7643 §4.1.1). */
  password?: string;
  /** The meaning-changing IdP quirks (src/scim/quirks.ts) this PATCH relied on, when any. */
  appliedQuirks?: QuirkName[];
}

export interface PatchOptions {
  /** The org's IdP profile: turns on the meaning-changing rules of src/scim/quirks.ts. */
  profile?: IdpProfile;
}

/** What an operation targets, once its path is read against the schema. */
type Target =
  /** A whole top-level attribute: `userName`, `emails`, `urn:…:User:manager`. */
  | { kind: 'attribute'; at: ResolvedAttribute }
  /** A sub-attribute of a singular complex attribute: `name.givenName`. */
  | { kind: 'sub'; at: ResolvedAttribute; sub: AttributeDef }
  /**
   * Elements of a multi-valued complex attribute: those matching `filter`, or all of them
   * (`emails.value` without a filter); optionally one sub-attribute of each.
   */
  | { kind: 'elements'; at: ResolvedAttribute; filter?: FilterNode; sub?: AttributeDef };

interface Context {
  rs: ResourceSchema;
  password?: string;
  profile?: IdpProfile | undefined;
  applied: Set<QuirkName>;
  /**
   * The element keys of a multi-valued attribute's list as this PATCH last wrote it, by the
   * list's identity: the next `add` to it checks for duplicates against this set instead of
   * computing every element's key again. Without it, 1,000 `add emails` operations computed
   * half a million keys (cost quadratic in the operation count); with it, each operation costs
   * the values it adds. A list written any other way is not in the map.
   */
  keys: WeakMap<unknown[], Set<string>>;
}

// ---------------------------------------------------------------------------------------------
// Values: comparison under the schema's caseExact rule, element identity, ordering.

/**
 * A comparable form of a normalised value: strings of caseExact=false string attributes
 * lower-cased, readOnly sub-attributes dropped (the server owns them), sub-attributes in
 * definition order. Two values are equal when their folded forms serialise identically.
 */
function fold(def: AttributeDef, v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => fold(def, x));
  if (typeof v === 'string') return def.type === 'string' && !def.caseExact ? v.toLowerCase() : v;
  if (isObject(v) && def.type === 'complex') {
    const out: Json = {};
    for (const sub of def.subAttributes ?? []) {
      if (sub.mutability !== 'readOnly' && v[sub.name] !== undefined) out[sub.name] = fold(sub, v[sub.name]);
    }
    return out;
  }
  return v;
}

function sameValue(def: AttributeDef, a: unknown, b: unknown): boolean {
  return JSON.stringify(fold(def, a)) === JSON.stringify(fold(def, b));
}

/** The definition of one element of a multi-valued attribute. */
function elementDef(def: AttributeDef): AttributeDef {
  return { ...def, multiValued: false };
}

/**
 * Identity of an element for duplicate detection (§3.5.2.1 "SHOULD NOT add a duplicate").
 * When the `value` sub-attribute is immutable (Group `members`), it identifies the element:
 * the same member sent with or without `type`/`display` is the same member. Otherwise the
 * whole element, compared under fold().
 */
function elementKey(def: AttributeDef, e: unknown): string {
  const id = def.type === 'complex' ? findSubAttribute(def, 'value') : undefined;
  if (id?.mutability === 'immutable' && isObject(e) && e.value !== undefined) {
    return `v:${JSON.stringify(fold(id, e.value))}`;
  }
  return `e:${JSON.stringify(fold(elementDef(def), e))}`;
}

/** A complex value with its sub-attributes in definition order (as normalize.ts emits them). */
function ordered(def: AttributeDef, v: Json): Json | undefined {
  const out: Json = {};
  for (const sub of def.subAttributes ?? []) if (v[sub.name] !== undefined) out[sub.name] = v[sub.name];
  // Keys the schema does not know were already in the stored doc: keep them, never lose data.
  for (const [k, x] of Object.entries(v)) if (!(k in out) && x !== undefined) out[k] = x;
  return Object.keys(out).length > 0 ? out : undefined;
}

function normalize(def: AttributeDef, raw: unknown, label: string): unknown {
  return dropReadOnlySubAttributes(def, normalizeAttributeValue(def, raw, label));
}

/** One element of a multi-valued complex attribute (a one-element array is accepted too). */
function normalizeElement(def: AttributeDef, raw: unknown, label: string): Json | undefined {
  const one = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
  return normalize(elementDef(def), one, label) as Json | undefined;
}

/** RFC 7644 §3.5.2: an immutable attribute may be given a value once, never changed. */
function checkImmutable(def: AttributeDef, label: string, old: unknown, next: unknown): void {
  if (def.mutability !== 'immutable' || isAbsent(old) || sameValue(def, old, next)) return;
  throw ScimError.mutability(`Attribute '${label}' is immutable and already has a value`);
}

// ---------------------------------------------------------------------------------------------
// Reading and writing a top-level attribute of a canonical doc.

function topPath(at: ResolvedAttribute): string {
  return at.extension ? `${at.schema}:${at.attribute.name}` : at.attribute.name;
}

function getTop(doc: Json, at: ResolvedAttribute): unknown {
  const holder = at.extension ? doc[at.schema] : doc;
  return isObject(holder) ? holder[at.attribute.name] : undefined;
}

/** Sets (or, with undefined, removes) a top-level attribute; an emptied extension goes too. */
function setTop(doc: Json, at: ResolvedAttribute, value: unknown): void {
  if (!at.extension) {
    if (value === undefined) delete doc[at.attribute.name];
    else doc[at.attribute.name] = value;
    return;
  }
  let holder = doc[at.schema];
  if (!isObject(holder)) {
    if (value === undefined) return;
    holder = {};
    doc[at.schema] = holder;
  }
  const ext = holder as Json;
  if (value === undefined) delete ext[at.attribute.name];
  else ext[at.attribute.name] = value;
  if (Object.keys(ext).length === 0) delete doc[at.schema];
}

function getList(doc: Json, at: ResolvedAttribute): unknown[] {
  const v = getTop(doc, at);
  if (v === undefined) return [];
  return Array.isArray(v) ? [...v] : [v];
}

/** Writes a multi-valued attribute back: an empty list unassigns it (RFC 7643 §2.5). */
function setList(doc: Json, at: ResolvedAttribute, list: unknown[], ctx: Context): void {
  // Group members are stored as rows and may be many (normalize.ts); other lists are capped.
  const unbounded = ctx.rs.type.name === 'Group' && at.attribute.name === 'members';
  if (!unbounded && list.length > MAX_VALUES) {
    throw ScimError.invalidValue(`Attribute '${topPath(at)}' would have more than ${MAX_VALUES} values`);
  }
  setTop(doc, at, list.length > 0 ? list : undefined);
}

/**
 * RFC 7644 §3.5.2: a value whose `primary` becomes true makes every other value non-primary.
 * `chosen` are the elements the operation made primary; more than one is invalid.
 */
function settlePrimary(list: unknown[], chosen: unknown[], label: string): boolean {
  const primaries = chosen.filter((e) => isObject(e) && e.primary === true);
  if (primaries.length === 0) return false;
  if (primaries.length > 1) {
    throw ScimError.invalidValue(`Attribute '${label}': more than one value would have primary=true`);
  }
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (isObject(e) && e.primary === true && e !== primaries[0]) list[i] = { ...e, primary: false };
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Operations.

function toTarget(path: PatchPath): Target {
  const at = path.attribute;
  if (path.filter) {
    return path.subAttribute
      ? { kind: 'elements', at, filter: path.filter, sub: path.subAttribute }
      : { kind: 'elements', at, filter: path.filter };
  }
  if (at.subAttribute) {
    // `emails.value` without a filter names that sub-attribute of every element.
    return at.attribute.multiValued
      ? { kind: 'elements', at, sub: at.subAttribute }
      : { kind: 'sub', at, sub: at.subAttribute };
  }
  return { kind: 'attribute', at };
}

function label(target: Target): string {
  const top = topPath(target.at);
  if (target.kind === 'attribute') return top;
  const filter = target.kind === 'elements' && target.filter ? '[...]' : '';
  return target.sub ? `${top}${filter}.${target.sub.name}` : `${top}${filter}`;
}

/**
 * Applies one operation with a path. `explicit` is false for the attributes named inside a
 * no-path value: there readOnly attributes are ignored (RFC 7643 §2.2; Okta echoes `id`)
 * instead of refused.
 */
function applyPath(
  doc: Json,
  op: PatchOperation['op'],
  path: PatchPath,
  value: unknown,
  ctx: Context,
  explicit: boolean,
): void {
  const top = path.attribute.attribute;
  const sub = path.subAttribute ?? path.attribute.subAttribute;
  const target = toTarget(path);
  if (top.mutability === 'readOnly' || sub?.mutability === 'readOnly') {
    if (!explicit) return;
    throw ScimError.mutability(`Attribute '${label(target)}' is readOnly`);
  }
  if (top.mutability === 'writeOnly') {
    writeOnly(op, path.attribute, value, ctx);
    return;
  }
  const before = requiredPresent(doc, ctx.rs);
  if (op === 'remove') remove(doc, target, value, ctx);
  else if (target.kind === 'attribute') setAttribute(doc, op, target.at, value, ctx);
  else if (target.kind === 'sub') setSub(doc, op, target.at, target.sub, value);
  else setElements(doc, op, target, value, ctx);
  for (const name of before) {
    if (!requiredPresent(doc, ctx.rs).includes(name)) {
      throw ScimError.invalidValue(`Attribute '${name}' is required and cannot be removed`);
    }
  }
}

/** The required top-level attributes that currently have a value. */
function requiredPresent(doc: Json, rs: ResourceSchema): string[] {
  const out: string[] = [];
  for (const schema of [rs.core, ...rs.extensions]) {
    const holder = schema === rs.core ? doc : doc[schema.id];
    if (!isObject(holder)) continue;
    for (const def of schema.attributes) {
      if (def.required && def.mutability !== 'readOnly' && !isAbsent(holder[def.name])) {
        out.push(schema === rs.core ? def.name : `${schema.id}:${def.name}`);
      }
    }
  }
  return out;
}

/** The writeOnly password: handed back apart from the doc, so it can never be stored in it. */
function writeOnly(op: PatchOperation['op'], at: ResolvedAttribute, value: unknown, ctx: Context): void {
  if (op === 'remove')
    throw ScimError.mutability(`Attribute '${at.path}' is writeOnly and cannot be removed`);
  const v = normalize(at.attribute, value, at.path);
  if (at.attribute.name === 'password' && typeof v === 'string') ctx.password = v;
}

/** add/replace of a whole top-level attribute (§3.5.2.1, §3.5.2.3). */
function setAttribute(doc: Json, op: 'add' | 'replace', at: ResolvedAttribute, given: unknown, ctx: Context) {
  const def = at.attribute;
  // entra-bare-string-manager: `Add` on the manager path with the bare id string.
  const raw = bareStringManager(def, given);
  const name = topPath(at);
  const old = getTop(doc, at);

  if (def.multiValued) {
    const values = normalize(def, raw, name) as unknown[] | undefined;
    if (op === 'replace') {
      // The attribute and all its values are replaced; [] or null unassigns it (Okta sends
      // `replace members []` to empty a group).
      checkImmutable(def, name, old, values);
      setList(doc, at, dedupe(def, values ?? []), ctx);
      return;
    }
    if (!values) return;
    const stored = getTop(doc, at);
    const list = getList(doc, at);
    const seen =
      (Array.isArray(stored) ? ctx.keys.get(stored) : undefined) ??
      new Set(list.map((e) => elementKey(def, e)));
    const added: unknown[] = [];
    for (const v of values) {
      const key = elementKey(def, v);
      if (seen.has(key)) continue;
      seen.add(key);
      list.push(v);
      added.push(v);
    }
    // A new primary value makes the others non-primary: their keys change, so none are kept.
    const settled = settlePrimary(list, added, name);
    setList(doc, at, list, ctx);
    if (!settled) ctx.keys.set(list, seen);
    return;
  }

  if (def.type === 'complex') {
    // A complex target takes a set of sub-attributes; those not given are left unchanged
    // (§3.5.2.3), for add as well as replace. null unassigns it on replace (RFC 7643 §2.5).
    if (!isObject(raw)) {
      const v = normalize(def, raw, name); // throws for a non-object that is not absent
      if (v === undefined && op === 'replace') {
        checkImmutable(def, name, old, undefined);
        setTop(doc, at, undefined);
      }
      return;
    }
    const next = (normalize(def, raw, name) as Json | undefined) ?? {};
    const merged: Json = isObject(old) ? { ...old } : {};
    for (const key of Object.keys(raw)) {
      const sub = findSubAttribute(def, key);
      if (!sub || sub.mutability === 'readOnly') continue;
      const v = next[sub.name];
      // A sub-attribute given as null/"" is unassigned by replace, and left alone by add.
      if (v === undefined && op === 'add') continue;
      checkImmutable(sub, `${name}.${sub.name}`, merged[sub.name], v);
      merged[sub.name] = v;
    }
    setTop(doc, at, ordered(def, merged));
    return;
  }

  const next = normalize(def, raw, name);
  if (next === undefined && op === 'add') return;
  checkImmutable(def, name, old, next);
  setTop(doc, at, next);
}

function dedupe(def: AttributeDef, values: unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = elementKey(def, v);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** add/replace of a sub-attribute of a singular complex attribute (`name.givenName`). */
function setSub(doc: Json, op: 'add' | 'replace', at: ResolvedAttribute, sub: AttributeDef, raw: unknown) {
  const name = `${topPath(at)}.${sub.name}`;
  const next = normalize(sub, raw, name);
  if (next === undefined && op === 'add') return;
  const old = getTop(doc, at);
  const parent: Json = isObject(old) ? { ...old } : {};
  checkImmutable(sub, name, parent[sub.name], next);
  parent[sub.name] = next;
  setTop(doc, at, ordered(at.attribute, parent));
}

/** Indexes of the elements a target selects. */
function select(list: unknown[], filter: FilterNode | undefined): number[] {
  const out: number[] = [];
  list.forEach((e, i) => {
    if (!filter || (isObject(e) && matchesElement(filter, e))) out.push(i);
  });
  return out;
}

/**
 * add/replace on selected elements (§3.5.2.3 "all matching record values SHALL be replaced";
 * with a sub-attribute, that sub-attribute of each). A value object is merged into each
 * matching element, so `replace emails[type eq "work"]` `{value}` keeps the element's type.
 * No element selected: the element the filter describes is added
 * (entra-add-on-filtered-path-creates-element); when it describes none, noTarget (§3.5.2.3;
 * applied to add as well, which names no other rule).
 */
function setElements(
  doc: Json,
  op: 'add' | 'replace',
  target: Extract<Target, { kind: 'elements' }>,
  raw: unknown,
  ctx: Context,
) {
  const { at, filter, sub } = target;
  const def = at.attribute;
  const name = label(target);
  const list = getList(doc, at);
  const hits = select(list, filter);
  if (hits.length === 0) {
    if (filter && quirkEnabled(ctx.profile, CREATE_ON_NO_MATCH) && addFromFilter(doc, target, raw, ctx))
      return;
    throw ScimError.noTarget(`No value of '${topPath(at)}' matches the path '${name}'`);
  }
  const matched = new Set(hits);

  let patch: Json | undefined;
  if (sub) {
    const v = normalize(sub, raw, `${topPath(at)}.${sub.name}`);
    if (v === undefined && op === 'add') return;
    patch = { [sub.name]: v };
  } else {
    patch = normalizeElement(def, raw, topPath(at));
    if (patch === undefined) {
      // Replacing the matched values with null removes them (RFC 7643 §2.5); add is a no-op.
      if (op === 'add') return;
      const kept = list.filter((_, i) => !matched.has(i));
      setList(doc, at, kept, ctx);
      return;
    }
  }

  const chosen: unknown[] = [];
  for (const i of hits) {
    const merged: Json = { ...(list[i] as Json) };
    for (const [key, v] of Object.entries(patch)) {
      const subDef = findSubAttribute(def, key);
      if (subDef) checkImmutable(subDef, `${topPath(at)}.${subDef.name}`, merged[key], v);
      merged[key] = v;
    }
    const next = ordered(def, merged);
    list[i] = next;
    if (patch.primary === true) chosen.push(next);
  }
  settlePrimary(list, chosen, name);
  const kept = list.filter((e) => e !== undefined);
  setList(doc, at, kept, ctx);
}

const CREATE_ON_NO_MATCH: QuirkName = 'entra-add-on-filtered-path-creates-element';

/**
 * entra-add-on-filtered-path-creates-element (always on, src/scim/quirks.ts): an add or
 * replace on a filtered path that matches no element adds the element the filter describes,
 * with the value. Returns false when the filter describes no single element (the caller then
 * answers noTarget, as the RFC does). An absent value has nothing to add or replace: no-op.
 */
function addFromFilter(
  doc: Json,
  target: Extract<Target, { kind: 'elements' }>,
  raw: unknown,
  ctx: Context,
): boolean {
  const { at, filter, sub } = target;
  const def = at.attribute;
  if (!filter) return false;
  if (sub ? isAbsent(normalize(sub, raw, `${topPath(at)}.${sub.name}`)) : isAbsent(raw)) return true;
  const element = newElementForFilteredPath(filter, sub, raw);
  if (!element) return false;
  const next = normalizeElement(def, element, topPath(at));
  // An element without its `value` would be a label only (normalize.ts drops those): no target.
  if (!next || (findSubAttribute(def, 'value') && next.value === undefined)) return false;
  const list = getList(doc, at);
  list.push(next);
  settlePrimary(list, [next], label(target));
  setList(doc, at, list, ctx);
  ctx.applied.add(CREATE_ON_NO_MATCH);
  return true;
}

/**
 * remove (§3.5.2.2). A filter that matches nothing removes nothing and is not an error: the
 * RFC names noTarget for remove only when the path is missing, and IdPs retry member removals
 * (Okta `remove members[value eq "…"]`) and expect them to be idempotent.
 */
function remove(doc: Json, target: Target, raw: unknown, ctx: Context): void {
  const { at } = target;
  const def = at.attribute;
  const name = label(target);

  if (target.kind === 'attribute') {
    if (def.multiValued && raw !== undefined && raw !== null) {
      removeListed(doc, at, raw, ctx);
      return;
    }
    const old = getTop(doc, at);
    if (old === undefined) return;
    checkImmutable(def, name, old, undefined);
    setTop(doc, at, undefined);
    return;
  }

  if (target.kind === 'sub') {
    const old = getTop(doc, at);
    if (!isObject(old) || old[target.sub.name] === undefined) return;
    checkImmutable(target.sub, name, old[target.sub.name], undefined);
    const parent = { ...old };
    delete parent[target.sub.name];
    setTop(doc, at, ordered(def, parent));
    return;
  }

  const list = getList(doc, at);
  const hits = new Set(select(list, target.filter));
  if (hits.size === 0) return;
  const { sub } = target;
  const next: unknown[] = [];
  list.forEach((e, i) => {
    if (!hits.has(i)) next.push(e);
    else if (sub && isObject(e)) {
      if (e[sub.name] !== undefined)
        checkImmutable(sub, `${topPath(at)}.${sub.name}`, e[sub.name], undefined);
      const rest = { ...e };
      delete rest[sub.name];
      // An element left with nothing in it is no value at all.
      const kept = ordered(def, rest);
      if (kept) next.push(kept);
    }
  });
  setList(doc, at, next, ctx);
}

/**
 * remove with a value list (Microsoft Entra, JumpCloud: `{"op":"Remove","path":"members",
 * "value":[{"value":"<id>"}]}`): removes every element that agrees with some listed element on
 * all the sub-attributes the listed element gives (usually just `value`). Listed elements that
 * match nothing are not an error, like a filter that matches nothing.
 */
function removeListed(doc: Json, at: ResolvedAttribute, raw: unknown, ctx: Context): void {
  const def = at.attribute;
  const listed = normalize(def, raw, topPath(at)) as unknown[] | undefined;
  if (!listed) return;
  const list = getList(doc, at);
  const one = elementDef(def);
  // Group the listed elements by the sub-attributes they give, so that each existing element
  // is looked up once per group instead of compared with every listed element.
  const groups = new Map<string, { subs: string[]; keys: Set<string> }>();
  for (const l of listed) {
    const f = fold(one, l);
    const subs = isObject(f) ? Object.keys(f) : [];
    if (isObject(f) && subs.length === 0) continue;
    const sig = subs.join('\u0000');
    let group = groups.get(sig);
    if (!group) {
      group = { subs, keys: new Set() };
      groups.set(sig, group);
    }
    group.keys.add(projection(f, subs));
  }
  const next = list.filter((e) => {
    const f = fold(one, e);
    for (const { subs, keys } of groups.values()) if (keys.has(projection(f, subs))) return false;
    return true;
  });
  if (next.length !== list.length) setList(doc, at, next, ctx);
}

function projection(folded: unknown, subs: string[]): string {
  if (!isObject(folded)) return JSON.stringify(folded);
  return JSON.stringify(subs.map((s) => folded[s] ?? null));
}

/**
 * A no-path add/replace (§3.5.2.1, §3.5.2.3): each member of the value is applied as an
 * operation with that member's name as path. Names may be dotted or URN-qualified
 * (`name.givenName`, `urn:…:enterprise:2.0:User:employeeNumber`, Entra), or filtered
 * (`emails[type eq "work"].value`); a schema URN key holds that schema's attributes.
 * Unknown names (`schemas`, vendor attributes) and readOnly ones (`id`, `meta`) are ignored.
 */
function applyNoPath(doc: Json, op: 'add' | 'replace', value: Json, ctx: Context, prefix = ''): void {
  for (const [key, raw] of Object.entries(value)) {
    const schema = prefix === '' ? findSchema(ctx.rs, key) : undefined;
    if (schema) {
      if (isAbsent(raw)) continue;
      if (!isObject(raw)) throw ScimError.invalidValue(`'${schema.id}' must be an object`);
      applyNoPath(doc, op, raw, ctx, `${schema.id}:`);
      continue;
    }
    let path: PatchPath;
    try {
      path = parsePatchPath(prefix + key, ctx.rs);
    } catch (e) {
      // An unknown name is ignored; a malformed filter is the client's mistake and says so.
      if (e instanceof ScimError && e.scimType === 'invalidPath' && !key.includes('[')) continue;
      throw e;
    }
    applyPath(doc, op, path, raw, ctx, false);
  }
}

/** The top-level attribute values of a doc by canonical path (extension ones URN-qualified). */
function topLevel(doc: Json, rs: ResourceSchema): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, v] of Object.entries(doc)) {
    if (key === 'schemas') continue;
    const ext = rs.extensions.find((s) => s.id === key);
    if (ext && isObject(v)) for (const [k, x] of Object.entries(v)) out.set(`${key}:${k}`, x);
    else out.set(key, v);
  }
  return out;
}

/** Deep equality of JSON values, object key order ignored. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]))
    );
  }
  return false;
}

/**
 * Applies PATCH operations to a canonical doc, RFC 7644 §3.5.2. Returns the new doc and the
 * top-level attributes that changed; throws the first operation's ScimError, its detail
 * prefixed `Operations[i]: `. The input doc is left untouched either way. `options.profile`
 * turns on the profile-bound rules of src/scim/quirks.ts (none today); the meaning-changing rules
 * used are listed in `appliedQuirks`.
 */
export function applyPatch(
  doc: Json,
  ops: PatchOperation[],
  rs: ResourceSchema,
  options: PatchOptions = {},
): PatchResult {
  const work = cloneJson(doc);
  const ctx: Context = { rs, profile: options.profile, applied: new Set(), keys: new WeakMap() };
  for (const op of ops) {
    try {
      if (op.path) applyPath(work, op.op, op.path, op.value, ctx, true);
      else if (op.op !== 'remove' && isObject(op.value)) applyNoPath(work, op.op, op.value, ctx);
      else if (op.op === 'remove') throw ScimError.noTarget("'remove' requires a 'path'");
      else
        throw ScimError.invalidValue(`'${op.op}' without a 'path' requires an object 'value' of attributes`);
    } catch (e) {
      throw e instanceof ScimError ? atOperation(op.index, e) : e;
    }
  }

  // RFC 7643 §3: `schemas` lists the core schema and every extension the resource uses.
  const schemas = [rs.core.id];
  for (const ext of rs.extensions) {
    const v = work[ext.id];
    if (isObject(v) && Object.keys(v).length > 0) schemas.push(ext.id);
    else delete work[ext.id];
  }
  work.schemas = schemas;

  const before = topLevel(doc, rs);
  const after = topLevel(work, rs);
  const changed = new Set<string>();
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    if (!jsonEqual(before.get(key), after.get(key))) changed.add(key);
  }
  if (ctx.password !== undefined) changed.add('password');
  const result: PatchResult = { doc: work, changed: [...changed].sort() };
  if (ctx.password !== undefined) result.password = ctx.password;
  if (ctx.applied.size > 0) result.appliedQuirks = [...ctx.applied];
  return result;
}
