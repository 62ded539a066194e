/**
 * The deprovisioning contract (docs/deprovisioning.md): every `user.deactivated` and
 * `user.deleted` event is a deprovisioning the host app has to acknowledge. The rows are written
 * with the event (a trigger, migration 0091); a 2xx webhook delivery of the event acknowledges it
 * (store/webhooks.ts recordAttempts), and so does `acknowledge` here, for pull consumers. A
 * reactivation leaves a pending deactivation pending: the app still has to end what the user
 * had open when it was deactivated.
 */
import { insertAudit } from '../store/audit.ts';
import {
  acknowledgeDeprovisioning,
  type DeprovisioningRecord,
  type DeprovisioningState,
  getDeprovisioning,
  listDeprovisionings,
} from '../store/deprovisionings.ts';
import { auditEvent } from './audit.ts';
import { type Actor, actorKind, type DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';
import { eventId } from './event-form.ts';
import { decodeCursor, type Page, toPage } from './paging.ts';

export const DEPROVISIONING_STATES = ['pending', 'acknowledged', 'all'] as const;

export interface Deprovisioning {
  /** `dpv_` and the event's sequence number. */
  id: string;
  eventId: string;
  type: 'user.deactivated' | 'user.deleted';
  userId: string;
  /** When the event was written (the deactivation or deletion committed). */
  at: string;
  /** Seconds since `at`, or until the acknowledgement once there is one. */
  ageSeconds: number;
  acknowledgedAt: string | null;
  /** `webhook:<endpoint id>`, `api_key:<key id>` or `cli[:<OS login>]`. */
  acknowledgedBy: string | null;
}

export function deprovisioningId(seq: number): string {
  return `dpv_${String(seq).padStart(16, '0')}`;
}

/** The event seq a deprovisioning id or event id names, or undefined. */
function seqOf(id: string): number | undefined {
  const m = /^(?:dpv|evt)_(\d{1,16})$/.exec(id);
  return m ? Number(m[1]) : undefined;
}

export class DeprovisioningService {
  constructor(private readonly deps: DirectoryDeps) {}

  private view(r: DeprovisioningRecord): Deprovisioning {
    const end = r.acknowledgedAt ? Date.parse(r.acknowledgedAt) : this.deps.now().getTime();
    return {
      id: deprovisioningId(r.eventSeq),
      eventId: eventId(r.eventSeq),
      type: r.kind as Deprovisioning['type'],
      userId: r.userId,
      at: r.at,
      ageSeconds: Math.max(0, Math.floor((end - Date.parse(r.at)) / 1000)),
      acknowledgedAt: r.acknowledgedAt,
      acknowledgedBy: r.acknowledgedBy,
    };
  }

  /** The org's deprovisionings in event order, oldest first. The org is not checked. */
  async page(
    orgId: string,
    filter: { state?: DeprovisioningState | undefined; userId?: string | undefined },
    paging: { limit: number; cursor?: string | undefined },
  ): Promise<Page<Deprovisioning>> {
    const afterSeq =
      paging.cursor === undefined ? undefined : decodeCursor<[number]>(paging.cursor, ['number'])[0];
    const rows = await listDeprovisionings(this.deps.database.db, orgId, {
      state: filter.state ?? 'pending',
      userId: filter.userId,
      afterSeq,
      limit: paging.limit + 1,
    });
    const page = toPage(rows, paging.limit, (last) => [last.eventSeq]);
    return { items: page.items.map((r) => this.view(r)), nextCursor: page.nextCursor };
  }

  async get(orgId: string, id: string): Promise<Deprovisioning> {
    const seq = seqOf(id);
    const row = seq === undefined ? undefined : await getDeprovisioning(this.deps.database.db, orgId, seq);
    if (!row) throw DirectoryError.notFound(`No deprovisioning '${id}' in organization '${orgId}'`);
    return this.view(row);
  }

  /**
   * Acknowledges a deprovisioning (by its id or its event's id) for a pull consumer.
   * Idempotent: one already acknowledged stays as it was, and is returned. The
   * acknowledgement and its audit entry are one transaction.
   */
  async acknowledge(actor: Actor, id: string): Promise<Deprovisioning> {
    const seq = seqOf(id);
    const kind = actorKind(actor);
    const by = actor.tokenId ? `${kind}:${actor.tokenId}` : kind;
    const at = this.deps.now().toISOString();
    const row = await this.deps.database.db.transaction().execute(async (tx) => {
      if (seq === undefined) return undefined;
      if (await acknowledgeDeprovisioning(tx, actor.orgId, seq, at, by)) {
        await insertAudit(
          tx,
          auditEvent(actor, {
            at,
            action: 'acknowledge',
            resourceType: 'Deprovisioning',
            resourceId: deprovisioningId(seq),
            attributes: ['acknowledgedAt'],
          }),
        );
      }
      return getDeprovisioning(tx, actor.orgId, seq);
    });
    if (!row) throw DirectoryError.notFound(`No deprovisioning '${id}' in organization '${actor.orgId}'`);
    return this.view(row);
  }
}
