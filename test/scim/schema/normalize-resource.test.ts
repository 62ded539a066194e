import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ScimError, type ScimType } from '../../../src/scim/errors.ts';
import {
  CORE_GROUP,
  CORE_USER,
  defineAttribute,
  ENTERPRISE_USER,
  GROUP,
  USER,
} from '../../../src/scim/schema/definitions.ts';
import { type NormalizedResource, normalizeResource } from '../../../src/scim/schema/normalize.ts';
import type { ResourceSchema } from '../../../src/scim/schema/types.ts';

type Options = Parameters<typeof normalizeResource>[2];

interface Case {
  name: string;
  rs?: ResourceSchema;
  input: unknown;
  options?: Options;
  expected?: NormalizedResource;
  error?: { scimType: ScimType; detail: string };
}

const user = (extra: Record<string, unknown>) => ({ schemas: [CORE_USER], userName: 'bjensen', ...extra });

// A test resource type with immutable attributes (the standard schemas have none at top level).
const attr = defineAttribute;
const DEVICE = 'urn:example:schemas:Device';
const DEVICE_RS: ResourceSchema = {
  type: { ...USER.type, schema: DEVICE, schemaExtensions: [] },
  core: {
    id: DEVICE,
    name: 'Device',
    description: '',
    attributes: [
      attr({ name: 'serial', mutability: 'immutable', required: true }),
      attr({
        name: 'owner',
        type: 'complex',
        subAttributes: [attr({ name: 'value', mutability: 'immutable' }), attr({ name: 'display' })],
      }),
      attr({ name: 'label' }),
    ],
  },
  extensions: [],
};

const cases: Case[] = [
  {
    // Okta create (docs/idp-notes.md "Okta": password, locale, groups: [], externalId).
    name: 'Okta create body',
    input: {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'isabell.bird@example.com',
      name: { givenName: 'Isabell', familyName: 'Bird' },
      emails: [{ primary: true, value: 'isabell.bird@example.com', type: 'work' }],
      displayName: 'Isabell Bird',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    },
    expected: {
      doc: {
        schemas: [CORE_USER],
        externalId: '00ujl29u0le5T6Aj10h7',
        userName: 'isabell.bird@example.com',
        name: { familyName: 'Bird', givenName: 'Isabell' },
        displayName: 'Isabell Bird',
        locale: 'en-US',
        active: true,
        emails: [{ value: 'isabell.bird@example.com', type: 'work', primary: true }],
      },
      password: '1mz050nq',
    },
  },
  {
    // Entra create (docs/idp-notes.md "Microsoft Entra ID": meta.resourceType, roles: [], extension, GUID externalId).
    name: 'Entra create body',
    input: {
      schemas: [CORE_USER, ENTERPRISE_USER],
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      userName: 'Test_User_dfeef4c5-5681-4387-b016-bdf221e82081@testuser.com',
      active: 'True',
      emails: [
        { primary: true, type: 'work', value: 'Test_User_22370c1a-9012-42b2-bf64-86099c2a1c22@testuser.com' },
      ],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
      [ENTERPRISE_USER]: {
        employeeNumber: '701984',
        department: 'Tour Operations',
        manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' },
      },
    },
    expected: {
      doc: {
        schemas: [CORE_USER, ENTERPRISE_USER],
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        userName: 'Test_User_dfeef4c5-5681-4387-b016-bdf221e82081@testuser.com',
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        active: true,
        emails: [
          {
            value: 'Test_User_22370c1a-9012-42b2-bf64-86099c2a1c22@testuser.com',
            type: 'work',
            primary: true,
          },
        ],
        [ENTERPRISE_USER]: {
          employeeNumber: '701984',
          department: 'Tour Operations',
          manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' },
        },
      },
    },
  },
  {
    // OneLogin renders its SCIM JSON template: unmapped fields arrive as "".
    name: 'OneLogin template: empty strings are absent, empty extension dropped',
    input: {
      schemas: [CORE_USER, ENTERPRISE_USER],
      userName: 'jdoe',
      name: { givenName: 'John', familyName: '' },
      title: '',
      emails: [{ value: 'jdoe@x', type: 'work', primary: true }],
      phoneNumbers: [{ value: '', type: 'work' }],
      [ENTERPRISE_USER]: { department: '', manager: { value: '', displayName: 'Boss' } },
    },
    expected: {
      doc: {
        schemas: [CORE_USER],
        userName: 'jdoe',
        name: { givenName: 'John' },
        emails: [{ value: 'jdoe@x', type: 'work', primary: true }],
      },
    },
  },
  {
    name: 'keys and URNs case-insensitive',
    input: {
      SCHEMAS: ['URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER'],
      USERNAME: 'bjensen',
      Name: { GivenName: 'Barbara' },
      'urn:ietf:params:scim:schemas:extension:ENTERPRISE:2.0:User': { EmployeeNumber: '1' },
    },
    expected: {
      doc: {
        schemas: [CORE_USER, ENTERPRISE_USER],
        userName: 'bjensen',
        name: { givenName: 'Barbara' },
        [ENTERPRISE_USER]: { employeeNumber: '1' },
      },
    },
  },
  {
    name: 'URN-qualified attributes at top level',
    input: user({ [`${ENTERPRISE_USER}:costCenter`]: 'CC1', [`${CORE_USER}:displayName`]: 'Babs' }),
    expected: {
      doc: {
        schemas: [CORE_USER, ENTERPRISE_USER],
        userName: 'bjensen',
        displayName: 'Babs',
        [ENTERPRISE_USER]: { costCenter: 'CC1' },
      },
    },
  },
  {
    name: 'unknown attributes, sub-attributes and URNs ignored',
    input: {
      ...user({ favouriteColour: 'blue', name: { givenName: 'B', nick: 'x' } }),
      'urn:example:custom:1.0:User': { x: 1 },
      schemas: [CORE_USER, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
    },
    expected: { doc: { schemas: [CORE_USER], userName: 'bjensen', name: { givenName: 'B' } } },
  },
  {
    name: 'readOnly ignored: id, meta, groups, manager.displayName',
    input: user({
      id: 'abc',
      meta: { resourceType: 'User', created: '2020-01-01T00:00:00Z' },
      groups: [{ value: 'g1', display: 'Admins' }],
      [ENTERPRISE_USER]: { manager: { value: 'm1', displayName: 'Boss' } },
    }),
    expected: {
      doc: {
        schemas: [CORE_USER, ENTERPRISE_USER],
        userName: 'bjensen',
        [ENTERPRISE_USER]: { manager: { value: 'm1' } },
      },
    },
  },
  {
    name: 'password extracted, empty password absent',
    input: user({ password: '' }),
    expected: { doc: { schemas: [CORE_USER], userName: 'bjensen' } },
  },
  {
    name: 'Group: members kept (display is readOnly), extra schema URN ignored',
    rs: GROUP,
    input: {
      schemas: [CORE_GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      displayName: 'Engineering',
      members: [
        { value: 'u1', display: 'Ann' },
        { value: 'u2', $ref: null },
      ],
    },
    expected: {
      doc: { schemas: [CORE_GROUP], displayName: 'Engineering', members: [{ value: 'u1' }, { value: 'u2' }] },
    },
  },
  {
    name: 'Group: members may exceed 1000',
    rs: GROUP,
    input: {
      schemas: [CORE_GROUP],
      displayName: 'All',
      members: Array.from({ length: 1001 }, (_, i) => ({ value: `u${i}` })),
    },
    expected: {
      doc: {
        schemas: [CORE_GROUP],
        displayName: 'All',
        members: Array.from({ length: 1001 }, (_, i) => ({ value: `u${i}` })),
      },
    },
  },
  {
    name: 'replace: immutable kept when omitted, equal value accepted, immutable sub-attribute kept',
    rs: DEVICE_RS,
    input: { schemas: [DEVICE], serial: 'ABC', owner: { display: 'Ann' }, label: 'new' },
    options: {
      mode: 'replace',
      existing: { schemas: [DEVICE], serial: 'abc', owner: { value: 'o1', display: 'x' } },
    },
    expected: {
      doc: { schemas: [DEVICE], serial: 'abc', owner: { value: 'o1', display: 'Ann' }, label: 'new' },
    },
  },
  {
    name: 'create: immutable attributes free',
    rs: DEVICE_RS,
    input: { schemas: [DEVICE], serial: 'S1', owner: { value: 'o2' } },
    expected: { doc: { schemas: [DEVICE], serial: 'S1', owner: { value: 'o2' } } },
  },
  // Errors.
  {
    name: 'body not an object',
    input: [],
    error: { scimType: 'invalidSyntax', detail: 'Request body must be a JSON object' },
  },
  {
    name: 'body null',
    input: null,
    error: { scimType: 'invalidSyntax', detail: 'Request body must be a JSON object' },
  },
  {
    name: 'schemas missing',
    input: { userName: 'bjensen' },
    error: { scimType: 'invalidSyntax', detail: `'schemas' must be an array that contains '${CORE_USER}'` },
  },
  {
    name: 'schemas not an array',
    input: { schemas: CORE_USER, userName: 'bjensen' },
    error: { scimType: 'invalidSyntax', detail: `'schemas' must be an array that contains '${CORE_USER}'` },
  },
  {
    name: 'schemas of another resource type',
    input: { schemas: [CORE_GROUP], userName: 'bjensen' },
    error: { scimType: 'invalidSyntax', detail: `'schemas' must be an array that contains '${CORE_USER}'` },
  },
  {
    name: 'userName missing',
    input: { schemas: [CORE_USER], name: { givenName: 'B' } },
    error: { scimType: 'invalidValue', detail: "Attribute 'userName' is required" },
  },
  {
    name: 'userName empty',
    input: { schemas: [CORE_USER], userName: '' },
    error: { scimType: 'invalidValue', detail: "Attribute 'userName' is required" },
  },
  {
    name: 'Group displayName missing',
    rs: GROUP,
    input: { schemas: [CORE_GROUP], members: [] },
    error: { scimType: 'invalidValue', detail: "Attribute 'displayName' is required" },
  },
  {
    name: 'userName required in replace too',
    input: { schemas: [CORE_USER] },
    options: { mode: 'replace', existing: { schemas: [CORE_USER], userName: 'old' } },
    error: { scimType: 'invalidValue', detail: "Attribute 'userName' is required" },
  },
  {
    name: 'type error names the path',
    input: user({ name: { givenName: 1 } }),
    error: { scimType: 'invalidValue', detail: "Attribute 'name.givenName' must be a string" },
  },
  {
    name: 'extension type error names the URN path',
    // A bare string is a manager id (quirks.ts entra-bare-string-manager); a number is not.
    input: user({ [ENTERPRISE_USER]: { manager: 42 } }),
    error: { scimType: 'invalidValue', detail: `Attribute '${ENTERPRISE_USER}:manager' must be an object` },
  },
  {
    name: 'extension not an object',
    input: user({ [ENTERPRISE_USER]: 'x' }),
    error: { scimType: 'invalidValue', detail: `Attribute '${ENTERPRISE_USER}' must be an object` },
  },
  {
    name: 'two primary emails',
    input: user({
      emails: [
        { value: 'a@x', primary: true },
        { value: 'b@x', primary: true },
      ],
    }),
    error: { scimType: 'invalidValue', detail: 'emails: more than one value has primary=true' },
  },
  {
    name: 'same attribute twice in different case',
    input: user({ USERNAME: 'other' }),
    error: { scimType: 'invalidValue', detail: "Attribute 'userName' is given more than once" },
  },
  {
    name: 'more than 1000 values in a User attribute',
    input: user({ emails: Array.from({ length: 1001 }, (_, i) => ({ value: `${i}@x` })) }),
    error: { scimType: 'invalidValue', detail: "Attribute 'emails' has more than 1000 values" },
  },
  {
    name: 'nested deeper than 10',
    input: user({ x: [[[[[[[[[[1]]]]]]]]]] }),
    error: { scimType: 'invalidValue', detail: 'Request body is nested deeper than 10 levels' },
  },
  {
    name: 'replace: immutable changed',
    rs: DEVICE_RS,
    input: { schemas: [DEVICE], serial: 'XYZ' },
    options: { mode: 'replace', existing: { schemas: [DEVICE], serial: 'abc' } },
    error: { scimType: 'mutability', detail: "Attribute 'serial' is immutable" },
  },
  {
    name: 'replace: immutable sub-attribute changed',
    rs: DEVICE_RS,
    input: { schemas: [DEVICE], serial: 'abc', owner: { value: 'o2' } },
    options: { mode: 'replace', existing: { schemas: [DEVICE], serial: 'abc', owner: { value: 'o1' } } },
    error: { scimType: 'mutability', detail: "Attribute 'owner.value' is immutable" },
  },
];

describe('normalizeResource', () => {
  for (const c of cases) {
    test(c.name, () => {
      const run = () => normalizeResource(c.input, c.rs ?? USER, c.options ?? { mode: 'create' });
      if (c.error) {
        assert.throws(run, (e: unknown) => {
          assert.ok(e instanceof ScimError);
          assert.equal(e.status, 400);
          assert.equal(e.scimType, c.error?.scimType);
          assert.equal(e.detail, c.error?.detail);
          return true;
        });
      } else {
        assert.deepEqual(run(), c.expected);
      }
    });
  }

  test('nested exactly 10 deep is accepted', () => {
    // body(1) > x(2..10): nine more levels of arrays.
    const input = user({ x: [[[[[[[[[1]]]]]]]]] });
    assert.deepEqual(normalizeResource(input, USER, { mode: 'create' }).doc, {
      schemas: [CORE_USER],
      userName: 'bjensen',
    });
  });

  test('1000 values accepted', () => {
    const emails = Array.from({ length: 1000 }, (_, i) => ({ value: `${i}@x` }));
    assert.equal(
      (normalizeResource(user({ emails }), USER, { mode: 'create' }).doc.emails as unknown[]).length,
      1000,
    );
  });

  test('does not mutate input or existing', () => {
    const input = user({ name: { GivenName: 'B' }, password: 'p', id: 'x' });
    const copy = structuredClone(input);
    const existing = { schemas: [CORE_USER], userName: 'old' };
    normalizeResource(input, USER, { mode: 'replace', existing });
    assert.deepEqual(input, copy);
    assert.deepEqual(existing, { schemas: [CORE_USER], userName: 'old' });
  });

  test('doc never carries password, id or meta', () => {
    const r = normalizeResource(user({ password: 'secret', id: 'i', meta: {} }), USER, { mode: 'create' });
    assert.equal(r.password, 'secret');
    assert.deepEqual(Object.keys(r.doc), ['schemas', 'userName']);
  });
});
