/**
 * Lianke 链科 QuickPay (specs/lianke/openapi.yaml, PROVIDERS.md "lianke").
 *
 * - `POST /QuickPay/Refund` (RefundInfo) and `POST /SuNingPay/RefundQuery` (`store_no`,
 *   `order_no`, `refund_order_no` = the refund's `refund_no`).
 * - No signature is documented, so none is checked (and `bad-signature` does not apply); the
 *   body is checked against the contract and `store_no` against the sandbox's store.
 * - Answers `{code, msg, data}`: `code` SUCCESS means accepted, anything else not accepted
 *   (`data` null). A refund answers `transaction_status` CREATE; once `delayMs` has passed a
 *   query shows REFUNDED, or REFUNDFAILED after a `fail-refund`.
 * - `refund_amount` must not exceed `amount` (不能超过订单交易金额) and, when `amount` is sent, it
 *   must be the order's. Amounts are integers in fen.
 * - No notification (none documented).
 */
import { ValidationError } from '@refundkit/runtime';
import { validateMessage, validators, type Messages } from '@refundkit/lianke';
import { SHANGHAI, dashedTime } from '../clock.js';
import { checked } from '../self-check.js';
import { refundPhase, type Order, type RefundPhase, type RefundRecord, type RefundRefusal } from '../store.js';
import { routesOf } from '../routes.js';
import type { Operation } from '../provider.js';
import {
  issueSummary,
  jsonReply,
  parseJson,
  rejected,
  type AdapterContext,
  type ParseResult,
  type ProviderAdapter,
  type Reply,
  type Route,
} from './adapter.js';

/** The sandbox's `code` values (the document lists only SUCCESS). */
export const LIANKE_CODES = {
  ok: 'SUCCESS',
  badRequest: 'INVALID_PARAMETER',
  unknownStore: 'STORE_NOT_FOUND',
  orderNotFound: 'ORDER_NOT_FOUND',
  orderNotPaid: 'ORDER_NOT_PAID',
  amountMismatch: 'AMOUNT_MISMATCH',
  exceedsRefundable: 'REFUND_AMOUNT_EXCEEDED',
  refundNoConflict: 'REFUND_NO_CONFLICT',
  refundNotFound: 'REFUND_NOT_FOUND',
} as const;

const REFUSALS: Readonly<Record<RefundRefusal, { code: string; text: string }>> = {
  'order-not-found': { code: LIANKE_CODES.orderNotFound, text: '原单不存在' },
  'order-not-paid': { code: LIANKE_CODES.orderNotPaid, text: '原单未支付,不能退款' },
  'exceeds-refundable': { code: LIANKE_CODES.exceedsRefundable, text: '退款金额超过可退金额' },
  'refund-no-conflict': { code: LIANKE_CODES.refundNoConflict, text: '退款单号已存在' },
};

const STATUS: Readonly<Record<RefundPhase, string>> = {
  pending: 'CREATE',
  succeeded: 'REFUNDED',
  failed: 'REFUNDFAILED',
};

/** The spec's routes (the provider registry). */
const ROUTES: readonly Route[] = routesOf('lianke');

type RefundRequest = Messages['refund.request'];
type QueryRequest = Messages['queryRefund.request'];

export function createLiankeAdapter(ctx: AdapterContext): ProviderAdapter {
  const creds = ctx.credentials.lianke;

  function reply(name: 'refund.response' | 'queryRefund.response', value: Record<string, unknown>): Reply {
    return jsonReply(checked(validators[name], name, value));
  }

  function refusal(name: 'refund.response' | 'queryRefund.response', code: string, msg: string): Reply {
    return reply(name, { code, msg, data: null });
  }

  function resultInfo(refund: RefundRecord, order: Order, phase: RefundPhase): Record<string, unknown> {
    return {
      transaction_status: STATUS[phase],
      error: phase === 'failed' ? '退款失败' : null,
      store_no: creds.storeNo,
      paytype: order.paymentType,
      total_amount: order.amount,
      refund_amount: refund.amount,
      settlement_amount: refund.amount,
      cash_amount: refund.amount,
      coupon_amount: 0,
      order_no: refund.orderId,
      refund_order_no: refund.refundNo,
      operator: refund.details['operator'] ?? null,
      transaction_no: `T${order.orderId}`,
      refund_transaction_no: refund.providerRefundId,
      refund_desc: refund.details['refundDesc'] ?? null,
      refund_transaction_time: dashedTime(refund.createdAt, SHANGHAI),
      transaction_message: phase === 'failed' ? '退款失败' : phase === 'succeeded' ? '退款成功' : '退款处理中',
    };
  }

  function runRefund(request: RefundRequest, failRefund: boolean): Reply {
    const now = ctx.clock();
    const order = ctx.ledger.order('lianke', request.order_no);
    if (order !== undefined && request.amount !== undefined && request.amount !== order.amount) {
      return refusal('refund.response', LIANKE_CODES.amountMismatch, `订单交易金额不符: amount ${request.amount}, the order is ${order.amount}`);
    }
    const decision = ctx.ledger.applyRefund('lianke', {
      refundNo: request.refund_no,
      orderId: request.order_no,
      amount: request.refund_amount,
      now,
      settleAfterMs: ctx.delayMs,
      outcome: failRefund ? 'failed' : 'succeeded',
      providerRefundId: () => ctx.ids.next('LKR', 16),
      details: { operator: request.operator, ...(request.refund_desc === undefined ? {} : { refundDesc: request.refund_desc }) },
    });
    if (decision.kind === 'refused') {
      const r = REFUSALS[decision.reason];
      return refusal('refund.response', r.code, `${r.text}: ${decision.detail}`);
    }
    const phase = decision.kind === 'created' ? 'pending' : refundPhase(decision.refund, now);
    return reply('refund.response', { code: LIANKE_CODES.ok, msg: '成功', data: resultInfo(decision.refund, decision.order, phase) });
  }

  function runQuery(request: QueryRequest): Reply {
    const refund = ctx.ledger.refund('lianke', request.refund_order_no);
    const order = refund === undefined ? undefined : ctx.ledger.order('lianke', refund.orderId);
    if (refund === undefined || order === undefined || refund.orderId !== request.order_no) {
      return refusal('queryRefund.response', LIANKE_CODES.refundNotFound, `退款单不存在: ${request.refund_order_no} of ${request.order_no}`);
    }
    return reply('queryRefund.response', { code: LIANKE_CODES.ok, msg: '成功', data: resultInfo(refund, order, refundPhase(refund, ctx.clock())) });
  }

  return {
    provider: 'lianke',
    routes: ROUTES,
    parse(call, route): ParseResult {
      const operation: Operation = route.operation ?? 'refund';
      const answer = operation === 'refund' ? 'refund.response' : 'queryRefund.response';
      const parsed = parseJson(call.body);
      if (parsed === undefined) {
        return rejected(operation, 'body is not JSON', refusal(answer, LIANKE_CODES.badRequest, '请求格式错误: body is not JSON'));
      }
      let request: RefundRequest | QueryRequest;
      try {
        request = validateMessage(operation === 'refund' ? 'refund.request' : 'queryRefund.request', parsed.value);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return rejected(operation, `schema: ${error.message}`, refusal(answer, LIANKE_CODES.badRequest, `参数错误: ${issueSummary(error.issues)}`));
      }
      if (request.store_no !== creds.storeNo) {
        return rejected(operation, 'unknown store_no', refusal(answer, LIANKE_CODES.unknownStore, `门店不存在: ${request.store_no}`));
      }
      if (operation === 'refund') {
        const refund = request as RefundRequest;
        return { ok: true, operation, refundNo: refund.refund_no, run: (o) => runRefund(refund, o.failRefund) };
      }
      const query = request as QueryRequest;
      return { ok: true, operation, refundNo: query.refund_order_no, run: () => runQuery(query) };
    },
  };
}
