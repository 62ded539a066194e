/**
 * Index terms: a resource flattened into rows for lookup, filtering and sorting in the
 * database (ARCHITECTURE.md "Storage principles"). Produced here, in the pure core, from the
 * schema; stored by store/ as opaque rows.
 */

export interface IndexTerm {
  /** Canonical dotted path of the attribute (same as AttrRef.path in filter/ast.ts). */
  path: string;
  /**
   * Element number within a multi-valued attribute (0 for singular ones). Sub-attributes of
   * the same element of a multi-valued complex attribute share it; that is how
   * `emails[type eq "work" and value co "x"]` is evaluated on one element.
   */
  elem: number;
  /** Original string value (string/reference/binary), or normalised ISO dateTime. */
  str: string | null;
  /** `str` lower-cased (for caseExact=false comparisons; the same as str for dateTime). */
  lc: string | null;
  /** Number for integer/decimal; 1/0 for boolean. */
  num: number | null;
}
