// A lease is not a lock unless its holder checks it: a sender can stall anywhere (a GC pause, a
// frozen VM, a slow network) and wake after another sender took over. Just before it sends, a
// sender checks that its lease still has a safe margin, timed by its own clocks from before it
// asked for the reservation (a slow commit only shortens what it believes is left). A stall can
// still fall after the check: the ledger's fencing by attempt (`ledger-rules.ts`) is what holds.
import type { Clock } from '@refundkit/runtime';

/** How long a lease outlives its sender's exchanges, so a slow but live sender is never overtaken. */
export const LEASE_MARGIN_MS = 5_000;

/**
 * What must be left of a lease to send under it: the exchange's deadline plus
 * {@link LEASE_MARGIN_MS}, or half the lease when the lease is shorter than that.
 */
export function sendMarginMs(exchangeTimeoutMs: number, leaseMs: number): number {
  return Math.min(exchangeTimeoutMs + LEASE_MARGIN_MS, leaseMs / 2);
}

/**
 * A lease's time as its sender sees it: started before the reservation was asked for, on the
 * process's monotonic clock and on the facade's clock (a test's clock moves to simulate a stall);
 * what is left is the smaller of the two.
 */
export class LeaseTimer {
  readonly #startedAt = performance.now();
  readonly #startedOnClock: number;

  constructor(
    readonly ttlMs: number,
    readonly clock: Clock,
  ) {
    this.#startedOnClock = clock();
  }

  /** Milliseconds of the lease left, at most. */
  remainingMs(): number {
    return Math.min(this.#startedAt + this.ttlMs - performance.now(), this.#startedOnClock + this.ttlMs - this.clock());
  }
}
