/**
 * The audit trail as the domain offers it: one record per committed change of a user or group
 * (written by ResourceService in the change's transaction), read newest first with filters and
 * cursor paging. Transports call this; only src/store/audit.ts knows the SQL.
 */
import { type AuditRecord, listAudit } from '../store/audit.ts';
import type { DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';
import { decodeCursor, type Page, toPage } from './paging.ts';

/** What is recorded: who (token, request), what (action, resource) and which attributes changed. */
export type AuditEntry = Omit<AuditRecord, 'orgId'>;

/**
 * The actions written today: ResourceService's changes, and the safety valves' (a held
 * deprovisioning, its release, discard, or supersession by a reactivation: directory/valves.ts).
 */
export const AUDIT_ACTIONS = [
  'create',
  'replace',
  'patch',
  'delete',
  'hold',
  'release',
  'discard',
  'supersede',
] as const;

export interface AuditFilter {
  action?: string | undefined;
  resourceType?: 'User' | 'Group' | undefined;
  resourceId?: string | undefined;
  /** ISO-8601, any UTC offset: since inclusive, until exclusive. */
  since?: string | undefined;
  until?: string | undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

function isoBound(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) {
    throw new DirectoryError(`${name} must be an ISO-8601 time`);
  }
  return new Date(value).toISOString();
}

export class AuditService {
  constructor(private readonly deps: DirectoryDeps) {}

  /** A page of the org's audit trail, newest first. The org is not checked: one that does not exist has none. */
  async page(
    orgId: string,
    filter: AuditFilter,
    paging: { limit: number; cursor?: string | undefined },
  ): Promise<Page<AuditEntry>> {
    const before =
      paging.cursor === undefined
        ? undefined
        : decodeCursor<[string, number]>(paging.cursor, ['string', 'number']);
    const rows = await listAudit(this.deps.database.db, orgId, {
      action: filter.action,
      resourceType: filter.resourceType,
      resourceId: filter.resourceId,
      since: isoBound('since', filter.since),
      until: isoBound('until', filter.until),
      before: before && { at: before[0], id: before[1] },
      limit: paging.limit + 1,
    });
    return toPage(
      rows.map(({ orgId: _org, ...entry }) => entry),
      paging.limit,
      (last) => [last.at, last.id],
    );
  }
}
