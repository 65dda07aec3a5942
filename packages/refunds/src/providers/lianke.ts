// What the facade needs of Lianke before a refund is made: settings, the status table and the
// answer mapping. The adapter, which loads @refundkit/lianke, is lianke-adapter.ts (loaded at first use).
import type { ProviderResult } from '@refundkit/runtime';
import type { RequestAuthHook } from '@refundkit/signing';
import type { Messages } from '@refundkit/lianke';
import type { RefundStatus } from '../model.js';
import type { ProviderAnswer } from './adapter.js';
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

/** `refund_amount` and `amount`: integers in fen, at most 10 digits. */
export const LIANKE_MAX_AMOUNT = 9_999_999_999;

type Answer = Messages['refund.response'];

/**
 * `code` other than SUCCESS: not accepted (`failed`; for a query, which says nothing about the
 * refund, `unknown`). Otherwise `data.transaction_status` is the result ({@link LIANKE_STATUS});
 * `data.total_amount` is the order's total, recorded by the ledger.
 */
export function mapLiankeAnswer(result: ProviderResult<Answer>, phase: 'refund' | 'query'): ProviderAnswer {
  const { data, rawBody: raw } = result;
  if (data.code !== LIANKE_ACCEPTED) {
    const failure = { code: data.code, message: data.msg ?? '' };
    return { status: phase === 'refund' ? 'failed' : 'unknown', failure, raw };
  }
  const info = data.data ?? undefined;
  const transactionStatus = info?.transaction_status ?? undefined;
  const status: RefundStatus = statusOf(LIANKE_STATUS, transactionStatus);
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
