import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ScimError } from '../../../src/scim/errors.ts';
import { USER } from '../../../src/scim/schema/definitions.ts';
import { normalizeAttributeValue } from '../../../src/scim/schema/normalize.ts';
import { resolveAttribute } from '../../../src/scim/schema/resolve.ts';
import type { AttributeDef } from '../../../src/scim/schema/types.ts';

function def(path: string): AttributeDef {
  const r = resolveAttribute(USER, path);
  assert.ok(r, `test setup: ${path} resolves`);
  return r.subAttribute ?? r.attribute;
}

function synthetic(type: AttributeDef['type'], multiValued = false): AttributeDef {
  return {
    name: 'x',
    type,
    multiValued,
    description: '',
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
  };
}

interface Case {
  name: string;
  def: AttributeDef;
  path: string;
  input: unknown;
  expected?: unknown;
  error?: string;
}

const ok: Case[] = [
  { name: 'string', def: def('userName'), path: 'userName', input: 'bjensen', expected: 'bjensen' },
  { name: 'string keeps whitespace', def: def('userName'), path: 'userName', input: ' a ', expected: ' a ' },
  { name: 'null is absent', def: def('userName'), path: 'userName', input: null, expected: undefined },
  { name: 'empty string is absent', def: def('title'), path: 'title', input: '', expected: undefined },
  { name: 'undefined is absent', def: def('title'), path: 'title', input: undefined, expected: undefined },
  {
    name: 'empty array on singular is absent',
    def: def('title'),
    path: 'title',
    input: [],
    expected: undefined,
  },
  {
    name: 'string of max length',
    def: def('title'),
    path: 'title',
    input: 'a'.repeat(65536),
    expected: 'a'.repeat(65536),
  },
  {
    name: 'reference',
    def: def('profileUrl'),
    path: 'profileUrl',
    input: 'https://x/y',
    expected: 'https://x/y',
  },
  { name: 'boolean true', def: def('active'), path: 'active', input: true, expected: true },
  { name: 'boolean false', def: def('active'), path: 'active', input: false, expected: false },
  { name: 'Entra "True"', def: def('active'), path: 'active', input: 'True', expected: true },
  { name: 'Entra "False"', def: def('active'), path: 'active', input: 'False', expected: false },
  { name: '"FALSE"', def: def('active'), path: 'active', input: 'FALSE', expected: false },
  { name: 'integer', def: synthetic('integer'), path: 'x', input: 42, expected: 42 },
  { name: 'negative integer', def: synthetic('integer'), path: 'x', input: -3, expected: -3 },
  { name: 'decimal', def: synthetic('decimal'), path: 'x', input: 1.5, expected: 1.5 },
  { name: 'decimal integer', def: synthetic('decimal'), path: 'x', input: 2, expected: 2 },
  {
    name: 'dateTime Z',
    def: synthetic('dateTime'),
    path: 'x',
    input: '2026-01-02T03:04:05Z',
    expected: '2026-01-02T03:04:05.000Z',
  },
  {
    name: 'dateTime offset',
    def: synthetic('dateTime'),
    path: 'x',
    input: '2026-01-02T03:04:05.5+02:00',
    expected: '2026-01-02T01:04:05.500Z',
  },
  {
    name: 'dateTime without zone read as UTC',
    def: synthetic('dateTime'),
    path: 'x',
    input: '2026-01-02T03:04:05',
    expected: '2026-01-02T03:04:05.000Z',
  },
  {
    name: 'leap day',
    def: synthetic('dateTime'),
    path: 'x',
    input: '2024-02-29T00:00:00Z',
    expected: '2024-02-29T00:00:00.000Z',
  },
  { name: 'binary', def: synthetic('binary'), path: 'x', input: 'TWFu', expected: 'TWFu' },
  { name: 'binary padded', def: synthetic('binary'), path: 'x', input: 'TWE=', expected: 'TWE=' },
  { name: 'binary unpadded', def: synthetic('binary'), path: 'x', input: 'TWE', expected: 'TWE' },
  {
    name: 'complex: keys case-insensitive, canonical order, unknown dropped',
    def: def('name'),
    path: 'name',
    input: { GIVENNAME: 'Barbara', familyname: 'Jensen', nickname: 'Babs' },
    expected: { familyName: 'Jensen', givenName: 'Barbara' },
  },
  {
    name: 'complex: all sub-attributes absent',
    def: def('name'),
    path: 'name',
    input: { givenName: '', familyName: null },
    expected: undefined,
  },
  { name: 'complex: empty object', def: def('name'), path: 'name', input: {}, expected: undefined },
  {
    name: 'complex keeps readOnly sub-attributes',
    def: def('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager'),
    path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
    input: { value: '42', displayName: 'Boss' },
    expected: { value: '42', displayName: 'Boss' },
  },
  {
    name: 'multi-valued complex',
    def: def('emails'),
    path: 'emails',
    input: [
      { Value: 'a@x', Type: 'work', Primary: 'True' },
      { value: 'b@x', type: 'custom-type', primary: false },
    ],
    expected: [
      { value: 'a@x', type: 'work', primary: true },
      { value: 'b@x', type: 'custom-type', primary: false },
    ],
  },
  {
    name: 'single value wrapped in an array',
    def: def('emails'),
    path: 'emails',
    input: { value: 'a@x' },
    expected: [{ value: 'a@x' }],
  },
  {
    name: 'absent elements dropped',
    def: def('emails'),
    path: 'emails',
    input: [{ value: '', type: '' }, null, { value: 'a@x' }],
    expected: [{ value: 'a@x' }],
  },
  {
    name: 'element without value is only a label: dropped',
    def: def('phoneNumbers'),
    path: 'phoneNumbers',
    input: [{ value: '', type: 'work', primary: true }, { value: '555' }],
    expected: [{ value: '555' }],
  },
  {
    name: 'addresses have no value sub-attribute: kept',
    def: def('addresses'),
    path: 'addresses',
    input: [{ locality: 'Hollywood', type: 'work' }],
    expected: [{ locality: 'Hollywood', type: 'work' }],
  },
  {
    name: 'all elements absent',
    def: def('emails'),
    path: 'emails',
    input: [{ value: '' }],
    expected: undefined,
  },
  { name: 'empty multi-valued', def: def('roles'), path: 'roles', input: [], expected: undefined },
  {
    name: 'multi-valued simple',
    def: synthetic('string', true),
    path: 'x',
    input: ['a', '', 'b'],
    expected: ['a', 'b'],
  },
  {
    name: 'multi-valued simple scalar wrapped',
    def: synthetic('integer', true),
    path: 'x',
    input: 7,
    expected: [7],
  },
  {
    name: 'one primary',
    def: def('emails'),
    path: 'emails',
    input: [
      { value: 'a', primary: true },
      { value: 'b', primary: false },
    ],
    expected: [
      { value: 'a', primary: true },
      { value: 'b', primary: false },
    ],
  },
];

const bad: Case[] = [
  {
    name: 'number for string',
    def: def('name.givenName'),
    path: 'name.givenName',
    input: 5,
    error: "Attribute 'name.givenName' must be a string",
  },
  {
    name: 'object for string',
    def: def('userName'),
    path: 'userName',
    input: { a: 1 },
    error: "Attribute 'userName' must be a string",
  },
  {
    name: 'boolean for string',
    def: def('userName'),
    path: 'userName',
    input: true,
    error: "Attribute 'userName' must be a string",
  },
  {
    name: 'array on singular',
    def: def('userName'),
    path: 'userName',
    input: ['a'],
    error: "Attribute 'userName' is single-valued and must not be an array",
  },
  {
    name: 'too long',
    def: def('title'),
    path: 'title',
    input: 'a'.repeat(65537),
    error: "Attribute 'title' is longer than 65536 characters",
  },
  {
    name: 'number for boolean',
    def: def('active'),
    path: 'active',
    input: 1,
    error: "Attribute 'active' must be a boolean",
  },
  {
    name: '"yes" for boolean',
    def: def('active'),
    path: 'active',
    input: 'yes',
    error: "Attribute 'active' must be a boolean",
  },
  {
    name: 'fraction for integer',
    def: synthetic('integer'),
    path: 'x',
    input: 1.5,
    error: "Attribute 'x' must be an integer",
  },
  {
    name: 'string for integer',
    def: synthetic('integer'),
    path: 'x',
    input: '15',
    error: "Attribute 'x' must be an integer",
  },
  {
    name: 'string for decimal',
    def: synthetic('decimal'),
    path: 'x',
    input: '1.5',
    error: "Attribute 'x' must be a number",
  },
  ...[
    '2026-01-02',
    '2026-13-01T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-01-01T24:00:00Z',
    'yesterday',
    '1767225600000',
  ].map(
    (input): Case => ({
      name: `dateTime ${input}`,
      def: synthetic('dateTime'),
      path: 'x',
      input,
      error: "Attribute 'x' must be a dateTime (xsd:dateTime, e.g. 2026-01-01T00:00:00Z)",
    }),
  ),
  {
    name: 'number for dateTime',
    def: synthetic('dateTime'),
    path: 'x',
    input: 0,
    error: "Attribute 'x' must be a dateTime (xsd:dateTime, e.g. 2026-01-01T00:00:00Z)",
  },
  ...['a-b_', 'TWE==', 'T', 'TW=E'].map(
    (input): Case => ({
      name: `binary ${input}`,
      def: synthetic('binary'),
      path: 'x',
      input,
      error: "Attribute 'x' must be base64-encoded binary",
    }),
  ),
  {
    name: 'string for complex',
    def: def('name'),
    path: 'name',
    input: 'Barbara',
    error: "Attribute 'name' must be an object",
  },
  {
    name: 'sub-attribute type',
    def: def('emails'),
    path: 'emails',
    input: [{ value: 1 }],
    error: "Attribute 'emails.value' must be a string",
  },
  {
    name: 'primary type',
    def: def('emails'),
    path: 'emails',
    input: [{ value: 'a', primary: 'maybe' }],
    error: "Attribute 'emails.primary' must be a boolean",
  },
  {
    name: 'two primaries',
    def: def('emails'),
    path: 'emails',
    input: [
      { value: 'a', primary: true },
      { value: 'b', primary: 'true' },
    ],
    error: 'emails: more than one value has primary=true',
  },
  {
    name: 'nested array',
    def: def('emails'),
    path: 'emails',
    input: [[{ value: 'a' }]],
    error: "Attribute 'emails' must not contain nested arrays",
  },
  {
    name: 'sub-attribute twice in different case',
    def: def('name'),
    path: 'name',
    input: { givenName: 'a', GivenName: 'b' },
    error: "Attribute 'name.givenName' is given more than once",
  },
];

describe('normalizeAttributeValue', () => {
  for (const c of ok) {
    test(c.name, () => {
      assert.deepEqual(normalizeAttributeValue(c.def, c.input, c.path), c.expected);
    });
  }
  for (const c of bad) {
    test(`rejects: ${c.name}`, () => {
      assert.throws(
        () => normalizeAttributeValue(c.def, c.input, c.path),
        (e: unknown) => {
          assert.ok(e instanceof ScimError);
          assert.equal(e.status, 400);
          assert.equal(e.scimType, 'invalidValue');
          assert.equal(e.detail, c.error);
          return true;
        },
      );
    });
  }
  test('does not mutate its input', () => {
    const input = [{ Value: 'a@x', primary: 'true' }];
    normalizeAttributeValue(def('emails'), input, 'emails');
    assert.deepEqual(input, [{ Value: 'a@x', primary: 'true' }]);
  });
});
