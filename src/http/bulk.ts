/**
 * POST /Bulk, RFC 7644 §3.7: each operation runs as its own request would (its own
 * transaction), in order, with `bulkId:` references replaced by the ids their POSTs created.
 * The bulk as a whole is not atomic (the RFC does not make it so); `failOnErrors` stops it.
 */
import type { Actor } from '../directory/deps.ts';
import type { Directory } from '../directory/directory.ts';
import {
  BULK_RESPONSE,
  type BulkOperation,
  bulkOrder,
  parseBulkRequest,
  referencedBulkIds,
  resolveBulkIds,
} from '../scim/bulk.ts';
import { ScimError } from '../scim/errors.ts';
import { etagOf } from '../scim/resource.ts';
import type { ResourceSchema } from '../scim/schema/types.ts';
import { errorBody } from './responses.ts';

export interface BulkContext {
  directory: Directory;
  actor: Actor;
  /** `https://host/scim/v2/<org>` */
  base: string;
  resourceSchemas: ResourceSchema[];
  maxOperations: number;
}

interface OperationResult {
  method: string;
  bulkId?: string;
  version?: string;
  location?: string;
  status: string;
  response?: unknown;
}

async function execute(ctx: BulkContext, op: BulkOperation): Promise<OperationResult> {
  const rs = ctx.resourceSchemas.find((r) => r.type.endpoint.toLowerCase() === op.endpoint.toLowerCase());
  if (!rs) throw ScimError.notFound(`No resource type at ${op.endpoint}`);
  const resources = ctx.directory.resources;
  const pre = { ifMatch: op.version };
  const result = (status: number, record?: { id: string; version: number }): OperationResult => {
    const out: OperationResult = { method: op.method, status: String(status) };
    if (op.bulkId !== undefined) out.bulkId = op.bulkId;
    if (record) {
      out.location = `${ctx.base}${rs.type.endpoint}/${record.id}`;
      out.version = etagOf(record.version);
    }
    return out;
  };
  switch (op.method) {
    case 'POST':
      return result(201, await resources.create(ctx.actor, rs, op.data));
    case 'PUT':
      return result(200, await resources.replace(ctx.actor, rs, op.id ?? '', op.data, pre));
    case 'PATCH':
      return result(200, await resources.patch(ctx.actor, rs, op.id ?? '', op.data, pre));
    case 'DELETE':
      await resources.delete(ctx.actor, rs, op.id ?? '', pre);
      return { ...result(204), location: `${ctx.base}${rs.type.endpoint}/${op.id}` };
  }
}

function failure(op: BulkOperation, error: ScimError): OperationResult {
  const out: OperationResult = {
    method: op.method,
    status: String(error.status),
    response: errorBody(error),
  };
  if (op.bulkId !== undefined) out.bulkId = op.bulkId;
  if (op.method !== 'POST') out.location = op.path;
  return out;
}

/** Runs a bulk request; the result is the BulkResponse body (RFC 7644 §3.7.3). */
export async function runBulk(ctx: BulkContext, body: unknown): Promise<Record<string, unknown>> {
  const request = parseBulkRequest(body, { maxOperations: ctx.maxOperations });
  const { order, unresolved } = bulkOrder(request.operations);
  const created = new Map<string, string>();
  const results = new Map<number, OperationResult>();
  let errors = 0;
  const limit = request.failOnErrors ?? Number.POSITIVE_INFINITY;

  for (const original of [...order, ...unresolved]) {
    if (errors >= limit) break;
    let outcome: OperationResult;
    try {
      const missing = referencedBulkIds(original).filter((id) => !created.has(id));
      if (missing.length > 0) {
        // RFC 7644 §3.7.1: a reference that cannot be resolved is a 409.
        throw new ScimError(
          409,
          'invalidValue',
          `Operations[${original.index}]: bulkId '${missing[0]}' does not name a resource created by this request`,
        );
      }
      const op = resolveBulkIds(original, created);
      outcome = await execute(ctx, op);
      if (op.method === 'POST' && op.bulkId && outcome.location) {
        created.set(op.bulkId, outcome.location.slice(outcome.location.lastIndexOf('/') + 1));
      }
    } catch (error) {
      if (!(error instanceof ScimError)) throw error;
      errors++;
      outcome = failure(original, error);
    }
    results.set(original.index, outcome);
  }
  // Results in request order; operations not run because failOnErrors stopped the job are left out.
  const operations = request.operations
    .filter((op) => results.has(op.index))
    .map((op) => results.get(op.index));
  return { schemas: [BULK_RESPONSE], Operations: operations };
}
