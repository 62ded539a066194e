/**
 * Custom properties and per-org extension schemas (docs/properties.md).
 *
 * The deployment declares properties (config.ts PROPERTIES). Each org may declare SCIM
 * extension schemas of its own for Users (an Entra `urn:ietf:params:scim:schemas:extension:
 * CustomExtensionName:2.0:User`, an Okta app's external namespace) and maps each property to
 * a SCIM attribute path: core (`title`, `name.givenName`), enterprise
 * (`urn:…:enterprise:2.0:User:costCenter`) or one of its extensions' attributes. A declared
 * extension is part of that org's User schema: it shows in its /Schemas and /ResourceTypes,
 * and its attributes are validated, indexed, filtered, patched and projected like core ones.
 *
 * Both live in one JSON document on the org row; its version is read with the SCIM token on
 * every request, so an org that declared nothing costs nothing more, and an instance notices a
 * change made through another one at the next request. Parsed schemas are cached per org and
 * version.
 */
import type { PropertyDef, PropertyType } from '../config.ts';
import { withExtensions } from '../scim/schema/custom.ts';
import {
  CORE_GROUP,
  CORE_USER,
  defineAttribute,
  ENTERPRISE_USER,
  GROUP,
  USER,
} from '../scim/schema/definitions.ts';
import { resolveAttribute } from '../scim/schema/resolve.ts';
import type {
  AttributeDef,
  AttributeType,
  Mutability,
  ResolvedAttribute,
  ResourceSchema,
  Returned,
  SchemaDef,
} from '../scim/schema/types.ts';
import { insertEvents, type NewEvent } from '../store/events.ts';
import { lockOrgSchema, readOrgSchema, writeOrgSchema } from '../store/org-schemas.ts';
import { liveUsersAfter } from '../store/resources.ts';
import { apiChanges, apiUser } from './api-form.ts';
import { type Author, auditWriter, UNATTRIBUTED } from './audit.ts';
import type { Actor, DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';

/** Size limits of what an org declares (docs/properties.md "Limits"). */
export const PROPERTY_LIMITS = {
  extensions: 10,
  attributesPerExtension: 50,
  urnLength: 200,
  nameLength: 100,
  attributeNameLength: 64,
  descriptionLength: 500,
} as const;

/** The attribute types an org's extension may use: simple ones (no complex, no binary). */
export const EXTENSION_ATTRIBUTE_TYPES = [
  'string',
  'boolean',
  'integer',
  'decimal',
  'dateTime',
  'reference',
] as const;
export const EXTENSION_MUTABILITIES = ['readWrite', 'immutable'] as const;
export const EXTENSION_RETURNED = ['default', 'always', 'request'] as const;

/** One attribute of a declared extension, as the API and CLI take it. */
export interface ExtensionAttributeInput {
  name: string;
  type: (typeof EXTENSION_ATTRIBUTE_TYPES)[number];
  description?: string | undefined;
  multiValued?: boolean | undefined;
  caseExact?: boolean | undefined;
  mutability?: (typeof EXTENSION_MUTABILITIES)[number] | undefined;
  returned?: (typeof EXTENSION_RETURNED)[number] | undefined;
  uniqueness?: 'none' | undefined;
}

export interface ExtensionInput {
  /** The schema URN, e.g. `urn:ietf:params:scim:schemas:extension:acme:2.0:User`. */
  urn: string;
  name?: string | undefined;
  description?: string | undefined;
  attributes: ExtensionAttributeInput[];
}

/** A declared extension as the API shows it: the schema as /Schemas publishes it, and its resource type. */
export interface ExtensionView {
  urn: string;
  resourceType: 'User';
  name: string;
  description: string;
  attributes: AttributeDef[];
}

/** A deployment property and how this org fills it. */
export interface PropertyMapping {
  key: string;
  type: PropertyType;
  description: string;
  /** The SCIM attribute path it is read from; null: not mapped in this org (always null). */
  path: string | null;
}

export type PropertyValue = string | number | boolean | null;

/** What an org's custom schema document holds (orgs.custom_schema). */
interface OrgCustomDoc {
  extensions: SchemaDef[];
  /** Property key → canonical SCIM path. */
  mappings: Record<string, string>;
}

type Tx = DirectoryDeps['database']['db'];

/** A mapping resolved against the org's User schema. */
interface Binding {
  key: string;
  at: ResolvedAttribute;
}

/** The schemas an org is served, and how its users' properties are read. */
export interface OrgSchemas {
  version: number;
  user: ResourceSchema;
  group: ResourceSchema;
  extensions: readonly SchemaDef[];
}

const EMPTY: OrgCustomDoc = { extensions: [], mappings: {} };
/** Users read at a time when a mapping change walks an org's users (`announce`). */
const USER_BATCH = 500;
/** Orgs whose parsed schemas are kept; past it the cache starts again (each entry is small). */
const CACHE_ORGS = 10_000;
/** RFC 8141 NID and an NSS of URN-safe characters, at least one `:`-separated part. */
const URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}(:[A-Za-z0-9._~%+!$&'()*,;=@-]+)+$/;
/** RFC 7643 §2.1 ATTRNAME: ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA. */
const ATTRNAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** Namespaces no org may declare in: the RFC's own schemas and messages. */
const RESERVED = [
  CORE_USER,
  CORE_GROUP,
  ENTERPRISE_USER,
  'urn:ietf:params:scim:api:',
  'urn:ietf:params:scim:schemas:core:',
];

/** What a property of each type may be read from. */
const COMPATIBLE: Record<PropertyType, readonly AttributeType[]> = {
  string: ['string', 'reference'],
  number: ['integer', 'decimal'],
  boolean: ['boolean'],
  dateTime: ['dateTime'],
};

function bad(message: string): DirectoryError {
  return new DirectoryError(message, 'invalid_request');
}

function text(value: unknown, what: string, max: number): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || value.length > max)
    throw bad(`${what} must be a string of at most ${max} characters`);
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, what: string): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw bad(`${what} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function flag(value: unknown, what: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw bad(`${what} must be true or false`);
  return value;
}

/** Whether one URN is the other or names a path below it (`a` and `a:b`): they could not be told apart. */
function overlaps(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return (
    x === y || x.startsWith(y.endsWith(':') ? y : `${y}:`) || y.startsWith(x.endsWith(':') ? x : `${x}:`)
  );
}

/** Checks a declaration against the limits and the RFC 7643 §7 characteristics we accept. */
export function checkExtension(input: ExtensionInput, declared: readonly SchemaDef[]): SchemaDef {
  if (typeof input !== 'object' || input === null) throw bad('An extension must be an object');
  const urn = input.urn;
  if (typeof urn !== 'string' || urn.length > PROPERTY_LIMITS.urnLength || !URN.test(urn)) {
    throw bad(
      `An extension's urn must be a URN (urn:<nid>:<nss>, e.g. urn:ietf:params:scim:schemas:extension:acme:2.0:User) of at most ${PROPERTY_LIMITS.urnLength} characters`,
    );
  }
  for (const reserved of RESERVED) {
    if (overlaps(urn, reserved)) throw bad(`The URN '${urn}' is reserved or overlaps '${reserved}'`);
  }
  for (const other of declared) {
    if (urn.toLowerCase() === other.id.toLowerCase()) {
      throw DirectoryError.conflict(`The extension '${other.id}' is already declared; remove it first`);
    }
    if (overlaps(urn, other.id)) throw bad(`The URN '${urn}' overlaps the declared extension '${other.id}'`);
  }
  if (declared.length >= PROPERTY_LIMITS.extensions) {
    throw bad(`An organization may declare at most ${PROPERTY_LIMITS.extensions} extensions`);
  }
  if (!Array.isArray(input.attributes) || input.attributes.length === 0) {
    throw bad('An extension must declare at least one attribute');
  }
  if (input.attributes.length > PROPERTY_LIMITS.attributesPerExtension) {
    throw bad(`An extension may declare at most ${PROPERTY_LIMITS.attributesPerExtension} attributes`);
  }
  const names = new Set<string>();
  const attributes = input.attributes.map((a, i) => {
    const at = `attributes[${i}]`;
    if (typeof a !== 'object' || a === null) throw bad(`${at} must be an object`);
    const name = a.name;
    if (
      typeof name !== 'string' ||
      name.length > PROPERTY_LIMITS.attributeNameLength ||
      !ATTRNAME.test(name)
    ) {
      throw bad(
        `${at}.name must start with a letter and hold only letters, digits, '-' and '_' (RFC 7643 §2.1), at most ${PROPERTY_LIMITS.attributeNameLength} characters`,
      );
    }
    if (names.has(name.toLowerCase()))
      throw bad(`${at}.name '${name}' is declared twice (names are case-insensitive)`);
    names.add(name.toLowerCase());
    if (a.type === undefined)
      throw bad(`${at}.type is required: one of ${EXTENSION_ATTRIBUTE_TYPES.join(', ')}`);
    const type = oneOf(a.type, EXTENSION_ATTRIBUTE_TYPES, 'string', `${at}.type`);
    if (a.uniqueness !== undefined && a.uniqueness !== 'none') {
      throw bad(`${at}.uniqueness must be 'none': uniqueness of custom attributes is not enforced`);
    }
    const def: AttributeDef = defineAttribute({
      name,
      type: type as AttributeType,
      description: text(a.description, `${at}.description`, PROPERTY_LIMITS.descriptionLength),
      multiValued: flag(a.multiValued, `${at}.multiValued`),
      caseExact: flag(a.caseExact, `${at}.caseExact`),
      mutability: oneOf(a.mutability, EXTENSION_MUTABILITIES, 'readWrite', `${at}.mutability`) as Mutability,
      returned: oneOf(a.returned, EXTENSION_RETURNED, 'default', `${at}.returned`) as Returned,
    });
    if (type === 'reference') def.referenceTypes = ['external'];
    return def;
  });
  const name = text(input.name, 'name', PROPERTY_LIMITS.nameLength) || urn.split(':').slice(-2).join(':');
  return {
    id: urn,
    name,
    description: text(input.description, 'description', PROPERTY_LIMITS.descriptionLength),
    attributes,
  };
}

function parseDoc(json: string | null): OrgCustomDoc {
  if (!json) return EMPTY;
  const parsed = JSON.parse(json) as Partial<OrgCustomDoc>;
  return { extensions: parsed.extensions ?? [], mappings: parsed.mappings ?? {} };
}

/** Why `path` cannot fill a property of `type`, or undefined when it can. */
function mappingProblem(rs: ResourceSchema, type: PropertyType, path: string): string | undefined {
  const at = resolveAttribute(rs, path);
  if (!at) return `'${path}' names no attribute of this organization's User schema`;
  const leaf = at.subAttribute ?? at.attribute;
  if (!at.extension && !at.subAttribute && ['id', 'meta', 'groups'].includes(at.attribute.name)) {
    return `'${at.path}' is kept by the server, not sent by the IdP`;
  }
  if (at.attribute.multiValued) return `'${at.path}' is multi-valued; a property holds one value`;
  if (leaf.type === 'complex') return `'${at.path}' is complex; name one of its sub-attributes`;
  if (leaf.mutability === 'writeOnly' || leaf.returned === 'never') return `'${at.path}' is never returned`;
  if (!COMPATIBLE[type].includes(leaf.type)) {
    return `'${at.path}' is of type ${leaf.type}; a ${type} property reads ${COMPATIBLE[type].join(' or ')} attributes`;
  }
  return undefined;
}

function valueAt(doc: Record<string, unknown>, at: ResolvedAttribute): PropertyValue {
  let holder: unknown = at.extension ? doc[at.schema] : doc;
  if (typeof holder !== 'object' || holder === null) return null;
  holder = (holder as Record<string, unknown>)[at.attribute.name];
  if (at.subAttribute) {
    if (typeof holder !== 'object' || holder === null || Array.isArray(holder)) return null;
    holder = (holder as Record<string, unknown>)[at.subAttribute.name];
  }
  return typeof holder === 'string' || typeof holder === 'number' || typeof holder === 'boolean'
    ? holder
    : null;
}

export class PropertyService {
  private readonly cache = new Map<string, OrgSchemas>();
  /** The property bindings of each org User schema this service built. */
  private readonly bindings = new WeakMap<ResourceSchema, readonly Binding[]>();
  private readonly declared: readonly PropertyDef[];
  private readonly defaults: OrgSchemas;

  private readonly audit = auditWriter(() => this.deps.now());

  constructor(private readonly deps: DirectoryDeps) {
    this.declared = deps.properties ?? [];
    this.defaults = { version: 0, user: USER, group: GROUP, extensions: [] };
  }

  private get db() {
    return this.deps.database.db;
  }

  private build(version: number, doc: OrgCustomDoc): OrgSchemas {
    const user = withExtensions(USER, doc.extensions);
    const bindings: Binding[] = [];
    for (const p of this.declared) {
      const path = doc.mappings[p.key];
      // A mapping the deployment's properties no longer fit (a property removed or retyped
      // since) reads nothing: docs/properties.md.
      if (path === undefined || mappingProblem(user, p.type, path) !== undefined) continue;
      const at = resolveAttribute(user, path);
      if (at) bindings.push({ key: p.key, at });
    }
    this.bindings.set(user, bindings);
    return { version, user, group: GROUP, extensions: doc.extensions };
  }

  private remember(orgId: string, version: number, json: string | null): OrgSchemas {
    if (version === 0) return this.defaults;
    const cached = this.cache.get(orgId);
    if (cached?.version === version) return cached;
    return this.keep(orgId, this.build(version, parseDoc(json)));
  }

  private keep(orgId: string, schemas: OrgSchemas): OrgSchemas {
    if (this.cache.size >= CACHE_ORGS) this.cache.clear();
    this.cache.set(orgId, schemas);
    return schemas;
  }

  /**
   * The schemas the org is served. A SCIM request knows the version from its token (0, the
   * common case, needs nothing more); otherwise, or when the cached one is older, the org's
   * document is read.
   */
  async schemas(actor: Pick<Actor, 'orgId' | 'schemaVersion'>): Promise<OrgSchemas> {
    const known = actor.schemaVersion;
    if (known === 0) return this.defaults;
    if (known !== undefined) {
      const cached = this.cache.get(actor.orgId);
      if (cached?.version === known) return cached;
    }
    const row = await readOrgSchema(this.db, actor.orgId);
    if (!row) throw DirectoryError.notFound(`No organization '${actor.orgId}'`);
    return this.remember(actor.orgId, row.version, row.json);
  }

  /**
   * resourceSchema when the version read with the token says which it is (none declared, or
   * the one cached): at once, with no promise; else undefined.
   */
  knownResourceSchema(
    actor: Pick<Actor, 'orgId' | 'schemaVersion'>,
    base: ResourceSchema,
  ): ResourceSchema | undefined {
    const known = actor.schemaVersion;
    if (known === undefined) return undefined;
    const s = known === 0 ? this.defaults : this.cache.get(actor.orgId);
    if (s === undefined || (known !== 0 && s.version !== known)) return undefined;
    return base.type.name === 'User' ? s.user : s.group;
  }

  /** The org's own version of a resource schema (its User schema carries its extensions). */
  async resourceSchema(
    actor: Pick<Actor, 'orgId' | 'schemaVersion'>,
    base: ResourceSchema,
  ): Promise<ResourceSchema> {
    const s = await this.schemas(actor);
    return base.type.name === 'User' ? s.user : s.group;
  }

  /**
   * A user's properties: every property the deployment declares, read from the attribute the
   * org maps it to, null when unmapped or absent. `rs` is the User schema the document was
   * read or written with (its org's, from `schemas`).
   */
  values(rs: ResourceSchema, doc: Record<string, unknown>): Record<string, PropertyValue> {
    const out: Record<string, PropertyValue> = {};
    for (const p of this.declared) out[p.key] = null;
    for (const b of this.bindings.get(rs) ?? []) out[b.key] = valueAt(doc, b.at);
    return out;
  }

  /**
   * The `properties` extra of the org's users in the API's form (api-form.ts UserExtras): one
   * read of the org's schema version, then nothing per user but the document. Undefined when
   * the deployment declares no properties (users then carry none).
   */
  async reader(
    orgId: string,
  ): Promise<((doc: Record<string, unknown>) => { properties: Record<string, PropertyValue> }) | undefined> {
    if (!this.any) return undefined;
    const { user } = await this.schemas({ orgId });
    return (doc) => ({ properties: this.values(user, doc) });
  }

  /** Whether the deployment declares any property (users then carry `properties`). */
  get any(): boolean {
    return this.declared.length > 0;
  }

  /**
   * Changes the org's document under a lock of its row, with the change's audit entry and, when
   * what fills a property moves, a `user.updated` event for each user whose `properties` change.
   */
  private async update<T>(
    orgId: string,
    by: Author,
    audit: (result: T) => { action: string; resourceType: string; resourceId: string; attributes: string[] },
    change: (doc: OrgCustomDoc) => { doc: OrgCustomDoc; result: T },
  ): Promise<T> {
    const { result, schemas, announced } = await this.db.transaction().execute(async (tx) => {
      const row = await lockOrgSchema(tx, orgId);
      if (!row) throw DirectoryError.notFound(`No organization '${orgId}'`);
      const was = parseDoc(row.json);
      const { doc, result } = change(was);
      const version = await writeOrgSchema(tx, orgId, JSON.stringify(doc), row.version);
      const schemas = this.build(version, doc);
      const announced = await this.announce(tx, orgId, this.build(row.version, was).user, schemas.user);
      const entry = audit(result);
      await this.audit(tx, orgId, by, entry.action, entry.resourceType, entry.resourceId, entry.attributes);
      return { result, schemas, announced };
    });
    this.keep(orgId, schemas);
    if (announced > 0) this.deps.eventsWritten?.();
    return result;
  }

  /**
   * One `user.updated` event for every live user whose `properties` read differently under the
   * org's User schema before (`was`) and after (`now`) a change of its document, written by the
   * change's transaction; `changes` names each property that moved (`properties.costCenter`)
   * with its previous value. The users are read in batches of USER_BATCH, so an org of any
   * size is never in memory at once. Nothing is read when no property's source moved. Returns
   * how many users got an event.
   */
  private async announce(tx: Tx, orgId: string, was: ResourceSchema, now: ResourceSchema): Promise<number> {
    if (sameBindings(this.bindings.get(was) ?? [], this.bindings.get(now) ?? [])) return 0;
    const at = this.deps.now().toISOString();
    let count = 0;
    let afterPk = 0;
    for (;;) {
      const users = await liveUsersAfter(tx, orgId, afterPk, USER_BATCH);
      const events: NewEvent[] = [];
      for (const user of users) {
        const before = this.values(was, user.doc);
        const after = this.values(now, user.doc);
        if (sameValues(before, after)) continue;
        const data = apiUser(user, { properties: after });
        const changes = apiChanges(apiUser(user, { properties: before }), data);
        events.push({
          orgId,
          type: 'user.updated',
          at,
          resourceType: 'User',
          resourceId: user.id,
          data,
          changes,
        });
      }
      await insertEvents(tx, events);
      count += events.length;
      const last = users[users.length - 1];
      if (!last || users.length < USER_BATCH) return count;
      afterPk = last.pk;
    }
  }

  private async current(orgId: string): Promise<OrgCustomDoc> {
    const row = await readOrgSchema(this.db, orgId);
    if (!row) throw DirectoryError.notFound(`No organization '${orgId}'`);
    return parseDoc(row.json);
  }

  async listExtensions(orgId: string): Promise<ExtensionView[]> {
    return (await this.current(orgId)).extensions.map(toView);
  }

  /** Declares an extension of the org's User schema; 409 when its URN is declared already. */
  async declareExtension(
    orgId: string,
    input: ExtensionInput,
    by: Author = UNATTRIBUTED,
  ): Promise<ExtensionView> {
    const audit = (view: ExtensionView) => ({
      action: 'extension.declare',
      resourceType: 'SchemaExtension',
      resourceId: view.urn,
      attributes: view.attributes.map((a) => a.name),
    });
    return this.update(orgId, by, audit, (doc) => {
      const schema = checkExtension(input, doc.extensions);
      return { doc: { ...doc, extensions: [...doc.extensions, schema] }, result: toView(schema) };
    });
  }

  /**
   * Removes an extension. Refused while a property is mapped to one of its attributes. Values
   * users hold under it stay in their stored documents but are no longer returned, filtered
   * or indexed on their next write (docs/properties.md).
   */
  async removeExtension(orgId: string, urn: string, by: Author = UNATTRIBUTED): Promise<void> {
    const audit = () => ({
      action: 'extension.remove',
      resourceType: 'SchemaExtension',
      resourceId: urn,
      attributes: [],
    });
    await this.update(orgId, by, audit, (doc) => {
      const found = doc.extensions.find((e) => e.id.toLowerCase() === urn.toLowerCase());
      if (!found) throw DirectoryError.notFound(`No extension '${urn}' in organization '${orgId}'`);
      const using = Object.entries(doc.mappings).filter(([, path]) =>
        path.toLowerCase().startsWith(`${found.id.toLowerCase()}:`),
      );
      if (using.length > 0) {
        throw DirectoryError.conflict(
          `The extension '${found.id}' fills the propert${using.length === 1 ? 'y' : 'ies'} ${using.map(([k]) => k).join(', ')}: remove those mappings first`,
        );
      }
      return { doc: { ...doc, extensions: doc.extensions.filter((e) => e !== found) }, result: undefined };
    });
  }

  /** Every deployment property with the path this org fills it from. */
  async listMappings(orgId: string): Promise<PropertyMapping[]> {
    const doc = await this.current(orgId);
    return this.declared.map((p) => ({ ...p, path: doc.mappings[p.key] ?? null }));
  }

  private property(key: string): PropertyDef {
    const p = this.declared.find((d) => d.key === key);
    if (!p) {
      throw DirectoryError.notFound(
        this.declared.length === 0
          ? `No property '${key}': this deployment declares no properties (PROPERTIES, docs/properties.md)`
          : `No property '${key}': the deployment declares ${this.declared.map((d) => d.key).join(', ')}`,
      );
    }
    return p;
  }

  /**
   * Fills a property from a SCIM attribute path of the org's User schema. A path that names
   * no attribute, or one whose type the property cannot hold, is refused now rather than when
   * a user arrives.
   */
  async setMapping(
    orgId: string,
    key: string,
    path: string,
    by: Author = UNATTRIBUTED,
  ): Promise<PropertyMapping> {
    const p = this.property(key);
    if (typeof path !== 'string' || path.length === 0 || path.length > PROPERTY_LIMITS.urnLength + 130) {
      throw bad('A mapping path must be a SCIM attribute path (RFC 7644 §3.10) of at most 330 characters');
    }
    const audit = () => ({
      action: 'property_mapping.set',
      resourceType: 'PropertyMapping',
      resourceId: key,
      attributes: ['path'],
    });
    return this.update(orgId, by, audit, (doc) => {
      const user = withExtensions(USER, doc.extensions);
      const problem = mappingProblem(user, p.type, path);
      if (problem) throw bad(`Property '${key}' cannot be filled from ${problem}`);
      const canonical = (resolveAttribute(user, path) as ResolvedAttribute).path;
      return {
        doc: { ...doc, mappings: { ...doc.mappings, [key]: canonical } },
        result: { ...p, path: canonical },
      };
    });
  }

  async removeMapping(orgId: string, key: string, by: Author = UNATTRIBUTED): Promise<void> {
    this.property(key);
    const audit = () => ({
      action: 'property_mapping.remove',
      resourceType: 'PropertyMapping',
      resourceId: key,
      attributes: ['path'],
    });
    await this.update(orgId, by, audit, (doc) => {
      if (doc.mappings[key] === undefined) {
        throw DirectoryError.notFound(`Property '${key}' is not mapped in organization '${orgId}'`);
      }
      const { [key]: _removed, ...mappings } = doc.mappings;
      return { doc: { ...doc, mappings }, result: undefined };
    });
  }
}

/** Whether two sets of bindings read every property from the same attribute. */
function sameBindings(a: readonly Binding[], b: readonly Binding[]): boolean {
  if (a.length !== b.length) return false;
  const paths = new Map(a.map((x) => [x.key, x.at.path]));
  return b.every((x) => paths.get(x.key) === x.at.path);
}

function sameValues(a: Record<string, PropertyValue>, b: Record<string, PropertyValue>): boolean {
  return Object.keys(a).every((k) => a[k] === b[k]);
}

function toView(schema: SchemaDef): ExtensionView {
  return {
    urn: schema.id,
    resourceType: 'User',
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes,
  };
}
