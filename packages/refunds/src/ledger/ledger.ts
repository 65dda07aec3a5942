import type { ProviderKey, Refund, RefundFailure, RefundKey, RefundStatus } from '../model.js';

/** What a refund is, for deciding whether a second request with its id is the same refund. */
export interface ReservationRequest {
  readonly key: RefundKey;
  readonly amount: number;
  readonly currency: string;
  /** The order's total in minor units, when the caller knows it. */
  readonly orderAmount?: number | undefined;
  /** The adapter's query data (see `Refund.meta`): stored on a new refund, replaced on resubmission. */
  readonly meta?: Readonly<Record<string, string>> | undefined;
}

/**
 * The outcome of {@link RefundLedger.reserve}:
 * - `new`: first time this refund id is seen; the amount is reserved, status `unknown` (in flight).
 * - `resubmit`: the same refund failed before; its amount is reserved again, to be resent with
 *   the same refund number, as every provider document prescribes.
 * - `existing`: the same refund is succeeded, pending or unknown; nothing was reserved anew.
 */
export type Reservation =
  | { readonly outcome: 'new' | 'resubmit'; readonly refund: Refund }
  | { readonly outcome: 'existing'; readonly refund: Refund };

/** A change to a refund after the provider answered (or failed to). */
export interface RefundUpdate {
  readonly status: RefundStatus;
  readonly providerRefundId?: string | undefined;
  readonly failure?: RefundFailure | undefined;
  readonly raw?: string | undefined;
}

/**
 * Where refunds are written before any provider is called. `reserve` is atomic: two callers
 * racing on one order can never together reserve more than the order.
 *
 * Rules (see the facade's README):
 * - the same refund id with another amount, order or currency is a `ConflictError`;
 * - when the order's total is known (given, or recorded from a provider's answer), reserving more
 *   than what is left (the order minus every refund on it that is not `failed`) is an
 *   `OverRefundError`;
 * - a `failed` refund holds nothing: its amount is released, and reserved again on resubmission;
 * - a final status (`succeeded`, `failed`) is never overwritten by a non-final one.
 */
export interface RefundLedger {
  reserve(request: ReservationRequest): Promise<Reservation>;
  update(key: RefundKey, update: RefundUpdate): Promise<Refund>;
  get(key: Pick<RefundKey, 'provider' | 'refundId'>): Promise<Refund | undefined>;
  /** Records an order's total learnt from a provider's answer, so later refunds are capped. */
  recordOrderAmount(provider: ProviderKey, orderId: string, amount: number): Promise<void>;
  /** Every refund recorded on one order. */
  refundsOf(provider: ProviderKey, orderId: string): Promise<Refund[]>;
  close(): Promise<void>;
}
