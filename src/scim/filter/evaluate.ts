/**
 * In-memory filter evaluation, RFC 7644 §3.4.2.2, with exactly the semantics of
 * docs/filter-semantics.md, which the SQL compiler in store/ shares: both are run over
 * the same case table (test/cases/filter-cases.ts) and must agree.
 */
import type { AttrRef, CompareOp, FilterNode, FilterValue } from './ast.ts';

/** Values an AttrRef names in some context; multi-valued attributes give several. */
type Lookup = (attr: AttrRef) => unknown[];

/** Pushes `value`, flattening arrays: any step of a path may be multi-valued. */
function collect(value: unknown, out: unknown[]): void {
  if (Array.isArray(value)) for (const v of value) collect(v, out);
  else if (value !== undefined && value !== null) out.push(value);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Walks `location` through a document, fanning out over arrays at every step. */
function walk(doc: Record<string, unknown>, location: readonly string[]): unknown[] {
  let current: unknown[] = [doc];
  for (const key of location) {
    const next: unknown[] = [];
    for (const v of current) if (isRecord(v) && Object.hasOwn(v, key)) collect(v[key], next);
    current = next;
  }
  return current;
}

/** docs/filter-semantics.md `pr`: not null, not "", not [], not an object with nothing present. */
function isPresent(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.some(isPresent);
  if (isRecord(v)) return Object.values(v).some(isPresent);
  return true;
}

/** A document value as the comparable form of its attribute's type, or undefined if it has none. */
function comparable(attr: AttrRef, v: unknown): string | number | boolean | undefined {
  switch (attr.type) {
    case 'boolean':
      return typeof v === 'boolean' ? v : undefined;
    case 'integer':
    case 'decimal':
      return typeof v === 'number' ? v : undefined;
    case 'dateTime': {
      // Documents are normalised at write time; normalise again so odd input still orders right.
      if (typeof v !== 'string') return undefined;
      const t = Date.parse(v);
      return Number.isNaN(t) ? undefined : new Date(t).toISOString();
    }
    case 'complex':
      return undefined;
    default:
      if (typeof v !== 'string') return undefined;
      return attr.caseExact ? v : v.toLowerCase();
  }
}

function literalOf(attr: AttrRef, value: Exclude<FilterValue, null>): string | number | boolean {
  return typeof value === 'string' && !attr.caseExact ? value.toLowerCase() : value;
}

/** One value against the literal for a positive operator (everything but `ne`). */
function compareOne(op: CompareOp, a: string | number | boolean, b: string | number | boolean): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'co':
      return typeof a === 'string' && typeof b === 'string' && a.includes(b);
    case 'sw':
      return typeof a === 'string' && typeof b === 'string' && a.startsWith(b);
    case 'ew':
      return typeof a === 'string' && typeof b === 'string' && a.endsWith(b);
    // Same-typed primitives; strings compare by UTF-16 code unit (docs/filter-semantics.md).
    case 'gt':
      return typeof a === typeof b && a > b;
    case 'ge':
      return typeof a === typeof b && a >= b;
    case 'lt':
      return typeof a === typeof b && a < b;
    case 'le':
      return typeof a === typeof b && a <= b;
    case 'ne':
      return a !== b;
  }
}

function evaluate(node: FilterNode, lookup: Lookup): boolean {
  switch (node.op) {
    case 'and':
      return evaluate(node.left, lookup) && evaluate(node.right, lookup);
    case 'or':
      return evaluate(node.left, lookup) || evaluate(node.right, lookup);
    case 'not':
      return !evaluate(node.filter, lookup);
    case 'pr':
      return lookup(node.attr).some(isPresent);
    case 'valuePath':
      return lookup(node.attr).some((el) => isRecord(el) && evaluate(node.filter, elementLookup(el)));
    default: {
      const { attr, value } = node;
      // `x eq null` is `not (x pr)`; `x ne null` is `x pr`.
      if (value === null) return lookup(attr).some(isPresent) === (node.op === 'ne');
      // `ne` is `not (eq)`: true when absent, and for multi-valued only when no value equals.
      const op = node.op === 'ne' ? 'eq' : node.op;
      const b = literalOf(attr, value);
      const any = lookup(attr).some((v) => {
        const a = comparable(attr, v);
        return a !== undefined && compareOne(op, a, b);
      });
      return node.op === 'ne' ? !any : any;
    }
  }
}

/** Inside a value filter, each reference names a key of the current element. */
function elementLookup(element: Record<string, unknown>): Lookup {
  return (attr) => {
    const key = attr.location[attr.location.length - 1];
    if (key === undefined || !Object.hasOwn(element, key)) return [];
    const out: unknown[] = [];
    collect(element[key], out);
    return out;
  };
}

/**
 * Whether a full canonical resource (with id, externalId, meta) matches a filter,
 * RFC 7644 §3.4.2.2.
 */
export function matchesFilter(node: FilterNode, resource: Record<string, unknown>): boolean {
  return evaluate(node, (attr) => walk(resource, attr.location));
}

/**
 * Whether one element of a multi-valued complex attribute matches a value filter (the inside
 * of `emails[...]`, RFC 7644 §3.4.2.2 valFilter; PATCH paths, §3.5.2). References are looked
 * up by the last segment of their location (`emails.type` -> `type`).
 */
export function matchesElement(node: FilterNode, element: Record<string, unknown>): boolean {
  return evaluate(node, elementLookup(element));
}
