import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attributeListParam } from '../../../src/scim/list-query.ts';
import {
  CORE_GROUP,
  CORE_USER,
  defineAttribute,
  ENTERPRISE_USER,
  GROUP,
  USER,
} from '../../../src/scim/schema/definitions.ts';
import { projectResource } from '../../../src/scim/schema/project.ts';
import type { ResourceSchema } from '../../../src/scim/schema/types.ts';

const meta = {
  resourceType: 'User',
  created: '2026-01-01T00:00:00.000Z',
  lastModified: '2026-01-02T00:00:00.000Z',
  location: 'https://x/scim/v2/Users/u1',
  version: 'W/"1"',
};

const resource = {
  schemas: [CORE_USER, ENTERPRISE_USER],
  id: 'u1',
  externalId: 'ext-1',
  userName: 'bjensen',
  name: { familyName: 'Jensen', givenName: 'Barbara' },
  active: true,
  emails: [
    { value: 'b@x', type: 'work', primary: true },
    { value: 'b@home', type: 'home' },
  ],
  groups: [{ value: 'g1', display: 'Admins', type: 'direct' }],
  // Defensive: a doc must never carry it, but if one does it is not output.
  password: 'secret',
  [ENTERPRISE_USER]: { employeeNumber: '7', manager: { value: 'm1', displayName: 'Boss' } },
  meta,
};

const { password: _, ...withoutPassword } = resource;

interface Case {
  name: string;
  rs?: ResourceSchema;
  input?: Record<string, unknown>;
  params: { attributes?: string[]; excludedAttributes?: string[] };
  expected: Record<string, unknown>;
}

const cases: Case[] = [
  { name: 'no parameters: everything but returned never', params: {}, expected: withoutPassword },
  {
    name: 'attributes: one attribute, plus id and schemas; extension URN dropped from schemas',
    params: { attributes: ['userName'] },
    expected: { schemas: [CORE_USER], id: 'u1', userName: 'bjensen' },
  },
  {
    name: 'attributes: case-insensitive and URN-qualified',
    params: { attributes: ['USERNAME', `${CORE_USER}:Name.GivenName`] },
    expected: { schemas: [CORE_USER], id: 'u1', userName: 'bjensen', name: { givenName: 'Barbara' } },
  },
  {
    name: 'attributes: sub-attribute of a multi-valued attribute',
    params: { attributes: ['emails.value'] },
    expected: { schemas: [CORE_USER], id: 'u1', emails: [{ value: 'b@x' }, { value: 'b@home' }] },
  },
  {
    name: 'attributes: two sub-attributes of one attribute',
    params: { attributes: ['emails.value', 'emails.primary'] },
    expected: {
      schemas: [CORE_USER],
      id: 'u1',
      emails: [{ value: 'b@x', primary: true }, { value: 'b@home' }],
    },
  },
  {
    name: 'attributes: whole attribute wins over its sub-attribute',
    params: { attributes: ['emails.value', 'emails'] },
    expected: { schemas: [CORE_USER], id: 'u1', emails: resource.emails },
  },
  {
    name: 'attributes: meta sub-attribute',
    params: { attributes: ['meta.lastModified'] },
    expected: { schemas: [CORE_USER], id: 'u1', meta: { lastModified: '2026-01-02T00:00:00.000Z' } },
  },
  {
    name: 'attributes: whole extension URN',
    params: { attributes: [ENTERPRISE_USER.toLowerCase()] },
    expected: {
      schemas: [CORE_USER, ENTERPRISE_USER],
      id: 'u1',
      [ENTERPRISE_USER]: resource[ENTERPRISE_USER],
    },
  },
  {
    name: 'attributes: extension sub-attribute',
    params: { attributes: [`${ENTERPRISE_USER}:manager.value`] },
    expected: {
      schemas: [CORE_USER, ENTERPRISE_USER],
      id: 'u1',
      [ENTERPRISE_USER]: { manager: { value: 'm1' } },
    },
  },
  {
    name: 'attributes: unknown names ignored, password never',
    params: { attributes: ['nope', 'name.nope', 'urn:x:y:z', 'password', 'userName'] },
    expected: { schemas: [CORE_USER], id: 'u1', userName: 'bjensen' },
  },
  {
    name: 'attributes: an absent attribute is not invented',
    params: { attributes: ['nickName', 'userName'] },
    expected: { schemas: [CORE_USER], id: 'u1', userName: 'bjensen' },
  },
  {
    name: 'excludedAttributes: attributes and a sub-attribute',
    params: { excludedAttributes: ['groups', 'emails.type', 'meta', 'name'] },
    expected: {
      schemas: [CORE_USER, ENTERPRISE_USER],
      id: 'u1',
      externalId: 'ext-1',
      userName: 'bjensen',
      active: true,
      emails: [{ value: 'b@x', primary: true }, { value: 'b@home' }],
      [ENTERPRISE_USER]: resource[ENTERPRISE_USER],
    },
  },
  {
    name: 'excludedAttributes: never drops id',
    params: { excludedAttributes: ['id', 'userName'] },
    expected: (() => {
      const { userName: _u, ...rest } = withoutPassword;
      return rest;
    })(),
  },
  {
    name: 'excludedAttributes: whole extension URN removes it from schemas',
    params: { excludedAttributes: [ENTERPRISE_USER] },
    expected: (() => {
      const { [ENTERPRISE_USER]: _e, ...rest } = withoutPassword;
      return { ...rest, schemas: [CORE_USER] };
    })(),
  },
  {
    name: 'excludedAttributes: extension emptied attribute by attribute',
    params: { excludedAttributes: [`${ENTERPRISE_USER}:employeeNumber`, `${ENTERPRISE_USER}:MANAGER`] },
    expected: (() => {
      const { [ENTERPRISE_USER]: _e, ...rest } = withoutPassword;
      return { ...rest, schemas: [CORE_USER] };
    })(),
  },
  {
    name: 'excludedAttributes: complex emptied by excluding its only sub-attributes',
    input: { schemas: [CORE_USER], id: 'u1', userName: 'b', name: { givenName: 'B' } },
    params: { excludedAttributes: ['name.givenName'] },
    expected: { schemas: [CORE_USER], id: 'u1', userName: 'b' },
  },
  {
    name: 'Entra reads groups with excludedAttributes=members',
    rs: GROUP,
    input: {
      schemas: [CORE_GROUP],
      id: 'g1',
      displayName: 'Eng',
      members: [{ value: 'u1' }],
      meta: { ...meta, resourceType: 'Group' },
    },
    params: { excludedAttributes: ['members'] },
    expected: {
      schemas: [CORE_GROUP],
      id: 'g1',
      displayName: 'Eng',
      meta: { ...meta, resourceType: 'Group' },
    },
  },
  {
    name: 'both parameters: attributes first, then exclusions',
    params: { attributes: ['name', 'userName'], excludedAttributes: ['name.familyName'] },
    expected: { schemas: [CORE_USER], id: 'u1', userName: 'bjensen', name: { givenName: 'Barbara' } },
  },
];

// returned 'request' (none in the standard schemas): only when asked for.
const attr = defineAttribute;
const THING = 'urn:example:Thing';
const THING_RS: ResourceSchema = {
  type: { ...USER.type, schema: THING, schemaExtensions: [] },
  core: {
    id: THING,
    name: 'Thing',
    description: '',
    attributes: [
      attr({ name: 'label' }),
      attr({ name: 'secret', returned: 'request' }),
      attr({
        name: 'box',
        type: 'complex',
        subAttributes: [attr({ name: 'a' }), attr({ name: 'b', returned: 'request' })],
      }),
    ],
  },
  extensions: [],
};
const thing = { schemas: [THING], id: 't', label: 'L', secret: 'S', box: { a: 1, b: 2 } };
cases.push(
  {
    name: 'returned request: not by default',
    rs: THING_RS,
    input: thing,
    params: {},
    expected: { schemas: [THING], id: 't', label: 'L', box: { a: 1 } },
  },
  {
    name: 'returned request: when listed',
    rs: THING_RS,
    input: thing,
    params: { attributes: ['secret', 'box.b'] },
    expected: { schemas: [THING], id: 't', secret: 'S', box: { b: 2 } },
  },
  {
    name: 'returned request: naming the parent includes its request sub-attributes',
    rs: THING_RS,
    input: thing,
    params: { attributes: ['box'] },
    expected: { schemas: [THING], id: 't', box: { a: 1, b: 2 } },
  },
  {
    name: 'returned request: not via excludedAttributes',
    rs: THING_RS,
    input: thing,
    params: { excludedAttributes: ['label'] },
    expected: { schemas: [THING], id: 't', box: { a: 1 } },
  },
);

describe('projectResource', () => {
  for (const c of cases) {
    test(c.name, () => {
      const input = c.input ?? resource;
      const before = structuredClone(input);
      assert.deepEqual(projectResource(input, c.rs ?? USER, c.params), c.expected);
      assert.deepEqual(input, before, 'input not mutated');
    });
  }

  test('schemas comes first', () => {
    const out = projectResource({ id: 'u1', userName: 'b', schemas: [CORE_USER] }, USER, {});
    assert.deepEqual(Object.keys(out), ['schemas', 'id', 'userName']);
  });
});

describe('attributes / excludedAttributes parameter (list-query attributeListParam)', () => {
  const table: { input: string | undefined; expected: string[] | undefined }[] = [
    { input: undefined, expected: undefined },
    { input: '', expected: undefined },
    { input: ' , ,', expected: undefined },
    { input: 'userName', expected: ['userName'] },
    {
      input: ' userName , emails.value,,name.givenName ',
      expected: ['userName', 'emails.value', 'name.givenName'],
    },
    { input: `${ENTERPRISE_USER}:manager`, expected: [`${ENTERPRISE_USER}:manager`] },
  ];
  for (const c of table) {
    test(JSON.stringify(c.input), () =>
      assert.deepEqual(attributeListParam('attributes', c.input), c.expected),
    );
  }
});
