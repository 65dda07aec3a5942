import type { ProviderResult } from '@refundkit/runtime';
import type { RequestAuthHook } from '@refundkit/signing';
import { createLiankeClient, validateMessage, type LiankeClient, type Messages } from '@refundkit/lianke';
import type { Refund, RefundStatus } from '../model.js';
import { invalid, renameIssues, type PreparedRefund, type ProviderAdapter, type ProviderAnswer } from './adapter.js';
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

/** refundkit fields ← Lianke wire fields (items included), for error messages. */
function fieldsOf(itemCount: number): Record<string, string> {
  const fields: Record<string, string> = { order_no: 'orderId', refund_no: 'refundId', refund_amount: 'amount', amount: 'orderAmount', refund_desc: 'reason' };
  for (let i = 0; i < itemCount; i++) {
    for (const [wire, facade] of [['item_id', 'id'], ['item_name', 'name'], ['quantity', 'quantity'], ['price', 'price']] as const) {
      fields[`itemlist[${i}].${wire}`] = `items[${i}].${facade}`;
    }
  }
  return fields;
}

export const liankeAdapter: ProviderAdapter<LiankeConfig, LiankeOptions, LiankeClient> = {
  key: 'lianke',
  currencies: () => ['CNY'],
  createClient: (config, shared) => createLiankeClient({ baseUrl: config.baseUrl, auth: config.auth, fetch: shared.fetch, timeoutMs: shared.timeoutMs }),
  prepareRefund(client, config, request): PreparedRefund {
    if (request.amount > LIANKE_MAX_AMOUNT) throw invalid('amount', `maximum ${LIANKE_MAX_AMOUNT}`, `must be at most ${LIANKE_MAX_AMOUNT} (refund_amount has at most 10 digits)`);
    if (request.orderAmount !== undefined && request.orderAmount > LIANKE_MAX_AMOUNT) {
      throw invalid('orderAmount', `maximum ${LIANKE_MAX_AMOUNT}`, `must be at most ${LIANKE_MAX_AMOUNT} (amount has at most 10 digits)`);
    }
    const items = request.items ?? [];
    const body = renameIssues(fieldsOf(items.length), () =>
      validateMessage('refund.request', {
        store_no: config.storeNo,
        operator: config.operator,
        ...(request.orderAmount !== undefined ? { amount: request.orderAmount } : {}),
        refund_amount: request.amount,
        order_no: request.orderId,
        refund_no: request.refundId,
        ...(request.reason ? { refund_desc: request.reason } : {}),
        ...(items.length > 0 ? { itemlist: items.map((item) => ({ item_id: item.id, item_name: item.name, quantity: item.quantity, price: item.price })) } : {}),
      }),
    );
    return async () => mapLiankeAnswer(await client.refund(body), 'refund');
  },
  async query(client, config, refund: Refund) {
    return mapLiankeAnswer(await client.queryRefund({ store_no: config.storeNo, order_no: refund.orderId, refund_order_no: refund.refundId }), 'query');
  },
};
