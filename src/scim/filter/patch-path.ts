/**
 * PATCH operation paths, RFC 7644 §3.5.2: `PATH = attrPath / valuePath [subAttr]`, e.g.
 * `name.givenName`, `members[value eq "2819c223"]`, `emails[type eq "work"].value`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`.
 * Every error is `ScimError.invalidPath` whose detail ends in `at offset N`.
 */
import { ScimError } from '../errors.ts';
import { findSubAttribute, resolveAttribute, splitSchemaPrefix } from '../schema/resolve.ts';
import type { AttributeDef, ResolvedAttribute, ResourceSchema } from '../schema/types.ts';
import type { FilterNode } from './ast.ts';
import { MAX_FILTER_LENGTH, parseWithin } from './parse.ts';

export interface PatchPath {
  /**
   * What is named before any filter: `emails`, `name.givenName` (with its subAttribute),
   * `members`, `urn:…:enterprise:2.0:User:manager`.
   */
  attribute: ResolvedAttribute;
  /** The value filter of `emails[type eq "work"]`; its AttrRefs have full paths (`emails.type`). */
  filter?: FilterNode;
  /** The sub-attribute after a filter: `value` in `emails[type eq "work"].value`. */
  subAttribute?: AttributeDef;
}

function fail(detail: string, offset: number): never {
  throw ScimError.invalidPath(`${detail} at offset ${offset}`);
}

/** Index of the `]` closing the `[` at `open`, skipping JSON strings (which may hold `]`). */
function closingBracket(text: string, open: number): number {
  let i = open + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      if (i >= text.length) fail('Unterminated string literal', text.length);
    } else if (c === ']') {
      return i;
    }
    i++;
  }
  return -1;
}

/** Parses a PATCH `path`, RFC 7644 §3.5.2, resolving it against `rs` (case-insensitively). */
export function parsePatchPath(text: string, rs: ResourceSchema): PatchPath {
  if (typeof text !== 'string' || text.length === 0) fail('Path is empty', 0);
  if (text.length > MAX_FILTER_LENGTH) fail(`Path is longer than ${MAX_FILTER_LENGTH} characters`, 0);
  // The URN may hold dots and colons (`…:2.0:User`) and the filter anything, so split the
  // schema prefix first, then look for `[` only in what follows.
  const split = splitSchemaPrefix(rs, text);
  if (!split) fail(`Unknown schema in path '${text}'`, 0);
  const base = text.length - split.rest.length;
  const rest = split.rest;
  const open = rest.indexOf('[');
  const namePart = open === -1 ? rest : rest.slice(0, open);
  const attribute = resolveAttribute(rs, text.slice(0, base + namePart.length));
  if (!attribute) fail(`Unknown attribute '${namePart}'`, base);
  if (open === -1) return { attribute };

  const openAt = base + open;
  const def = attribute.attribute;
  if (attribute.subAttribute || def.type !== 'complex' || !def.multiValued) {
    fail(`'${attribute.path}' is not a multi-valued complex attribute and cannot take '[...]'`, openAt);
  }
  const closeAt = closingBracket(text, openAt);
  if (closeAt === -1) fail(`Expected ']'`, text.length);
  let filter: FilterNode;
  try {
    filter = parseWithin(text.slice(openAt + 1, closeAt), rs, attribute, openAt + 1);
  } catch (e) {
    // The filter is part of the path: report it as a bad path (RFC 7644 §3.5.2), same detail.
    if (e instanceof ScimError) throw ScimError.invalidPath(e.detail);
    throw e;
  }
  const tail = text.slice(closeAt + 1);
  if (tail.length === 0) return { attribute, filter };
  const tailAt = closeAt + 1;
  if (!tail.startsWith('.')) fail(`Expected '.' or end of path after ']' but found '${tail}'`, tailAt);
  const subAttribute = findSubAttribute(def, tail.slice(1));
  if (!subAttribute) fail(`Unknown sub-attribute '${tail.slice(1)}' of '${attribute.path}'`, tailAt + 1);
  return { attribute, filter, subAttribute };
}
