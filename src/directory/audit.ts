/**
 * The audit trail as the domain offers it: one record per committed change of a user or group
 * (written by ResourceService in the change's transaction), read newest first with filters and
 * cursor paging. Transports call this; only src/store/audit.ts knows the SQL.
 */

import type { Kysely } from 'kysely';
import {
  ACTOR_KINDS,
  type ActorKind,
  type AuditEvent,
  type AuditRecord,
  claimPruneLease,
  insertAudit,
  listAudit,
  pruneAudit,
  releasePruneLease,
} from '../store/audit.ts';
import type { DB } from '../store/schema.ts';
import { type Actor, actorKind, type DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';
import { decodeCursor, type Page, toPage } from './paging.ts';

/** What is recorded: who (token, request), what (action, resource) and which attributes changed. */
export type AuditEntry = Omit<AuditRecord, 'orgId'>;

export { ACTOR_KINDS, type ActorKind };

/**
 * The audit row of a change `actor` made, for every writer of the trail (resources, valves,
 * roles, acknowledgements): who from the actor, what from `change`; never a value, only the
 * names of the changed attributes.
 */
export function auditEvent(
  actor: Actor,
  change: { at: string; action: string; resourceType: string; resourceId: string; attributes?: string[] },
): AuditEvent {
  return {
    orgId: actor.orgId,
    at: change.at,
    requestId: actor.requestId,
    actorKind: actorKind(actor),
    tokenId: actor.tokenId,
    action: change.action,
    resourceType: change.resourceType,
    resourceId: change.resourceId,
    attributes: change.attributes ?? [],
  };
}

/**
 * Who made a change, apart from the org it is in: what services whose calls name the org (or
 * none) take. An `Actor` is one; `requestActor` (API), `cliActor` (CLI) give them.
 */
export type Author = Pick<Actor, 'kind' | 'tokenId' | 'requestId'>;

/** The author of a call that named none (the directory used from code, as tests do). */
export const UNATTRIBUTED: Author = { kind: 'system', tokenId: null, requestId: null };

/**
 * The org id of the deployment's own trail: changes that belong to no org (API keys, the host
 * app's OIDC clients, operators) and org deletions, whose org's trail goes with the org. No org
 * can have this id (orgs' ids are lowercase letters, digits and dashes).
 */
export const DEPLOYMENT_TRAIL = '_deployment';

/**
 * Writes the audit entry of a change in the change's transaction `tx` (docs/api.md "Audit
 * trail"), in `orgId`'s trail (or DEPLOYMENT_TRAIL's): `attributes` are the names of what
 * changed, never a value.
 */
export type AuditWrite = (
  tx: Kysely<DB>,
  orgId: string,
  by: Author,
  action: string,
  resourceType: string,
  resourceId: string,
  attributes?: string[],
) => Promise<void>;

/** The AuditWrite of a service, stamping entries with its clock. */
export function auditWriter(now: () => Date): AuditWrite {
  return async (tx, orgId, by, action, resourceType, resourceId, attributes = []) => {
    const at = now().toISOString();
    await insertAudit(tx, auditEvent({ orgId, ...by }, { at, action, resourceType, resourceId, attributes }));
  };
}

/**
 * The actions written: a resource's (ResourceService), a deprovisioning's acknowledgement, role
 * rules' and settings' changes (RoleService), the safety valves' (a held deprovisioning, its
 * release, discard, or supersession by a reactivation: directory/valves.ts), SSO connections'
 * and domains' changes (directory/sso-connections.ts; the names of what changed, never a secret);
 * an org's own changes and its SCIM tokens' (orgs.ts), setup links', extensions' and property
 * mappings', valve settings' and webhook endpoints' (of one org; of every org in the
 * deployment's trail), and, in the deployment's trail, API keys', apps', operators' and
 * org deletions. A feature that audits a new action or resource type adds it here (the API's filters and
 * docs/api.md "Audit trail" list these).
 */
export const AUDIT_ACTIONS = [
  'create',
  'replace',
  'patch',
  'delete',
  'link',
  'hold',
  'release',
  'discard',
  'supersede',
  'acknowledge',
  'role_rule.create',
  'role_rule.update',
  'role_rule.delete',
  'role_settings.update',
  'sso_connection.create',
  'sso_connection.update',
  'sso_connection.delete',
  'sso_domain.add',
  'sso_domain.remove',
  'sso_domain.verify',
  'org.create',
  'org.update',
  'org.delete',
  'scim_token.create',
  'scim_token.revoke',
  'api_key.create',
  'api_key.revoke',
  'webhook_endpoint.create',
  'webhook_endpoint.update',
  'webhook_endpoint.enable',
  'webhook_endpoint.rotate_secret',
  'webhook_endpoint.delete',
  'setup_link.create',
  'setup_link.revoke',
  'extension.declare',
  'extension.remove',
  'property_mapping.set',
  'property_mapping.remove',
  'valve_settings.update',
  'app.create',
  'app.update',
  'app.rotate_secret',
  'app.delete',
  'operator.create',
  'operator.reset',
  'operator.set_password',
] as const;
export const AUDIT_RESOURCE_TYPES = [
  'User',
  'Group',
  'Deprovisioning',
  'RoleRule',
  'RoleSettings',
  'SsoConnection',
  'SsoDomain',
  'Org',
  'ScimToken',
  'ApiKey',
  'WebhookEndpoint',
  'SetupLink',
  'SchemaExtension',
  'PropertyMapping',
  'ValveSettings',
  'App',
  'Operator',
] as const;

/**
 * An entry as every transport shows it (the API's list and export, the CLI's --json and
 * --jsonl): the actor as kind and id; `tokenId` kept for readers from before actors.
 */
export function auditView(e: AuditEntry) {
  return {
    id: e.id,
    at: e.at,
    requestId: e.requestId,
    actor: { kind: e.actorKind, id: e.tokenId },
    tokenId: e.actorKind === 'scim_token' ? e.tokenId : null,
    action: e.action,
    resourceType: e.resourceType,
    resourceId: e.resourceId,
    attributes: e.attributes,
  };
}

/** Entries read per query while exporting: the export streams, it never holds the trail. */
const EXPORT_BATCH = 500;

export interface AuditFilter {
  action?: string | undefined;
  actorKind?: ActorKind | undefined;
  /** The SCIM token's or API key's id (or the CLI's login, a system task's name). */
  actorId?: string | undefined;
  /** User, Group, Deprovisioning, … */
  resourceType?: string | undefined;
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
      ...this.query(filter),
      before: before && { at: before[0], id: before[1] },
      limit: paging.limit + 1,
    });
    return toPage(
      rows.map(({ orgId: _org, ...entry }) => entry),
      paging.limit,
      (last) => [last.at, last.id],
    );
  }

  private query(filter: AuditFilter) {
    return {
      action: filter.action,
      actorKind: filter.actorKind,
      actorId: filter.actorId,
      resourceType: filter.resourceType,
      resourceId: filter.resourceId,
      since: isoBound('since', filter.since),
      until: isoBound('until', filter.until),
    };
  }

  /**
   * Every entry matching the filter, newest first, read EXPORT_BATCH at a time by keyset as
   * the consumer pulls: memory does not grow with the trail. The bounds are checked before
   * the first entry is yielded. Stops early when `signal` aborts (the client went away).
   */
  export(orgId: string, filter: AuditFilter, signal?: AbortSignal): AsyncIterable<AuditEntry> {
    const query = this.query(filter);
    const db = this.deps.database.db;
    return {
      async *[Symbol.asyncIterator]() {
        let before: { at: string; id: number } | undefined;
        for (;;) {
          if (signal?.aborted) return;
          const rows = await listAudit(db, orgId, { ...query, before, limit: EXPORT_BATCH });
          for (const { orgId: _org, ...entry } of rows) yield entry;
          const last = rows[rows.length - 1];
          if (!last || rows.length < EXPORT_BATCH) return;
          before = { at: last.at, id: last.id };
        }
      },
    };
  }

  /**
   * Deletes entries older than `retentionDays` (AUDIT_RETENTION_DAYS, `audit prune --days`;
   * undefined keeps them forever), in batches of a few thousand rows per statement, under a
   * lease in the database so that one instance prunes at a time. Returns how many went, or
   * `busy` when another holds the lease.
   */
  async prune(retentionDays: number | undefined): Promise<number | 'busy'> {
    if (retentionDays === undefined) return 0;
    const db = this.deps.database.db;
    const now = this.deps.now().getTime();
    const until = new Date(now + PRUNE_LEASE_MS).toISOString();
    if (!(await claimPruneLease(db, new Date(now).toISOString(), until))) return 'busy';
    try {
      return await pruneAudit(db, new Date(now - retentionDays * 86_400_000).toISOString(), PRUNE_MAX_ROWS);
    } finally {
      await releasePruneLease(db, until);
    }
  }

  /**
   * The periodic prune (src/http/app.ts starts it when AUDIT_RETENTION_DAYS is set): once now,
   * then every `everyMs`; a failure is reported and the next round tries again.
   */
  startPruning(
    retentionDays: number,
    options: { everyMs?: number; onError: (error: unknown) => void },
  ): { stop(): Promise<void> } {
    let running: Promise<unknown> | undefined;
    const round = () => {
      running ??= this.prune(retentionDays)
        .catch(options.onError)
        .finally(() => {
          running = undefined;
        });
    };
    round();
    const timer = setInterval(round, options.everyMs ?? PRUNE_EVERY_MS).unref();
    return {
      async stop() {
        clearInterval(timer);
        await running;
      },
    };
  }
}

/** Most rows one prune deletes (PRUNE_CHUNK per statement); the next round goes on. */
const PRUNE_MAX_ROWS = 2_000_000;
/** How often the periodic prune runs. */
const PRUNE_EVERY_MS = 3_600_000;
/** How long one prune may hold the lease: an instance that dies holding it blocks no one for longer. */
const PRUNE_LEASE_MS = 15 * 60_000;
