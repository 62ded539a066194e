/**
 * Query parameters of a list or .search request, RFC 7644 §3.4.2 (filter §3.4.2.2, sorting
 * §3.4.2.3, paging §3.4.2.4, attributes §3.4.2.5) and §3.4.3 (SearchRequest body), and the
 * `cursor` of RFC 9865 §2 and §3.
 */
import { ScimError } from './errors.ts';
import type { AttrRef, FilterNode } from './filter/ast.ts';
import { attrRefOf, parseFilter, parseRootFilter } from './filter/parse.ts';
import { describeJson } from './json.ts';
import { resolveAttribute } from './schema/resolve.ts';
import type { AttributeType, ResourceSchema } from './schema/types.ts';

export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

export interface ListQuery {
  filter?: FilterNode;
  sort?: { attr: AttrRef; descending: boolean };
  /** 1-based. */
  startIndex: number;
  count: number;
  /**
   * RFC 9865 cursor paging when present: '' asks for the first page, any other value is a
   * `nextCursor` from a previous page (opened by scim/cursor.ts). `startIndex` is then unused.
   */
  cursor?: string;
  attributes?: string[];
  excludedAttributes?: string[];
}

export interface PageLimits {
  defaultPageSize: number;
  maxPageSize: number;
}

const PARAMS = [
  'filter',
  'sortBy',
  'sortOrder',
  'startIndex',
  'count',
  'cursor',
  'attributes',
  'excludedAttributes',
] as const;
type Param = (typeof PARAMS)[number];

/** Parameter names are matched case-insensitively; IdPs are not consistent about them. */
function pick(source: Record<string, unknown>): Partial<Record<Param, unknown>> {
  const out: Partial<Record<Param, unknown>> = {};
  for (const [key, value] of Object.entries(source)) {
    const name = PARAMS.find((p) => p.toLowerCase() === key.toLowerCase());
    // A repeated query parameter arrives as an array: its first value counts. An empty array
    // (only from a SearchRequest body) is kept, to be refused as the wrong type.
    if (name)
      out[name] =
        Array.isArray(value) && value.length > 0 && name !== 'attributes' && name !== 'excludedAttributes'
          ? value[0]
          : value;
  }
  return out;
}

function integerParam(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d{1,15}\s*$/.test(value)) return Number(value);
  throw ScimError.invalidValue(`'${name}' must be an integer, got ${describeJson(value)}`);
}

function stringParam(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw ScimError.invalidValue(`'${name}' must be a string`);
  return value;
}

/** `attributes=a,b` or, in a SearchRequest, `"attributes": ["a","b"]`. */
export function attributeListParam(name: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const parts = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') throw ScimError.invalidValue(`'${name}' must be a list of attribute names`);
    for (const item of part.split(',')) {
      const trimmed = item.trim();
      if (trimmed) out.push(trimmed);
    }
  }
  if (out.length > 200) throw ScimError.invalidValue(`'${name}' names more than 200 attributes`);
  return out.length > 0 ? out : undefined;
}

export function parseListQuery(
  source: Record<string, unknown>,
  rs: ResourceSchema,
  limits: PageLimits,
): ListQuery {
  const p = pick(source);
  const query: ListQuery = parsePaging(p, limits);
  const filter = filterParam(p);
  if (filter !== undefined) query.filter = parseFilter(filter, rs);
  const sort = sortParams(p);
  if (sort) query.sort = { attr: sortAttribute(rs, sort.sortBy), descending: sort.descending };
  return query;
}

/**
 * A search at the service root, RFC 7644 §3.4.3: one query over several resource types.
 * `filters` has an entry for each type that can match (parseRootFilter; `undefined` when every
 * resource of the type matches); `sort` names the sort attribute per type that defines it.
 */
type Paging = Omit<ListQuery, 'filter' | 'sort'>;

export interface RootQuery extends Paging {
  filters: Map<string, FilterNode | undefined>;
  sort?: { attrs: Map<string, AttrRef>; descending: boolean };
}

export function parseRootQuery(
  source: Record<string, unknown>,
  schemas: readonly ResourceSchema[],
  limits: PageLimits,
): RootQuery {
  const p = pick(source);
  const query: RootQuery = { ...parsePaging(p, limits), filters: new Map() };
  const filter = filterParam(p);
  const parsed = filter === undefined ? undefined : parseRootFilter(filter, schemas);
  for (const rs of schemas) {
    const f = parsed ? parsed.get(rs.type.name) : true;
    if (f === false) continue;
    query.filters.set(rs.type.name, f === true ? undefined : f);
  }
  const sort = sortParams(p);
  if (sort) {
    const attrs = new Map<string, AttrRef>();
    let refusal: ScimError | undefined;
    for (const rs of schemas) {
      try {
        attrs.set(rs.type.name, sortAttribute(rs, sort.sortBy));
      } catch (error) {
        if (!(error instanceof ScimError)) throw error;
        refusal ??= error;
      }
    }
    // One key orders every type: values of one attribute must compare as one kind.
    const kinds = new Set([...attrs.values()].map((a) => SORT_KIND[a.type] ?? 'text'));
    if (attrs.size === 0 && refusal) throw refusal;
    if (kinds.size > 1) {
      throw ScimError.invalidValue(
        `'sortBy' names attributes of different types in different resource types: '${sort.sortBy}'`,
      );
    }
    query.sort = { attrs, descending: sort.descending };
  }
  return query;
}

const SORT_KIND: Partial<Record<AttributeType, string>> = {
  integer: 'number',
  decimal: 'number',
  boolean: 'number',
};

function filterParam(p: Partial<Record<Param, unknown>>): string | undefined {
  const filter = stringParam('filter', p.filter);
  if (filter !== undefined && filter.trim() === '') throw ScimError.invalidFilter('The filter is empty');
  return filter;
}

function sortParams(p: Partial<Record<Param, unknown>>): { sortBy: string; descending: boolean } | undefined {
  const sortBy = stringParam('sortBy', p.sortBy);
  const sortOrder = stringParam('sortOrder', p.sortOrder);
  let descending = false;
  if (sortOrder !== undefined && sortOrder !== '') {
    const order = sortOrder.toLowerCase();
    if (order !== 'ascending' && order !== 'descending') {
      throw ScimError.invalidValue(`'sortOrder' must be 'ascending' or 'descending', got '${sortOrder}'`);
    }
    descending = order === 'descending';
  }
  return sortBy !== undefined && sortBy !== '' ? { sortBy, descending } : undefined;
}

function sortAttribute(rs: ResourceSchema, sortBy: string): AttrRef {
  const resolved = resolveAttribute(rs, sortBy);
  const leaf = resolved ? (resolved.subAttribute ?? resolved.attribute) : undefined;
  // A writeOnly attribute (password) is never stored or returned: there is nothing to sort by.
  if (!resolved || !leaf || leaf.type === 'complex' || leaf.mutability === 'writeOnly') {
    throw ScimError.invalidValue(`'sortBy' names no sortable attribute of ${rs.type.name}: '${sortBy}'`);
  }
  return attrRefOf(resolved);
}

/** startIndex/count, cursor and the attribute lists: the same for every kind of search. */
function parsePaging(p: Partial<Record<Param, unknown>>, limits: PageLimits): Paging {
  const query: Paging = { startIndex: 1, count: limits.defaultPageSize };
  // RFC 7644 §3.4.2.4: startIndex < 1 is 1; a negative count is 0; count above the maximum is the maximum.
  const startIndex = integerParam('startIndex', p.startIndex);
  if (startIndex !== undefined) query.startIndex = Math.max(1, startIndex);
  const count = integerParam('count', p.count);
  if (count !== undefined) query.count = Math.min(Math.max(0, count), limits.maxPageSize);

  // RFC 9865 §2.4: startIndex asks for index paging, cursor for cursor paging; not both.
  if (p.cursor !== undefined && p.cursor !== null && typeof p.cursor !== 'string') {
    throw ScimError.invalidCursor("'cursor' must be a string: empty for the first page, else a nextCursor");
  }
  const cursor = stringParam('cursor', p.cursor);
  if (cursor !== undefined) {
    if (startIndex !== undefined) {
      throw ScimError.invalidCursor(
        "'startIndex' and 'cursor' cannot be combined: use startIndex for index paging or cursor for cursor paging",
      );
    }
    query.cursor = cursor;
  }

  const attributes = attributeListParam('attributes', p.attributes);
  if (attributes) query.attributes = attributes;
  const excluded = attributeListParam('excludedAttributes', p.excludedAttributes);
  if (excluded) query.excludedAttributes = excluded;
  return query;
}
