/**
 * Request counters for rate limits: fixed windows aligned to the epoch, one counter per key
 * (an org, a token), each with its own limit. A request is admitted only if every one of its
 * counters is below its limit, and then it bumps them all; a refused request bumps none, so a
 * token hammering past its own limit does not use up its org's budget for the other tokens.
 *
 * Fixed windows cost one counter per key and one round trip per request, and every instance
 * computes the same window from the clock. Their known weakness: a client may send up to twice
 * the limit across a window boundary (the end of one window and the start of the next).
 */

/** One counter a request must pass: `key` is unique within the org; `limit` is at least 1. */
export interface Counter {
  key: string;
  limit: number;
}

/** The window a moment falls in, in epoch milliseconds: [start, end). */
export interface Window {
  start: number;
  end: number;
}

export type HitResult =
  /** Admitted: every counter's value after this request, in the order given. */
  | { allowed: true; counts: number[] }
  /** Refused: the index of the first counter that is at its limit; nothing was counted. */
  | { allowed: false; refused: number };

export interface RateLimiter {
  /** Counts one request of `orgId` against `counters` in `window`, all or nothing. */
  hit(orgId: string, counters: readonly Counter[], window: Window): Promise<HitResult>;
  close(): Promise<void>;
}

export function fixedWindow(nowMs: number, windowMs: number): Window {
  const start = Math.floor(nowMs / windowMs) * windowMs;
  return { start, end: start + windowMs };
}

/**
 * Counters in this process: exact, no I/O, and right only when one process serves the
 * database (the SQLite default). Entries of past windows are dropped when a new window starts.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly counts = new Map<string, { start: number; count: number }>();
  private current = 0;

  async hit(orgId: string, counters: readonly Counter[], window: Window): Promise<HitResult> {
    if (window.start > this.current) {
      this.current = window.start;
      for (const [key, entry] of this.counts) if (entry.start < window.start) this.counts.delete(key);
    }
    const keys = counters.map((c) => `${orgId}\n${c.key}`);
    const values = keys.map((key) => {
      const entry = this.counts.get(key);
      return entry && entry.start === window.start ? entry.count : 0;
    });
    const refused = counters.findIndex((c, i) => (values[i] ?? 0) >= c.limit);
    if (refused >= 0) return { allowed: false, refused };
    const counts = values.map((v) => v + 1);
    keys.forEach((key, i) => {
      this.counts.set(key, { start: window.start, count: counts[i] ?? 1 });
    });
    return { allowed: true, counts };
  }

  async close(): Promise<void> {
    this.counts.clear();
  }
}
