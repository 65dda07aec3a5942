// What the facade needs of Lianke before a refund is made: settings, the status table and the
// answer mapping. The adapter, which loads @refundkit/lianke, is lianke-adapter.ts (loaded at first use).
import { LIANKE_MAX_AMOUNT } from '@refundkit/registry';
import type { ProviderResult } from '@refundkit/runtime';
import type { RequestAuthHook } from '@refundkit/signing';
import type { Messages } from '@refundkit/lianke';
import type { RefundStatus } from '../model.js';
import { checkEcho, type ProviderAnswer } from './adapter.js';
import { statusOf, type StatusTable } from './status-table.js';

/** Lianke 链科 QuickPay settings. */
export interface LiankeConfig {
  readonly baseUrl: string;
  /** `store_no` (1..32 characters). */
  readonly storeNo: string;
  /** `operator`, the cashier (1..16 characters). */
  readonly operator: string;
  /** Adds headers to each request: authentication the document does not define. Default: none. */
  readonly auth?: RequestAuthHook | undefined;
}

/** Lianke takes no per-refund options: `items` become `itemlist`, `orderAmount` becomes `amount`. */
export type LiankeOptions = Record<string, never>;

/**
 * `data.transaction_status` of an accepted request (PROVIDERS.md "Status mapping"): CREATE
 * pending, REFUNDED succeeded, REFUNDFAILED failed. The enum is not published: anything else is
 * unknown.
 */
export const LIANKE_STATUS: StatusTable = { CREATE: 'pending', REFUNDED: 'succeeded', REFUNDFAILED: 'failed' };

/** `code` meaning "accepted". */
export const LIANKE_ACCEPTED = 'SUCCESS';

/** `refund_amount` (and the order's `amount`, with the same limit): integers in fen, at most 10 digits, from the spec. */
export { LIANKE_MAX_AMOUNT };

type Answer = Messages['refund.response'];

/** What a refund request or query sent, for the echo rule. */
export interface LiankeSent {
  readonly storeNo: string;
  readonly orderId: string;
  readonly refundId: string;
  readonly amount: number;
}

/**
 * `code` other than SUCCESS: not accepted (`failed`; for a query, which says nothing about the
 * refund, `unknown`). Otherwise `data.transaction_status` is the result ({@link LIANKE_STATUS}),
 * once `data` echoes the store, order, refund number (`refund_order_no`) and amount that were
 * sent, where it gives them (otherwise `AnswerMismatchError`); `data.total_amount` is the order's
 * total, recorded by the ledger (below what is already refunded it is an anomaly, not the cap).
 */
export function mapLiankeAnswer(result: ProviderResult<Answer>, phase: 'refund' | 'query', sent: LiankeSent): ProviderAnswer {
  const { data, rawBody: raw } = result;
  if (data.code !== LIANKE_ACCEPTED) {
    const failure = { code: data.code, message: data.msg ?? '' };
    return phase === 'refund' ? { status: 'failed', failure, raw, providerMayKnow: false } : { status: 'unknown', failure, raw };
  }
  const info = data.data ?? undefined;
  const transactionStatus = info?.transaction_status ?? undefined;
  const status: RefundStatus = statusOf(LIANKE_STATUS, transactionStatus);
  checkEcho(
    'lianke',
    status,
    [
      { field: 'data.store_no', sent: sent.storeNo, received: info?.store_no || undefined },
      { field: 'data.order_no', sent: sent.orderId, received: info?.order_no || undefined },
      { field: 'data.refund_order_no', sent: sent.refundId, received: info?.refund_order_no || undefined },
      { field: 'data.refund_amount', sent: sent.amount, received: info?.refund_amount ?? undefined },
    ],
    raw,
  );
  const total = info?.total_amount;
  return {
    status,
    // Lianke's number of the refund; `refund_order_no` only echoes our own `refund_no`.
    providerRefundId: info?.refund_transaction_no || undefined,
    ...(status === 'failed' || status === 'unknown'
      ? { failure: { code: transactionStatus ?? 'missing', message: info?.error || info?.transaction_message || data.msg || '' } }
      : {}),
    orderAmount: typeof total === 'number' && Number.isSafeInteger(total) && total > 0 ? total : undefined,
    raw,
  };
}
