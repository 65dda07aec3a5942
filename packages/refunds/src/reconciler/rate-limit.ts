// The reconciler's cap on queries per provider and account: slots spaced 1/perSecond apart,
// handed out in order, on this process's monotonic clock. Each process has its own: N processes
// reconciling at once query up to N × perSecond (docs/changes-and-reconciling.md).
import { sleep } from '../facade/call-signal.js';

export class QuerySpacing {
  /** When the next slot of each key opens (performance.now() milliseconds). */
  readonly #next = new Map<string, number>();

  /** Waits for the next slot of `key`; rejects with `AbortedError` when `signal` aborts first (the slot is then lost, never given twice). */
  async acquire(key: string, perSecond: number, signal: AbortSignal | undefined): Promise<void> {
    const now = performance.now();
    const slot = Math.max(now, this.#next.get(key) ?? now);
    this.#next.set(key, slot + 1_000 / perSecond);
    if (slot > now) await sleep(slot - now, signal);
  }
}
