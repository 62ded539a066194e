/**
 * IdP quirks (src/scim/quirks.ts), one case table per IdP, each case citing where the
 * behaviour is documented (docs/idp-notes.md). Every case runs through the real
 * pure functions: normalizeResource, parsePatchRequest + applyPatch, planGroupPatch,
 * parseFilter + matchesFilter, parseListQuery, and the rule functions of quirks.ts.
 * Rules that change what a request means run under 'generic' (the default profile) and other
 * IdPs' profiles as well, since an org with the default profile must serve every IdP.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ScimError } from '../../src/scim/errors.ts';
import { matchesFilter } from '../../src/scim/filter/evaluate.ts';
import { parseFilter } from '../../src/scim/filter/parse.ts';
import { parseListQuery } from '../../src/scim/list-query.ts';
import { applyPatch } from '../../src/scim/patch/apply.ts';
import { planGroupPatch } from '../../src/scim/patch/members.ts';
import { PATCH_OP_URN, parsePatchRequest } from '../../src/scim/patch/parse.ts';
import {
  bareStringManager,
  elementFromFilter,
  IDP_PROFILES,
  type IdpProfile,
  isIdpProfile,
  keepStoredActive,
  profileQuirks,
  QUIRKS,
  type QuirkName,
  quirkEnabled,
} from '../../src/scim/quirks.ts';
import { CORE_GROUP, CORE_USER, ENTERPRISE_USER, GROUP, USER } from '../../src/scim/schema/definitions.ts';
import { normalizeResource } from '../../src/scim/schema/normalize.ts';
import type { ResourceSchema } from '../../src/scim/schema/types.ts';

type Json = Record<string, unknown>;
const E = ENTERPRISE_USER;
const CREATE: QuirkName = 'entra-add-on-filtered-path-creates-element';

type Input =
  /** normalizeResource in create mode → { doc, password? } */
  | { kind: 'create'; rs?: ResourceSchema; body: Json }
  /** PUT as the directory does it: normalizeResource (replace) then keepStoredActive → doc */
  | { kind: 'put'; body: Json; existing: Json }
  /** parsePatchRequest + applyPatch under a profile → doc; `applied` checks appliedQuirks */
  | { kind: 'patch'; rs?: ResourceSchema; doc: Json; ops: unknown[]; profile?: IdpProfile }
  /** parsePatchRequest + planGroupPatch on Groups → the membership steps */
  | { kind: 'plan'; ops: unknown[] }
  /** parseFilter + matchesFilter → boolean */
  | { kind: 'filter'; rs?: ResourceSchema; filter: string; resource: Json }
  /** parseListQuery → { startIndex, count, filtered } */
  | { kind: 'list'; rs?: ResourceSchema; params: Json }
  /** a quirk function called directly */
  | { kind: 'call'; run: () => unknown };

interface QuirkCase {
  idp: IdpProfile;
  rule: QuirkName;
  /** Where the IdP's behaviour is documented. */
  source: string;
  name: string;
  input: Input;
  expect?: unknown;
  /** For patch cases: the appliedQuirks reported (default: none). */
  applied?: QuirkName[];
  error?: { status: number; scimType: string; detailIncludes?: string };
}

function user(extra: Json = {}): Json {
  return { schemas: E in extra ? [CORE_USER, E] : [CORE_USER], userName: 'bjensen', ...extra };
}

/** Sorts object keys recursively so that docs compare whatever their key order. */
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canon((v as Json)[k])]),
    );
  }
  return v;
}

const LIMITS = { defaultPageSize: 100, maxPageSize: 1000 };

function run(c: QuirkCase): { value: unknown; applied: string[] } {
  const input = c.input;
  switch (input.kind) {
    case 'create': {
      const r = normalizeResource(input.body, input.rs ?? USER, { mode: 'create' });
      return { value: r.password === undefined ? { doc: r.doc } : r, applied: [] };
    }
    case 'put': {
      const r = normalizeResource(input.body, USER, { mode: 'replace', existing: input.existing });
      const kept = keepStoredActive(r.doc, input.existing, USER);
      return { value: kept ?? r.doc, applied: kept ? ['put-omitting-active-keeps-it'] : [] };
    }
    case 'patch': {
      const rs = input.rs ?? USER;
      const ops = parsePatchRequest({ schemas: [PATCH_OP_URN], Operations: input.ops }, rs);
      const snapshot = structuredClone(input.doc);
      const r = applyPatch(input.doc, ops, rs, { profile: input.profile ?? 'generic' });
      assert.deepEqual(input.doc, snapshot, 'the input doc is never mutated');
      return { value: r.doc, applied: r.appliedQuirks ?? [] };
    }
    case 'plan': {
      const ops = parsePatchRequest({ schemas: [PATCH_OP_URN], Operations: input.ops }, GROUP);
      const steps = planGroupPatch(ops, GROUP).map((s) => {
        if (s.kind === 'doc') return { kind: 'doc', op: s.op.op, value: s.op.value };
        if (s.kind === 'removeWhere') return { kind: s.kind };
        return { kind: s.kind, ids: s.ids };
      });
      return { value: steps, applied: [] };
    }
    case 'filter':
      return {
        value: matchesFilter(parseFilter(input.filter, input.rs ?? USER), input.resource),
        applied: [],
      };
    case 'list': {
      const q = parseListQuery(input.params, input.rs ?? USER, LIMITS);
      return {
        value: { startIndex: q.startIndex, count: q.count, filtered: q.filter !== undefined },
        applied: [],
      };
    }
    case 'call':
      return { value: input.run(), applied: [] };
  }
}

function runTable(cases: QuirkCase[]): void {
  for (const c of cases) {
    const profile = c.input.kind === 'patch' && c.input.profile ? ` [profile ${c.input.profile}]` : '';
    test(`${c.rule}: ${c.name}${profile} (${c.source})`, () => {
      if (c.error) {
        const expected = c.error;
        assert.throws(
          () => run(c),
          (e: unknown) => {
            assert.ok(e instanceof ScimError, `expected a ScimError, got ${String(e)}`);
            assert.equal(e.status, expected.status, e.detail);
            assert.equal(e.scimType, expected.scimType, e.detail);
            if (expected.detailIncludes) assert.ok(e.detail.includes(expected.detailIncludes), e.detail);
            return true;
          },
        );
        return;
      }
      const { value, applied } = run(c);
      assert.deepEqual(canon(value), canon(c.expect));
      assert.deepEqual(applied, c.applied ?? []);
    });
  }
}

const work = { value: 'babs@work.example', type: 'work' };
const home = { value: 'babs@home.example', type: 'home', primary: true };
const u1 = '2819c223-7f76-453a-919d-413861904646';
const u2 = '902c246b-6245-4190-8e05-00816be7344a';
const u3 = 'a1b2c3d4-0000-4000-8000-000000000001';
const NO_TARGET = { status: 400, scimType: 'noTarget', detailIncludes: "No value of 'emails'" };

// ---------------------------------------------------------------------------------------------

const entraCases: QuirkCase[] = [
  {
    idp: 'entra',
    rule: 'entra-case-insensitive-username-filter',
    source: 'scim-validator-tutorial.md; RFC 7643 §4.1.1',
    name: 'userName eq in another case matches',
    input: { kind: 'filter', filter: 'userName eq "BJensen"', resource: user() },
    expect: true,
  },
  {
    idp: 'entra',
    rule: 'entra-email-value-path-filter',
    source: 'use-scim-to-provision-users-and-groups.md (matching)',
    name: 'emails[type eq "work"].value eq matches the work address',
    input: {
      kind: 'filter',
      filter: 'emails[type eq "work"].value eq "babs@work.example"',
      resource: user({ emails: [home, work] }),
    },
    expect: true,
  },
  {
    idp: 'entra',
    rule: 'entra-email-value-path-filter',
    source: 'use-scim-to-provision-users-and-groups.md (matching)',
    name: 'type and value must hold for the same element',
    input: {
      kind: 'filter',
      filter: 'emails[type eq "work"].value eq "babs@home.example"',
      resource: user({ emails: [home, work] }),
    },
    expect: false,
  },
  {
    idp: 'entra',
    rule: 'entra-create-ignores-meta-and-empty-roles',
    source: 'use-scim-to-provision-users-and-groups.md (create request)',
    name: 'POST with meta.resourceType, roles: [], enterprise extension and a GUID externalId',
    input: {
      kind: 'create',
      body: {
        schemas: [CORE_USER, E],
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName: 'Test_User_ab6490ee@contoso.com',
        active: true,
        meta: { resourceType: 'User' },
        roles: [],
        [E]: { employeeNumber: '701984', department: 'Tours' },
      },
    },
    expect: {
      doc: {
        schemas: [CORE_USER, E],
        externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
        userName: 'Test_User_ab6490ee@contoso.com',
        active: true,
        [E]: { employeeNumber: '701984', department: 'Tours' },
      },
    },
  },
  {
    idp: 'entra',
    rule: 'entra-capitalised-patch-op',
    source: 'application-provisioning-config-problem-scim-compatibility.md',
    name: 'Add / Replace / Remove',
    input: {
      kind: 'patch',
      doc: user({ displayName: 'Babs', nickName: 'B' }),
      ops: [
        { op: 'Replace', path: 'displayName', value: 'Barbara' },
        { op: 'Add', path: 'title', value: 'Tour Guide' },
        { op: 'Remove', path: 'nickName' },
      ],
    },
    expect: user({ displayName: 'Barbara', title: 'Tour Guide' }),
  },
  {
    idp: 'entra',
    rule: 'entra-string-booleans',
    source: 'application-provisioning-config-problem-scim-compatibility.md',
    name: 'Replace active "False"',
    input: {
      kind: 'patch',
      doc: user({ active: true }),
      ops: [{ op: 'Replace', path: 'active', value: 'False' }],
    },
    expect: user({ active: false }),
  },
  {
    idp: 'entra',
    rule: 'entra-string-booleans',
    source: 'application-provisioning-config-problem-scim-compatibility.md',
    name: 'POST active "True"',
    input: { kind: 'create', body: { schemas: [CORE_USER], userName: 'b', active: 'True' } },
    expect: { doc: { schemas: [CORE_USER], userName: 'b', active: true } },
  },
  {
    idp: 'entra',
    rule: 'entra-string-booleans',
    source: 'application-provisioning-config-problem-scim-compatibility.md',
    name: 'any other string is still not a boolean',
    input: { kind: 'patch', doc: user(), ops: [{ op: 'Replace', path: 'active', value: 'yes' }] },
    error: { status: 400, scimType: 'invalidValue', detailIncludes: "'active' must be a boolean" },
  },
  {
    idp: 'entra',
    rule: 'entra-filtered-value-path',
    source: 'application-provisioning-config-problem-scim-compatibility.md',
    name: 'Replace emails[type eq "work"].value keeps type and the other emails',
    input: {
      kind: 'patch',
      doc: user({ emails: [home, work] }),
      ops: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'barbara@work.example' }],
    },
    expect: user({ emails: [home, { value: 'barbara@work.example', type: 'work' }] }),
  },
  {
    idp: 'entra',
    rule: 'remove-members-as-value-list',
    source: 'SCIM-SDK wiki "Support for MS Azure requests"',
    name: 'Remove path members with a value list removes only those',
    input: { kind: 'plan', ops: [{ op: 'Remove', path: 'members', value: [{ value: u1 }, { value: u3 }] }] },
    expect: [{ kind: 'remove', ids: [u1, u3] }],
  },
  {
    idp: 'entra',
    rule: 'remove-members-as-value-list',
    source: 'SCIM-SDK wiki "Support for MS Azure requests"',
    name: 'the same on a member list held in a document',
    input: {
      kind: 'patch',
      rs: GROUP,
      doc: {
        schemas: [CORE_GROUP],
        displayName: 'G',
        members: [{ value: u1 }, { value: u2 }, { value: u3 }],
      },
      ops: [{ op: 'Remove', path: 'members', value: [{ value: u1 }] }],
    },
    expect: { schemas: [CORE_GROUP], displayName: 'G', members: [{ value: u2 }, { value: u3 }] },
  },
  {
    idp: 'entra',
    rule: 'entra-member-ref-null',
    source: 'scimmyjs/scimmy#34',
    name: 'Add members with "$ref": null',
    input: { kind: 'plan', ops: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: u1 }] }] },
    expect: [{ kind: 'add', ids: [u1] }],
  },
  {
    idp: 'entra',
    rule: 'several-members-per-operation',
    source: 'application-provisioning-config-problem-scim-compatibility.md',
    name: 'one Add carries three members',
    input: {
      kind: 'plan',
      ops: [{ op: 'Add', path: 'members', value: [{ value: u1 }, { value: u2 }, { value: u3 }] }],
    },
    expect: [{ kind: 'add', ids: [u1, u2, u3] }],
  },
  {
    idp: 'entra',
    rule: 'entra-no-path-dotted-urn-keys',
    source: 'application-provisioning-config-problem-scim-compatibility.md (aadOptscim062020)',
    name: 'replace without path: dotted and URN-qualified keys',
    input: {
      kind: 'patch',
      doc: user({ name: { familyName: 'Jensen' } }),
      ops: [
        {
          op: 'replace',
          value: { 'name.givenName': 'Barbara', [`${E}:employeeNumber`]: '701984', active: false },
        },
      ],
    },
    expect: user({
      active: false,
      name: { familyName: 'Jensen', givenName: 'Barbara' },
      [E]: { employeeNumber: '701984' },
    }),
  },
  {
    idp: 'entra',
    rule: 'remove-member-by-value-filter',
    source: 'application-provisioning-config-problem-scim-compatibility.md (aadOptscim062020)',
    name: 'remove members[value eq "id"]',
    input: { kind: 'plan', ops: [{ op: 'remove', path: `members[value eq "${u2}"]` }] },
    expect: [{ kind: 'remove', ids: [u2] }],
  },
  {
    idp: 'entra',
    rule: 'entra-bare-string-manager',
    source: 'Captain-P-Goldfish/SCIM-SDK#686; MicrosoftDocs/azure-docs#73842',
    name: 'Add on the manager URN path with a bare id',
    input: { kind: 'patch', doc: user(), ops: [{ op: 'Add', path: `${E}:manager`, value: u1 }] },
    expect: user({ [E]: { manager: { value: u1 } } }),
  },
  {
    idp: 'entra',
    rule: 'entra-bare-string-manager',
    source: 'apache/directory-scimple#1242',
    name: 'Replace of an existing manager by a bare id',
    input: {
      kind: 'patch',
      doc: user({ [E]: { manager: { value: u1 } } }),
      ops: [{ op: 'Replace', path: `${E}:manager`, value: u2 }],
    },
    expect: user({ [E]: { manager: { value: u2 } } }),
  },
  {
    idp: 'entra',
    rule: 'entra-bare-string-manager',
    source: 'apache/directory-scimple#1242',
    name: 'no-path replace with a URN-qualified manager key',
    input: { kind: 'patch', doc: user(), ops: [{ op: 'replace', value: { [`${E}:manager`]: u1 } }] },
    expect: user({ [E]: { manager: { value: u1 } } }),
  },
  {
    idp: 'entra',
    rule: 'entra-bare-string-manager',
    source: 'Captain-P-Goldfish/SCIM-SDK#686',
    name: 'POST with "manager": "id"',
    input: { kind: 'create', body: { schemas: [CORE_USER, E], userName: 'b', [E]: { manager: u1 } } },
    expect: { doc: { schemas: [CORE_USER, E], userName: 'b', [E]: { manager: { value: u1 } } } },
  },
  {
    idp: 'entra',
    rule: 'entra-bare-string-manager',
    source: 'RFC 7643 §4.3',
    name: 'only manager: a bare string for name is still refused',
    input: { kind: 'create', body: { schemas: [CORE_USER], userName: 'b', name: 'Babs' } },
    error: { status: 400, scimType: 'invalidValue', detailIncludes: "'name' must be an object" },
  },
  {
    idp: 'entra',
    rule: 'entra-bare-string-manager',
    source: 'RFC 7643 §4.3',
    name: 'bareStringManager leaves objects, "" and other attributes alone',
    input: {
      kind: 'call',
      run: () => {
        const manager = E_ATTR('manager');
        const name = USER.core.attributes.find((a) => a.name === 'name')!;
        return [
          bareStringManager(manager, 'm1'),
          bareStringManager(manager, { value: 'm1' }),
          bareStringManager(manager, ''),
          bareStringManager(name, 'm1'),
        ];
      },
    },
    expect: [{ value: 'm1' }, { value: 'm1' }, '', 'm1'],
  },
  {
    idp: 'entra',
    rule: 'entra-extra-group-schema-uri',
    source: 'use-scim-to-provision-users-and-groups.md (groups)',
    name: 'POST /Groups with the ADSCIM schema URI and no members',
    input: {
      kind: 'create',
      rs: GROUP,
      body: {
        schemas: [CORE_GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'Tour Guides',
        members: [],
      },
    },
    expect: {
      doc: {
        schemas: [CORE_GROUP],
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'Tour Guides',
      },
    },
  },
  {
    idp: 'entra',
    rule: 'no-path-group-rename-keeps-members',
    source: 'langwatch/langwatch#7131',
    name: 'replace without path {displayName} is a document step only',
    input: { kind: 'plan', ops: [{ op: 'Replace', value: { id: 'g1', displayName: 'Tour Guides' } }] },
    expect: [{ kind: 'doc', op: 'replace', value: { id: 'g1', displayName: 'Tour Guides' } }],
  },
  {
    idp: 'entra',
    rule: 'no-path-group-rename-keeps-members',
    source: 'langwatch/langwatch#7131',
    name: 'applied: the name changes, the echoed id is ignored, members stay',
    input: {
      kind: 'patch',
      rs: GROUP,
      doc: { schemas: [CORE_GROUP], displayName: 'G', members: [{ value: u1 }] },
      ops: [{ op: 'Replace', value: { id: 'g1', displayName: 'Tour Guides' } }],
    },
    expect: { schemas: [CORE_GROUP], displayName: 'Tour Guides', members: [{ value: u1 }] },
  },
  {
    idp: 'entra',
    rule: 'entra-soft-delete-stays-visible',
    source: 'Microsoft Q&A 2238842',
    name: 'after Replace active "False" the user still matches its lookup filter',
    input: {
      kind: 'call',
      run: () => {
        const ops = parsePatchRequest(
          { schemas: [PATCH_OP_URN], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] },
          USER,
        );
        const doc = applyPatch(user({ active: true }), ops, USER).doc;
        return {
          active: doc.active,
          byName: matchesFilter(parseFilter('userName eq "bjensen"', USER), doc),
          byActive: matchesFilter(parseFilter('active eq false', USER), doc),
        };
      },
    },
    expect: { active: false, byName: true, byActive: true },
  },
];

function E_ATTR(name: string) {
  const def = USER.extensions[0]?.attributes.find((a) => a.name === name);
  assert.ok(def, name);
  return def;
}

/** The rule that creates the element a filtered path describes, under every kind of profile. */
const entraProfileCases: QuirkCase[] = [
  {
    idp: 'entra',
    rule: CREATE,
    source: 'application-provisioning-config-problem-scim-compatibility.md',
    name: 'Add emails[type eq "work"].value with no work email adds one',
    input: {
      kind: 'patch',
      profile: 'entra',
      doc: user({ emails: [home] }),
      ops: [{ op: 'Add', path: 'emails[type eq "work"].value', value: 'babs@work.example' }],
    },
    expect: user({ emails: [home, work] }),
    applied: [CREATE],
  },
  {
    idp: 'entra',
    rule: CREATE,
    source: 'application-provisioning-config-problem-scim-compatibility.md',
    name: 'Replace on a user with no emails at all',
    input: {
      kind: 'patch',
      profile: 'entra',
      doc: user(),
      ops: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'babs@work.example' }],
    },
    expect: user({ emails: [work] }),
    applied: [CREATE],
  },
  {
    idp: 'entra',
    rule: CREATE,
    source: 'application-provisioning-config-problem-scim-compatibility.md',
    name: 'and-ed conditions: the new primary makes the old one non-primary',
    input: {
      kind: 'patch',
      profile: 'entra',
      doc: user({ emails: [home] }),
      ops: [
        {
          op: 'Add',
          path: 'emails[type eq "work" and primary eq true].value',
          value: 'babs@work.example',
        },
      ],
    },
    expect: user({
      emails: [
        { ...home, primary: false },
        { ...work, primary: true },
      ],
    }),
    applied: [CREATE],
  },
  {
    idp: 'entra',
    rule: CREATE,
    source: 'application-provisioning-config-problem-scim-compatibility.md',
    name: 'no sub-attribute: the value object is merged with the conditions',
    input: {
      kind: 'patch',
      profile: 'entra',
      doc: user(),
      ops: [{ op: 'Add', path: 'emails[type eq "work"]', value: { value: 'babs@work.example' } }],
    },
    expect: user({ emails: [work] }),
    applied: [CREATE],
  },
  {
    idp: 'entra',
    rule: CREATE,
    source: 'application-provisioning-config-problem-scim-compatibility.md',
    name: 'an attribute without a value sub-attribute (addresses)',
    input: {
      kind: 'patch',
      profile: 'entra',
      doc: user(),
      ops: [{ op: 'Replace', path: 'addresses[type eq "work"].locality', value: 'Paris' }],
    },
    expect: user({ addresses: [{ type: 'work', locality: 'Paris' }] }),
    applied: [CREATE],
  },
  {
    idp: 'entra',
    rule: CREATE,
    source: 'application-provisioning-config-problem-scim-compatibility.md (aadOptscim062020)',
    name: 'a filtered key inside a no-path replace',
    input: {
      kind: 'patch',
      profile: 'entra',
      doc: user(),
      ops: [{ op: 'replace', value: { 'emails[type eq "work"].value': 'babs@work.example' } }],
    },
    expect: user({ emails: [work] }),
    applied: [CREATE],
  },
  {
    idp: 'entra',
    rule: CREATE,
    source: 'application-provisioning-config-problem-scim-compatibility.md',
    name: 'a matching element is updated as usual and the rule is not reported',
    input: {
      kind: 'patch',
      profile: 'entra',
      doc: user({ emails: [work] }),
      ops: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@work.example' }],
    },
    expect: user({ emails: [{ value: 'new@work.example', type: 'work' }] }),
  },
  {
    idp: 'entra',
    rule: CREATE,
    source: 'application-provisioning-config-problem-scim-compatibility.md',
    name: 'an empty value adds nothing',
    input: {
      kind: 'patch',
      profile: 'entra',
      doc: user(),
      ops: [{ op: 'Add', path: 'emails[type eq "work"].value', value: '' }],
    },
    expect: user(),
  },
  {
    idp: 'entra',
    rule: CREATE,
    source: 'RFC 7644 §3.5.2.3',
    name: 'a filter that describes no single element (co) is still noTarget',
    input: {
      kind: 'patch',
      profile: 'entra',
      doc: user(),
      ops: [{ op: 'Add', path: 'emails[value co "work"].type', value: 'work' }],
    },
    error: NO_TARGET,
  },
  {
    idp: 'entra',
    rule: CREATE,
    source: 'RFC 7644 §3.5.2.3',
    name: 'an element that would have no value is still noTarget',
    input: {
      kind: 'patch',
      profile: 'entra',
      doc: user(),
      ops: [{ op: 'Replace', path: 'emails[type eq "work"].primary', value: true }],
    },
    error: NO_TARGET,
  },
  {
    idp: 'entra',
    rule: CREATE,
    source:
      'application-provisioning-config-problem-scim-compatibility.md (the default profile serves Entra)',
    name: 'generic: Add with no match adds the element',
    input: {
      kind: 'patch',
      profile: 'generic',
      doc: user({ emails: [home] }),
      ops: [{ op: 'Add', path: 'emails[type eq "work"].value', value: 'babs@work.example' }],
    },
    expect: user({ emails: [home, work] }),
    applied: [CREATE],
  },
  {
    idp: 'entra',
    rule: CREATE,
    source: 'docs/idp-notes.md "Microsoft Entra ID" (Add on phoneNumbers[type eq "mobile"].value)',
    name: 'generic: Add phoneNumbers[type eq "mobile"].value with no mobile number adds one',
    input: {
      kind: 'patch',
      profile: 'generic',
      doc: user(),
      ops: [{ op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' }],
    },
    expect: user({ phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }] }),
    applied: [CREATE],
  },
  {
    idp: 'entra',
    rule: CREATE,
    source:
      'application-provisioning-config-problem-scim-compatibility.md (the default profile serves Entra)',
    name: 'generic: Replace with no match adds the element',
    input: {
      kind: 'patch',
      profile: 'generic',
      doc: user(),
      ops: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'babs@work.example' }],
    },
    expect: user({ emails: [work] }),
    applied: [CREATE],
  },
  {
    idp: 'entra',
    rule: CREATE,
    source: 'RFC 7644 §3.5.2.3',
    name: 'generic: a filter that describes no single element (or) is still noTarget',
    input: {
      kind: 'patch',
      profile: 'generic',
      doc: user(),
      ops: [{ op: 'Add', path: 'emails[type eq "work" or type eq "home"].value', value: 'x@example.com' }],
    },
    error: NO_TARGET,
  },
  {
    idp: 'entra',
    rule: CREATE,
    source: 'docs/idp-notes.md "Where IdPs conflict" (no IdP relies on noTarget here)',
    name: 'okta: Add with no match adds the element too',
    input: {
      kind: 'patch',
      profile: 'okta',
      doc: user(),
      ops: [{ op: 'Add', path: 'emails[type eq "work"].value', value: 'babs@work.example' }],
    },
    expect: user({ emails: [work] }),
    applied: [CREATE],
  },
  {
    idp: 'entra',
    rule: CREATE,
    source: 'src/scim/quirks.ts elementFromFilter',
    name: 'elementFromFilter: eq and and-ed eqs only',
    input: {
      kind: 'call',
      run: () => {
        const of = (path: string) => {
          const ops = parsePatchRequest(
            { schemas: [PATCH_OP_URN], Operations: [{ op: 'add', path, value: 'x' }] },
            USER,
          );
          const filter = ops[0]?.path?.filter;
          assert.ok(filter);
          return elementFromFilter(filter) ?? null;
        };
        return [
          of('emails[type eq "work"].value'),
          of('emails[type eq "work" and primary eq true].value'),
          of('emails[type eq "work" or type eq "home"].value'),
          of('emails[type eq "work" and type eq "home"].value'),
          of('emails[not (type eq "work")].value'),
          of('emails[type pr].value'),
        ];
      },
    },
    expect: [{ type: 'work' }, { type: 'work', primary: true }, null, null, null, null],
  },
];

const oktaCases: QuirkCase[] = [
  {
    idp: 'okta',
    rule: 'connection-probe-paging',
    source: 'okta scim-provisioning-integration-test guide (GET /Users?startIndex=1&count=2)',
    name: 'startIndex and count as query strings',
    input: { kind: 'list', params: { startIndex: '1', count: '2' } },
    expect: { startIndex: 1, count: 2, filtered: false },
  },
  {
    idp: 'okta',
    rule: 'okta-create-with-password-locale-groups',
    source: 'okta scim-20 reference (create)',
    name: 'POST with password, locale, groups: [], externalId',
    input: {
      kind: 'create',
      body: {
        schemas: [CORE_USER],
        userName: 'isabella@example.com',
        name: { givenName: 'Isabella', familyName: 'Doe' },
        emails: [{ primary: true, value: 'isabella@example.com', type: 'work' }],
        displayName: 'Isabella Doe',
        locale: 'en-US',
        externalId: '00ujl29u0le5T6Aj10h7',
        groups: [],
        password: '1mz050nq',
        active: true,
      },
    },
    expect: {
      doc: {
        schemas: [CORE_USER],
        externalId: '00ujl29u0le5T6Aj10h7',
        userName: 'isabella@example.com',
        name: { givenName: 'Isabella', familyName: 'Doe' },
        displayName: 'Isabella Doe',
        locale: 'en-US',
        active: true,
        emails: [{ value: 'isabella@example.com', type: 'work', primary: true }],
      },
      password: '1mz050nq',
    },
  },
  {
    idp: 'okta',
    rule: 'okta-put-echoes-id-meta-groups',
    source: 'okta scim-20 reference (OIN profile update = GET then PUT)',
    name: 'PUT echoing id, meta and groups',
    input: {
      kind: 'put',
      existing: user({ active: true, displayName: 'Babs' }),
      body: {
        schemas: [CORE_USER],
        id: '23a35c27-23d3-4c03-b4c5-6443c09e7173',
        meta: { resourceType: 'User', created: '2020-01-01T00:00:00Z', version: 'W/"3"' },
        groups: [{ value: 'g1', display: 'Tour Guides' }],
        userName: 'bjensen',
        displayName: 'Barbara',
        active: true,
      },
    },
    expect: user({ displayName: 'Barbara', active: true }),
  },
  {
    idp: 'okta',
    rule: 'okta-no-path-replace-active',
    source: 'okta scim-20 reference (deactivation)',
    name: '{"op":"replace","value":{"active":false}}',
    input: { kind: 'patch', doc: user({ active: true }), ops: [{ op: 'replace', value: { active: false } }] },
    expect: user({ active: false }),
  },
  {
    idp: 'okta',
    rule: 'okta-aiw-put-active-false',
    source: 'oktadeveloper/okta-blog-archive#1956',
    name: 'deactivation by PUT',
    input: {
      kind: 'put',
      existing: user({ active: true }),
      body: { schemas: [CORE_USER], userName: 'bjensen', active: false },
    },
    expect: user({ active: false }),
  },
  {
    idp: 'okta',
    rule: 'okta-push-group-empty-members',
    source: 'okta scim-20 reference (Push Groups)',
    name: 'POST {displayName, members: []}',
    input: { kind: 'create', rs: GROUP, body: { schemas: [CORE_GROUP], displayName: 'Sales', members: [] } },
    expect: { doc: { schemas: [CORE_GROUP], displayName: 'Sales' } },
  },
  {
    idp: 'okta',
    rule: 'okta-member-add-and-filtered-remove-in-one-request',
    source: 'okta scim-20 reference (Push Groups membership PATCH)',
    name: 'add [{value, display}] then remove members[value eq], in order',
    input: {
      kind: 'plan',
      ops: [
        { op: 'add', path: 'members', value: [{ value: u1, display: 'Babs' }] },
        { op: 'remove', path: `members[value eq "${u2}"]` },
      ],
    },
    expect: [
      { kind: 'add', ids: [u1] },
      { kind: 'remove', ids: [u2] },
    ],
  },
  {
    idp: 'okta',
    rule: 'remove-member-by-value-filter',
    source: 'goauthentik/authentik#24173',
    name: 'remove members[value eq "id"]',
    input: { kind: 'plan', ops: [{ op: 'remove', path: `members[value eq "${u1}"]` }] },
    expect: [{ kind: 'remove', ids: [u1] }],
  },
  {
    idp: 'okta',
    rule: 'okta-replace-members-empty',
    source: 'Captain-P-Goldfish/SCIM-SDK#757',
    name: 'replace path members []',
    input: { kind: 'plan', ops: [{ op: 'replace', path: 'members', value: [] }] },
    expect: [{ kind: 'set', ids: [] }],
  },
  {
    idp: 'okta',
    rule: 'no-path-group-rename-keeps-members',
    source: 'okta scim-20 reference (rename = replace, value {id, displayName})',
    name: 'rename without path',
    input: { kind: 'plan', ops: [{ op: 'replace', value: { id: 'g1', displayName: 'Sales EMEA' } }] },
    expect: [{ kind: 'doc', op: 'replace', value: { id: 'g1', displayName: 'Sales EMEA' } }],
  },
  {
    idp: 'okta',
    rule: 'several-members-per-operation',
    source: 'okta scim-20 reference (Push Groups)',
    name: 'full push: replace members with two members',
    input: { kind: 'plan', ops: [{ op: 'replace', path: 'members', value: [{ value: u1 }, { value: u2 }] }] },
    expect: [{ kind: 'set', ids: [u1, u2] }],
  },
];

const oneLoginCases: QuirkCase[] = [
  {
    idp: 'onelogin',
    rule: 'onelogin-empty-strings-absent',
    source: 'scim.dev/guide/applications/onelogin (SCIM JSON Template)',
    name: 'unmapped template fields as "" and a phone label without value',
    input: {
      kind: 'create',
      body: {
        schemas: [CORE_USER, E],
        userName: 'b@example.com',
        displayName: '',
        nickName: '',
        title: '',
        name: { givenName: 'Babs', familyName: '' },
        phoneNumbers: [{ value: '', type: 'work' }],
        emails: [{ value: 'b@example.com', type: 'work', primary: 'true' }],
        [E]: { department: '', manager: { value: '' } },
      },
    },
    expect: {
      doc: {
        schemas: [CORE_USER],
        userName: 'b@example.com',
        name: { givenName: 'Babs' },
        emails: [{ value: 'b@example.com', type: 'work', primary: true }],
      },
    },
  },
  {
    idp: 'onelogin',
    rule: 'put-omitting-active-keeps-it',
    source: 'support.templafy.com 360000981638 (template without active)',
    name: 'a suspended user stays suspended',
    input: {
      kind: 'put',
      existing: user({ active: false, displayName: 'Babs' }),
      body: { schemas: [CORE_USER], userName: 'bjensen', displayName: 'Barbara', title: '' },
    },
    expect: user({ displayName: 'Barbara', active: false }),
    applied: ['put-omitting-active-keeps-it'],
  },
  {
    idp: 'onelogin',
    rule: 'put-omitting-active-keeps-it',
    source: 'scim.dev/guide/applications/onelogin',
    name: '"active": "" is absent too: an active user stays active',
    input: {
      kind: 'put',
      existing: user({ active: true }),
      body: { schemas: [CORE_USER], userName: 'bjensen', active: '' },
    },
    expect: user({ active: true }),
    applied: ['put-omitting-active-keeps-it'],
  },
  {
    idp: 'onelogin',
    rule: 'put-omitting-active-keeps-it',
    source: 'RFC 7644 §3.5.1',
    name: 'an active given in the PUT wins',
    input: {
      kind: 'put',
      existing: user({ active: false }),
      body: { schemas: [CORE_USER], userName: 'bjensen', active: true },
    },
    expect: user({ active: true }),
  },
  {
    idp: 'onelogin',
    rule: 'put-omitting-active-keeps-it',
    source: 'RFC 7644 §3.5.1',
    name: 'nothing to keep when none was stored; other omitted attributes are still cleared',
    input: {
      kind: 'put',
      existing: user({ displayName: 'Babs' }),
      body: { schemas: [CORE_USER], userName: 'bjensen' },
    },
    expect: user(),
  },
  {
    idp: 'onelogin',
    rule: 'put-omitting-active-keeps-it',
    source: 'src/scim/quirks.ts keepStoredActive',
    name: 'keepStoredActive puts active in schema order, and ignores Groups',
    input: {
      kind: 'call',
      run: () => [
        Object.keys(
          keepStoredActive(
            {
              schemas: [CORE_USER, E],
              userName: 'b',
              displayName: 'B',
              emails: [work],
              [E]: { department: 'x' },
            },
            { active: false },
            USER,
          ) ?? {},
        ),
        keepStoredActive({ schemas: [CORE_GROUP], displayName: 'G' }, { active: false }, GROUP) ?? null,
      ],
    },
    expect: [['schemas', 'userName', 'displayName', 'active', 'emails', E], null],
  },
  {
    idp: 'onelogin',
    rule: 'onelogin-manager-object-with-display-name',
    source: 'scim.dev/guide/applications/onelogin',
    name: 'manager {value, displayName}',
    input: {
      kind: 'create',
      body: { schemas: [CORE_USER, E], userName: 'b', [E]: { manager: { value: u1, displayName: 'Boss' } } },
    },
    expect: { doc: { schemas: [CORE_USER, E], userName: 'b', [E]: { manager: { value: u1 } } } },
  },
];

const jumpCloudCases: QuirkCase[] = [
  {
    idp: 'jumpcloud',
    rule: 'remove-members-as-value-list',
    source: 'jumpcloud.com custom SCIM integration (Azure-style member PATCH, also for removal)',
    name: 'remove path members [{value}] without a filter',
    input: { kind: 'plan', ops: [{ op: 'remove', path: 'members', value: [{ value: u1 }] }] },
    expect: [{ kind: 'remove', ids: [u1] }],
  },
  {
    idp: 'jumpcloud',
    rule: 'several-members-per-operation',
    source: 'jumpcloud.com custom SCIM integration (minimal member objects)',
    name: 'add path members [{value}, {value}]',
    input: { kind: 'plan', ops: [{ op: 'add', path: 'members', value: [{ value: u1 }, { value: u2 }] }] },
    expect: [{ kind: 'add', ids: [u1, u2] }],
  },
  {
    idp: 'jumpcloud',
    rule: 'jumpcloud-per-attribute-replace',
    source: 'jumpcloud.com custom SCIM integration (per-attribute replace with paths)',
    name: 'one replace per attribute, active false included',
    input: {
      kind: 'patch',
      doc: user({ active: true, displayName: 'Babs', name: { givenName: 'Babs' } }),
      ops: [
        { op: 'replace', path: 'displayName', value: 'Barbara' },
        { op: 'replace', path: 'name.givenName', value: 'Barbara' },
        { op: 'replace', path: 'active', value: false },
      ],
    },
    expect: user({ active: false, displayName: 'Barbara', name: { givenName: 'Barbara' } }),
  },
];

const googleCases: QuirkCase[] = [
  {
    idp: 'google',
    rule: 'connection-probe-paging',
    source: 'authn-sh-docs google-workspace guide (GET /Users?count=1)',
    name: 'count alone starts at 1',
    input: { kind: 'list', params: { count: '1' } },
    expect: { startIndex: 1, count: 1, filtered: false },
  },
];

const pingCases: QuirkCase[] = [
  {
    idp: 'ping',
    rule: 'okta-aiw-put-active-false',
    source: 'docs.pingidentity.com pf_scim_connector_user_and_group_management.html (no PATCH for users)',
    name: 'Remove User Action "Disable" as a PUT',
    input: {
      kind: 'put',
      existing: user({ active: true, title: 'Guide' }),
      body: { schemas: [CORE_USER], userName: 'bjensen', title: 'Guide', active: false },
    },
    expect: user({ title: 'Guide', active: false }),
  },
  {
    idp: 'ping',
    rule: 'ping-provision-disabled-users',
    source: 'docs.pingidentity.com pf_scim_connector_settings_reference ("Provision disabled users")',
    name: 'POST with active false',
    input: { kind: 'create', body: { schemas: [CORE_USER], userName: 'b', active: false } },
    expect: { doc: { schemas: [CORE_USER], userName: 'b', active: false } },
  },
  {
    idp: 'ping',
    rule: 'ping-list-all-groups',
    source: 'docs.pingidentity.com pf_scim_connector_user_and_group_management.html (group matching)',
    name: 'GET /Groups without a filter pages over all groups',
    input: { kind: 'list', rs: GROUP, params: { startIndex: '101', count: '100' } },
    expect: { startIndex: 101, count: 100, filtered: false },
  },
];

const ALL: QuirkCase[] = [
  ...entraCases,
  ...entraProfileCases,
  ...oktaCases,
  ...oneLoginCases,
  ...jumpCloudCases,
  ...googleCases,
  ...pingCases,
];

describe('IdP quirks: Microsoft Entra ID (always on)', () => runTable(entraCases));
describe('IdP quirks: Microsoft Entra ID (filtered path creates its element)', () =>
  runTable(entraProfileCases));
describe('IdP quirks: Okta', () => runTable(oktaCases));
describe('IdP quirks: OneLogin', () => runTable(oneLoginCases));
describe('IdP quirks: JumpCloud', () => runTable(jumpCloudCases));
describe('IdP quirks: Google Workspace', () => runTable(googleCases));
describe('IdP quirks: Ping Identity', () => runTable(pingCases));

describe('IdP quirks: the table', () => {
  test('names are unique and every entry is complete', () => {
    const names = QUIRKS.map((q) => q.name);
    assert.equal(new Set(names).size, names.length);
    for (const q of QUIRKS) {
      assert.match(q.name, /^[a-z0-9]+(-[a-z0-9]+)+$/, q.name);
      assert.ok(q.idps.length > 0 && q.source.length > 0 && q.description.length > 0, q.name);
      assert.match(q.implementedIn, /^src\//, q.name);
    }
  });

  test('every rule not checked over HTTP has a case here, and every profile rule a generic case', () => {
    const covered = new Set(ALL.map((c) => c.rule));
    for (const q of QUIRKS.filter((q) => q.where !== 'http'))
      assert.ok(covered.has(q.name), `no case: ${q.name}`);
    for (const q of QUIRKS.filter((q) => !q.always)) {
      const byProfile = (p: IdpProfile) =>
        ALL.some((c) => c.rule === q.name && c.input.kind === 'patch' && c.input.profile === p);
      assert.ok(byProfile(q.idps[0]!), `${q.name}: no case under its profile`);
      assert.ok(byProfile('generic'), `${q.name}: no case under generic`);
    }
  });

  test('profiles: the eight IdPs; none turns a rule on that the default profile lacks', () => {
    assert.deepEqual([...IDP_PROFILES].sort(), [
      'entra',
      'generic',
      'google',
      'jumpcloud',
      'okta',
      'onelogin',
      'ping',
      'rippling',
    ]);
    assert.equal(isIdpProfile('entra'), true);
    assert.equal(isIdpProfile('Entra'), false);
    assert.equal(isIdpProfile('azure'), false);
    // An org with the default profile must pass every IdP's lifecycle (test/idp): a rule is
    // bound to a profile only where two IdPs conflict, and none do today.
    assert.deepEqual(
      QUIRKS.filter((q) => !q.always).map((q) => q.name),
      [],
    );
    for (const p of IDP_PROFILES) assert.deepEqual(profileQuirks(p), [], p);
    assert.equal(quirkEnabled('entra', CREATE), true);
    assert.equal(quirkEnabled('generic', CREATE), true);
    assert.equal(quirkEnabled(undefined, CREATE), true);
    assert.equal(quirkEnabled('generic', 'entra-bare-string-manager'), true);
  });

  test('docs/idp-quirks.md lists every rule, always-on or profile-bound as in the code', () => {
    const doc = readFileSync(new URL('../../docs/idp-quirks.md', import.meta.url), 'utf8');
    for (const q of QUIRKS) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${q.name}\` |`));
      assert.ok(row, `docs/idp-quirks.md has no row for ${q.name}`);
      assert.ok(row.includes(q.always ? '| always |' : '| profile: '), `${q.name}: always/profile differs`);
    }
  });
});
