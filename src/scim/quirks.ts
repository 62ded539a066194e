/**
 * IdP quirks: the one place that names every way a real identity provider deviates from (or
 * leans on a corner of) RFC 7643/7644, as gathered in docs/idp-notes.md.
 *
 * Each rule is named after the IdP behaviour it accepts. Rules that no IdP's documented
 * behaviour contradicts are always on, so that an org with the default profile serves every
 * IdP; most of those live where the value is read (normalize.ts, patch/, filter/) and the
 * table points there. A rule would be bound to the org's IdP profile only where two IdPs need
 * opposite answers to the same request (none today: docs/idp-notes.md "Where IdPs conflict").
 * Rules that change the meaning of a request are reported back (`appliedQuirks`) so that the
 * server logs every time one was used.
 *
 * Pure: no I/O. Imports only types, so that normalize.ts and apply.ts can call in here.
 */
import type { FilterNode, FilterValue } from './filter/ast.ts';
import { isObject } from './json.ts';
import type { AttributeDef, ResourceSchema } from './schema/types.ts';

/** The IdP profiles an org can choose; `generic` is plain RFC 7644 plus the always-on rules. */
export const IDP_PROFILES = [
  'generic',
  'okta',
  'entra',
  'google',
  'onelogin',
  'jumpcloud',
  'ping',
  'rippling',
] as const;

export type IdpProfile = (typeof IDP_PROFILES)[number];
export type Idp = Exclude<IdpProfile, 'generic'>;

export function isIdpProfile(value: unknown): value is IdpProfile {
  return typeof value === 'string' && (IDP_PROFILES as readonly string[]).includes(value);
}

/** Where a rule takes effect (the layer a reader should look at). */
export type QuirkWhere = 'normalize' | 'patch' | 'members' | 'filter' | 'list' | 'put' | 'http';

export interface Quirk {
  /** Named after the IdP behaviour it accepts. */
  name: string;
  /** The IdPs known to behave so; for a profile rule, the profiles that enable it. */
  idps: readonly Idp[];
  /** Where docs/idp-notes.md has it from. */
  source: string;
  /** Always on (safe for every client), or only for orgs whose profile is in `idps`. */
  always: boolean;
  where: QuirkWhere;
  /** The file and function that implement it. */
  implementedIn: string;
  /** What is accepted, and what the server does with it. */
  description: string;
}

const ENTRA_GUIDE =
  'MicrosoftDocs/entra-docs use-scim-to-provision-users-and-groups.md (docs/idp-notes.md "Microsoft Entra ID")';
const ENTRA_COMPAT =
  'MicrosoftDocs/entra-docs application-provisioning-config-problem-scim-compatibility.md (docs/idp-notes.md "Microsoft Entra ID")';
const ENTRA_VALIDATOR =
  'MicrosoftDocs/entra-docs scim-validator-tutorial.md (docs/idp-notes.md "Microsoft Entra ID")';
const OKTA_REF = 'okta/okta-developer-docs docs/reference/scim/scim-20/index.md (docs/idp-notes.md "Okta")';
const OKTA_TEST_GUIDE =
  'okta/okta-developer-docs docs/guides/scim-provisioning-integration-test (docs/idp-notes.md "Okta")';
const ONELOGIN =
  'scim.dev/guide/applications/onelogin; support.templafy.com 360000981638; livingsecurity.com configuring-scim-for-onelogin (docs/idp-notes.md "OneLogin")';
const JUMPCLOUD =
  'jumpcloud.com/support provision-and-manage-users-and-groups-in-apps-using-custom-scim-identity-management-integration (docs/idp-notes.md "JumpCloud")';
const PING =
  'docs.pingidentity.com pf_scim_connector_user_and_group_management.html (docs/idp-notes.md "Ping Identity")';

const QUIRK_TABLE = [
  // --- Microsoft Entra ID -------------------------------------------------------------------
  {
    name: 'lookup-unknown-value-empty-list',
    idps: ['entra', 'okta'],
    source: `${ENTRA_GUIDE} (Test Connection expects 200 + empty ListResponse); ${OKTA_REF} (lookup before create)`,
    always: true,
    where: 'http',
    implementedIn: 'src/http/scim-lists.ts list(); src/directory/resources.ts ResourceService.list',
    description:
      'GET /Users?filter=userName eq "(a random GUID)" answers 200 with totalResults 0 and an empty ListResponse, never 404.',
  },
  {
    name: 'entra-case-insensitive-username-filter',
    idps: ['entra'],
    source: `${ENTRA_VALIDATOR} (filters with a different-case userName); RFC 7643 §4.1.1`,
    always: true,
    where: 'filter',
    implementedIn: 'src/scim/filter/evaluate.ts matchesFilter; src/store/filter-sql.ts (caseExact false)',
    description: 'userName eq "BJensen" matches the stored "bjensen": userName is caseExact false.',
  },
  {
    name: 'entra-email-value-path-filter',
    idps: ['entra'],
    source: `${ENTRA_GUIDE} (matching on emails[type eq "work"].value eq)`,
    always: true,
    where: 'filter',
    implementedIn: 'src/scim/filter/parse.ts parseFilter',
    description:
      'The filter emails[type eq "work"].value eq "x" is read as emails[type eq "work" and value eq "x"] (one element).',
  },
  {
    name: 'entra-create-ignores-meta-and-empty-roles',
    idps: ['entra'],
    source: `${ENTRA_GUIDE} (POST carries meta.resourceType, roles: [], the enterprise extension, externalId)`,
    always: true,
    where: 'normalize',
    implementedIn: 'src/scim/schema/normalize.ts normalizeResource (readOnly ignored, [] absent)',
    description:
      'A POST with meta.resourceType and roles: [] is accepted: meta is readOnly and ignored, an empty array is unassigned.',
  },
  {
    name: 'duplicate-username-409',
    idps: ['entra', 'okta'],
    source: `${ENTRA_VALIDATOR}; ${OKTA_REF} (duplicate must be 409 to stop the job); RFC 7644 §3.3`,
    always: true,
    where: 'http',
    implementedIn: 'src/directory/resources.ts describeConflict',
    description: 'A second user with the same userName (any case) is 409 with scimType uniqueness.',
  },
  {
    name: 'entra-capitalised-patch-op',
    idps: ['entra'],
    source: `${ENTRA_COMPAT} (default PATCH dialect: Add/Replace/Remove)`,
    always: true,
    where: 'patch',
    implementedIn: 'src/scim/patch/parse.ts parseOperation',
    description: '"op": "Add" / "Replace" / "Remove" are read case-insensitively.',
  },
  {
    name: 'entra-string-booleans',
    idps: ['entra'],
    source: `${ENTRA_COMPAT} (default dialect sends active as "False"/"True")`,
    always: true,
    where: 'normalize',
    implementedIn: 'src/scim/schema/normalize.ts normalizeSimple (boolean)',
    description: 'A boolean attribute given as the string "True"/"False" (any case) is read as true/false.',
  },
  {
    name: 'entra-filtered-value-path',
    idps: ['entra'],
    source: `${ENTRA_COMPAT} (filtered paths emails[type eq "work"].value)`,
    always: true,
    where: 'patch',
    implementedIn: 'src/scim/patch/apply.ts setElements',
    description:
      'Replace/Add on emails[type eq "work"].value sets that sub-attribute of the matching element, keeping the rest.',
  },
  {
    name: 'remove-members-as-value-list',
    idps: ['entra', 'jumpcloud'],
    source: `SCIM-SDK wiki "Support for MS Azure requests"; ${JUMPCLOUD} (Azure-style member PATCH, removal too)`,
    always: true,
    where: 'members',
    implementedIn: 'src/scim/patch/members.ts memberStep (remove); src/scim/patch/apply.ts removeListed',
    description:
      '{"op":"Remove","path":"members","value":[{"value":"id"}]} removes the listed members only (not all of them).',
  },
  {
    name: 'entra-member-ref-null',
    idps: ['entra'],
    source: 'scimmyjs/scimmy#34 ("$ref": null in member values); docs/idp-notes.md "Microsoft Entra ID"',
    always: true,
    where: 'members',
    implementedIn: 'src/scim/patch/members.ts memberIds (null is absent, normalize.ts isAbsent)',
    description: 'A member value {"value": id, "$ref": null} is accepted; null $ref is unassigned.',
  },
  {
    name: 'several-members-per-operation',
    idps: ['entra', 'okta', 'jumpcloud'],
    source: `${ENTRA_COMPAT} (several members in one operation); ${OKTA_REF} (Push Groups)`,
    always: true,
    where: 'members',
    implementedIn: 'src/scim/patch/members.ts memberIds',
    description: 'One add/remove operation on members may carry any number of members.',
  },
  {
    name: 'entra-no-path-dotted-urn-keys',
    idps: ['entra'],
    source: `${ENTRA_COMPAT} (aadOptscim062020: replace without path, "name.givenName", "urn:…:enterprise:2.0:User:employeeNumber")`,
    always: true,
    where: 'patch',
    implementedIn: 'src/scim/patch/apply.ts applyNoPath',
    description:
      'A no-path add/replace whose value keys are dotted, filtered or URN-qualified paths applies each key as a path.',
  },
  {
    name: 'remove-member-by-value-filter',
    idps: ['entra', 'okta'],
    source: `${ENTRA_COMPAT} (aadOptscim062020: remove members[value eq "id"]); goauthentik/authentik#24173 (Okta Push Groups)`,
    always: true,
    where: 'members',
    implementedIn: 'src/scim/patch/members.ts idsOfFilter',
    description:
      'remove members[value eq "id"] (or an or-list of them) removes those members as row deletions, the ids matched in any case; no match is no error.',
  },
  {
    name: 'entra-bare-string-manager',
    idps: ['entra'],
    source:
      'Captain-P-Goldfish/SCIM-SDK#686, apache/directory-scimple#1242, MicrosoftDocs/azure-docs#73842 (manager sent as a bare string)',
    always: true,
    where: 'normalize',
    implementedIn:
      'src/scim/quirks.ts bareStringManager, called by normalize.ts normalizeSingle and patch/apply.ts setAttribute',
    description:
      '"manager": "id" (POST/PUT) and an Add on the manager path with value "id" are read as {"value": "id"} (RFC 7643 §4.3).',
  },
  {
    name: 'entra-extra-group-schema-uri',
    idps: ['entra'],
    source: `${ENTRA_GUIDE} (groups carry http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group)`,
    always: true,
    where: 'normalize',
    implementedIn:
      'src/scim/schema/normalize.ts normalizeResource (schemas must contain the core URN; others ignored)',
    description:
      'A Group whose schemas lists an extra, unknown schema URI is accepted; the stored schemas are ours.',
  },
  {
    name: 'entra-group-read-excluding-members',
    idps: ['entra'],
    source: `${ENTRA_GUIDE} (groups read with excludedAttributes=members, matched on displayName eq)`,
    always: true,
    where: 'http',
    implementedIn: 'src/http/render.ts resourceStream / listStream (projection)',
    description:
      'GET /Groups?filter=displayName eq "x"&excludedAttributes=members answers the group without members.',
  },
  {
    name: 'no-path-group-rename-keeps-members',
    idps: ['entra', 'okta'],
    source: `langwatch/langwatch#7131 (no-path rename must not empty members); ${OKTA_REF} (rename = replace, value {id, displayName})`,
    always: true,
    where: 'members',
    implementedIn:
      'src/scim/patch/members.ts planGroupPatch; src/scim/patch/apply.ts applyNoPath (readOnly id ignored)',
    description:
      'A no-path replace {id, displayName} on a Group renames it; members are untouched and the echoed id is ignored.',
  },
  {
    name: 'entra-soft-delete-stays-visible',
    idps: ['entra'],
    source: 'Microsoft Q&A 2238842 (validator: a disabled user must still come back from GET and filters)',
    always: true,
    where: 'patch',
    implementedIn: 'src/directory/resources.ts (active=false hides nothing); src/scim/filter/evaluate.ts',
    description:
      'PATCH active "False" keeps the user: it is still returned by GET and by filters, with active false.',
  },
  {
    name: 'entra-add-on-filtered-path-creates-element',
    idps: ['entra'],
    source: `${ENTRA_COMPAT} (default PATCH dialect writes emails[type eq "work"].value and phoneNumbers[type eq "mobile"].value, also when the user has no such element yet)`,
    // Always on: no IdP in docs/idp-notes.md relies on the noTarget a strict reading gives, and
    // the element created is exactly the one the path describes (docs/idp-quirks.md).
    always: true,
    where: 'patch',
    implementedIn: 'src/scim/quirks.ts elementFromFilter, called by src/scim/patch/apply.ts setElements',
    description:
      'Add/Replace on a filtered path that matches no element (phoneNumbers[type eq "mobile"].value when there is no mobile number) ' +
      "adds an element built from the filter's eq conditions plus the value, instead of 400 noTarget (RFC 7644 §3.5.2.3).",
  },
  // --- Okta ------------------------------------------------------------------------------------
  {
    name: 'connection-probe-paging',
    idps: ['okta', 'google'],
    source: `${OKTA_TEST_GUIDE} (GET /Users?startIndex=1&count=2); authn-sh-docs google-workspace (GET /Users?count=1)`,
    always: true,
    where: 'list',
    implementedIn: 'src/scim/list-query.ts parseListQuery',
    description:
      'startIndex/count arrive as query strings and are read as integers; count alone starts at 1.',
  },
  {
    name: 'okta-scim-json-charset',
    idps: ['okta'],
    source: `${OKTA_REF} (Content-Type: application/scim+json; charset=utf-8)`,
    always: true,
    where: 'http',
    implementedIn: 'src/http/app.ts content-type parser (any type, parsed as JSON)',
    description:
      'Bodies sent as application/scim+json; charset=utf-8 (or application/json) are parsed as JSON.',
  },
  {
    name: 'okta-create-with-password-locale-groups',
    idps: ['okta'],
    source: `${OKTA_REF} (POST with password, locale, groups: [], externalId)`,
    always: true,
    where: 'normalize',
    implementedIn: 'src/scim/schema/normalize.ts normalizeResource (password apart, groups readOnly)',
    description:
      'The password is taken apart (hashed, never stored or returned); groups: [] is ignored (readOnly).',
  },
  {
    name: 'okta-put-echoes-id-meta-groups',
    idps: ['okta'],
    source: `${OKTA_REF} (OIN apps: GET then PUT of the full object, echoing id, meta, groups)`,
    always: true,
    where: 'put',
    implementedIn: 'src/scim/schema/normalize.ts normalizeResource (replace mode; readOnly ignored)',
    description: 'A PUT that echoes id, meta and groups is accepted; those readOnly values are ignored.',
  },
  {
    name: 'okta-no-path-replace-active',
    idps: ['okta'],
    source: `${OKTA_REF} ((de)activation: {"op":"replace","value":{"active":false}})`,
    always: true,
    where: 'patch',
    implementedIn: 'src/scim/patch/apply.ts applyNoPath',
    description: 'A no-path replace {"active": false} deactivates the user.',
  },
  {
    name: 'okta-aiw-put-active-false',
    idps: ['okta', 'ping'],
    source: `oktadeveloper/okta-blog-archive#1956 (AIW apps deactivate by PUT); ${PING} (PATCH not used for users)`,
    always: true,
    where: 'put',
    implementedIn: 'src/scim/schema/normalize.ts normalizeResource (replace mode)',
    description:
      'Every user update, deactivation included, may come as a PUT of the full user with active false.',
  },
  {
    name: 'okta-push-group-empty-members',
    idps: ['okta'],
    source: `${OKTA_REF} (Push Groups: POST {displayName, members: []})`,
    always: true,
    where: 'normalize',
    implementedIn: 'src/scim/schema/normalize.ts normalizeResource; src/scim/patch/members.ts memberIds',
    description: 'A Group created with members: [] is created empty.',
  },
  {
    name: 'okta-member-add-and-filtered-remove-in-one-request',
    idps: ['okta'],
    source: `${OKTA_REF} (add path members [{value, display}] and remove members[value eq "…"] in one request)`,
    always: true,
    where: 'members',
    implementedIn: 'src/scim/patch/members.ts planGroupPatch',
    description:
      "Both steps run in request order in one transaction; the client's display is ignored (readOnly).",
  },
  {
    name: 'okta-replace-members-empty',
    idps: ['okta'],
    source: 'Captain-P-Goldfish/SCIM-SDK#757 (empty group push = replace members [])',
    always: true,
    where: 'members',
    implementedIn: 'src/scim/patch/members.ts memberStep (replace → set)',
    description: 'replace path members with [] empties the group.',
  },
  {
    name: 'hard-delete-204',
    idps: ['entra', 'okta', 'jumpcloud'],
    source: `${ENTRA_GUIDE} (hard delete); ${OKTA_REF} (unlink with delete); ${JUMPCLOUD} (test user and group deleted)`,
    always: true,
    where: 'http',
    implementedIn: 'src/http/scim-resources.ts DELETE; src/directory/resources.ts ResourceService.delete',
    description: 'DELETE of a User or Group answers 204, then 404.',
  },
  // --- OneLogin --------------------------------------------------------------------------------
  {
    name: 'onelogin-empty-strings-absent',
    idps: ['onelogin'],
    source: `${ONELOGIN} (SCIM JSON Template: unmapped fields arrive as empty strings)`,
    always: true,
    where: 'normalize',
    implementedIn: 'src/scim/schema/normalize.ts isAbsent, normalizeAttributeValue',
    description:
      '"" is unassigned, as is {"value": "", "type": "work"} (a label without a value): nothing empty is stored.',
  },
  {
    name: 'put-omitting-active-keeps-it',
    idps: ['onelogin'],
    source: `${ONELOGIN} (the template usually has no active; updates are a PUT of the re-rendered template)`,
    always: true,
    where: 'put',
    implementedIn: 'src/scim/quirks.ts keepStoredActive, called by src/directory/resources.ts replace',
    description:
      'A PUT of a User without active (or with "" / null) keeps the stored active instead of clearing it (RFC 7644 §3.5.1 ' +
      'lets a server keep omitted attributes), so a template update never re-activates a suspended user.',
  },
  {
    name: 'onelogin-manager-object-with-display-name',
    idps: ['onelogin'],
    source: `${ONELOGIN} (manager as {value, displayName})`,
    always: true,
    where: 'normalize',
    implementedIn: 'src/scim/schema/normalize.ts normalizeResource (manager.displayName readOnly ignored)',
    description:
      "manager {value, displayName} is accepted; displayName is the server's (readOnly) and ignored.",
  },
  // --- JumpCloud -------------------------------------------------------------------------------
  {
    name: 'jumpcloud-string-ids',
    idps: ['jumpcloud'],
    source: `${JUMPCLOUD} ("id must be a string")`,
    always: true,
    where: 'http',
    implementedIn: 'src/directory/deps.ts newId (UUID strings)',
    description: 'Every id the server hands out is a JSON string.',
  },
  {
    name: 'jumpcloud-per-attribute-replace',
    idps: ['jumpcloud'],
    source: `${JUMPCLOUD} (per-attribute replace ops with paths; active false via PATCH)`,
    always: true,
    where: 'patch',
    implementedIn: 'src/scim/patch/apply.ts applyPath',
    description: 'Updates as one replace per attribute path, active false included, in one request.',
  },
  // --- Ping Identity ---------------------------------------------------------------------------
  {
    name: 'ping-provision-disabled-users',
    idps: ['ping'],
    source: `${PING} ("Provision disabled users" creates users with active:false)`,
    always: true,
    where: 'normalize',
    implementedIn: 'src/scim/schema/normalize.ts normalizeResource',
    description: 'A POST with active false creates a disabled user.',
  },
  {
    name: 'ping-list-all-groups',
    idps: ['ping'],
    source: `${PING} (group matching retrieves all groups)`,
    always: true,
    where: 'list',
    implementedIn: 'src/scim/list-query.ts parseListQuery (no filter: every resource, paged)',
    description: 'GET /Groups without a filter lists every group, paged by startIndex/count.',
  },
  // --- Rippling --------------------------------------------------------------------------------
  {
    name: 'rippling-service-provider-config-probe',
    idps: ['rippling'],
    source:
      'authn-sh-docs rippling guide (test connection probes /ServiceProviderConfig) (docs/idp-notes.md "Rippling")',
    always: true,
    where: 'http',
    implementedIn: 'src/http/discovery.ts serviceProviderConfig',
    description:
      'GET /ServiceProviderConfig answers 200 (no token needed), which is what the connection test reads.',
  },
] as const satisfies readonly Quirk[];

export type QuirkName = (typeof QUIRK_TABLE)[number]['name'];

/** Every rule, in the order of docs/idp-notes.md. */
export const QUIRKS: readonly (Quirk & { name: QuirkName })[] = QUIRK_TABLE;

/** Whether a rule applies to an org with this profile (always-on rules apply to all). */
export function quirkEnabled(profile: IdpProfile | undefined, name: QuirkName): boolean {
  const quirk = QUIRKS.find((q) => q.name === name);
  if (!quirk) return false;
  if (quirk.always) return true;
  return (
    profile !== undefined && profile !== 'generic' && (quirk.idps as readonly string[]).includes(profile)
  );
}

/** The meaning-changing rules a profile turns on. */
export function profileQuirks(profile: IdpProfile): QuirkName[] {
  return QUIRKS.filter((q) => !q.always && quirkEnabled(profile, q.name)).map((q) => q.name);
}

// ---------------------------------------------------------------------------------------------
// Rule implementations that live nowhere else.

/**
 * entra-bare-string-manager. RFC 7643 §4.3 makes the enterprise `manager` complex
 * (`{value, $ref, displayName}`); Entra sends the manager's id as a bare string. A non-empty
 * string given for `manager` is read as `{ value }`; anything else comes back unchanged.
 */
export function bareStringManager(def: AttributeDef, value: unknown): unknown {
  if (def.name !== 'manager' || def.type !== 'complex' || def.multiValued) return value;
  if (typeof value !== 'string' || value === '') return value;
  return { value };
}

/**
 * put-omitting-active-keeps-it. RFC 7644 §3.5.1 lets a server keep attributes a PUT omits;
 * for `active` it does, so that a template-rendered PUT without `active` (OneLogin) neither
 * re-activates a suspended user nor un-sets an active one. Returns the new doc with the stored
 * `active` put back in its schema position, or undefined when nothing is to be kept.
 */
export function keepStoredActive(
  doc: Record<string, unknown>,
  existing: Record<string, unknown>,
  rs: ResourceSchema,
): Record<string, unknown> | undefined {
  const order = rs.core.attributes.map((a) => a.name);
  const at = order.indexOf('active');
  if (at === -1 || doc.active !== undefined || typeof existing.active !== 'boolean') return undefined;
  const out: Record<string, unknown> = {};
  let placed = false;
  for (const [key, v] of Object.entries(doc)) {
    if (!placed && (order.indexOf(key) > at || key.startsWith('urn:'))) {
      out.active = existing.active;
      placed = true;
    }
    out[key] = v;
  }
  if (!placed) out.active = existing.active;
  return out;
}

/**
 * entra-add-on-filtered-path-creates-element. The element a value filter describes, when the
 * filter is one `eq` or an `and` of `eq`s on sub-attributes (`type eq "work"`,
 * `type eq "work" and primary eq true`), keyed by sub-attribute name. Anything else (`or`,
 * `co`, `not`, conflicting conditions, `eq null`) describes no single element: undefined.
 */
export function elementFromFilter(filter: FilterNode): Record<string, FilterValue> | undefined {
  const out: Record<string, FilterValue> = {};
  const walk = (node: FilterNode): boolean => {
    if (node.op === 'and') return walk(node.left) && walk(node.right);
    if (node.op !== 'eq' || node.value === null) return false;
    const key = node.attr.location[node.attr.location.length - 1];
    if (key === undefined) return false;
    if (Object.hasOwn(out, key) && out[key] !== node.value) return false;
    out[key] = node.value;
    return true;
  };
  return walk(filter) && Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The element entra-add-on-filtered-path-creates-element adds: the filter's conditions, then
 * the operation's value (a sub-attribute value when the path names one, else an object of
 * sub-attributes), the value winning where both name the same sub-attribute.
 */
export function newElementForFilteredPath(
  filter: FilterNode,
  sub: AttributeDef | undefined,
  value: unknown,
): Record<string, unknown> | undefined {
  const base = elementFromFilter(filter);
  if (!base) return undefined;
  if (sub) return { ...base, [sub.name]: value };
  const one = Array.isArray(value) && value.length === 1 ? value[0] : value;
  return isObject(one) ? { ...base, ...one } : undefined;
}
