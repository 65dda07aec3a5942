import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { compactDate, compactTimestamp, RefundkitError, ValidationError, type ProviderResult } from '@refundkit/runtime';
import type { MaybeSecret, PrivateKeyInput, PublicKeyInput } from '@refundkit/signing';
import { createEasypayClient, validateMessage, type EasypayClient, type Messages } from '@refundkit/easypay';
import type { Refund, RefundStatus } from '../model.js';
import { invalid, renameIssues, type NotificationAck, type PreparedRefund, type ProviderAdapter, type ProviderAnswer } from './adapter.js';
import { statusOf, type StatusTable } from './status-table.js';

/** The merchant's private key: inline (PEM, or a `Secret` of it, or a KeyObject) or a PEM file read once. */
export type EasypayPrivateKeySource =
  | { readonly privateKey: PrivateKeyInput; readonly privateKeyFile?: undefined }
  | { readonly privateKeyFile: string; readonly privateKey?: undefined };

/** EasyPay's public key or X.509 certificate: inline or a PEM file read once. */
export type EasypayPublicKeySource =
  | { readonly easypayPublicKey: PublicKeyInput; readonly easypayPublicKeyFile?: undefined }
  | { readonly easypayPublicKeyFile: string; readonly easypayPublicKey?: undefined };

/**
 * EasyPay 易企通 2.0 settings. Key files are PEM (PKCS#8 or PKCS#1 private keys, SPKI public
 * keys or X.509 certificates), read once when the client is created.
 */
export type EasypayConfig = {
  readonly baseUrl: string;
  /** `reqBody.reqInfo.mchtCode`: the merchant code EasyPay issued. */
  readonly mchtCode: string;
  /** For an encrypted private key. */
  readonly privateKeyPassphrase?: MaybeSecret<string> | undefined;
  /** `reqBody.reqOrderInfo.backUrl` when the refund names no `notifyUrl`; left out when neither is set. */
  readonly notifyUrl?: string | undefined;
  /** `reqHeader.reqType` (1 merchant, 2 institution), only when the merchant's contract needs it. */
  readonly reqType?: '1' | '2' | undefined;
  /** `reqHeader.certificateId`, when EasyPay issued one. */
  readonly certificateId?: string | undefined;
} & EasypayPrivateKeySource & EasypayPublicKeySource;

/** Per-refund options: both are required by EasyPay's request and not known to the facade. */
export interface EasypayOptions {
  /** `payInfo.payType`, the transaction type of the refund, e.g. `AliPayRefund` (appendix F.6). */
  readonly payType: string;
  /** `reqOrderInfo.oriTransDate`: the original payment's date, `yyyyMMdd`. */
  readonly oriTransDate: string;
}

/**
 * `transState` of an accepted answer (PROVIDERS.md "Status mapping", from public clients): 9
 * processing, 0 succeeded, X/A/C/R/E failed. Anything else is unknown.
 */
export const EASYPAY_STATUS: StatusTable = { '9': 'pending', '0': 'succeeded', X: 'failed', A: 'failed', C: 'failed', R: 'failed', E: 'failed' };

/** `rspCode`/`respCode` meaning "accepted". */
export const EASYPAY_ACCEPTED = '000000';

/** `rspCode`/`respCode` values that leave the outcome uncertain (unknown, not failed). */
export const EASYPAY_UNCERTAIN_CODES: readonly string[] = ['QT0099', '999999'];

/** Prefixes of uncertain codes (`QTC0…`). */
export const EASYPAY_UNCERTAIN_PREFIXES: readonly string[] = ['QTC0'];

/** What an `rspCode`/`respCode` other than 000000 means: uncertain codes are unknown, the others not accepted. */
export function easypayCodeIsUncertain(code: string): boolean {
  return EASYPAY_UNCERTAIN_CODES.includes(code) || EASYPAY_UNCERTAIN_PREFIXES.some((prefix) => code.startsWith(prefix));
}

/** The acknowledgement EasyPay expects for a notification (PROVIDERS.md). */
export const EASYPAY_NOTIFICATION_ACK: NotificationAck = { status: 200, contentType: 'application/json', body: '{"code":"000000","msg":"Success"}' };

type Answer = Messages['refund.response'] | Messages['queryRefund.response'];
type StateInfo = { readonly respCode?: string | undefined; readonly respDesc?: string | undefined; readonly transState?: string | undefined; readonly transStatusDesc?: string | undefined; readonly appendRetMsg?: string | undefined };
type OrderInfo = { readonly outTrace?: string | undefined; readonly productTrace?: string | undefined };

/**
 * The refund's own number at EasyPay: `respOrderInfo.outTrace` (渠道流水号/易生流水号, the trace a
 * trade query names as `oriOutTrace`), else `productTrace` (the 易企通 product trace).
 */
function providerRefundIdOf(order: OrderInfo | undefined): string | undefined {
  return order?.outTrace || order?.productTrace || undefined;
}

/** Maps an accepted state (`transState`) to the unified model. */
function mapState(state: StateInfo | undefined, order: OrderInfo | undefined, raw: string): ProviderAnswer {
  const transState = state?.transState;
  const status: RefundStatus = statusOf(EASYPAY_STATUS, transState);
  const message = state?.transStatusDesc || state?.appendRetMsg || state?.respDesc || '';
  return {
    status,
    providerRefundId: providerRefundIdOf(order),
    ...(status === 'failed' || status === 'unknown' ? { failure: { code: transState ?? 'missing', message } } : {}),
    raw,
  };
}

/**
 * A refund (or query) answer: `rspHeader.rspCode` then `respStateInfo.respCode` must be 000000
 * (accepted); otherwise the request was not accepted (`failed`; for a query, which says nothing
 * about the refund, `unknown`), except the uncertain codes (QT0099, 999999, QTC0…): `unknown`.
 * An accepted answer's `transState` is the result (see {@link EASYPAY_STATUS}).
 */
export function mapEasypayAnswer(result: ProviderResult<Answer>, phase: 'refund' | 'query'): ProviderAnswer {
  const { data, rawBody: raw } = result;
  const state = data.rspBody?.respStateInfo;
  const refusal =
    data.rspHeader.rspCode !== EASYPAY_ACCEPTED
      ? { code: data.rspHeader.rspCode, message: data.rspHeader.rspInfo ?? '' }
      : state?.respCode !== EASYPAY_ACCEPTED
        ? { code: state?.respCode ?? 'missing', message: state?.respDesc ?? '' }
        : undefined;
  if (refusal) {
    const status: RefundStatus = easypayCodeIsUncertain(refusal.code) || phase === 'query' ? 'unknown' : 'failed';
    return { status, failure: refusal, raw };
  }
  return mapState(state, data.rspBody?.respOrderInfo, raw);
}

/** refundkit fields ← EasyPay wire fields, for error messages. */
const FIELDS = {
  'reqBody.reqOrderInfo.orgTrace': 'refundId',
  'reqBody.reqOrderInfo.oriOrgTrace': 'orderId',
  'reqBody.reqOrderInfo.refundAmount': 'amount',
  'reqBody.reqOrderInfo.oriTransDate': 'options.oriTransDate',
  'reqBody.reqOrderInfo.backUrl': 'notifyUrl',
  'reqBody.payInfo.payType': 'options.payType',
};

function configError(field: string, message: string): ValidationError {
  return new ValidationError('easypay config', [{ path: field, rule: 'required', message: `${field} ${message}` }]);
}

function keyFrom<K>(inline: K | undefined, file: string | undefined, field: string): K | string {
  if (inline !== undefined && file !== undefined) throw configError(field, `and ${field}File are exclusive: give one`);
  if (inline !== undefined) return inline;
  if (file !== undefined) return readFileSync(file, 'utf8');
  throw configError(field, `or ${field}File is required`);
}

/** The client's header, built here too so the whole unsigned message is checked before anything is reserved. */
function provisionalHeader(config: EasypayConfig, now: Date) {
  return {
    transTime: compactTimestamp(now, 'Asia/Shanghai'),
    reqId: randomUUID().replace(/-/g, ''),
    ...(config.reqType === undefined ? {} : { reqType: config.reqType }),
    ...(config.certificateId === undefined ? {} : { certificateId: config.certificateId }),
  };
}

function requireOption(options: Partial<EasypayOptions> | undefined, name: keyof EasypayOptions): string {
  const value = options?.[name];
  if (typeof value !== 'string' || value === '') throw invalid(`options.${name}`, 'required', 'is required for easypay');
  return value;
}

function requireMeta(refund: Refund, name: string): string {
  const value = refund.meta?.[name];
  if (!value) throw new RefundkitError('query_unavailable', `easypay refund ${refund.refundId} has no ${name} recorded: it cannot be queried`);
  return value;
}

export const easypayAdapter: ProviderAdapter<EasypayConfig, EasypayOptions, EasypayClient> = {
  key: 'easypay',
  currencies: () => ['CNY'],
  createClient: (config, shared) =>
    createEasypayClient({
      baseUrl: config.baseUrl,
      privateKey: keyFrom(config.privateKey, config.privateKeyFile, 'privateKey'),
      privateKeyPassphrase: config.privateKeyPassphrase,
      easypayPublicKey: keyFrom(config.easypayPublicKey, config.easypayPublicKeyFile, 'easypayPublicKey'),
      ...(config.reqType === undefined ? {} : { reqType: config.reqType }),
      ...(config.certificateId === undefined ? {} : { certificateId: config.certificateId }),
      fetch: shared.fetch,
      timeoutMs: shared.timeoutMs,
    }),
  prepareRefund(client, config, request): PreparedRefund {
    const payType = requireOption(request.options, 'payType');
    const oriTransDate = requireOption(request.options, 'oriTransDate');
    const now = new Date();
    const transDate = compactDate(now, 'Asia/Shanghai');
    const backUrl = request.notifyUrl ?? config.notifyUrl;
    const reqBody: Messages['refund.request.unsigned']['reqBody'] = {
      reqInfo: { mchtCode: config.mchtCode },
      reqOrderInfo: {
        orgTrace: request.refundId,
        ...(backUrl ? { backUrl } : {}),
        oriOrgTrace: request.orderId,
        oriTransDate,
        refundAmount: request.amount,
      },
      payInfo: { payType, transDate },
    };
    renameIssues(FIELDS, () => validateMessage('refund.request.unsigned', { reqHeader: provisionalHeader(config, now), reqBody }));
    const send = async (): Promise<ProviderAnswer> => mapEasypayAnswer(await client.refund({ reqBody }), 'refund');
    return Object.assign(send, { meta: { payType, transDate } });
  },
  async query(client, config, refund) {
    const payType = requireMeta(refund, 'payType');
    // The refund's payInfo.transDate as sent; before meta existed, its creation date (Asia/Shanghai).
    const oriTransDate = refund.meta?.['transDate'] ?? compactDate(new Date(refund.createdAt), 'Asia/Shanghai');
    const reqBody: Messages['queryRefund.request.unsigned']['reqBody'] = {
      reqInfo: { mchtCode: config.mchtCode },
      reqOrderInfo: { oriOrgTrace: refund.refundId, oriTransDate },
      payInfo: { payType, transDate: compactDate(new Date(), 'Asia/Shanghai') },
    };
    return mapEasypayAnswer(await client.queryRefund({ reqBody }), 'query');
  },
  notifications: {
    verify(client, _config, rawBody, headers) {
      const { data, verified, rawBody: raw } = client.verifyNotification(rawBody, headers);
      const { respStateInfo: state, respOrderInfo: order } = data.reqBody;
      // A notification whose respCode says "not accepted" reports no result: keep it unknown.
      const answer =
        state.respCode !== undefined && state.respCode !== EASYPAY_ACCEPTED
          ? { status: 'unknown' as const, failure: { code: state.respCode, message: state.respDesc ?? '' }, raw }
          : mapState(state, order, raw);
      return { refundId: order.orgTrace, verified, answer };
    },
    ack: EASYPAY_NOTIFICATION_ACK,
  },
};
