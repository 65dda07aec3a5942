/**
 * EasyPay 易企通 2.0 极速退款 (specs/easypay/openapi.yaml, PROVIDERS.md "easypay").
 *
 * - `POST /yqt/trade/refund/speedRefund`: `{reqHeader, reqBody, reqSign}`; `reqSign` is verified
 *   with the merchant's public key over `canonicalJson(reqHeader) + MD5(canonicalJson(reqBody))`,
 *   then the body is checked against `refund.request` and `mchtCode` against the sandbox's.
 * - `POST /yqt/trade/tradeQuery`: the refund's `orgTrace` as `oriOrgTrace` and its
 *   `payInfo.transDate` as `oriTransDate` (the spec's assumption).
 * - Every answer is `{rspHeader, rspBody, rspSign}`, signed with EasyPay's (the sandbox's) key.
 *   A request that cannot be read, authenticated or validated is refused in `rspHeader.rspCode`;
 *   a refund the rules refuse is refused in `rspBody.respStateInfo.respCode` (`rspCode` 000000).
 *   Either way it is "not accepted" (PROVIDERS.md status table).
 * - speedRefund is real time (退款: 实时原路退回), so by default the answer already says
 *   `transState` 0 (as the seed's example does); `easypayMode: 'async'` answers 9 (processing)
 *   first and 0 once `delayMs` has passed. A `fail-refund` ends in X.
 * - The result is POSTed to `backUrl` (when it is a loopback URL), signed by EasyPay's key in
 *   `reqSign`, until the merchant answers `{"code":"000000","msg":"Success"}`.
 */
import {
  createEasypaySigner,
  easypaySigningString,
  type EasypaySigner,
} from '@refundkit/signing';
import { ValidationError } from '@refundkit/runtime';
import { validateMessage, validators, type Messages } from '@refundkit/easypay';
import { SHANGHAI, compactDate, compactTime } from '../clock.js';
import { OTHER_MERCHANT, type NotificationVariant } from '../notification-faults.js';
import { checked } from '../self-check.js';
import { refundPhase, type RefundDecision, type RefundPhase, type RefundRecord, type RefundRefusal } from '../store.js';
import { routesOf } from '../routes.js';
import type { Operation } from '../provider.js';
import {
  clip,
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

/** The sandbox's answer codes (EasyPay publishes none in the seed; QT0099/999999/QTC0… are avoided, they mean "uncertain"). */
export const EASYPAY_CODES = {
  ok: '000000',
  badRequest: 'QT0001',
  badSignature: 'QT0002',
  unknownMerchant: 'QT0003',
  orderNotFound: 'QT0010',
  orderNotPaid: 'QT0011',
  exceedsRefundable: 'QT0012',
  refundNoConflict: 'QT0013',
  refundNotFound: 'QT0020',
} as const;

const REFUSALS: Readonly<Record<RefundRefusal, { code: string; text: string }>> = {
  'order-not-found': { code: EASYPAY_CODES.orderNotFound, text: '原交易不存在' },
  'order-not-paid': { code: EASYPAY_CODES.orderNotPaid, text: '原交易状态不允许退款' },
  'exceeds-refundable': { code: EASYPAY_CODES.exceedsRefundable, text: '退款金额超过可退金额' },
  'refund-no-conflict': { code: EASYPAY_CODES.refundNoConflict, text: '机构流水号重复' },
};

const TRANS_STATE: Readonly<Record<RefundPhase, { state: string; text: string }>> = {
  pending: { state: '9', text: '处理中' },
  succeeded: { state: '0', text: '处理成功' },
  failed: { state: 'X', text: '处理失败' },
};

/** The spec's routes (the provider registry). */
const ROUTES: readonly Route[] = routesOf('easypay');

type RefundRequest = Messages['refund.request'];
type QueryRequest = Messages['queryRefund.request'];
type Envelope = { rspHeader: Record<string, unknown>; rspBody: Record<string, unknown>; rspSign: string };

export function createEasypayAdapter(ctx: AdapterContext): ProviderAdapter {
  const creds = ctx.credentials.easypay;
  /** Verifies the merchant's reqSign (the signer's "EasyPay public key" slot holds the merchant's key). */
  const merchantVerifier = createEasypaySigner({ easypayPublicKey: creds.merchantPublicKeyPem });
  /** Signs as EasyPay: answers (rspSign) and notifications (reqSign). */
  const easypaySigner: EasypaySigner = createEasypaySigner({ privateKey: ctx.serverKeys.easypayPrivateKeyPem });

  function sign(name: 'refund.response' | 'queryRefund.response', header: Record<string, unknown>, body: Record<string, unknown>): Reply {
    const envelope: Envelope = { rspHeader: header, rspBody: body, rspSign: easypaySigner.signString(easypaySigningString(header, body)) };
    checked(validators[name], name, envelope);
    return {
      ...jsonReply(envelope),
      withBadSignature: () => {
        // A well-formed RSA-2048 signature (it passes the schema) over a different string.
        const wrong = easypaySigner.signString(easypaySigningString(header, body) + 'x');
        return jsonReply({ ...envelope, rspSign: wrong });
      },
    };
  }

  /** Refused before any business rule: no body beyond the code. */
  function protocolError(name: 'refund.response' | 'queryRefund.response', code: string, text: string): Reply {
    return sign(
      name,
      { rspCode: code, rspInfo: clip(text, 200), easyPayCertificateId: CERTIFICATE_ID },
      { respStateInfo: { respCode: code, respDesc: clip(text, 200) } },
    );
  }

  /** Accepted protocol-wise, refused by a business rule (respStateInfo.respCode). */
  function businessError(name: 'refund.response' | 'queryRefund.response', code: string, text: string, orgTrace: string): Reply {
    return sign(name, okHeader(), { respStateInfo: { respCode: code, respDesc: text }, respOrderInfo: { orgTrace } });
  }

  function refundBody(refund: RefundRecord, phase: RefundPhase): Record<string, unknown> {
    const state = TRANS_STATE[phase];
    const body: Record<string, unknown> = {
      respStateInfo: {
        respCode: EASYPAY_CODES.ok,
        respDesc: 'SUCCESS',
        transState: state.state,
        transStatusDesc: state.text,
        ...(phase === 'succeeded' ? { appendRetCode: '10000', appendRetMsg: 'Success' } : {}),
      },
      respOrderInfo: {
        orgTrace: refund.refundNo,
        outTrace: refund.providerRefundId,
        productTrace: `YQ${refund.providerRefundId}`,
        refundAmount: refund.amount,
        oriOrgTrace: refund.orderId,
        mchtCode: creds.mchtCode,
      },
    };
    if (phase === 'succeeded') {
      const settled = Math.max(refund.settlesAt, refund.createdAt);
      body['settleRespParamInfo'] = {
        settleTime: compactTime(settled, SHANGHAI),
        settleAmt: refund.amount,
        settleDate: compactDate(settled, SHANGHAI),
      };
    }
    return body;
  }

  /** The notification's body as a body fault shapes it before it is signed: 1 fen more, or another merchant. */
  function notificationVariant(body: Record<string, unknown>, refund: RefundRecord, variant: NotificationVariant): Record<string, unknown> {
    const order = body['respOrderInfo'] as Record<string, unknown>;
    if (variant === 'altered-amount') {
      const settle = body['settleRespParamInfo'] as Record<string, unknown> | undefined;
      return {
        ...body,
        respOrderInfo: { ...order, refundAmount: refund.amount + 1 },
        ...(settle === undefined ? {} : { settleRespParamInfo: { ...settle, settleAmt: refund.amount + 1 } }),
      };
    }
    if (variant === 'wrong-merchant') return { ...body, respOrderInfo: { ...order, mchtCode: OTHER_MERCHANT.easypay } };
    return body;
  }

  function notify(refund: RefundRecord): void {
    const backUrl = refund.details['backUrl'];
    if (backUrl === undefined) return;
    ctx.notifier.schedule(
      {
        provider: 'easypay',
        refundNo: refund.refundNo,
        url: backUrl,
        build: (variant) => {
          const now = ctx.clock();
          const current = ctx.ledger.refund('easypay', refund.refundNo) ?? refund;
          const genuine = refundBody(current, refundPhase(current, Math.max(now, current.settlesAt)));
          const { respStateInfo, respOrderInfo, settleRespParamInfo } = notificationVariant(genuine, current, variant);
          const reqBody = { respStateInfo, respOrderInfo, ...(settleRespParamInfo === undefined ? {} : { settleRespParamInfo }) };
          const reqHeader = { transTime: compactTime(now, SHANGHAI), reqId: ctx.ids.next('NT', 12) };
          const signed = easypaySigner.signRequest({ reqHeader, reqBody });
          // bad-signature: a well-formed RSA-2048 signature (it passes the schema) over other bytes.
          const message = variant === 'bad-signature' ? { ...signed, reqSign: easypaySigner.signString(easypaySigningString(reqHeader, reqBody) + 'x') } : signed;
          checked(validators['refundNotification.request'], 'refundNotification.request', message);
          return { body: Buffer.from(JSON.stringify(message), 'utf8'), headers: { 'content-type': 'application/json; charset=utf-8' } };
        },
        isAck: (status, text) => status === 200 && ackCode(text) === EASYPAY_CODES.ok,
      },
      refund.settlesAt - ctx.clock(),
    );
  }

  function runRefund(request: RefundRequest, failRefund: boolean): Reply {
    const info = request.reqBody.reqOrderInfo;
    const now = ctx.clock();
    const order = ctx.ledger.order('easypay', info.oriOrgTrace);
    // EasyPay finds the original payment by its trace and date: the wrong date finds nothing.
    if (order !== undefined && order.date !== info.oriTransDate) {
      const refusal = REFUSALS['order-not-found'];
      return businessError('refund.response', refusal.code, `${refusal.text}: no payment ${info.oriOrgTrace} on ${info.oriTransDate}`, info.orgTrace);
    }
    const realtime = ctx.easypayMode === 'realtime';
    const decision: RefundDecision = ctx.ledger.applyRefund('easypay', {
      refundNo: info.orgTrace,
      orderId: info.oriOrgTrace,
      amount: info.refundAmount,
      now,
      settleAfterMs: realtime ? 0 : ctx.delayMs,
      outcome: failRefund ? 'failed' : 'succeeded',
      providerRefundId: () => ctx.ids.next('99536083584', 11),
      details: {
        transDate: request.reqBody.payInfo.transDate,
        payType: request.reqBody.payInfo.payType,
        ...(info.backUrl === undefined ? {} : { backUrl: info.backUrl }),
      },
    });
    if (decision.kind === 'refused') {
      const refusal = REFUSALS[decision.reason];
      return businessError('refund.response', refusal.code, `${refusal.text}: ${decision.detail}`, info.orgTrace);
    }
    const phase = decision.kind === 'created' && !realtime ? 'pending' : refundPhase(decision.refund, now);
    if (decision.kind === 'created') notify(decision.refund);
    return sign('refund.response', okHeader(), refundBody(decision.refund, phase));
  }

  function runQuery(request: QueryRequest): Reply {
    const info = request.reqBody.reqOrderInfo;
    const refund = ctx.ledger.refund('easypay', info.oriOrgTrace);
    if (refund === undefined || refund.details['transDate'] !== info.oriTransDate) {
      return businessError('queryRefund.response', EASYPAY_CODES.refundNotFound, `交易不存在: no refund ${info.oriOrgTrace} on ${info.oriTransDate}`, info.oriOrgTrace);
    }
    return sign('queryRefund.response', okHeader(), refundBody(refund, refundPhase(refund, ctx.clock())));
  }

  return {
    provider: 'easypay',
    routes: ROUTES,
    parse(call, route): ParseResult {
      const operation: Operation = route.operation ?? 'refund';
      const answer = operation === 'refund' ? 'refund.response' : 'queryRefund.response';
      const parsed = parseJson(call.body);
      if (parsed === undefined) {
        return rejected(operation, 'body is not JSON', protocolError(answer, EASYPAY_CODES.badRequest, '报文格式错误: body is not JSON'));
      }
      const envelope = parsed.value as { reqHeader?: unknown; reqBody?: unknown; reqSign?: unknown };
      const check = merchantVerifier.verifyNotification(typeof envelope === 'object' && envelope !== null ? envelope : {});
      if (!check.valid) {
        return rejected(operation, `signature: ${check.reason}`, protocolError(answer, EASYPAY_CODES.badSignature, `验签失败: ${check.reason}: ${check.detail}`));
      }
      let request: RefundRequest | QueryRequest;
      try {
        request = validateMessage(operation === 'refund' ? 'refund.request' : 'queryRefund.request', parsed.value);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return rejected(operation, `schema: ${error.message}`, protocolError(answer, EASYPAY_CODES.badRequest, `参数错误: ${issueSummary(error.issues)}`));
      }
      if (request.reqBody.reqInfo.mchtCode !== creds.mchtCode) {
        return rejected(operation, 'unknown mchtCode', protocolError(answer, EASYPAY_CODES.unknownMerchant, `商户不存在: ${request.reqBody.reqInfo.mchtCode}`));
      }
      if (operation === 'refund') {
        const refund = request as RefundRequest;
        return { ok: true, operation, refundNo: refund.reqBody.reqOrderInfo.orgTrace, run: (o) => runRefund(refund, o.failRefund) };
      }
      const query = request as QueryRequest;
      return { ok: true, operation, refundNo: query.reqBody.reqOrderInfo.oriOrgTrace, run: () => runQuery(query) };
    },
  };
}

const CERTIFICATE_ID = '00000000';

function okHeader(): Record<string, unknown> {
  return { rspCode: EASYPAY_CODES.ok, rspInfo: 'SUCCESS', easyPayCertificateId: CERTIFICATE_ID };
}

function ackCode(text: string): unknown {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as { code?: unknown }).code : undefined;
  } catch {
    return undefined;
  }
}
