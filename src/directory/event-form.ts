/**
 * An outbox row as the host app sees it, in webhooks and the pull feed alike (docs/events.md).
 * The payload follows the shape Standard Webhooks recommends (`type`, `timestamp`, `data`),
 * with our id, format version, org and changes beside it.
 */
import { CURRENT_EVENT_FORMAT, type EventRow } from '../store/events.ts';

/**
 * The event format's version: bumped only by a change that could break a consumer
 * (docs/events.md "Versions"). Each row keeps the version it was written in, and says so.
 * 2: user and group `data` in the API's one form (api-form.ts: curated fields, other SCIM
 * attributes under `attributes`).
 */
export const EVENT_FORMAT_VERSION = CURRENT_EVENT_FORMAT;

export interface EventPayload {
  id: string;
  type: string;
  version: number;
  timestamp: string;
  orgId: string | null;
  data: unknown;
  changes?: { changed: string[]; previous: Record<string, unknown> };
}

/** `evt_` and the outbox sequence number, zero-padded: stable, and sorts as events were written. */
export function eventId(seq: number): string {
  return `evt_${String(seq).padStart(16, '0')}`;
}

/** The seq of an event id, or undefined when it is not one. */
export function seqOfEventId(id: string): number | undefined {
  const m = /^evt_(\d{1,16})$/.exec(id);
  return m ? Number(m[1]) : undefined;
}

export function eventPayload(row: EventRow): EventPayload {
  let data = row.data;
  if (row.groupId !== null) {
    // Member events: the rows hold the member, the group, and the changed group (in data).
    const changedGroup = (row.data as { group?: string } | null)?.group;
    data = {
      group: { id: row.groupId },
      member: { id: row.resourceId, type: row.resourceType },
      direct: row.direct === true,
      ...(row.direct === true ? {} : { via: { id: row.viaId }, changedGroup: { id: changedGroup } }),
    };
  }
  return {
    id: eventId(row.seq),
    type: row.type,
    version: row.format,
    timestamp: row.at,
    orgId: row.orgId,
    data,
    ...(row.changes ? { changes: row.changes } : {}),
  };
}
