/**
 * Queries: what each provider receives when the facade asks about a refund, `get` and `waitFor`
 * resolving a pending or unknown refund, and a query the provider refuses (unknown, not failed).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryLedger, NotFoundError } from '../src/index.js';
import type { ConfiguredProvider } from '../src/providers/index.js';
import {
  accountOf,
  easypayAnswer,
  easypayMerchantCheck,
  eftpayAnswer,
  eftpaySigner,
  facade,
  hang,
  input,
  INPUTS,
  liankeAnswer,
  parsed,
  PROVIDER_KEYS,
  queryAnswer,
  refundAnswer,
  scripted,
  tipayAnswer,
  yimaQueryAnswer,
  yimaRequest,
  type Reply,
} from './support.js';

/** A refund left pending (yima, which has no pending state: unknown after a timeout), then the script for what follows. */
async function openRefund(provider: ConfiguredProvider, ...then: Reply[]) {
  const first = refundAnswer(provider, 'pending') ?? hang;
  const script = scripted(first, ...then);
  const ledger = new MemoryLedger();
  const refunds = facade(provider, script, { ledger, timeoutMs: 1_000 });
  const refund = await refunds.refund(input(provider));
  expect(refund.status).toBe(provider === 'yima' ? 'unknown' : 'pending');
  return { script, refunds, refund, ledger };
}

describe.each(PROVIDER_KEYS)('%s: get and waitFor', (provider) => {
  it('get asks the provider and records the answer', async () => {
    const { script, refunds, refund, ledger } = await openRefund(provider, queryAnswer(provider, 'succeeded')!);
    const got = await refunds.get(refund);
    expect(got.status).toBe('succeeded');
    expect(script.calls).toHaveLength(2);
    expect(await ledger.get(refund)).toEqual(got);
    // Final now: a second get answers from the ledger.
    expect(await refunds.get(refund)).toEqual(got);
    expect(script.calls).toHaveLength(2);
  });

  it('waitFor polls until the refund is final', async () => {
    // yima has no pending state: its queries time out (unknown) before the final answer.
    const notYet = (): Reply => queryAnswer(provider, 'pending') ?? hang;
    // A yima query never says failed (see yimaStatusOf): its final answer here is a success.
    const last = provider === 'yima' ? 'succeeded' : 'failed';
    const { script, refunds, refund } = await openRefund(provider, notYet(), notYet(), queryAnswer(provider, last)!);
    const final = await refunds.waitFor(refund, { intervalMs: 5, timeoutMs: 5_000 });
    expect(final.status).toBe(last);
    expect(script.calls).toHaveLength(4);
  });

  it('waitFor gives up at its deadline with the last-known state', async () => {
    const pendingOrHang = (): Reply => queryAnswer(provider, 'pending') ?? hang;
    const { script, refunds, refund } = await openRefund(provider, ...Array.from({ length: 20 }, pendingOrHang));
    const started = Date.now();
    const last = await refunds.waitFor(refund, { intervalMs: 20, timeoutMs: 120 });
    expect(last.status).toBe(provider === 'yima' ? 'unknown' : 'pending');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(script.calls.length).toBeGreaterThan(1);
  });

  it('get of a refund the ledger never saw is a NotFoundError', async () => {
    const refunds = facade(provider, scripted());
    await expect(refunds.get({ provider, orderId: 'none', refundId: 'none' })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('query messages on the wire', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2024-11-04T17:30:00Z')); // 2024-11-05 in Shanghai
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('easypay: tradeQuery with oriOrgTrace = the refund\'s orgTrace, oriTransDate = its transDate, its payType', async () => {
    const { script, refunds, refund } = await openRefund('easypay', easypayAnswer({ transState: '0' }));
    vi.setSystemTime(new Date('2024-11-05T17:30:00Z')); // a day later: 2024-11-06 in Shanghai
    expect((await refunds.get(refund)).status).toBe('succeeded');
    const call = script.calls[1]!;
    expect(call.url).toBe('https://easypay.test/yqt/trade/tradeQuery');
    const wire = parsed(call);
    expect(wire['reqBody']).toEqual({
      reqInfo: { mchtCode: '531000023045074' },
      reqOrderInfo: { oriOrgTrace: INPUTS.easypay.refundId, oriTransDate: '20241105' },
      payInfo: { payType: 'AliPayRefund', transDate: '20241106' },
    });
    expect(wire['reqHeader'].transTime).toBe('20241106013000');
    expect(easypayMerchantCheck.verifyNotification(wire)).toEqual({ valid: true });
  });

  it('eftpay: the refund wallet\'s Query service, OUT_TRADE, out_trade_no and refund_no', async () => {
    const script = scripted(eftpayAnswer({ trade_status: 'TRADE_PROCESSING', payment_type: 'WECHATHK' }), eftpayAnswer({ trade_status: 'TRADE_CLOSED', payment_type: 'WECHATHK' }));
    const refunds = facade('eftpay', script);
    const refund = await refunds.refund(input('eftpay', { options: { paymentType: 'WECHATHK', buyerType: 'android' } }));
    expect((await refunds.get(refund)).status).toBe('succeeded');
    const wire = parsed(script.calls[1]!);
    expect(script.calls[1]!.url).toBe('https://eftpay.test/VMP/Servlet/JSAPIService.do');
    expect(wire).toEqual({
      service: 'service.wechat.qrcode.Query',
      querytype: 'OUT_TRADE',
      out_trade_no: INPUTS.eftpay.orderId,
      refund_no: INPUTS.eftpay.refundId,
      user_confirm_key: 'S0003469',
      paytype: 'WeChat',
      buyertype: 'android',
      payment_type: 'WECHATHK',
      time: '20241105013000',
      sign: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(eftpaySigner.verify(wire)).toEqual({ valid: true });
  });

  it('lianke: /SuNingPay/RefundQuery {store_no, order_no, refund_order_no}', async () => {
    const { script, refunds, refund } = await openRefund('lianke', queryAnswer('lianke', 'succeeded')!);
    await refunds.get(refund);
    expect(script.calls[1]!.url).toBe('https://lianke.test/SuNingPay/RefundQuery');
    expect(parsed(script.calls[1]!)).toEqual({ store_no: 'STORE-001', order_no: 'LK-ORDER-1', refund_order_no: 'LK-REFUND-1' });
  });

  it('tipay: GET /api/v1/yb/trade/query with merchantNo, orderId, refundRequestId', async () => {
    const { script, refunds, refund } = await openRefund('tipay', queryAnswer('tipay', 'succeeded')!);
    await refunds.get(refund);
    const url = new URL(script.calls[1]!.url);
    expect(script.calls[1]!.method).toBe('GET');
    expect(url.pathname).toBe('/api/v1/yb/trade/query');
    expect(Object.fromEntries(url.searchParams)).toEqual({ merchantNo: '10012426723', orderId: 'order123456789', refundRequestId: 'refundorder987654' });
  });

  it('yima: barcode_refundquery_request, org_pos_seq = the refund\'s pos_seq, a fresh pos_seq of its own each time', async () => {
    const { script, refunds, refund } = await openRefund('yima', yimaQueryAnswer('9998'), yimaQueryAnswer('0000'));
    expect((await refunds.get(refund)).status).toBe('unknown');
    expect((await refunds.get(refund)).status).toBe('succeeded');
    const [q1, q2] = [yimaRequest('queryRefund.request', script.calls[1]!), yimaRequest('queryRefund.request', script.calls[2]!)];
    expect(q1).toEqual({
      request_type: 'barcode_refundquery_request',
      isspid: '39493002',
      pos_id: '1511300001',
      store_id: '1511300009',
      pos_seq: expect.stringMatching(/^20241105013000\d{8}$/),
      system_id: '8888',
      barcode_refundquery_request: { org_pos_seq: INPUTS.yima.refundId },
    });
    expect(q1.pos_seq).not.toBe(INPUTS.yima.refundId);
    expect(q2.pos_seq).not.toBe(q1.pos_seq);
  });
});

describe('a query the provider refuses says nothing about the refund: unknown, never failed', () => {
  const REFUSALS: Array<[ConfiguredProvider, () => Reply, string]> = [
    ['easypay', () => easypayAnswer({ rspCode: 'PY0001', rspInfo: '查询失败', respCode: 'PY0001' }), 'PY0001'],
    ['eftpay', () => eftpayAnswer({ return_status: '01', return_char: 'busy' }, { unsigned: true }), '01'],
    ['lianke', () => liankeAnswer('FAIL', null, 'busy'), 'FAIL'],
    ['tipay', () => tipayAnswer(undefined, { code: 500, success: false, msg: 'busy' }), '500'],
    ['yima', () => yimaQueryAnswer('6103', { comment: 'IP未授权' }), '6103'],
  ];

  it.each(REFUSALS)('%s: an unknown refund stays unknown, with the refusal as its failure', async (provider, refusal, code) => {
    const script = scripted(hang, refusal());
    const refunds = facade(provider, script, { timeoutMs: 500 });
    const refund = await refunds.refund(input(provider));
    const got = await refunds.get(refund);
    expect(got.status).toBe('unknown');
    expect(got.failure?.code).toBe(code);
  });

  it.each(REFUSALS.filter(([p]) => p !== 'yima'))('%s: a pending refund stays pending', async (provider, refusal) => {
    const { refunds, refund } = await openRefund(provider, refusal());
    expect((await refunds.get(refund)).status).toBe('pending');
  });

  it('easypay: an uncertain code on a query is unknown too', async () => {
    const script = scripted(hang, easypayAnswer({ rspCode: 'QT0099', respCode: 'QT0099' }));
    const refunds = facade('easypay', script, { timeoutMs: 500 });
    const got = await refunds.get(await refunds.refund(input('easypay')));
    expect(got).toMatchObject({ status: 'unknown', failure: { code: 'QT0099' } });
  });

  it('yima: 0809 (not found) on a query is unknown: a refund in flight may not be visible yet', async () => {
    const script = scripted(hang, yimaQueryAnswer('0809', { comment: '原交易不存在' }));
    const refunds = facade('yima', script, { timeoutMs: 500 });
    const got = await refunds.get(await refunds.refund(input('yima')));
    expect(got).toMatchObject({ status: 'unknown', failure: { code: '0809', message: '原交易不存在' } });
  });
});

describe('a refund without the data its query needs', () => {
  it.each([
    ['easypay', 'payType'],
    ['eftpay', 'paymentType'],
  ] as const)('%s: no %s recorded → the refund stays unknown (query_unavailable), nothing sent', async (provider, field) => {
    const ledger = new MemoryLedger();
    // A refund written without meta (say, by an older version).
    const reserved = await ledger.reserve({
      key: { provider, account: accountOf(provider), orderId: INPUTS[provider].orderId, refundId: INPUTS[provider].refundId },
      amount: INPUTS[provider].amount,
      currency: INPUTS[provider].currency,
      lease: { holder: 'old', ttlMs: 1 },
    });
    // Its sender is gone: the refund is unknown with no live lease.
    if (reserved.outcome !== 'new') throw new Error('expected new');
    await ledger.update({ provider, account: accountOf(provider), refundId: INPUTS[provider].refundId }, { source: 'refund', status: 'unknown', lease: reserved.lease });
    const script = scripted();
    const got = await facade(provider, script, { ledger }).get({ provider, orderId: INPUTS[provider].orderId, refundId: INPUTS[provider].refundId });
    expect(got.status).toBe('unknown');
    expect(got.failure?.code).toBe('query_unavailable');
    expect(got.failure?.message).toContain(field);
    expect(script.calls).toHaveLength(0);
  });
});
