// What the facade needs of EasyPay before a refund is made: settings, options, the status table
// and the answer mapping. The adapter, which loads @refundkit/easypay, is easypay-adapter.ts
// (loaded at first use).
import type { ProviderResult } from '@refundkit/runtime';
import type { MaybeSecret, PrivateKeyInput, PublicKeyInput } from '@refundkit/signing';
import type { Messages } from '@refundkit/easypay';
import type { RefundStatus } from '../model.js';
import { checkEcho, type NotificationAck, type ProviderAnswer } from './adapter.js';
import { statusOf, type StatusTable } from './status-table.js';

/** The merchant's private key: inline (PEM, or a `Secret` of it, or a KeyObject) or a PEM file read once. */
export type EasypayPrivateKeySource =
  | { readonly privateKey: PrivateKeyInput; readonly privateKeyFile?: undefined }
  | { readonly privateKeyFile: string; readonly privateKey?: undefined };

/**
 * EasyPay's public key or X.509 certificate: inline or a PEM file read once; or, for a key roll,
 * several (`easypayPublicKeys`), each with the certificate id EasyPay names it by.
 */
export type EasypayPublicKeySource =
  | { readonly easypayPublicKey: PublicKeyInput; readonly easypayPublicKeyFile?: undefined; readonly easypayPublicKeys?: undefined }
  | { readonly easypayPublicKeyFile: string; readonly easypayPublicKey?: undefined; readonly easypayPublicKeys?: undefined }
  | { readonly easypayPublicKeys: readonly EasypayPublicKeyEntry[]; readonly easypayPublicKey?: undefined; readonly easypayPublicKeyFile?: undefined };

/**
 * One of EasyPay's public keys (or certificates), inline or in a PEM file, with the id EasyPay
 * names it by in `rspHeader.easyPayCertificateId`: an answer or notification naming an id is
 * verified with the keys of that id; one naming none (or an id no key has) with each key in turn.
 *
 * @example
 * easypayPublicKeys: [{ certificateId: '00000002', keyFile: 'keys/easypay-2026.pem' }, { certificateId: '00000001', keyFile: 'keys/easypay-2024.pem' }]
 */
export type EasypayPublicKeyEntry =
  | { readonly certificateId?: string | undefined; readonly key: PublicKeyInput; readonly keyFile?: undefined }
  | { readonly certificateId?: string | undefined; readonly keyFile: string; readonly key?: undefined };

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

/** The acknowledgement EasyPay expects for a notification (the document's `{"code":"000000","msg":"Success"}`). */
export const EASYPAY_NOTIFICATION_ACK: NotificationAck = { status: 200, contentType: 'application/json', body: '{"code":"000000","msg":"Success"}' };

/**
 * The answer to a notification refundkit did not believe or could not store: anything but the
 * acknowledgement is delivered again. The document names no refusal body; this one is assumed.
 */
export const EASYPAY_NOTIFICATION_REJECT: NotificationAck = { status: 400, contentType: 'application/json', body: '{"code":"100001","msg":"Fail"}' };

type Answer = Messages['refund.response'] | Messages['queryRefund.response'];
export type StateInfo = { readonly respCode?: string | undefined; readonly respDesc?: string | undefined; readonly transState?: string | undefined; readonly transStatusDesc?: string | undefined; readonly appendRetMsg?: string | undefined };
export type OrderInfo = {
  readonly outTrace?: string | undefined;
  readonly productTrace?: string | undefined;
  readonly orgTrace?: string | undefined;
  readonly oriOrgTrace?: string | undefined;
  readonly refundAmount?: number | undefined;
  readonly mchtCode?: string | undefined;
};

/** What a refund request or query sent, for the echo rule. */
export interface EasypaySent {
  readonly mchtCode: string;
  readonly orderId: string;
  readonly refundId: string;
  readonly amount: number;
}

/**
 * The refund's own number at EasyPay: `respOrderInfo.outTrace` (渠道流水号/易生流水号, the trace a
 * trade query names as `oriOutTrace`), else `productTrace` (the 易企通 product trace).
 */
function providerRefundIdOf(order: OrderInfo | undefined): string | undefined {
  return order?.outTrace || order?.productTrace || undefined;
}

/** Maps an accepted state (`transState`) to the unified model. */
export function mapEasypayState(state: StateInfo | undefined, order: OrderInfo | undefined, raw: string): ProviderAnswer {
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
 * An accepted answer's `transState` is the result (see {@link EASYPAY_STATUS}), once
 * `respOrderInfo` echoes the refund's trace (`orgTrace`), order (`oriOrgTrace`), amount and
 * merchant where it gives them (otherwise `AnswerMismatchError`).
 */
export function mapEasypayAnswer(result: ProviderResult<Answer>, phase: 'refund' | 'query', sent: EasypaySent): ProviderAnswer {
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
    return { status, failure: refusal, raw, ...(status === 'failed' ? { providerMayKnow: false } : {}) };
  }
  const order: OrderInfo | undefined = data.rspBody?.respOrderInfo;
  const answer = mapEasypayState(state, order, raw);
  checkEcho(
    'easypay',
    answer.status,
    [
      { field: 'respOrderInfo.orgTrace', sent: sent.refundId, received: order?.orgTrace || undefined },
      { field: 'respOrderInfo.oriOrgTrace', sent: sent.orderId, received: order?.oriOrgTrace || undefined },
      { field: 'respOrderInfo.refundAmount', sent: sent.amount, received: order?.refundAmount ?? undefined },
      { field: 'respOrderInfo.mchtCode', sent: sent.mchtCode, received: order?.mchtCode || undefined },
    ],
    raw,
  );
  return answer;
}
