/**
 * PATCH request parsing, RFC 7644 §3.5.2: the PatchOp message, its `Operations` and each
 * operation's `op`, `path` and `value`. Paths are resolved against the resource schema here,
 * so that apply.ts never sees a SCIM path string. Values stay raw: they are normalised where
 * the target attribute is known (apply.ts), because a no-path value names many attributes.
 */
import { atOperation, ScimError } from '../errors.ts';
import { type PatchPath, parsePatchPath } from '../filter/patch-path.ts';
import { describeJson, isObject, memberCI, nestedDeeperThan } from '../json.ts';
import { MAX_DEPTH } from '../schema/normalize.ts';
import type { ResourceSchema } from '../schema/types.ts';

export const PATCH_OP_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * Most operations in one PATCH request. A Group `members` operation may still carry any
 * number of members in its `value`: the limit is on operations, not on values.
 */
export const MAX_OPERATIONS = 1000;

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  /** Absent for a no-path add/replace, whose `value` is then an object of attributes. */
  path?: PatchPath;
  /** Raw JSON value (normalised when applied). Present for add/replace; optional for remove. */
  value?: unknown;
  /** Position in `Operations`, for `Operations[i]: ` error details. */
  index: number;
}

const OPS = new Set(['add', 'replace', 'remove']);

/**
 * Parses a PATCH body (RFC 7644 §3.5.2). Lenient where real IdPs differ and nothing is lost:
 * member names (`Operations`, `op`, `path`, `value`) in any case, `op` values in any case
 * (Entra sends `Add`/`Replace`/`Remove`), an empty `path` read as no path, and a `path` that is
 * just an extension schema URN read as a no-path value under that URN (remove: all of it). Strict otherwise:
 * remove needs a path (§3.5.2.2 noTarget), add/replace need a value (§3.5.2.1, §3.5.2.3).
 */
export function parsePatchRequest(body: unknown, rs: ResourceSchema): PatchOperation[] {
  if (!isObject(body)) throw ScimError.invalidSyntax('PATCH body must be a JSON object');
  const schemas = memberCI(body, 'schemas');
  const urn = PATCH_OP_URN.toLowerCase();
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === urn)) {
    throw ScimError.invalidSyntax(`'schemas' must be an array that contains '${PATCH_OP_URN}'`);
  }
  const operations = memberCI(body, 'Operations');
  if (!Array.isArray(operations)) throw ScimError.invalidSyntax("'Operations' must be an array");
  if (operations.length === 0)
    throw ScimError.invalidValue("'Operations' must contain at least one operation");
  if (operations.length > MAX_OPERATIONS) {
    // Not tooMany: RFC 7644 §3.12 reserves that for filters that match too much.
    throw ScimError.invalidValue(
      `'Operations' has ${operations.length} operations; at most ${MAX_OPERATIONS} are accepted per request`,
    );
  }
  return operations.flatMap((raw, index) => {
    try {
      return parseOperation(raw, index, rs);
    } catch (e) {
      throw e instanceof ScimError ? atOperation(index, e) : e;
    }
  });
}

function parseOperation(raw: unknown, index: number, rs: ResourceSchema): PatchOperation | PatchOperation[] {
  if (!isObject(raw)) throw ScimError.invalidSyntax('an operation must be a JSON object');
  const opRaw = memberCI(raw, 'op');
  const op = typeof opRaw === 'string' ? opRaw.toLowerCase() : undefined;
  if (op === undefined || !OPS.has(op)) {
    throw ScimError.invalidSyntax(
      `'op' must be one of "add", "replace", "remove" (got ${describeJson(opRaw)})`,
    );
  }
  const kind = op as PatchOperation['op'];
  const pathRaw = memberCI(raw, 'path');
  if (pathRaw !== undefined && pathRaw !== null && typeof pathRaw !== 'string') {
    throw ScimError.invalidSyntax("'path' must be a string");
  }
  const pathText = typeof pathRaw === 'string' ? pathRaw.trim() : '';
  const value = memberCI(raw, 'value');
  // The limit POST and PUT bodies have (normalize.ts); applying walks the value recursively.
  if (nestedDeeperThan(value, MAX_DEPTH)) {
    throw ScimError.invalidValue(`'value' is nested deeper than ${MAX_DEPTH} levels`);
  }

  if (kind === 'remove') {
    if (pathText === '') throw ScimError.noTarget("'remove' requires a 'path'");
    // `"path": "urn:…:enterprise:2.0:User"` removes the whole extension, as add/replace on
    // that path set it: one remove per attribute of the extension (absent ones are no-ops).
    const whole = rs.extensions.find((s) => s.id.toLowerCase() === pathText.toLowerCase());
    if (whole) {
      return whole.attributes.map((a) => ({
        op: kind,
        path: parsePatchPath(`${whole.id}:${a.name}`, rs),
        index,
      }));
    }
    const out: PatchOperation = { op: kind, path: parsePatchPath(pathText, rs), index };
    if (value !== undefined) out.value = value;
    return out;
  }

  if (value === undefined) throw ScimError.invalidValue(`'${kind}' requires a 'value'`);
  if (pathText === '') {
    if (!isObject(value)) {
      throw ScimError.invalidValue(`'${kind}' without a 'path' requires an object 'value' of attributes`);
    }
    return { op: kind, value, index };
  }
  // `"path": "urn:…:enterprise:2.0:User"` names a whole extension: the value is its attributes.
  const extension = rs.extensions.find((s) => s.id.toLowerCase() === pathText.toLowerCase());
  if (extension) {
    if (!isObject(value)) throw ScimError.invalidValue(`'${extension.id}' must be an object`);
    return { op: kind, value: { [extension.id]: value }, index };
  }
  return { op: kind, path: parsePatchPath(pathText, rs), value, index };
}
