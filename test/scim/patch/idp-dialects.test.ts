/**
 * PATCH bodies as real IdPs send them (see docs/idp-notes.md), applied by the
 * plain RFC engine: these must work without any IdP-specific switch.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GROUP } from '../../../src/scim/schema/definitions.ts';
import { E, group, patch, patchBody, runCases, user } from './run-cases.ts';

const work = { value: 'bjensen@example.com', type: 'work', primary: true };

describe('Microsoft Entra ID', () => {
  runCases([
    {
      name: 'default dialect: Replace active with the string "False"',
      doc: user({ active: true }),
      ops: [{ op: 'Replace', path: 'active', value: 'False' }],
      expect: user({ active: false }),
      changed: ['active'],
    },
    {
      name: 'default dialect: Add with a filtered email path',
      doc: user({ emails: [work] }),
      ops: [{ op: 'Add', path: 'emails[type eq "work"].value', value: 'babs@example.com' }],
      expect: user({ emails: [{ ...work, value: 'babs@example.com' }] }),
    },
    {
      name: 'default dialect: Replace of several attributes, one op each',
      doc: user({ displayName: 'Babs', [E]: { department: 'Sales' } }),
      ops: [
        { op: 'Replace', path: 'displayName', value: 'Barbara' },
        { op: 'Replace', path: 'name.familyName', value: 'Jensen' },
        { op: 'Replace', path: `${E}:department`, value: 'Tours' },
      ],
      expect: user({ displayName: 'Barbara', name: { familyName: 'Jensen' }, [E]: { department: 'Tours' } }),
      changed: ['displayName', 'name', `${E}:department`],
    },
    {
      name: 'default dialect: Add manager by extension path',
      doc: user(),
      ops: [{ op: 'Add', path: `${E}:manager`, value: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } }],
      expect: user({ [E]: { manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } } }),
    },
    {
      name: 'aadOptscim062020: replace without path, dotted, filtered and URN-qualified keys',
      doc: user({ active: true, emails: [work], name: { familyName: 'Jensen' } }),
      ops: [
        {
          op: 'replace',
          value: {
            displayName: 'Barbara Jensen',
            'name.givenName': 'Barbara',
            'emails[type eq "work"].value': 'barbara@example.com',
            [`${E}:employeeNumber`]: '701984',
            active: false,
          },
        },
      ],
      expect: user({
        active: false,
        displayName: 'Barbara Jensen',
        emails: [{ ...work, value: 'barbara@example.com' }],
        name: { familyName: 'Jensen', givenName: 'Barbara' },
        [E]: { employeeNumber: '701984' },
      }),
      changed: ['active', 'displayName', 'emails', 'name', `${E}:employeeNumber`],
    },
    {
      name: 'add members with "$ref": null, several in one operation',
      rs: GROUP,
      doc: group(),
      ops: [
        {
          op: 'Add',
          path: 'members',
          value: [
            { $ref: null, value: 'f648f8d5-ea3d-4b7d-a1ea-5b9d71a8c8b4' },
            { $ref: null, value: 'a1b2c3d4-0000-4000-8000-000000000001' },
          ],
        },
      ],
      expect: group({
        members: [
          { value: 'f648f8d5-ea3d-4b7d-a1ea-5b9d71a8c8b4' },
          { value: 'a1b2c3d4-0000-4000-8000-000000000001' },
        ],
      }),
      changed: ['members'],
    },
    {
      name: 'Remove members with a value list',
      rs: GROUP,
      doc: group({ members: [{ value: 'u1' }, { value: 'u2' }, { value: 'u3' }] }),
      ops: [{ op: 'Remove', path: 'members', value: [{ value: 'u1' }, { value: 'u3' }] }],
      expect: group({ members: [{ value: 'u2' }] }),
    },
    {
      name: 'aadOptscim062020: remove members[value eq "id"]',
      rs: GROUP,
      doc: group({ members: [{ value: 'u1' }, { value: 'u2' }] }),
      ops: [{ op: 'remove', path: 'members[value eq "u2"]' }],
      expect: group({ members: [{ value: 'u1' }] }),
    },
    {
      name: 'group rename by path',
      rs: GROUP,
      doc: group({ members: [{ value: 'u1' }] }),
      ops: [{ op: 'Replace', path: 'displayName', value: 'Tour Guides' }],
      expect: group({ displayName: 'Tour Guides', members: [{ value: 'u1' }] }),
    },
    {
      name: 'remove of the manager',
      doc: user({ [E]: { manager: { value: 'm1' }, department: 'Tours' } }),
      ops: [{ op: 'Remove', path: `${E}:manager` }],
      expect: user({ [E]: { department: 'Tours' } }),
    },
  ]);
});

describe('Okta', () => {
  runCases([
    {
      name: 'deactivation: replace without path {"active": false}',
      doc: user({ active: true }),
      ops: [{ op: 'replace', value: { active: false } }],
      expect: user({ active: false }),
      changed: ['active'],
    },
    {
      name: 'group rename: replace without path {id, displayName} leaves members alone',
      rs: GROUP,
      doc: group({ members: [{ value: 'u1' }] }),
      ops: [
        { op: 'replace', value: { id: 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b', displayName: 'Tour Guides' } },
      ],
      expect: group({ displayName: 'Tour Guides', members: [{ value: 'u1' }] }),
      changed: ['displayName'],
    },
    {
      name: 'membership: add {value, display} and remove members[value eq] in one request',
      rs: GROUP,
      doc: group({ members: [{ value: 'u1' }, { value: 'u2' }] }),
      ops: [
        { op: 'remove', path: 'members[value eq "u1"]' },
        { op: 'add', path: 'members', value: [{ value: 'u3', display: 'user3@example.com' }] },
      ],
      expect: group({ members: [{ value: 'u2' }, { value: 'u3' }] }),
      changed: ['members'],
    },
    {
      name: 'a retried member removal is idempotent',
      rs: GROUP,
      doc: group({ members: [{ value: 'u2' }] }),
      ops: [{ op: 'remove', path: 'members[value eq "u1"]' }],
      expect: group({ members: [{ value: 'u2' }] }),
      changed: [],
    },
    {
      name: 'a retried member add adds no duplicate',
      rs: GROUP,
      doc: group({ members: [{ value: 'u1' }] }),
      ops: [{ op: 'add', path: 'members', value: [{ value: 'u1', display: 'user1@example.com' }] }],
      changed: [],
    },
    {
      name: 'empty push: replace members []',
      rs: GROUP,
      doc: group({ members: [{ value: 'u1' }, { value: 'u2' }] }),
      ops: [{ op: 'replace', path: 'members', value: [] }],
      expect: group(),
      changed: ['members'],
    },
    {
      name: 'full push: replace members [...]',
      rs: GROUP,
      doc: group({ members: [{ value: 'u1' }, { value: 'u2' }] }),
      ops: [{ op: 'replace', path: 'members', value: [{ value: 'u2' }, { value: 'u3' }, { value: 'U3' }] }],
      expect: group({ members: [{ value: 'u2' }, { value: 'u3' }] }),
    },
  ]);
});

describe('large groups', () => {
  // No timed assertion (STYLE.md); an O(n²) merge would make this file take minutes, not ms.
  test('adding 20k members to and removing 10k from a 20k-member group', () => {
    const members = Array.from({ length: 20_000 }, (_, i) => ({ value: `m${i}` }));
    const doc = group({ members });
    const added = patch(
      doc,
      patchBody([
        { op: 'add', path: 'members', value: Array.from({ length: 20_000 }, (_, i) => ({ value: `n${i}` })) },
        { op: 'remove', path: 'members', value: members.slice(0, 10_000) },
      ]),
      GROUP,
    );
    const result = added.doc.members as { value: string }[];
    assert.equal(result.length, 30_000);
    assert.equal(result[0]?.value, 'm10000');
    assert.equal(result[10_000]?.value, 'n0');
  });
});
