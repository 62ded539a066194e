/**
 * Bulk requests, RFC 7644 §3.7: parsing the BulkRequest message and resolving `bulkId:`
 * references between its operations. Pure; src/http/bulk.ts executes the operations.
 */
import { ScimError } from './errors.ts';
import { isObject, memberCI as member } from './json.ts';
import { PATCH_OP_URN } from './patch/parse.ts';

export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

export type BulkMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface BulkOperation {
  index: number;
  method: BulkMethod;
  bulkId?: string;
  /** ETag the operation requires (If-Match), when given. */
  version?: string;
  /** `/Users`, `/Groups/{id}`, … as sent. */
  path: string;
  /** Endpoint part of the path: `/Users` or `/Groups` (whatever follows, the id). */
  endpoint: string;
  /** The resource id of a path like `/Users/{id}`; may be a `bulkId:` reference. */
  id?: string;
  data?: unknown;
}

/**
 * An operation this server cannot run as sent (RFC 7644 §3.7.3): it is answered with its own
 * 400 in the BulkResponse, in its place, and counts toward `failOnErrors`; the others run.
 * Holds what could be read of it to echo back: `method` only when it is one of the four,
 * `bulkId` when it is a string, `endpoint` and `id` when the path parsed.
 */
export interface InvalidBulkOperation {
  index: number;
  error: ScimError;
  method?: BulkMethod;
  bulkId?: string;
  endpoint?: string;
  id?: string;
}

export interface BulkRequest {
  /** Stop after this many errors (RFC 7644 §3.7.3); undefined: never stop. */
  failOnErrors?: number;
  /** In request order: operation i is `operations[i]`, runnable or not. */
  operations: (BulkOperation | InvalidBulkOperation)[];
}

export interface BulkLimits {
  maxOperations: number;
}

export function isInvalidOperation(op: BulkOperation | InvalidBulkOperation): op is InvalidBulkOperation {
  return 'error' in op;
}

const METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const PATH = /^\/?([A-Za-z]+)(?:\/([^/?#]+))?\/?$/;
/** A UTF-16 surrogate without its pair (String.prototype.isWellFormed is ES2024, past our lib). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Parses a BulkRequest (RFC 7644 §3.7). Only a problem with the message itself fails the
 * whole request: a body that is not an object, `schemas` without the BulkRequest URN,
 * `Operations` not an array, more operations than maxOperations (413, as the RFC asks), a bad
 * `failOnErrors`. A problem with one operation is that operation's error (§3.7.3): see
 * parseOperation.
 */
export function parseBulkRequest(body: unknown, limits: BulkLimits): BulkRequest {
  if (!isObject(body)) throw ScimError.invalidSyntax('A bulk request body must be a JSON object');
  const schemas = member(body, 'schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === BULK_REQUEST.toLowerCase())
  ) {
    throw ScimError.invalidSyntax(`'schemas' must contain '${BULK_REQUEST}'`);
  }
  const ops = member(body, 'Operations');
  if (!Array.isArray(ops)) throw ScimError.invalidSyntax("'Operations' must be an array");
  if (ops.length > limits.maxOperations) {
    throw ScimError.payloadTooLarge(
      `The bulk request has ${ops.length} operations; maxOperations is ${limits.maxOperations}`,
    );
  }
  const failOnErrors = member(body, 'failOnErrors');
  if (
    failOnErrors !== undefined &&
    (typeof failOnErrors !== 'number' || !Number.isInteger(failOnErrors) || failOnErrors < 1)
  ) {
    throw ScimError.invalidValue("'failOnErrors' must be a positive integer");
  }
  const claimed = new Map<string, number>();
  const operations = ops.map((raw, index) => parseOperation(raw, index, claimed));
  return failOnErrors === undefined ? { operations } : { failOnErrors: failOnErrors as number, operations };
}

/**
 * One operation of a BulkRequest, or why it cannot run (400 invalidSyntax or invalidValue).
 * A bulkId belongs to the first operation that carries it, valid or not (`claimed` maps it to
 * that operation's index): a later one carrying it again fails as a duplicate, and `bulkId:`
 * references keep naming the first, so they fail if the first did.
 */
function parseOperation(
  raw: unknown,
  index: number,
  claimed: Map<string, number>,
): BulkOperation | InvalidBulkOperation {
  const at = `Operations[${index}]: `;
  if (!isObject(raw)) return { index, error: ScimError.invalidSyntax(`${at}an operation must be an object`) };
  const known: Omit<InvalidBulkOperation, 'error'> = { index };
  const method = member(raw, 'method');
  if (typeof method === 'string' && METHODS.has(method.toUpperCase()))
    known.method = method.toUpperCase() as BulkMethod;
  const bulkId = member(raw, 'bulkId');
  if (typeof bulkId === 'string') known.bulkId = bulkId;
  const owner = typeof bulkId === 'string' ? claimed.get(bulkId) : undefined;
  if (typeof bulkId === 'string' && bulkId !== '' && owner === undefined) claimed.set(bulkId, index);
  try {
    if (known.method === undefined)
      throw ScimError.invalidValue(`${at}'method' must be POST, PUT, PATCH or DELETE`);
    const path = member(raw, 'path');
    const match = typeof path === 'string' ? PATH.exec(path) : null;
    if (!match) throw ScimError.invalidValue(`${at}'path' must be like /Users or /Users/{id}`);
    known.endpoint = `/${match[1]}`;
    const op: BulkOperation = { index, method: known.method, path: path as string, endpoint: known.endpoint };
    if (match[2] !== undefined) {
      try {
        op.id = decodeURIComponent(match[2]);
      } catch {
        throw ScimError.invalidValue(`${at}'path' has a malformed percent-encoding`);
      }
      if (op.id.includes('\u0000')) throw ScimError.invalidValue(`${at}'path' contains a NUL character`);
      // A lone surrogate (`"/Users/\ud800"`) is no text: no id can hold it, no URL can name it.
      if (LONE_SURROGATE.test(op.id)) throw ScimError.invalidValue(`${at}'path' contains a lone surrogate`);
      known.id = op.id;
    }
    if (bulkId !== undefined) {
      if (typeof bulkId !== 'string' || bulkId === '')
        throw ScimError.invalidValue(`${at}'bulkId' must be a non-empty string`);
      if (owner !== undefined)
        throw ScimError.invalidValue(`${at}bulkId '${bulkId}' is already used by Operations[${owner}]`);
      op.bulkId = bulkId;
    }
    const version = member(raw, 'version');
    if (typeof version === 'string') op.version = version;
    const data = member(raw, 'data');
    if (data !== undefined) op.data = data;
    if (op.method === 'POST') {
      if (op.id !== undefined)
        throw ScimError.invalidValue(`${at}POST goes to a resource type endpoint such as /Users`);
      if (op.bulkId === undefined) throw ScimError.invalidValue(`${at}'bulkId' is required with POST`);
    } else if (op.id === undefined) {
      throw ScimError.invalidValue(`${at}${op.method} needs a resource path such as /Users/{id}`);
    }
    if ((op.method === 'POST' || op.method === 'PUT' || op.method === 'PATCH') && !isObject(data)) {
      throw ScimError.invalidSyntax(`${at}'data' must be an object with ${op.method}`);
    }
    return op;
  } catch (error) {
    if (error instanceof ScimError) return { ...known, error };
    throw error;
  }
}

const REF = /^bulkId:(.+)$/;
/**
 * `bulkId:` references are looked for this deep in an operation's data and no deeper: the
 * walks stay bounded however deeply a client nests its JSON (the operation itself then
 * fails on its own depth limit, src/scim/schema/normalize.ts).
 */
const MAX_WALK_DEPTH = 64;

/** The bulkIds an operation refers to (`"bulkId:qwerty"` anywhere in its data or path). */
export function referencedBulkIds(op: BulkOperation): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, depth: number) => {
    if (typeof v === 'string') {
      const m = REF.exec(v);
      if (m?.[1]) out.add(m[1]);
    } else if (depth >= MAX_WALK_DEPTH) {
      return;
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
    } else if (isObject(v)) {
      for (const x of Object.values(v)) walk(x, depth + 1);
    }
  };
  walk(op.data, 0);
  if (op.id) walk(op.id, 0);
  return [...out];
}

/** The operation with every `bulkId:` reference replaced by the id it stands for. */
export function resolveBulkIds(op: BulkOperation, ids: ReadonlyMap<string, string>): BulkOperation {
  const swap = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      const m = REF.exec(v);
      return m?.[1] && ids.has(m[1]) ? ids.get(m[1]) : v;
    }
    if (depth >= MAX_WALK_DEPTH) return v;
    if (Array.isArray(v)) return v.map((x) => swap(x, depth + 1));
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x, depth + 1)]));
    return v;
  };
  const out: BulkOperation = { ...op, data: swap(op.data, 0) };
  if (op.id !== undefined) out.id = swap(op.id, 0) as string;
  return out;
}

/** A POST split to break a circular reference: the POST without some members, and the PATCH that adds them. */
export interface CircularSplit {
  post: BulkOperation;
  /** PatchOp body adding the members left out of `post`, once the resources they name exist. */
  addMembers: { schemas: string[]; Operations: { op: 'add'; path: string; value: unknown[] }[] };
}

/**
 * RFC 7644 §3.7.1: the service provider MUST try to resolve circular references between the
 * resources of one bulk request (group A has member group B, B has member A). A POST whose
 * only unresolved references are `members[].value` can be split: created without those
 * members, which are added by a PATCH once the resources they name exist. Returns undefined
 * when the operation cannot be split that way.
 */
export function splitCircular(
  op: BulkOperation,
  unresolved: (bulkId: string) => boolean,
): CircularSplit | undefined {
  if (op.method !== 'POST' || !isObject(op.data)) return undefined;
  const data: Record<string, unknown> = { ...op.data };
  const adds: CircularSplit['addMembers']['Operations'] = [];
  for (const [key, value] of Object.entries(data)) {
    if (key.toLowerCase() !== 'members' || !Array.isArray(value)) continue;
    const later = value.filter((m) => {
      const v = isObject(m) ? member(m, 'value') : undefined;
      const ref = typeof v === 'string' ? REF.exec(v)?.[1] : undefined;
      return ref !== undefined && unresolved(ref);
    });
    if (later.length === 0) continue;
    data[key] = value.filter((m) => !later.includes(m));
    adds.push({ op: 'add', path: key, value: later });
  }
  if (adds.length === 0) return undefined;
  const post: BulkOperation = { ...op, data };
  if (referencedBulkIds(post).some(unresolved)) return undefined;
  return { post, addMembers: { schemas: [PATCH_OP_URN], Operations: adds } };
}
