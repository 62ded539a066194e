/**
 * Google Workspace (IDP-NOTES.md, confidence low): Google publishes no request shapes. A probe
 * of `GET /Users?count=1`, then a PATCH-centric lifecycle (no PUT) in plain RFC 7644 shapes;
 * deprovisioning maps to suspend or delete; group steps are the generic ones.
 */
import {
  active,
  attr,
  eachResource,
  emptyList,
  hasId,
  listIds,
  listResponse,
  scimType,
  unassigned,
} from '../checks.ts';
import type { Scenario, Vars } from '../types.ts';
import { CORE_USER, gone, id, PATCH_OK, patch, SCIM_JSON, seq, verify } from './common.ts';
import { rfcGroupSteps } from './rfc-groups.ts';

function googleUser(userName: unknown, given: string, family: string) {
  return {
    schemas: [CORE_USER],
    userName,
    name: { givenName: given, familyName: family },
    displayName: `${given} ${family}`,
    emails: [{ value: userName, type: 'work', primary: true }],
    title: 'Engineer',
    active: true,
  };
}

const USER = '/Users/{{userId}}';

export const google: Scenario = {
  idp: 'google',
  title: 'Google Workspace',
  headers: { 'Content-Type': SCIM_JSON, Accept: SCIM_JSON },
  vars: (run) => ({
    userName: `margaret.${run}@google.example.com`,
    user2Name: `joan.${run}@google.example.com`,
    groupName: `Google Apollo ${run}`,
    groupRenamed: `Google Lunar ${run}`,
  }),
  steps: seq(
    {
      name: 'probe: GET /Users?count=1',
      method: 'GET',
      path: '/Users',
      query: { count: '1' },
      status: [200],
      checks: [listResponse({ maxItems: 1 })],
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
      name: 'create user',
      method: 'POST',
      path: '/Users',
      body: (v: Vars) => googleUser(v.userName, 'Margaret', 'Hamilton'),
      status: [201],
      checks: [hasId(), attr('userName', '{{userName}}'), active(true)],
      capture: { userId: id },
    },
    {
      name: 'duplicate create is 409 uniqueness',
      method: 'POST',
      path: '/Users',
      body: (v: Vars) => googleUser(v.userName, 'Margaret', 'Hamilton'),
      status: [409],
      checks: [scimType('uniqueness')],
    },
    {
      name: 'create a second user',
      method: 'POST',
      path: '/Users',
      body: (v: Vars) => googleUser(v.user2Name, 'Joan', 'Clarke'),
      status: [201],
      checks: [hasId()],
      capture: { user2Id: id },
    },
    {
      name: 'read user',
      method: 'GET',
      path: USER,
      status: [200],
      checks: [attr('name.givenName', 'Margaret'), attr('title', 'Engineer')],
    },
    {
      name: 'update: PATCH replace with paths',
      method: 'PATCH',
      path: USER,
      body: patch(
        { op: 'replace', path: 'name.familyName', value: 'Hamilton-Heafield' },
        { op: 'replace', path: 'title', value: 'Director of Software Engineering' },
      ),
      status: PATCH_OK,
    },
    verify('read after update', USER, [
      attr('name.familyName', 'Hamilton-Heafield'),
      attr('title', 'Director of Software Engineering'),
    ]),
    {
      name: 'attribute removal: PATCH remove title',
      method: 'PATCH',
      path: USER,
      body: patch({ op: 'remove', path: 'title' }),
      status: PATCH_OK,
    },
    verify('read: title is gone', USER, [unassigned('title')]),
    {
      name: 'suspend: PATCH replace active false',
      method: 'PATCH',
      path: USER,
      body: patch({ op: 'replace', path: 'active', value: false }),
      status: PATCH_OK,
    },
    verify('suspended user is still returned by GET with active false', USER, [active(false)]),
    {
      name: 'suspended user is still found by filter, with active false',
      method: 'GET',
      path: '/Users',
      query: { filter: 'userName eq "{{userName}}"' },
      status: [200],
      checks: [listIds(['{{userId}}']), eachResource(active(false))],
      after: ['suspend: PATCH replace active false'],
    },
    {
      name: 'reactivate: PATCH replace active true',
      method: 'PATCH',
      path: USER,
      body: patch({ op: 'replace', path: 'active', value: true }),
      status: PATCH_OK,
    },
    verify('read: active again', USER, [active(true)]),
    ...rfcGroupSteps(),
    { name: 'deprovision by delete: DELETE user', method: 'DELETE', path: USER, status: [204] },
    gone('deleted user is 404', USER),
  ),
};
