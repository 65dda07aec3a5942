/**
 * One driver per provider: builds real, signed requests with @refundkit/signing and the
 * generated validators/codec (never the typed clients), sends them over HTTP, and reads the
 * answers. Every answer a driver reads is checked against the provider's response schema and,
 * where the provider signs, its signature — so every test that reads an answer asserts both.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import {
  createEasypaySigner,
  createEftpaySigner,
  createTipaySigner,
  type EftpayFieldValue,
} from '@refundkit/signing';
import { formatMinorUnits, toMinorUnits } from '@refundkit/runtime';
import * as easypay from '@refundkit/easypay';
import * as eftpay from '@refundkit/eftpay';
import * as lianke from '@refundkit/lianke';
import * as tipay from '@refundkit/tipay';
import * as yima from '@refundkit/yima';
import {
  EASYPAY_CODES,
  EFTPAY_CODES,
  LIANKE_CODES,
  TIPAY_CODES,
  YIMA_CODES,
  type Provider,
  type RefundPhase,
  type Sandbox,
} from '../../src/index.js';
import { exchange, type Answer } from './http.js';

export interface RefundArgs {
  readonly refundNo: string;
  readonly orderId: string;
  /** Minor units. */
  readonly amount: number;
  /** tipay notifyUrl / easypay backUrl. */
  readonly notifyUrl?: string | undefined;
}

export interface SendOptions {
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly timeoutMs?: number | undefined;
}

/** What an answer says, in the provider-neutral terms the tests assert on. */
export interface Reading {
  /** Accepted by the provider (not refused). */
  readonly accepted: boolean;
  /** The refund's state, when the answer carries one. */
  readonly phase: RefundPhase | undefined;
  /** The provider's own code: rspCode/respCode, return_status, code, result/id. */
  readonly code: string;
  /** The provider's own status word (transState, trade_status, transaction_status, status, result/id). */
  readonly status: string | undefined;
  /** The refunded amount the answer states, minor units. */
  readonly amount: number | undefined;
}

export interface Codes {
  readonly unauthenticated: string;
  readonly badRequest: string;
  readonly orderNotFound: string;
  readonly orderNotPaid: string;
  readonly exceedsRefundable: string;
  readonly refundNoConflict: string;
  readonly refundNotFound: string;
}

export interface Driver {
  readonly provider: Provider;
  /** Seeded: a paid order of 100.00, a paid one of 25.00, an unpaid one. */
  readonly paidOrder: string;
  readonly smallOrder: string;
  readonly unpaidOrder: string;
  /** Whether the provider's answers are signed (bad-signature applies). */
  readonly signsAnswers: boolean;
  /** The refund's own answer is pending (the result is asynchronous). */
  readonly asyncResult: boolean;
  readonly codes: Codes;
  newRefundNo(): string;
  /** An order id of the right shape for addOrder. */
  newOrderId(): string;
  /** The raw exchange: no checks on the answer. */
  sendRefund(sandbox: Sandbox, args: RefundArgs, options?: SendOptions): Promise<Answer>;
  sendQuery(sandbox: Sandbox, args: { refundNo: string; orderId: string }, options?: SendOptions): Promise<Answer>;
  /** A refund request signed with the wrong key (or, unsigned providers, an unknown merchant). */
  sendUnauthenticated(sandbox: Sandbox, args: RefundArgs): Promise<Answer>;
  /** A correctly signed refund request that breaks the schema. */
  sendBadSchema(sandbox: Sandbox, args: RefundArgs): Promise<Answer>;
  /** Checks the answer against the schema (and signature), and reads it. */
  read(sandbox: Sandbox, operation: 'refund' | 'queryRefund', answer: Answer): Reading;
  /** Whether the answer's signature verifies (undefined for unsigned providers). */
  signatureValid(sandbox: Sandbox, answer: Answer): boolean | undefined;
  /** Whether the body parses at all as the provider's format. */
  parses(answer: Answer): boolean;
}

const unique = (prefix: string): string => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 16)}`;

/** Refund date the easypay driver sends (payInfo.transDate), which its query repeats. */
const EASYPAY_REFUND_DATE = '20250102';

function jsonOf(answer: Answer): any {
  return JSON.parse(answer.text);
}

function expectValid(validator: { (value: unknown): boolean; errors?: unknown }, value: unknown, what: string): void {
  const ok = validator(value);
  expect(ok, `${what} must validate: ${JSON.stringify(validator.errors)}`).toBe(true);
}

// ---------------------------------------------------------------------------------- easypay

export const easypayDriver: Driver = {
  provider: 'easypay',
  paidOrder: 'EP-PAID-0001',
  smallOrder: 'EP-PAID-0002',
  unpaidOrder: 'EP-UNPAID-0001',
  signsAnswers: true,
  asyncResult: false,
  codes: {
    unauthenticated: EASYPAY_CODES.badSignature,
    badRequest: EASYPAY_CODES.badRequest,
    orderNotFound: EASYPAY_CODES.orderNotFound,
    orderNotPaid: EASYPAY_CODES.orderNotPaid,
    exceedsRefundable: EASYPAY_CODES.exceedsRefundable,
    refundNoConflict: EASYPAY_CODES.refundNoConflict,
    refundNotFound: EASYPAY_CODES.refundNotFound,
  },
  newRefundNo: () => unique('EPR'),
  newOrderId: () => unique('EPO'),
  sendRefund(sandbox, args, options) {
    return post(sandbox.endpoints.easypay.refund, JSON.stringify(easypayRefund(sandbox, args)), options);
  },
  sendQuery(sandbox, args, options) {
    const c = sandbox.credentials.easypay;
    const signer = createEasypaySigner({ privateKey: c.merchantPrivateKeyPem });
    const message = signer.signRequest({
      reqHeader: { transTime: '20250102101010', reqId: unique('Q') },
      reqBody: {
        reqInfo: { mchtCode: c.mchtCode },
        reqOrderInfo: { oriOrgTrace: args.refundNo, oriTransDate: EASYPAY_REFUND_DATE },
        payInfo: { payType: 'AliPayRefund' },
      },
    });
    expectValid(easypay.validators['queryRefund.request'], message, 'the test query');
    return post(sandbox.endpoints.easypay.queryRefund, JSON.stringify(message), options);
  },
  sendUnauthenticated(sandbox, args) {
    const message = easypayRefund(sandbox, args);
    // Signed by EasyPay's key instead of the merchant's: a valid RSA signature, the wrong signer.
    const wrong = createEasypaySigner({ privateKey: otherPrivateKey() });
    return post(sandbox.endpoints.easypay.refund, JSON.stringify(wrong.signRequest({ reqHeader: message.reqHeader, reqBody: message.reqBody })));
  },
  sendBadSchema(sandbox, args) {
    return post(sandbox.endpoints.easypay.refund, JSON.stringify(easypayRefund(sandbox, args, { refundAmountAsString: true })));
  },
  read(sandbox, operation, answer) {
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const value = jsonOf(answer);
    expectValid(easypay.validators[operation === 'refund' ? 'refund.response' : 'queryRefund.response'], value, `easypay ${operation} answer`);
    expect(easypaySignatureValid(sandbox, value), 'rspSign verifies with the EasyPay public key').toBe(true);
    const state = value.rspBody?.respStateInfo;
    const rspCode = value.rspHeader.rspCode as string;
    const code = rspCode !== '000000' ? rspCode : (state.respCode as string);
    const transState = state?.transState as string | undefined;
    return {
      accepted: code === '000000',
      phase: transState === '9' ? 'pending' : transState === '0' ? 'succeeded' : transState === 'X' ? 'failed' : undefined,
      code,
      status: transState,
      amount: value.rspBody?.respOrderInfo?.refundAmount,
    };
  },
  signatureValid(sandbox, answer) {
    return easypaySignatureValid(sandbox, jsonOf(answer));
  },
  parses: (answer) => parsesJson(answer),
};

function easypayRefund(sandbox: Sandbox, args: RefundArgs, options: { refundAmountAsString?: boolean } = {}) {
  const c = sandbox.credentials.easypay;
  const signer = createEasypaySigner({ privateKey: c.merchantPrivateKeyPem });
  const unsigned = {
    reqHeader: { transTime: '20250102101010', reqId: unique('R') },
    reqBody: {
      reqInfo: { mchtCode: c.mchtCode },
      reqOrderInfo: {
        orgTrace: args.refundNo,
        oriOrgTrace: args.orderId,
        oriTransDate: '20250101',
        refundAmount: options.refundAmountAsString ? String(args.amount) : args.amount,
        ...(args.notifyUrl === undefined ? {} : { backUrl: args.notifyUrl }),
      },
      payInfo: { payType: 'AliPayRefund', transDate: EASYPAY_REFUND_DATE },
    },
  };
  if (!options.refundAmountAsString) expectValid(easypay.validators['refund.request.unsigned'], unsigned, 'the test refund');
  return signer.signRequest(unsigned);
}

function easypaySignatureValid(sandbox: Sandbox, value: unknown): boolean {
  const verifier = createEasypaySigner({ easypayPublicKey: sandbox.credentials.easypay.easypayPublicKeyPem });
  return verifier.verifyResponse(value as object).valid;
}

/** A private key that is neither the merchant's nor EasyPay's: the "wrong signer", made once per file. */
let otherKey: string | undefined;
function otherPrivateKey(): string {
  otherKey ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  return otherKey;
}

// ---------------------------------------------------------------------------------- eftpay

export const eftpayDriver: Driver = {
  provider: 'eftpay',
  paidOrder: 'EFT-PAID-0001',
  smallOrder: 'EFT-PAID-0002',
  unpaidOrder: 'EFT-UNPAID-0001',
  signsAnswers: true,
  asyncResult: true,
  codes: {
    unauthenticated: EFTPAY_CODES.badSignature,
    badRequest: EFTPAY_CODES.badRequest,
    orderNotFound: EFTPAY_CODES.orderNotFound,
    orderNotPaid: EFTPAY_CODES.orderNotRefundable,
    exceedsRefundable: EFTPAY_CODES.exceedsRefundable,
    refundNoConflict: EFTPAY_CODES.refundNoConflict,
    refundNotFound: EFTPAY_CODES.refundNotFound,
  },
  newRefundNo: () => unique('EFR'),
  newOrderId: () => unique('EFO'),
  sendRefund(sandbox, args, options) {
    const fields = eftpayRefundFields(sandbox, args);
    expectValid(eftpay.validators['refund.request.unsigned'], fields, 'the test refund');
    return post(sandbox.endpoints.eftpay.refund, JSON.stringify(eftpaySigner(sandbox).signRequest(fields)), options);
  },
  sendQuery(sandbox, args, options) {
    const c = sandbox.credentials.eftpay;
    const fields = {
      service: 'service.alipay.qrcode.Query',
      querytype: 'OUT_TRADE',
      out_trade_no: args.orderId,
      refund_no: args.refundNo,
      user_confirm_key: c.userConfirmKey,
      paytype: 'Alipay',
      buyertype: 'others',
      payment_type: 'ALIPAYHK',
      time: '20250102101010',
    };
    expectValid(eftpay.validators['queryRefund.request.unsigned'], fields, 'the test query');
    return post(sandbox.endpoints.eftpay.queryRefund, JSON.stringify(eftpaySigner(sandbox).signRequest(fields)), options);
  },
  sendUnauthenticated(sandbox, args) {
    const wrong = createEftpaySigner({ secretCode: 'not-the-secret' });
    return post(sandbox.endpoints.eftpay.refund, JSON.stringify(wrong.signRequest(eftpayRefundFields(sandbox, args))));
  },
  sendBadSchema(sandbox, args) {
    const fields = { ...eftpayRefundFields(sandbox, args), transaction_amount: '1.234' };
    return post(sandbox.endpoints.eftpay.refund, JSON.stringify(eftpaySigner(sandbox).signRequest(fields)));
  },
  read(sandbox, operation, answer) {
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const value = jsonOf(answer);
    expectValid(eftpay.validators[operation === 'refund' ? 'refund.response' : 'queryRefund.response'], value, `eftpay ${operation} answer`);
    expect(eftpaySigner(sandbox).verify(value).valid, 'sign verifies with the secret code').toBe(true);
    const status = value.trade_status as string | undefined;
    return {
      accepted: value.return_status === '00',
      phase:
        status === 'APPLY_SUCCESS' ? 'pending' : status === 'TRADE_REFUND' || status === 'TRADE_CLOSED' ? 'succeeded' : status === 'TRADE_FAIL' ? 'failed' : undefined,
      code: value.return_status,
      status,
      amount: value.transaction_amount === undefined ? undefined : toMinorUnits(value.transaction_amount),
    };
  },
  signatureValid(sandbox, answer) {
    return eftpaySigner(sandbox).verify(jsonOf(answer)).valid;
  },
  parses: (answer) => parsesJson(answer),
};

function eftpaySigner(sandbox: Sandbox) {
  return createEftpaySigner({ secretCode: sandbox.credentials.eftpay.secretCode });
}

function eftpayRefundFields(sandbox: Sandbox, args: RefundArgs): Record<string, EftpayFieldValue> {
  return {
    service: 'service.alipay.qrcode.Refund',
    user_confirm_key: sandbox.credentials.eftpay.userConfirmKey,
    transaction_amount: formatMinorUnits(args.amount),
    out_trade_no: args.orderId,
    paytype: 'Alipay',
    buyertype: 'others',
    payment_type: 'ALIPAYHK',
    refund_no: args.refundNo,
    time: '20250102101010',
  };
}

// ---------------------------------------------------------------------------------- lianke

export const liankeDriver: Driver = {
  provider: 'lianke',
  paidOrder: 'LK-PAID-0001',
  smallOrder: 'LK-PAID-0002',
  unpaidOrder: 'LK-UNPAID-0001',
  signsAnswers: false,
  asyncResult: true,
  codes: {
    unauthenticated: LIANKE_CODES.unknownStore,
    badRequest: LIANKE_CODES.badRequest,
    orderNotFound: LIANKE_CODES.orderNotFound,
    orderNotPaid: LIANKE_CODES.orderNotPaid,
    exceedsRefundable: LIANKE_CODES.exceedsRefundable,
    refundNoConflict: LIANKE_CODES.refundNoConflict,
    refundNotFound: LIANKE_CODES.refundNotFound,
  },
  newRefundNo: () => unique('LKR'),
  newOrderId: () => unique('LKO'),
  sendRefund(sandbox, args, options) {
    const body = liankeRefund(sandbox, args);
    expectValid(lianke.validators['refund.request'], body, 'the test refund');
    return post(sandbox.endpoints.lianke.refund, JSON.stringify(body), options);
  },
  sendQuery(sandbox, args, options) {
    const body = { store_no: sandbox.credentials.lianke.storeNo, order_no: args.orderId, refund_order_no: args.refundNo };
    expectValid(lianke.validators['queryRefund.request'], body, 'the test query');
    return post(sandbox.endpoints.lianke.queryRefund, JSON.stringify(body), options);
  },
  sendUnauthenticated(sandbox, args) {
    return post(sandbox.endpoints.lianke.refund, JSON.stringify({ ...liankeRefund(sandbox, args), store_no: 'NOT-OUR-STORE' }));
  },
  sendBadSchema(sandbox, args) {
    return post(sandbox.endpoints.lianke.refund, JSON.stringify({ ...liankeRefund(sandbox, args), refund_amount: String(args.amount) }));
  },
  read(_sandbox, operation, answer) {
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const value = jsonOf(answer);
    expectValid(lianke.validators[operation === 'refund' ? 'refund.response' : 'queryRefund.response'], value, `lianke ${operation} answer`);
    const status = value.data?.transaction_status as string | undefined;
    return {
      accepted: value.code === 'SUCCESS',
      phase: status === 'CREATE' ? 'pending' : status === 'REFUNDED' ? 'succeeded' : status === 'REFUNDFAILED' ? 'failed' : undefined,
      code: value.code,
      status,
      amount: value.data?.refund_amount ?? undefined,
    };
  },
  signatureValid: () => undefined,
  parses: (answer) => parsesJson(answer),
};

function liankeRefund(sandbox: Sandbox, args: RefundArgs) {
  const c = sandbox.credentials.lianke;
  return { store_no: c.storeNo, operator: c.operator, refund_amount: args.amount, order_no: args.orderId, refund_no: args.refundNo };
}

// ---------------------------------------------------------------------------------- tipay

export const tipayDriver: Driver = {
  provider: 'tipay',
  paidOrder: 'TP-PAID-0001',
  smallOrder: 'TP-PAID-0002',
  unpaidOrder: 'TP-UNPAID-0001',
  signsAnswers: true,
  asyncResult: true,
  codes: {
    unauthenticated: String(TIPAY_CODES.badSignature),
    badRequest: String(TIPAY_CODES.badRequest),
    orderNotFound: String(TIPAY_CODES.orderNotFound),
    orderNotPaid: String(TIPAY_CODES.orderNotPaid),
    exceedsRefundable: String(TIPAY_CODES.exceedsRefundable),
    refundNoConflict: String(TIPAY_CODES.refundNoConflict),
    refundNotFound: String(TIPAY_CODES.refundNotFound),
  },
  newRefundNo: () => unique('TPR'),
  newOrderId: () => unique('TPO'),
  sendRefund(sandbox, args, options) {
    const body = JSON.stringify(tipayRefund(sandbox, args));
    return tipayPost(sandbox, tipaySigner(sandbox), body, options);
  },
  sendQuery(sandbox, args, options) {
    const c = sandbox.credentials.tipay;
    const params = new URLSearchParams({ merchantNo: c.merchantNo, refundRequestId: args.refundNo, orderId: args.orderId });
    expectValid(tipay.validators['queryRefund.request'], Object.fromEntries(params), 'the test query');
    const url = `${sandbox.endpoints.tipay.queryRefund}?${params}`;
    return exchange(url, {
      method: 'GET',
      headers: { ...tipaySigner(sandbox).signRequest({ method: 'GET', url }), ...options?.headers },
      timeoutMs: options?.timeoutMs,
    });
  },
  sendUnauthenticated(sandbox, args) {
    const wrong = createTipaySigner({ appId: sandbox.credentials.tipay.appId, appKey: 'not-the-app-key' });
    return tipayPost(sandbox, wrong, JSON.stringify(tipayRefund(sandbox, args)));
  },
  sendBadSchema(sandbox, args) {
    const body = JSON.stringify({ ...tipayRefund(sandbox, args), refundAmount: '1.5' });
    return tipayPost(sandbox, tipaySigner(sandbox), body);
  },
  read(sandbox, operation, answer) {
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.headers.get('ti-signature'), 'Ti-Pay answers are not signed').toBeNull();
    const value = jsonOf(answer);
    expectValid(tipay.validators[operation === 'refund' ? 'refund.response' : 'queryRefund.response'], value, `tipay ${operation} answer`);
    void sandbox;
    const status = value.data?.status as string | undefined;
    return {
      accepted: value.code === 200 && value.success === true,
      phase: status === 'PROCESSING' ? 'pending' : status === 'SUCCESS' ? 'succeeded' : status === 'FAILED' ? 'failed' : undefined,
      code: String(value.code),
      status,
      amount: value.data?.refundAmount === undefined ? undefined : toMinorUnits(value.data.refundAmount),
    };
  },
  signatureValid(sandbox, answer) {
    return tipaySigner(sandbox).verify({ body: answer.body, headers: answer.headers }).valid;
  },
  parses: (answer) => parsesJson(answer),
};

function tipaySigner(sandbox: Sandbox) {
  const c = sandbox.credentials.tipay;
  return createTipaySigner({ appId: c.appId, appKey: c.appKey });
}

function tipayRefund(sandbox: Sandbox, args: RefundArgs) {
  const body = {
    merchantNo: sandbox.credentials.tipay.merchantNo,
    orderId: args.orderId,
    refundRequestId: args.refundNo,
    refundAmount: formatMinorUnits(args.amount),
    ...(args.notifyUrl === undefined ? {} : { notifyUrl: args.notifyUrl }),
  };
  return body;
}

function tipayPost(sandbox: Sandbox, signer: ReturnType<typeof createTipaySigner>, body: string, options?: SendOptions): Promise<Answer> {
  const url = sandbox.endpoints.tipay.refund;
  return post(url, body, { ...options, headers: { ...signer.signRequest({ method: 'POST', url, body }), ...options?.headers } });
}

// ---------------------------------------------------------------------------------- yima

export const yimaDriver: Driver = {
  provider: 'yima',
  paidOrder: 'YM-PAID-000000001',
  smallOrder: 'YM-PAID-000000002',
  unpaidOrder: 'YM-UNPAID-00000001',
  signsAnswers: false,
  asyncResult: false,
  codes: {
    unauthenticated: YIMA_CODES.unauthorised,
    badRequest: YIMA_CODES.badRequest,
    orderNotFound: YIMA_CODES.orderNotFound,
    orderNotPaid: YIMA_CODES.orderNotPaid,
    exceedsRefundable: YIMA_CODES.exceedsRefundable,
    refundNoConflict: YIMA_CODES.posSeqConflict,
    refundNotFound: YIMA_CODES.orderNotFound,
  },
  newRefundNo: () => unique('YMR'),
  newOrderId: () => unique('YMO'),
  sendRefund(sandbox, args, options) {
    return postXml(sandbox, yima.writeMessage('refund.request', yimaRefund(sandbox, args)), options);
  },
  sendQuery(sandbox, args, options) {
    const c = sandbox.credentials.yima;
    const message = {
      request_type: 'barcode_refundquery_request' as const,
      isspid: c.isspid,
      pos_id: c.posId,
      store_id: c.storeId,
      pos_seq: unique('YMQ'),
      system_id: c.systemId,
      barcode_refundquery_request: { org_pos_seq: args.refundNo },
    };
    return postXml(sandbox, yima.writeMessage('queryRefund.request', message), options);
  },
  sendUnauthenticated(sandbox, args) {
    return postXml(sandbox, yima.writeMessage('refund.request', { ...yimaRefund(sandbox, args), isspid: 'NOTOURS1' }));
  },
  sendBadSchema(sandbox, args) {
    // pos_seq of exactly 12 characters: the document requires more than 12 (大于12位).
    return postXml(sandbox, yima.encodeMessage('refund.request', { ...yimaRefund(sandbox, args), pos_seq: '123456789012' }));
  },
  read(_sandbox, operation, answer) {
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/xml; charset=GBK');
    expect(answer.body.subarray(0, 38).toString('latin1')).toBe('<?xml version="1.0" encoding="GBK"?>\n<');
    const name = operation === 'refund' ? 'refund.response' : 'queryRefund.response';
    const value = yima.readMessage(name, answer.body).value as any; // throws unless it validates
    expectValid(yima.validators[name], value, `yima ${operation} answer`);
    const id = value.result.id as string;
    return {
      accepted: id === YIMA_CODES.ok,
      phase: id === YIMA_CODES.ok ? 'succeeded' : id === YIMA_CODES.refundFailed ? 'failed' : undefined,
      code: id,
      status: id,
      amount: value.wxpay_res_info?.cash_refund_fee === undefined ? undefined : Number(value.wxpay_res_info.cash_refund_fee),
    };
  },
  signatureValid: () => undefined,
  parses(answer) {
    // decodeAnyMessage alone is lenient with a truncated document (it reads unclosed elements),
    // so "parses" here means: decodes as a yima answer and validates.
    try {
      const decoded = yima.decodeAnyMessage(answer.body);
      if (decoded.name !== 'refund.response' && decoded.name !== 'queryRefund.response') return false;
      yima.readMessage(decoded.name, answer.body);
      return true;
    } catch {
      return false;
    }
  },
};

function yimaRefund(sandbox: Sandbox, args: RefundArgs) {
  const c = sandbox.credentials.yima;
  return {
    request_type: 'barcode_refundbycashfee_request' as const,
    isspid: c.isspid,
    pos_id: c.posId,
    store_id: c.storeId,
    pos_seq: args.refundNo,
    system_id: c.systemId,
    barcode_refundbycashfee_request: { pay_type: '503' as const, tx_amt: args.amount, org_pos_seq: args.orderId },
  };
}

function postXml(sandbox: Sandbox, bytes: Uint8Array, options?: SendOptions): Promise<Answer> {
  return exchange(sandbox.urls.yima, {
    method: 'POST',
    body: bytes,
    headers: { 'content-type': 'text/xml; charset=GBK', ...options?.headers },
    timeoutMs: options?.timeoutMs,
  });
}

// ---------------------------------------------------------------------------------- common

function post(url: string, body: string, options?: SendOptions): Promise<Answer> {
  return exchange(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...options?.headers },
    timeoutMs: options?.timeoutMs,
  });
}

function parsesJson(answer: Answer): boolean {
  try {
    JSON.parse(answer.text);
    return true;
  } catch {
    return false;
  }
}

export const DRIVERS: readonly Driver[] = [easypayDriver, eftpayDriver, liankeDriver, tipayDriver, yimaDriver];
