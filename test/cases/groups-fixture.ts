/**
 * Four groups over the users of users-fixture.ts, the fixture of the `members` and `groups`
 * filter cases (filter-cases.ts). Platform is nested in Engineering, so Carol is in
 * Engineering indirectly; Minimal has no displayName, so its `display` is its userName; Empty
 * has no members. Plain data, with the documents the in-memory evaluator sees: each group with
 * its `members`, each user with its computed `groups` (RFC 7643 §4.1.2).
 */
import { fixtureUsers } from './users-fixture.ts';

const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export interface FixtureGroup {
  id: string;
  displayName: string;
  members: { id: string; type: 'User' | 'Group' }[];
}

export const fixtureGroups: FixtureGroup[] = [
  {
    id: 'g-eng',
    displayName: 'Engineering',
    members: [
      { id: 'u-alice', type: 'User' },
      { id: 'u-bob', type: 'User' },
      { id: 'g-platform', type: 'Group' },
    ],
  },
  { id: 'g-platform', displayName: 'Platform', members: [{ id: 'u-carol', type: 'User' }] },
  {
    id: 'g-sales',
    displayName: 'Sales',
    members: [
      { id: 'u-dave', type: 'User' },
      { id: 'u-minimal', type: 'User' },
    ],
  },
  { id: 'g-empty', displayName: 'Empty', members: [] },
];

/** What a member shows as `display`: its displayName, else its userName. */
function displayOf(id: string): string | null {
  const user = fixtureUsers.find((u) => u.id === id);
  if (user) return (user.displayName ?? user.userName ?? null) as string | null;
  return fixtureGroups.find((g) => g.id === id)?.displayName ?? null;
}

/** A group's document as rendered: its members with `value`, `type` and `display`. */
export function groupDoc(group: FixtureGroup): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    schemas: [CORE_GROUP],
    id: group.id,
    displayName: group.displayName,
  };
  if (group.members.length > 0) {
    doc.members = group.members.map((m) => ({ value: m.id, type: m.type, display: displayOf(m.id) }));
  }
  return doc;
}

/** The groups a user is in: directly, then through the groups that contain those. */
function groupsOf(userId: string): { value: string; display: string; type: 'direct' | 'indirect' }[] {
  const direct = fixtureGroups.filter((g) => g.members.some((m) => m.id === userId));
  const seen = new Map<string, 'direct' | 'indirect'>(direct.map((g) => [g.id, 'direct']));
  const queue = [...direct];
  for (let g = queue.shift(); g; g = queue.shift()) {
    for (const parent of fixtureGroups) {
      if (parent.members.some((m) => m.id === g?.id) && !seen.has(parent.id)) {
        seen.set(parent.id, 'indirect');
        queue.push(parent);
      }
    }
  }
  return [...seen].map(([id, type]) => ({ value: id, display: displayOf(id) ?? '', type }));
}

/** The fixture users as rendered, each with its computed `groups` when it is in any. */
export const fixtureUsersWithGroups: Record<string, unknown>[] = fixtureUsers.map((u) => {
  const groups = groupsOf(String(u.id));
  return groups.length > 0 ? { ...u, groups } : u;
});
