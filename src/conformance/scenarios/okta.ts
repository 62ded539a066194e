/**
 * Okta (docs/idp-notes.md, confidence high): test-connection paging, lookup then create with
 * password/locale/groups [], OIN profile updates as GET then PUT of the whole object (echoing
 * id, meta, groups), (de)activation as a no-path PATCH, AIW deactivation by PUT, and Push
 * Groups (add/remove in one PATCH, no-path rename, full push including `[]`, DELETE). Okta
 * never deletes users: cleanup does.
 */
import {
  active,
  attr,
  emptyList,
  hasId,
  listResponse,
  nonEmptyBody,
  noPassword,
  unassigned,
} from '../checks.ts';
import type { Scenario, Vars } from '../types.ts';
import {
  CORE_GROUP,
  CORE_USER,
  copy,
  deactivation,
  deleteGroup,
  doc,
  duplicateCreate,
  id,
  membersOp,
  PATCH_OK,
  patch,
  patchGroup,
  reactivation,
  readGroup,
  readRenamedGroup,
  removeMemberWhere,
  renameWithoutPath,
  seq,
  USER,
  verify,
} from './common.ts';

function oktaUser(userName: string, externalId: string, given: string, family: string) {
  return {
    schemas: [CORE_USER],
    userName,
    name: { givenName: given, familyName: family },
    emails: [{ primary: true, value: userName, type: 'work' }],
    displayName: `${given} ${family}`,
    locale: 'en-US',
    externalId,
    groups: [],
    password: 'tT9!kq-conformance-Pw',
    active: true,
    title: 'Engineer',
  };
}

/** The captured document with edits, as Okta PUTs it back (id, meta, groups echoed). */
function edited(captured: unknown, edit: (d: Record<string, unknown>) => void) {
  const d = copy(captured) as Record<string, unknown>;
  edit(d);
  return d;
}

const lookup = (name: string, userName: string) => ({
  name,
  method: 'GET' as const,
  path: '/Users',
  query: { filter: `userName eq "{{${userName}}}"`, startIndex: '1', count: '100' },
  // Okta accepts an empty ListResponse or a 404 here.
  status: [200, 404],
  checks: [emptyList()],
});

export const okta: Scenario = {
  idp: 'okta',
  title: 'Okta',
  headers: {
    'User-Agent': 'Okta SCIM Client 1.0.0',
    'Content-Type': 'application/scim+json; charset=utf-8',
    Accept: 'application/scim+json',
  },
  vars: (run) => ({
    userName: `isaac.${run}@okta.example.com`,
    externalId: `00u${run}okta1`,
    user2Name: `mae.${run}@okta.example.com`,
    user2ExternalId: `00u${run}okta2`,
    groupName: `Okta Pilots ${run}`,
    groupRenamed: `Okta Astronauts ${run}`,
  }),
  steps: seq(
    {
      name: 'test connection: GET /Users?startIndex=1&count=2',
      method: 'GET',
      path: '/Users',
      query: { startIndex: '1', count: '2' },
      status: [200],
      checks: [listResponse({ startIndex: 1, maxItems: 2 })],
    },
    {
      name: 'test connection: GET /Groups?startIndex=1&count=100',
      method: 'GET',
      path: '/Groups',
      query: { startIndex: '1', count: '100' },
      status: [200],
      checks: [listResponse({ startIndex: 1, maxItems: 100 })],
    },
    lookup('lookup before create (userName eq, startIndex=1, count=100)', 'userName'),
    {
      name: 'create user (password, locale, groups [], externalId)',
      method: 'POST',
      path: '/Users',
      body: (v: Vars) => oktaUser(String(v.userName), String(v.externalId), 'Isaac', 'Asimov'),
      status: [201],
      checks: [nonEmptyBody(), hasId(), noPassword(), attr('userName', '{{userName}}'), active(true)],
      capture: { userId: id },
    },
    duplicateCreate(
      (v: Vars) => oktaUser(String(v.userName), String(v.externalId), 'Isaac', 'Asimov'),
      'duplicate create is 409 uniqueness (stops the import job)',
    ),
    lookup('lookup before creating a second user', 'user2Name'),
    {
      name: 'create a second user',
      method: 'POST',
      path: '/Users',
      body: (v: Vars) => oktaUser(String(v.user2Name), String(v.user2ExternalId), 'Mae', 'Jemison'),
      status: [201],
      checks: [nonEmptyBody(), hasId()],
      capture: { user2Id: id },
    },
    {
      name: 'read user before a profile update',
      method: 'GET',
      path: USER,
      status: [200],
      checks: [attr('userName', '{{userName}}'), noPassword()],
      capture: { userDoc: doc },
    },
    {
      name: 'profile update: PUT of the whole object (id, meta, groups echoed)',
      method: 'PUT',
      path: USER,
      body: (v: Vars) =>
        edited(v.userDoc, (d) => {
          d.name = { givenName: 'Ike', familyName: 'Asimov' };
          d.title = 'Staff Engineer';
        }),
      status: [200],
      checks: [attr('name.givenName', 'Ike'), attr('title', 'Staff Engineer'), active(true)],
    },
    verify('read after the profile update', USER, [
      attr('name.givenName', 'Ike'),
      attr('name.familyName', 'Asimov'),
      attr('title', 'Staff Engineer'),
      attr('externalId', '{{externalId}}'),
    ]),
    {
      name: 'read user before clearing an attribute',
      method: 'GET',
      path: USER,
      status: [200],
      capture: { userDoc2: doc },
    },
    {
      name: 'attribute removal: PUT of the whole object without title',
      method: 'PUT',
      path: USER,
      body: (v: Vars) =>
        edited(v.userDoc2, (d) => {
          delete d.title;
        }),
      status: [200],
    },
    verify('read: title is gone', USER, [unassigned('title'), attr('name.givenName', 'Ike')]),
    ...deactivation(
      {
        name: 'deactivate: PATCH replace without path, value {"active": false}',
        method: 'PATCH',
        path: USER,
        body: patch({ op: 'replace', value: { active: false } }),
        status: PATCH_OK,
      },
      'deactivated',
      { filter: 'userName eq "{{userName}}"', startIndex: '1', count: '100' },
    ),
    ...reactivation({
      name: 'reactivate: PATCH replace without path, value {"active": true}',
      method: 'PATCH',
      path: USER,
      body: patch({ op: 'replace', value: { active: true } }),
      status: PATCH_OK,
    }),
    {
      name: 'AIW: read user before deactivation by PUT',
      method: 'GET',
      path: USER,
      status: [200],
      capture: { userDoc3: doc },
    },
    {
      name: 'AIW: deactivate by PUT of the whole object with active false',
      method: 'PUT',
      path: USER,
      body: (v: Vars) =>
        edited(v.userDoc3, (d) => {
          d.active = false;
        }),
      status: [200],
      checks: [active(false)],
    },
    verify('read: deactivated by PUT', USER, [active(false), attr('name.givenName', 'Ike')]),
    {
      name: 'Push Groups: create group with members []',
      method: 'POST',
      path: '/Groups',
      body: { schemas: [CORE_GROUP], displayName: '{{groupName}}', members: [] },
      status: [201],
      checks: [nonEmptyBody(), hasId(), attr('displayName', '{{groupName}}')],
      capture: { groupId: id },
    },
    // Okta's member objects carry display; everything else is the shared group vocabulary.
    patchGroup('Push Groups: add a member with display', {
      op: 'add',
      path: 'members',
      value: [{ value: '{{userId}}', display: '{{userName}}' }],
    }),
    readGroup('read group: one member', ['{{userId}}']),
    patchGroup(
      'Push Groups: add and remove (members[value eq "…"]) in one request',
      { op: 'add', path: 'members', value: [{ value: '{{user2Id}}', display: '{{user2Name}}' }] },
      removeMemberWhere('remove', '{{userId}}'),
    ),
    readGroup('read group: the second user only', ['{{user2Id}}']),
    patchGroup(
      'Push Groups: rename by replace without path, value {id, displayName}',
      renameWithoutPath('replace'),
    ),
    readRenamedGroup(['{{user2Id}}']),
    patchGroup('Push Groups: full push, replace members with both users', {
      op: 'replace',
      path: 'members',
      value: [
        { value: '{{userId}}', display: '{{userName}}' },
        { value: '{{user2Id}}', display: '{{user2Name}}' },
      ],
    }),
    readGroup('read group: exactly both users', ['{{userId}}', '{{user2Id}}']),
    patchGroup('Push Groups: empty push, replace members []', membersOp('replace')),
    readGroup('read group: no members', [], attr('displayName', '{{groupRenamed}}')),
    ...deleteGroup('Push Groups: unlink with delete'),
  ),
};
