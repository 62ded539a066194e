/**
 * SCIM filter parser, RFC 7644 §3.4.2.2 (ABNF in Figure 1). Turns filter text into the AST of
 * ast.ts with every attribute resolved against the resource schema and every literal
 * type-checked, so that neither the in-memory evaluator nor the SQL compiler interprets SCIM
 * text. Semantics: docs/filter-semantics.md. Every error is
 * `ScimError.invalidFilter` whose detail ends in `at offset N` (0-based, in the text given).
 */
import { ScimError } from '../errors.ts';
import { findSubAttribute, resolveAttribute } from '../schema/resolve.ts';
import type { AttributeDef, ResolvedAttribute, ResourceSchema } from '../schema/types.ts';
import type { AttrRef, CompareOp, FilterNode, FilterValue } from './ast.ts';

/** Longest filter text accepted; bounds parse time and the size of compiled SQL. */
export const MAX_FILTER_LENGTH = 8192;
/** Deepest nesting of `(`, `not (` and `[` accepted; bounds recursion in every consumer. */
export const MAX_FILTER_DEPTH = 64;
/**
 * Most comparisons (`pr` and the operators; a value path counts one more than its inside) in
 * one filter, and inside value filters (`emails[…]`), all of them together. IdPs send one to
 * three. Each comparison on an indexed attribute is a subquery on PostgreSQL, and each one
 * inside a value filter a correlated one; planning time grows steeply with how many are
 * ANDed together: one value filter of 670 conditions kept a backend busy for minutes, 28
 * spread over three value filters for 4 s, and at these bounds the worst case measured ~1 s.
 */
export const MAX_FILTER_COMPARISONS = 32;
export const MAX_VALUE_FILTER_COMPARISONS = 10;

const COMPARE_OPS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const SUBSTRING_OPS: ReadonlySet<string> = new Set(['co', 'sw', 'ew']);

/** RFC 7644 ATTRNAME (plus a leading `$` so that `$ref` sub-attributes can be named). */
const ATTR_NAME = /^[A-Za-z$][A-Za-z0-9_$-]*$/;
/** RFC 7159 number. */
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
/** RFC 3339 / xsd:dateTime; a missing offset is read as UTC so results never depend on the host. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))?$/;

type TokenKind = 'word' | 'string' | '(' | ')' | '[' | ']' | 'eof';

interface Token {
  kind: TokenKind;
  /** Source text of the token (for strings: including the quotes). */
  text: string;
  offset: number;
  /** Decoded value of a string token. */
  value?: string;
}

function fail(detail: string, offset: number): never {
  throw ScimError.invalidFilter(`${detail} at offset ${offset}`);
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/**
 * Splits filter text into tokens. A word is a maximal run of characters that are neither
 * whitespace, parentheses, brackets nor quotes: attribute paths (URNs included, whose dots and
 * colons stay inside the word), operators, keywords and non-string literals.
 */
function tokenize(text: string, base: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ kind: c, text: c, offset: base + i });
      i++;
      continue;
    }
    if (c === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      if (i >= text.length) fail('Unterminated string literal starting', base + start);
      i++;
      const raw = text.slice(start, i);
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        fail(`Invalid string literal ${raw}`, base + start);
      }
      if ((value as string).includes('\u0000')) {
        fail('String literals may not contain the NUL character (U+0000)', base + start);
      }
      tokens.push({ kind: 'string', text: raw, offset: base + start, value: value as string });
      continue;
    }
    const start = i;
    while (i < text.length) {
      const d = text[i] as string;
      if (isSpace(d) || d === '(' || d === ')' || d === '[' || d === ']' || d === '"') break;
      i++;
    }
    tokens.push({ kind: 'word', text: text.slice(start, i), offset: base + start });
  }
  tokens.push({ kind: 'eof', text: '', offset: base + text.length });
  return tokens;
}

function describe(t: Token): string {
  return t.kind === 'eof' ? 'end of filter' : `'${t.text}'`;
}

/** Days in a month of the proleptic Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Normalises an RFC 3339 date-time to `YYYY-MM-DDTHH:mm:ss.sssZ` (docs/filter-semantics.md), or
 * returns undefined. Checks the fields itself because `Date` silently rolls Feb 30 into March.
 */
export function normaliseDateTime(text: string): string | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return undefined;
  const iso = m[8] === undefined ? `${text}Z` : text;
  const time = Date.parse(iso.toUpperCase());
  if (Number.isNaN(time)) return undefined;
  const out = new Date(time);
  // Offsets can push a year-0000 or year-9999 value out of the 4-digit ISO form.
  if (out.getUTCFullYear() < 0 || out.getUTCFullYear() > 9999) return undefined;
  return out.toISOString();
}

/** The location of a resolved attribute in a canonical document. */
function locationOf(r: ResolvedAttribute): string[] {
  const head = r.extension ? [r.schema, r.attribute.name] : [r.attribute.name];
  return r.subAttribute ? [...head, r.subAttribute.name] : head;
}

/**
 * The AttrRef of a resolved attribute path (RFC 7644 §3.10): what filters, and sorting
 * (§3.4.2.3), hand to the evaluator and the SQL compiler.
 */
export function attrRefOf(r: ResolvedAttribute): AttrRef {
  const leaf = r.subAttribute ?? r.attribute;
  return {
    path: r.path,
    location: locationOf(r),
    type: leaf.type,
    // dateTime values are compared in their normalised form, where case carries no meaning.
    caseExact: leaf.type === 'complex' ? false : leaf.type === 'dateTime' ? true : leaf.caseExact,
    multiValued: r.attribute.multiValued || leaf.multiValued,
  };
}

/** A sub-attribute of a complex attribute, as the ResolvedAttribute of its full path. */
function withSub(parent: ResolvedAttribute, sub: AttributeDef): ResolvedAttribute {
  return { ...parent, subAttribute: sub, path: `${parent.path}.${sub.name}` };
}

type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number; raw: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' };

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly rs: ResourceSchema,
    /** Set when parsing a value filter: refs are sub-attributes of this attribute. */
    private readonly parent: ResolvedAttribute | undefined,
    /**
     * Set for a search across resource types (parseRootFilter): an attribute this type does
     * not define is unassigned rather than an error, and its token is recorded here.
     */
    private readonly unassigned?: Token[],
  ) {}

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  private isKeyword(t: Token, word: string): boolean {
    return t.kind === 'word' && t.text.toLowerCase() === word;
  }

  private enter(t: Token): void {
    this.depth++;
    if (this.depth > MAX_FILTER_DEPTH)
      fail(`Filter is nested deeper than ${MAX_FILTER_DEPTH} levels`, t.offset);
  }

  /** Whole input: a filter followed by the end (or by `]` when the caller handles it). */
  parseAll(end: 'eof' | ']'): FilterNode {
    if (this.peek().kind === 'eof' && end === 'eof') fail('Filter is empty', this.peek().offset);
    const node = this.parseOr();
    const t = this.peek();
    if (t.kind !== end) {
      if (t.kind === ')') fail(`Unexpected ')' without matching '('`, t.offset);
      if (t.kind === ']' && end === 'eof') fail(`Unexpected ']' without matching '['`, t.offset);
      if (t.kind === 'eof') fail(`Expected ']'`, t.offset);
      fail(
        `Expected 'and', 'or' or ${end === 'eof' ? 'end of filter' : "']'"} but found ${describe(t)}`,
        t.offset,
      );
    }
    return node;
  }

  /** Precedence: `not` > `and` > `or`, both binary operators left-associative. */
  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      left = { op: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      left = { op: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterNode {
    const t = this.peek();
    if (t.kind === '(') {
      this.next();
      return this.parseGroup(t);
    }
    if (this.isKeyword(t, 'not')) {
      const open = this.peek(1);
      if (open.kind !== '(') fail(`Expected '(' after 'not' but found ${describe(open)}`, open.offset);
      this.next();
      this.next();
      return { op: 'not', filter: this.parseGroup(open) };
    }
    if (t.kind === 'word') return this.parseAttrExp();
    if (t.kind === 'eof') fail('Unexpected end of filter, expected an attribute path', t.offset);
    fail(`Expected an attribute path, 'not' or '(' but found ${describe(t)}`, t.offset);
  }

  /** After `(`: the inner filter and its `)`. */
  private parseGroup(open: Token): FilterNode {
    this.enter(open);
    if (this.peek().kind === ')') fail(`Empty parentheses`, this.peek().offset);
    const inner = this.parseOr();
    const close = this.peek();
    if (close.kind !== ')') {
      if (close.kind === 'eof') fail(`Expected ')' (to close the '(' at ${open.offset})`, close.offset);
      fail(`Expected ')' or 'and', 'or' but found ${describe(close)}`, close.offset);
    }
    this.next();
    this.depth--;
    return inner;
  }

  private resolve(t: Token): ResolvedAttribute {
    if (this.parent) {
      const parentDef = this.parent.attribute;
      const sub = ATTR_NAME.test(t.text) ? findSubAttribute(parentDef, t.text) : undefined;
      if (!sub) fail(`Unknown sub-attribute '${t.text}' of '${this.parent.path}'`, t.offset);
      return withSub(this.parent, sub);
    }
    const r = resolveAttribute(this.rs, t.text);
    if (!r) fail(`Unknown attribute '${t.text}'`, t.offset);
    const leaf = r.subAttribute ?? r.attribute;
    // A writeOnly attribute is never stored, and filtering on it would be an oracle for it.
    if (leaf.mutability === 'writeOnly' || r.attribute.mutability === 'writeOnly') {
      fail(`Attribute '${r.path}' cannot be used in a filter`, t.offset);
    }
    if (r.path === 'meta.version' || r.path === 'meta.location') {
      fail(`Filtering on '${r.path}' is not supported`, t.offset);
    }
    return r;
  }

  /** `attrPath pr`, `attrPath op value` or `attrPath[valFilter]`. */
  private parseAttrExp(): FilterNode {
    const pathTok = this.next();
    if (this.unassigned && !this.parent && !resolveAttribute(this.rs, pathTok.text)) {
      this.unassigned.push(pathTok);
      return this.skipUnassigned();
    }
    const resolved = this.resolve(pathTok);
    const after = this.peek();
    if (after.kind === '[') return this.parseValuePath(resolved, after);
    return this.parseComparisonOn(resolved, pathTok);
  }

  /** The `pr` or `op value` that follows an attribute path. */
  private parseComparisonOn(resolved: ResolvedAttribute, pathTok: Token): FilterNode {
    const opTok = this.next();
    if (opTok.kind !== 'word') {
      fail(`Expected an operator after '${pathTok.text}' but found ${describe(opTok)}`, opTok.offset);
    }
    const op = opTok.text.toLowerCase();
    if (op === 'pr') return { op: 'pr', attr: attrRefOf(resolved) };
    if (!COMPARE_OPS.has(op)) fail(`Unknown operator '${opTok.text}'`, opTok.offset);
    const valueTok = this.next();
    const literal = this.literal(valueTok);
    return this.comparison(resolved, op as CompareOp, opTok, literal, valueTok);
  }

  private parseValuePath(resolved: ResolvedAttribute, open: Token): FilterNode {
    if (this.parent) fail('Value filters cannot be nested', open.offset);
    const def = resolved.attribute;
    if (resolved.subAttribute || def.type !== 'complex' || !def.multiValued) {
      fail(`'${resolved.path}' is not a multi-valued complex attribute and cannot take '[...]'`, open.offset);
    }
    this.next();
    this.enter(open);
    if (this.peek().kind === ']') fail('Empty value filter', this.peek().offset);
    const inner = new Parser(this.tokens, this.rs, resolved);
    inner.pos = this.pos;
    inner.depth = this.depth;
    const filter = inner.parseAll(']');
    this.pos = inner.pos;
    this.next();
    this.depth--;
    const after = this.peek();
    if (after.kind === 'word' && after.text.startsWith('.')) {
      // Microsoft Entra matches users with `emails[type eq "work"].value eq "x"` (docs/idp-notes.md),
      // which the RFC grammar lacks; it can only mean `emails[type eq "work" and value eq "x"]`.
      this.next();
      const sub = findSubAttribute(def, after.text.slice(1));
      if (!sub)
        fail(`Unknown sub-attribute '${after.text.slice(1)}' of '${resolved.path}'`, after.offset + 1);
      const condition = this.parseComparisonOn(withSub(resolved, sub), after);
      return {
        op: 'valuePath',
        attr: attrRefOf(resolved),
        filter: { op: 'and', left: filter, right: condition },
      };
    }
    return { op: 'valuePath', attr: attrRefOf(resolved), filter };
  }

  /**
   * The rest of an expression on an attribute this resource type does not define (root
   * search): checked for syntax only, and read as a comparison on an unassigned attribute,
   * which holds only for `ne` with a value and for `eq null` (docs/filter-semantics.md).
   */
  private skipUnassigned(): FilterNode {
    const open = this.peek();
    if (open.kind === '[') {
      this.next();
      this.enter(open);
      for (let t = this.next(); t.kind !== ']'; t = this.next()) {
        if (t.kind === 'eof') fail(`Expected ']'`, t.offset);
        if (t.kind === '[') fail('Value filters cannot be nested', t.offset);
      }
      this.depth--;
      const after = this.peek();
      if (!(after.kind === 'word' && after.text.startsWith('.'))) return NEVER;
      this.next();
    }
    const opTok = this.next();
    if (opTok.kind !== 'word') fail(`Expected an operator but found ${describe(opTok)}`, opTok.offset);
    const op = opTok.text.toLowerCase();
    if (op === 'pr') return NEVER;
    if (!COMPARE_OPS.has(op)) fail(`Unknown operator '${opTok.text}'`, opTok.offset);
    const valueTok = this.next();
    const literal = this.literal(valueTok);
    if (literal.kind === 'null' && op !== 'eq' && op !== 'ne') {
      fail(`null can only be compared with 'eq' or 'ne'`, valueTok.offset);
    }
    const holds = literal.kind === 'null' ? op === 'eq' : op === 'ne';
    return holds ? { op: 'not', filter: NEVER } : NEVER;
  }

  private literal(t: Token): Literal {
    if (t.kind === 'string') return { kind: 'string', value: t.value as string };
    if (t.kind !== 'word') fail(`Expected a value but found ${describe(t)}`, t.offset);
    const lower = t.text.toLowerCase();
    if (lower === 'true' || lower === 'false') return { kind: 'boolean', value: lower === 'true' };
    if (lower === 'null') return { kind: 'null' };
    if (JSON_NUMBER.test(t.text)) {
      const value = Number(t.text);
      if (Number.isFinite(value)) return { kind: 'number', value, raw: t.text };
      fail(`Number ${t.text} is out of range`, t.offset);
    }
    // Some clients leave values unquoted (`userName sw O`, `meta.created gt 2015-10-10T14:38:21Z`).
    // A word that cannot be true, false, null or a number can only be a string (or, against a
    // dateTime attribute, a date); a word in single quotes was meant as a quoted string and
    // would silently compare its quotes, so it stays an error.
    if (t.text.startsWith("'")) {
      fail(`Invalid value '${t.text}', expected a JSON string, number, true, false or null`, t.offset);
    }
    return { kind: 'string', value: t.text };
  }

  /** Type-checks a comparison (docs/filter-semantics.md) and builds its node. */
  private comparison(
    resolved: ResolvedAttribute,
    op: CompareOp,
    opTok: Token,
    literal: Literal,
    valueTok: Token,
  ): FilterNode {
    const leaf = resolved.subAttribute ?? resolved.attribute;
    if (literal.kind === 'null' && op !== 'eq' && op !== 'ne') {
      fail(`null can only be compared with 'eq' or 'ne'`, valueTok.offset);
    }
    let target = resolved;
    if (leaf.type === 'complex') {
      if (literal.kind === 'null') {
        // `name eq null` is `not (name pr)`: kept on the complex attribute itself.
        const pr: FilterNode = { op: 'pr', attr: attrRefOf(resolved) };
        return op === 'eq' ? { op: 'not', filter: pr } : pr;
      }
      // RFC 7644 §3.4.2.2 leaves this open; `emails co "x"` conventionally means emails.value.
      const value = findSubAttribute(leaf, 'value');
      if (!value || resolved.subAttribute) {
        fail(`Operator '${op}' is not allowed on complex attribute '${resolved.path}'`, opTok.offset);
      }
      target = withSub(resolved, value);
    }
    const attr = attrRefOf(target);
    const typeName = `${attr.type} attribute '${attr.path}'`;
    if (literal.kind === 'null') return { op, attr, value: null };
    let value: FilterValue;
    switch (attr.type) {
      case 'boolean':
        if (op !== 'eq' && op !== 'ne') fail(`Operator '${op}' is not allowed on ${typeName}`, opTok.offset);
        if (literal.kind !== 'boolean') fail(`Value for ${typeName} must be true or false`, valueTok.offset);
        value = literal.value;
        break;
      case 'integer':
      case 'decimal':
        if (SUBSTRING_OPS.has(op)) fail(`Operator '${op}' is not allowed on ${typeName}`, opTok.offset);
        if (literal.kind !== 'number' || (attr.type === 'integer' && !Number.isInteger(literal.value))) {
          fail(
            `Value for ${typeName} must be ${attr.type === 'integer' ? 'an integer' : 'a number'}`,
            valueTok.offset,
          );
        }
        value = literal.value;
        break;
      case 'dateTime': {
        // co/sw/ew match a fragment of the normalised form (`meta.created sw "2024-01"`), so
        // their literal need not be a whole date-time; upper-cased like that form (T, Z).
        if (SUBSTRING_OPS.has(op) && literal.kind === 'string') {
          value = literal.value.toUpperCase();
          break;
        }
        const normalised = literal.kind === 'string' ? normaliseDateTime(literal.value) : undefined;
        if (normalised === undefined) {
          fail(`Value for ${typeName} must be an ISO-8601 date-time string`, valueTok.offset);
        }
        value = normalised;
        break;
      }
      default:
        // string, reference, binary: numbers and booleans are read as the text the client wrote.
        if (literal.kind === 'string') value = literal.value;
        else if (literal.kind === 'number') value = literal.raw;
        else value = String(literal.value);
    }
    return { op, attr, value };
  }
}

/**
 * Parses a SCIM filter, RFC 7644 §3.4.2.2, resolving attributes against `rs`.
 * Throws `ScimError.invalidFilter` (detail with a 0-based character offset) for any bad input.
 */
export function parseFilter(text: string, rs: ResourceSchema): FilterNode {
  return parseWithin(text, rs, undefined, 0);
}

/**
 * Parses the inside of a value filter (`type eq "work"` in `emails[type eq "work"]`),
 * RFC 7644 §3.4.2.2 valFilter, as used by PATCH paths (§3.5.2). References are resolved as
 * sub-attributes of `parent`, with full paths (`emails.type`).
 */
export function parseValueFilter(text: string, rs: ResourceSchema, parent: ResolvedAttribute): FilterNode {
  return parseWithin(text, rs, parent, 0);
}

/** Shared entry point; `base` shifts reported offsets when `text` is a slice of a longer string. */
export function parseWithin(
  text: string,
  rs: ResourceSchema,
  parent: ResolvedAttribute | undefined,
  base: number,
  unassigned?: Token[],
): FilterNode {
  if (typeof text !== 'string') fail('Filter must be a string', base);
  const nul = text.indexOf('\u0000');
  if (nul >= 0) fail('Filters may not contain the NUL character (U+0000)', base + nul);
  if (text.length > MAX_FILTER_LENGTH) {
    fail(`Filter is longer than ${MAX_FILTER_LENGTH} characters`, base + MAX_FILTER_LENGTH);
  }
  if (parent && (parent.subAttribute || parent.attribute.type !== 'complex')) {
    fail(`'${parent.path}' is not a complex attribute and cannot take a value filter`, base);
  }
  const parser = new Parser(tokenize(text, base), rs, parent, unassigned);
  const node = parser.parseAll('eof');
  const count = comparisons(node);
  if (parent) {
    if (count.total > MAX_VALUE_FILTER_COMPARISONS) {
      fail(`Value filter has more than ${MAX_VALUE_FILTER_COMPARISONS} comparisons`, base);
    }
  } else if (count.total > MAX_FILTER_COMPARISONS) {
    fail(`Filter has more than ${MAX_FILTER_COMPARISONS} comparisons`, base);
  } else if (count.inside > MAX_VALUE_FILTER_COMPARISONS) {
    fail(`Value filters have more than ${MAX_VALUE_FILTER_COMPARISONS} comparisons in all`, base);
  }
  return node;
}

/**
 * Stands for an attribute a resource type does not define, in a search across types: `pr` on
 * it never holds. Only parseRootFilter makes it, and folds it away before returning.
 */
const UNASSIGNED: AttrRef = { path: '', location: [], type: 'string', caseExact: true, multiValued: false };
const NEVER: FilterNode = { op: 'pr', attr: UNASSIGNED };

/** `node` with the constants of unassigned attributes folded: a plain filter, or true/false. */
function fold(node: FilterNode): FilterNode | boolean {
  switch (node.op) {
    case 'pr':
      return node.attr === UNASSIGNED ? false : node;
    case 'not': {
      const inner = fold(node.filter);
      return typeof inner === 'boolean' ? !inner : { op: 'not', filter: inner };
    }
    case 'and':
    case 'or': {
      const left = fold(node.left);
      const right = fold(node.right);
      const absorbing = node.op === 'or';
      if (left === absorbing || right === absorbing) return absorbing;
      if (typeof left === 'boolean') return right;
      if (typeof right === 'boolean') return left;
      return { op: node.op, left, right };
    }
    default:
      return node;
  }
}

/**
 * A filter of a search across resource types (RFC 7644 §3.4.3 at the service root), parsed
 * once per type: `true` when it holds for every resource of the type, `false` when for none
 * (the type is not searched), else the type's filter. An attribute a type does not define is
 * unassigned on its resources (docs/filter-semantics.md); one that no type defines is
 * `invalidFilter`, as in a search of one type.
 */
export function parseRootFilter(
  text: string,
  schemas: readonly ResourceSchema[],
): Map<string, FilterNode | boolean> {
  const out = new Map<string, FilterNode | boolean>();
  let unknown: Token[] | undefined;
  for (const rs of schemas) {
    const unassigned: Token[] = [];
    out.set(rs.type.name, fold(parseWithin(text, rs, undefined, 0, unassigned)));
    unknown = unknown ? unknown.filter((t) => unassigned.some((u) => u.offset === t.offset)) : unassigned;
  }
  const first = unknown?.[0];
  if (first) fail(`Unknown attribute '${first.text}'`, first.offset);
  return out;
}

/**
 * Comparisons in a filter: in all (a value path counts one more than its inside), and inside
 * value filters; see MAX_FILTER_COMPARISONS.
 */
function comparisons(node: FilterNode): { total: number; inside: number } {
  switch (node.op) {
    case 'and':
    case 'or': {
      const left = comparisons(node.left);
      const right = comparisons(node.right);
      return { total: left.total + right.total, inside: left.inside + right.inside };
    }
    case 'not':
      return comparisons(node.filter);
    case 'valuePath': {
      const { total } = comparisons(node.filter);
      return { total: 1 + total, inside: total };
    }
    default:
      return { total: 1, inside: 0 };
  }
}
