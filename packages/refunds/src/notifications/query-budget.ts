// An unsigned notification is only a hint, confirmed by a query; anyone can POST one. A token
// bucket per provider bounds the queries hints can cause, so forged notifications cannot become
// a query storm against the provider (or the merchant's rate limit there).

/** Queries notifications may cause, per provider. */
export interface NotificationQueryLimit {
  /** Sustained queries per second. Default 1. */
  readonly perSecond: number;
  /** Queries allowed at once after a quiet spell. Default 10. */
  readonly burst: number;
}

export const DEFAULT_NOTIFICATION_QUERY_LIMIT: NotificationQueryLimit = { perSecond: 1, burst: 10 };

/** A token bucket per key (provider), refilled on real monotonic time. */
export class QueryBudget {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(readonly limit: NotificationQueryLimit = DEFAULT_NOTIFICATION_QUERY_LIMIT) {}

  /** Takes one query for `key` if the budget allows it now. */
  take(key: string): boolean {
    const now = performance.now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1_000) * this.limit.perSecond);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
