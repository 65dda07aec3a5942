/**
 * Shared by the facade's provider tests: a scripted `fetch` that records every request and
 * answers canned, correctly signed responses; each provider's test configuration and a valid
 * refund input; answer builders per provider.
 *
 * Keys are the throwaway test keys of @refundkit/signing (test/fixtures): the merchant signs with
 * `other-key.pem` (requests are checked with `other-public.pem`), "EasyPay" signs its answers and
 * notifications with `test-key.pem` (the facade verifies with `test-public.pem`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FetchLike } from '@refundkit/runtime';
import { createEasypaySigner, createEftpaySigner, easypaySigningString, tipaySignature } from '@refundkit/signing';
import { encodeMessage, readMessage, type Messages as YimaMessages } from '@refundkit/yima';
import { createRefunds, type RefundInput, type Refunds, type RefundsOptions } from '../src/index.js';
import { ADAPTERS, type ConfiguredProvider, type ProviderConfigs } from '../src/providers/index.js';

// ------------------------------------------------------------------ keys

const FIXTURES = fileURLToPath(new URL('../../signing/test/fixtures/', import.meta.url));
export const keyFile = (name: string): string => `${FIXTURES}${name}`;
export const pem = (name: string): string => readFileSync(keyFile(name), 'utf8');

/** "EasyPay": signs answers and notifications with test-key.pem. */
const easypayServer = createEasypaySigner({ privateKey: pem('test-key.pem') });
/** Checks the merchant's requests (other-key.pem) as EasyPay would. */
export const easypayMerchantCheck = createEasypaySigner({ easypayPublicKey: pem('other-public.pem') });

export const EFTPAY_SECRET = 'test-eftpay-secret-code';
export const eftpaySigner = createEftpaySigner({ secretCode: EFTPAY_SECRET });

export const TIPAY_APP_KEY = 'test-app-key-0123456789abcdef';

// ------------------------------------------------------------------ the scripted fetch

/** One request as the provider received it. */
export interface Call {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly bytes: Uint8Array;
  readonly text: string;
}

/** A canned reply, or a function making one (it may hang, throw, or look at the request). */
export type Reply = Response | ((call: Call, request: Request) => Response | Promise<Response>);

export interface Script {
  readonly fetch: FetchLike;
  readonly calls: Call[];
  /** Adds replies to the end of the script. */
  push(...replies: Reply[]): void;
}

/** A fetch answering each request with the next reply; a request with no reply left fails the test. */
export function scripted(...replies: Reply[]): Script {
  const queue = [...replies];
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    const request = new Request(url, init);
    const bytes = new Uint8Array(await request.arrayBuffer());
    const call: Call = { url: request.url, method: request.method, headers: request.headers, bytes, text: new TextDecoder().decode(bytes) };
    calls.push(call);
    const reply = queue.shift();
    if (reply === undefined) throw new Error(`unexpected request #${calls.length} to ${request.url}`);
    return typeof reply === 'function' ? reply(call, request) : reply.clone();
  };
  return { fetch, calls, push: (...more) => queue.push(...more) };
}

/** A reply that never comes: rejects when the facade's deadline aborts the request. */
export const hang: Reply = (_call, request) =>
  new Promise<Response>((_resolve, reject) => {
    request.signal.addEventListener('abort', () => reject(request.signal.reason ?? new Error('aborted')), { once: true });
  });

/** A connection that never carried the request (nothing reached the provider). */
export const refused: Reply = () => {
  throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });
};

/** A connection reset after the request left (may have reached the provider). */
export const reset: Reply = () => {
  throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
};

export const json = (value: unknown, init: ResponseInit = {}): Response =>
  new Response(JSON.stringify(value), { status: 200, ...init, headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });

export const text = (body: string, status = 200, contentType = 'application/json'): Response => new Response(body, { status, headers: { 'content-type': contentType } });

export const parsed = (call: Call): Record<string, any> => JSON.parse(call.text) as Record<string, any>;

// ------------------------------------------------------------------ configurations and inputs

export const CONFIGS: { readonly [P in ConfiguredProvider]: ProviderConfigs[P] } = {
  easypay: {
    baseUrl: 'https://easypay.test',
    mchtCode: '531000023045074',
    privateKeyFile: keyFile('other-key.pem'),
    easypayPublicKeyFile: keyFile('test-public.pem'),
  },
  eftpay: { baseUrl: 'https://eftpay.test', userConfirmKey: 'S0003469', secretCode: EFTPAY_SECRET },
  lianke: { baseUrl: 'https://lianke.test', storeNo: 'STORE-001', operator: 'cashier-7' },
  tipay: { baseUrl: 'https://tipay.test', appId: 'tichain000001', appKey: TIPAY_APP_KEY, merchantNo: '10012426723' },
  yima: { baseUrl: 'https://yima.test/ipos/trans', isspid: '39493002', systemId: '8888', posId: '1511300001', storeId: '1511300009' },
};

/** A valid refund per provider; tests override fields. */
export const INPUTS = {
  easypay: { provider: 'easypay', orderId: '96647913862211670000', refundId: '96647913862211678086', amount: 150, currency: 'CNY', options: { payType: 'AliPayRefund', oriTransDate: '20241104' } },
  eftpay: { provider: 'eftpay', orderId: '20190823191819', refundId: '20190823191819R1', amount: 1001, currency: 'HKD', options: { paymentType: 'ALIPAYCN' } },
  lianke: { provider: 'lianke', orderId: 'LK-ORDER-1', refundId: 'LK-REFUND-1', amount: 300, currency: 'CNY' },
  tipay: { provider: 'tipay', orderId: 'order123456789', refundId: 'refundorder987654', amount: 110, currency: 'CNY' },
  yima: { provider: 'yima', orderId: '1511300000001', refundId: '1511300000004', amount: 10, currency: 'CNY' },
} as const satisfies { readonly [P in ConfiguredProvider]: RefundInput & { provider: P } };

export const PROVIDER_KEYS = Object.keys(INPUTS) as ConfiguredProvider[];

/** The merchant account each test configuration refunds for (the ledger's key: see `ProviderEntry.accountOf`). */
export function accountOf(provider: ConfiguredProvider): string {
  return (ADAPTERS[provider].accountOf as (config: unknown) => string)(CONFIGS[provider]);
}

/** `INPUTS[provider]` with `changes`, typed as a refund input. */
export function input<P extends ConfiguredProvider>(provider: P, changes: Record<string, unknown> = {}): RefundInput {
  return { ...INPUTS[provider], ...changes } as RefundInput;
}

/** A facade over one provider, with the scripted fetch. */
export function facade(provider: ConfiguredProvider, script: Script, options: Partial<RefundsOptions> & { config?: Record<string, unknown> } = {}): Refunds {
  const { config, ...rest } = options;
  return createRefunds<ConfiguredProvider>({ providers: { [provider]: { ...CONFIGS[provider], ...config } } as RefundsOptions['providers'], fetch: script.fetch, timeoutMs: 2_000, ...rest });
}

// ------------------------------------------------------------------ answers, per provider

/** EasyPay: `{rspHeader, rspBody, rspSign}` signed with "EasyPay's" key. */
export function easypayAnswer(options: {
  rspCode?: string;
  rspInfo?: string;
  respCode?: string;
  respDesc?: string;
  transState?: string;
  transStatusDesc?: string;
  order?: Record<string, unknown>;
  body?: Record<string, unknown>;
  tamper?: boolean;
}): Response {
  const rspHeader = { rspCode: options.rspCode ?? '000000', rspInfo: options.rspInfo ?? 'SUCCESS', easyPayCertificateId: '00000000' };
  const rspBody = options.body ?? {
    respStateInfo: {
      respCode: options.respCode ?? '000000',
      respDesc: options.respDesc ?? 'SUCCESS',
      ...(options.transState !== undefined ? { transState: options.transState } : {}),
      ...(options.transStatusDesc !== undefined ? { transStatusDesc: options.transStatusDesc } : {}),
    },
    respOrderInfo: options.order ?? { orgTrace: INPUTS.easypay.refundId, outTrace: '9953608358403046481920', productTrace: 'YQ20241104104334744', refundAmount: 150 },
  };
  const rspSign = easypayServer.signString(easypaySigningString(rspHeader, rspBody));
  const sent = options.tamper ? { ...rspBody, respStateInfo: { ...(rspBody['respStateInfo'] as object), transState: '0' } } : rspBody;
  return json({ rspHeader, rspBody: sent, rspSign });
}

/** An EasyPay notification body, signed with "EasyPay's" key (or tampered after signing). */
export function easypayNotification(options: { refundId?: string; transState: string; respCode?: string; tamper?: boolean; amount?: number; orderId?: string; mchtCode?: string }): string {
  const reqHeader = { transTime: '20241105013000', reqId: 'notify-0001' };
  const reqBody = {
    respStateInfo: { ...(options.respCode ? { respCode: options.respCode } : { respCode: '000000' }), respDesc: 'SUCCESS', transState: options.transState },
    respOrderInfo: {
      orgTrace: options.refundId ?? INPUTS.easypay.refundId,
      outTrace: '9953608358403046481920',
      refundAmount: options.amount ?? 150,
      ...(options.orderId !== undefined ? { oriOrgTrace: options.orderId } : {}),
      ...(options.mchtCode !== undefined ? { mchtCode: options.mchtCode } : {}),
    },
  };
  const reqSign = easypayServer.signString(easypaySigningString(reqHeader, reqBody));
  const sent = options.tamper ? { ...reqBody, respStateInfo: { ...reqBody.respStateInfo, transState: options.transState === '0' ? 'X' : '0' } } : reqBody;
  return JSON.stringify({ reqHeader, reqBody: sent, reqSign });
}

/** eftPay: a flat answer signed with the secret code (no empty field). */
export function eftpayAnswer(fields: Record<string, string | undefined>, options: { tamper?: boolean; unsigned?: boolean } = {}): Response {
  const base: Record<string, string | undefined> = {
    return_status: '00',
    return_char: 'OK',
    time: '20241105013000',
    out_trade_no: INPUTS.eftpay.orderId,
    user_confirm_key: 'S0003469',
    trade_type: 'REFUND',
    payment_type: 'ALIPAYCN',
    transaction_amount: '10.01',
    currency: 'HKD',
    refund_no: INPUTS.eftpay.refundId,
    ...fields,
  };
  const defined = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as Record<string, string>;
  if (options.unsigned) return json(defined);
  const signed = eftpaySigner.signRequest(defined);
  return json(options.tamper ? { ...signed, trade_status: 'TRADE_CLOSED', transaction_amount: '0.01' } : signed);
}

/** Lianke: `{code, msg, data}`. */
export function liankeAnswer(code: string, data?: Record<string, unknown> | null, msg = 'ok'): Response {
  return json({ code, msg, ...(data === undefined ? {} : { data }) });
}

export const liankeData = (transactionStatus: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  transaction_status: transactionStatus,
  store_no: 'STORE-001',
  refund_amount: 300,
  order_no: INPUTS.lianke.orderId,
  refund_order_no: INPUTS.lianke.refundId,
  refund_transaction_no: 'LKRT-000123',
  ...extra,
});

/** Ti-Pay: `{code, success, data, msg}`, unsigned (Ti-Pay documents no signed answers). */
export function tipayAnswer(status: string | undefined, options: { code?: number; success?: boolean; msg?: string; data?: Record<string, string> } = {}): Response {
  return json({
    code: options.code ?? 200,
    success: options.success ?? true,
    msg: options.msg ?? '操作成功',
    data: {
      merchantNo: CONFIGS.tipay.merchantNo,
      orderId: INPUTS.tipay.orderId,
      refundRequestId: INPUTS.tipay.refundId,
      uniqueRefundNo: '1002202301300000005245434665',
      ...(status === undefined ? {} : { status }),
      refundAmount: '1.10',
      refundRequestDate: '2024-11-05 01:30:00',
      refundAccountDetail: '[{"accountType":"SETTLE_ACCOUNT","debitAmount":1.10}]',
      ...options.data,
    },
  });
}

/** A Ti-Pay notification: body and (when signed) the `ti-*` headers. */
export function tipayNotification(status: string, options: { signed: boolean; timestamp?: string; merchantNo?: string; amount?: string }): { rawBody: string; headers: Record<string, string> } {
  const rawBody = JSON.stringify({
    merchantNo: options.merchantNo ?? CONFIGS.tipay.merchantNo,
    orderId: INPUTS.tipay.orderId,
    refundRequestId: INPUTS.tipay.refundId,
    uniqueRefundNo: '1002202301300000005245434665',
    status,
    refundAmount: options.amount ?? '1.10',
    refundRequestDate: '2024-11-05 01:30:00',
    refundAccountDetail: '[{"accountType":"SETTLE_ACCOUNT","debitAmount":1.10}]',
  });
  if (!options.signed) return { rawBody, headers: { 'content-type': 'application/json' } };
  const timestamp = options.timestamp ?? '1730770200000';
  return {
    rawBody,
    headers: { 'content-type': 'application/json', 'ti-appid': CONFIGS.tipay.appId, 'ti-timestamp': timestamp, 'ti-signature': tipaySignature(rawBody, timestamp, TIPAY_APP_KEY) },
  };
}

/** yima: a GBK XML answer to a refund (or, with `query`, to a refund query). */
export function yimaAnswer(id: string, options: { comment?: string; query?: boolean; sysSeq?: string | null; posSeq?: string } = {}, terminal: { isspid?: string; pos_id?: string } = {}): Response {
  const fields = {
    isspid: terminal.isspid ?? CONFIGS.yima.isspid,
    pos_id: terminal.pos_id ?? CONFIGS.yima.posId,
    pos_seq: options.posSeq ?? INPUTS.yima.refundId,
    ...(options.sysSeq === null ? {} : { sys_seq: options.sysSeq ?? '000000000244' }),
    trans_time: '20241105013000',
    pay_type: '503',
    result: { id, comment: options.comment ?? (id === '0000' ? '成功' : '失败') },
  };
  const bytes = options.query
    ? encodeMessage('queryRefund.response', { response_type: 'barcode_refundquery_response', ...fields } satisfies YimaMessages['queryRefund.response'])
    : encodeMessage('refund.response', { response_type: 'barcode_refundbycashfee_response', ...fields } satisfies YimaMessages['refund.response']);
  return new Response(bytes, { status: 200, headers: { 'content-type': 'text/xml; charset=GBK' } });
}

/**
 * yima: an answer to a refund query, echoing the query's own `pos_seq` (fresh per query) as yima
 * does, so the echo rule accepts it; `posSeq` overrides it (a foreign answer).
 */
export function yimaQueryAnswer(id: string, options: { comment?: string; sysSeq?: string | null; posSeq?: string } = {}): Reply {
  return (call) => yimaAnswer(id, { ...options, query: true, posSeq: options.posSeq ?? yimaRequest('queryRefund.request', call).pos_seq });
}

/** The yima request a call carried, decoded from GBK and checked against the contract. */
export function yimaRequest<K extends 'refund.request' | 'queryRefund.request'>(name: K, call: Call): YimaMessages[K] {
  return readMessage(name, call.bytes).value;
}

// ------------------------------------------------------------------ what a call was

/** The refund number each provider received. */
export function refundNumber(provider: ConfiguredProvider, call: Call): string {
  switch (provider) {
    case 'easypay':
      return parsed(call)['reqBody'].reqOrderInfo.orgTrace;
    case 'eftpay':
    case 'lianke':
      return parsed(call)['refund_no'];
    case 'tipay':
      return parsed(call)['refundRequestId'];
    case 'yima':
      return yimaRequest('refund.request', call).pos_seq;
  }
}

/** Whether a call was a refund (not a query). */
export function isRefund(provider: ConfiguredProvider, call: Call): boolean {
  switch (provider) {
    case 'easypay':
      return call.url.endsWith('/speedRefund');
    case 'eftpay':
      return String(parsed(call)['service']).endsWith('.Refund');
    case 'lianke':
      return call.url.endsWith('/QuickPay/Refund');
    case 'tipay':
      return call.method === 'POST';
    case 'yima':
      return call.text.includes('<request_type>barcode_refundbycashfee_request</request_type>');
  }
}

// ------------------------------------------------------------------ generic answers (any provider)

export type Outcome = 'pending' | 'succeeded' | 'failed';

/** A canned refund answer with the given outcome; yima has no pending state (undefined). */
export function refundAnswer(provider: ConfiguredProvider, outcome: Outcome): Response | undefined {
  switch (provider) {
    case 'easypay':
      return easypayAnswer({ transState: { pending: '9', succeeded: '0', failed: 'X' }[outcome] });
    case 'eftpay':
      return eftpayAnswer({ trade_status: { pending: 'TRADE_PROCESSING', succeeded: 'TRADE_REFUND', failed: 'TRADE_FAIL' }[outcome], refund_trade_no: 'EFTR0000001' });
    case 'lianke':
      return liankeAnswer('SUCCESS', liankeData({ pending: 'CREATE', succeeded: 'REFUNDED', failed: 'REFUNDFAILED' }[outcome]));
    case 'tipay':
      return tipayAnswer({ pending: 'PROCESSING', succeeded: 'SUCCESS', failed: 'FAILED' }[outcome]);
    case 'yima':
      return outcome === 'pending' ? undefined : yimaAnswer(outcome === 'succeeded' ? '0000' : '0809');
  }
}

/**
 * A canned query answer with the given outcome. yima: no pending, and no failed either (a query
 * says `succeeded` on 0000 and nothing for sure otherwise): undefined.
 */
export function queryAnswer(provider: ConfiguredProvider, outcome: Outcome): Reply | undefined {
  if (provider === 'yima') return outcome === 'succeeded' ? yimaQueryAnswer('0000') : undefined;
  return refundAnswer(provider, outcome);
}
