/**
 * Counters in Redis (REDIS_URL), for instances that share a Redis rather than a PostgreSQL, or
 * to keep the counting traffic off the database. One Lua script per request (EVALSHA, one
 * round trip) reads every counter, refuses if one is at its limit, and otherwise bumps them
 * all; Redis runs scripts atomically, so the limits are exact across instances. Keys expire
 * with their window.
 */
import { Redis } from 'ioredis';
import type { Counter, HitResult, RateLimiter, Window } from './limiter.ts';

/**
 * KEYS: the counters; ARGV[1]: milliseconds to keep them; ARGV[1 + i]: the limit of KEYS[i].
 * Returns {0, count1, count2, …} when admitted, {i} when KEYS[i] is at its limit.
 */
const HIT_SCRIPT = `
for i = 1, #KEYS do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count >= tonumber(ARGV[i + 1]) then return {i} end
end
local counts = {0}
for i = 1, #KEYS do
  local count = redis.call('INCR', KEYS[i])
  if count == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
  counts[i + 1] = count
end
return counts
`;

/** Margin kept on keys past a window's length, for clocks that differ between instances. */
const EXPIRY_MARGIN_MS = 5_000;

type HitCommand = (...args: (string | number)[]) => Promise<number[]>;

export class RedisRateLimiter implements RateLimiter {
  readonly redis: Redis;

  /**
   * Commands fail at once while Redis is unreachable (no offline queue, one attempt, short
   * timeouts): the caller lets requests through rather than making them wait for Redis.
   */
  constructor(
    url: string,
    private readonly prefix: string,
    onError: (error: unknown) => void = () => {},
  ) {
    this.redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      commandTimeout: 1_000,
    });
    this.redis.on('error', onError);
    this.redis.defineCommand('scimRateLimitHit', { lua: HIT_SCRIPT });
  }

  /** Connects now so that the first requests are counted; fails if Redis is unreachable. */
  async connect(): Promise<void> {
    await this.redis.connect();
  }

  /** `<prefix>{<org>}:<key>:<window start>`: the org in braces keeps one request's keys in one Redis Cluster slot. */
  key(orgId: string, key: string, window: Window): string {
    return `${this.prefix}{${orgId}}:${key}:${window.start}`;
  }

  async hit(orgId: string, counters: readonly Counter[], window: Window): Promise<HitResult> {
    const keys = counters.map((c) => this.key(orgId, c.key, window));
    // A whole window from the first count: never gone early, and clock-independent.
    const ttl = window.end - window.start + EXPIRY_MARGIN_MS;
    const run = (this.redis as unknown as { scimRateLimitHit: HitCommand }).scimRateLimitHit.bind(this.redis);
    const reply = await run(keys.length, ...keys, ttl, ...counters.map((c) => c.limit));
    const [first, ...counts] = reply.map(Number);
    if (first === undefined) throw new Error('rate limit script returned nothing');
    if (first > 0) return { allowed: false, refused: first - 1 };
    return { allowed: true, counts };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
