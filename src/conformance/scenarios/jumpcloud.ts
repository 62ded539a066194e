/**
 * JumpCloud (IDP-NOTES.md, confidence medium): activation creates a test user and a test group
 * and deletes both; ids must be strings; updates as per-attribute replace ops with paths;
 * active false by PATCH (inferred); group members added and removed as Azure-style value lists
 * without a filter; group create, update and delete all required.
 */
import {
  active,
  attr,
  eachResource,
  emptyList,
  hasId,
  listIds,
  members,
  scimType,
  unassigned,
} from '../checks.ts';
import type { Scenario } from '../types.ts';
import { CORE_GROUP, CORE_USER, gone, id, PATCH_OK, patch, SCIM_JSON, seq, verify } from './common.ts';

function jcUser(userName: string, given: string, family: string) {
  return {
    schemas: [CORE_USER],
    userName,
    externalId: `${userName}-jc`,
    name: { givenName: given, familyName: family },
    displayName: `${given} ${family}`,
    emails: [{ value: userName, type: 'work', primary: true }],
    title: 'Engineer',
    active: true,
  };
}

const USER = '/Users/{{userId}}';
const GROUP = '/Groups/{{groupId}}';

export const jumpcloud: Scenario = {
  idp: 'jumpcloud',
  title: 'JumpCloud',
  headers: { 'Content-Type': SCIM_JSON, Accept: SCIM_JSON },
  vars: (run) => ({
    testUserName: `jc-test-${run}@jumpcloud.example.com`,
    testGroupName: `JumpCloud test group ${run}`,
    userName: `katherine.${run}@jumpcloud.example.com`,
    user2Name: `dorothy.${run}@jumpcloud.example.com`,
    groupName: `JumpCloud Computers ${run}`,
    groupRenamed: `JumpCloud Mathematicians ${run}`,
  }),
  steps: seq(
    {
      name: 'activation: create a test user',
      method: 'POST',
      path: '/Users',
      body: (v) => jcUser(String(v.testUserName), 'Test', 'User'),
      status: [201],
      checks: [hasId()],
      capture: { testUserId: id },
    },
    {
      name: 'activation: create a test group',
      method: 'POST',
      path: '/Groups',
      body: { schemas: [CORE_GROUP], displayName: '{{testGroupName}}' },
      status: [201],
      checks: [hasId()],
      capture: { testGroupId: id },
    },
    {
      name: 'activation: delete the test user',
      method: 'DELETE',
      path: '/Users/{{testUserId}}',
      status: [204],
    },
    gone('activation: the test user is gone', '/Users/{{testUserId}}'),
    {
      name: 'activation: delete the test group',
      method: 'DELETE',
      path: '/Groups/{{testGroupId}}',
      status: [204],
    },
    gone('activation: the test group is gone', '/Groups/{{testGroupId}}'),
    {
      name: 'lookup before create (userName eq)',
      method: 'GET',
      path: '/Users',
      query: { filter: 'userName eq "{{userName}}"' },
      status: [200],
      checks: [emptyList()],
    },
    {
      name: 'create user (id must be a string)',
      method: 'POST',
      path: '/Users',
      body: (v) => jcUser(String(v.userName), 'Katherine', 'Johnson'),
      status: [201],
      checks: [hasId(), attr('userName', '{{userName}}'), active(true)],
      capture: { userId: id },
    },
    {
      name: 'duplicate create is 409 uniqueness',
      method: 'POST',
      path: '/Users',
      body: (v) => jcUser(String(v.userName), 'Katherine', 'Johnson'),
      status: [409],
      checks: [scimType('uniqueness')],
    },
    {
      name: 'create a second user',
      method: 'POST',
      path: '/Users',
      body: (v) => jcUser(String(v.user2Name), 'Dorothy', 'Vaughan'),
      status: [201],
      checks: [hasId()],
      capture: { user2Id: id },
    },
    {
      name: 'read user',
      method: 'GET',
      path: USER,
      status: [200],
      checks: [attr('name.givenName', 'Katherine'), attr('title', 'Engineer')],
    },
    {
      name: 'update: per-attribute replace ops with paths',
      method: 'PATCH',
      path: USER,
      body: patch(
        { op: 'replace', path: 'name.givenName', value: 'Katie' },
        { op: 'replace', path: 'displayName', value: 'Katie Johnson' },
        { op: 'replace', path: 'title', value: 'Research Mathematician' },
      ),
      status: PATCH_OK,
    },
    verify('read after update', USER, [
      attr('name.givenName', 'Katie'),
      attr('name.familyName', 'Johnson'),
      attr('displayName', 'Katie Johnson'),
      attr('title', 'Research Mathematician'),
    ]),
    {
      name: 'attribute removal: remove title',
      method: 'PATCH',
      path: USER,
      body: patch({ op: 'remove', path: 'title' }),
      status: PATCH_OK,
    },
    verify('read: title is gone', USER, [unassigned('title')]),
    {
      name: 'deactivate: replace active false',
      method: 'PATCH',
      path: USER,
      body: patch({ op: 'replace', path: 'active', value: false }),
      status: PATCH_OK,
    },
    verify('deactivated user is still returned by GET with active false', USER, [active(false)]),
    {
      name: 'deactivated user is still found by filter, with active false',
      method: 'GET',
      path: '/Users',
      query: { filter: 'userName eq "{{userName}}"' },
      status: [200],
      checks: [listIds(['{{userId}}']), eachResource(active(false))],
      after: ['deactivate: replace active false'],
    },
    {
      name: 'reactivate: replace active true',
      method: 'PATCH',
      path: USER,
      body: patch({ op: 'replace', path: 'active', value: true }),
      status: PATCH_OK,
    },
    verify('read: active again', USER, [active(true)]),
    {
      name: 'create group',
      method: 'POST',
      path: '/Groups',
      body: { schemas: [CORE_GROUP], displayName: '{{groupName}}' },
      status: [201],
      checks: [hasId(), attr('displayName', '{{groupName}}')],
      capture: { groupId: id },
    },
    {
      name: 'add members: value list of minimal member objects',
      method: 'PATCH',
      path: GROUP,
      body: patch({ op: 'add', path: 'members', value: [{ value: '{{userId}}' }, { value: '{{user2Id}}' }] }),
      status: PATCH_OK,
    },
    verify('read group: both members', GROUP, [members(['{{userId}}', '{{user2Id}}'])]),
    {
      name: 'remove a member: remove, path members, value list (no filter)',
      method: 'PATCH',
      path: GROUP,
      body: patch({ op: 'remove', path: 'members', value: [{ value: '{{userId}}' }] }),
      status: PATCH_OK,
    },
    verify('read group: the second user only', GROUP, [members(['{{user2Id}}'])]),
    {
      name: 'update group: replace displayName',
      method: 'PATCH',
      path: GROUP,
      body: patch({ op: 'replace', path: 'displayName', value: '{{groupRenamed}}' }),
      status: PATCH_OK,
    },
    verify('read group: renamed, members kept', GROUP, [
      attr('displayName', '{{groupRenamed}}'),
      members(['{{user2Id}}']),
    ]),
    { name: 'delete group', method: 'DELETE', path: GROUP, status: [204] },
    gone('deleted group is 404', GROUP),
    { name: 'delete user', method: 'DELETE', path: USER, status: [204] },
    gone('deleted user is 404', USER),
  ),
};
