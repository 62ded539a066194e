/** Audit trail: one row per mutating request, written in the request's transaction. */
import type { Kysely } from 'kysely';
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
export async function insertAudit(db: Kysely<DB>, event: AuditEvent): Promise<number> {
  const row = await db
    .insertInto('audit_events')
    .values({
      org_id: event.orgId,
      at: event.at,
      request_id: event.requestId,
      token_id: event.tokenId,
      action: event.action,
      resource_type: event.resourceType,
      resource_id: event.resourceId,
      attributes: JSON.stringify(event.attributes),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** The org's most recent audit events, newest first. */
export async function listAudit(
  db: Kysely<DB>,
  orgId: string,
  options: { limit: number },
): Promise<AuditRecord[]> {
  const rows = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit)
    .execute();
  return rows.map(toRecord);
}
