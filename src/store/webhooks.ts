/**
 * Webhook endpoints, deliveries and attempts (migration 0025; delivery itself is
 * src/events/dispatcher.ts). A delivery is one (endpoint, event); it is `pending` until a 2xx
 * (`delivered`) or until its retry window ends (`failed`). Workers claim due deliveries by
 * moving `next_attempt_at` past a lease, in one statement: PostgreSQL with FOR UPDATE SKIP
 * LOCKED, so instances sharing the database never claim the same row; a worker killed
 * mid-delivery leaves the row pending, and it is claimed again when the lease ends. Order per
 * resource: a delivery is claimable only when no pending delivery of the same endpoint and
 * resource key has a smaller id.
 */
import { type Kysely, sql } from 'kysely';
import { chunks } from './chunks.ts';
import { dialectOf } from './db.ts';
import { acknowledgeDelivered } from './deprovisionings.ts';
import type { FeedPosition } from './events.ts';
import type { DB, WebhookEndpointsTable } from './schema.ts';

export interface EndpointRecord {
  id: string;
  orgId: string | null;
  url: string;
  description: string | null;
  eventTypes: string[] | null;
  /** Sealed (src/crypto/secret-box.ts). */
  secret: string;
  oldSecret: string | null;
  oldSecretUntil: string | null;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
  cursor: FeedPosition;
}

function toEndpoint(r: WebhookEndpointsTable): EndpointRecord {
  return {
    id: r.id,
    orgId: r.org_id,
    url: r.url,
    description: r.description,
    eventTypes: r.event_types === null ? null : (JSON.parse(r.event_types) as string[]),
    secret: r.secret,
    oldSecret: r.old_secret,
    oldSecretUntil: r.old_secret_until,
    enabled: Number(r.enabled) === 1,
    disabledReason: r.disabled_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    cursor: { tx: Number(r.cursor_tx), seq: Number(r.cursor_seq) },
  };
}

export async function insertEndpoint(
  db: Kysely<DB>,
  e: Omit<EndpointRecord, 'oldSecret' | 'oldSecretUntil' | 'disabledReason' | 'enabled'>,
) {
  await db
    .insertInto('webhook_endpoints')
    .values({
      id: e.id,
      org_id: e.orgId,
      url: e.url,
      description: e.description,
      event_types: e.eventTypes === null ? null : JSON.stringify(e.eventTypes),
      secret: e.secret,
      old_secret: null,
      old_secret_until: null,
      enabled: 1,
      disabled_reason: null,
      created_at: e.createdAt,
      updated_at: e.updatedAt,
      cursor_tx: e.cursor.tx,
      cursor_seq: e.cursor.seq,
    })
    .execute();
}

export async function getEndpoint(db: Kysely<DB>, id: string): Promise<EndpointRecord | undefined> {
  const row = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toEndpoint(row);
}

/** Endpoints, all or those of one org (an org's own, not the all-org ones), by id. */
export async function listEndpoints(db: Kysely<DB>, orgId?: string): Promise<EndpointRecord[]> {
  let q = db.selectFrom('webhook_endpoints').selectAll().orderBy('id');
  if (orgId !== undefined) q = q.where('org_id', '=', orgId);
  return (await q.execute()).map(toEndpoint);
}

export interface EndpointChanges {
  url?: string;
  orgId?: string | null;
  description?: string | null;
  eventTypes?: string[] | null;
  secret?: string;
  oldSecret?: string | null;
  oldSecretUntil?: string | null;
  enabled?: boolean;
  disabledReason?: string | null;
  updatedAt: string;
}

export async function updateEndpoint(db: Kysely<DB>, id: string, c: EndpointChanges): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set({
      updated_at: c.updatedAt,
      ...(c.url !== undefined ? { url: c.url } : {}),
      ...(c.orgId !== undefined ? { org_id: c.orgId } : {}),
      ...(c.description !== undefined ? { description: c.description } : {}),
      ...(c.eventTypes !== undefined
        ? { event_types: c.eventTypes === null ? null : JSON.stringify(c.eventTypes) }
        : {}),
      ...(c.secret !== undefined ? { secret: c.secret } : {}),
      ...(c.oldSecret !== undefined ? { old_secret: c.oldSecret } : {}),
      ...(c.oldSecretUntil !== undefined ? { old_secret_until: c.oldSecretUntil } : {}),
      ...(c.enabled !== undefined ? { enabled: c.enabled ? 1 : 0 } : {}),
      ...(c.disabledReason !== undefined ? { disabled_reason: c.disabledReason } : {}),
    })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Deletes an endpoint with its deliveries and attempts. Call inside a transaction: on
 * PostgreSQL the endpoint's row is locked first, so that a planner holding it (it inserts
 * deliveries under that lock) commits before its deliveries are deleted, not after.
 */
export async function deleteEndpoint(db: Kysely<DB>, id: string): Promise<boolean> {
  if (dialectOf(db) === 'postgres') {
    await db.selectFrom('webhook_endpoints').select('id').where('id', '=', id).forUpdate().execute();
  }
  await db.deleteFrom('webhook_attempts').where('endpoint_id', '=', id).execute();
  await db.deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
  const result = await db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Locks one enabled endpoint for planning, skipping those another instance plans now
 * (PostgreSQL; SQLite serialises writers). Call inside a transaction.
 */
export async function lockEndpointForPlanning(
  tx: Kysely<DB>,
  id: string,
): Promise<EndpointRecord | undefined> {
  let q = tx.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).where('enabled', '=', 1);
  if (dialectOf(tx) === 'postgres') q = q.forUpdate().skipLocked();
  const row = await q.executeTakeFirst();
  return row && toEndpoint(row);
}

/**
 * Locks every endpoint that may plan an org's events (the org's own and those of every org),
 * waiting for the planners that hold them: after this, a delivery of the org's events is
 * either committed or will never be planned (PostgreSQL; SQLite serialises writers). In id
 * order, so that two callers never wait for each other.
 */
export async function lockEndpointsOfOrg(tx: Kysely<DB>, orgId: string): Promise<void> {
  if (dialectOf(tx) !== 'postgres') return;
  await tx
    .selectFrom('webhook_endpoints')
    .select('id')
    .where((eb) => eb.or([eb('org_id', '=', orgId), eb('org_id', 'is', null)]))
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** Locks an enabled endpoint, waiting for a planner that holds it (to disable it). */
export async function lockEnabledEndpoint(tx: Kysely<DB>, id: string): Promise<boolean> {
  let q = tx.selectFrom('webhook_endpoints').select('id').where('id', '=', id).where('enabled', '=', 1);
  if (dialectOf(tx) === 'postgres') q = q.forUpdate();
  return (await q.executeTakeFirst()) !== undefined;
}

export async function enabledEndpoints(db: Kysely<DB>): Promise<EndpointRecord[]> {
  const rows = await db.selectFrom('webhook_endpoints').selectAll().where('enabled', '=', 1).execute();
  return rows.map(toEndpoint);
}

export interface NewDelivery {
  endpointId: string;
  eventSeq: number;
  orgId: string | null;
  resourceKey: string;
}

/** Rows (or ids) per statement of the batched webhook writes. */
const WRITE_CHUNK = 500;

export async function insertDeliveries(
  db: Kysely<DB>,
  rows: readonly NewDelivery[],
  now: Date,
): Promise<void> {
  for (const part of chunks(rows, WRITE_CHUNK)) {
    await db
      .insertInto('webhook_deliveries')
      .values(
        part.map((d) => ({
          endpoint_id: d.endpointId,
          event_seq: d.eventSeq,
          org_id: d.orgId,
          resource_key: d.resourceKey,
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: now.getTime(),
          created_at: now.toISOString(),
          first_attempt_at: null,
          last_attempt_at: null,
          last_status: null,
          last_error: null,
        })),
      )
      .execute();
  }
}

export async function setEndpointCursor(db: Kysely<DB>, id: string, p: FeedPosition): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({ cursor_tx: p.tx, cursor_seq: p.seq })
    .where('id', '=', id)
    .execute();
}

export interface DeliveryRecord {
  id: number;
  endpointId: string;
  eventSeq: number;
  orgId: string | null;
  resourceKey: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  createdAt: string;
  firstAttemptAt: number | null;
  lastAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  /** The event's type, read with the delivery by listDeliveries and getDelivery (else null). */
  eventType: string | null;
}

// biome-ignore lint/suspicious/noExplicitAny: rows of raw SQL and of the builder alike
function toDelivery(r: any): DeliveryRecord {
  return {
    id: Number(r.id),
    endpointId: r.endpoint_id,
    eventSeq: Number(r.event_seq),
    orgId: r.org_id,
    resourceKey: r.resource_key,
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    createdAt: r.created_at,
    firstAttemptAt: r.first_attempt_at === null ? null : Number(r.first_attempt_at),
    lastAttemptAt: r.last_attempt_at,
    lastStatus: r.last_status === null ? null : Number(r.last_status),
    lastError: r.last_error,
    eventType: r.event_type ?? null,
  };
}

/** Deliveries with their event's type (null once the event has been pruned). */
function deliveriesWithType(db: Kysely<DB>) {
  return db
    .selectFrom('webhook_deliveries')
    .leftJoin('events', 'events.seq', 'webhook_deliveries.event_seq')
    .selectAll('webhook_deliveries')
    .select('events.type as event_type');
}

/**
 * Claims up to `limit` due deliveries: each the oldest pending one of its (endpoint, resource),
 * of an enabled endpoint; their `next_attempt_at` moves to `leaseUntil`, so nobody else claims
 * them while they are sent, and they come back by themselves if this worker dies.
 */
export async function claimDeliveries(
  db: Kysely<DB>,
  now: number,
  leaseUntil: number,
  limit: number,
): Promise<DeliveryRecord[]> {
  const pg = dialectOf(db) === 'postgres';
  const result = await sql`
    update webhook_deliveries set next_attempt_at = ${leaseUntil},
      first_attempt_at = coalesce(first_attempt_at, ${now})
    where id in (
      select d.id from webhook_deliveries as d
      join webhook_endpoints as w on w.id = d.endpoint_id and w.enabled = 1
      where d.status = 'pending' and d.next_attempt_at <= ${now}
        and not exists (
          select 1 from webhook_deliveries as e
          where e.endpoint_id = d.endpoint_id and e.resource_key = d.resource_key
            and e.status = 'pending' and e.id < d.id)
      order by d.next_attempt_at, d.id
      limit ${limit}
      ${pg ? sql`for update of d skip locked` : sql``}
    )
    returning *`.execute(db);
  return result.rows.map(toDelivery);
}

export interface AttemptOutcome {
  deliveryId: number;
  endpointId: string;
  at: string;
  status: number | null;
  latencyMs: number;
  error: string | null;
  responseStart: string | null;
  /**
   * The lease the attempt was claimed under (the delivery's next_attempt_at set by
   * claimDeliveries). The outcome changes the delivery only while that claim still holds: once
   * the lease ran out and the delivery was claimed again, or it was redelivered, a late outcome
   * adds its attempt to the history and leaves the delivery's state to the newer claim.
   */
  claimedUntil: number;
  /** What the delivery becomes. */
  next: { status: 'delivered' | 'failed' } | { status: 'pending'; nextAttemptAt: number };
}

/** Records one attempt and its delivery's new state, in one transaction. */
export function recordAttempt(db: Kysely<DB>, o: AttemptOutcome): Promise<void> {
  return recordAttempts(db, [o]);
}

/**
 * Records attempts and their deliveries' new states, all in one transaction: one INSERT of the
 * attempts, one UPDATE per outcome kind (delivered, failed) and one per retried delivery.
 * The dispatcher records what finished together at once (fewer commits per event).
 */
export async function recordAttempts(db: Kysely<DB>, all: readonly AttemptOutcome[]): Promise<void> {
  if (all.length === 0) return;
  await db.transaction().execute(async (tx) => {
    // Only deliveries that still exist: one deleted while its attempt was in flight (its org or
    // its endpoint deleted) keeps no attempt, which nothing would ever prune. On PostgreSQL the
    // rows are key-share locked: a deletion under way commits first (and they are gone), or
    // waits for this transaction and then deletes its attempts with the deliveries.
    const live = new Set<number>();
    const ids = [...new Set(all.map((o) => o.deliveryId))].sort((a, b) => a - b);
    for (const part of chunks(ids, WRITE_CHUNK)) {
      let q = tx.selectFrom('webhook_deliveries').select('id').where('id', 'in', part).orderBy('id');
      if (dialectOf(tx) === 'postgres') q = q.forKeyShare();
      for (const row of await q.execute()) live.add(Number(row.id));
    }
    const outcomes = all.filter((o) => live.has(o.deliveryId));
    for (const part of chunks(outcomes, WRITE_CHUNK)) {
      await tx
        .insertInto('webhook_attempts')
        .values(
          part.map((o) => ({
            delivery_id: o.deliveryId,
            endpoint_id: o.endpointId,
            at: o.at,
            status: o.status,
            latency_ms: o.latencyMs,
            error: o.error,
            response_start: o.responseStart,
          })),
        )
        .execute();
    }
    // Outcomes alike (same state, HTTP status and error) share one UPDATE, which takes each
    // delivery's attempt time from the attempt just inserted: a burst of 2xx deliveries
    // recorded together is one statement.
    const alike = new Map<string, AttemptOutcome[]>();
    for (const o of outcomes) {
      const key =
        o.next.status === 'pending'
          ? `pending:${o.deliveryId}`
          : JSON.stringify([o.next.status, o.status, o.error, o.claimedUntil]);
      const group = alike.get(key);
      if (group) group.push(o);
      else alike.set(key, [o]);
    }
    for (const group of alike.values()) {
      const o = group[0] as AttemptOutcome;
      for (const ids of chunks(
        group.map((g) => g.deliveryId),
        WRITE_CHUNK,
      )) {
        await tx
          .updateTable('webhook_deliveries')
          .set({
            status: o.next.status,
            attempts: sql<number>`attempts + 1`,
            last_attempt_at: sql<string>`(select a.at from webhook_attempts as a
              where a.delivery_id = webhook_deliveries.id order by a.id desc limit 1)`,
            last_status: o.status,
            last_error: o.error,
            ...(o.next.status === 'pending' ? { next_attempt_at: o.next.nextAttemptAt } : {}),
          })
          .where('id', 'in', ids)
          .where('status', '=', 'pending')
          .where('next_attempt_at', '=', o.claimedUntil)
          .execute();
      }
    }
    // A 2xx acknowledges the deprovisioning the event carried (docs/deprovisioning.md).
    await acknowledgeDelivered(
      tx,
      outcomes.filter((o) => o.next.status === 'delivered'),
    );
  });
}

/** Puts a delivery back to pending, due now, with a fresh retry window. */
export async function redeliver(
  db: Kysely<DB>,
  endpointId: string,
  deliveryId: number,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', next_attempt_at: now, first_attempt_at: null })
    .where('id', '=', deliveryId)
    .where('endpoint_id', '=', endpointId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function getDelivery(db: Kysely<DB>, id: number): Promise<DeliveryRecord | undefined> {
  const row = await deliveriesWithType(db).where('webhook_deliveries.id', '=', id).executeTakeFirst();
  return row && toDelivery(row);
}

/** An endpoint's deliveries, newest first, before `beforeId` (keyset), optionally of one status. */
export async function listDeliveries(
  db: Kysely<DB>,
  endpointId: string,
  q: { status?: string | undefined; beforeId?: number | undefined; limit: number },
): Promise<DeliveryRecord[]> {
  let query = deliveriesWithType(db)
    .where('webhook_deliveries.endpoint_id', '=', endpointId)
    .orderBy('webhook_deliveries.id', 'desc')
    .limit(q.limit);
  if (q.status !== undefined) query = query.where('webhook_deliveries.status', '=', q.status as 'pending');
  if (q.beforeId !== undefined) query = query.where('webhook_deliveries.id', '<', q.beforeId);
  return (await query.execute()).map(toDelivery);
}

export interface AttemptRecord {
  id: number;
  at: string;
  status: number | null;
  latencyMs: number;
  error: string | null;
  responseStart: string | null;
}

export async function listAttempts(db: Kysely<DB>, deliveryId: number): Promise<AttemptRecord[]> {
  const rows = await db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    status: r.status === null ? null : Number(r.status),
    latencyMs: Number(r.latency_ms),
    error: r.error,
    responseStart: r.response_start,
  }));
}

/** Deletes finished deliveries (and their attempts) created before `before`. */
export async function pruneDeliveries(db: Kysely<DB>, before: string, batch = 5000): Promise<number> {
  const ids = (
    await db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', '<>', 'pending')
      .where('created_at', '<', before)
      .orderBy('id')
      .limit(batch)
      .execute()
  ).map((r) => Number(r.id));
  if (ids.length === 0) return 0;
  await db.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
  await db.deleteFrom('webhook_deliveries').where('id', 'in', ids).execute();
  return ids.length;
}

/**
 * Deliveries still pending (database-wide: every instance's queue) and the creation time of
 * the oldest, for /metrics. Reads the partial index of pending deliveries only.
 */
export async function pendingDeliveries(db: Kysely<DB>): Promise<{ count: number; oldest: string | null }> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.min('created_at').as('oldest')])
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return { count: Number(row.n), oldest: row.oldest ?? null };
}
