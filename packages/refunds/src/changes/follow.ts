// `followChanges`: applies the change feed as it grows, from the caller's cursor, until stopped.
import { LedgerUnavailableError } from '../ledger/ledger-errors.js';
import { checkMs } from '../facade/input-checks.js';
import type { RefundChange } from './change.js';
import type { ChangesOptions } from './read-changes.js';

/** What `followChanges` takes. */
export interface FollowOptions {
  /**
   * The last `seq` already applied (0: from the start). The follower keeps no cursor of its own:
   * store the `seq` of each change you apply, together with its effect, and pass it here again
   * after a restart.
   */
  readonly after?: number | undefined;
  /**
   * Applies one change. Awaited before the next, so changes are applied one by one in `seq`
   * order. A throw stops the follower (its promise rejects with it); the change is applied again
   * when you restart from your cursor — make the effect idempotent by `seq`, or store the cursor
   * in the same transaction as the effect.
   */
  readonly onChange: (change: RefundChange) => unknown;
  /** Stops following: the promise then resolves with the last `seq` applied. */
  readonly signal?: AbortSignal | undefined;
  /**
   * How long to wait for a change before reading again (default 1 000 ms). A PostgreSQL ledger
   * wakes its followers by LISTEN/NOTIFY as soon as any process commits a change, so this is
   * only the fallback there; with SQLite it is how soon another process's change is seen.
   */
  readonly pollMs?: number | undefined;
  /** Changes per read (default 100). */
  readonly batch?: number | undefined;
  /**
   * Called when the ledger is unreachable (`LedgerUnavailableError`); the follower reads again
   * after `pollMs`. Any other error stops it.
   */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/** What the follower reads through: a `Refunds` instance (its accounts' changes only). */
export interface ChangeFeed {
  changes(options?: ChangesOptions): Promise<RefundChange[]>;
}

/**
 * Follows the change feed: calls `onChange` for every status transition after `after`, in `seq`
 * order, each once per run, waiting for new ones as they commit; returns (with the last `seq`
 * applied) when `signal` aborts. Persists nothing itself: the caller keeps the cursor.
 *
 * @example
 * const controller = new AbortController();
 * const cursor = Number(await redis.get('refund-feed-cursor') ?? 0);
 * await followChanges(refunds, {
 *   after: cursor,
 *   signal: controller.signal,
 *   onChange: async (change) => {
 *     await db.transaction(async (tx) => {
 *       await tx.orders.markRefund(change.orderId, change.refundId, change.to);
 *       await tx.cursors.put('refund-feed', change.seq); // the cursor moves with the effect
 *     });
 *   },
 * });
 */
export async function followChanges(refunds: ChangeFeed, options: FollowOptions): Promise<number> {
  const pollMs = options.pollMs ?? 1_000;
  checkMs('pollMs', pollMs);
  let cursor = options.after ?? 0;
  const { signal } = options;
  while (!signal?.aborted) {
    let batch: RefundChange[];
    try {
      batch = await refunds.changes({ after: cursor, limit: options.batch, waitMs: pollMs, signal });
    } catch (error) {
      if (!(error instanceof LedgerUnavailableError)) throw error;
      options.onError?.(error);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      continue;
    }
    for (const change of batch) {
      // Stopping between two changes: the cursor returned is the last one applied.
      if (signal?.aborted) return cursor;
      await options.onChange(change);
      cursor = change.seq;
    }
  }
  return cursor;
}
