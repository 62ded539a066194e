/**
 * Deprovisionings the host app has to acknowledge (migration 0091, docs/deprovisioning.md). A
 * trigger on `events` inserts one row per `user.deactivated` / `user.deleted` event, in that
 * event's transaction; this module reads them and marks them acknowledged: by the first 2xx
 * webhook delivery of the event (recordAttempts, store/webhooks.ts) or explicitly (the API, the CLI).
 */
import type { Kysely } from 'kysely';
import { chunks } from './chunks.ts';
import type { DB, DeprovisioningsTable } from './schema.ts';

export interface DeprovisioningRecord {
  eventSeq: number;
  orgId: string;
  userId: string;
  /** `user.deactivated` or `user.deleted`. */
  kind: string;
  at: string;
  acknowledgedAt: string | null;
  /** `webhook:<endpoint id>`, `api_key:<key id>` or `cli[:<OS login>]`. */
  acknowledgedBy: string | null;
}

function toRecord(r: DeprovisioningsTable): DeprovisioningRecord {
  return {
    eventSeq: Number(r.event_seq),
    orgId: r.org_id,
    userId: r.user_id,
    kind: r.kind,
    at: r.at,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
  };
}

export type DeprovisioningState = 'pending' | 'acknowledged' | 'all';

/** The org's deprovisionings in event order (oldest first), after `afterSeq`. */
export async function listDeprovisionings(
  db: Kysely<DB>,
  orgId: string,
  q: {
    state: DeprovisioningState;
    afterSeq?: number | undefined;
    userId?: string | undefined;
    limit: number;
  },
): Promise<DeprovisioningRecord[]> {
  let query = db.selectFrom('deprovisionings').selectAll().where('org_id', '=', orgId);
  if (q.state === 'pending') query = query.where('acknowledged_at', 'is', null);
  if (q.state === 'acknowledged') query = query.where('acknowledged_at', 'is not', null);
  if (q.userId !== undefined) query = query.where('user_id', '=', q.userId);
  if (q.afterSeq !== undefined) query = query.where('event_seq', '>', q.afterSeq);
  const rows = await query.orderBy('event_seq').limit(q.limit).execute();
  return rows.map(toRecord);
}

export async function getDeprovisioning(
  db: Kysely<DB>,
  orgId: string,
  eventSeq: number,
): Promise<DeprovisioningRecord | undefined> {
  const row = await db
    .selectFrom('deprovisionings')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('event_seq', '=', eventSeq)
    .executeTakeFirst();
  return row && toRecord(row);
}

/**
 * Marks one deprovisioning of the org acknowledged, if it is not yet. Returns true when this
 * call acknowledged it (false: it was already, or there is none).
 */
export async function acknowledgeDeprovisioning(
  db: Kysely<DB>,
  orgId: string,
  eventSeq: number,
  at: string,
  by: string,
): Promise<boolean> {
  const result = await db
    .updateTable('deprovisionings')
    .set({ acknowledged_at: at, acknowledged_by: by })
    .where('org_id', '=', orgId)
    .where('event_seq', '=', eventSeq)
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Acknowledges the deprovisionings whose events these deliveries carried (each answered 2xx),
 * in the transaction that records the attempts: one UPDATE per endpoint per 500 deliveries,
 * which looks each delivery's event up by primary key. Any endpoint's delivery counts.
 */
export async function acknowledgeDelivered(
  db: Kysely<DB>,
  delivered: readonly { deliveryId: number; endpointId: string; at: string }[],
): Promise<void> {
  const byEndpoint = new Map<string, { at: string; ids: number[] }>();
  for (const d of delivered) {
    const entry = byEndpoint.get(d.endpointId) ?? { at: d.at, ids: [] };
    entry.ids.push(d.deliveryId);
    if (d.at > entry.at) entry.at = d.at;
    byEndpoint.set(d.endpointId, entry);
  }
  for (const [endpointId, { at, ids }] of byEndpoint) {
    for (const part of chunks(ids, 500)) {
      await db
        .updateTable('deprovisionings')
        .set({ acknowledged_at: at, acknowledged_by: `webhook:${endpointId}` })
        .where('acknowledged_at', 'is', null)
        .where('event_seq', 'in', (eb) =>
          eb.selectFrom('webhook_deliveries').select('event_seq').where('id', 'in', part),
        )
        .execute();
    }
  }
}
