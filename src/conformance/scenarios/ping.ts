/**
 * Ping Identity (docs/idp-notes.md, confidence high for verbs, medium for bodies): users matched on
 * userName and written with PUT only (no PATCH); "Provision disabled users" creates users with
 * active false; Remove User Action Disable (PUT active false) or Delete; group matching GETs
 * all groups; group updates by PUT, or by PATCH with provisioner 1.4+.
 */
import { active, attr, hasId, listIncludes, listResponse, members, unassigned } from '../checks.ts';
import type { Scenario, Vars } from '../types.ts';
import {
  CORE_GROUP,
  CORE_USER,
  createGroupWithMember,
  deactivation,
  deleteGroup,
  deleteUser,
  duplicateCreate,
  GROUP,
  id,
  lookupBeforeCreate,
  membersOp,
  patchGroup,
  reactivation,
  readGroup,
  readRenamedGroup,
  removeMemberWhere,
  SCIM_JSON,
  seq,
  USER,
  verify,
} from './common.ts';

interface Fields {
  given: string;
  title?: string;
  active: boolean;
}

function pingUser(userName: unknown, f: Fields) {
  return {
    schemas: [CORE_USER],
    userName,
    name: { givenName: f.given, familyName: 'Franklin' },
    emails: [{ value: userName, type: 'work', primary: true }],
    ...(f.title !== undefined ? { title: f.title } : {}),
    active: f.active,
  };
}

const put = (v: Vars, f: Fields) => pingUser(v.userName, f);

export const ping: Scenario = {
  idp: 'ping',
  title: 'Ping Identity',
  headers: { 'Content-Type': SCIM_JSON, Accept: SCIM_JSON },
  vars: (run) => ({
    userName: `rosalind.${run}@ping.example.com`,
    disabledName: `maurice.${run}@ping.example.com`,
    groupName: `Ping Crystallographers ${run}`,
    groupRenamed: `Ping Biophysicists ${run}`,
  }),
  steps: seq(
    lookupBeforeCreate(),
    {
      name: 'create user',
      method: 'POST',
      path: '/Users',
      body: (v: Vars) => put(v, { given: 'Rosalind', title: 'Chemist', active: true }),
      status: [201],
      checks: [hasId(), attr('userName', '{{userName}}'), active(true)],
      capture: { userId: id },
    },
    duplicateCreate((v: Vars) => put(v, { given: 'Rosalind', title: 'Chemist', active: true })),
    {
      name: 'provision a disabled user: create with active false',
      method: 'POST',
      path: '/Users',
      body: (v: Vars) => pingUser(v.disabledName, { given: 'Maurice', active: false }),
      status: [201],
      checks: [hasId(), active(false)],
      capture: { disabledId: id },
    },
    verify('read: the disabled user is disabled', '/Users/{{disabledId}}', [active(false)]),
    {
      name: 'read user',
      method: 'GET',
      path: USER,
      status: [200],
      checks: [attr('name.givenName', 'Rosalind'), attr('title', 'Chemist')],
    },
    {
      name: 'update: PUT of the user',
      method: 'PUT',
      path: USER,
      body: (v: Vars) => put(v, { given: 'Rosalind Elsie', title: 'Crystallographer', active: true }),
      status: [200],
      checks: [attr('name.givenName', 'Rosalind Elsie'), attr('title', 'Crystallographer')],
    },
    verify('read after update', USER, [
      attr('name.givenName', 'Rosalind Elsie'),
      attr('title', 'Crystallographer'),
    ]),
    {
      name: 'attribute removal: PUT without title',
      method: 'PUT',
      path: USER,
      body: (v: Vars) => put(v, { given: 'Rosalind Elsie', active: true }),
      status: [200],
    },
    verify('read: title is gone', USER, [unassigned('title'), attr('name.givenName', 'Rosalind Elsie')]),
    // Ping never PATCHes users: (de)activation is a PUT of the whole user.
    ...deactivation(
      {
        name: 'Remove User Action Disable: PUT with active false',
        method: 'PUT',
        path: USER,
        body: (v: Vars) => put(v, { given: 'Rosalind Elsie', active: false }),
        status: [200],
        checks: [active(false)],
      },
      'disabled',
    ),
    ...reactivation({
      name: 're-enable: PUT with active true',
      method: 'PUT',
      path: USER,
      body: (v: Vars) => put(v, { given: 'Rosalind Elsie', active: true }),
      status: [200],
    }),
    {
      name: 'group matching: GET all groups',
      method: 'GET',
      path: '/Groups',
      status: [200],
      checks: [listResponse()],
    },
    createGroupWithMember('create group with a member', [hasId(), members(['{{userId}}'])]),
    {
      name: 'group matching: GET all groups lists the new group',
      method: 'GET',
      path: '/Groups',
      status: [200],
      checks: [listResponse(), listIncludes('{{groupId}}')],
    },
    {
      name: 'update group by PUT: rename and replace members',
      method: 'PUT',
      path: GROUP,
      body: {
        schemas: [CORE_GROUP],
        displayName: '{{groupRenamed}}',
        members: [{ value: '{{disabledId}}' }],
      },
      status: [200],
    },
    readRenamedGroup(['{{disabledId}}'], 'read group: renamed, exactly the new member'),
    patchGroup('update group by PATCH (provisioner 1.4+): add a member', membersOp('add', '{{userId}}')),
    readGroup('read group: both members', ['{{userId}}', '{{disabledId}}']),
    patchGroup('update group by PATCH: remove a member', removeMemberWhere('remove', '{{disabledId}}')),
    readGroup('read group: one member left', ['{{userId}}']),
    ...deleteGroup(),
    ...deleteUser('Remove User Action Delete: DELETE user'),
  ),
};
