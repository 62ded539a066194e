/** Audit trail: one row per mutating request, written in the request's transaction. */
import type { Kysely } from 'kysely';
import { type BoundQuery, preparedQuery } from './prepared.ts';
import type { AuditEventsTable, DB } from './schema.ts';

/**
 * Who made a change: an IdP through a SCIM token, the host app through an API key, the CLI, the
 * service itself, a console operator or a setup link (docs/console.md).
 */
export const ACTOR_KINDS = ['scim_token', 'api_key', 'cli', 'system', 'operator', 'setup_link'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export interface AuditEvent {
  orgId: string;
  /** ISO-8601 timestamp. */
  at: string;
  requestId: string | null;
  actorKind: ActorKind;
  /** The actor's id: the SCIM token's or API key's id; for the CLI the OS login name, for `system` the task (e.g. `sso:<connection id>`). */
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

function toRecord(
  row: Omit<AuditEventsTable, 'id' | 'actor_kind'> & { id: number; actor_kind: string },
): AuditRecord {
  return {
    id: Number(row.id),
    orgId: row.org_id,
    at: row.at,
    requestId: row.request_id,
    actorKind: row.actor_kind as ActorKind,
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
      actor_kind: a[8] as string,
    })
    .returning('id'),
);

/** insertAudit's statement, bound for a write run synchronously (sqlite-driver.ts writeInGroup). */
export function boundAudit(db: Kysely<DB>, event: AuditEvent): BoundQuery {
  return insertRow.bind(
    db,
    event.orgId,
    event.at,
    event.requestId,
    event.tokenId,
    event.action,
    event.resourceType,
    event.resourceId,
    JSON.stringify(event.attributes),
    event.actorKind,
  );
}

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
    event.actorKind,
  );
  if (!row) throw new Error('insert into audit_events returned no row');
  return Number(row.id);
}

export interface AuditQuery {
  limit: number;
  action?: string | undefined;
  actorKind?: string | undefined;
  actorId?: string | undefined;
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
  if (q.actorKind !== undefined) query = query.where('actor_kind', '=', q.actorKind);
  if (q.actorId !== undefined) query = query.where('token_id', '=', q.actorId);
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

/** Rows per DELETE while pruning: a large prune never holds SQLite's write lock for long. */
const PRUNE_CHUNK = 5000;

/**
 * Deletes audit rows older than `before` (ISO time), org by org, PRUNE_CHUNK rows per
 * statement (on audit_events_org_at_idx), at most `maxRows` in all per call. Returns how many.
 */
export async function pruneAudit(db: Kysely<DB>, before: string, maxRows = 100_000): Promise<number> {
  const orgs = await db.selectFrom('audit_events').select('org_id').distinct().execute();
  let deleted = 0;
  for (const { org_id: orgId } of orgs) {
    while (deleted < maxRows) {
      const ids = db
        .selectFrom('audit_events')
        .select('id')
        .where('org_id', '=', orgId)
        .where('at', '<', before)
        .orderBy('at')
        .limit(Math.min(PRUNE_CHUNK, maxRows - deleted));
      const result = await db.deleteFrom('audit_events').where('id', 'in', ids).executeTakeFirst();
      const n = Number(result.numDeletedRows);
      deleted += n;
      if (n < PRUNE_CHUNK) break;
    }
  }
  return deleted;
}

/** The settings row whose value is the time until which one instance holds the prune (ISO). */
const PRUNE_LEASE = 'audit_prune_lease';

/**
 * Takes the audit prune's lease until `until` if nobody holds it at `now` (ISO times): one
 * conditional UPDATE, so of instances sharing the database only one wins. Returns whether this
 * caller holds it.
 */
export async function claimPruneLease(db: Kysely<DB>, now: string, until: string): Promise<boolean> {
  await db
    .insertInto('settings')
    .values({ key: PRUNE_LEASE, value: '' })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const result = await db
    .updateTable('settings')
    .set({ value: until })
    .where('key', '=', PRUNE_LEASE)
    .where('value', '<=', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives the lease back, if it is still the one taken until `until`. */
export async function releasePruneLease(db: Kysely<DB>, until: string): Promise<void> {
  await db
    .updateTable('settings')
    .set({ value: '' })
    .where('key', '=', PRUNE_LEASE)
    .where('value', '=', until)
    .execute();
}
