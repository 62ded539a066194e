/**
 * The directory's resources (Users now; Groups join them in the next step). Each mutating
 * call is one transaction holding the resource change and its audit record: if any part
 * fails, none happened (ARCHITECTURE.md).
 */
import { ScimError } from '../scim/errors.ts';
import type { ListQuery } from '../scim/list-query.ts';
import { applyPatch } from '../scim/patch/apply.ts';
import { parsePatchRequest } from '../scim/patch/parse.ts';
import { etagMatches } from '../scim/resource.ts';
import { indexTerms } from '../scim/schema/index-terms.ts';
import { normalizeResource } from '../scim/schema/normalize.ts';
import type { ResourceSchema } from '../scim/schema/types.ts';
import { insertAudit } from '../store/audit.ts';
import { StoreConflict, StoreVersionMismatch } from '../store/errors.ts';
import {
  deleteResource,
  getResource,
  insertResource,
  listResources,
  lockResource,
  type ResourceRecord,
  updateResource,
} from '../store/resources.ts';
import { hashPassword } from './credentials.ts';
import type { Actor, DirectoryDeps } from './deps.ts';

export interface Preconditions {
  /** If-Match header value (RFC 7644 §3.14). */
  ifMatch?: string | undefined;
}

export interface ListResult {
  total: number;
  startIndex: number;
  records: ResourceRecord[];
}

type Tx = Parameters<typeof insertResource>[0];

/** The indexed columns of a canonical document. */
function columnsOf(doc: Record<string, unknown>) {
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    userName: str(doc.userName),
    externalId: str(doc.externalId),
    displayName: str(doc.displayName),
    active: typeof doc.active === 'boolean' ? doc.active : null,
  };
}

/** Top-level attribute names whose values differ between two canonical documents. */
function changedAttributes(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  keys.delete('schemas');
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

function checkPrecondition(record: ResourceRecord, pre: Preconditions) {
  if (pre.ifMatch !== undefined && !etagMatches(pre.ifMatch, record.version)) {
    throw ScimError.preconditionFailed(
      `If-Match does not match the current version W/"${record.version}" of ${record.type} ${record.id}`,
    );
  }
}

function describeConflict(rs: ResourceSchema, error: StoreConflict, doc: Record<string, unknown>): ScimError {
  const value = error.field === 'userName' ? doc.userName : undefined;
  return ScimError.uniqueness(
    value !== undefined
      ? `${error.field} '${String(value)}' is already in use by another ${rs.type.name}`
      : `${rs.type.name} ${error.field} must be unique`,
  );
}

export class ResourceService {
  constructor(private readonly deps: DirectoryDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  private notFound(rs: ResourceSchema, id: string) {
    return ScimError.notFound(`${rs.type.name} ${id} not found`);
  }

  private async audit(
    tx: Tx,
    actor: Actor,
    action: string,
    rs: ResourceSchema,
    id: string,
    attributes: string[],
  ) {
    await insertAudit(tx, {
      orgId: actor.orgId,
      at: this.deps.now().toISOString(),
      requestId: actor.requestId,
      tokenId: actor.tokenId,
      action,
      resourceType: rs.type.name,
      resourceId: id,
      attributes,
    });
  }

  /** Runs `fn` in one transaction, mapping store failures to SCIM errors. */
  private async write<T>(rs: ResourceSchema, doc: () => Record<string, unknown>, fn: (tx: Tx) => Promise<T>) {
    try {
      return await this.db.transaction().execute(fn);
    } catch (error) {
      if (error instanceof StoreConflict) throw describeConflict(rs, error, doc());
      if (error instanceof StoreVersionMismatch) {
        throw ScimError.preconditionFailed('The resource was modified concurrently; fetch it and retry');
      }
      throw error;
    }
  }

  /** POST /{resourceType}, RFC 7644 §3.3. */
  async create(actor: Actor, rs: ResourceSchema, body: unknown): Promise<ResourceRecord> {
    const { doc, password } = normalizeResource(body, rs, { mode: 'create' });
    const passwordHash = password !== undefined ? await hashPassword(password) : null;
    const id = this.deps.newId();
    const created = this.deps.now().toISOString();
    return this.write(
      rs,
      () => doc,
      async (tx) => {
        const record = await insertResource(tx, {
          orgId: actor.orgId,
          type: rs.type.name,
          id,
          ...columnsOf(doc),
          doc,
          passwordHash,
          created,
          terms: indexTerms(doc, rs),
        });
        await this.audit(
          tx,
          actor,
          'create',
          rs,
          id,
          Object.keys(doc)
            .filter((k) => k !== 'schemas')
            .sort(),
        );
        return record;
      },
    );
  }

  /** GET /{resourceType}/{id}, RFC 7644 §3.4.1. */
  async get(actor: Actor, rs: ResourceSchema, id: string): Promise<ResourceRecord> {
    const record = await getResource(this.db, actor.orgId, rs.type.name, id);
    if (!record) throw this.notFound(rs, id);
    return record;
  }

  /** PUT /{resourceType}/{id}, RFC 7644 §3.5.1: the body replaces the resource. */
  async replace(actor: Actor, rs: ResourceSchema, id: string, body: unknown, pre: Preconditions = {}) {
    // Validate and hash before taking the write lock: bad input fails fast and the slow
    // password hash holds no lock. Inside, the work is redone only if the resource moved on.
    const current = await getResource(this.db, actor.orgId, rs.type.name, id);
    if (!current) throw this.notFound(rs, id);
    const early = normalizeResource(body, rs, { mode: 'replace', existing: current.doc });
    const newHash = early.password !== undefined ? await hashPassword(early.password) : undefined;
    let doc: Record<string, unknown> = early.doc;
    return this.write(
      rs,
      () => doc,
      async (tx) => {
        const record = await lockResource(tx, actor.orgId, rs.type.name, id);
        if (!record) throw this.notFound(rs, id);
        checkPrecondition(record, pre);
        const normalized =
          record.version === current.version
            ? early
            : normalizeResource(body, rs, { mode: 'replace', existing: record.doc });
        doc = normalized.doc;
        const passwordHash = newHash ?? record.passwordHash;
        const changed = changedAttributes(record.doc, doc);
        if (normalized.password !== undefined) changed.push('password');
        if (changed.length === 0) return record;
        const updated = await updateResource(
          tx,
          record.pk,
          {
            ...columnsOf(doc),
            doc,
            passwordHash,
            lastModified: this.deps.now().toISOString(),
            terms: indexTerms(doc, rs),
          },
          record.version,
        );
        await this.audit(tx, actor, 'replace', rs, id, changed);
        return updated;
      },
    );
  }

  /** PATCH /{resourceType}/{id}, RFC 7644 §3.5.2: all operations apply, or none. */
  async patch(actor: Actor, rs: ResourceSchema, id: string, body: unknown, pre: Preconditions = {}) {
    const operations = parsePatchRequest(body, rs);
    let doc: Record<string, unknown> = {};
    return this.write(
      rs,
      () => doc,
      async (tx) => {
        const record = await lockResource(tx, actor.orgId, rs.type.name, id);
        if (!record) throw this.notFound(rs, id);
        checkPrecondition(record, pre);
        const result = applyPatch(record.doc, operations, rs);
        doc = result.doc;
        const changed = [...result.changed];
        // password is writeOnly: applyPatch hands it back beside the document, never in it.
        const passwordHash =
          result.password !== undefined ? await hashPassword(result.password) : record.passwordHash;
        if (changed.length === 0) return record;
        const updated = await updateResource(
          tx,
          record.pk,
          {
            ...columnsOf(doc),
            doc,
            passwordHash,
            lastModified: this.deps.now().toISOString(),
            terms: indexTerms(doc, rs),
          },
          record.version,
        );
        await this.audit(tx, actor, 'patch', rs, id, [...new Set(changed)].sort());
        return updated;
      },
    );
  }

  /** DELETE /{resourceType}/{id}, RFC 7644 §3.6: gone at once; a tombstone stays for the audit trail. */
  async delete(actor: Actor, rs: ResourceSchema, id: string, pre: Preconditions = {}): Promise<void> {
    await this.write(
      rs,
      () => ({}),
      async (tx) => {
        const record = await lockResource(tx, actor.orgId, rs.type.name, id);
        if (!record) throw this.notFound(rs, id);
        checkPrecondition(record, pre);
        await deleteResource(tx, actor.orgId, rs.type.name, id, this.deps.now().toISOString());
        await this.audit(tx, actor, 'delete', rs, id, []);
      },
    );
  }

  /** GET /{resourceType} and POST /{resourceType}/.search, RFC 7644 §3.4.2, §3.4.3. */
  async list(actor: Actor, rs: ResourceSchema, query: ListQuery): Promise<ListResult> {
    const { total, rows } = await listResources(this.db, {
      orgId: actor.orgId,
      type: rs.type.name,
      filter: query.filter,
      sort: query.sort,
      offset: query.startIndex - 1,
      limit: query.count,
      countOnly: query.count === 0,
    });
    return { total, startIndex: query.startIndex, records: rows };
  }
}
