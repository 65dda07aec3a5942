/**
 * eftPay 依付得 VMP qrcode Refund (specs/eftpay/openapi.yaml, PROVIDERS.md "eftpay").
 *
 * - One path, `POST /VMP/Servlet/JSAPIService.do`; `service` picks the operation
 *   (`x-refundkit-operations`): `service.<wallet>…Refund` is a refund, `…Query` a query with
 *   `querytype=OUT_TRADE` and `refund_no`, whose `trade_status` is then the refund's.
 * - `sign` (SHA-256 of secretCode + sorted `k=v`) is verified first, then the body against
 *   `refund.request` / `queryRefund.request`, then `user_confirm_key` against the sandbox's.
 * - Answers are flat and signed the same way. `return_status` 00 only says "received"; anything
 *   the sandbox refuses gets another `return_status` and no `trade_status` (not accepted).
 * - A refund answers APPLY_SUCCESS; once `delayMs` has passed a query shows TRADE_REFUND
 *   (partial) or TRADE_CLOSED (the order is now wholly refunded), or TRADE_FAIL after a
 *   `fail-refund`. The refund must name the order's wallet (`payment_type`, 與原消費交易的一致).
 * - Amounts are major-unit strings ("0.01"), converted exactly to and from cents.
 * - No notification: the spec models none for the qrcode scene.
 */
import { createEftpaySigner, type EftpayFieldValue } from '@refundkit/signing';
import { ValidationError, formatMinorUnits, toMinorUnits } from '@refundkit/runtime';
import { validateMessage, validators, type Messages } from '@refundkit/eftpay';
import { HONG_KONG, compactTime, dashedTime } from '../clock.js';
import { checked } from '../self-check.js';
import { refundPhase, type Order, type RefundPhase, type RefundRecord, type RefundRefusal } from '../store.js';
import { routesOf } from '../routes.js';
import type { Operation } from '../provider.js';
import {
  clip,
  isRecord,
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

/** The sandbox's `return_status` codes (the document's appendix 3 is not in the seed). */
export const EFTPAY_CODES = {
  ok: '00',
  badSignature: '01',
  badRequest: '02',
  unknownUserKey: '03',
  orderNotFound: '04',
  orderNotRefundable: '05',
  exceedsRefundable: '06',
  refundNoConflict: '07',
  refundNotFound: '08',
} as const;

const REFUSALS: Readonly<Record<RefundRefusal, { code: string; text: string }>> = {
  'order-not-found': { code: EFTPAY_CODES.orderNotFound, text: 'ORDER NOT FOUND' },
  'order-not-paid': { code: EFTPAY_CODES.orderNotRefundable, text: 'ORDER NOT PAID' },
  'exceeds-refundable': { code: EFTPAY_CODES.exceedsRefundable, text: 'REFUND AMOUNT EXCEEDS REFUNDABLE AMOUNT' },
  'refund-no-conflict': { code: EFTPAY_CODES.refundNoConflict, text: 'REFUND_NO ALREADY USED' },
};

/** The spec's routes (the provider registry). */
const ROUTES: readonly Route[] = routesOf('eftpay');

type RefundRequest = Messages['refund.request'];
type QueryRequest = Messages['queryRefund.request'];

export function createEftpayAdapter(ctx: AdapterContext): ProviderAdapter {
  const creds = ctx.credentials.eftpay;
  // Answers are signed with the current code; requests may be signed with an accepted one too (a roll).
  const signer = createEftpaySigner({ secretCode: creds.secretCode, previousSecretCodes: creds.acceptedSecretCodes });
  const wrongSigner = createEftpaySigner({ secretCode: `${creds.secretCode}-not` });

  function reply(name: 'refund.response' | 'queryRefund.response', fields: Record<string, EftpayFieldValue>): Reply {
    const all = { ...fields, time: compactTime(ctx.clock(), HONG_KONG) };
    const signed = signer.signRequest(all);
    checked(validators[name], name, signed);
    return { ...jsonReply(signed), withBadSignature: () => jsonReply(wrongSigner.signRequest(all)) };
  }

  function refusal(name: 'refund.response' | 'queryRefund.response', code: string, text: string, echo: Record<string, EftpayFieldValue> = {}): Reply {
    return reply(name, { return_status: code, return_char: clip(text, 100), ...echo });
  }

  function tradeStatus(refund: RefundRecord, phase: RefundPhase): string {
    if (phase === 'pending') return 'APPLY_SUCCESS';
    if (phase === 'failed') return 'TRADE_FAIL';
    return refund.closesOrder ? 'TRADE_CLOSED' : 'TRADE_REFUND';
  }

  function refundFields(refund: RefundRecord, order: Order, phase: RefundPhase): Record<string, EftpayFieldValue> {
    return {
      return_status: EFTPAY_CODES.ok,
      return_char: 'SUCCESS',
      out_trade_no: refund.orderId,
      trade_status: tradeStatus(refund, phase),
      user_confirm_key: creds.userConfirmKey,
      trade_type: 'REFUND',
      transaction_id: `TX${refund.providerRefundId}`,
      eftpay_trade_no: `EFT${order.orderId}`.slice(0, 28),
      payment_type: order.paymentType,
      trade_time: dashedTime(refund.createdAt, HONG_KONG),
      transaction_amount: formatMinorUnits(refund.amount),
      original_amount: formatMinorUnits(order.amount),
      currency: order.currency,
      refund_no: refund.refundNo,
      refund_trade_no: refund.providerRefundId,
    };
  }

  function runRefund(request: RefundRequest, failRefund: boolean): Reply {
    const echo = { out_trade_no: request.out_trade_no, refund_no: request.refund_no };
    const now = ctx.clock();
    const order = ctx.ledger.order('eftpay', request.out_trade_no);
    if (order !== undefined && order.paymentType !== request.payment_type) {
      return refusal('refund.response', EFTPAY_CODES.orderNotRefundable, `PAYMENT_TYPE ${request.payment_type} IS NOT THE ORDER'S (${order.paymentType})`, echo);
    }
    const decision = ctx.ledger.applyRefund('eftpay', {
      refundNo: request.refund_no,
      orderId: request.out_trade_no,
      amount: toMinorUnits(request.transaction_amount),
      now,
      settleAfterMs: ctx.delayMs,
      outcome: failRefund ? 'failed' : 'succeeded',
      providerRefundId: () => ctx.ids.next('RF', 16),
      details: { paymentType: request.payment_type },
    });
    if (decision.kind === 'refused') {
      const r = REFUSALS[decision.reason];
      return refusal('refund.response', r.code, `${r.text}: ${decision.detail}`, echo);
    }
    const phase = decision.kind === 'created' ? 'pending' : refundPhase(decision.refund, now);
    return reply('refund.response', refundFields(decision.refund, decision.order, phase));
  }

  function runQuery(request: QueryRequest): Reply {
    const refund = ctx.ledger.refund('eftpay', request.refund_no);
    const order = refund === undefined ? undefined : ctx.ledger.order('eftpay', refund.orderId);
    if (refund === undefined || order === undefined || refund.orderId !== request.out_trade_no) {
      return refusal('queryRefund.response', EFTPAY_CODES.refundNotFound, `REFUND NOT FOUND: ${request.refund_no} of ${request.out_trade_no}`, {
        out_trade_no: request.out_trade_no,
        refund_no: request.refund_no,
      });
    }
    return reply('queryRefund.response', refundFields(refund, order, refundPhase(refund, ctx.clock())));
  }

  return {
    provider: 'eftpay',
    routes: ROUTES,
    parse(call): ParseResult {
      const parsed = parseJson(call.body);
      if (parsed === undefined || !isRecord(parsed.value)) {
        return rejected(undefined, 'body is not a JSON object', refusal('refund.response', EFTPAY_CODES.badRequest, 'INVALID REQUEST: body is not a JSON object'));
      }
      const fields = parsed.value;
      const service = typeof fields['service'] === 'string' ? fields['service'] : '';
      // x-refundkit-operations: …Query services are queries; everything else is read as a refund.
      const operation: Operation = service.endsWith('.Query') ? 'queryRefund' : 'refund';
      const answer = operation === 'refund' ? 'refund.response' : 'queryRefund.response';
      const check = signer.verify(fields);
      if (!check.valid) {
        return rejected(operation, `signature: ${check.reason}`, refusal(answer, EFTPAY_CODES.badSignature, `SIGN ERROR: ${check.reason}`));
      }
      let request: RefundRequest | QueryRequest;
      try {
        request = validateMessage(operation === 'refund' ? 'refund.request' : 'queryRefund.request', fields);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return rejected(operation, `schema: ${error.message}`, refusal(answer, EFTPAY_CODES.badRequest, `INVALID PARAMETER: ${issueSummary(error.issues, 2)}`));
      }
      if (request.user_confirm_key !== creds.userConfirmKey) {
        return rejected(operation, 'unknown user_confirm_key', refusal(answer, EFTPAY_CODES.unknownUserKey, 'INVALID USER_CONFIRM_KEY'));
      }
      if (operation === 'refund') {
        const refund = request as RefundRequest;
        return { ok: true, operation, refundNo: refund.refund_no, run: (o) => runRefund(refund, o.failRefund) };
      }
      const query = request as QueryRequest;
      return { ok: true, operation, refundNo: query.refund_no, run: () => runQuery(query) };
    },
  };
}
