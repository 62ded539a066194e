/**
 * Filter AST, RFC 7644 §3.4.2.2. Produced by `parseFilter` (parse.ts) with every attribute
 * already resolved against the resource schema, so that consumers (the in-memory evaluator in
 * evaluate.ts and the SQL compiler in store/) never see a SCIM string or guess a type.
 */
import type { AttributeType } from '../schema/types.ts';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;

/** A resolved attribute reference. */
export interface AttrRef {
  /**
   * Canonical dotted path, the key of index terms (see schema/index-terms.ts):
   * `userName`, `emails.value`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`,
   * `meta.lastModified`, `id`.
   */
  path: string;
  /** Keys to walk in a canonical document: `['emails','value']`, `['urn:…:User','manager','value']`. */
  location: string[];
  /** Type of the attribute named (the leaf). `complex` only for `pr` on a complex attribute. */
  type: AttributeType;
  /** Whether string comparison is case-sensitive (RFC 7643 §2.2 caseExact). */
  caseExact: boolean;
  /** True when the attribute or its parent is multi-valued: the filter matches if any value does. */
  multiValued: boolean;
}

export type FilterNode =
  | { op: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { op: 'not'; filter: FilterNode }
  | { op: 'pr'; attr: AttrRef }
  /**
   * `value` has been checked against the attribute type: boolean for boolean attributes,
   * number for integer/decimal, a normalised ISO-8601 UTC string (`2026-01-01T00:00:00.000Z`)
   * for dateTime, a string for string/reference/binary. It is never lower-cased here; compilers
   * fold case themselves when `attr.caseExact` is false. `null` only with eq/ne.
   */
  | { op: CompareOp; attr: AttrRef; value: FilterValue }
  /**
   * `emails[type eq "work" and value co "@x"]`: `attr` is the multi-valued complex attribute
   * (`emails`); the inner filter's AttrRefs are its sub-attributes with full paths
   * (`emails.type`) and must all hold for the same element.
   */
  | { op: 'valuePath'; attr: AttrRef; filter: FilterNode };
