/**
 * A group lifecycle in plain RFC 7644 shapes, for IdPs whose group requests are not documented
 * (docs/idp-notes.md: Google, OneLogin): lookup, create with a member, add, filtered remove,
 * idempotent add, replace, rename by path, delete. Uses the values userId and user2Id and the
 * names groupName and groupRenamed.
 */
import { attr, emptyList, hasId, members } from '../checks.ts';
import {
  createGroupWithMember,
  deleteGroup,
  membersOp,
  patchGroup,
  readGroup,
  readRenamedGroup,
  removeMemberWhere,
  renameByPath,
  type StepOrFollower,
} from './common.ts';

export function rfcGroupSteps(): StepOrFollower[] {
  return [
    {
      name: 'generic group: lookup before create (displayName eq)',
      method: 'GET',
      path: '/Groups',
      query: { filter: 'displayName eq "{{groupName}}"' },
      status: [200],
      checks: [emptyList()],
    },
    createGroupWithMember('generic group: create with one member', [
      hasId(),
      attr('displayName', '{{groupName}}'),
      members(['{{userId}}']),
    ]),
    patchGroup('generic group: add a member', membersOp('add', '{{user2Id}}')),
    readGroup('generic group: read, both members', ['{{userId}}', '{{user2Id}}']),
    patchGroup(
      'generic group: adding an existing member changes nothing (RFC 7644 §3.5.2.1)',
      membersOp('add', '{{userId}}'),
    ),
    readGroup('generic group: read, still both members once', ['{{userId}}', '{{user2Id}}']),
    patchGroup(
      'generic group: remove a member by filter (RFC 7644 §3.5.2.2)',
      removeMemberWhere('remove', '{{userId}}'),
    ),
    readGroup('generic group: read, the second member only', ['{{user2Id}}']),
    patchGroup('generic group: replace members (RFC 7644 §3.5.2.3)', membersOp('replace', '{{userId}}')),
    readGroup('generic group: read, exactly the replaced list', ['{{userId}}']),
    patchGroup('generic group: rename by replace displayName', renameByPath('replace')),
    readRenamedGroup(['{{userId}}'], 'generic group: read, renamed with members kept'),
    ...deleteGroup('generic group: delete', 'generic group: deleted group is 404'),
  ];
}
