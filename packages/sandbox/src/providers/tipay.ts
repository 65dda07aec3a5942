/**
 * Ti-Pay 天河链 over Yeepay (specs/tipay/openapi.yaml, PROVIDERS.md "tipay").
 *
 * - `POST /api/v1/yb/trade/refund` (JSON body) and `GET /api/v1/yb/trade/query?merchantNo&
 *   refundRequestId&orderId`. Both carry `ti-appid`, `ti-timestamp` and `ti-signature =
 *   sha256(ParamsJson + Timestamp + AppKey)`: ParamsJson is the exact body bytes of the POST,
 *   and the JSON of the query parameters in URL order for the GET (the spec's assumption).
 *   The timestamp must be within 5 minutes of the sandbox's clock.
 * - Answers `{code, success, data, msg}`: `code` 200 with `success` true means accepted, and
 *   `data.status` is the refund's: PROCESSING on the refund's answer, then SUCCESS once
 *   `delayMs` has passed (FAILED after a `fail-refund`). Refusals have another `code`, `success`
 *   false and `data` null. Only orders in status SUCCESS ("paid") can be refunded.
 * - Answers are not signed (the spec: "Responses and notifications carry no documented
 *   signature"); the `bad-signature` fault adds ti-* headers whose signature is wrong.
 * - When the refund named a `notifyUrl`, its final state (the `data` object) is POSTed there
 *   until the merchant answers HTTP 200 `SUCCESS`. Notifications are not signed either.
 * - `refundAmount` is yuan with two decimals, converted exactly to and from fen.
 */
import {
  TIPAY_APP_ID_HEADER,
  TIPAY_SIGNATURE_HEADER,
  TIPAY_TIMESTAMP_HEADER,
  TipayRequestError,
  createTipaySigner,
  readHeader,
  tipayQueryJson,
  tipaySignature,
} from '@refundkit/signing';
import { ValidationError, formatMinorUnits, toMinorUnits } from '@refundkit/runtime';
import { validateMessage, validators, type Messages } from '@refundkit/tipay';
import { SHANGHAI, dashedTime } from '../clock.js';
import { OTHER_MERCHANT, type NotificationVariant } from '../notification-faults.js';
import { checked } from '../self-check.js';
import { refundPhase, type RefundPhase, type RefundRecord, type RefundRefusal } from '../store.js';
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

/** The sandbox's `code` values besides 200 (the document lists none). */
export const TIPAY_CODES = {
  ok: 200,
  badRequest: 40001,
  badSignature: 40101,
  unknownMerchant: 40301,
  orderNotFound: 40401,
  refundNotFound: 40402,
  refundNoConflict: 40901,
  orderNotPaid: 42201,
  exceedsRefundable: 42202,
} as const;

const REFUSALS: Readonly<Record<RefundRefusal, { code: number; text: string }>> = {
  'order-not-found': { code: TIPAY_CODES.orderNotFound, text: '订单不存在' },
  'order-not-paid': { code: TIPAY_CODES.orderNotPaid, text: '订单状态不是SUCCESS,不能退款' },
  'exceeds-refundable': { code: TIPAY_CODES.exceedsRefundable, text: '累计退款金额超过原订单金额' },
  'refund-no-conflict': { code: TIPAY_CODES.refundNoConflict, text: '商户退款请求号已存在' },
};

const STATUS: Readonly<Record<RefundPhase, string>> = {
  pending: 'PROCESSING',
  succeeded: 'SUCCESS',
  failed: 'FAILED',
};

/** How far `ti-timestamp` may be from the sandbox's clock. */
const MAX_TIMESTAMP_SKEW_MS = 5 * 60_000;

/** The spec's routes (the provider registry). */
const ROUTES: readonly Route[] = routesOf('tipay');

type RefundRequest = Messages['refund.request'];
type QueryRequest = Messages['queryRefund.request'];

export function createTipayAdapter(ctx: AdapterContext): ProviderAdapter {
  const creds = ctx.credentials.tipay;
  // Requests signed with an accepted (rolled) AppKey pass too.
  const verifier = createTipaySigner({ appId: creds.appId, appKey: creds.appKey, previousAppKeys: creds.acceptedAppKeys, clock: ctx.clock });

  function reply(name: 'refund.response' | 'queryRefund.response', value: Record<string, unknown>): Reply {
    const base = jsonReply(checked(validators[name], name, value));
    return {
      ...base,
      withBadSignature: () => {
        const timestamp = String(ctx.clock());
        return {
          ...base,
          headers: {
            ...base.headers,
            [TIPAY_APP_ID_HEADER]: creds.appId,
            [TIPAY_TIMESTAMP_HEADER]: timestamp,
            // A well-formed digest of the wrong bytes.
            [TIPAY_SIGNATURE_HEADER]: tipaySignature(Buffer.concat([base.body, Buffer.from('x')]), timestamp, creds.appKey),
          },
        };
      },
    };
  }

  function refusal(name: 'refund.response' | 'queryRefund.response', code: number, msg: string): Reply {
    return reply(name, { code, success: false, data: null, msg });
  }

  function result(refund: RefundRecord, phase: RefundPhase): Record<string, unknown> {
    const amount = formatMinorUnits(refund.amount);
    return {
      code: 'OPR00000',
      message: '成功',
      merchantNo: creds.merchantNo,
      orderId: refund.orderId,
      refundRequestId: refund.refundNo,
      uniqueRefundNo: refund.providerRefundId,
      status: STATUS[phase],
      refundAmount: amount,
      refundRequestDate: dashedTime(refund.createdAt, SHANGHAI),
      // A JSON string holding JSON numbers in yuan, written from fen as text: never through a float.
      refundAccountDetail: `[{"accountType":"FUND_ACCOUNT","debitAmount":${amount}}]`,
    };
  }

  function accepted(name: 'refund.response' | 'queryRefund.response', refund: RefundRecord, phase: RefundPhase): Reply {
    return reply(name, { code: TIPAY_CODES.ok, success: true, data: result(refund, phase), msg: '操作成功' });
  }

  function notify(refund: RefundRecord): void {
    const notifyUrl = refund.details['notifyUrl'];
    if (notifyUrl === undefined) return;
    ctx.notifier.schedule(
      {
        provider: 'tipay',
        refundNo: refund.refundNo,
        url: notifyUrl,
        build: (variant) => {
          const current = ctx.ledger.refund('tipay', refund.refundNo) ?? refund;
          const genuine = result(current, refundPhase(current, Math.max(ctx.clock(), current.settlesAt)));
          const body = notificationVariant(genuine, current, variant);
          checked(validators['refundNotification.request'], 'refundNotification.request', body);
          const bytes = Buffer.from(JSON.stringify(body), 'utf8');
          const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
          if (variant === 'bad-signature') {
            // Ti-Pay signs no notification; a forger adds ti-* headers, with a well-formed digest of other bytes.
            const timestamp = String(ctx.clock());
            headers[TIPAY_APP_ID_HEADER] = creds.appId;
            headers[TIPAY_TIMESTAMP_HEADER] = timestamp;
            headers[TIPAY_SIGNATURE_HEADER] = tipaySignature(Buffer.concat([bytes, Buffer.from('x')]), timestamp, creds.appKey);
          }
          return { body: bytes, headers };
        },
        isAck: (status, text) => status === 200 && text.trim() === 'SUCCESS',
      },
      refund.settlesAt - ctx.clock(),
    );
  }

  /** The notification's `data` as a body fault shapes it: 1 fen more, or another merchant. */
  function notificationVariant(body: Record<string, unknown>, refund: RefundRecord, variant: NotificationVariant): Record<string, unknown> {
    if (variant === 'altered-amount') {
      const amount = formatMinorUnits(refund.amount + 1);
      return { ...body, refundAmount: amount, refundAccountDetail: `[{"accountType":"FUND_ACCOUNT","debitAmount":${amount}}]` };
    }
    if (variant === 'wrong-merchant') return { ...body, merchantNo: OTHER_MERCHANT.tipay };
    return body;
  }

  function runRefund(request: RefundRequest, failRefund: boolean): Reply {
    const now = ctx.clock();
    const decision = ctx.ledger.applyRefund('tipay', {
      refundNo: request.refundRequestId,
      orderId: request.orderId,
      amount: toMinorUnits(request.refundAmount),
      now,
      settleAfterMs: ctx.delayMs,
      outcome: failRefund ? 'failed' : 'succeeded',
      providerRefundId: () => ctx.ids.next('1002', 25),
      details: {
        ...(request.notifyUrl === undefined ? {} : { notifyUrl: request.notifyUrl }),
        ...(request.description === undefined ? {} : { description: request.description }),
      },
    });
    if (decision.kind === 'refused') {
      const r = REFUSALS[decision.reason];
      return refusal('refund.response', r.code, `${r.text}: ${decision.detail}`);
    }
    if (decision.kind === 'created') notify(decision.refund);
    const phase = decision.kind === 'created' ? 'pending' : refundPhase(decision.refund, now);
    return accepted('refund.response', decision.refund, phase);
  }

  function runQuery(request: QueryRequest): Reply {
    const refund = ctx.ledger.refund('tipay', request.refundRequestId);
    if (refund === undefined || refund.orderId !== request.orderId) {
      return refusal('queryRefund.response', TIPAY_CODES.refundNotFound, `退款订单不存在: ${request.refundRequestId} of ${request.orderId}`);
    }
    return accepted('queryRefund.response', refund, refundPhase(refund, ctx.clock()));
  }

  return {
    provider: 'tipay',
    routes: ROUTES,
    parse(call, route): ParseResult {
      const operation: Operation = route.operation ?? 'refund';
      const answer = operation === 'refund' ? 'refund.response' : 'queryRefund.response';
      const appId = readHeader(call.headers, TIPAY_APP_ID_HEADER);
      if (appId !== creds.appId) {
        return rejected(operation, 'unknown ti-appid', refusal(answer, TIPAY_CODES.unknownMerchant, `应用不存在: ti-appid ${appId ?? '(missing)'}`));
      }
      let paramsJson: string | Buffer;
      try {
        paramsJson = call.method === 'GET' ? tipayQueryJson(call.url) : call.body;
      } catch (error) {
        if (!(error instanceof TipayRequestError)) throw error;
        return rejected(operation, `query: ${error.message}`, refusal(answer, TIPAY_CODES.badRequest, `参数错误: ${error.message}`));
      }
      const check = verifier.verify({ body: paramsJson, headers: call.headers, maxAgeMs: MAX_TIMESTAMP_SKEW_MS });
      if (!check.valid) {
        return rejected(operation, `signature: ${check.reason}`, refusal(answer, TIPAY_CODES.badSignature, `签名验证失败: ${check.reason}`));
      }
      let value: unknown;
      if (call.method === 'GET') {
        value = Object.fromEntries(call.url.searchParams);
      } else {
        const parsed = parseJson(call.body);
        if (parsed === undefined) {
          return rejected(operation, 'body is not JSON', refusal(answer, TIPAY_CODES.badRequest, '参数错误: body is not JSON'));
        }
        value = parsed.value;
      }
      let request: RefundRequest | QueryRequest;
      try {
        request = validateMessage(operation === 'refund' ? 'refund.request' : 'queryRefund.request', value);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return rejected(operation, `schema: ${error.message}`, refusal(answer, TIPAY_CODES.badRequest, `参数错误: ${issueSummary(error.issues)}`));
      }
      if (request.merchantNo !== creds.merchantNo) {
        return rejected(operation, 'unknown merchantNo', refusal(answer, TIPAY_CODES.unknownMerchant, `商户不存在: ${request.merchantNo}`));
      }
      if (operation === 'refund') {
        const refund = request as RefundRequest;
        return { ok: true, operation, refundNo: refund.refundRequestId, run: (o) => runRefund(refund, o.failRefund) };
      }
      const query = request as QueryRequest;
      return { ok: true, operation, refundNo: query.refundRequestId, run: () => runQuery(query) };
    },
  };
}
