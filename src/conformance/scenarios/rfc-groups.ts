/**
 * A group lifecycle in plain RFC 7644 shapes, for IdPs whose group requests are not documented
 * (IDP-NOTES.md: Google, OneLogin): lookup, create with a member, add, filtered remove,
 * idempotent add, replace, rename by path, delete. Uses the values userId and user2Id and the
 * names groupName and groupRenamed.
 */
import { attr, emptyList, hasId, members } from '../checks.ts';
import type { Step } from '../types.ts';
import { CORE_GROUP, gone, id, PATCH_OK, patch, verify } from './common.ts';

const GROUP = '/Groups/{{groupId}}';

export function rfcGroupSteps(): (Step | ((previous: Step) => Step))[] {
  return [
    {
      name: 'generic group: lookup before create (displayName eq)',
      method: 'GET',
      path: '/Groups',
      query: { filter: 'displayName eq "{{groupName}}"' },
      status: [200],
      checks: [emptyList()],
    },
    {
      name: 'generic group: create with one member',
      method: 'POST',
      path: '/Groups',
      body: { schemas: [CORE_GROUP], displayName: '{{groupName}}', members: [{ value: '{{userId}}' }] },
      status: [201],
      checks: [hasId(), attr('displayName', '{{groupName}}'), members(['{{userId}}'])],
      capture: { groupId: id },
    },
    {
      name: 'generic group: add a member',
      method: 'PATCH',
      path: GROUP,
      body: patch({ op: 'add', path: 'members', value: [{ value: '{{user2Id}}' }] }),
      status: PATCH_OK,
    },
    verify('generic group: read, both members', GROUP, [members(['{{userId}}', '{{user2Id}}'])]),
    {
      name: 'generic group: adding an existing member changes nothing (RFC 7644 §3.5.2.1)',
      method: 'PATCH',
      path: GROUP,
      body: patch({ op: 'add', path: 'members', value: [{ value: '{{userId}}' }] }),
      status: PATCH_OK,
    },
    verify('generic group: read, still both members once', GROUP, [members(['{{userId}}', '{{user2Id}}'])]),
    {
      name: 'generic group: remove a member by filter (RFC 7644 §3.5.2.2)',
      method: 'PATCH',
      path: GROUP,
      body: patch({ op: 'remove', path: 'members[value eq "{{userId}}"]' }),
      status: PATCH_OK,
    },
    verify('generic group: read, the second member only', GROUP, [members(['{{user2Id}}'])]),
    {
      name: 'generic group: replace members (RFC 7644 §3.5.2.3)',
      method: 'PATCH',
      path: GROUP,
      body: patch({ op: 'replace', path: 'members', value: [{ value: '{{userId}}' }] }),
      status: PATCH_OK,
    },
    verify('generic group: read, exactly the replaced list', GROUP, [members(['{{userId}}'])]),
    {
      name: 'generic group: rename by replace displayName',
      method: 'PATCH',
      path: GROUP,
      body: patch({ op: 'replace', path: 'displayName', value: '{{groupRenamed}}' }),
      status: PATCH_OK,
    },
    verify('generic group: read, renamed with members kept', GROUP, [
      attr('displayName', '{{groupRenamed}}'),
      members(['{{userId}}']),
    ]),
    { name: 'generic group: delete', method: 'DELETE', path: GROUP, status: [204] },
    gone('generic group: deleted group is 404', GROUP),
  ];
}
