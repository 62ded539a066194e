/**
 * Counters in the `rate_limits` table, so that every instance on one PostgreSQL enforces one
 * limit (the PostgreSQL default). One upsert per admitted request; a request refused by one
 * counter after another one was bumped costs a second statement that takes the bump back
 * (until it runs, that counter is one too high: a concurrent request at the very edge of its
 * limit may be refused early, never admitted late).
 */
import type { Kysely } from 'kysely';
import { bumpCounters, pruneCounters, releaseCounters } from '../store/rate-limits.ts';
import type { DB } from '../store/schema.ts';
import type { Counter, HitResult, RateLimiter, Window } from './limiter.ts';

export class DatabaseRateLimiter implements RateLimiter {
  private prunedBefore = 0;
  private pruning: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  async hit(orgId: string, counters: readonly Counter[], window: Window): Promise<HitResult> {
    this.prune(window);
    const bumped = await bumpCounters(this.db, orgId, window.start, window.end, counters);
    const refused = counters.findIndex((c) => !bumped.has(c.key));
    if (refused < 0) return { allowed: true, counts: counters.map((c) => bumped.get(c.key) ?? 0) };
    await releaseCounters(this.db, orgId, window.start, [...bumped.keys()]);
    return { allowed: false, refused };
  }

  /** Once per window per instance, in the background: old windows only ever get deleted. */
  private prune(window: Window) {
    if (window.start <= this.prunedBefore) return;
    this.prunedBefore = window.start;
    this.pruning = pruneCounters(this.db, window.start).catch(this.onError);
  }

  async close(): Promise<void> {
    await this.pruning;
  }
}
