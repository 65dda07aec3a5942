import type { AnswerSource, Lease, ProviderKey, Refund, RefundEvent, RefundFailure, RefundStatus } from '../model.js';
import type { FailureInput } from '../failure.js';
import type { ChangesQuery, RefundChange } from '../changes/change.js';
import type { Claim, ClaimRequest, DueQuery } from '../reconciler/claim.js';
import type { UnmatchedNotification, UnmatchedNotificationInput } from '../notifications/unmatched-types.js';
import type { AccountFilter } from '../changes/change.js';
import type { ListQuery, RefundPage } from './list-query.js';
import type { BatchesQuery, BatchSummary } from './batches.js';

export type { BatchesQuery, BatchSummary };

/** One refund in a ledger: provider, merchant account and refund id (the order is not part of it). */
export interface RefundIdentity {
  readonly provider: ProviderKey;
  readonly account: string;
  readonly refundId: string;
}

/** One order in a ledger. */
export interface OrderIdentity {
  readonly provider: ProviderKey;
  readonly account: string;
  readonly orderId: string;
}

/** What a refund is, for deciding whether a second request with its id is the same refund. */
export interface ReservationRequest {
  readonly key: RefundIdentity & { readonly orderId: string };
  readonly amount: number;
  readonly currency: string;
  /** The order's total in minor units, when the caller knows it. */
  readonly orderAmount?: number | undefined;
  /** The adapter's query data (see `Refund.meta`): stored on a new refund, replaced on resubmission. */
  readonly meta?: Readonly<Record<string, string>> | undefined;
  /** The lease a sender asks for: its holder id and how long it lasts on the ledger's clock. */
  readonly lease: { readonly holder: string; readonly ttlMs: number };
  /** The batch run reserving it (see `Refund.batch`): stored on a new refund, never changed after. */
  readonly batch?: string | undefined;
  /**
   * A lease holder this sender takes the refund over from: when the refund is `unknown` and its
   * lease (live or not) is still that holder's, the caller gets the lease for the same attempt
   * (no new attempt; `providerMayKnow` as it was) — how a queue worker takes over a reservation
   * its enqueuer made for it and never sent. Once taken, the holder is the taker's: a second
   * delivery of the same job naming the same holder meets the ordinary rules (in flight, or
   * recovered by a query first).
   */
  readonly takeOver?: string | undefined;
}

/**
 * The outcome of {@link RefundLedger.reserve}:
 * - `new`: first time this refund id is seen; the amount is reserved, status `unknown` (in
 *   flight), and the caller holds the lease: it sends.
 * - `resubmit`: the same refund failed before; its amount is reserved again and the caller holds
 *   the lease: it resends the same refund number, as every provider document prescribes.
 * - `recover`: the same refund is `unknown` and nobody holds it (its sender gave up or crashed);
 *   the caller holds the lease: it queries first, and resends the same number only if the query
 *   cannot tell.
 * - `existing`: the same refund is `succeeded` or `pending`: nothing to send.
 * - `in_flight`: another sender holds a live lease on it: send nothing (wait, or report it).
 *
 * `providerMayKnow` (with a lease): an earlier request of this number may have reached the
 * provider without being refused, so a refusal of this one is `unknown`, not `failed`.
 */
export type Reservation =
  | { readonly outcome: 'new' | 'resubmit' | 'recover'; readonly refund: Refund; readonly lease: Lease; readonly providerMayKnow: boolean }
  | { readonly outcome: 'existing'; readonly refund: Refund }
  | { readonly outcome: 'in_flight'; readonly refund: Refund; readonly lease: Lease };

/** A provider's answer about a refund (or the failure to get one), to record. */
export interface RefundUpdate {
  readonly status: RefundStatus;
  readonly source: AnswerSource;
  readonly providerRefundId?: string | undefined;
  /** The failure; `source` is derived from the code when left out (see `FAILURE_CODES`). */
  readonly failure?: FailureInput | undefined;
  readonly raw?: string | undefined;
  /**
   * For an answer to a refund request: false when the request surely never reached the provider
   * or the provider refused it (nothing it could remember as a refund). Default true.
   */
  readonly providerMayKnow?: boolean | undefined;
  /**
   * The attempt this answer belongs to (its lease): it ends that attempt and releases the lease
   * when the attempt is still the current one. An answer from an attempt that is no longer
   * current is fenced (see `planUpdate`). Left out for answers about the refund rather than an
   * attempt (a query by `get`, a notification).
   */
  readonly lease?: Lease | undefined;
  /**
   * `refused`: a notification that failed verification or the echo rule. It is kept in the
   * history (a bounded excerpt) and changes nothing.
   */
  readonly verdict?: 'refused' | undefined;
  /**
   * An answer that cannot tell (a query the provider could not answer for sure): kept in the
   * history, it moves nothing — the status and the failure stay as they were, "pending stays
   * pending" — and, with `lease`, ends that holder's lease (a reconciler's claim).
   */
  readonly inconclusive?: boolean | undefined;
  /** The order's total when the answer carries it (eftpay `original_amount`, lianke `total_amount`). */
  readonly orderAmount?: number | undefined;
}

/** What `record` did: the refund as written, and the change it appended to the feed, if the status moved. */
export interface RecordedUpdate {
  readonly refund: Refund;
  readonly change?: RefundChange | undefined;
}

/**
 * Where refunds are written before any provider is called. Each method is atomic: two callers
 * racing on one order — in one process, several, or several machines with a shared database —
 * can never together reserve more than the order, and never both hold a live lease on a refund.
 *
 * Rules (`ledger-rules.ts`, shared by every store):
 * - the same refund id with another amount, order or currency is a `ConflictError`;
 * - when the order's total is known (given, or recorded from a provider's answer), reserving more
 *   than what is left (the order minus every refund on it that is not `failed`) is an
 *   `OverRefundError`; an answer's total below what is already held is an anomaly, never the cap;
 * - a `failed` refund holds nothing: its amount is released, and reserved again on resubmission;
 * - `succeeded` is never overwritten; `failed` only by a verified `succeeded` (kept in the history);
 * - at most one live lease per refund; leases are timed by the ledger's clock;
 * - answers are fenced by attempt: one from an attempt that is no longer current (another
 *   sender took the lease, or a later attempt exists) moves nothing but a verified `succeeded`;
 *   it is kept as `late` and marks that the provider may know the number;
 * - a refusal of a number that any attempt may have sent is `unknown`, whoever hears it;
 * - every reservation and answer is appended to the refund's history;
 * - every status transition is appended to the change feed, numbered in commit order, in the
 *   same transaction as the write that caused it;
 * - a reconciler's claim is a lease that starts no attempt: fenced like a sender's.
 */
export interface RefundLedger {
  reserve(request: ReservationRequest): Promise<Reservation>;
  /** Records an answer; with `update.lease`, ends that attempt and releases the lease. */
  update(key: RefundIdentity, update: RefundUpdate): Promise<Refund>;
  /** `update`, saying also which change it appended to the feed (none when the status did not move). */
  record(key: RefundIdentity, update: RefundUpdate): Promise<RecordedUpdate>;
  /**
   * The change feed: status transitions after `query.after`, in `seq` order, at most
   * `query.limit`. `seq` follows commit order: a reader never meets a smaller `seq` later.
   */
  changes(query: ChangesQuery): Promise<RefundChange[]>;
  /**
   * Optional: calls `listener` soon after a change commits (PostgreSQL: LISTEN/NOTIFY, from any
   * machine; the memory and SQLite ledgers: this instance's own writes). Returns the way to stop.
   * Followers without it, or between wakes, read again every `pollMs`.
   */
  watchChanges?(listener: () => void): () => void;
  /** Refunds due for a reconciler's check (see `DueQuery`), those waiting longest first. */
  due(query: DueQuery): Promise<RefundIdentity[]>;
  /** Takes a due refund under a reconciler's claim, or says why not (see `planClaim`). */
  claim(request: ClaimRequest): Promise<Claim>;
  /** Keeps a notification naming a refund this ledger never saw; the same body again only counts a delivery. */
  keepUnmatched(notification: UnmatchedNotificationInput): Promise<UnmatchedNotification>;
  /** Unmatched notifications, the latest delivered first, of these accounts (all when absent). */
  unmatched(query: { readonly limit: number; readonly accounts?: readonly AccountFilter[] | undefined }): Promise<UnmatchedNotification[]>;
  get(key: RefundIdentity): Promise<Refund | undefined>;
  /** Every entry of the refund's history, oldest first. */
  history(key: RefundIdentity): Promise<RefundEvent[]>;
  /** Every refund recorded on one order, in reservation order. */
  refundsOf(order: OrderIdentity): Promise<Refund[]>;
  /** The order's known total, if any. */
  orderAmount(order: OrderIdentity): Promise<number | undefined>;
  /**
   * Refunds matching `query`, newest first (then provider, account, refund id, descending), at
   * most `query.limit`, after `query.after`; `next` when more may follow (see `list-query.ts`).
   */
  list(query: ListQuery): Promise<RefundPage>;
  /** How many refunds, and how much, per provider, account and status (metrics, a console). */
  totals(): Promise<RefundTotal[]>;
  /** One summary per batch run (refunds reserved with `batch`), the run first reserved most recently first. */
  batches(query?: BatchesQuery): Promise<BatchSummary[]>;
  /** Whether the ledger answers and its schema is the one this refundkit writes (a health check). Never throws. */
  health(): Promise<LedgerHealth>;
  close(): Promise<void>;
}

/** One line of {@link RefundLedger.totals}. */
export interface RefundTotal {
  readonly provider: ProviderKey;
  readonly account: string;
  readonly status: RefundStatus;
  readonly count: number;
  /** The sum of their amounts, in minor units (currencies are the provider's; most have one). */
  readonly amount: number;
}

/** What {@link RefundLedger.health} found. */
export interface LedgerHealth {
  readonly ok: boolean;
  /** What was checked, or what is wrong (never a password). */
  readonly detail: string;
}
