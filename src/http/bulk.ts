/**
 * POST /Bulk, RFC 7644 §3.7: each operation runs as its own request would (its own
 * transaction), in request order, with `bulkId:` references replaced by the ids their POSTs
 * created. An operation that refers to a bulkId created later waits until that POST has run
 * (§3.7.2); circular references between new groups are resolved by creating one of them
 * without the members that do not exist yet and adding those once they do (§3.7.1).
 * The bulk as a whole is not atomic (the RFC does not make it so); `failOnErrors` stops it.
 *
 * An operation that cannot run as sent (no usable method, a bad path, a POST without bulkId, a
 * duplicate bulkId, no `data` object, …) is not a reason to refuse the others (§3.7.3): it is
 * answered, in its place, with status 400 and an Error body, it counts toward `failOnErrors`
 * when its turn comes, and a `bulkId:` reference to it fails as one to any failed POST does.
 * Only a malformed BulkRequest message is a whole-request error (parseBulkRequest).
 */
import type { Actor } from '../directory/deps.ts';
import type { Directory } from '../directory/directory.ts';
import { type Resource, resourceEtag } from '../directory/resources.ts';
import {
  BULK_RESPONSE,
  type BulkOperation,
  type CircularSplit,
  type InvalidBulkOperation,
  isInvalidOperation,
  parseBulkRequest,
  referencedBulkIds,
  resolveBulkIds,
  splitCircular,
} from '../scim/bulk.ts';
import { ScimError } from '../scim/errors.ts';
import type { ResourceSchema } from '../scim/schema/types.ts';
import { errorBody } from './responses.ts';

export interface BulkContext {
  directory: Directory;
  actor: Actor;
  /** `https://host/scim/v2/<org>` */
  base: string;
  resourceSchemas: ResourceSchema[];
  maxOperations: number;
  /** Where an operation's unexpected failure is logged (it is reported as that operation's 500). */
  log?: { error(details: object, message: string): void };
}

interface OperationResult {
  /** Absent only for an operation whose own `method` was unusable (nothing true to echo). */
  method?: string;
  bulkId?: string;
  version?: string;
  location?: string;
  status: string;
  response?: unknown;
}

/** One thing left to do: an operation of the request, or the second half of a split POST. */
type Entry =
  | { kind: 'op'; op: BulkOperation; refs: string[] }
  | { kind: 'invalid'; op: InvalidBulkOperation; refs: [] }
  | { kind: 'complete'; op: BulkOperation; refs: string[]; rs: ResourceSchema; id: string; data: unknown };

function schemaFor(ctx: BulkContext, op: { endpoint: string }): ResourceSchema | undefined {
  return ctx.resourceSchemas.find((r) => r.type.endpoint.toLowerCase() === op.endpoint.toLowerCase());
}

function locationOf(ctx: BulkContext, op: { endpoint: string }, id: string): string {
  const endpoint = schemaFor(ctx, op)?.type.endpoint ?? op.endpoint;
  return `${ctx.base}${endpoint}/${encodeURIComponent(id).replace(/%3A/gi, ':')}`;
}

function success(ctx: BulkContext, op: BulkOperation, status: number, record?: Resource) {
  const out: OperationResult = { method: op.method, status: String(status) };
  if (op.bulkId !== undefined) out.bulkId = op.bulkId;
  if (record) {
    out.location = locationOf(ctx, op, record.id);
    out.version = resourceEtag(record);
  }
  return out;
}

/**
 * §3.7.3: `location` in every result but a failed POST's; the error body in `response`. An
 * invalid operation has a location only if its method and a path with an id could be read.
 */
function failure(
  ctx: BulkContext,
  op: BulkOperation | InvalidBulkOperation,
  error: ScimError,
): OperationResult {
  const status = String(error.status);
  const out: OperationResult = op.method === undefined ? { status } : { method: op.method, status };
  if (op.bulkId !== undefined) out.bulkId = op.bulkId;
  if (op.method !== undefined && op.method !== 'POST' && op.endpoint !== undefined && op.id !== undefined) {
    out.location = locationOf(ctx, { endpoint: op.endpoint }, op.id);
  }
  out.response = errorBody(error);
  return out;
}

async function execute(ctx: BulkContext, op: BulkOperation): Promise<OperationResult> {
  const rs = schemaFor(ctx, op);
  if (!rs) throw ScimError.notFound(`No resource type at ${op.endpoint}`);
  const resources = ctx.directory.resources;
  const pre = { ifMatch: op.version };
  switch (op.method) {
    case 'POST':
      return success(ctx, op, 201, await resources.create(ctx.actor, rs, op.data));
    case 'PUT':
      return success(ctx, op, 200, await resources.replace(ctx.actor, rs, op.id ?? '', op.data, pre));
    case 'PATCH':
      return success(ctx, op, 200, await resources.patch(ctx.actor, rs, op.id ?? '', op.data, pre));
    case 'DELETE':
      await resources.delete(ctx.actor, rs, op.id ?? '', pre);
      return { ...success(ctx, op, 204), location: locationOf(ctx, op, op.id ?? '') };
  }
}

/**
 * An operation's failure as a ScimError. A bug or an outage in one operation is that
 * operation's 500: the operations before it are committed, and the client must learn which.
 */
function asScimError(ctx: BulkContext, op: { index: number }, error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  ctx.log?.error({ err: error, operation: op.index }, 'bulk operation failed');
  return ScimError.internal();
}

/** Runs a bulk request; the result is the BulkResponse body (RFC 7644 §3.7.3). */
export async function runBulk(ctx: BulkContext, body: unknown): Promise<Record<string, unknown>> {
  const request = parseBulkRequest(body, { maxOperations: ctx.maxOperations });
  const limit = request.failOnErrors ?? Number.POSITIVE_INFINITY;
  /**
   * bulkId -> index of the POST that creates it; undefined when the first operation carrying
   * that bulkId (its owner, even if invalid; a later one is a duplicate) is not a POST.
   */
  const creators = new Map<string, number | undefined>();
  for (const o of request.operations) {
    if (o.bulkId !== undefined && !creators.has(o.bulkId))
      creators.set(o.bulkId, o.method === 'POST' ? o.index : undefined);
  }
  /** bulkId -> id of the resource its POST created. */
  const created = new Map<string, string>();
  /** Results by operation index. */
  const results = new Map<number, OperationResult>();
  let errors = 0;
  // An invalid operation refers to nothing and is always ready: it fails when its turn comes.
  let pending: Entry[] = request.operations.map(
    (op): Entry =>
      isInvalidOperation(op)
        ? { kind: 'invalid', op, refs: [] }
        : { kind: 'op', op, refs: referencedBulkIds(op) },
  );

  /** A reference that can never be met: no POST of this request creates it, or that POST has run and failed. */
  const deadRef = (entry: Entry) =>
    entry.refs.find((r) => {
      if (created.has(r)) return false;
      const creator = creators.get(r);
      return creator === undefined || creator === entry.op.index || results.has(creator);
    });
  const ready = (entry: Entry) => entry.refs.every((r) => created.has(r));
  const unresolvable = (op: { index: number }, ref: string, circular = false) =>
    new ScimError(
      409,
      'invalidValue',
      circular
        ? `Operations[${op.index}]: bulkId '${ref}' is part of a circular reference this server cannot resolve`
        : `Operations[${op.index}]: bulkId '${ref}' does not name a resource created by this request`,
    );
  const fail = (op: BulkOperation | InvalidBulkOperation, error: ScimError) => {
    errors++;
    results.set(op.index, failure(ctx, op, error));
  };
  /** Undoes the first half of a split POST whose members could not be added: the operation failed as a whole. */
  const undo = async (entry: Extract<Entry, { kind: 'complete' }>) => {
    try {
      await ctx.directory.resources.delete(ctx.actor, entry.rs, entry.id);
    } catch (error) {
      asScimError(ctx, entry.op, error);
    }
    created.delete(entry.op.bulkId as string);
    results.delete(entry.op.index);
  };

  const run = async (entry: Entry) => {
    if (entry.kind === 'invalid') {
      fail(entry.op, entry.op.error);
      return;
    }
    const dead = deadRef(entry);
    if (entry.kind === 'complete') {
      try {
        if (dead) throw unresolvable(entry.op, dead);
        const data = resolveBulkIds({ ...entry.op, data: entry.data }, created).data;
        const record = await ctx.directory.resources.patch(ctx.actor, entry.rs, entry.id, data);
        const result = results.get(entry.op.index);
        if (result) result.version = resourceEtag(record);
      } catch (error) {
        const failed = asScimError(ctx, entry.op, error);
        await undo(entry);
        fail(entry.op, failed);
      }
      return;
    }
    try {
      if (dead) throw unresolvable(entry.op, dead);
      const op = resolveBulkIds(entry.op, created);
      const outcome = await execute(ctx, op);
      if (op.method === 'POST' && op.bulkId && outcome.location) {
        created.set(op.bulkId, outcome.location.slice(outcome.location.lastIndexOf('/') + 1));
      }
      results.set(op.index, outcome);
    } catch (error) {
      fail(entry.op, asScimError(ctx, entry.op, error));
    }
  };

  /** Creates a POST without its not-yet-created members; the rest is done by a `complete` entry. */
  const runSplit = async (entry: Extract<Entry, { kind: 'op' }>, split: CircularSplit) => {
    const rs = schemaFor(ctx, entry.op);
    try {
      if (!rs) throw ScimError.notFound(`No resource type at ${entry.op.endpoint}`);
      const op = resolveBulkIds(split.post, created);
      const record = await ctx.directory.resources.create(ctx.actor, rs, op.data);
      created.set(entry.op.bulkId as string, record.id);
      results.set(op.index, success(ctx, op, 201, record));
      const later = { ...entry.op, data: split.addMembers };
      pending.unshift({
        kind: 'complete',
        op: entry.op,
        refs: referencedBulkIds(later),
        rs,
        id: record.id,
        data: split.addMembers,
      });
    } catch (error) {
      fail(entry.op, asScimError(ctx, entry.op, error));
    }
  };

  while (pending.length > 0 && errors < limit) {
    // The first entry that can run, in request order (a split POST's members first): an
    // operation waits while a POST it refers to has yet to run.
    const next =
      pending.find((e) => e.kind === 'complete' && (ready(e) || deadRef(e))) ??
      pending.find((e) => ready(e) || deadRef(e));
    if (next) {
      pending = pending.filter((e) => e !== next);
      await run(next);
      continue;
    }
    // Every remaining operation waits on another: circular references (§3.7.1).
    const stuck = pending.filter((e): e is Extract<Entry, { kind: 'op' }> => e.kind === 'op');
    let split: { entry: (typeof stuck)[number]; parts: CircularSplit } | undefined;
    for (const entry of stuck) {
      const parts = splitCircular(entry.op, (r) => !created.has(r));
      if (parts) {
        split = { entry, parts };
        break;
      }
    }
    if (split) {
      const { entry, parts } = split;
      pending = pending.filter((e) => e !== entry);
      await runSplit(entry, parts);
      continue;
    }
    const first = stuck[0];
    if (!first) break; // cannot happen: a complete entry always waits on a pending POST
    pending = pending.filter((e) => e !== first);
    fail(first.op, unresolvable(first.op, first.refs.find((r) => !created.has(r)) ?? '', true));
  }
  // failOnErrors stopped the job: a split POST whose members were never added is undone, so
  // that no operation is left half done; operations not run are left out of the response.
  for (const entry of pending) if (entry.kind === 'complete') await undo(entry);

  const operations = request.operations
    .filter((op) => results.has(op.index))
    .map((op) => results.get(op.index));
  return { schemas: [BULK_RESPONSE], Operations: operations };
}
