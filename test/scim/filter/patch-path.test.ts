import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ScimError } from '../../../src/scim/errors.ts';
import { matchesElement } from '../../../src/scim/filter/evaluate.ts';
import { parsePatchPath } from '../../../src/scim/filter/patch-path.ts';
import { ENTERPRISE_USER, GROUP, USER } from '../../../src/scim/schema/definitions.ts';
import type { ResourceSchema } from '../../../src/scim/schema/types.ts';

interface OkCase {
  name: string;
  path: string;
  rs?: ResourceSchema;
  /** Canonical path of `attribute`. */
  attribute: string;
  /** Whether a filter is expected. */
  filter: boolean;
  subAttribute?: string;
}

const ok: OkCase[] = [
  { name: 'simple attribute', path: 'userName', attribute: 'userName', filter: false },
  { name: 'case-insensitive', path: 'USERNAME', attribute: 'userName', filter: false },
  { name: 'sub-attribute', path: 'name.givenName', attribute: 'name.givenName', filter: false },
  { name: 'complex attribute', path: 'name', attribute: 'name', filter: false },
  { name: 'multi-valued attribute', path: 'emails', attribute: 'emails', filter: false },
  { name: 'multi-valued sub-attribute', path: 'emails.value', attribute: 'emails.value', filter: false },
  { name: 'writeOnly password can be patched', path: 'password', attribute: 'password', filter: false },
  { name: 'value filter', path: 'emails[type eq "work"]', attribute: 'emails', filter: true },
  {
    name: 'value filter with sub-attribute',
    path: 'emails[type eq "work"].value',
    attribute: 'emails',
    filter: true,
    subAttribute: 'value',
  },
  {
    name: 'sub-attribute after filter, case-insensitive',
    path: 'Emails[Type EQ "work"].PRIMARY',
    attribute: 'emails',
    filter: true,
    subAttribute: 'primary',
  },
  {
    name: 'filter with ] and . inside a string',
    path: 'emails[value eq "a].b@x"].display',
    attribute: 'emails',
    filter: true,
    subAttribute: 'display',
  },
  {
    name: 'filter with escaped quote and bracket',
    path: 'emails[value eq "a\\"]b"]',
    attribute: 'emails',
    filter: true,
  },
  {
    name: 'group members',
    path: 'members[value eq "2819c223"]',
    rs: GROUP,
    attribute: 'members',
    filter: true,
  },
  {
    name: 'members with a logical filter',
    path: 'members[value eq "a" or value eq "b"]',
    rs: GROUP,
    attribute: 'members',
    filter: true,
  },
  {
    name: 'extension attribute (URN with dots)',
    path: `${ENTERPRISE_USER}:manager`,
    attribute: `${ENTERPRISE_USER}:manager`,
    filter: false,
  },
  {
    name: 'extension sub-attribute',
    path: `${ENTERPRISE_USER}:manager.value`,
    attribute: `${ENTERPRISE_USER}:manager.value`,
    filter: false,
  },
  {
    name: 'extension attribute, URN in upper case',
    path: `${ENTERPRISE_USER.toUpperCase()}:DEPARTMENT`,
    attribute: `${ENTERPRISE_USER}:department`,
    filter: false,
  },
  {
    name: 'core URN prefix',
    path: 'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName',
    attribute: 'name.familyName',
    filter: false,
  },
  {
    name: 'core URN prefix with filter',
    path: 'urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value',
    attribute: 'emails',
    filter: true,
    subAttribute: 'value',
  },
];

interface ErrCase {
  name: string;
  path: string;
  rs?: ResourceSchema;
  detailIncludes: string;
}

const errors: ErrCase[] = [
  { name: 'empty', path: '', detailIncludes: 'Path is empty at offset 0' },
  { name: 'unknown attribute', path: 'nope', detailIncludes: "Unknown attribute 'nope' at offset 0" },
  {
    name: 'unknown sub-attribute',
    path: 'name.nope',
    detailIncludes: "Unknown attribute 'name.nope' at offset 0",
  },
  { name: 'three parts', path: 'name.givenName.x', detailIncludes: "Unknown attribute 'name.givenName.x'" },
  {
    name: 'unknown schema',
    path: 'urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge',
    detailIncludes: 'Unknown schema in path',
  },
  {
    name: 'unknown extension attribute',
    path: `${ENTERPRISE_USER}:badge`,
    detailIncludes: `Unknown attribute 'badge' at offset ${ENTERPRISE_USER.length + 1}`,
  },
  {
    name: 'brackets on a simple attribute',
    path: 'userName[value eq "x"]',
    detailIncludes: "'userName' is not a multi-valued complex attribute and cannot take '[...]' at offset 8",
  },
  {
    name: 'brackets on a single-valued complex attribute',
    path: `${ENTERPRISE_USER}:manager[value eq "x"]`,
    detailIncludes: 'is not a multi-valued complex attribute',
  },
  {
    name: 'brackets after a sub-attribute',
    path: 'emails.value[type eq "work"]',
    detailIncludes: 'is not a multi-valued complex attribute',
  },
  { name: 'unclosed bracket', path: 'emails[type eq "work"', detailIncludes: "Expected ']' at offset 21" },
  {
    name: 'unterminated string',
    path: 'emails[type eq "work]',
    detailIncludes: 'Unterminated string literal',
  },
  { name: 'empty filter', path: 'emails[]', detailIncludes: 'Filter is empty at offset 7' },
  {
    name: 'bad filter: offsets are in the whole path',
    path: 'emails[type eq "work" and foo pr]',
    detailIncludes: "Unknown sub-attribute 'foo' of 'emails' at offset 26",
  },
  {
    name: 'bad filter syntax',
    path: 'emails[type eq]',
    detailIncludes: 'Expected a value but found end of filter at offset 14',
  },
  {
    name: 'unknown sub-attribute after filter',
    path: 'emails[type eq "work"].nope',
    detailIncludes: "Unknown sub-attribute 'nope' of 'emails' at offset 23",
  },
  {
    name: 'garbage after filter',
    path: 'emails[type eq "work"]x',
    detailIncludes: "Expected '.' or end of path after ']' but found 'x' at offset 22",
  },
  { name: 'two filters', path: 'emails[type eq "work"][value pr]', detailIncludes: 'at offset 22' },
  {
    name: 'sub-attribute of a sub-attribute after filter',
    path: 'emails[type eq "work"].value.x',
    detailIncludes: "Unknown sub-attribute 'value.x'",
  },
  { name: 'unknown in Group', path: 'userName', rs: GROUP, detailIncludes: "Unknown attribute 'userName'" },
  { name: 'too long', path: `emails[value eq "${'a'.repeat(9000)}"]`, detailIncludes: 'longer than 8192' },
  {
    name: 'value filter over 10 comparisons',
    path: `emails[${Array.from({ length: 11 }, () => 'type pr').join(' and ')}].value`,
    detailIncludes: 'more than 10 comparisons',
  },
];

describe('parsePatchPath (RFC 7644 §3.5.2)', () => {
  for (const c of ok) {
    test(c.name, () => {
      const p = parsePatchPath(c.path, c.rs ?? USER);
      assert.equal(p.attribute.path, c.attribute);
      assert.equal(p.filter !== undefined, c.filter);
      assert.equal(p.subAttribute?.name, c.subAttribute);
    });
  }

  for (const c of errors) {
    test(`error: ${c.name}`, () => {
      assert.throws(
        () => parsePatchPath(c.path, c.rs ?? USER),
        (e: unknown) => {
          assert.ok(e instanceof ScimError, String(e));
          assert.equal(e.status, 400);
          assert.equal(e.scimType, 'invalidPath');
          assert.ok(
            e.detail.includes(c.detailIncludes),
            `${JSON.stringify(e.detail)} lacks ${c.detailIncludes}`,
          );
          return true;
        },
      );
    });
  }

  test('filter AST has full paths and evaluates on elements', () => {
    const p = parsePatchPath('emails[type eq "work" and not (primary eq true)].value', USER);
    assert.deepEqual(p.filter, {
      op: 'and',
      left: {
        op: 'eq',
        attr: {
          path: 'emails.type',
          location: ['emails', 'type'],
          type: 'string',
          caseExact: false,
          multiValued: true,
        },
        value: 'work',
      },
      right: {
        op: 'not',
        filter: {
          op: 'eq',
          attr: {
            path: 'emails.primary',
            location: ['emails', 'primary'],
            type: 'boolean',
            caseExact: false,
            multiValued: true,
          },
          value: true,
        },
      },
    });
    assert.ok(p.filter);
    assert.equal(matchesElement(p.filter, { type: 'Work', value: 'x' }), true);
    assert.equal(matchesElement(p.filter, { type: 'work', primary: true }), false);
  });

  test('name.givenName keeps its sub-attribute on attribute', () => {
    const p = parsePatchPath('name.GIVENNAME', USER);
    assert.equal(p.attribute.attribute.name, 'name');
    assert.equal(p.attribute.subAttribute?.name, 'givenName');
    assert.equal(p.subAttribute, undefined);
  });

  test('extension value-path attribute knows its schema', () => {
    const p = parsePatchPath(`${ENTERPRISE_USER}:manager.displayName`, USER);
    assert.equal(p.attribute.schema, ENTERPRISE_USER);
    assert.equal(p.attribute.extension, true);
  });
});
