/**
 * The request log: every request under /scim/v2/:org, with its response, stored per org for
 * REQUEST_LOG_RETENTION_DAYS (docs/config.md, README "Request log"). Nothing is written while a
 * request runs: `onSend` keeps a reference to the response payload (a stream's first BODY_LIMIT
 * bytes are kept as it produces them), `onResponse` (after the response went out)
 * queues a few references, and a timer writes the queue in batches, where the redaction,
 * the IdP detection and the failure hints (request-log-hints.ts) are worked out. A failing
 * write is logged and dropped: the log never fails or slows a request by waiting on the
 * database. Rows are stored only for organizations that exist.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Actor } from '../directory/deps.ts';
import type { Directory } from '../directory/directory.ts';
import type { RequestLogEntry } from '../directory/request-log.ts';
import {
  BODY_LIMIT,
  bodyForLog,
  detectIdp,
  pathForLog,
  redactJsonText,
  redactText,
  truncate,
} from './request-log-format.ts';
import { type AuthShape, authShape, gatherHintFacts, type HintInput, hintFor } from './request-log-hints.ts';

declare module 'fastify' {
  interface FastifyInstance {
    requestLog: RequestLogger;
  }
  interface FastifyRequest {
    /** Who the SCIM request authenticated as (set by scim-request.ts `authenticate`), for the request log. */
    scimActor: Actor | null;
    /** The response payload as sent, or the tap of a streamed one (request log). */
    logPayload: unknown;
  }
}

/** Write the queue every this many milliseconds… */
export const FLUSH_INTERVAL_MS = 200;
/** …or as soon as it holds this many entries. */
export const FLUSH_ROWS = 100;
/** Entries waiting beyond this many, or beyond MAX_QUEUED_BYTES of bodies, are dropped (and counted). */
export const MAX_QUEUED = 10_000;
export const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
/** Pruning by age and row cap runs at start and then this often. */
export const PRUNE_INTERVAL_MS = 10 * 60_000;
/**
 * Rows of requests that did not authenticate (no valid token: 401s, bodies refused before
 * authentication) kept per org: a bounded log of their own. They do not count toward
 * REQUEST_LOG_MAX_ROWS_PER_ORG, so unauthenticated traffic to an org's URL can never push its
 * real rows out; beyond this many since the last prune they are not written, and pruning
 * keeps the newest this many.
 */
export const MAX_UNAUTHENTICATED_ROWS_PER_ORG = 1000;
/**
 * An org's caps are checked once this process has written a tenth of a cap's worth of rows of
 * that kind for it since their last check (so a log may run over its cap by about a tenth per
 * instance, between two prunes), or any rows at all an hour ago or longer. Finding the cap's
 * boundary reads the cap's worth of index entries (store/request-log.ts): this keeps that
 * work to about ten entries per row written, where a check at every prune cost a busy org's
 * whole cap every 10 minutes in every instance.
 */
export const CAP_CHECK_SHARE = 10;
export const CAP_CHECK_MAX_AGE_MS = 60 * 60_000;
/** At most one warning per this many milliseconds while writes keep failing. */
const WARN_INTERVAL_MS = 10_000;

const ORG_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SCIM_PREFIX = '/scim/v2/';

/**
 * Keeps the first `limit` bytes of a streamed response for the log. It wraps the stream's own
 * `push` (every Node Readable hands its chunks to `push`) instead of piping through another
 * stream: a Transform in the response path measurably cost more than everything else the log
 * does, and listening to 'data' would start the stream flowing before Fastify pipes it.
 */
class BodyTap {
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  total = 0;

  constructor(
    stream: Readable,
    private readonly limit: number,
  ) {
    const push = stream.push;
    stream.push = (chunk: unknown, encoding?: BufferEncoding) => {
      if (chunk !== null && chunk !== undefined) this.see(chunk);
      return push.call(stream, chunk, encoding);
    };
  }

  private see(chunk: unknown) {
    const size =
      typeof chunk === 'string' ? Buffer.byteLength(chunk) : Buffer.isBuffer(chunk) ? chunk.length : 0;
    this.total += size;
    if (this.keptBytes >= this.limit || size === 0) return;
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    const part = buffer.subarray(0, this.limit - this.keptBytes);
    this.kept.push(part);
    this.keptBytes += part.length;
  }

  /** The text seen, and whether it is all of the body. */
  text(): { text: string; complete: boolean } {
    return { text: Buffer.concat(this.kept).toString('utf8'), complete: this.total <= this.limit };
  }
}

/** A finished request as captured: references only; the work is done when the queue is written. */
export interface Captured {
  orgId: string;
  actor: Actor | null;
  /** Epoch milliseconds the request arrived. */
  at: number;
  requestId: string;
  method: string;
  url: string;
  status: number;
  durationMs: number;
  headers: IncomingHttpHeaders;
  requestBody: unknown;
  payload: unknown;
  /** 401 only: how the request authenticated (the bearer already hashed). */
  auth: AuthShape | undefined;
  allow: string | undefined;
  retryAfter: string | undefined;
  /** Rough size of the bodies held (request Content-Length + response text), to bound the queue. */
  bytes: number;
}

function headerText(value: string | string[] | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** The org id named by a SCIM URL, if it could name one. */
export function orgOfUrl(url: string): string | undefined {
  if (!url.startsWith(SCIM_PREFIX)) return undefined;
  const end = url.slice(SCIM_PREFIX.length).search(/[/?#]/);
  const raw =
    end < 0 ? url.slice(SCIM_PREFIX.length) : url.slice(SCIM_PREFIX.length, SCIM_PREFIX.length + end);
  let org: string;
  try {
    org = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return ORG_ID.test(org) ? org : undefined;
}

function responseText(payload: unknown): { text: string | null; complete: boolean; streamed: boolean } {
  if (payload instanceof BodyTap) return { ...payload.text(), streamed: true };
  if (typeof payload === 'string') return { text: payload, complete: true, streamed: false };
  if (Buffer.isBuffer(payload)) return { text: payload.toString('utf8'), complete: true, streamed: false };
  if (payload !== null && typeof payload === 'object' && 'pipe' in payload) {
    return { text: null, complete: false, streamed: true };
  }
  return { text: null, complete: true, streamed: false };
}

/** The error body's scimType and detail (RFC 7644 §3.12), if the response is one. */
function errorFields(text: string | null): { scimType: string | null; detail: string | null } {
  if (text === null || text.length > BODY_LIMIT) return { scimType: null, detail: null };
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    return {
      scimType: typeof body.scimType === 'string' ? body.scimType : null,
      detail: typeof body.detail === 'string' ? body.detail : null,
    };
  } catch {
    return { scimType: null, detail: null };
  }
}

/** The IdP quirks the directory relied on for this request (it appends to the actor), or null for none. */
function quirksOf(actor: Actor | null): string[] | null {
  const quirks = actor?.appliedQuirks;
  return quirks && quirks.length > 0 ? [...new Set(quirks)] : null;
}

export interface RequestLogStats {
  written: number;
  /** Dropped because the queue was full. */
  dropped: number;
  /** Lost to failed writes. */
  failed: number;
  /** Not stored: the org in the URL does not exist. */
  skipped: number;
  /** Not stored: unauthenticated, beyond MAX_UNAUTHENTICATED_ROWS_PER_ORG since the last prune. */
  unauthenticatedSkipped: number;
}

/** The queue, its writer and the pruner. */
export class RequestLogger {
  private queue: Captured[] = [];
  private queuedBytes = 0;
  private tail: Promise<void> = Promise.resolve();
  private busy = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private pruning: Promise<unknown> | undefined;
  /** Orgs seen to exist (orgs are never deleted, so a positive answer stays true). */
  private readonly knownOrgs = new Set<string>();
  private lastWarning = 0;
  readonly stats: RequestLogStats = {
    written: 0,
    dropped: 0,
    failed: 0,
    skipped: 0,
    unauthenticatedSkipped: 0,
  };
  /** Unauthenticated rows written per org since the last prune began. */
  private unauthenticatedWritten = new Map<string, number>();
  /**
   * Per org, the rows of each kind this process wrote since its caps were last checked, and
   * when the first of them was written: a prune checks the caps of the orgs that reached
   * CAP_CHECK_SHARE or CAP_CHECK_MAX_AGE_MS only. Undefined until the first prune, which checks
   * every org, so rows left by a process that stopped before its prune are capped too.
   */
  private sinceCapCheck: Map<string, { real: number; unauthenticated: number; since: number }> | undefined;

  constructor(
    private readonly directory: Directory,
    private readonly config: Config,
    private readonly log: FastifyBaseLogger,
  ) {}

  get enabled(): boolean {
    return this.config.requestLog;
  }

  /** Requests captured and not yet written. */
  get queued(): number {
    return this.queue.length;
  }

  /** Starts the flush and prune timers and prunes once (not awaited: start-up does not wait for it). */
  start() {
    if (this.enabled) {
      this.flushTimer = setInterval(() => {
        if (!this.busy && this.queue.length > 0) void this.flush();
      }, FLUSH_INTERVAL_MS).unref();
    }
    this.pruneTimer = setInterval(() => void this.pruneInBackground(), PRUNE_INTERVAL_MS).unref();
    void this.pruneInBackground();
  }

  /** Stops the timers and writes what is queued. */
  async close() {
    clearInterval(this.flushTimer);
    clearInterval(this.pruneTimer);
    await this.pruning;
    await this.flush();
  }

  capture(entry: Captured) {
    if (this.queue.length >= MAX_QUEUED || this.queuedBytes + entry.bytes > MAX_QUEUED_BYTES) {
      this.stats.dropped++;
      return;
    }
    this.queue.push(entry);
    this.queuedBytes += entry.bytes;
    if (this.queue.length >= FLUSH_ROWS && !this.busy) setImmediate(() => void this.flush(false));
  }

  /**
   * Writes everything queued so far; resolves when it is stored (or its write failed and was
   * logged). With `all` false (a full queue's flush), only whole batches of FLUSH_ROWS: the rest
   * waits for the next one or the timer's, so that under load every batch is full (on
   * PostgreSQL one INSERT of FLUSH_ROWS rows: store/request-log.ts).
   */
  flush(all = true): Promise<void> {
    const run = async () => {
      this.busy = true;
      try {
        while (this.queue.length >= FLUSH_ROWS || (all && this.queue.length > 0)) {
          const whole = Math.min(5, Math.floor(this.queue.length / FLUSH_ROWS)) * FLUSH_ROWS;
          const batch = this.queue.splice(0, whole > 0 ? whole : this.queue.length);
          for (const c of batch) this.queuedBytes -= c.bytes;
          await this.write(batch);
        }
      } finally {
        this.busy = false;
      }
    };
    const next = this.tail.then(run, run);
    this.tail = next.catch(() => {});
    return next;
  }

  /** Deletes rows past the retention and beyond the per-org cap; returns how many. */
  async prune(): Promise<number> {
    const now = this.directory.deps.now().getTime();
    this.unauthenticatedWritten = new Map();
    const counts = this.sinceCapCheck;
    let capOrgs: Set<string> | undefined;
    if (counts === undefined) this.sinceCapCheck = new Map();
    else {
      capOrgs = new Set();
      const real = Math.max(1, Math.floor(this.config.requestLogMaxRowsPerOrg / CAP_CHECK_SHARE));
      const unauthenticated = Math.max(1, Math.floor(MAX_UNAUTHENTICATED_ROWS_PER_ORG / CAP_CHECK_SHARE));
      for (const [orgId, c] of counts) {
        if (c.real >= real || c.unauthenticated >= unauthenticated || now - c.since >= CAP_CHECK_MAX_AGE_MS)
          capOrgs.add(orgId);
      }
      for (const orgId of capOrgs) counts.delete(orgId);
    }
    try {
      return await this.directory.requestLog.prune({
        olderThan: new Date(now - this.config.requestLogRetentionDays * 86_400_000).toISOString(),
        maxRowsPerOrg: this.config.requestLogMaxRowsPerOrg,
        maxUnauthenticatedRowsPerOrg: MAX_UNAUTHENTICATED_ROWS_PER_ORG,
        capOrgs,
      });
    } catch (error) {
      // The next prune checks what this one did not get to.
      if (counts === undefined) this.sinceCapCheck = undefined;
      else
        for (const orgId of capOrgs ?? []) this.countForCapCheck(orgId, true, 1, now - CAP_CHECK_MAX_AGE_MS);
      throw error;
    }
  }

  /** Counts rows written for an org toward the next check of its caps (sinceCapCheck). */
  private countForCapCheck(orgId: string, real: boolean, rows: number, at: number) {
    if (!this.sinceCapCheck) return;
    let c = this.sinceCapCheck.get(orgId);
    if (!c) {
      c = { real: 0, unauthenticated: 0, since: at };
      this.sinceCapCheck.set(orgId, c);
    }
    if (real) c.real += rows;
    else c.unauthenticated += rows;
    c.since = Math.min(c.since, at);
  }

  private pruneInBackground() {
    if (this.pruning) return this.pruning;
    this.pruning = this.prune()
      .catch((error: unknown) => this.warn(error, 'request log: pruning failed'))
      .finally(() => {
        this.pruning = undefined;
      });
    return this.pruning;
  }

  private warn(error: unknown, message: string) {
    const now = Date.now();
    if (now - this.lastWarning < WARN_INTERVAL_MS) return;
    this.lastWarning = now;
    this.log.warn({ err: error, stats: this.stats }, message);
  }

  private async write(batch: Captured[]) {
    try {
      const unknown = [
        ...new Set(batch.filter((c) => !c.actor && !this.knownOrgs.has(c.orgId)).map((c) => c.orgId)),
      ];
      for (const id of await this.directory.requestLog.existingOrgs(unknown)) this.knownOrgs.add(id);
      const rows: RequestLogEntry[] = [];
      for (const c of batch) {
        if (!c.actor && !this.knownOrgs.has(c.orgId)) {
          this.stats.skipped++;
          continue;
        }
        if (c.actor) this.knownOrgs.add(c.orgId);
        else {
          const written = this.unauthenticatedWritten.get(c.orgId) ?? 0;
          if (written >= MAX_UNAUTHENTICATED_ROWS_PER_ORG) {
            this.stats.unauthenticatedSkipped++;
            continue;
          }
          this.unauthenticatedWritten.set(c.orgId, written + 1);
        }
        // Only a failure waits: its hint may read facts from the database.
        rows.push(c.status >= 400 ? await this.row(c) : this.rowOf(c, null, responseText(c.payload)));
      }
      await this.directory.requestLog.record(rows);
      this.stats.written += rows.length;
      const now = this.directory.deps.now().getTime();
      for (const r of rows) this.countForCapCheck(r.orgId, r.tokenId !== null, 1, now);
    } catch (error) {
      this.stats.failed += batch.length;
      this.warn(error, 'request log: a batch could not be written and was dropped');
    }
  }

  /** The row of a failed request, with its hint. */
  private async row(c: Captured): Promise<RequestLogEntry> {
    const response = responseText(c.payload);
    const { scimType, detail } = errorFields(response.text);
    const input: HintInput = {
      orgId: c.orgId,
      method: c.method,
      path: c.url.split('?')[0] ?? c.url,
      status: c.status,
      scimType,
      detail,
      requestBody: c.requestBody,
      auth: c.auth ?? { kind: 'none' },
      allow: c.allow,
      retryAfter: c.retryAfter,
      contentType: headerText(c.headers['content-type']),
      maxBodyBytes: this.config.maxBodyBytes,
    };
    let hint: string | null;
    try {
      hint = hintFor(input, await gatherHintFacts(this.directory.requestLog, input));
    } catch {
      hint = hintFor(input);
    }
    return this.rowOf(c, { scimType, hint }, response);
  }

  /** A request's row; `failure` for a failed one (its error's scimType, its hint). */
  private rowOf(
    c: Captured,
    failure: { scimType: string | null; hint: string | null } | null,
    response: ReturnType<typeof responseText>,
  ): RequestLogEntry {
    const scimType = failure?.scimType ?? null;
    const hint = failure?.hint ?? null;
    let responseBody: string | null;
    if (response.text === null) responseBody = response.streamed ? '(streamed)' : null;
    // Our responses never carry writeOnly attributes; a text pass (no parse and re-serialise)
    // is enough to catch anything secret-looking, at a fraction of the cost.
    else if (response.complete)
      responseBody = response.text === '' ? null : redactJsonText(truncate(response.text));
    else responseBody = `${redactJsonText(response.text)}…(streamed, first ${BODY_LIMIT} bytes)`;
    const userAgent = headerText(c.headers['user-agent']);
    return {
      orgId: c.orgId,
      at: new Date(c.at).toISOString(),
      requestId: c.requestId,
      tokenId: c.actor?.tokenId ?? null,
      method: c.method,
      path: pathForLog(c.url),
      status: c.status,
      durationMs: Math.round(c.durationMs * 1000) / 1000,
      scimType,
      idp: detectIdp(c.headers),
      userAgent: userAgent === undefined ? null : truncate(redactText(userAgent), 512),
      requestBody: bodyForLog(c.requestBody),
      responseBody,
      hint: hint === null ? null : redactText(hint),
      quirks: quirksOf(c.actor),
    };
  }
}

function onSend(
  request: FastifyRequest,
  _reply: FastifyReply,
  payload: unknown,
  done: (err: null, payload: unknown) => void,
) {
  if (!request.url.startsWith(SCIM_PREFIX)) return done(null, payload);
  if (payload instanceof Readable) {
    request.logPayload = new BodyTap(payload, BODY_LIMIT);
    return done(null, payload);
  }
  request.logPayload = payload;
  done(null, payload);
}

/**
 * Fastify plugin (not encapsulated: its hooks see every route) that captures SCIM requests into
 * `app.requestLog`. With REQUEST_LOG=false it adds no hook and only prunes old rows.
 */
export async function requestLog(app: FastifyInstance) {
  const logger = new RequestLogger(app.directory, app.config, app.log);
  app.decorate('requestLog', logger);
  app.decorateRequest('scimActor', null);
  app.decorateRequest('logPayload', null);
  app.addHook('onReady', async () => logger.start());
  app.addHook('onClose', async () => logger.close());
  if (!logger.enabled) return;

  app.addHook('onSend', onSend);
  app.addHook('onResponse', (request, reply, done) => {
    const orgId = orgOfUrl(request.url);
    if (orgId === undefined) return done();
    const status = reply.statusCode;
    const durationMs = reply.elapsedTime;
    logger.capture({
      orgId,
      actor: request.scimActor,
      at: app.directory.deps.now().getTime() - durationMs,
      requestId: String(request.id),
      method: request.method,
      url: request.url,
      status,
      durationMs,
      headers: request.headers,
      requestBody: request.body,
      payload: request.logPayload,
      auth: status === 401 ? authShape(headerText(request.headers.authorization)) : undefined,
      allow: headerText(reply.getHeader('allow')),
      retryAfter: headerText(reply.getHeader('retry-after')),
      bytes:
        (Number(request.headers['content-length']) || 0) +
        (typeof request.logPayload === 'string' ? request.logPayload.length : BODY_LIMIT),
    });
    done();
  });
}
// Hooks on the root instance, like fastify-plugin's `skip-override`, so they apply to every route.
(requestLog as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
