/**
 * Rippling (docs/idp-notes.md, confidence medium; the test-connection probe low): the attributes it
 * maps (externalId, emails.primary, name.givenName/familyName, employeeNumber), group options
 * (pagination, create & delete, PATCH to edit groups or else PUT). User update verbs are not
 * documented: plain RFC PATCH.
 */
import { attr, email, hasId, listResponse, members, unassigned } from '../checks.ts';
import type { Scenario, Vars } from '../types.ts';
import {
  CORE_GROUP,
  CORE_USER,
  createGroupWithMember,
  createSecondUser,
  deactivation,
  deleteGroup,
  deleteUser,
  duplicateCreate,
  ENTERPRISE,
  GROUP,
  id,
  lookupBeforeCreate,
  membersOp,
  PATCH_OK,
  patch,
  patchGroup,
  reactivation,
  readGroup,
  readRenamedGroup,
  removeMemberWhere,
  SCIM_JSON,
  SERVICE_PROVIDER_CONFIG,
  seq,
  setActive,
  USER,
  verify,
} from './common.ts';

function ripplingUser(userName: unknown, externalId: unknown, given: string, family: string, number: string) {
  return {
    schemas: [CORE_USER, ENTERPRISE],
    userName,
    externalId,
    name: { givenName: given, familyName: family },
    emails: [{ value: userName, type: 'work', primary: true }],
    active: true,
    [ENTERPRISE]: { employeeNumber: number },
  };
}

const main = (v: Vars) => ripplingUser(v.userName, v.externalId, 'Barbara', 'Liskov', '7001');

export const rippling: Scenario = {
  idp: 'rippling',
  title: 'Rippling',
  headers: { 'Content-Type': SCIM_JSON, Accept: SCIM_JSON },
  vars: (run) => ({
    userName: `barbara.${run}@rippling.example.com`,
    externalId: `rp-${run}-1`,
    user2Name: `frances.${run}@rippling.example.com`,
    user2ExternalId: `rp-${run}-2`,
    groupName: `Rippling Compilers ${run}`,
    groupRenamed: `Rippling Languages ${run}`,
  }),
  steps: seq(
    {
      name: 'test connection: GET /ServiceProviderConfig',
      method: 'GET',
      path: '/ServiceProviderConfig',
      status: [200],
      checks: [
        (res) => {
          const schemas = (res.body as { schemas?: unknown } | undefined)?.schemas;
          return Array.isArray(schemas) && schemas.includes(SERVICE_PROVIDER_CONFIG)
            ? undefined
            : `schemas is ${JSON.stringify(schemas)}, expected [${SERVICE_PROVIDER_CONFIG}]`;
        },
      ],
    },
    lookupBeforeCreate(),
    {
      name: 'create user (externalId, primary email, name, employeeNumber)',
      method: 'POST',
      path: '/Users',
      body: main,
      status: [201],
      checks: [hasId(), attr('externalId', '{{externalId}}'), attr(`${ENTERPRISE}:employeeNumber`, '7001')],
      capture: { userId: id },
    },
    duplicateCreate(main),
    createSecondUser((v: Vars) => ripplingUser(v.user2Name, v.user2ExternalId, 'Frances', 'Allen', '7002')),
    {
      name: 'read user',
      method: 'GET',
      path: USER,
      status: [200],
      checks: [
        attr('name.familyName', 'Liskov'),
        email('work', '{{userName}}'),
        attr(`${ENTERPRISE}:employeeNumber`, '7001'),
      ],
    },
    {
      name: 'update: replace name.givenName and employeeNumber',
      method: 'PATCH',
      path: USER,
      body: patch(
        { op: 'replace', path: 'name.givenName', value: 'Barbara Jane' },
        { op: 'replace', path: `${ENTERPRISE}:employeeNumber`, value: '7101' },
      ),
      status: PATCH_OK,
    },
    verify('read after update', USER, [
      attr('name.givenName', 'Barbara Jane'),
      attr(`${ENTERPRISE}:employeeNumber`, '7101'),
    ]),
    {
      name: 'attribute removal: remove employeeNumber',
      method: 'PATCH',
      path: USER,
      body: patch({ op: 'remove', path: `${ENTERPRISE}:employeeNumber` }),
      status: PATCH_OK,
    },
    verify('read: employeeNumber is gone', USER, [
      unassigned(`${ENTERPRISE}:employeeNumber`),
      attr('name.givenName', 'Barbara Jane'),
    ]),
    ...deactivation(setActive('deactivate: replace active false', 'replace', false), 'deactivated'),
    ...reactivation(setActive('reactivate: replace active true', 'replace', true)),
    {
      name: 'Supports Pagination: GET /Groups?startIndex=1&count=100',
      method: 'GET',
      path: '/Groups',
      query: { startIndex: '1', count: '100' },
      status: [200],
      checks: [listResponse({ startIndex: 1, maxItems: 100 })],
    },
    createGroupWithMember('Create & Delete Groups: create group with a member', [
      hasId(),
      members(['{{userId}}']),
    ]),
    patchGroup('Use PATCH to edit Groups: add a member', membersOp('add', '{{user2Id}}')),
    readGroup('read group: both members', ['{{userId}}', '{{user2Id}}']),
    patchGroup('Use PATCH to edit Groups: remove a member', removeMemberWhere('remove', '{{userId}}')),
    readGroup('read group: one member left', ['{{user2Id}}']),
    {
      name: 'PUT to edit Groups: rename and set members',
      method: 'PUT',
      path: GROUP,
      body: {
        schemas: [CORE_GROUP],
        displayName: '{{groupRenamed}}',
        members: [{ value: '{{userId}}' }, { value: '{{user2Id}}' }],
      },
      status: [200],
    },
    readRenamedGroup(['{{userId}}', '{{user2Id}}'], 'read group: renamed, exactly both members'),
    ...deleteGroup('Create & Delete Groups: delete group'),
    ...deleteUser('delete user'),
  ),
};
