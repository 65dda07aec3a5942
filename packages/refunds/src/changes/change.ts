// The change feed's record: one entry per status transition, numbered by the ledger in the order
// the transitions committed. Types only: every store writes what `ledger-rules.ts` decides.
import type { AnswerSource, ProviderKey, RefundStatus } from '../model.js';

/**
 * What moved a refund's status:
 * - `reservation`: a new refund (from `null`) or a failed one resubmitted (`failed` → `unknown`);
 * - `refund`, `query`, `notification`: the answer that moved it (see `AnswerSource`);
 * - `upgrade`: written once per refund when a ledger without a feed was upgraded to one: the
 *   refund's status then (from `null`), so a follower starting at 0 learns every refund.
 */
export type ChangeSource = 'reservation' | AnswerSource | 'upgrade';

/**
 * One status transition, as `refunds.changes()` and `followChanges` give it. `seq` is the
 * ledger's: strictly increasing in the order the transitions committed, so a follower that keeps
 * the last `seq` it applied and asks for what comes after it misses nothing and sees nothing
 * twice. Apply each change once by its `seq` (store the cursor in the same transaction as what
 * you do with the change, or make the effect idempotent by `seq`).
 *
 * @example
 * { seq: 42, at: '2026-12-02T04:10:01.120Z', provider: 'tipay', account: '10012426723', orderId: 'order123456789',
 *   refundId: 'refundorder987654', amount: 8888, currency: 'CNY', from: 'pending', to: 'succeeded', source: 'notification' }
 */
export interface RefundChange {
  readonly seq: number;
  /** When it committed, ISO 8601 (the ledger's clock). */
  readonly at: string;
  readonly provider: ProviderKey;
  readonly account: string;
  readonly orderId: string;
  readonly refundId: string;
  /** Integer minor units. */
  readonly amount: number;
  readonly currency: string;
  /** The status before; `null` when the refund first appears (a new reservation, or `upgrade`). */
  readonly from: RefundStatus | null;
  readonly to: RefundStatus;
  readonly source: ChangeSource;
}

/** A change as the rules decide it, before the store numbers it. */
export type ChangeEntry = Omit<RefundChange, 'seq'>;

/** Which refunds a read is about: (provider, account) pairs; the facade passes the accounts it holds. */
export interface AccountFilter {
  readonly provider: ProviderKey;
  readonly account: string;
}

/** What `changes` reads: the entries after `after`, at most `limit`, of these accounts (all when absent). */
export interface ChangesQuery {
  readonly after: number;
  readonly limit: number;
  readonly accounts?: readonly AccountFilter[] | undefined;
}
