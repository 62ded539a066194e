/**
 * OneLogin (docs/idp-notes.md, confidence medium): bodies are the admin's SCIM JSON template, so
 * unmapped fields arrive as "" and `active` is absent; manager as {value, displayName}.
 * Inferred, not documented: updates as PUT of the re-rendered template, suspend as PATCH
 * active. Group requests are not documented: plain RFC shapes. Deprovisioning action: Delete.
 */
import { active, attr, hasId, listResponse, notDisabled, unassignedOrEmpty } from '../checks.ts';
import type { Scenario, Vars } from '../types.ts';
import {
  CORE_USER,
  deactivation,
  deleteUser,
  duplicateCreate,
  ENTERPRISE,
  id,
  lookupBeforeCreate,
  reactivation,
  SCIM_JSON,
  seq,
  setActive,
  USER,
  verify,
} from './common.ts';
import { rfcGroupSteps } from './rfc-groups.ts';

interface Fields {
  userName: unknown;
  given: string;
  family: string;
  title?: string;
  managerId?: unknown;
  managerName?: string;
}

/** The template as a OneLogin admin writes it, rendered: unmapped values become "". */
function template(f: Fields) {
  return {
    schemas: [CORE_USER, ENTERPRISE],
    userName: f.userName,
    name: { givenName: f.given, familyName: f.family },
    emails: [{ value: f.userName, type: 'work', primary: true }],
    title: f.title ?? '',
    phoneNumbers: [{ value: '', type: 'work' }],
    [ENTERPRISE]: {
      department: '',
      manager: { value: f.managerId ?? '', displayName: f.managerName ?? '' },
    },
  };
}

const user = (v: Vars, title?: string) =>
  template({
    userName: v.userName,
    given: 'Hedy',
    family: 'Lamarr',
    managerId: v.user2Id,
    managerName: 'Grace Hopper',
    ...(title !== undefined ? { title } : {}),
  });

export const onelogin: Scenario = {
  idp: 'onelogin',
  title: 'OneLogin',
  headers: { 'Content-Type': SCIM_JSON, Accept: SCIM_JSON },
  vars: (run) => ({
    userName: `hedy.${run}@onelogin.example.com`,
    user2Name: `grace.${run}@onelogin.example.com`,
    groupName: `OneLogin Inventors ${run}`,
    groupRenamed: `OneLogin Pioneers ${run}`,
  }),
  steps: seq(
    {
      name: 'initial connection (inferred: a one-item user list)',
      method: 'GET',
      path: '/Users',
      query: { startIndex: '1', count: '1' },
      status: [200],
      checks: [listResponse({ maxItems: 1 })],
    },
    lookupBeforeCreate(),
    {
      name: 'create the manager from the template (its own manager unmapped: "")',
      method: 'POST',
      path: '/Users',
      body: (v: Vars) =>
        template({ userName: v.user2Name, given: 'Grace', family: 'Hopper', title: 'Admiral' }),
      status: [201],
      checks: [hasId(), notDisabled()],
      capture: { user2Id: id },
    },
    {
      name: 'create user from the template (no active, "" for unmapped fields, manager {value, displayName})',
      method: 'POST',
      path: '/Users',
      body: (v: Vars) => user(v),
      status: [201],
      checks: [hasId(), notDisabled(), attr('userName', '{{userName}}')],
      capture: { userId: id },
    },
    duplicateCreate((v: Vars) => user(v)),
    {
      name: 'read user',
      method: 'GET',
      path: USER,
      status: [200],
      checks: [
        notDisabled(),
        attr('name.givenName', 'Hedy'),
        attr(`${ENTERPRISE}:manager.value`, '{{user2Id}}'),
      ],
    },
    {
      name: 'update (inferred): PUT of the re-rendered template, no active',
      method: 'PUT',
      path: USER,
      body: (v: Vars) => user(v, 'Inventor'),
      status: [200],
    },
    verify('read after update: title set, still active', USER, [attr('title', 'Inventor'), notDisabled()]),
    ...deactivation(
      setActive('suspend (inferred): PATCH replace active false', 'replace', false),
      'suspended',
    ),
    {
      name: 'update while suspended: PUT of the template (no active)',
      method: 'PUT',
      path: USER,
      body: (v: Vars) => user(v, 'Inventor and actress'),
      status: [200],
    },
    verify('read: a PUT without active leaves the user suspended', USER, [
      active(false),
      attr('title', 'Inventor and actress'),
    ]),
    ...reactivation(setActive('reactivate (inferred): PATCH replace active true', 'replace', true)),
    {
      name: 'attribute removal: the template renders title as ""',
      method: 'PUT',
      path: USER,
      body: (v: Vars) => user(v, ''),
      status: [200],
    },
    verify('read: title cleared', USER, [unassignedOrEmpty('title'), active(true)]),
    ...rfcGroupSteps(),
    ...deleteUser('deprovision (action Delete): DELETE user'),
  ),
};
