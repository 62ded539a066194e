/** Wire constants and small step builders shared by the IdP scenarios. */
import { randomUUID } from 'node:crypto';
import { active, attr, eachResource, emptyList, hasId, listIds, members, scimType } from '../checks.ts';
import type { Check, JsonTemplate, Step, StepResponse } from '../types.ts';

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SERVICE_PROVIDER_CONFIG = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const SCIM_JSON = 'application/scim+json';

/** RFC 7644 §3.5.2: PATCH answers 200 with the resource or 204 without. */
export const PATCH_OK = [200, 204] as const;

export function patch(...Operations: JsonTemplate[]): JsonTemplate {
  return { schemas: [PATCH_OP], Operations };
}

/** Capture the `id` of the response body. */
export function id(res: StepResponse): unknown {
  return (res.body as { id?: unknown } | undefined)?.id;
}

/** Capture the whole response body (for IdPs that GET then PUT the object back). */
export function doc(res: StepResponse): unknown {
  return res.body;
}

/** A fresh GUID, as Entra sends in its probes and externalIds. */
export function guid(): string {
  return randomUUID();
}

/** A deep copy of a captured document, so a step's body never edits what another step captured. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

export type StepOrFollower = Step | ((previous: Step) => Step);

/**
 * A step list where `verify(...)` entries become a GET that runs only when the step before it
 * passed: a read-back after an update says something only if the update was accepted.
 */
export function seq(...items: StepOrFollower[]): Step[] {
  const steps: Step[] = [];
  for (const item of items) {
    const previous = steps.at(-1);
    if (typeof item === 'function') {
      if (!previous) throw new Error('verify() needs a step before it');
      steps.push(item(previous));
    } else steps.push(item);
  }
  return steps;
}

/** A GET read-back of `path`, after the previous step passed. */
export function verify(
  name: string,
  path: string,
  checks: Check[],
  query?: Record<string, string>,
): (previous: Step) => Step {
  return (previous) => ({
    name,
    method: 'GET',
    path,
    ...(query ? { query } : {}),
    status: [200],
    checks,
    after: [previous.name],
  });
}

/** A GET expecting 404 after a DELETE (RFC 7644 §3.6). */
export function gone(name: string, path: string): (previous: Step) => Step {
  return (previous) => ({ name, method: 'GET', path, status: [404], after: [previous.name] });
}

/** The run's main user and group, as captured by their create steps (userId, groupId). */
export const USER = '/Users/{{userId}}';
export const GROUP = '/Groups/{{groupId}}';

/** The lookup most IdPs make before a create and after a deactivation. */
const BY_USER_NAME = { filter: 'userName eq "{{userName}}"' };

// --- Users ---------------------------------------------------------------------------------

/** An IdP looks the userName up before it creates: no match is a 200 empty ListResponse. */
export function lookupBeforeCreate(checks: Check[] = [emptyList()]): Step {
  return {
    name: 'lookup before create (userName eq)',
    method: 'GET',
    path: '/Users',
    query: BY_USER_NAME,
    status: [200],
    checks,
  };
}

/** RFC 7644 §3.3: creating the same userName again is 409 with scimType uniqueness. */
export function duplicateCreate(body: Step['body'], name = 'duplicate create is 409 uniqueness'): Step {
  return { name, method: 'POST', path: '/Users', body, status: [409], checks: [scimType('uniqueness')] };
}

/** The second user (user2Id) that group membership steps move in and out. */
export function createSecondUser(body: Step['body']): Step {
  return {
    name: 'create a second user',
    method: 'POST',
    path: '/Users',
    body,
    status: [201],
    checks: [hasId()],
    capture: { user2Id: id },
  };
}

/** PATCH of `active` with a path; `op` and `value` as the IdP spells them (Entra: "Replace", "False"). */
export function setActive(name: string, op: string, value: JsonTemplate): Step {
  return { name, method: 'PATCH', path: USER, body: patch({ op, path: 'active', value }), status: PATCH_OK };
}

/**
 * The step that deactivates the main user (whatever shape the IdP sends), then what every IdP
 * relies on: the user is still returned by GET and by the userName filter, with active false.
 */
export function deactivation(
  step: Step,
  word: 'deactivated' | 'disabled' | 'suspended',
  query: Record<string, string> = BY_USER_NAME,
): Step[] {
  return [
    step,
    verify(`${word} user is still returned by GET with active false`, USER, [active(false)])(step),
    {
      name: `${word} user is still found by filter, with active false`,
      method: 'GET',
      path: '/Users',
      query,
      status: [200],
      checks: [listIds(['{{userId}}']), eachResource(active(false))],
      after: [step.name],
    },
  ];
}

/** The step that reactivates the main user, then its read-back. */
export function reactivation(step: Step): Step[] {
  return [step, verify('read: active again', USER, [active(true)])(step)];
}

// --- Deletion --------------------------------------------------------------------------------

/** DELETE answers 204, then a GET of the same path answers 404 (RFC 7644 §3.6). */
export function deletion(name: string, path: string, goneName: string): StepOrFollower[] {
  return [{ name, method: 'DELETE', path, status: [204] }, gone(goneName, path)];
}

export function deleteUser(name: string): StepOrFollower[] {
  return deletion(name, USER, 'deleted user is 404');
}

export function deleteGroup(name = 'delete group', goneName = 'deleted group is 404'): StepOrFollower[] {
  return deletion(name, GROUP, goneName);
}

/** After a hard delete the userName filter finds nothing (not a 404). */
export function deletedUserNotFound(deleteStep: string): Step {
  return {
    name: 'deleted user is not found by filter',
    method: 'GET',
    path: '/Users',
    query: BY_USER_NAME,
    status: [200],
    checks: [emptyList()],
    after: [deleteStep],
  };
}

// --- Groups ----------------------------------------------------------------------------------

/** POST of the main group with the main user as its only member. */
export function createGroupWithMember(name: string, checks: Check[]): Step {
  return {
    name,
    method: 'POST',
    path: '/Groups',
    body: { schemas: [CORE_GROUP], displayName: '{{groupName}}', members: [{ value: '{{userId}}' }] },
    status: [201],
    checks,
    capture: { groupId: id },
  };
}

/** A PATCH of the main group with these operations (RFC 7644 §3.5.2). */
export function patchGroup(name: string, ...operations: JsonTemplate[]): Step {
  return { name, method: 'PATCH', path: GROUP, body: patch(...operations), status: PATCH_OK };
}

/** Minimal member objects `{value}` for these ids (`{{userId}}` templates). */
function memberValues(ids: string[]): JsonTemplate[] {
  return ids.map((value) => ({ value }));
}

/** `add` (or `replace`) of `members` with minimal member objects. */
export function membersOp(op: string, ...ids: string[]): JsonTemplate {
  return { op, path: 'members', value: memberValues(ids) };
}

/** RFC 7644 §3.5.2.2: remove one member by a value filter in the path. */
export function removeMemberWhere(op: string, memberId: string): JsonTemplate {
  return { op, path: `members[value eq "${memberId}"]` };
}

/** Rename by a replace without a path whose value is `{id, displayName}` (Entra, Okta). */
export function renameWithoutPath(op: string): JsonTemplate {
  return { op, value: { id: '{{groupId}}', displayName: '{{groupRenamed}}' } };
}

/** Rename by a replace with path displayName. */
export function renameByPath(op: string): JsonTemplate {
  return { op, path: 'displayName', value: '{{groupRenamed}}' };
}

/** Read the main group back: exactly these members, then any further checks. */
export function readGroup(name: string, memberIds: string[], ...more: Check[]): (previous: Step) => Step {
  return verify(name, GROUP, [members(memberIds), ...more]);
}

/** Read the main group back after a rename: the new name, these members kept. */
export function readRenamedGroup(
  memberIds: string[],
  name = 'read group: renamed, members kept',
): (previous: Step) => Step {
  return verify(name, GROUP, [attr('displayName', '{{groupRenamed}}'), members(memberIds)]);
}
