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
  | { kind: 'set'; ids: string[]; index: number }
  /**
   * Replace the members matching a value filter by these ids (RFC 7644 §3.5.2.3); no match
   * is 400 noTarget.
   */
  | { kind: 'replaceWhere'; filter: FilterNode; ids: string[]; index: number };

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

/**
 * The forms under which to look up member ids named by a client: `members.value` is not
 * caseExact (RFC 7643 §8.7.1), so an id matches in any case, as removeWhere's evaluation does.
 * Each id is tried as written, lower-cased and upper-cased (the ids this server generates are
 * lower-case UUIDs; some IdPs send them upper-cased), which keeps the lookup on the id index.
 */
export function idCaseForms(ids: readonly string[]): string[] {
  return [...new Set(ids.flatMap((id) => [id, id.toLowerCase(), id.toUpperCase()]))];
}

/**
 * A member's `$ref` is its URI (`…/Users/<id>`, `…/Groups/<id>`), which the server builds from
 * the request's base URL and does not store: in a member value filter, `$ref eq "<uri>"`
 * becomes `value eq "<id>" and type eq "<User|Group>"` (as the SQL filter reads it, see
 * store/filter-relations.ts), and other comparisons on `$ref` compare the id.
 */
export function refAsValue(node: FilterNode): FilterNode {
  switch (node.op) {
    case 'and':
    case 'or':
      return { ...node, left: refAsValue(node.left), right: refAsValue(node.right) };
    case 'not':
      return { ...node, filter: refAsValue(node.filter) };
    case 'valuePath':
      return { ...node, filter: refAsValue(node.filter) };
    case 'pr':
      return node;
    default: {
      const [head, sub] = node.attr.path.split('.');
      if (sub !== '$ref') return node;
      const attr = (name: string) => ({
        ...node.attr,
        path: `${head}.${name}`,
        location: [...node.attr.location.slice(0, -1), name],
        type: 'string' as const,
        caseExact: false,
      });
      if ((node.op !== 'eq' && node.op !== 'ne') || typeof node.value !== 'string') {
        return { ...node, attr: attr('value') };
      }
      const ref = /\/(Users|Groups)\/([^/?#]+)\/?$/.exec(node.value);
      const eq: FilterNode = ref
        ? {
            op: 'and',
            left: { op: 'eq', attr: attr('value'), value: ref[2]! },
            right: { op: 'eq', attr: attr('type'), value: ref[1] === 'Users' ? 'User' : 'Group' },
          }
        : // A URI that names no User or Group names no member.
          { op: 'not', filter: { op: 'pr', attr: attr('value') } };
      return node.op === 'eq' ? eq : { op: 'not', filter: eq };
    }
  }
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
        const filter = refAsValue(path.filter);
        const ids = idsOfFilter(filter);
        return ids
          ? { kind: 'remove', ids, index: op.index }
          : { kind: 'removeWhere', filter, index: op.index };
      }
      // Entra removes members with `path: members` and a value list; with no value, all go.
      if (op.value !== undefined && op.value !== null) {
        return { kind: 'remove', ids: memberIds(def, op.value, at), index: op.index };
      }
      return { kind: 'set', ids: [], index: op.index };
    }
    case 'replace':
      if (path.filter) {
        const ids = memberIds(def, op.value, at);
        if (ids.length === 0)
          throw ScimError.invalidValue(`${at}replace on filtered members requires a member value`);
        return { kind: 'replaceWhere', filter: refAsValue(path.filter), ids, index: op.index };
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
