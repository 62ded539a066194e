/**
 * Rate limits per token and per org (RATE_LIMIT_*, docs/config.md). Checked right after a
 * request's token is authenticated (scim-request.ts `authenticate`), so the health check,
 * discovery endpoints (which need no token) and unauthenticated requests are never counted.
 * Over a limit: 429 with `Retry-After` (RFC 6585 §4, RFC 9110 §10.2.3) and a SCIM error body;
 * every counted response carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
 * (draft-ietf-httpapi-ratelimit-headers) for the counter closest to its limit.
 *
 * The counters live in memory, in the database or in Redis (src/rate-limit/). If the backend
 * fails, the request goes through and a warning is logged: a broken limiter must not take the
 * SCIM service down with it.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { RateLimitConfig } from '../config.ts';
import { DatabaseRateLimiter } from '../rate-limit/database.ts';
import { type Counter, fixedWindow, MemoryRateLimiter, type RateLimiter } from '../rate-limit/limiter.ts';
import { ScimError } from '../scim/errors.ts';
import type { Database } from '../store/db.ts';

declare module 'fastify' {
  interface FastifyInstance {
    rateLimit: RateLimit;
  }
}

/**
 * The scope of the per-address counters of failed authentications: not an org id (those
 * match /^[a-z0-9]/), so no org's counters can collide with them.
 */
const UNAUTHENTICATED_SCOPE = '-unauthenticated';
/** The scope of the console's sign-in counters (not an org id either). */
const SIGN_IN_SCOPE = '-sign-in';
/** Console sign-ins: attempts per account and per address in a quarter of an hour. */
export const SIGN_IN_LIMITS = { perAccount: 10, perAddress: 30, windowMs: 15 * 60_000 } as const;

/** At most one warning per this many milliseconds while a backend keeps failing. */
const WARN_INTERVAL_MS = 10_000;

/** Logs backend failures without flooding the log when every request fails the same way. */
function throttledWarning(log: FastifyBaseLogger) {
  let last = 0;
  let suppressed = 0;
  return (error: unknown) => {
    const now = Date.now();
    if (now - last < WARN_INTERVAL_MS) {
      suppressed++;
      return;
    }
    log.warn({ err: error, suppressed }, 'rate limiter unavailable: requests are not being limited');
    last = now;
    suppressed = 0;
  };
}

/** The backend that `config.backend` names, over this database or REDIS_URL. */
export async function createRateLimiter(
  config: RateLimitConfig,
  database: Database,
  onError: (error: unknown) => void,
): Promise<RateLimiter> {
  switch (config.backend) {
    case 'memory':
      return new MemoryRateLimiter();
    case 'postgres':
      return new DatabaseRateLimiter(database.db, onError);
    case 'redis': {
      if (!config.redisUrl) throw new Error('the redis rate-limit backend needs REDIS_URL');
      // ioredis is loaded only for this backend (about 130 ms of start-up).
      const { RedisRateLimiter } = await import('../rate-limit/redis.ts');
      const limiter = new RedisRateLimiter(config.redisUrl, config.keyPrefix, onError);
      // Unreachable at start: serve anyway, unlimited, while ioredis keeps reconnecting.
      await limiter.connect().catch(onError);
      return limiter;
    }
  }
}

export class RateLimit {
  /** Response headers of requests that were counted, written by the onSend hook. */
  readonly headers = new WeakMap<FastifyRequest, Record<string, string>>();
  private readonly windowMs: number;

  constructor(
    private readonly config: RateLimitConfig,
    private readonly limiter: RateLimiter | undefined,
    private readonly now: () => Date,
    private readonly onError: (error: unknown) => void,
    /** Counts console sign-ins; always on, whatever RATE_LIMIT_* say (the limiter, else one in memory). */
    private readonly signIns: RateLimiter = limiter ?? new MemoryRateLimiter(),
  ) {
    this.windowMs = config.windowSeconds * 1000;
  }

  get enabled(): boolean {
    return this.limiter !== undefined;
  }

  /** Whether an authenticated request is counted (a token or org limit is set): admit() does something. */
  get countsAuthenticated(): boolean {
    return this.limiter !== undefined && (this.config.perToken > 0 || this.config.perOrg > 0);
  }

  /** The counters of a request: its token's, then its org's; a limit of 0 has none. */
  private counters(tokenId: string | null): { counter: Counter; name: string }[] {
    const list: { counter: Counter; name: string }[] = [];
    if (this.config.perToken > 0 && tokenId !== null) {
      list.push({ counter: { key: `token:${tokenId}`, limit: this.config.perToken }, name: "this token's" });
    }
    if (this.config.perOrg > 0) {
      list.push({
        counter: { key: 'org', limit: this.config.perOrg },
        name: "this organization's (all its tokens together)",
      });
    }
    return list;
  }

  /**
   * Counts one failed authentication of the request's client address (across orgs: the
   * counter is not an org's); throws 429 when the address is over its limit for the window,
   * else returns and the caller answers its 401. Unauthenticated traffic thus neither runs
   * unchecked nor uses up any org's budget.
   */
  async admitUnauthenticated(request: FastifyRequest): Promise<void> {
    const limit = this.config.unauthenticatedPerAddress;
    if (!this.limiter || limit <= 0) return;
    const nowMs = this.now().getTime();
    const window = fixedWindow(nowMs, this.windowMs);
    let result: Awaited<ReturnType<RateLimiter['hit']>>;
    try {
      result = await this.limiter.hit(
        UNAUTHENTICATED_SCOPE,
        [{ key: `address:${request.ip}`, limit }],
        window,
      );
    } catch (error) {
      this.onError(error);
      return;
    }
    if (result.allowed) return;
    const reset = Math.max(1, Math.ceil((window.end - nowMs) / 1000));
    this.headers.set(request, rateLimitHeaders(limit, 0, reset));
    throw ScimError.tooManyRequests(
      `Too many requests that failed to authenticate from this address: the limit is ${limit} per ${this.config.windowSeconds} seconds; retry after ${reset} seconds`,
      reset,
    );
  }

  /**
   * Counts one sign-in attempt to the console for `account` (the email typed) from the
   * request's address (SIGN_IN_LIMITS). Returns undefined when admitted, else the seconds to
   * wait. Slows password guessing against one account and from one address.
   */
  async admitSignIn(request: FastifyRequest, account: string): Promise<number | undefined> {
    const nowMs = this.now().getTime();
    const window = fixedWindow(nowMs, SIGN_IN_LIMITS.windowMs);
    try {
      const result = await this.signIns.hit(
        SIGN_IN_SCOPE,
        [
          { key: `account:${account.trim().toLowerCase().slice(0, 254)}`, limit: SIGN_IN_LIMITS.perAccount },
          { key: `address:${request.ip}`, limit: SIGN_IN_LIMITS.perAddress },
        ],
        window,
      );
      return result.allowed ? undefined : Math.max(1, Math.ceil((window.end - nowMs) / 1000));
    } catch (error) {
      this.onError(error);
      return undefined;
    }
  }

  /**
   * Counts one request of an authenticated token; throws 429 (`tooManyRequests`) when the
   * token or its org is at its limit for the current window.
   */
  async admit(request: FastifyRequest, actor: { orgId: string; tokenId: string | null }): Promise<void> {
    if (!this.limiter) return;
    const counters = this.counters(actor.tokenId);
    if (counters.length === 0) return;
    const nowMs = this.now().getTime();
    const window = fixedWindow(nowMs, this.windowMs);
    let result: Awaited<ReturnType<RateLimiter['hit']>>;
    try {
      result = await this.limiter.hit(
        actor.orgId,
        counters.map((c) => c.counter),
        window,
      );
    } catch (error) {
      this.onError(error);
      return;
    }
    const reset = Math.max(1, Math.ceil((window.end - nowMs) / 1000));
    if (!result.allowed) {
      const refused = counters[result.refused];
      const limit = refused?.counter.limit ?? 0;
      this.headers.set(request, rateLimitHeaders(limit, 0, reset));
      throw ScimError.tooManyRequests(
        `Too many requests: ${refused?.name ?? 'a'} limit is ${limit} requests per ${this.config.windowSeconds} seconds; retry after ${reset} seconds`,
        reset,
      );
    }
    // Report the counter closest to its limit: that is the one the client will hit first.
    let closest = { limit: 0, remaining: Number.POSITIVE_INFINITY };
    counters.forEach(({ counter }, i) => {
      const remaining = counter.limit - (result.counts[i] ?? 0);
      if (remaining < closest.remaining) closest = { limit: counter.limit, remaining };
    });
    this.headers.set(request, rateLimitHeaders(closest.limit, Math.max(0, closest.remaining), reset));
  }
}

function rateLimitHeaders(limit: number, remaining: number, reset: number): Record<string, string> {
  return {
    'RateLimit-Limit': String(limit),
    'RateLimit-Remaining': String(remaining),
    'RateLimit-Reset': String(reset),
  };
}

/**
 * Decorates the app with `rateLimit`, opening the configured backend (closed with the app).
 * Call before the SCIM routes are registered.
 */
export async function setupRateLimit(app: FastifyInstance): Promise<void> {
  const config = app.config.rateLimit;
  const onError = throttledWarning(app.log);
  const enabled = config.perToken > 0 || config.perOrg > 0 || config.unauthenticatedPerAddress > 0;
  const limiter = enabled ? await createRateLimiter(config, app.directory.database, onError) : undefined;
  const rateLimit = new RateLimit(config, limiter, () => app.directory.deps.now(), onError);
  app.decorate('rateLimit', rateLimit);
  if (!limiter) return;
  app.addHook('onClose', async () => limiter.close());
  app.addHook('onSend', (request, reply, payload, done) => {
    const headers = rateLimit.headers.get(request);
    if (headers) reply.headers(headers);
    done(null, payload);
  });
}
