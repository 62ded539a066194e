/**
 * Ping Identity (IDP-NOTES.md, confidence high for verbs, medium for bodies): users matched on
 * userName and written with PUT only (no PATCH); "Provision disabled users" creates users with
 * active false; Remove User Action Disable (PUT active false) or Delete; group matching GETs
 * all groups; group updates by PUT, or by PATCH with provisioner 1.4+.
 */
import {
  active,
  attr,
  eachResource,
  emptyList,
  hasId,
  listIds,
  listIncludes,
  listResponse,
  members,
  scimType,
  unassigned,
} from '../checks.ts';
import type { Scenario, Vars } from '../types.ts';
import { CORE_GROUP, CORE_USER, gone, id, PATCH_OK, patch, SCIM_JSON, seq, verify } from './common.ts';

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

const USER = '/Users/{{userId}}';
const GROUP = '/Groups/{{groupId}}';
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
    {
      name: 'lookup before create (userName eq)',
      method: 'GET',
      path: '/Users',
      query: { filter: 'userName eq "{{userName}}"' },
      status: [200],
      checks: [emptyList()],
    },
    {
      name: 'create user',
      method: 'POST',
      path: '/Users',
      body: (v: Vars) => put(v, { given: 'Rosalind', title: 'Chemist', active: true }),
      status: [201],
      checks: [hasId(), attr('userName', '{{userName}}'), active(true)],
      capture: { userId: id },
    },
    {
      name: 'duplicate create is 409 uniqueness',
      method: 'POST',
      path: '/Users',
      body: (v: Vars) => put(v, { given: 'Rosalind', title: 'Chemist', active: true }),
      status: [409],
      checks: [scimType('uniqueness')],
    },
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
    {
      name: 'Remove User Action Disable: PUT with active false',
      method: 'PUT',
      path: USER,
      body: (v: Vars) => put(v, { given: 'Rosalind Elsie', active: false }),
      status: [200],
      checks: [active(false)],
    },
    verify('disabled user is still returned by GET with active false', USER, [active(false)]),
    {
      name: 'disabled user is still found by filter, with active false',
      method: 'GET',
      path: '/Users',
      query: { filter: 'userName eq "{{userName}}"' },
      status: [200],
      checks: [listIds(['{{userId}}']), eachResource(active(false))],
      after: ['Remove User Action Disable: PUT with active false'],
    },
    {
      name: 're-enable: PUT with active true',
      method: 'PUT',
      path: USER,
      body: (v: Vars) => put(v, { given: 'Rosalind Elsie', active: true }),
      status: [200],
    },
    verify('read: active again', USER, [active(true)]),
    {
      name: 'group matching: GET all groups',
      method: 'GET',
      path: '/Groups',
      status: [200],
      checks: [listResponse()],
    },
    {
      name: 'create group with a member',
      method: 'POST',
      path: '/Groups',
      body: { schemas: [CORE_GROUP], displayName: '{{groupName}}', members: [{ value: '{{userId}}' }] },
      status: [201],
      checks: [hasId(), members(['{{userId}}'])],
      capture: { groupId: id },
    },
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
    verify('read group: renamed, exactly the new member', GROUP, [
      attr('displayName', '{{groupRenamed}}'),
      members(['{{disabledId}}']),
    ]),
    {
      name: 'update group by PATCH (provisioner 1.4+): add a member',
      method: 'PATCH',
      path: GROUP,
      body: patch({ op: 'add', path: 'members', value: [{ value: '{{userId}}' }] }),
      status: PATCH_OK,
    },
    verify('read group: both members', GROUP, [members(['{{userId}}', '{{disabledId}}'])]),
    {
      name: 'update group by PATCH: remove a member',
      method: 'PATCH',
      path: GROUP,
      body: patch({ op: 'remove', path: 'members[value eq "{{disabledId}}"]' }),
      status: PATCH_OK,
    },
    verify('read group: one member left', GROUP, [members(['{{userId}}'])]),
    { name: 'delete group', method: 'DELETE', path: GROUP, status: [204] },
    gone('deleted group is 404', GROUP),
    { name: 'Remove User Action Delete: DELETE user', method: 'DELETE', path: USER, status: [204] },
    gone('deleted user is 404', USER),
  ),
};
