/**
 * Index terms: a resource flattened into rows for lookup, filtering and sorting in the
 * database (ARCHITECTURE.md "Storage principles"). Produced here, in the pure core, from the
 * schema; stored by store/ as opaque rows.
 */
import { commonAttributes } from './definitions.ts';
import type { AttributeDef, ResourceSchema } from './types.ts';

export interface IndexTerm {
  /** Canonical dotted path of the attribute (same as AttrRef.path in filter/ast.ts). */
  path: string;
  /**
   * Element number within a multi-valued attribute (0 for singular ones). Sub-attributes of
   * the same element of a multi-valued complex attribute share it; that is how
   * `emails[type eq "work" and value co "x"]` is evaluated on one element.
   */
  elem: number;
  /**
   * The value of a caseExact string (string/reference/binary), or a normalised ISO dateTime:
   * what exact comparisons read. Null otherwise.
   */
  str: string | null;
  /**
   * The value of a caseExact=false string, lower-cased: what its comparisons read. Null
   * otherwise. A string fills one of str and lc, never both (one index entry per value).
   */
  lc: string | null;
  /** Number for integer/decimal; 1/0 for boolean. */
  num: number | null;
}

/**
 * Longest string stored in a term. Longer values (rare: identifiers and names are short) are
 * indexed by their first 1024 characters so that index rows stay bounded. The price: `eq`,
 * `ew` and `co` on such a value cannot be decided exactly by the index alone (two values that
 * share the prefix look equal; a suffix past the cut is invisible); a filter that must be
 * exact on them has to recheck against the stored document.
 */
export const MAX_TERM_LENGTH = 1024;

function isAbsentValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.every(isAbsentValue);
  if (typeof v === 'object') return Object.values(v).every(isAbsentValue);
  return false;
}

function stringTerm(def: AttributeDef, path: string, elem: number, s: string): IndexTerm {
  const value = s.length > MAX_TERM_LENGTH ? s.slice(0, MAX_TERM_LENGTH) : s;
  return def.caseExact
    ? { path, elem, str: value, lc: null, num: null }
    : { path, elem, str: null, lc: value.toLowerCase(), num: null };
}

/** One leaf value, or undefined when it is absent or not of the attribute's type. */
function leafTerm(def: AttributeDef, path: string, elem: number, v: unknown): IndexTerm | undefined {
  if (isAbsentValue(v)) return undefined;
  switch (def.type) {
    case 'string':
    case 'reference':
    case 'binary':
      return typeof v === 'string' ? stringTerm(def, path, elem, v) : undefined;
    case 'dateTime': {
      if (typeof v !== 'string') return undefined;
      const t = Date.parse(v);
      const iso = Number.isNaN(t) ? v : new Date(t).toISOString();
      return { path, elem, str: iso, lc: null, num: null };
    }
    case 'boolean':
      return typeof v === 'boolean' ? { path, elem, str: null, lc: null, num: v ? 1 : 0 } : undefined;
    case 'integer':
    case 'decimal':
      return typeof v === 'number' && Number.isFinite(v)
        ? { path, elem, str: null, lc: null, num: v }
        : undefined;
    case 'complex':
      return undefined;
  }
}

/** Terms of one element of a complex attribute: its anchor, then its leaves in schema order. */
function complexTerms(def: AttributeDef, path: string, elem: number, v: unknown, out: IndexTerm[]): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
  const obj = v as Record<string, unknown>;
  const leaves: IndexTerm[] = [];
  for (const sub of def.subAttributes ?? []) {
    const t = leafTerm(sub, `${path}.${sub.name}`, elem, obj[sub.name]);
    if (t) leaves.push(t);
  }
  // The anchor lets `pr` and value filters on the complex attribute itself find the element.
  if (leaves.length > 0) out.push({ path, elem, str: null, lc: null, num: null }, ...leaves);
}

function attributeTerms(def: AttributeDef, path: string, v: unknown, out: IndexTerm[]): void {
  if (isAbsentValue(v)) return;
  const values = def.multiValued ? (Array.isArray(v) ? v : [v]) : [v];
  values.forEach((value, elem) => {
    if (def.type === 'complex') complexTerms(def, path, elem, value, out);
    else {
      const t = leafTerm(def, path, elem, value);
      if (t) out.push(t);
    }
  });
}

/**
 * Top-level attributes that have indexed columns of their own in `resources` (externalId,
 * userName: store/filter-sql.ts `columnOf`), which every filter, sort and lookup on them
 * reads instead of terms. Terms for them would only be written, never read: two rows and two
 * random index entries per write of a user.
 */
const STORED_IN_COLUMNS: ReadonlySet<string> = new Set(['externalId', 'userName']);

/** Whether an attribute is indexed from the document. */
function indexed(rs: ResourceSchema, def: AttributeDef): boolean {
  // readOnly ones (id, meta, User `groups`) are computed and stored by the server itself;
  // writeOnly `password` is never in a doc; Group `members` are membership rows.
  if (def.mutability === 'readOnly' || def.mutability === 'writeOnly') return false;
  return !(rs.type.name === 'Group' && def.name === 'members');
}

/**
 * Flattens a canonical doc into index terms (ARCHITECTURE.md "Storage principles"), for the
 * filters of RFC 7644 §3.4.2.2: one term per present leaf value, plus an anchor term per
 * element of a complex attribute. Attributes in schema order (externalId, core, extensions),
 * sub-attributes in schema order after their anchor.
 */
export function indexTerms(doc: Record<string, unknown>, rs: ResourceSchema): IndexTerm[] {
  const out: IndexTerm[] = [];
  const core = [...commonAttributes, ...rs.core.attributes];
  for (const def of core) {
    if (indexed(rs, def) && !STORED_IN_COLUMNS.has(def.name))
      attributeTerms(def, def.name, doc[def.name], out);
  }
  for (const ext of rs.extensions) {
    const obj = doc[ext.id];
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) continue;
    for (const def of ext.attributes) {
      if (indexed(rs, def)) {
        attributeTerms(def, `${ext.id}:${def.name}`, (obj as Record<string, unknown>)[def.name], out);
      }
    }
  }
  return out;
}
