/**
 * Shared runner for the PATCH case tables: each case parses a PatchOp body and applies it to a
 * canonical doc, then checks the resulting doc and `changed`, or the exact error.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScimError } from '../../../src/scim/errors.ts';
import { applyPatch, type PatchResult } from '../../../src/scim/patch/apply.ts';
import { PATCH_OP_URN, parsePatchRequest } from '../../../src/scim/patch/parse.ts';
import { CORE_GROUP, CORE_USER, ENTERPRISE_USER, USER } from '../../../src/scim/schema/definitions.ts';
import type { ResourceSchema } from '../../../src/scim/schema/types.ts';

export type Json = Record<string, unknown>;

export interface ExpectedError {
  status: number;
  scimType: string;
  detailIncludes: string;
}

export interface PatchCase {
  name: string;
  /** Defaults to USER. */
  rs?: ResourceSchema;
  doc: Json;
  /** The `Operations` of a PatchOp body (the usual case)… */
  ops?: unknown[];
  /** …or a whole body, for body-level cases. */
  body?: unknown;
  expect?: Json;
  changed?: string[];
  password?: string;
  error?: ExpectedError;
}

export const E = ENTERPRISE_USER;

/** A canonical User doc with userName bjensen. */
export function user(extra: Json = {}): Json {
  const schemas = E in extra ? [CORE_USER, E] : [CORE_USER];
  return { schemas, userName: 'bjensen', ...extra };
}

/** A canonical Group doc named Admins. */
export function group(extra: Json = {}): Json {
  return { schemas: [CORE_GROUP], displayName: 'Admins', ...extra };
}

export function patchBody(ops: unknown[]): Json {
  return { schemas: [PATCH_OP_URN], Operations: ops };
}

export function patch(doc: Json, body: unknown, rs: ResourceSchema = USER): PatchResult {
  return applyPatch(doc, parsePatchRequest(body, rs), rs);
}

export function assertScimError(fn: () => unknown, expected: ExpectedError): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ScimError, `expected a ScimError, got ${String(e)}`);
    assert.equal(e.status, expected.status, e.detail);
    assert.equal(e.scimType, expected.scimType, e.detail);
    assert.ok(e.detail.includes(expected.detailIncludes), `detail ${JSON.stringify(e.detail)}`);
    return true;
  });
}

/** Sorts object keys recursively so that docs compare whatever their key order. */
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canon((v as Json)[k])]),
    );
  }
  return v;
}

export function runCases(cases: PatchCase[]): void {
  for (const c of cases) {
    test(c.name, () => {
      const body = c.body ?? patchBody(c.ops ?? []);
      const rs = c.rs ?? USER;
      const snapshot = structuredClone(c.doc);
      if (c.error) {
        const error = c.error;
        assertScimError(() => patch(c.doc, body, rs), error);
      } else {
        const result = patch(c.doc, body, rs);
        if (c.expect) assert.deepEqual(canon(result.doc), canon(c.expect));
        if (c.changed) assert.deepEqual(result.changed, c.changed);
        assert.equal(result.password, c.password);
      }
      // Whatever happened, the input doc is untouched.
      assert.deepEqual(c.doc, snapshot);
    });
  }
}
