/** PatchOp message parsing, RFC 7644 §3.5.2. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_OPERATIONS, PATCH_OP_URN, parsePatchRequest } from '../../../src/scim/patch/parse.ts';
import { GROUP, USER } from '../../../src/scim/schema/definitions.ts';
import { assertScimError, E, type ExpectedError, patchBody } from './run-cases.ts';

const addTitle = { op: 'add', path: 'title', value: 'x' };

describe('parsePatchRequest errors', () => {
  const cases: { name: string; body: unknown; error: ExpectedError }[] = [
    {
      name: 'body that is not an object',
      body: [addTitle],
      error: { status: 400, scimType: 'invalidSyntax', detailIncludes: 'JSON object' },
    },
    {
      name: 'no schemas',
      body: { Operations: [addTitle] },
      error: { status: 400, scimType: 'invalidSyntax', detailIncludes: PATCH_OP_URN },
    },
    {
      name: 'schemas without the PatchOp URN',
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [addTitle] },
      error: { status: 400, scimType: 'invalidSyntax', detailIncludes: PATCH_OP_URN },
    },
    {
      name: 'no Operations',
      body: { schemas: [PATCH_OP_URN] },
      error: { status: 400, scimType: 'invalidSyntax', detailIncludes: "'Operations' must be an array" },
    },
    {
      name: 'Operations not an array',
      body: { schemas: [PATCH_OP_URN], Operations: addTitle },
      error: { status: 400, scimType: 'invalidSyntax', detailIncludes: "'Operations' must be an array" },
    },
    {
      name: 'empty Operations',
      body: patchBody([]),
      error: { status: 400, scimType: 'invalidValue', detailIncludes: 'at least one operation' },
    },
    {
      name: `more than ${MAX_OPERATIONS} operations`,
      body: patchBody(Array.from({ length: MAX_OPERATIONS + 1 }, () => addTitle)),
      error: { status: 400, scimType: 'invalidValue', detailIncludes: `at most ${MAX_OPERATIONS}` },
    },
    {
      name: 'an operation that is not an object',
      body: patchBody([addTitle, 'add']),
      error: { status: 400, scimType: 'invalidSyntax', detailIncludes: 'Operations[1]: ' },
    },
    {
      name: 'an unknown op',
      body: patchBody([{ op: 'move', path: 'title', value: 'x' }]),
      error: { status: 400, scimType: 'invalidSyntax', detailIncludes: `Operations[0]: 'op' must be one of` },
    },
    {
      name: 'a missing op',
      body: patchBody([{ path: 'title', value: 'x' }]),
      error: { status: 400, scimType: 'invalidSyntax', detailIncludes: 'Operations[0]: ' },
    },
    {
      name: 'a path that is not a string',
      body: patchBody([{ op: 'add', path: 42, value: 'x' }]),
      error: {
        status: 400,
        scimType: 'invalidSyntax',
        detailIncludes: "Operations[0]: 'path' must be a string",
      },
    },
    {
      name: 'remove without path is noTarget',
      body: patchBody([addTitle, { op: 'remove' }]),
      error: {
        status: 400,
        scimType: 'noTarget',
        detailIncludes: "Operations[1]: 'remove' requires a 'path'",
      },
    },
    {
      name: 'add without value',
      body: patchBody([{ op: 'add', path: 'title' }]),
      error: {
        status: 400,
        scimType: 'invalidValue',
        detailIncludes: "Operations[0]: 'add' requires a 'value'",
      },
    },
    {
      name: 'replace without value',
      body: patchBody([{ op: 'replace', path: 'title' }]),
      error: {
        status: 400,
        scimType: 'invalidValue',
        detailIncludes: "Operations[0]: 'replace' requires a 'value'",
      },
    },
    {
      name: 'no-path replace whose value is not an object',
      body: patchBody([{ op: 'replace', value: 'x' }]),
      error: { status: 400, scimType: 'invalidValue', detailIncludes: 'Operations[0]: ' },
    },
    {
      name: 'unknown attribute in path',
      body: patchBody([{ op: 'replace', path: 'favouriteColour', value: 'blue' }]),
      error: { status: 400, scimType: 'invalidPath', detailIncludes: 'Operations[0]: ' },
    },
    {
      name: 'malformed filter in path',
      body: patchBody([{ op: 'remove', path: 'emails[type eq' }]),
      error: { status: 400, scimType: 'invalidPath', detailIncludes: 'Operations[0]: ' },
    },
  ];
  for (const c of cases) test(c.name, () => assertScimError(() => parsePatchRequest(c.body, USER), c.error));
});

describe('parsePatchRequest accepts', () => {
  test('ops in any case, member names in any case, the URN in any case', () => {
    const ops = parsePatchRequest(
      {
        SCHEMAS: [PATCH_OP_URN.toUpperCase()],
        operations: [
          { op: 'Add', path: 'title', value: 'x' },
          { Op: 'REPLACE', Path: 'nickName', Value: 'y' },
          { op: 'Remove', path: 'displayName' },
        ],
      },
      USER,
    );
    assert.deepEqual(
      ops.map((o) => [o.op, o.path?.attribute.path, o.value, o.index]),
      [
        ['add', 'title', 'x', 0],
        ['replace', 'nickName', 'y', 1],
        ['remove', 'displayName', undefined, 2],
      ],
    );
  });

  test('a filtered path keeps its filter and sub-attribute', () => {
    const [op] = parsePatchRequest(
      patchBody([{ op: 'replace', path: 'EMAILS[type eq "work"].Value', value: 'x' }]),
      USER,
    );
    assert.equal(op?.path?.attribute.path, 'emails');
    assert.equal(op?.path?.filter?.op, 'eq');
    assert.equal(op?.path?.subAttribute?.name, 'value');
  });

  test('an empty path is no path', () => {
    const [op] = parsePatchRequest(patchBody([{ op: 'replace', path: '', value: { title: 'x' } }]), USER);
    assert.equal(op?.path, undefined);
    assert.deepEqual(op?.value, { title: 'x' });
  });

  test('a path naming an extension schema becomes a no-path value under that URN', () => {
    const [op] = parsePatchRequest(
      patchBody([{ op: 'add', path: E.toLowerCase(), value: { costCenter: '1' } }]),
      USER,
    );
    assert.equal(op?.path, undefined);
    assert.deepEqual(op?.value, { [E]: { costCenter: '1' } });
  });

  test('remove may carry a value (Entra member removal)', () => {
    const [op] = parsePatchRequest(
      patchBody([{ op: 'Remove', path: 'members', value: [{ value: 'u1' }] }]),
      GROUP,
    );
    assert.deepEqual(op?.value, [{ value: 'u1' }]);
  });

  test(`exactly ${MAX_OPERATIONS} operations, and one operation with 5000 members`, () => {
    assert.equal(
      parsePatchRequest(patchBody(Array.from({ length: MAX_OPERATIONS }, () => addTitle)), USER).length,
      1000,
    );
    const members = Array.from({ length: 5000 }, (_, i) => ({ value: `u${i}` }));
    const [op] = parsePatchRequest(patchBody([{ op: 'add', path: 'members', value: members }]), GROUP);
    assert.equal((op?.value as unknown[] | undefined)?.length, 5000);
  });
});
