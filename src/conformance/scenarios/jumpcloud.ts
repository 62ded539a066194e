/**
 * JumpCloud (docs/idp-notes.md, confidence medium): activation creates a test user and a test group
 * and deletes both; ids must be strings; updates as per-attribute replace ops with paths;
 * active false by PATCH (inferred); group members added and removed as Azure-style value lists
 * without a filter; group create, update and delete all required.
 */
import { active, attr, hasId, unassigned } from '../checks.ts';
import type { Scenario } from '../types.ts';
import {
  CORE_GROUP,
  CORE_USER,
  createSecondUser,
  deactivation,
  deleteGroup,
  deleteUser,
  deletion,
  duplicateCreate,
  id,
  lookupBeforeCreate,
  membersOp,
  PATCH_OK,
  patch,
  patchGroup,
  reactivation,
  readGroup,
  readRenamedGroup,
  renameByPath,
  SCIM_JSON,
  seq,
  setActive,
  USER,
  verify,
} from './common.ts';

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
    ...deletion(
      'activation: delete the test user',
      '/Users/{{testUserId}}',
      'activation: the test user is gone',
    ),
    ...deletion(
      'activation: delete the test group',
      '/Groups/{{testGroupId}}',
      'activation: the test group is gone',
    ),
    lookupBeforeCreate(),
    {
      name: 'create user (id must be a string)',
      method: 'POST',
      path: '/Users',
      body: (v) => jcUser(String(v.userName), 'Katherine', 'Johnson'),
      status: [201],
      checks: [hasId(), attr('userName', '{{userName}}'), active(true)],
      capture: { userId: id },
    },
    duplicateCreate((v) => jcUser(String(v.userName), 'Katherine', 'Johnson')),
    createSecondUser((v) => jcUser(String(v.user2Name), 'Dorothy', 'Vaughan')),
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
    ...deactivation(setActive('deactivate: replace active false', 'replace', false), 'deactivated'),
    ...reactivation(setActive('reactivate: replace active true', 'replace', true)),
    {
      name: 'create group',
      method: 'POST',
      path: '/Groups',
      body: { schemas: [CORE_GROUP], displayName: '{{groupName}}' },
      status: [201],
      checks: [hasId(), attr('displayName', '{{groupName}}')],
      capture: { groupId: id },
    },
    patchGroup(
      'add members: value list of minimal member objects',
      membersOp('add', '{{userId}}', '{{user2Id}}'),
    ),
    readGroup('read group: both members', ['{{userId}}', '{{user2Id}}']),
    // Removal is Azure-style too: a value list, no filter.
    patchGroup(
      'remove a member: remove, path members, value list (no filter)',
      membersOp('remove', '{{userId}}'),
    ),
    readGroup('read group: the second user only', ['{{user2Id}}']),
    patchGroup('update group: replace displayName', renameByPath('replace')),
    readRenamedGroup(['{{user2Id}}']),
    ...deleteGroup(),
    ...deleteUser('delete user'),
  ),
};
