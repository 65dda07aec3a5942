// What the facade needs of eftPay before a refund is made: settings, options, the wallet table,
// the status table and the answer mapping. The adapter, which loads @refundkit/eftpay, is
// eftpay-adapter.ts (loaded at first use).
import { EFTPAY_MAX_AMOUNT, REGISTRY } from '@refundkit/registry';
import { toMinorUnits, type ProviderResult } from '@refundkit/runtime';
import type { MaybeSecret } from '@refundkit/signing';
import type { Messages } from '@refundkit/eftpay';
import type { EftpayCurrency } from '../currencies.js';
import type { RefundStatus } from '../model.js';
import { checkEcho, echoedAmount, type ProviderAnswer } from './adapter.js';
import { statusOf, type StatusTable } from './status-table.js';

/** eftPay VMP settings. */
export interface EftpayConfig {
  /** `https://{domain}`; the path `/VMP/Servlet/JSAPIService.do` is appended. */
  readonly baseUrl: string;
  /** `user_confirm_key`, issued by eftPay (String(12)). */
  readonly userConfirmKey: string;
  /** The secret code that signs every message (wrap it in `Secret` to keep it out of logs). */
  readonly secretCode: MaybeSecret<string>;
  /**
   * During a key roll, the secret codes being retired: an answer signed under one of them still
   * verifies; requests are signed with `secretCode` only. eftPay checks requests and signs answers
   * with the same secret, so the order matters: make the new code `secretCode` once eftPay accepts
   * it, keep the old one here until eftPay no longer signs with it (packages/refunds README).
   */
  readonly previousSecretCodes?: readonly MaybeSecret<string>[] | undefined;
  /** The currency of the merchant's eftPay account, which refunds are in. Default: the spec's first, HKD. */
  readonly currency?: EftpayCurrency | undefined;
}

const REFUND_ENUMS = REGISTRY.eftpay.enums['refund.request'];

/**
 * `payment_type`: the wallet of the original payment (seed 001, 支援的service; the spec's enum).
 * Re-made as a union of its own (`Exclude<…, never>`) so the compiler names it: "not assignable
 * to type 'EftpayPaymentType'" (see currencies.ts).
 */
export type EftpayPaymentType = Exclude<(typeof REFUND_ENUMS.payment_type)[number], never>;

/** `buyertype`: the device type; refundkit sends `others` unless told (the spec's enum). */
export type EftpayBuyerType = (typeof REFUND_ENUMS.buyertype)[number];

/** Every `payment_type` the spec lists, in its order. */
export const EFTPAY_PAYMENT_TYPES: readonly EftpayPaymentType[] = REFUND_ENUMS.payment_type;

/** Every `buyertype` the spec lists. */
export const EFTPAY_BUYER_TYPES: readonly EftpayBuyerType[] = REFUND_ENUMS.buyertype;

/** Per-refund options: the original payment's wallet, from which `service` and `paytype` follow. */
export interface EftpayOptions {
  readonly paymentType: EftpayPaymentType;
  readonly buyerType?: EftpayBuyerType | undefined;
}

type RefundService = Messages['refund.request.unsigned']['service'];
type QueryService = Messages['queryRefund.request.unsigned']['service'];
type PayType = Messages['refund.request.unsigned']['paytype'];

/** A wallet: the refund and query `service` and the `paytype` a `payment_type` goes with. */
export interface EftpayWallet {
  readonly service: RefundService;
  readonly queryService: QueryService;
  readonly paytype: PayType;
}

/** The row of a spec table (`REGISTRY.eftpay.choices`) that allows `paymentType`, as its single service and paytype. */
function rowFor(message: 'refund.request' | 'queryRefund.request', paymentType: string): { service: string; paytype: string } {
  const row = REGISTRY.eftpay.choices[message].rows.find((r) => (r.payment_type as readonly string[]).includes(paymentType));
  const [service, paytype] = [row?.service[0], row?.paytype[0]];
  // A spec without a row for a listed payment_type is a broken contract, found at import.
  if (service === undefined || paytype === undefined) throw new Error(`specs/eftpay: no ${message} service allows payment_type ${paymentType}`);
  return { service, paytype };
}

/**
 * The seed's table of service / paytype / payment_type (and the Query service of the same
 * wallet, from eftPay's public qrcode Query page), one row per `payment_type`: read from the
 * spec's if/then rules (RefundRequest, QueryRefundRequest `allOf`) through the registry, never
 * restated. The same rules check every request built from it.
 */
export const EFTPAY_WALLETS: { readonly [P in EftpayPaymentType]: EftpayWallet } = Object.fromEntries(
  EFTPAY_PAYMENT_TYPES.map((paymentType) => {
    const refund = rowFor('refund.request', paymentType);
    // The row's values are the spec's enum values (RefundService, ...): the registry types them as strings.
    const wallet = { service: refund.service, queryService: rowFor('queryRefund.request', paymentType).service, paytype: refund.paytype } as EftpayWallet;
    return [paymentType, wallet];
  }),
) as { readonly [P in EftpayPaymentType]: EftpayWallet };

/**
 * `trade_status` of a received request (PROVIDERS.md "Status mapping"; seed 001 附錄2):
 * TRADE_PROCESSING / APPLY_SUCCESS pending, TRADE_REFUND (partial) / TRADE_CLOSED (full)
 * succeeded, TRADE_FAIL failed. Anything else is unknown.
 */
export const EFTPAY_STATUS: StatusTable = {
  TRADE_PROCESSING: 'pending',
  APPLY_SUCCESS: 'pending',
  TRADE_REFUND: 'succeeded',
  TRADE_CLOSED: 'succeeded',
  TRADE_FAIL: 'failed',
};

/** `return_status` meaning "received". */
export const EFTPAY_RECEIVED = '00';

/** The largest refund `transaction_amount` (String(8), two decimals) can carry: 99999.99, from the spec. */
export { EFTPAY_MAX_AMOUNT };

type Answer = Messages['refund.response'];

/** `original_amount` in minor units, when the answer carries a usable one. */
function orderAmountOf(text: string | undefined): number | undefined {
  if (!text) return undefined;
  try {
    const amount = toMinorUnits(text);
    return amount > 0 ? amount : undefined;
  } catch {
    return undefined;
  }
}

/** What a refund request or query sent, for the echo rule. */
export interface EftpaySent {
  readonly userConfirmKey: string;
  readonly orderId: string;
  readonly refundId: string;
  readonly amount: number;
  readonly currency: string;
}

/**
 * `return_status` other than 00: the request was not received (`failed`; for a query, which says
 * nothing about the refund, `unknown`). Otherwise `trade_status` is the result
 * ({@link EFTPAY_STATUS}), once the answer echoes what was sent: `refund_no` must be ours (and
 * present for a success), and `out_trade_no`, `user_confirm_key`, `transaction_amount` and
 * `currency` ours where given (otherwise `AnswerMismatchError`). `original_amount` is the order's
 * total, recorded by the ledger.
 */
export function mapEftpayAnswer(result: ProviderResult<Answer>, phase: 'refund' | 'query', sent: EftpaySent): ProviderAnswer {
  const { data, rawBody: raw } = result;
  if (data.return_status !== EFTPAY_RECEIVED) {
    const failure = { code: data.return_status, message: data.return_char ?? '' };
    return phase === 'refund' ? { status: 'failed', failure, raw, providerMayKnow: false } : { status: 'unknown', failure, raw };
  }
  const status: RefundStatus = statusOf(EFTPAY_STATUS, data.trade_status);
  checkEcho(
    'eftpay',
    status,
    [
      { field: 'refund_no', sent: sent.refundId, received: data.refund_no || undefined, requiredForSuccess: true },
      { field: 'out_trade_no', sent: sent.orderId, received: data.out_trade_no || undefined },
      { field: 'user_confirm_key', sent: sent.userConfirmKey, received: data.user_confirm_key || undefined },
      { field: 'transaction_amount', sent: sent.amount, received: echoedAmount(data.transaction_amount, toMinorUnits) },
      { field: 'currency', sent: sent.currency, received: data.currency || undefined },
    ],
    raw,
  );
  return {
    status,
    // eftPay's own refund number; `eftpay_trade_no` names the order, shared by its partial refunds.
    providerRefundId: data.refund_trade_no || undefined,
    ...(status === 'failed' || status === 'unknown' ? { failure: { code: data.trade_status ?? 'missing', message: data.return_char ?? '' } } : {}),
    orderAmount: orderAmountOf(data.original_amount),
    raw,
  };
}
