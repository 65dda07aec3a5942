// `refunds.changes()`: one read of the feed, waiting for the next change when there is none yet.
import type { RefundLedger } from '../ledger/ledger.js';
import { ValidationError } from '@refundkit/runtime';
import { checkMs } from '../facade/input-checks.js';
import type { AccountFilter, RefundChange } from './change.js';

/** What `refunds.changes()` takes. */
export interface ChangesOptions {
  /** The last `seq` the caller applied (default 0: from the start). */
  readonly after?: number | undefined;
  /** At most this many changes (default 100, at most 10 000). */
  readonly limit?: number | undefined;
  /**
   * When nothing comes after `after`, wait up to this long for a change before answering (a long
   * poll; default 0: answer at once). A PostgreSQL ledger is woken by NOTIFY the moment any
   * process commits one; the memory and SQLite ledgers by this instance's own writes, and read
   * again at the end of the wait for other processes'.
   */
  readonly waitMs?: number | undefined;
  /** Ends a wait early (the answer is then what there is: often nothing). */
  readonly signal?: AbortSignal | undefined;
}

export const DEFAULT_CHANGES_LIMIT = 100;
const MAX_CHANGES_LIMIT = 10_000;

/** An option refundkit cannot honour: a `ValidationError` (code `validation_failed`) naming it, as `checkMs` throws. */
export function optionError(name: string, rule: string, message: string): ValidationError {
  return new ValidationError('options', [{ path: name, rule, message }]);
}

/** Checks a positive whole count no larger than `max`. */
export function checkCount(name: string, value: number | undefined, max: number): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) throw optionError(name, `1 to ${max}`, `${name} must be a whole number from 1 to ${max}, not ${String(value)}`);
}

/** Reads the changes of `accounts` after `options.after`, waiting as `options.waitMs` says. */
export async function readChanges(ledger: RefundLedger, accounts: readonly AccountFilter[], options: ChangesOptions = {}): Promise<RefundChange[]> {
  const after = options.after ?? 0;
  if (!Number.isSafeInteger(after) || after < 0) throw optionError('after', 'minimum 0', `after must be a seq (a whole number, 0 or more), not ${String(after)}`);
  checkCount('limit', options.limit, MAX_CHANGES_LIMIT);
  checkMs('waitMs', options.waitMs, 0);
  const query = { after, limit: options.limit ?? DEFAULT_CHANGES_LIMIT, accounts };
  const waitMs = options.waitMs ?? 0;
  if (waitMs === 0 || options.signal?.aborted) return ledger.changes(query);
  // Watching before the first read: a change committed between that read and the wait still wakes it.
  let wake: () => void = () => {};
  const woken = new Promise<void>((resolve) => (wake = resolve));
  const unwatch = ledger.watchChanges?.(() => wake());
  try {
    const found = await ledger.changes(query);
    if (found.length > 0) return found;
    await new Promise<void>((resolve) => {
      const signal = options.signal;
      // Aborted during the read: an abort event already fired is never heard again.
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, waitMs);
      signal?.addEventListener('abort', done, { once: true });
      void woken.then(done);
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
    });
    return await ledger.changes(query);
  } finally {
    unwatch?.();
  }
}
