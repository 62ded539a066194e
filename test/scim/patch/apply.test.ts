/**
 * PATCH application rules, RFC 7644 §3.5.2.1 (add), §3.5.2.2 (remove), §3.5.2.3 (replace),
 * including the RFC's own examples, mutability, primary handling and `changed`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyPatch } from '../../../src/scim/patch/apply.ts';
import { parsePatchRequest } from '../../../src/scim/patch/parse.ts';
import { CORE_USER, GROUP, USER } from '../../../src/scim/schema/definitions.ts';
import { assertScimError, E, group, type PatchCase, patch, patchBody, runCases, user } from './run-cases.ts';

const work = { value: 'bjensen@example.com', type: 'work', primary: true };
const home = { value: 'babs@jensen.org', type: 'home' };
const u1 = { value: '2819c223-7f76-453a-919d-413861904646', type: 'User' };
const u2 = { value: '902c246b-6245-4190-8e05-00816be7344a', type: 'User' };

describe('add (RFC 7644 §3.5.2.1)', () => {
  runCases([
    {
      name: 'RFC example: add without path merges emails and nickname',
      doc: user({ emails: [work] }),
      ops: [
        {
          op: 'add',
          value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs' },
        },
      ],
      expect: user({ emails: [work, home], nickName: 'Babs' }),
      changed: ['emails', 'nickName'],
    },
    {
      name: 'RFC example: add members to a group',
      rs: GROUP,
      doc: group({ members: [u2] }),
      ops: [
        {
          op: 'add',
          path: 'members',
          value: [
            {
              display: 'Babs Jensen',
              $ref: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
              value: '2819c223-7f76-453a-919d-413861904646',
            },
          ],
        },
      ],
      // display is readOnly for members: the server fills it, the client's copy is ignored.
      expect: group({
        members: [
          u2,
          {
            value: '2819c223-7f76-453a-919d-413861904646',
            $ref: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
          },
        ],
      }),
      changed: ['members'],
    },
    {
      name: 'add on a singular simple attribute replaces its value',
      doc: user({ displayName: 'Babs' }),
      ops: [{ op: 'add', path: 'displayName', value: 'Barbara' }],
      expect: user({ displayName: 'Barbara' }),
      changed: ['displayName'],
    },
    {
      name: 'add on a singular complex attribute merges its sub-attributes',
      doc: user({ name: { familyName: 'Jensen', givenName: 'Barbara' } }),
      ops: [{ op: 'add', path: 'name', value: { givenName: 'Babs', MiddleName: 'Jane' } }],
      expect: user({ name: { familyName: 'Jensen', givenName: 'Babs', middleName: 'Jane' } }),
      changed: ['name'],
    },
    {
      name: 'add on a sub-attribute creates the complex attribute',
      doc: user(),
      ops: [{ op: 'add', path: 'name.givenName', value: 'Barbara' }],
      expect: user({ name: { givenName: 'Barbara' } }),
      changed: ['name'],
    },
    {
      name: 'add of an equal value (case-insensitive email) adds nothing',
      doc: user({ emails: [work] }),
      ops: [
        { op: 'add', path: 'emails', value: [{ value: 'BJensen@Example.com', type: 'work', primary: true }] },
      ],
      expect: user({ emails: [work] }),
      changed: [],
    },
    {
      name: 'add of the same value twice in one operation adds it once',
      doc: user(),
      ops: [{ op: 'add', path: 'emails', value: [home, { ...home }] }],
      expect: user({ emails: [home] }),
      changed: ['emails'],
    },
    {
      name: 'add of a single object to a multi-valued attribute appends it',
      doc: user({ emails: [work] }),
      ops: [{ op: 'add', path: 'emails', value: home }],
      expect: user({ emails: [work, home] }),
    },
    {
      name: 'add of a member already present (by value) adds no duplicate',
      rs: GROUP,
      doc: group({ members: [u1] }),
      ops: [{ op: 'add', path: 'members', value: [{ value: u1.value }, { value: u2.value }] }],
      expect: group({ members: [u1, { value: u2.value }] }),
      changed: ['members'],
    },
    {
      name: 'a new primary value clears primary on the others',
      doc: user({ emails: [work] }),
      ops: [{ op: 'add', path: 'emails', value: [{ ...home, primary: true }] }],
      expect: user({
        emails: [
          { ...work, primary: false },
          { ...home, primary: true },
        ],
      }),
    },
    {
      name: 'two primary values in one add are invalid',
      doc: user(),
      ops: [{ op: 'add', path: 'emails', value: [{ ...work }, { ...home, primary: true }] }],
      error: { status: 400, scimType: 'invalidValue', detailIncludes: 'Operations[0]: ' },
    },
    {
      name: 'add with filter and sub-attribute sets it on every matching element',
      doc: user({ emails: [work, home] }),
      ops: [{ op: 'add', path: 'emails[type eq "home"].display', value: 'Home' }],
      expect: user({ emails: [work, { ...home, display: 'Home' }] }),
      changed: ['emails'],
    },
    {
      // A filter of eq conditions describes the element to add (entra-add-on-filtered-path-creates-element);
      // one with `co` does not.
      name: 'add with a filter that matches nothing and describes no element is noTarget',
      doc: user({ emails: [home] }),
      ops: [{ op: 'add', path: 'emails[value co "work"].type', value: 'work' }],
      error: { status: 400, scimType: 'noTarget', detailIncludes: 'Operations[0]: ' },
    },
    {
      name: 'add of an absent value ("") changes nothing',
      doc: user({ nickName: 'Babs' }),
      ops: [{ op: 'add', path: 'nickName', value: '' }],
      expect: user({ nickName: 'Babs' }),
      changed: [],
    },
    {
      name: 'add without path: dotted and URN-qualified keys, extension object',
      doc: user(),
      ops: [
        {
          op: 'add',
          value: {
            'name.givenName': 'Barbara',
            [`${E}:employeeNumber`]: '701984',
            [E]: { department: 'Tour Operations', Manager: { value: 'm1' } },
          },
        },
      ],
      expect: user({
        name: { givenName: 'Barbara' },
        [E]: { employeeNumber: '701984', department: 'Tour Operations', manager: { value: 'm1' } },
      }),
      changed: ['name', `${E}:department`, `${E}:employeeNumber`, `${E}:manager`],
    },
    {
      name: 'add of the enterprise manager by path creates the extension and lists its schema',
      doc: user(),
      ops: [{ op: 'add', path: `${E}:manager`, value: { value: 'm1', displayName: 'Boss' } }],
      expect: user({ [E]: { manager: { value: 'm1' } } }),
      changed: [`${E}:manager`],
    },
    {
      name: 'a path that is an extension URN takes that extension’s attributes',
      doc: user(),
      ops: [{ op: 'add', path: E, value: { costCenter: '4130' } }],
      expect: user({ [E]: { costCenter: '4130' } }),
    },
    {
      name: 'a type error is invalidValue at the operation',
      doc: user(),
      ops: [
        { op: 'add', path: 'title', value: 'Tour Guide' },
        { op: 'add', path: 'active', value: 'yes' },
      ],
      error: { status: 400, scimType: 'invalidValue', detailIncludes: "Operations[1]: Attribute 'active'" },
    },
    {
      name: 'add without path ignores readOnly keys (id, meta, groups), schemas and unknown keys',
      doc: user(),
      ops: [
        {
          op: 'add',
          value: {
            schemas: [CORE_USER],
            id: 'x',
            meta: { resourceType: 'User' },
            groups: [{ value: 'g1' }],
            favouriteColour: 'blue',
            title: 'Tour Guide',
          },
        },
      ],
      expect: user({ title: 'Tour Guide' }),
      changed: ['title'],
    },
    {
      name: 'a malformed filter in a no-path key is invalidPath, not ignored',
      doc: user(),
      ops: [{ op: 'add', value: { 'emails[type eq].value': 'x@example.com' } }],
      error: { status: 400, scimType: 'invalidPath', detailIncludes: 'Operations[0]: ' },
    },
  ]);
});

describe('replace (RFC 7644 §3.5.2.3)', () => {
  const address = {
    streetAddress: '911 Universal City Plaza',
    locality: 'Hollywood',
    region: 'CA',
    postalCode: '91608',
    country: 'US',
    type: 'work',
    primary: true,
  };
  runCases([
    {
      name: 'RFC example: replace without path replaces emails wholesale and sets nickname',
      doc: user({ emails: [work, home], nickName: 'B' }),
      ops: [
        {
          op: 'replace',
          value: {
            emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
            nickname: 'Babs',
          },
        },
      ],
      expect: user({ emails: [work], nickName: 'Babs' }),
      changed: ['emails', 'nickName'],
    },
    {
      name: 'RFC example: replace all members',
      rs: GROUP,
      doc: group({ members: [u1] }),
      ops: [{ op: 'replace', path: 'members', value: [{ display: 'James Smith', value: u2.value }] }],
      expect: group({ members: [{ value: u2.value }] }),
      changed: ['members'],
    },
    {
      name: 'RFC example: replace addresses[type eq "work"]',
      doc: user({ addresses: [{ ...address, streetAddress: 'old', locality: 'Old town' }] }),
      ops: [
        {
          op: 'replace',
          path: 'addresses[type eq "work"]',
          value: {
            type: 'work',
            streetAddress: '911 Universal City Plaza',
            locality: 'Hollywood',
            region: 'CA',
            postalCode: '91608',
            country: 'US',
            formatted: '911 Universal City Plaza\nHollywood, CA 91608 US',
            primary: true,
          },
        },
      ],
      expect: user({
        addresses: [{ formatted: '911 Universal City Plaza\nHollywood, CA 91608 US', ...address }],
      }),
    },
    {
      name: 'RFC example: replace addresses[type eq "work"].streetAddress',
      doc: user({ addresses: [address, { type: 'home', locality: 'Malibu' }] }),
      ops: [{ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }],
      expect: user({
        addresses: [
          { ...address, streetAddress: '1010 Broadway Ave' },
          { type: 'home', locality: 'Malibu' },
        ],
      }),
    },
    {
      name: 'replace with a filter merges the value into the matching element',
      doc: user({ emails: [work, home] }),
      ops: [{ op: 'replace', path: 'emails[type eq "work"]', value: { value: 'babs@example.com' } }],
      expect: user({ emails: [{ ...work, value: 'babs@example.com' }, home] }),
    },
    {
      name: 'replace with a filter that matches nothing and describes no element is noTarget',
      doc: user({ emails: [home] }),
      ops: [
        { op: 'replace', path: 'emails[type eq "work" or type eq "other"].value', value: 'x@example.com' },
      ],
      error: { status: 400, scimType: 'noTarget', detailIncludes: "Operations[0]: No value of 'emails'" },
    },
    {
      name: 'replace with a filter on an attribute with no value is noTarget',
      doc: user(),
      ops: [{ op: 'replace', path: 'emails[not (type eq "home")]', value: { value: 'x@example.com' } }],
      error: { status: 400, scimType: 'noTarget', detailIncludes: 'Operations[0]: ' },
    },
    {
      name: 'replace of the matching elements with null removes them',
      doc: user({ emails: [work, home] }),
      ops: [{ op: 'replace', path: 'emails[type eq "home"]', value: null }],
      expect: user({ emails: [work] }),
    },
    {
      name: 'replace of a complex attribute keeps sub-attributes not given, clears null ones',
      doc: user({ name: { familyName: 'Jensen', givenName: 'Barbara', middleName: 'Jane' } }),
      ops: [{ op: 'replace', path: 'name', value: { givenName: 'Babs', middleName: null } }],
      expect: user({ name: { familyName: 'Jensen', givenName: 'Babs' } }),
    },
    {
      name: 'replace of a complex attribute with null unassigns it',
      doc: user({ name: { familyName: 'Jensen' } }),
      ops: [{ op: 'replace', path: 'name', value: null }],
      expect: user(),
      changed: ['name'],
    },
    {
      name: 'replace of an attribute with no value adds it',
      doc: user(),
      ops: [{ op: 'replace', path: 'title', value: 'Tour Guide' }],
      expect: user({ title: 'Tour Guide' }),
    },
    {
      name: 'replace of a sub-attribute of every element (no filter)',
      doc: user({ emails: [work, home] }),
      ops: [{ op: 'replace', path: 'emails.type', value: 'other' }],
      expect: user({
        emails: [
          { ...work, type: 'other' },
          { ...home, type: 'other' },
        ],
      }),
    },
    {
      name: 'replace of primary through a filter clears the old primary',
      doc: user({ emails: [work, home] }),
      ops: [{ op: 'replace', path: 'emails[type eq "home"].primary', value: true }],
      expect: user({
        emails: [
          { ...work, primary: false },
          { ...home, primary: true },
        ],
      }),
    },
    {
      name: 'replace making two elements primary is invalidValue',
      doc: user({ emails: [work, home] }),
      ops: [{ op: 'replace', path: 'emails[value co "@"].primary', value: true }],
      error: { status: 400, scimType: 'invalidValue', detailIncludes: 'Operations[0]: ' },
    },
    {
      name: 'replace of a multi-valued attribute with [] unassigns it',
      doc: user({ emails: [work] }),
      ops: [{ op: 'replace', path: 'emails', value: [] }],
      expect: user(),
      changed: ['emails'],
    },
    {
      name: 'replace of userName with "" is invalidValue (required)',
      doc: user(),
      ops: [{ op: 'replace', path: 'userName', value: '' }],
      error: {
        status: 400,
        scimType: 'invalidValue',
        detailIncludes: "Operations[0]: Attribute 'userName' is required",
      },
    },
    {
      name: 'replace with the same value changes nothing',
      doc: user({ active: true, name: { givenName: 'Babs' } }),
      ops: [
        { op: 'replace', path: 'active', value: true },
        { op: 'replace', path: 'name.givenName', value: 'Babs' },
      ],
      expect: user({ active: true, name: { givenName: 'Babs' } }),
      changed: [],
    },
    {
      name: 'replace of a multi-valued attribute above the value cap is invalidValue',
      doc: user(),
      ops: [
        {
          op: 'replace',
          path: 'emails',
          value: Array.from({ length: 1001 }, (_, i) => ({ value: `u${i}@example.com` })),
        },
      ],
      error: { status: 400, scimType: 'invalidValue', detailIncludes: 'Operations[0]: ' },
    },
  ]);
});

describe('remove (RFC 7644 §3.5.2.2)', () => {
  runCases([
    {
      name: 'RFC example: remove one member by filter',
      rs: GROUP,
      doc: group({ members: [u1, u2] }),
      ops: [{ op: 'remove', path: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]' }],
      expect: group({ members: [u2] }),
      changed: ['members'],
    },
    {
      name: 'RFC example: remove all members',
      rs: GROUP,
      doc: group({ members: [u1, u2] }),
      ops: [{ op: 'remove', path: 'members' }],
      expect: group(),
      changed: ['members'],
    },
    {
      name: 'RFC example: remove emails by a complex filter',
      doc: user({ emails: [work, home, { value: 'b@example.com', type: 'work' }] }),
      ops: [{ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' }],
      expect: user({ emails: [home] }),
    },
    {
      name: 'RFC example: remove all members, then add some',
      rs: GROUP,
      doc: group({ members: [u1, u2] }),
      ops: [
        { op: 'remove', path: 'members' },
        { op: 'add', path: 'members', value: [{ value: u2.value }] },
      ],
      expect: group({ members: [{ value: u2.value }] }),
    },
    {
      name: 'remove of a singular attribute',
      doc: user({ nickName: 'Babs' }),
      ops: [{ op: 'remove', path: 'nickName' }],
      expect: user(),
      changed: ['nickName'],
    },
    {
      name: 'remove of a sub-attribute; the last one takes the attribute with it',
      doc: user({ name: { familyName: 'Jensen', givenName: 'Barbara' } }),
      ops: [
        { op: 'remove', path: 'name.givenName' },
        { op: 'remove', path: 'Name.FamilyName' },
      ],
      expect: user(),
      changed: ['name'],
    },
    {
      name: 'remove of the last value of a multi-valued attribute unassigns it',
      doc: user({ emails: [home] }),
      ops: [{ op: 'remove', path: 'emails[type eq "home"]' }],
      expect: user(),
      changed: ['emails'],
    },
    {
      name: 'remove with a filter that matches nothing is not an error',
      doc: user({ emails: [home] }),
      ops: [{ op: 'remove', path: 'emails[type eq "work"]' }],
      expect: user({ emails: [home] }),
      changed: [],
    },
    {
      name: 'remove of an attribute with no value is not an error',
      doc: user(),
      ops: [{ op: 'remove', path: 'title' }],
      expect: user(),
      changed: [],
    },
    {
      name: 'remove of a sub-attribute of matching elements',
      doc: user({ emails: [work, home] }),
      ops: [{ op: 'remove', path: 'emails[type eq "work"].primary' }],
      expect: user({ emails: [{ value: work.value, type: 'work' }, home] }),
    },
    {
      name: 'remove with a value list removes the elements with those values',
      rs: GROUP,
      doc: group({ members: [u1, u2] }),
      ops: [{ op: 'remove', path: 'members', value: [{ value: u1.value }, { value: 'not-a-member' }] }],
      expect: group({ members: [u2] }),
      changed: ['members'],
    },
    {
      name: 'remove with a value list works for emails too (case-insensitive value)',
      doc: user({ emails: [work, home] }),
      ops: [{ op: 'remove', path: 'emails', value: [{ value: 'BABS@jensen.org' }] }],
      expect: user({ emails: [work] }),
    },
    {
      name: 'remove with a value list matches on every sub-attribute the listed value gives',
      doc: user({ emails: [work, home] }),
      ops: [{ op: 'remove', path: 'emails', value: [{ value: 'babs@jensen.org', type: 'work' }] }],
      expect: user({ emails: [work, home] }),
      changed: [],
    },
    {
      name: 'remove of the only enterprise attribute drops the extension from schemas',
      doc: user({ [E]: { manager: { value: 'm1' } } }),
      ops: [{ op: 'remove', path: `${E}:manager` }],
      expect: user(),
      changed: [`${E}:manager`],
    },
    {
      name: 'remove of userName is invalidValue (required)',
      doc: user(),
      ops: [{ op: 'remove', path: 'userName' }],
      error: {
        status: 400,
        scimType: 'invalidValue',
        detailIncludes: "Operations[0]: Attribute 'userName' is required",
      },
    },
    {
      name: 'remove of a Group displayName is invalidValue (required)',
      rs: GROUP,
      doc: group(),
      ops: [{ op: 'remove', path: 'displayName' }],
      error: { status: 400, scimType: 'invalidValue', detailIncludes: 'required' },
    },
  ]);
});

describe('mutability (RFC 7644 §3.5.2, RFC 7643 §2.2)', () => {
  const readOnlyPaths: [string, string][] = [
    ['id', 'id'],
    ['meta.lastModified', 'meta.lastModified'],
    ['groups', 'groups'],
    [`${E}:manager.displayName`, `${E}:manager.displayName`],
  ];
  const cases: PatchCase[] = [];
  for (const [path, named] of readOnlyPaths) {
    for (const op of ['add', 'replace', 'remove']) {
      cases.push({
        name: `${op} of readOnly ${path} is mutability`,
        doc: user(),
        ops: [{ op, path, value: op === 'remove' ? undefined : 'x' }],
        error: {
          status: 400,
          scimType: 'mutability',
          detailIncludes: `Operations[0]: Attribute '${named}' is readOnly`,
        },
      });
    }
  }
  cases.push(
    {
      name: 'replace of a readOnly member sub-attribute through a filter is mutability',
      rs: GROUP,
      doc: group({ members: [u1] }),
      ops: [{ op: 'replace', path: `members[value eq "${u1.value}"].display`, value: 'Babs' }],
      error: {
        status: 400,
        scimType: 'mutability',
        detailIncludes: "Attribute 'members[...].display' is readOnly",
      },
    },
    {
      name: 'changing an immutable value (members.value) is mutability',
      rs: GROUP,
      doc: group({ members: [u1] }),
      ops: [{ op: 'replace', path: `members[value eq "${u1.value}"].value`, value: u2.value }],
      error: {
        status: 400,
        scimType: 'mutability',
        detailIncludes: "Attribute 'members.value' is immutable",
      },
    },
    {
      name: 'removing an immutable value is mutability',
      rs: GROUP,
      doc: group({ members: [u1] }),
      ops: [{ op: 'remove', path: 'members.type' }],
      error: { status: 400, scimType: 'mutability', detailIncludes: 'Operations[0]: ' },
    },
    {
      name: 'an immutable value may be set when it has none',
      rs: GROUP,
      doc: group({ members: [{ value: u1.value }] }),
      ops: [{ op: 'add', path: `members[value eq "${u1.value}"].type`, value: 'User' }],
      expect: group({ members: [u1] }),
    },
    {
      name: 'an immutable value may be "changed" to an equal value',
      rs: GROUP,
      doc: group({ members: [u1] }),
      ops: [
        { op: 'replace', path: `members[value eq "${u1.value}"]`, value: { type: 'User', display: 'x' } },
      ],
      expect: group({ members: [u1] }),
      changed: [],
    },
  );
  runCases(cases);
});

describe('password (writeOnly)', () => {
  runCases([
    {
      name: 'a password set by path is returned apart, never in the doc',
      doc: user(),
      ops: [{ op: 'replace', path: 'password', value: 't1meMa$heen' }],
      expect: user(),
      changed: ['password'],
      password: 't1meMa$heen',
    },
    {
      name: 'a password in a no-path value is returned apart',
      doc: user(),
      ops: [{ op: 'replace', value: { password: 'secret', title: 'x' } }],
      expect: user({ title: 'x' }),
      changed: ['password', 'title'],
      password: 'secret',
    },
  ]);
});

describe('atomicity and purity', () => {
  test('a failing second operation leaves the input unchanged and names Operations[1]', () => {
    const doc = user({ emails: [home], displayName: 'Babs' });
    const snapshot = structuredClone(doc);
    const body = patchBody([
      { op: 'replace', path: 'displayName', value: 'Barbara' },
      { op: 'replace', path: 'emails[value co "work"].value', value: 'x@example.com' },
    ]);
    assertScimError(() => patch(doc, body), {
      status: 400,
      scimType: 'noTarget',
      detailIncludes: 'Operations[1]: ',
    });
    assert.deepEqual(doc, snapshot);
  });

  test('a successful patch does not mutate its input, nested values included', () => {
    const doc = user({ emails: [{ ...work }], name: { givenName: 'Babs' } });
    const snapshot = structuredClone(doc);
    const result = patch(
      doc,
      patchBody([
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' },
        { op: 'add', path: 'name.familyName', value: 'Jensen' },
      ]),
    );
    assert.deepEqual(doc, snapshot);
    assert.deepEqual(result.doc.emails, [{ ...work, value: 'new@example.com' }]);
    assert.deepEqual(result.doc.name, { givenName: 'Babs', familyName: 'Jensen' });
  });

  test('operations apply in order: a later one sees an earlier one’s result', () => {
    const result = patch(
      user(),
      patchBody([
        { op: 'add', path: 'emails', value: [home] },
        { op: 'replace', path: 'emails[type eq "home"].primary', value: true },
      ]),
    );
    assert.deepEqual(result.doc.emails, [{ ...home, primary: true }]);
  });

  test('changed is sorted and unique across operations', () => {
    const result = patch(
      user({ emails: [work] }),
      patchBody([
        { op: 'add', path: `${E}:manager`, value: { value: 'm1' } },
        { op: 'add', path: 'name.givenName', value: 'B' },
        { op: 'add', path: 'emails', value: [home] },
        { op: 'add', path: 'name.familyName', value: 'J' },
      ]),
    );
    assert.deepEqual(result.changed, ['emails', 'name', `${E}:manager`]);
    assert.deepEqual(result.doc.schemas, [CORE_USER, E]);
  });

  test('parsed operations can be applied to several docs (parse once, apply many)', () => {
    const ops = parsePatchRequest(patchBody([{ op: 'add', path: 'title', value: 'x' }]), USER);
    const a = applyPatch(user(), ops, USER);
    const b = applyPatch(user({ userName: 'other' }), ops, USER);
    assert.equal(a.doc.title, 'x');
    assert.equal(b.doc.userName, 'other');
  });
});
