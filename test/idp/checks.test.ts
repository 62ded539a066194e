/** The conformance checks: each case the response, the check, and the reason it gives (or none). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  active,
  attr,
  emptyList,
  LIST_RESPONSE,
  listIds,
  listResponse,
  members,
  notDisabled,
  scimType,
  typedValue,
  unassigned,
  unassignedOrEmpty,
} from '../../src/conformance/checks.ts';
import type { Check } from '../../src/conformance/types.ts';

const E = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const list = (ids: string[], extra: Record<string, unknown> = {}) => ({
  schemas: [LIST_RESPONSE],
  totalResults: ids.length,
  startIndex: 1,
  itemsPerPage: ids.length,
  Resources: ids.map((id) => ({ id, active: false })),
  ...extra,
});

const cases: { name: string; check: Check; body: unknown; status?: number; expected: string | undefined }[] =
  [
    { name: 'empty list passes', check: emptyList(), body: list([]), expected: undefined },
    {
      name: 'empty list: Resources may be absent at 0',
      check: emptyList(),
      body: { schemas: [LIST_RESPONSE], totalResults: 0 },
      expected: undefined,
    },
    {
      name: 'empty list: 404 passes (where the step allows it)',
      check: emptyList(),
      body: undefined,
      status: 404,
      expected: undefined,
    },
    {
      name: 'empty list: a match fails',
      check: emptyList(),
      body: list(['a']),
      expected: 'expected no match, got totalResults 1',
    },
    {
      name: 'Resources required when totalResults > 0',
      check: listResponse(),
      body: { schemas: [LIST_RESPONSE], totalResults: 2 },
      expected: 'totalResults is 2 but Resources is absent (RFC 7644 §3.4.2)',
    },
    {
      name: 'startIndex as a string fails',
      check: listResponse(),
      body: list([], { startIndex: '1' }),
      expected: 'startIndex is "1", expected an integer',
    },
    {
      name: 'page larger than count fails',
      check: listResponse({ maxItems: 1 }),
      body: list(['a', 'b']),
      expected: '2 Resources on a page of count=1',
    },
    {
      name: 'listIds any order',
      check: listIds(['{{b}}', 'a']),
      body: list(['b', 'a']),
      expected: undefined,
    },
    {
      name: 'listIds extra id fails',
      check: listIds(['a']),
      body: list(['a', 'c']),
      expected: 'ids ["a","c"], expected ["a"]',
    },
    {
      name: 'attr is case-insensitive on names, exact on values',
      check: attr('name.givenName', 'Ada'),
      body: { NAME: { givenname: 'Ada' } },
      expected: undefined,
    },
    {
      name: 'attr under the enterprise URN',
      check: attr(`${E}:manager.value`, '{{b}}'),
      body: { [E]: { manager: { value: 'b' } } },
      expected: undefined,
    },
    {
      name: 'active "False" string is not false',
      check: active(false),
      body: { active: 'False' },
      expected: 'active is "False", expected false',
    },
    { name: 'absent active is not disabled', check: notDisabled(), body: {}, expected: undefined },
    {
      name: 'active false is disabled',
      check: notDisabled(),
      body: { active: false },
      expected: 'active is false, expected true or absent',
    },
    {
      name: 'unassigned: empty array',
      check: unassigned('emails'),
      body: { emails: [] },
      expected: undefined,
    },
    {
      name: 'unassigned: "" is a value',
      check: unassigned('title'),
      body: { title: '' },
      expected: 'title is "", expected it unassigned',
    },
    {
      name: 'unassignedOrEmpty: ""',
      check: unassignedOrEmpty('title'),
      body: { title: '' },
      expected: undefined,
    },
    {
      name: 'typed value',
      check: typedValue('phoneNumbers', 'mobile', '1'),
      body: { phoneNumbers: [{ type: 'work', value: '2' }] },
      expected: 'phoneNumbers[type eq "mobile"].value is absent, expected "1"',
    },
    {
      name: 'members exactly',
      check: members(['a']),
      body: { members: [{ value: 'a' }, { value: 'b' }] },
      expected: 'members ["a","b"], expected ["a"]',
    },
    {
      name: 'members absent means none',
      check: members([]),
      body: { displayName: 'g' },
      expected: undefined,
    },
    {
      name: 'scimType',
      check: scimType('uniqueness'),
      body: { status: '409' },
      expected: 'scimType is absent, expected "uniqueness"',
    },
  ];

for (const c of cases) {
  test(c.name, () => {
    const res = { status: c.status ?? 200, headers: {}, body: c.body, text: JSON.stringify(c.body ?? '') };
    assert.equal(c.check(res, { b: 'b' }), c.expected);
  });
}
