/**
 * Webhook delivery, after commit. Two steps in a loop, both safe with several instances on one
 * PostgreSQL (docs/webhooks.md):
 *
 * - plan: for each enabled endpoint, under its row lock (SKIP LOCKED: one planner per endpoint
 *   at a time), the committed events after its cursor that match its filters become delivery
 *   rows, and the cursor moves past them, in one transaction;
 * - deliver: due deliveries are claimed with a lease (store/webhooks.ts claimDeliveries), sent
 *   signed per Standard Webhooks, and their attempt recorded. A 2xx delivers; 410 Gone
 *   disables the endpoint (with a webhook_endpoint.disabled event); anything else retries with
 *   exponential backoff and jitter until the retry window ends, then the delivery fails.
 *
 * Nothing is lost: a delivery stays pending until its outcome is recorded; a process killed
 * mid-delivery, or a database error while recording, leaves the lease to run out, and the
 * delivery is claimed again (at least once). Secrets are opened only to sign, never logged.
 */
import type { Kysely } from 'kysely';
import { Webhook } from 'standardwebhooks';
import type { EventsConfig } from '../config.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { eventId, eventPayload } from '../directory/event-form.ts';
import {
  type EventRow,
  eventsBySeq,
  type FeedPosition,
  insertEvent,
  pruneEvents,
  readEvents,
} from '../store/events.ts';
import type { DB } from '../store/schema.ts';
import {
  type AttemptOutcome,
  claimDeliveries,
  type DeliveryRecord,
  type EndpointRecord,
  enabledEndpoints,
  getEndpoint,
  insertDeliveries,
  lockEnabledEndpoint,
  lockEndpointForPlanning,
  pruneDeliveries,
  recordAttempts,
  setEndpointCursor,
  updateEndpoint,
} from '../store/webhooks.ts';
import { WebhookHttp } from './http-post.ts';

/** Events planned per endpoint per round. */
const PLAN_BATCH = 1000;
/** Planning runs at most this often (a stream of commits is planned in batches). */
const PLAN_EVERY_MS = 20;
/**
 * While deliveries are in flight, claim only once this share of the slots is free: one claim
 * statement for several deliveries instead of one per freed slot.
 */
const CLAIM_WHEN_FREE = 0.5;
/** Attempts wait this long for others to be recorded in the same transaction. */
const RECORD_LINGER_MS = 20;
/** Attempts recorded per transaction at most. */
const RECORD_BATCH = 500;
/** The longest wait between retries. */
const MAX_RETRY_DELAY_MS = 3600_000;
/** How often old events and finished deliveries are pruned. */
const PRUNE_EVERY_MS = 3600_000;

export interface DispatcherLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface DispatcherOptions {
  config: EventsConfig;
  box: SecretBox;
  /**
   * Whether endpoints may be on loopback, private or other non-public addresses
   * (WEBHOOK_ALLOW_PRIVATE; events/address-policy.ts). Checked again at every connection.
   */
  allowPrivate: boolean;
  now?: () => Date;
  log?: DispatcherLog;
  /** Wait for new work: resolves at a wake-up or after `ms` (WebhookService.waitForEvents). */
  waitForEvents?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called when the dispatcher wrote an event (so long polls wake). */
  eventsWritten?: () => void;
  /**
   * Subscribes to endpoint changes made in this process (WebhookService.onEndpointsChanged);
   * returns the unsubscribe. Changes made elsewhere are seen at the next poll.
   */
  onEndpointsChanged?: (listener: () => void) => () => void;
  /**
   * Called after each attempt is recorded (/metrics): `delivered` (2xx), `retried` (failed, to be
   * tried again) or `failed` (given up); `latencyMs` is the HTTP exchange's, undefined when no
   * request was sent (the endpoint or the event is gone).
   */
  onAttempt?: (outcome: AttemptResult, latencyMs: number | undefined) => void;
}

export type AttemptResult = 'delivered' | 'retried' | 'failed';

/** An attempt made, to be recorded; `latencyMs` is undefined when no request was sent. */
interface Sent {
  outcome: AttemptOutcome;
  latencyMs: number | undefined;
}

function attemptResult(outcome: AttemptOutcome): AttemptResult {
  return outcome.next.status === 'pending' ? 'retried' : outcome.next.status;
}

/** Backoff before retry `attempt` (1 = the first retry): base·2^(n-1), capped, 50-100 % of it (jitter). */
export function retryDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const full = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(full / 2 + (random() * full) / 2);
}

export class WebhookDispatcher {
  private running = false;
  private loop: Promise<void> | undefined;
  /** HTTP exchanges in flight (at most `concurrency`); their recording is tracked apart. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Attempts sent and not yet recorded (drain and stop wait for them). */
  private readonly unrecorded = new Set<Promise<void>>();
  private lastPrune = 0;
  /** New events may be there to plan: set by a commit's notification and by the poll. */
  private planDue = true;
  private lastPlan = 0;
  /**
   * The enabled endpoints as last read. Read again at each poll (pollMs), so another
   * instance's or the CLI's change is seen within one poll, as a new event is; a commit in this
   * process plans with this list, so that a write where no endpoint is enabled costs the
   * database nothing more (docs/webhooks.md).
   */
  private endpoints: EndpointRecord[] | undefined;
  private endpointsDue = true;
  private unsubscribe: (() => void) | undefined;
  private wakeSleep: (() => void) | undefined;
  /** Aborted by stop(): ends the wait for the next poll. */
  private listening = new AbortController();
  /** A wake-up came while the loop was not asleep: its next sleep returns at once. */
  private woken = false;
  private readonly toRecord: {
    outcome: AttemptOutcome;
    resolve: () => void;
    reject: (e: unknown) => void;
  }[] = [];
  private recording = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly http: WebhookHttp;
  /** Each endpoint's opened signers, keyed by the sealed secrets they were opened from. */
  private readonly signerCache = new Map<string, { sealed: string; signers: Webhook[] }>();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly options: DispatcherOptions,
  ) {
    this.http = new WebhookHttp({
      allowPrivate: options.allowPrivate,
      timeoutMs: options.config.timeoutMs,
      maxSockets: options.config.concurrency,
    });
  }

  private now() {
    return this.options.now?.() ?? new Date();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.listening = new AbortController();
    this.unsubscribe = this.options.onEndpointsChanged?.(() => this.refreshEndpoints());
    this.listen();
    this.loop = this.run();
  }

  /** Stops claiming; waits for the deliveries in flight to be sent and recorded. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    // The wait for the next poll ends now, so that its timer does not keep the process alive.
    this.listening.abort();
    this.rouse();
    await this.loop;
    await this.drain();
    this.http.close();
  }

  /** Look for new events now (after a commit in this process). */
  wake(): void {
    this.planDue = true;
    this.rouse();
  }

  /** Ends the loop's sleep, or the next one if it is awake now (no wake-up is lost). */
  private rouse(): void {
    if (this.wakeSleep) this.wakeSleep();
    else this.woken = true;
  }

  /**
   * Plans on every notification of a commit (waitForEvents) and at least every `pollMs` (other
   * instances' commits, due retries), for as long as the dispatcher runs.
   */
  private listen(): void {
    if (!this.running) return;
    const { pollMs } = this.options.config;
    const started = Date.now();
    const signal = this.listening.signal;
    const wait =
      this.options.waitForEvents?.(pollMs, signal) ??
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        const end = () => {
          clearTimeout(timer);
          resolve();
        };
        signal.addEventListener('abort', end, { once: true });
      });
    void wait.then(() => {
      if (!this.running) return;
      // The poll (not a commit here) ended the wait: read the endpoints again.
      if (Date.now() - started >= pollMs - 1) this.endpointsDue = true;
      this.wake();
      this.listen();
    });
  }

  /**
   * One round: plan (when new events may be there, at most every PLAN_EVERY_MS, so that a
   * stream of commits is planned in batches, not one transaction per commit), claim what is
   * due, prune hourly. It sleeps when a round found nothing to do, until a commit, the poll or
   * a freed slot wakes it.
   */
  private async run(): Promise<void> {
    while (this.running) {
      let busy = false;
      try {
        const sincePlan = Date.now() - this.lastPlan;
        if (this.planDue && sincePlan >= PLAN_EVERY_MS) {
          this.planDue = false;
          this.lastPlan = Date.now();
          // A full batch may have left more: plan again next round.
          if (await this.planAll()) this.planDue = true;
        }
        busy = await this.claimAndSend();
        await this.pruneNow();
      } catch (error) {
        // The database is down or failing: nothing was lost (see the module comment); wait.
        this.options.log?.warn({ err: errorText(error) }, 'webhook dispatcher round failed');
        busy = false;
      }
      if (!this.running) break;
      if (!busy) {
        const planIn = this.planDue ? Math.max(1, PLAN_EVERY_MS - (Date.now() - this.lastPlan)) : undefined;
        await this.sleep(planIn);
      }
    }
  }

  /** Until wake() (a commit, the poll, a freed slot) or, given `ms`, that long. */
  private sleep(ms?: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wakeSleep === done) self.wakeSleep = undefined;
        resolve();
      }
      this.wakeSleep = done;
    });
  }

  /**
   * Plans every enabled endpoint that has new events; true when any had. Whether one has is
   * read first without a transaction (on SQLite a transaction takes the one write lock, which
   * SCIM writes wait for).
   */
  async planAll(): Promise<boolean> {
    let planned = false;
    for (const endpoint of await this.enabledEndpoints()) {
      const next = await readEvents(this.db, {
        after: endpoint.cursor,
        orgId: endpoint.orgId ?? undefined,
        types: endpoint.eventTypes ?? undefined,
        limit: 1,
      });
      if (next.length === 0) continue;
      const result = await this.plan(endpoint.id);
      // The list is kept between polls: keep its cursor where planning left it, so the next
      // peek does not find the events just planned (or planned by another instance) again.
      if (result.cursor) endpoint.cursor = result.cursor;
      if (result.planned > 0) planned = true;
    }
    return planned;
  }

  /** The enabled endpoints: read at the first round, at each poll, and after refreshEndpoints(). */
  private async enabledEndpoints(): Promise<EndpointRecord[]> {
    if (this.endpointsDue || this.endpoints === undefined) {
      this.endpointsDue = false;
      try {
        this.endpoints = await enabledEndpoints(this.db);
      } catch (error) {
        this.endpointsDue = true;
        throw error;
      }
    }
    return this.endpoints;
  }

  /** Reads the endpoints again at the next round (an endpoint was changed in this process). */
  refreshEndpoints(): void {
    this.endpointsDue = true;
    this.wake();
  }

  /**
   * Turns the endpoint's next events into deliveries; returns how many events it passed and
   * the endpoint's cursor after (none when another instance is planning it now).
   */
  private async plan(endpointId: string): Promise<{ planned: number; cursor?: FeedPosition }> {
    return this.db.transaction().execute(async (tx) => {
      const endpoint = await lockEndpointForPlanning(tx, endpointId);
      if (!endpoint) return { planned: 0 };
      const rows = await readEvents(tx, {
        after: endpoint.cursor,
        orgId: endpoint.orgId ?? undefined,
        types: endpoint.eventTypes ?? undefined,
        limit: PLAN_BATCH,
      });
      const last = rows[rows.length - 1];
      if (!last) return { planned: 0, cursor: endpoint.cursor };
      await insertDeliveries(
        tx,
        rows.map((e) => ({
          endpointId,
          eventSeq: e.seq,
          orgId: e.orgId,
          resourceKey: e.resourceId !== null ? `${e.resourceType}:${e.resourceId}` : `event:${e.seq}`,
        })),
        this.now(),
      );
      const cursor = { tx: last.tx, seq: last.seq };
      await setEndpointCursor(tx, endpointId, cursor);
      return { planned: rows.length, cursor };
    });
  }

  /**
   * Claims what is due, up to the free concurrency, and starts sending; true when any was
   * claimed. While deliveries are in flight it waits until CLAIM_WHEN_FREE of the slots are
   * free, so that one claim takes several.
   */
  async claimAndSend(): Promise<boolean> {
    const { concurrency } = this.options.config;
    const free = concurrency - this.inFlight.size;
    if (free <= 0) return false;
    if (this.inFlight.size > 0 && free < Math.ceil(concurrency * CLAIM_WHEN_FREE)) return false;
    // Only deliveries of enabled endpoints are claimed: with none enabled, nothing can be.
    if ((await this.enabledEndpoints()).length === 0) return false;
    const now = this.now().getTime();
    const lease = now + 2 * this.options.config.timeoutMs + 5000;
    const claimed = await claimDeliveries(this.db, now, lease, free);
    if (claimed.length === 0) return false;
    const events = await eventsBySeq(
      this.db,
      claimed.map((d) => d.eventSeq),
    );
    const endpoints = new Map<string, EndpointRecord | undefined>();
    for (const d of claimed) {
      if (!endpoints.has(d.endpointId)) endpoints.set(d.endpointId, await getEndpoint(this.db, d.endpointId));
    }
    for (const d of claimed) {
      const job = this.deliver(d, endpoints.get(d.endpointId), events.get(d.eventSeq)).then(
        (sent) => this.recordInBackground(d, sent),
        (error) => {
          // Disabling the endpoint (410) failed: the lease runs out and the delivery is claimed again.
          this.options.log?.warn({ delivery: d.id, err: errorText(error) }, 'webhook attempt not recorded');
        },
      );
      this.inFlight.add(job);
      void job.finally(() => {
        this.inFlight.delete(job);
        // A slot is free: claim more (no new planning needed for that).
        this.rouse();
      });
    }
    return true;
  }

  /**
   * Records an attempt after its HTTP exchange, without holding the slot: the delivery stays
   * pending under its lease until recorded, so neither it nor the next of its resource is
   * claimed meanwhile.
   */
  private recordInBackground(d: DeliveryRecord, sent: Sent): void {
    const recorded = this.record(sent.outcome)
      .then(() => this.options.onAttempt?.(attemptResult(sent.outcome), sent.latencyMs))
      .catch((error) => {
        // Recording failed: the lease runs out and the delivery is claimed again.
        this.options.log?.warn({ delivery: d.id, err: errorText(error) }, 'webhook attempt not recorded');
      });
    this.unrecorded.add(recorded);
    void recorded.finally(() => this.unrecorded.delete(recorded));
  }

  /**
   * Records an attempt together with the others that finish meanwhile (within
   * RECORD_LINGER_MS, or while a batch is being written): one transaction for a batch instead
   * of one per delivery (bench/webhook-statements.ts counts them). Resolves once it is
   * recorded; rejects when the batch's transaction failed (the delivery's lease then runs out
   * and it is sent again).
   */
  private record(outcome: AttemptOutcome): Promise<void> {
    return new Promise((resolve, reject) => {
      this.toRecord.push({ outcome, resolve, reject });
      if (this.toRecord.length >= RECORD_BATCH) {
        clearTimeout(this.flushTimer);
        this.flushTimer = undefined;
        void this.flushRecords();
      } else if (!this.flushTimer && !this.recording) {
        this.flushTimer = setTimeout(() => {
          this.flushTimer = undefined;
          void this.flushRecords();
        }, RECORD_LINGER_MS);
      }
    });
  }

  private async flushRecords(): Promise<void> {
    if (this.recording) return;
    this.recording = true;
    try {
      while (this.toRecord.length > 0) {
        const batch = this.toRecord.splice(0, RECORD_BATCH);
        try {
          await recordAttempts(
            this.db,
            batch.map((b) => b.outcome),
          );
          for (const b of batch) b.resolve();
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      this.recording = false;
    }
  }

  /** Waits until nothing is in flight or waiting to be recorded (tests and shutdown). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0 || this.unrecorded.size > 0) {
      await Promise.allSettled([...this.inFlight, ...this.unrecorded]);
    }
  }

  /** The endpoint's signers: its secret, and the previous one during a rotation's grace period. */
  private signers(endpoint: EndpointRecord): Webhook[] {
    const { box } = this.options;
    const withOld =
      endpoint.oldSecret && endpoint.oldSecretUntil && endpoint.oldSecretUntil > this.now().toISOString();
    const sealed = withOld ? `${endpoint.secret} ${endpoint.oldSecret}` : endpoint.secret;
    const cached = this.signerCache.get(endpoint.id);
    if (cached?.sealed === sealed) return cached.signers;
    const secrets = [box.open(endpoint.secret)];
    if (withOld && endpoint.oldSecret) secrets.push(box.open(endpoint.oldSecret));
    const signers = secrets.map((secret) => new Webhook(secret));
    this.signerCache.set(endpoint.id, { sealed, signers });
    return signers;
  }

  private async deliver(
    d: DeliveryRecord,
    endpoint: EndpointRecord | undefined,
    event: EventRow | undefined,
  ): Promise<Sent> {
    const started = this.now();
    const at = started.toISOString();
    const base = { deliveryId: d.id, endpointId: d.endpointId, at, claimedUntil: d.nextAttemptAt };
    if (!endpoint || !event) {
      const outcome: AttemptOutcome = {
        ...base,
        status: null,
        latencyMs: 0,
        error: endpoint ? 'the event is no longer kept (EVENT_RETENTION_DAYS)' : 'the endpoint is gone',
        responseStart: null,
        next: { status: 'failed' },
      };
      return { outcome, latencyMs: undefined };
    }
    const body = JSON.stringify(eventPayload(event));
    const id = eventId(event.seq);
    const signature = this.signers(endpoint)
      .map((w) => w.sign(id, started, body))
      .join(' ');
    let status: number | null = null;
    let error: string | null = null;
    let responseStart: string | null = null;
    const t0 = performance.now();
    try {
      const answer = await this.http.post(endpoint.url, body, {
        'content-type': 'application/json',
        'user-agent': 'Scimitar-Webhooks/1',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(started.getTime() / 1000)),
        'webhook-signature': signature,
      });
      status = answer.status;
      responseStart = answer.responseStart;
    } catch (e) {
      error = errorText(e);
    }
    const latencyMs = Math.round((performance.now() - t0) * 10) / 10;
    let next: AttemptOutcome['next'];
    if (status !== null && status >= 200 && status < 300) next = { status: 'delivered' };
    else if (status === 410) {
      await this.disable(endpoint, '410 Gone');
      next = { status: 'failed' };
    } else {
      error ??= `HTTP ${status}`;
      const first = d.firstAttemptAt ?? started.getTime();
      const retryEnds = first + this.options.config.retryHours * 3600_000;
      const due = started.getTime() + retryDelay(d.attempts + 1, this.options.config.retryBaseMs);
      next = due > retryEnds ? { status: 'failed' } : { status: 'pending', nextAttemptAt: due };
    }
    return { outcome: { ...base, status, latencyMs, error, responseStart, next }, latencyMs };
  }

  /** Disables an endpoint and says so with an event, in one transaction. */
  private async disable(endpoint: EndpointRecord, reason: string): Promise<void> {
    const at = this.now().toISOString();
    const disabled = await this.db.transaction().execute(async (tx) => {
      // Not one deleted or disabled meanwhile (a delivery of it may still have been in flight).
      if (!(await lockEnabledEndpoint(tx, endpoint.id))) return false;
      await updateEndpoint(tx, endpoint.id, { enabled: false, disabledReason: reason, updatedAt: at });
      await insertEvent(tx, {
        orgId: endpoint.orgId,
        type: 'webhook_endpoint.disabled',
        at,
        resourceType: 'WebhookEndpoint',
        resourceId: endpoint.id,
        data: { id: endpoint.id, url: endpoint.url, reason },
      });
      return true;
    });
    if (!disabled) return;
    this.endpointsDue = true;
    this.options.log?.warn({ endpoint: endpoint.id, reason }, 'webhook endpoint disabled');
    this.options.eventsWritten?.();
  }

  /** Events past retention and finished deliveries past it, a batch per round, hourly. */
  private async pruneNow(): Promise<void> {
    const now = this.now().getTime();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const before = new Date(now - this.options.config.retentionDays * 86_400_000).toISOString();
    await pruneEvents(this.db, before);
    await pruneDeliveries(this.db, before);
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return `${error.name === 'TimeoutError' ? 'timed out' : error.message}${detail}`.slice(0, 500);
  }
  return String(error).slice(0, 500);
}
