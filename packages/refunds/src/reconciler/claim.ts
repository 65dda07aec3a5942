// What the ledger does for the reconciler: finds refunds due for a check and takes each under a
// claim — a lease, in the same columns and under the same fencing rules as a sender's, that
// starts no attempt (a claim only queries). Types only; the decision is `planClaim` in
// `ledger-rules.ts`, shared by every store.
import type { AccountFilter } from '../changes/change.js';
import type { Lease, Refund } from '../model.js';
import type { RefundIdentity } from '../ledger/ledger.js';

/** How far apart the reconciler's checks of one refund are: `firstMs`, doubling to `maxMs`, each ± `jitter` (a fraction). */
export interface CheckBackoff {
  readonly firstMs: number;
  readonly maxMs: number;
  /** 0.2: each wait is 80 % to 120 % of its nominal length, so refunds checked together drift apart. */
  readonly jitter: number;
}

/** The reconciler's schedule for one refund, kept in the ledger (shared by processes, survives restarts); see `Refund.reconcile`. */
export type CheckSchedule = NonNullable<Refund['reconcile']>;

/** Which refunds are due: open (`pending`, `unknown`), created at least `olderThanMs` ago, past their next check, not held by a live lease. */
export interface DueQuery {
  readonly olderThanMs: number;
  readonly limit: number;
  readonly accounts?: readonly AccountFilter[] | undefined;
}

/** A claim asked for: the refund, the lease (holder, length), when it must be at least this old, and the backoff to schedule the next check. */
export interface ClaimRequest {
  readonly key: RefundIdentity;
  readonly lease: { readonly holder: string; readonly ttlMs: number };
  readonly olderThanMs: number;
  readonly backoff: CheckBackoff;
  /** A random number in [0, 1) for the jitter (the rules stay pure: the caller draws it). */
  readonly random: number;
}

/**
 * The outcome of `claim`:
 * - `claimed`: the caller holds `lease` (attempt = the refund's latest, none started) and may
 *   query the provider; the answer is recorded with that lease, which releases it;
 * - `skipped`: not now — `settled` (succeeded or failed), `held` (a live lease: a sender is
 *   sending, or another reconciler is checking), `not_due` (its next check is later, or it is
 *   younger than `olderThanMs`), `missing` (no such refund).
 */
export type Claim =
  | { readonly outcome: 'claimed'; readonly refund: Refund; readonly lease: Lease }
  | { readonly outcome: 'skipped'; readonly reason: 'settled' | 'held' | 'not_due' | 'missing'; readonly refund?: Refund };
