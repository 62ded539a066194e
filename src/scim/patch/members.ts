/**
 * Group membership in a PATCH, as deltas (RFC 7644 §3.5.2 applied to `members`): the server
 * stores members as rows, so operations on `members` become row operations instead of a
 * rewrite of a member array that may hold 100,000 entries. Pure: this only classifies and
 * validates; src/directory/ executes.
 */
import { atOperation, ScimError } from '../errors.ts';
import type { FilterNode } from '../filter/ast.ts';
import { isObject } from '../json.ts';
import { normalizeAttributeValue } from '../schema/normalize.ts';
import type { AttributeDef, ResourceSchema } from '../schema/types.ts';
import type { PatchOperation } from './parse.ts';

/** A member as a client names it: its id (and, on output only, type/display). */
export type MemberStep =
  /** Add these ids (already there: no change). */
  | { kind: 'add'; ids: string[]; index: number }
  /** Remove these ids (absent: no change). */
  | { kind: 'remove'; ids: string[]; index: number }
  /** Remove the members matching a value filter that is not a plain list of ids. */
  | { kind: 'removeWhere'; filter: FilterNode; index: number }
  /** Make the member list exactly these ids. */
  | { kind: 'set'; ids: string[]; index: number };

export type Step = { kind: 'doc'; op: PatchOperation } | MemberStep;

/** The `members` definition of a resource schema, when it has one (Groups). */
export function membersAttribute(rs: ResourceSchema): AttributeDef | undefined {
  return rs.core.attributes.find((a) => a.name === 'members' && a.type === 'complex' && a.multiValued);
}

/**
 * Member ids of a `members` value (an array of `{value, $ref, display, type}`, or one such
 * object): normalised like any value, each must carry a `value`. `$ref: null` and an
 * unknown `type` are accepted; the stored member's own type wins.
 */
export function memberIds(def: AttributeDef, value: unknown, where: string): string[] {
  const normalized = normalizeAttributeValue(def, value, 'members');
  if (normalized === undefined) return [];
  const ids: string[] = [];
  const list = Array.isArray(normalized) ? normalized : [normalized];
  list.forEach((m, i) => {
    const id = isObject(m) ? m.value : undefined;
    if (typeof id !== 'string' || id === '') {
      throw ScimError.invalidValue(`${where}members[${i}].value is required: the id of a User or Group`);
    }
    ids.push(id);
  });
  return ids;
}

/**
 * `value eq "a"`, `value eq "a" or value eq "b"`: the ids such a filter names, else undefined
 * (the filter then runs against the members, see removeWhere).
 */
export function idsOfFilter(filter: FilterNode): string[] | undefined {
  if (filter.op === 'or') {
    const left = idsOfFilter(filter.left);
    const right = left && idsOfFilter(filter.right);
    return left && right ? [...left, ...right] : undefined;
  }
  if (filter.op === 'eq' && filter.attr.path === 'members.value' && typeof filter.value === 'string') {
    return [filter.value];
  }
  return undefined;
}

/** Splits a no-path value into its `members` part and the rest. */
function splitMembersKey(value: unknown): { members: unknown; rest: Record<string, unknown> | undefined } {
  if (!isObject(value)) return { members: undefined, rest: undefined };
  const key = Object.keys(value).find((k) => k.toLowerCase() === 'members');
  if (key === undefined) return { members: undefined, rest: value };
  const { [key]: members, ...rest } = value;
  return { members, rest: Object.keys(rest).length > 0 ? rest : undefined };
}

function memberStep(op: PatchOperation, def: AttributeDef): MemberStep {
  const path = op.path!;
  const at = `Operations[${op.index}]: `;
  if (path.subAttribute || path.attribute.subAttribute) {
    throw ScimError.mutability(
      `${at}members cannot be changed attribute by attribute; add or remove whole members instead`,
    );
  }
  switch (op.op) {
    case 'add':
      if (path.filter) throw ScimError.invalidPath(`${at}add cannot take a value filter on members`);
      return { kind: 'add', ids: memberIds(def, op.value, at), index: op.index };
    case 'remove': {
      if (path.filter) {
        const ids = idsOfFilter(path.filter);
        return ids
          ? { kind: 'remove', ids, index: op.index }
          : { kind: 'removeWhere', filter: path.filter, index: op.index };
      }
      // Entra removes members with `path: members` and a value list; with no value, all go.
      if (op.value !== undefined && op.value !== null) {
        return { kind: 'remove', ids: memberIds(def, op.value, at), index: op.index };
      }
      return { kind: 'set', ids: [], index: op.index };
    }
    case 'replace':
      if (path.filter) {
        throw ScimError.invalidPath(
          `${at}replace on filtered members is not supported; remove and add instead`,
        );
      }
      return { kind: 'set', ids: memberIds(def, op.value, at), index: op.index };
  }
}

/**
 * Orders a Group PATCH into steps: operations on `members` become membership steps, a no-path
 * add/replace whose value has `members` is split in two, and everything else stays a document
 * operation for applyPatch. Order is kept: steps apply in sequence, in one transaction.
 */
export function planGroupPatch(ops: PatchOperation[], rs: ResourceSchema): Step[] {
  const def = membersAttribute(rs);
  if (!def) return ops.map((op) => ({ kind: 'doc', op }));
  const steps: Step[] = [];
  for (const op of ops) {
    try {
      if (op.path) {
        if (op.path.attribute.attribute === def) steps.push(memberStep(op, def));
        else steps.push({ kind: 'doc', op });
        continue;
      }
      const { members, rest } = splitMembersKey(op.value);
      if (rest !== undefined || members === undefined)
        steps.push({ kind: 'doc', op: { ...op, value: rest ?? op.value } });
      if (members !== undefined) {
        const ids = memberIds(def, members, `Operations[${op.index}]: `);
        steps.push(
          op.op === 'add' ? { kind: 'add', ids, index: op.index } : { kind: 'set', ids, index: op.index },
        );
      }
    } catch (error) {
      if (error instanceof ScimError && !error.detail.startsWith('Operations['))
        throw atOperation(op.index, error);
      throw error;
    }
  }
  return steps;
}
