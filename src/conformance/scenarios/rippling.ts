/**
 * Rippling (IDP-NOTES.md, confidence medium; the test-connection probe low): the attributes it
 * maps (externalId, emails.primary, name.givenName/familyName, employeeNumber), group options
 * (pagination, create & delete, PATCH to edit groups or else PUT). User update verbs are not
 * documented: plain RFC PATCH.
 */
import {
  active,
  attr,
  eachResource,
  email,
  emptyList,
  hasId,
  listIds,
  listResponse,
  members,
  scimType,
  unassigned,
} from '../checks.ts';
import type { Scenario, Vars } from '../types.ts';
import {
  CORE_GROUP,
  CORE_USER,
  ENTERPRISE,
  gone,
  id,
  PATCH_OK,
  patch,
  SCIM_JSON,
  SERVICE_PROVIDER_CONFIG,
  seq,
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

const USER = '/Users/{{userId}}';
const GROUP = '/Groups/{{groupId}}';
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
    {
      name: 'lookup before create (userName eq)',
      method: 'GET',
      path: '/Users',
      query: { filter: 'userName eq "{{userName}}"' },
      status: [200],
      checks: [emptyList()],
    },
    {
      name: 'create user (externalId, primary email, name, employeeNumber)',
      method: 'POST',
      path: '/Users',
      body: main,
      status: [201],
      checks: [hasId(), attr('externalId', '{{externalId}}'), attr(`${ENTERPRISE}:employeeNumber`, '7001')],
      capture: { userId: id },
    },
    {
      name: 'duplicate create is 409 uniqueness',
      method: 'POST',
      path: '/Users',
      body: main,
      status: [409],
      checks: [scimType('uniqueness')],
    },
    {
      name: 'create a second user',
      method: 'POST',
      path: '/Users',
      body: (v: Vars) => ripplingUser(v.user2Name, v.user2ExternalId, 'Frances', 'Allen', '7002'),
      status: [201],
      checks: [hasId()],
      capture: { user2Id: id },
    },
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
      name: 'Supports Pagination: GET /Groups?startIndex=1&count=100',
      method: 'GET',
      path: '/Groups',
      query: { startIndex: '1', count: '100' },
      status: [200],
      checks: [listResponse({ startIndex: 1, maxItems: 100 })],
    },
    {
      name: 'Create & Delete Groups: create group with a member',
      method: 'POST',
      path: '/Groups',
      body: { schemas: [CORE_GROUP], displayName: '{{groupName}}', members: [{ value: '{{userId}}' }] },
      status: [201],
      checks: [hasId(), members(['{{userId}}'])],
      capture: { groupId: id },
    },
    {
      name: 'Use PATCH to edit Groups: add a member',
      method: 'PATCH',
      path: GROUP,
      body: patch({ op: 'add', path: 'members', value: [{ value: '{{user2Id}}' }] }),
      status: PATCH_OK,
    },
    verify('read group: both members', GROUP, [members(['{{userId}}', '{{user2Id}}'])]),
    {
      name: 'Use PATCH to edit Groups: remove a member',
      method: 'PATCH',
      path: GROUP,
      body: patch({ op: 'remove', path: 'members[value eq "{{userId}}"]' }),
      status: PATCH_OK,
    },
    verify('read group: one member left', GROUP, [members(['{{user2Id}}'])]),
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
    verify('read group: renamed, exactly both members', GROUP, [
      attr('displayName', '{{groupRenamed}}'),
      members(['{{userId}}', '{{user2Id}}']),
    ]),
    { name: 'Create & Delete Groups: delete group', method: 'DELETE', path: GROUP, status: [204] },
    gone('deleted group is 404', GROUP),
    { name: 'delete user', method: 'DELETE', path: USER, status: [204] },
    gone('deleted user is 404', USER),
  ),
};
