/**
 * Google Workspace (docs/idp-notes.md, confidence low): Google publishes no request shapes. A probe
 * of `GET /Users?count=1`, then a PATCH-centric lifecycle (no PUT) in plain RFC 7644 shapes;
 * deprovisioning maps to suspend or delete; group steps are the generic ones.
 */
import { active, attr, hasId, listResponse, unassigned } from '../checks.ts';
import type { Scenario, Vars } from '../types.ts';
import {
  CORE_USER,
  createSecondUser,
  deactivation,
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
    lookupBeforeCreate(),
    {
      name: 'create user',
      method: 'POST',
      path: '/Users',
      body: (v: Vars) => googleUser(v.userName, 'Margaret', 'Hamilton'),
      status: [201],
      checks: [hasId(), attr('userName', '{{userName}}'), active(true)],
      capture: { userId: id },
    },
    duplicateCreate((v: Vars) => googleUser(v.userName, 'Margaret', 'Hamilton')),
    createSecondUser((v: Vars) => googleUser(v.user2Name, 'Joan', 'Clarke')),
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
    ...deactivation(setActive('suspend: PATCH replace active false', 'replace', false), 'suspended'),
    ...reactivation(setActive('reactivate: PATCH replace active true', 'replace', true)),
    ...rfcGroupSteps(),
    ...deleteUser('deprovision by delete: DELETE user'),
  ),
};
