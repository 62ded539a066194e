/** Audit trail: one row per mutating request, written in the request's transaction. */
import type { Kysely } from 'kysely';
import { preparedQuery } from './prepared.ts';
import type { AuditEventsTable, DB } from './schema.ts';

export interface AuditEvent {
  orgId: string;
  /** ISO-8601 timestamp. */
  at: string;
  requestId: string | null;
  tokenId: string | null;
  /** 'create' | 'replace' | 'patch' | 'delete' | … */
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  /** Names of the changed attributes. */
  attributes: string[];
}

export interface AuditRecord extends AuditEvent {
  id: number;
}

function toRecord(row: Omit<AuditEventsTable, 'id'> & { id: number }): AuditRecord {
  return {
    id: Number(row.id),
    orgId: row.org_id,
    at: row.at,
    requestId: row.request_id,
    tokenId: row.token_id,
    action: row.action,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    attributes: JSON.parse(row.attributes) as string[],
  };
}

/** Inserts an audit event; returns its id. */
const insertRow = preparedQuery((db: Kysely<DB>, ...a: (string | null)[]) =>
  db
    .insertInto('audit_events')
    .values({
      org_id: a[0] as string,
      at: a[1] as string,
      request_id: a[2] as string | null,
      token_id: a[3] as string | null,
      action: a[4] as string,
      resource_type: a[5] as string | null,
      resource_id: a[6] as string | null,
      attributes: a[7] as string,
    })
    .returning('id'),
);

export async function insertAudit(db: Kysely<DB>, event: AuditEvent): Promise<number> {
  const [row] = await insertRow(
    db,
    event.orgId,
    event.at,
    event.requestId,
    event.tokenId,
    event.action,
    event.resourceType,
    event.resourceId,
    JSON.stringify(event.attributes),
  );
  if (!row) throw new Error('insert into audit_events returned no row');
  return Number(row.id);
}

export interface AuditQuery {
  limit: number;
  action?: string | undefined;
  resourceType?: string | undefined;
  resourceId?: string | undefined;
  /** ISO-8601 bounds on `at`: since inclusive, until exclusive. */
  since?: string | undefined;
  until?: string | undefined;
  /** Keyset paging: only events before this one (newest first). */
  before?: { at: string; id: number } | undefined;
}

/** The org's audit events matching the query, newest first (on audit_events_org_at_idx). */
export async function listAudit(db: Kysely<DB>, orgId: string, q: AuditQuery): Promise<AuditRecord[]> {
  let query = db.selectFrom('audit_events').selectAll().where('org_id', '=', orgId);
  if (q.action !== undefined) query = query.where('action', '=', q.action);
  if (q.resourceType !== undefined) query = query.where('resource_type', '=', q.resourceType);
  if (q.resourceId !== undefined) query = query.where('resource_id', '=', q.resourceId);
  if (q.since !== undefined) query = query.where('at', '>=', q.since);
  if (q.until !== undefined) query = query.where('at', '<', q.until);
  const before = q.before;
  if (before !== undefined) {
    query = query.where((eb) =>
      eb.or([eb('at', '<', before.at), eb.and([eb('at', '=', before.at), eb('id', '<', before.id)])]),
    );
  }
  const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map(toRecord);
}
