/**
 * 翼码 ImageCo ipos barcode refund (specs/yima/*.xsd, PROVIDERS.md "yima").
 *
 * - One endpoint, `POST /ipos` (the document names no path; the merchant is given a URL), one
 *   GBK XML document per request, told apart by `request_type`:
 *   `barcode_refundbycashfee_request` (refund) or `barcode_refundquery_request` (query, with
 *   `org_pos_seq` = the refund's `pos_seq`). The bytes must be valid GBK (`gbk-bytes.ts`), else
 *   0001 before anything is read or recorded. Decoded and validated with the generated codec
 *   (`readMessage`): `pos_seq`/`org_pos_seq` must be longer than 12 characters (大于12位), and a
 *   request's undeclared elements are refused.
 * - The XML standard carries no signature: access is by IP allow-list and `isspid`, which the
 *   sandbox stands in for by checking `isspid` and `system_id` (6103 when unknown).
 * - The result is immediate: `result/id` 0000 on success; other ids are failures (the sandbox's
 *   codes below; the document lists only 0000). A `fail-refund` answers 0813 and records a
 *   failed refund, which the same `pos_seq` may retry.
 * - Answers are GBK XML (`text/xml; charset=GBK`), encoded and validated by the codec's
 *   `writeMessage`, echoing `isspid`, `pos_id` and the request's own `pos_seq`.
 */
import { ValidationError } from '@refundkit/runtime';
import { decodeAnyMessage, readMessage, writeMessage, type Messages } from '@refundkit/yima';
import { SHANGHAI, compactTime } from '../clock.js';
import { SelfCheckError } from '../self-check.js';
import { refundPhase, type Order, type RefundRecord, type RefundRefusal } from '../store.js';
import { routesOf } from '../routes.js';
import type { Operation } from '../provider.js';
import {
  clip,
  issueSummary,
  rejected,
  type AdapterContext,
  type ParseResult,
  type ProviderAdapter,
  type Reply,
  type Route,
} from './adapter.js';
import { gbkProblem } from './gbk-bytes.js';

/** `result/id` values: 0000 and 0809 are yima's; the others are the sandbox's own. */
export const YIMA_CODES = {
  ok: '0000',
  badRequest: '0001',
  orderNotFound: '0809',
  orderNotPaid: '0810',
  exceedsRefundable: '0811',
  posSeqConflict: '0812',
  refundFailed: '0813',
  unauthorised: '6103',
} as const;

const REFUSALS: Readonly<Record<RefundRefusal, { code: string; text: string }>> = {
  'order-not-found': { code: YIMA_CODES.orderNotFound, text: '原交易不存在' },
  'order-not-paid': { code: YIMA_CODES.orderNotPaid, text: '原交易状态不允许退款' },
  'exceeds-refundable': { code: YIMA_CODES.exceedsRefundable, text: '退款金额超过可退金额' },
  'refund-no-conflict': { code: YIMA_CODES.posSeqConflict, text: '终端流水号重复' },
};

/** The spec's routes (the provider registry). */
const ROUTES: readonly Route[] = routesOf('yima');

type RefundRequest = Messages['refund.request'];
type QueryRequest = Messages['queryRefund.request'];
type Answer = 'refund.response' | 'queryRefund.response';

/** What an answer echoes from its request. */
interface Echo {
  readonly isspid: string;
  readonly pos_id: string;
  readonly pos_seq: string;
}

export function createYimaAdapter(ctx: AdapterContext): ProviderAdapter {
  const creds = ctx.credentials.yima;

  function reply<N extends Answer>(name: N, value: Messages[N]): Reply {
    // writeMessage validates against the response XSD before encoding: the self-check.
    let bytes: Uint8Array;
    try {
      bytes = writeMessage(name, value);
    } catch (error) {
      if (error instanceof ValidationError) throw new SelfCheckError(name, error.issues);
      throw error;
    }
    return { status: 200, headers: { 'content-type': 'text/xml; charset=GBK' }, body: Buffer.from(bytes) };
  }

  function responseType(name: Answer): 'barcode_refundbycashfee_response' | 'barcode_refundquery_response' {
    return name === 'refund.response' ? 'barcode_refundbycashfee_response' : 'barcode_refundquery_response';
  }

  function failure(name: Answer, echo: Echo, id: string, comment: string): Reply {
    return reply(name, {
      response_type: responseType(name),
      ...echo,
      trans_time: compactTime(ctx.clock(), SHANGHAI),
      result: { id, comment: clip(comment, 64) },
    } as Messages[Answer]);
  }

  function success(name: Answer, echo: Echo, refund: RefundRecord, order: Order): Reply {
    const refunded = ctx.ledger.refundedTotal('yima', order.orderId, ctx.clock());
    return reply(name, {
      response_type: responseType(name),
      ...echo,
      sys_seq: refund.providerRefundId,
      trans_time: compactTime(refund.createdAt, SHANGHAI),
      pay_type: order.paymentType.slice(0, 3),
      ...(order.paymentType === '503'
        ? {
            wxpay_res_info: {
              trade_no: `42000${refund.providerRefundId}`,
              out_trade_no: order.orderId,
              total_fee: String(order.amount),
              cash_fee: String(order.amount),
              refund_fee: String(refunded),
              cash_refund_fee: String(refund.amount),
              detail_error_code: 'SUCCESS',
              detail_error_desc: 'OK',
            },
          }
        : {}),
      result: { id: YIMA_CODES.ok, comment: '成功' },
    } as Messages[Answer]);
  }

  function runRefund(request: RefundRequest, echo: Echo, failRefund: boolean): Reply {
    const body = request.barcode_refundbycashfee_request;
    const now = ctx.clock();
    const decision = ctx.ledger.applyRefund('yima', {
      refundNo: request.pos_seq,
      orderId: body.org_pos_seq,
      amount: body.tx_amt,
      now,
      settleAfterMs: 0,
      outcome: failRefund ? 'failed' : 'succeeded',
      providerRefundId: () => ctx.ids.next('Y', 15),
      details: { posId: request.pos_id, storeId: request.store_id },
    });
    if (decision.kind === 'refused') {
      const r = REFUSALS[decision.reason];
      return failure('refund.response', echo, r.code, `${r.text}: ${decision.detail}`);
    }
    if (refundPhase(decision.refund, now) === 'failed') {
      return failure('refund.response', echo, YIMA_CODES.refundFailed, '退款失败');
    }
    return success('refund.response', echo, decision.refund, decision.order);
  }

  function runQuery(request: QueryRequest, echo: Echo): Reply {
    const refund = ctx.ledger.refund('yima', request.barcode_refundquery_request.org_pos_seq);
    const order = refund === undefined ? undefined : ctx.ledger.order('yima', refund.orderId);
    if (refund === undefined || order === undefined) {
      return failure('queryRefund.response', echo, YIMA_CODES.orderNotFound, `原交易不存在: no refund ${request.barcode_refundquery_request.org_pos_seq}`);
    }
    if (refundPhase(refund, ctx.clock()) === 'failed') {
      return failure('queryRefund.response', echo, YIMA_CODES.refundFailed, '退款失败');
    }
    return success('queryRefund.response', echo, refund, order);
  }

  return {
    provider: 'yima',
    routes: ROUTES,
    parse(call): ParseResult {
      const badBytes = gbkProblem(call.body);
      if (badBytes !== undefined) {
        // Nothing of the request is echoed: its text cannot be trusted to survive GBK.
        const echo = { isspid: '', pos_id: '', pos_seq: '' };
        return rejected(undefined, `encoding: ${badBytes}`, failure('refund.response', echo, YIMA_CODES.badRequest, `报文格式错误: ${badBytes}`));
      }
      let name: 'refund.request' | 'queryRefund.request' | undefined;
      let raw: Record<string, unknown> = {};
      try {
        const any = decodeAnyMessage(call.body);
        // Decoded but not yet validated (it may lack fields): read field by field, as received.
        raw = any.value as unknown as Record<string, unknown>;
        if (any.name === 'refund.request' || any.name === 'queryRefund.request') name = any.name;
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
      }
      const operation: Operation | undefined = name === undefined ? undefined : name === 'refund.request' ? 'refund' : 'queryRefund';
      const answer: Answer = operation === 'queryRefund' ? 'queryRefund.response' : 'refund.response';
      const echo = echoOf(raw);
      if (name === undefined) {
        return rejected(operation, 'not a yima request', failure(answer, echo, YIMA_CODES.badRequest, '报文格式错误: not a barcode_refundbycashfee_request or barcode_refundquery_request'));
      }
      let request: RefundRequest | QueryRequest;
      try {
        request = readMessage(name, call.body).value;
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return rejected(operation, `schema: ${error.message}`, failure(answer, echo, YIMA_CODES.badRequest, `报文格式错误: ${issueSummary(error.issues, 1)}`));
      }
      if (request.isspid !== creds.isspid || request.system_id !== creds.systemId) {
        return rejected(operation, 'unknown isspid or system_id', failure(answer, echo, YIMA_CODES.unauthorised, '商户未授权: unknown isspid or system_id'));
      }
      if (name === 'refund.request') {
        const refund = request as RefundRequest;
        return { ok: true, operation: 'refund', refundNo: refund.pos_seq, run: (o) => runRefund(refund, echo, o.failRefund) };
      }
      const query = request as QueryRequest;
      return { ok: true, operation: 'queryRefund', refundNo: query.barcode_refundquery_request.org_pos_seq, run: () => runQuery(query, echo) };
    },
  };
}

/** The header fields to echo, each only if it fits the response's own limits. */
function echoOf(raw: Record<string, unknown>): Echo {
  const fit = (value: unknown, max: number): string => (typeof value === 'string' && Array.from(value).length <= max ? value : '');
  return { isspid: fit(raw['isspid'], 8), pos_id: fit(raw['pos_id'], 20), pos_seq: fit(raw['pos_seq'], 32) };
}
