/**
 * Attribute path resolution, RFC 7644 §3.10: `attr`, `attr.sub`, and either prefixed by a
 * schema URN (`urn:...:User:name.givenName`). Attribute names and URNs are case-insensitive
 * (RFC 7643 §2.1); what comes back carries the canonical names.
 */
import { commonAttributes } from './definitions.ts';
import type { AttributeDef, ResolvedAttribute, ResourceSchema, SchemaDef } from './types.ts';

/** Each attribute list by name: exact (the canonical spelling, what stored documents use) and lower-cased. */
const byName = new WeakMap<readonly AttributeDef[], Map<string, AttributeDef>>();

function indexOf(list: readonly AttributeDef[]): Map<string, AttributeDef> {
  let index = byName.get(list);
  if (!index) {
    index = new Map();
    for (const a of list) {
      const lower = a.name.toLowerCase();
      if (!index.has(lower)) index.set(lower, a);
    }
    for (const a of list) if (!index.has(a.name)) index.set(a.name, a);
    byName.set(list, index);
  }
  return index;
}

function findAttr(list: readonly AttributeDef[] | undefined, name: string): AttributeDef | undefined {
  if (!list) return undefined;
  const index = indexOf(list);
  return index.get(name) ?? index.get(name.toLowerCase());
}

/** The schema (core or extension) of `rs` whose id equals `urn`, case-insensitively. */
export function findSchema(rs: ResourceSchema, urn: string): SchemaDef | undefined {
  const lower = urn.toLowerCase();
  if (rs.core.id.toLowerCase() === lower) return rs.core;
  return rs.extensions.find((s) => s.id.toLowerCase() === lower);
}

/** Top-level attribute of the core schema, including the common id/externalId/meta. */
export function findCoreAttribute(rs: ResourceSchema, name: string): AttributeDef | undefined {
  return findAttr(rs.core.attributes, name) ?? findAttr(commonAttributes, name);
}

/** Attribute of a given schema (extension schemas have no common attributes). */
export function findSchemaAttribute(
  rs: ResourceSchema,
  schema: SchemaDef,
  name: string,
): AttributeDef | undefined {
  return schema === rs.core ? findCoreAttribute(rs, name) : findAttr(schema.attributes, name);
}

/** Sub-attribute of a complex attribute, case-insensitively. */
export function findSubAttribute(parent: AttributeDef, name: string): AttributeDef | undefined {
  return findAttr(parent.subAttributes, name);
}

/**
 * Splits an optional schema URN prefix off a path. Returns the schema and the remainder
 * (`name.givenName`), or undefined when the path starts with `urn:` but names no schema of
 * this resource type.
 */
export function splitSchemaPrefix(
  rs: ResourceSchema,
  path: string,
): { schema: SchemaDef; rest: string } | undefined {
  const lower = path.toLowerCase();
  // Longest URN first, so that an extension URN that extends the core URN string still wins.
  const schemas = [rs.core, ...rs.extensions].sort((a, b) => b.id.length - a.id.length);
  for (const schema of schemas) {
    const id = schema.id.toLowerCase();
    if (lower.startsWith(`${id}:`)) return { schema, rest: path.slice(id.length + 1) };
  }
  if (lower.startsWith('urn:')) return undefined;
  return { schema: rs.core, rest: path };
}

/** Builds the canonical dotted path of a resolved attribute. */
export function canonicalPath(schema: SchemaDef, extension: boolean, a: AttributeDef, sub?: AttributeDef) {
  const head = extension ? `${schema.id}:${a.name}` : a.name;
  return sub ? `${head}.${sub.name}` : head;
}

/**
 * Resolves `path` against a resource schema. Returns undefined when any part of it names no
 * attribute. `path` must not contain a value filter (`emails[...]`); callers split those off.
 */
export function resolveAttribute(rs: ResourceSchema, path: string): ResolvedAttribute | undefined {
  const split = splitSchemaPrefix(rs, path);
  if (!split) return undefined;
  const { schema, rest } = split;
  const parts = rest.split('.');
  if (parts.length > 2 || parts.some((p) => p.length === 0)) return undefined;
  const [top, sub] = parts as [string, string | undefined];
  const attribute = findSchemaAttribute(rs, schema, top);
  if (!attribute) return undefined;
  const extension = schema !== rs.core;
  if (sub === undefined) {
    return { schema: schema.id, extension, attribute, path: canonicalPath(schema, extension, attribute) };
  }
  if (attribute.type !== 'complex') return undefined;
  const subAttribute = findSubAttribute(attribute, sub);
  if (!subAttribute) return undefined;
  return {
    schema: schema.id,
    extension,
    attribute,
    subAttribute,
    path: canonicalPath(schema, extension, attribute, subAttribute),
  };
}
