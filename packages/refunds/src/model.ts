/** The five providers refundkit refunds through. */
export const PROVIDERS = ['easypay', 'eftpay', 'lianke', 'tipay', 'yima'] as const;
export type ProviderKey = (typeof PROVIDERS)[number];

/**
 * The unified status. `succeeded` only when the provider said so in a verified answer;
 * `unknown` for timeouts, 5xx, resets, bad signatures, malformed answers and unmapped codes:
 * resolve it with `get`/`waitFor` or a retry with the same refund id, never with a new one.
 */
export type RefundStatus = 'pending' | 'succeeded' | 'failed' | 'unknown';

/** Final statuses never change again. */
export const FINAL_STATUSES: ReadonlySet<RefundStatus> = new Set(['succeeded', 'failed']);

/** What went wrong, in the provider's own words where it gave any. */
export interface RefundFailure {
  readonly code: string;
  readonly message: string;
}

/** A refund as the ledger and the facade report it. Amounts are integer minor units. */
export interface Refund {
  readonly provider: ProviderKey;
  readonly orderId: string;
  readonly refundId: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: RefundStatus;
  readonly providerRefundId?: string;
  readonly failure?: RefundFailure;
  /** The provider's last answer as received (raw text), for audit. */
  readonly raw?: string;
  /**
   * What the provider's adapter needs to query this refund later and the request does not keep
   * (eftpay `paymentType`, easypay `payType` and `transDate`): strings only, set on reserve.
   */
  readonly meta?: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Identifies one refund: refund ids are unique per provider. */
export interface RefundKey {
  readonly provider: ProviderKey;
  readonly orderId: string;
  readonly refundId: string;
}
