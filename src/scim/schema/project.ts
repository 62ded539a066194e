/**
 * Response projection: which attributes a response carries, RFC 7644 §3.4.2.5 (`attributes`,
 * `excludedAttributes`) under RFC 7643 §2.2 `returned` (always / never / default / request).
 */
import {
  findCoreAttribute,
  findSchema,
  findSchemaAttribute,
  findSubAttribute,
  resolveAttribute,
} from './resolve.ts';
import type { AttributeDef, ResourceSchema, SchemaDef } from './types.ts';

type Json = Record<string, unknown>;

/** What a list names of one top-level attribute: all of it, or some sub-attributes. */
type Chosen = 'all' | Set<string>;

/** A parsed `attributes` or `excludedAttributes` list. Keys: `${schemaId}\n${attrName}`. */
interface Selection {
  /** Schemas named as a whole by their URN. */
  schemas: Set<string>;
  attributes: Map<string, Chosen>;
}

const keyOf = (schemaId: string, attrName: string) => `${schemaId}\n${attrName}`;

function parseSelection(rs: ResourceSchema, names: string[]): Selection {
  const sel: Selection = { schemas: new Set(), attributes: new Map() };
  for (const name of names) {
    const lower = name.toLowerCase();
    const whole = [rs.core, ...rs.extensions].find((s) => s.id.toLowerCase() === lower);
    if (whole) {
      sel.schemas.add(whole.id);
      continue;
    }
    // Unknown names are ignored (RFC 7644 §3.4.2.5 does not make them an error, and IdPs
    // ask for vendor attributes we do not have).
    const r = resolveAttribute(rs, name);
    if (!r) continue;
    const key = keyOf(r.schema, r.attribute.name);
    const prior = sel.attributes.get(key);
    if (!r.subAttribute) sel.attributes.set(key, 'all');
    else if (prior === undefined) sel.attributes.set(key, new Set([r.subAttribute.name]));
    else if (prior !== 'all') prior.add(r.subAttribute.name);
  }
  return sel;
}

function picked(sel: Selection | undefined, schema: SchemaDef, def: AttributeDef): Chosen | undefined {
  if (!sel) return undefined;
  if (sel.schemas.has(schema.id)) return 'all';
  return sel.attributes.get(keyOf(schema.id, def.name));
}

/**
 * Which sub-attributes of one complex value survive: `include` is what `attributes` asked
 * for ('all', some, or undefined when `attributes` was not given), `exclude` likewise.
 */
function keepSub(sub: AttributeDef, include: Chosen | undefined, exclude: Chosen | undefined): boolean {
  if (sub.returned === 'never') return false;
  if (sub.returned === 'always') return true;
  if (exclude instanceof Set && exclude.has(sub.name)) return false;
  if (include instanceof Set) return include.has(sub.name);
  // Naming the parent (or its schema) in `attributes` asks for its 'request' children too.
  return sub.returned !== 'request' || include === 'all';
}

function projectComplex(
  def: AttributeDef,
  value: unknown,
  include: Chosen | undefined,
  exclude: Chosen | undefined,
): unknown {
  const one = (element: unknown): Json | undefined => {
    if (typeof element !== 'object' || element === null || Array.isArray(element)) return undefined;
    const out: Json = {};
    let kept = false;
    for (const k in element) {
      const sub = findSubAttribute(def, k);
      if (sub && keepSub(sub, include, exclude)) {
        out[k] = (element as Json)[k];
        kept = true;
      }
    }
    return kept ? out : undefined;
  };
  if (!Array.isArray(value)) return one(value);
  const list = value.map(one).filter((e) => e !== undefined);
  return list.length > 0 ? list : undefined;
}

function projectAttribute(
  def: AttributeDef,
  value: unknown,
  schema: SchemaDef,
  attributes: Selection | undefined,
  excluded: Selection | undefined,
): unknown {
  if (def.returned === 'never') return undefined;
  if (def.returned === 'always') {
    return def.type === 'complex' ? projectComplex(def, value, 'all', undefined) : value;
  }
  const include = picked(attributes, schema, def);
  const exclude = picked(excluded, schema, def);
  if (attributes && include === undefined) return undefined;
  if (!attributes && def.returned === 'request') return undefined;
  if (exclude === 'all') return undefined;
  if (def.type !== 'complex') return value;
  return projectComplex(def, value, include, exclude);
}

function projectObject(
  obj: Json,
  rs: ResourceSchema,
  schema: SchemaDef,
  attributes: Selection | undefined,
  excluded: Selection | undefined,
): Json {
  const out: Json = {};
  for (const k in obj) {
    const v = obj[k];
    const def = findSchemaAttribute(rs, schema, k);
    if (!def) continue;
    const p = projectAttribute(def, v, schema, attributes, excluded);
    if (p !== undefined) out[k] = p;
  }
  return out;
}

/**
 * Projects a full resource for a response, RFC 7644 §3.4.2.5 and RFC 7643 §2.2 `returned`.
 * `schemas` and returned-'always' attributes (`id`) are always output, returned-'never' ones
 * (`password`) never; with `attributes`, only the listed ones (names case-insensitive, may be
 * URN-qualified, may name a sub-attribute or a whole extension); with `excludedAttributes`,
 * all but the listed ones. Unknown names are ignored. Keys not defined by the schema are not
 * output. An extension left empty is removed, and its URN with it. The input is not mutated.
 */
export function projectResource(
  resource: Record<string, unknown>,
  rs: ResourceSchema,
  params: { attributes?: string[]; excludedAttributes?: string[] },
): Record<string, unknown> {
  const attributes = params.attributes ? parseSelection(rs, params.attributes) : undefined;
  const excluded = params.excludedAttributes ? parseSelection(rs, params.excludedAttributes) : undefined;
  // `schemas` first, as every RFC example has it (keys keep their insertion order).
  const out: Json = { schemas: undefined };
  const present = new Set<string>();
  for (const k in resource) {
    const v = resource[k];
    if (k === 'schemas') {
      out.schemas = v;
      continue;
    }
    const extension = extensionNamed(rs, k);
    if (extension) {
      if (excluded?.schemas.has(extension.id)) continue;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) continue;
      const projected = projectObject(v as Json, rs, extension, attributes, excluded);
      if (Object.keys(projected).length > 0) {
        out[k] = projected;
        present.add(extension.id);
      }
      continue;
    }
    const def = findCoreAttribute(rs, k);
    if (!def) continue;
    const coreExcluded = excluded?.schemas.has(rs.core.id) && def.returned !== 'always';
    if (coreExcluded) continue;
    const p = projectAttribute(def, v, rs.core, attributes, excluded);
    if (p !== undefined) out[k] = p;
  }
  const schemas = Array.isArray(out.schemas) ? (out.schemas as unknown[]) : [rs.core.id];
  out.schemas =
    rs.extensions.length === 0
      ? schemas
      : schemas.filter((s) => typeof s !== 'string' || !isExtension(rs, s) || hasExtension(present, s));
  return out;
}

/** The extension whose URN is exactly `key` (stored documents and assembled resources use the canonical URN). */
function extensionNamed(rs: ResourceSchema, key: string): SchemaDef | undefined {
  if (!key.startsWith('urn:')) return undefined;
  for (const s of rs.extensions) if (s.id === key) return s;
  return undefined;
}

function isExtension(rs: ResourceSchema, urn: string): boolean {
  const schema = findSchema(rs, urn);
  return schema !== undefined && schema !== rs.core;
}

function hasExtension(present: Set<string>, urn: string): boolean {
  const lower = urn.toLowerCase();
  for (const id of present) if (id.toLowerCase() === lower) return true;
  return false;
}
