/**
 * Any RFC 7644 client: discovery, lookup, create, duplicate, read, case-insensitive userName
 * filter (RFC 7643 §4.1.1), paging, PUT replace, PATCH add/replace/remove, deactivate and
 * reactivate, the generic group lifecycle, DELETE then 404 (RFC 7644 §3.6).
 */
import {
  active,
  attr,
  emptyList,
  hasId,
  header,
  listIds,
  listResponse,
  noPassword,
  scimContentType,
  unassigned,
} from '../checks.ts';
import type { Scenario, Vars } from '../types.ts';
import {
  CORE_USER,
  createSecondUser,
  deletedUserNotFound,
  deleteUser,
  duplicateCreate,
  id,
  lookupBeforeCreate,
  PATCH_OK,
  patch,
  reactivation,
  SCIM_JSON,
  seq,
  setActive,
  USER,
  verify,
} from './common.ts';
import { rfcGroupSteps } from './rfc-groups.ts';

function rfcUser(userName: unknown, given: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: [CORE_USER],
    userName,
    name: { givenName: given, familyName: 'Jensen' },
    emails: [{ value: userName, type: 'work', primary: true }],
    password: 't1meMachine!',
    ...extra,
  };
}

export const generic: Scenario = {
  idp: 'generic',
  title: 'Generic RFC 7644 client',
  headers: { 'Content-Type': SCIM_JSON, Accept: SCIM_JSON },
  vars: (run) => {
    const userName = `bjensen.${run}@generic.example.com`;
    return {
      userName,
      userNameMixed: userName.replace(/^b/, 'B').replace('generic', 'GENERIC'),
      user2Name: `jsmith.${run}@generic.example.com`,
      groupName: `Generic Tour Guides ${run}`,
      groupRenamed: `Generic Travel Agents ${run}`,
    };
  },
  steps: seq(
    {
      name: 'discovery: GET /ServiceProviderConfig',
      method: 'GET',
      path: '/ServiceProviderConfig',
      status: [200],
      checks: [scimContentType()],
    },
    {
      name: 'discovery: GET /ResourceTypes',
      method: 'GET',
      path: '/ResourceTypes',
      status: [200],
      checks: [listResponse()],
    },
    {
      name: 'discovery: GET /Schemas',
      method: 'GET',
      path: '/Schemas',
      status: [200],
      checks: [listResponse()],
    },
    lookupBeforeCreate([listResponse(), emptyList()]),
    {
      name: 'create user (201, Location, no password echoed)',
      method: 'POST',
      path: '/Users',
      body: (v: Vars) => rfcUser(v.userName, 'Barbara', { title: 'Tour Guide' }),
      status: [201],
      checks: [hasId(), scimContentType(), header('Location', /\/Users\/[^/]+$/), noPassword()],
      capture: { userId: id },
    },
    duplicateCreate((v: Vars) => rfcUser(v.userName, 'Barbara')),
    createSecondUser((v: Vars) => rfcUser(v.user2Name, 'John')),
    {
      name: 'filter userName eq is case-insensitive (RFC 7643 §4.1.1)',
      method: 'GET',
      path: '/Users',
      query: { filter: 'userName eq "{{userNameMixed}}"' },
      status: [200],
      checks: [listIds(['{{userId}}'])],
    },
    {
      name: 'paging: startIndex=1&count=1',
      method: 'GET',
      path: '/Users',
      query: { startIndex: '1', count: '1' },
      status: [200],
      checks: [listResponse({ startIndex: 1, maxItems: 1 })],
    },
    {
      name: 'read user',
      method: 'GET',
      path: USER,
      status: [200],
      checks: [attr('userName', '{{userName}}'), attr('title', 'Tour Guide'), noPassword()],
    },
    {
      name: 'PUT replaces the user (RFC 7644 §3.5.1)',
      method: 'PUT',
      path: USER,
      body: (v: Vars) => ({ ...rfcUser(v.userName, 'Babs'), password: undefined, active: true }),
      status: [200],
      checks: [attr('name.givenName', 'Babs'), unassigned('title')],
    },
    {
      name: 'PATCH add, replace and remove',
      method: 'PATCH',
      path: USER,
      body: patch(
        { op: 'add', path: 'nickName', value: 'Babs' },
        { op: 'replace', path: 'name.familyName', value: 'Jensen-Smith' },
        { op: 'remove', path: 'emails[type eq "work"]' },
      ),
      status: PATCH_OK,
    },
    verify('read after PATCH', USER, [
      attr('nickName', 'Babs'),
      attr('name.familyName', 'Jensen-Smith'),
      unassigned('emails'),
    ]),
    // Only the GET read-back here: the filter after deactivation is an IdP need (Entra, Okta, …).
    setActive('deactivate: PATCH replace active false', 'replace', false),
    verify('deactivated user is still returned by GET with active false', USER, [active(false)]),
    ...reactivation(setActive('reactivate: PATCH replace active true', 'replace', true)),
    ...rfcGroupSteps(),
    ...deleteUser('delete user'),
    deletedUserNotFound('delete user'),
  ),
};
