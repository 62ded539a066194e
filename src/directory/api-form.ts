/**
 * The management API's one JSON form of users and groups (camelCase, not SCIM; docs/api.md
 * "Users", docs/events.md "Format"): what /api/v1 renders for a user or a group, and what
 * events carry as `data`. Built from the canonical SCIM document, so that nothing an IdP sent
 * is lost, in two parts:
 * - curated fields, always present, each with one simple type: `userName`, `externalId`,
 *   `active`, `displayName`, `name` (its six sub-attributes, null when unset), `emails`,
 *   `source` and the link, times and version;
 * - everything else as SCIM holds it: other core attributes under `attributes` by their SCIM
 *   name (`title`, `phoneNumbers`, `addresses`, `roles`, `entitlements`…), the enterprise
 *   extension as `enterprise`, other extension schemas under `extensions` by URN.
 * Never `schemas`, `meta`, `members` (rows, announced by member events) or a password (the
 * document never holds one: store/resources.ts keeps only its hash, apart).
 *
 * Fields computed elsewhere (`roles` from directory/roles.ts, `properties` from
 * directory/properties.ts) are optional in ApiUser and come in through `UserExtras`: their
 * modules compute them and pass them to apiUser, the one place the form is built.
 */

export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Who manages a user: its IdP over SCIM, the management API, or (later) SSO sign-in. */
export type UserSource = 'scim' | 'api' | 'sso';
/** The sources a member can be linked from, when its IdP takes it over. */
export type LinkedFrom = Exclude<UserSource, 'scim'>;

/** What a record must say for its API form: a store record or a directory Resource alike. */
export interface FormInput {
  type: 'User' | 'Group';
  id: string;
  orgId: string;
  userName: string | null;
  externalId: string | null;
  displayName: string | null;
  active: boolean | null;
  doc: Record<string, unknown>;
  version: number;
  created: string;
  lastModified: string;
  /** Absent or null: provisioned over SCIM. */
  source?: UserSource | null | undefined;
  linkedAt?: string | null | undefined;
  linkedFrom?: LinkedFrom | null | undefined;
}

export interface ApiName {
  formatted: string | null;
  givenName: string | null;
  familyName: string | null;
  middleName: string | null;
  honorificPrefix: string | null;
  honorificSuffix: string | null;
}

export interface ApiEmail {
  value: string;
  type: string | null;
  primary: boolean;
  display?: string;
}

/** Fields of a user that other modules compute (roles, properties): optional, filled by them. */
export interface UserExtras {
  roles?: string[];
  /** Custom property values (properties.ts PropertyValue): string, number, boolean or null. */
  properties?: Record<string, string | number | boolean | null>;
}

export interface ApiUser extends UserExtras {
  id: string;
  orgId: string;
  userName: string;
  externalId: string | null;
  active: boolean;
  displayName: string | null;
  name: ApiName;
  emails: ApiEmail[];
  source: UserSource;
  /** When a member added by the API (or SSO) was taken over by the IdP; null otherwise. */
  linkedAt: string | null;
  linkedFrom: LinkedFrom | null;
  /** Every other core attribute, by its SCIM name, as SCIM holds it. */
  attributes: Record<string, unknown>;
  enterprise: Record<string, unknown> | null;
  extensions: Record<string, Record<string, unknown>>;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ApiGroup {
  id: string;
  orgId: string;
  displayName: string;
  externalId: string | null;
  attributes: Record<string, unknown>;
  extensions: Record<string, Record<string, unknown>>;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type ApiResource = ApiUser | ApiGroup;

/** Document keys that are never part of the form, or that a curated field already shows. */
const OMITTED = new Set(['schemas', 'meta', 'id', 'members', 'password', 'groups']);
const CURATED_USER = new Set(['userName', 'externalId', 'active', 'displayName', 'name', 'emails']);
const CURATED_GROUP = new Set(['displayName', 'externalId']);

const NAME_PARTS = [
  'formatted',
  'givenName',
  'familyName',
  'middleName',
  'honorificPrefix',
  'honorificSuffix',
] as const;

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The rest of a document: other core attributes, the enterprise extension, other extensions. */
function rest(doc: Record<string, unknown>, curated: Set<string>) {
  const attributes: Record<string, unknown> = {};
  const extensions: Record<string, Record<string, unknown>> = {};
  let enterprise: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(doc)) {
    if (OMITTED.has(key) || curated.has(key)) continue;
    if (key === ENTERPRISE_USER) enterprise = isObject(value) ? value : null;
    else if (key.startsWith('urn:')) {
      if (isObject(value)) extensions[key] = value;
    } else attributes[key] = value;
  }
  return { attributes, enterprise, extensions };
}

/** A user in the API's form; `extras` are the fields other modules computed for it. */
export function apiUser(record: FormInput, extras: UserExtras = {}): ApiUser {
  const doc = record.doc;
  const name = isObject(doc.name) ? doc.name : {};
  const emails = Array.isArray(doc.emails) ? doc.emails.filter(isObject) : [];
  const { attributes, enterprise, extensions } = rest(doc, CURATED_USER);
  return {
    id: record.id,
    orgId: record.orgId,
    userName: record.userName ?? '',
    externalId: record.externalId,
    // A user without `active` counts as active.
    active: record.active !== false,
    displayName: record.displayName,
    name: Object.fromEntries(NAME_PARTS.map((part) => [part, str(name[part])])) as unknown as ApiName,
    emails: emails
      .filter((e) => typeof e.value === 'string')
      .map((e) => ({
        value: e.value as string,
        type: str(e.type),
        primary: e.primary === true,
        ...(typeof e.display === 'string' ? { display: e.display } : {}),
      })),
    source: record.source ?? 'scim',
    linkedAt: record.linkedAt ?? null,
    linkedFrom: record.linkedFrom ?? null,
    attributes,
    enterprise,
    extensions,
    ...(extras.roles !== undefined ? { roles: extras.roles } : {}),
    ...(extras.properties !== undefined ? { properties: extras.properties } : {}),
    createdAt: record.created,
    updatedAt: record.lastModified,
    version: record.version,
  };
}

/** A group in the API's form (its members are a paged list of their own). */
export function apiGroup(record: FormInput): ApiGroup {
  const { attributes, extensions } = rest(record.doc, CURATED_GROUP);
  return {
    id: record.id,
    orgId: record.orgId,
    displayName: record.displayName ?? '',
    externalId: record.externalId,
    attributes,
    extensions,
    createdAt: record.created,
    updatedAt: record.lastModified,
    version: record.version,
  };
}

/** A User or Group in the API's form, as events carry it. */
export function apiForm(record: FormInput, extras: UserExtras = {}): ApiResource {
  return record.type === 'User' ? apiUser(record, extras) : apiGroup(record);
}

/**
 * Fields whose changes are named one level down (`attributes.title`, `enterprise.manager`,
 * `extensions.urn:…:User`, `properties.costCenter`): a consumer learns which attribute moved,
 * and `previous` holds only its old value, not the whole object.
 */
const NESTED = new Set(['attributes', 'enterprise', 'extensions', 'properties']);
const UNCOMPARED = new Set(['updatedAt', 'version', 'createdAt']);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What changed between two API forms: the names of the fields whose values differ (nested
 * ones as `field.key`), and their previous values (null when there was none). `sensitive`
 * names (say `password`) are listed as changed with no previous value.
 */
export function apiChanges(
  before: ApiResource,
  after: ApiResource,
  sensitive: readonly string[] = [],
): { changed: string[]; previous: Record<string, unknown> } {
  const b = before as unknown as Record<string, unknown>;
  const a = after as unknown as Record<string, unknown>;
  const changed: string[] = [];
  const previous: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (UNCOMPARED.has(key) || same(b[key], a[key])) continue;
    const was = b[key];
    const now = a[key];
    if (NESTED.has(key) && (isObject(was) || isObject(now))) {
      const w = isObject(was) ? was : {};
      const n = isObject(now) ? now : {};
      for (const sub of new Set([...Object.keys(w), ...Object.keys(n)])) {
        if (same(w[sub], n[sub])) continue;
        changed.push(`${key}.${sub}`);
        previous[`${key}.${sub}`] = w[sub] ?? null;
      }
      continue;
    }
    changed.push(key);
    previous[key] = was ?? null;
  }
  for (const name of sensitive) if (!changed.includes(name)) changed.push(name);
  changed.sort();
  return { changed, previous };
}
