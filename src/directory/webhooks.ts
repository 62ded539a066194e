/**
 * Webhook endpoints and the event feed, as the management API and the CLI use them. Delivery
 * itself runs after commit in src/events/dispatcher.ts. Secrets are shown once, at creation and
 * rotation, and stored sealed (src/crypto/secret-box.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SecretBox } from '../crypto/secret-box.ts';
import { checkDestination, ForbiddenAddressError } from '../events/address-policy.ts';
import { type FeedPosition, latestPosition, readEvents } from '../store/events.ts';
import type { DB } from '../store/schema.ts';
import * as store from '../store/webhooks.ts';
import { type Author, auditWriter, DEPLOYMENT_TRAIL, UNATTRIBUTED } from './audit.ts';
import type { DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';
import { type EventPayload, eventId, eventPayload } from './event-form.ts';
import { decodeCursor as decodePageCursor, type Page, toPage } from './paging.ts';
import type { SecretKeys } from './secret-keys.ts';

/** A new Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Every event type (docs/events.md). */
export const EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.deleted',
  'user.linked',
  'user.roles_changed',
  'group.created',
  'group.updated',
  'group.deleted',
  'group.member_added',
  'group.member_removed',
  'scim_token.created',
  'scim_token.revoked',
  'org.created',
  'org.deleted',
  'org.deprovisioning_held',
  'webhook_endpoint.disabled',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface WebhookEndpoint {
  id: string;
  orgId: string | null;
  url: string;
  description: string | null;
  eventTypes: EventType[] | null;
  enabled: boolean;
  disabledReason: string | null;
  /** Until when the previous secret still signs beside the current one (after a rotation). */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewEndpoint {
  url: string;
  orgId?: string | null | undefined;
  description?: string | null | undefined;
  eventTypes?: string[] | null | undefined;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event for one endpoint, as the management API and the CLI show it. */
export interface WebhookDelivery {
  id: number;
  endpointId: string;
  eventId: string;
  /** Null once the event itself has been pruned from the outbox. */
  eventType: string | null;
  orgId: string | null;
  /** `<resource type>:<id>`: deliveries of one key go out one at a time, in order. */
  resourceKey: string;
  status: DeliveryStatus;
  attempts: number;
  /** When a pending delivery is next tried; null once delivered or failed. */
  nextAttemptAt: string | null;
  createdAt: string;
  lastAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
}

export interface WebhookAttempt {
  at: string;
  /** The receiver's HTTP status; null when no answer came (refused, timed out). */
  status: number | null;
  latencyMs: number;
  error: string | null;
  /** The first KiB of the receiver's answer. */
  responseStart: string | null;
}

function toDelivery(d: store.DeliveryRecord): WebhookDelivery {
  return {
    id: d.id,
    endpointId: d.endpointId,
    eventId: eventId(d.eventSeq),
    eventType: d.eventType,
    orgId: d.orgId,
    resourceKey: d.resourceKey,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? new Date(d.nextAttemptAt).toISOString() : null,
    createdAt: d.createdAt,
    lastAttemptAt: d.lastAttemptAt,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
  };
}

const MAX_URL = 2000;
const MAX_DESCRIPTION = 500;
/** Largest page of the feed. */
export const MAX_FEED_PAGE = 1000;

function toEndpoint(r: store.EndpointRecord): WebhookEndpoint {
  return {
    id: r.id,
    orgId: r.orgId,
    url: r.url,
    description: r.description,
    // Written by checkTypes only.
    eventTypes: r.eventTypes as EventType[] | null,
    enabled: r.enabled,
    disabledReason: r.disabledReason,
    previousSecretExpiresAt: r.oldSecret ? r.oldSecretUntil : null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function checkUrlForm(url: string): string {
  if (url.length > MAX_URL) throw new DirectoryError(`A webhook URL must be at most ${MAX_URL} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DirectoryError(`'${url.slice(0, 100)}' is not an absolute URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new DirectoryError('A webhook URL must be http:// or https://');
  }
  if (parsed.username || parsed.password) throw new DirectoryError('A webhook URL must not hold credentials');
  return parsed.toString();
}

function checkTypes(types: string[] | null | undefined): string[] | null {
  if (types === undefined || types === null) return null;
  if (types.length > EVENT_TYPES.length) throw new DirectoryError('Too many event types');
  for (const t of types) {
    if (!(EVENT_TYPES as readonly string[]).includes(t)) {
      throw new DirectoryError(`Unknown event type '${String(t).slice(0, 100)}'`);
    }
  }
  return [...new Set(types)].sort();
}

function checkDescription(d: string | null | undefined): string | null {
  if (d === undefined || d === null) return null;
  if (d.length > MAX_DESCRIPTION)
    throw new DirectoryError(`A description must be at most ${MAX_DESCRIPTION} characters`);
  return d;
}

/** A feed cursor: opaque to clients, `<tx>.<seq>` in base64url. */
export function encodeCursor(p: FeedPosition): string {
  return Buffer.from(`${p.tx}.${p.seq}`).toString('base64url');
}

export function decodeCursor(cursor: string): FeedPosition {
  const text = cursor.length <= 64 ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = /^(\d{1,19})\.(\d{1,19})$/.exec(text);
  const tx = Number(m?.[1]);
  const seq = Number(m?.[2]);
  if (!m || !Number.isSafeInteger(tx) || !Number.isSafeInteger(seq)) {
    throw new DirectoryError('Not a valid event cursor');
  }
  return { tx, seq };
}

export interface FeedPage {
  events: EventPayload[];
  /** Where the next read starts: the last event's cursor, or the one given when none came. */
  cursor: string;
}

export class WebhookService {
  private readonly waiters = new Set<() => void>();
  private readonly endpointListeners = new Set<() => void>();
  private waitingFeeds = 0;

  constructor(
    private readonly deps: DirectoryDeps,
    private readonly keys: SecretKeys,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  /** The key that seals secrets: the deployment's (directory/secret-keys.ts). */
  secretBox(): Promise<SecretBox> {
    return this.keys.secretBox();
  }

  /** Creates an endpoint; its secret is in the answer only. Events from now on are delivered. */
  async create(
    input: NewEndpoint,
    by: Author = UNATTRIBUTED,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const url = await this.checkUrl(input.url);
    const eventTypes = checkTypes(input.eventTypes);
    const description = checkDescription(input.description);
    const orgId = input.orgId ?? null;
    await this.checkOrg(orgId);
    const secret = newWebhookSecret();
    const box = await this.secretBox();
    const now = this.deps.now().toISOString();
    const id = `we_${randomBytes(12).toString('base64url')}`;
    const cursor = await latestPosition(this.db);
    await this.db.transaction().execute(async (tx) => {
      await store.insertEndpoint(tx, {
        id,
        orgId,
        url,
        description,
        eventTypes,
        secret: box.seal(secret),
        createdAt: now,
        updatedAt: now,
        cursor,
      });
      const given = ['url', 'orgId', 'description', 'eventTypes'].filter(
        (k) => input[k as keyof NewEndpoint] !== undefined,
      );
      await this.audit(tx, by, 'webhook_endpoint.create', { id, orgId }, given);
    });
    const endpoint = await this.get(id);
    this.endpointsChanged();
    return { endpoint, secret };
  }

  /**
   * A webhook URL: absolute http(s) without credentials and, unless WEBHOOK_ALLOW_PRIVATE, on a
   * host whose addresses are all public (events/address-policy.ts; delivery checks again).
   */
  private async checkUrl(url: string): Promise<string> {
    const checked = checkUrlForm(url);
    if (this.deps.webhookAllowPrivate) return checked;
    try {
      await checkDestination(new URL(checked));
    } catch (error) {
      if (error instanceof ForbiddenAddressError) throw new DirectoryError(error.message, 'url_not_allowed');
      throw error;
    }
    return checked;
  }

  /** An endpoint's org filter must name an org that exists (null: every org). */
  private async checkOrg(orgId: string | null): Promise<void> {
    if (orgId === null) return;
    const org = await this.db.selectFrom('orgs').select('id').where('id', '=', orgId).executeTakeFirst();
    if (!org) throw new DirectoryError(`No organization '${orgId}'`);
  }

  async get(id: string): Promise<WebhookEndpoint> {
    const r = await store.getEndpoint(this.db, id);
    if (!r) throw DirectoryError.notFound(`No webhook endpoint '${id}'`);
    return toEndpoint(r);
  }

  async list(orgId?: string): Promise<WebhookEndpoint[]> {
    return (await store.listEndpoints(this.db, orgId)).map(toEndpoint);
  }

  /** Changes URL, description, filters (org, event types), or enables a disabled endpoint again. */
  async update(
    id: string,
    changes: {
      url?: string | undefined;
      orgId?: string | null | undefined;
      description?: string | null | undefined;
      eventTypes?: string[] | null | undefined;
      enabled?: boolean | undefined;
    },
    by: Author = UNATTRIBUTED,
  ): Promise<WebhookEndpoint> {
    if (changes.orgId !== undefined) await this.checkOrg(changes.orgId);
    const url = changes.url !== undefined ? await this.checkUrl(changes.url) : undefined;
    const fields = {
      updatedAt: this.deps.now().toISOString(),
      ...(url !== undefined ? { url } : {}),
      ...(changes.orgId !== undefined ? { orgId: changes.orgId } : {}),
      ...(changes.description !== undefined ? { description: checkDescription(changes.description) } : {}),
      ...(changes.eventTypes !== undefined ? { eventTypes: checkTypes(changes.eventTypes) } : {}),
      ...(changes.enabled !== undefined
        ? { enabled: changes.enabled, ...(changes.enabled ? { disabledReason: null } : {}) }
        : {}),
    };
    const ok = await this.db.transaction().execute(async (tx) => {
      const before = await store.getEndpoint(tx, id);
      if (!before || !(await store.updateEndpoint(tx, id, fields))) return false;
      const changed = Object.keys(changes).filter((k) => changes[k as keyof typeof changes] !== undefined);
      const action = changes.enabled === true ? 'webhook_endpoint.enable' : 'webhook_endpoint.update';
      await this.audit(tx, by, action, { id, orgId: changes.orgId ?? before.orgId }, changed);
      // Moved to another org (or to every org): the one it left sees the change too.
      if (changes.orgId !== undefined && before.orgId !== null && before.orgId !== changes.orgId)
        await this.audit(tx, by, action, { id, orgId: before.orgId }, changed);
      return true;
    });
    if (!ok) throw DirectoryError.notFound(`No webhook endpoint '${id}'`);
    this.endpointsChanged();
    return this.get(id);
  }

  /**
   * A new secret (returned once); the current one keeps signing beside it for `graceSeconds`
   * (Standard Webhooks: several signatures in one header), so receivers can switch over.
   */
  async rotateSecret(
    id: string,
    graceSeconds = 24 * 3600,
    by: Author = UNATTRIBUTED,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const current = await store.getEndpoint(this.db, id);
    if (!current) throw DirectoryError.notFound(`No webhook endpoint '${id}'`);
    const secret = newWebhookSecret();
    const box = await this.secretBox();
    const now = this.deps.now();
    await this.db.transaction().execute(async (tx) => {
      await store.updateEndpoint(tx, id, {
        updatedAt: now.toISOString(),
        secret: box.seal(secret),
        oldSecret: current.secret,
        oldSecretUntil: new Date(now.getTime() + graceSeconds * 1000).toISOString(),
      });
      await this.audit(tx, by, 'webhook_endpoint.rotate_secret', current, ['secret']);
    });
    this.endpointsChanged();
    return { endpoint: await this.get(id), secret };
  }

  async delete(id: string, by: Author = UNATTRIBUTED): Promise<void> {
    const ok = await this.db.transaction().execute(async (tx) => {
      const endpoint = await store.getEndpoint(tx, id);
      if (!endpoint || !(await store.deleteEndpoint(tx, id))) return false;
      await this.audit(tx, by, 'webhook_endpoint.delete', endpoint);
      return true;
    });
    if (!ok) throw DirectoryError.notFound(`No webhook endpoint '${id}'`);
    this.endpointsChanged();
  }

  /**
   * The audit entry of an endpoint's change: in its org's trail, or the deployment's for an
   * endpoint of every org. `attributes` name what was set; the secret is only ever named.
   */
  private readonly write = auditWriter(() => this.deps.now());

  private audit(
    tx: Kysely<DB>,
    by: Author,
    action: string,
    endpoint: { id: string; orgId: string | null },
    attributes: string[] = [],
  ) {
    return this.write(
      tx,
      endpoint.orgId ?? DEPLOYMENT_TRAIL,
      by,
      action,
      'WebhookEndpoint',
      endpoint.id,
      attributes,
    );
  }

  async deliveries(
    endpointId: string,
    q: {
      status?: 'pending' | 'delivered' | 'failed' | undefined;
      before?: number | undefined;
      limit?: number;
    },
  ) {
    await this.get(endpointId);
    return store.listDeliveries(this.db, endpointId, {
      status: q.status,
      beforeId: q.before,
      limit: Math.min(q.limit ?? 100, 1000),
    });
  }

  /** Pending deliveries of every endpoint, and the age in seconds of the oldest (0 when none), for /metrics. */
  async queue(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const { count, oldest } = await store.pendingDeliveries(this.db);
    const age = oldest === null ? 0 : (this.deps.now().getTime() - Date.parse(oldest)) / 1000;
    return { pending: count, oldestAgeSeconds: Math.max(0, age) };
  }

  async attempts(endpointId: string, deliveryId: number) {
    const d = await store.getDelivery(this.db, deliveryId);
    if (!d || d.endpointId !== endpointId)
      throw DirectoryError.notFound(`No delivery ${deliveryId} of '${endpointId}'`);
    return { delivery: d, attempts: await store.listAttempts(this.db, deliveryId) };
  }

  /** A page of an endpoint's deliveries, newest first (docs/api.md "Pagination"). */
  async deliveryPage(
    endpointId: string,
    q: { status?: DeliveryStatus | undefined; limit: number; cursor?: string | undefined },
  ): Promise<Page<WebhookDelivery>> {
    await this.get(endpointId);
    const before = q.cursor === undefined ? undefined : decodePageCursor<[number]>(q.cursor, ['number'])[0];
    const rows = await store.listDeliveries(this.db, endpointId, {
      status: q.status,
      beforeId: before,
      limit: q.limit + 1,
    });
    return toPage(rows.map(toDelivery), q.limit, (last) => [last.id]);
  }

  /** One delivery with every attempt, oldest first. */
  async delivery(
    endpointId: string,
    deliveryId: number,
  ): Promise<WebhookDelivery & { attemptLog: WebhookAttempt[] }> {
    const { delivery, attempts } = await this.attempts(endpointId, deliveryId);
    return {
      ...toDelivery(delivery),
      attemptLog: attempts.map(({ id: _id, ...attempt }) => attempt),
    };
  }

  /** Sends a delivery again, now, whatever its state (a failed one gets a new retry window). */
  async redeliver(endpointId: string, deliveryId: number): Promise<void> {
    const ok = await store.redeliver(this.db, endpointId, deliveryId, this.deps.now().getTime());
    if (!ok) throw DirectoryError.notFound(`No delivery ${deliveryId} of '${endpointId}'`);
    this.notify();
  }

  /**
   * The pull feed: committed events after `cursor` (the start when absent), in order, of one
   * org and some types if asked. With `waitSeconds`, an empty read waits for new events that
   * long (woken by commits in this process, else polling).
   */
  async feed(q: {
    cursor?: string | undefined;
    orgId?: string | undefined;
    types?: string[] | undefined;
    limit?: number | undefined;
    waitSeconds?: number | undefined;
    signal?: AbortSignal | undefined;
  }): Promise<FeedPage> {
    const after = q.cursor ? decodeCursor(q.cursor) : { tx: 0, seq: 0 };
    const types = checkTypes(q.types) ?? undefined;
    const limit = Math.max(1, Math.min(q.limit ?? 100, MAX_FEED_PAGE));
    const deadline = Date.now() + Math.max(0, Math.min(q.waitSeconds ?? 0, 60)) * 1000;
    for (;;) {
      const rows = await readEvents(this.db, { after, orgId: q.orgId, types, limit });
      const last = rows[rows.length - 1];
      if (last || Date.now() >= deadline || q.signal?.aborted) {
        return {
          events: rows.map(eventPayload),
          cursor: last ? encodeCursor({ tx: last.tx, seq: last.seq }) : encodeCursor(after),
        };
      }
      this.waitingFeeds++;
      try {
        await this.waitForEvents(Math.min(500, deadline - Date.now()), q.signal);
      } finally {
        this.waitingFeeds--;
      }
    }
  }

  /** How many feed reads are waiting for events now (long polls held open). */
  get longPolls(): number {
    return this.waitingFeeds;
  }

  /** Wakes the long polls and the dispatcher of this process (called after commits). */
  notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * Calls `listener` after each endpoint change made through this service (the dispatcher
   * keeps the enabled endpoints between polls); returns the unsubscribe.
   */
  onEndpointsChanged(listener: () => void): () => void {
    this.endpointListeners.add(listener);
    return () => this.endpointListeners.delete(listener);
  }

  /** An endpoint changed: the dispatcher reads them again, and long polls and it wake. */
  private endpointsChanged(): void {
    for (const listener of [...this.endpointListeners]) listener();
    this.notify();
  }

  /** Resolves at the next notify() or after `ms`. */
  waitForEvents(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
