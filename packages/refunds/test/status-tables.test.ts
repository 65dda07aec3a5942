/**
 * Every provider's status table, code by code, through the facade with canned (signed) answers:
 * each row of PROVIDERS.md "Status mapping", an unmapped code, a request not accepted, and the
 * uncertain codes. The expected tables are written here from PROVIDERS.md, independently of the
 * adapters' exported ones, which must equal them.
 */
import { describe, expect, it } from 'vitest';
import { EASYPAY_STATUS, EFTPAY_STATUS, LIANKE_STATUS, TIPAY_STATUS, YIMA_STATUS, type RefundStatus } from '../src/index.js';
import { easypayAnswer, eftpayAnswer, facade, input, INPUTS, liankeAnswer, liankeData, scripted, tipayAnswer, yimaAnswer, type Reply } from './support.js';
import type { ConfiguredProvider } from '../src/providers/index.js';

async function refundWith(provider: ConfiguredProvider, reply: Reply) {
  const script = scripted(reply);
  const refund = await facade(provider, script).refund(input(provider));
  expect(script.calls).toHaveLength(1);
  return refund;
}

describe('easypay: transState of an accepted answer', () => {
  const EXPECTED: Record<string, RefundStatus> = { '9': 'pending', '0': 'succeeded', X: 'failed', A: 'failed', C: 'failed', R: 'failed', E: 'failed' };

  it('the exported table is PROVIDERS.md\'s', () => {
    expect(EASYPAY_STATUS).toEqual(EXPECTED);
  });

  it.each(Object.entries(EXPECTED))('transState %s → %s', async (transState, status) => {
    const refund = await refundWith('easypay', easypayAnswer({ transState, transStatusDesc: `state ${transState}` }));
    expect(refund.status).toBe(status);
    expect(refund.providerRefundId).toBe('9953608358403046481920');
    if (status === 'failed') expect(refund.failure).toEqual({ source: 'provider', code: transState, message: `state ${transState}` });
    else expect(refund.failure).toBeUndefined();
  });

  it('an unmapped transState is unknown, never success', async () => {
    const refund = await refundWith('easypay', easypayAnswer({ transState: '1', transStatusDesc: '未知' }));
    expect(refund.status).toBe('unknown');
    expect(refund.failure).toEqual({ source: 'provider', code: '1', message: '未知' });
  });

  it('providerRefundId falls back to productTrace when outTrace is absent', async () => {
    const refund = await refundWith('easypay', easypayAnswer({ transState: '0', order: { orgTrace: INPUTS.easypay.refundId, productTrace: 'YQ20241104104334744' } }));
    expect(refund.providerRefundId).toBe('YQ20241104104334744');
  });

  it('rspCode other than 000000: not accepted → failed, with the code and rspInfo', async () => {
    const refund = await refundWith('easypay', easypayAnswer({ rspCode: 'QT0001', rspInfo: '商户余额不足', respCode: 'QT0001' }));
    expect(refund.status).toBe('failed');
    expect(refund.failure).toEqual({ source: 'provider', code: 'QT0001', message: '商户余额不足' });
  });

  it('respCode other than 000000 (rspCode 000000): not accepted → failed, with respCode and respDesc', async () => {
    const refund = await refundWith('easypay', easypayAnswer({ respCode: 'PY2001', respDesc: '原交易不存在' }));
    expect(refund.status).toBe('failed');
    expect(refund.failure).toEqual({ source: 'provider', code: 'PY2001', message: '原交易不存在' });
  });

  it.each(['QT0099', '999999', 'QTC0001', 'QTC0999'])('uncertain rspCode %s → unknown', async (code) => {
    const refund = await refundWith('easypay', easypayAnswer({ rspCode: code, rspInfo: '处理中,请查询', respCode: code }));
    expect(refund.status).toBe('unknown');
    expect(refund.failure).toEqual({ source: 'provider', code, message: '处理中,请查询' });
  });

  it.each(['QT0099', '999999', 'QTC0002'])('uncertain respCode %s (rspCode 000000) → unknown', async (code) => {
    const refund = await refundWith('easypay', easypayAnswer({ respCode: code, respDesc: '结果未知' }));
    expect(refund.status).toBe('unknown');
    expect(refund.failure).toEqual({ source: 'provider', code, message: '结果未知' });
  });

  it('a code merely resembling an uncertain one is not uncertain', async () => {
    const refund = await refundWith('easypay', easypayAnswer({ rspCode: 'QTD0001', respCode: 'QTD0001' }));
    expect(refund.status).toBe('failed');
  });
});

describe('eftpay: trade_status of a received request', () => {
  const EXPECTED: Record<string, RefundStatus> = {
    TRADE_PROCESSING: 'pending',
    APPLY_SUCCESS: 'pending',
    TRADE_REFUND: 'succeeded',
    TRADE_CLOSED: 'succeeded',
    TRADE_FAIL: 'failed',
  };

  it('the exported table is PROVIDERS.md\'s', () => {
    expect(EFTPAY_STATUS).toEqual(EXPECTED);
  });

  it.each(Object.entries(EXPECTED))('trade_status %s → %s', async (tradeStatus, status) => {
    const refund = await refundWith('eftpay', eftpayAnswer({ trade_status: tradeStatus, refund_trade_no: 'EFTR0000001', return_char: 'done' }));
    expect(refund.status).toBe(status);
    expect(refund.providerRefundId).toBe('EFTR0000001');
    if (status === 'failed') expect(refund.failure).toEqual({ source: 'provider', code: tradeStatus, message: 'done' });
    else expect(refund.failure).toBeUndefined();
  });

  it('an unmapped trade_status is unknown, never success', async () => {
    const refund = await refundWith('eftpay', eftpayAnswer({ trade_status: 'TRADE_SUCCESS' }));
    expect(refund.status).toBe('unknown');
    expect(refund.failure?.code).toBe('TRADE_SUCCESS');
  });

  it('a received answer without trade_status breaks the contract → unknown', async () => {
    const refund = await refundWith('eftpay', eftpayAnswer({ trade_status: undefined }));
    expect(refund.status).toBe('unknown');
    expect(refund.failure?.code).toBe('response_invalid');
  });

  it('return_status other than 00 (unsigned, as eftPay sends refusals): not accepted → failed', async () => {
    const refund = await refundWith('eftpay', eftpayAnswer({ return_status: '01', return_char: 'refund_no exists' }, { unsigned: true }));
    expect(refund.status).toBe('failed');
    expect(refund.failure).toEqual({ source: 'provider', code: '01', message: 'refund_no exists' });
  });

  it('return_status other than 00, signed: not accepted → failed', async () => {
    const refund = await refundWith('eftpay', eftpayAnswer({ return_status: '99', return_char: 'system busy', trade_status: 'TRADE_CLOSED' }));
    expect(refund.status).toBe('failed');
    expect(refund.failure).toEqual({ source: 'provider', code: '99', message: 'system busy' });
  });

  it('eftpay_trade_no (the order\'s number) is not taken for the refund\'s', async () => {
    const refund = await refundWith('eftpay', eftpayAnswer({ trade_status: 'TRADE_CLOSED', eftpay_trade_no: '20190823191819' }));
    expect(refund.status).toBe('succeeded');
    expect(refund.providerRefundId).toBeUndefined();
  });
});

describe('lianke: data.transaction_status of an accepted request', () => {
  const EXPECTED: Record<string, RefundStatus> = { CREATE: 'pending', REFUNDED: 'succeeded', REFUNDFAILED: 'failed' };

  it('the exported table is PROVIDERS.md\'s', () => {
    expect(LIANKE_STATUS).toEqual(EXPECTED);
  });

  it.each(Object.entries(EXPECTED))('transaction_status %s → %s', async (transactionStatus, status) => {
    const refund = await refundWith('lianke', liankeAnswer('SUCCESS', liankeData(transactionStatus, { error: transactionStatus === 'REFUNDFAILED' ? '余额不足' : null })));
    expect(refund.status).toBe(status);
    expect(refund.providerRefundId).toBe('LKRT-000123');
    if (status === 'failed') expect(refund.failure).toEqual({ source: 'provider', code: 'REFUNDFAILED', message: '余额不足' });
    else expect(refund.failure).toBeUndefined();
  });

  it('an unmapped transaction_status is unknown, never success', async () => {
    const refund = await refundWith('lianke', liankeAnswer('SUCCESS', liankeData('SUCCESS')));
    expect(refund.status).toBe('unknown');
    expect(refund.failure?.code).toBe('SUCCESS');
  });

  it('an accepted answer without data is unknown', async () => {
    const refund = await refundWith('lianke', liankeAnswer('SUCCESS', null));
    expect(refund.status).toBe('unknown');
    expect(refund.failure?.code).toBe('missing');
  });

  it('code other than SUCCESS: not accepted → failed, with code and msg', async () => {
    const refund = await refundWith('lianke', liankeAnswer('FAIL', null, '退款金额超过订单金额'));
    expect(refund.status).toBe('failed');
    expect(refund.failure).toEqual({ source: 'provider', code: 'FAIL', message: '退款金额超过订单金额' });
  });

  it('refund_order_no (our own refund_no echoed) is not taken for the provider\'s number', async () => {
    const refund = await refundWith('lianke', liankeAnswer('SUCCESS', liankeData('REFUNDED', { refund_transaction_no: null })));
    expect(refund.providerRefundId).toBeUndefined();
  });
});

describe('tipay: data.status of an accepted request', () => {
  const EXPECTED: Record<string, RefundStatus> = { PROCESSING: 'pending', SUCCESS: 'succeeded', FAILED: 'failed' };

  it('the exported table is PROVIDERS.md\'s', () => {
    expect(TIPAY_STATUS).toEqual(EXPECTED);
  });

  it.each(Object.entries(EXPECTED))('status %s → %s', async (code, status) => {
    const refund = await refundWith('tipay', tipayAnswer(code));
    expect(refund.status).toBe(status);
    expect(refund.providerRefundId).toBe('1002202301300000005245434665');
  });

  it('an unmapped status is unknown', async () => {
    expect((await refundWith('tipay', tipayAnswer('REFUNDING'))).status).toBe('unknown');
  });

  it.each([
    ['code 500', { code: 500, success: false, msg: '系统异常' }, '500'],
    ['success false', { code: 200, success: false, msg: '订单状态不允许退款' }, '200'],
  ])('%s: not accepted → failed', async (_name, options, code) => {
    const refund = await refundWith('tipay', tipayAnswer('SUCCESS', options));
    expect(refund.status).toBe('failed');
    expect(refund.failure).toEqual({ source: 'provider', code, message: options.msg });
  });
});

describe('yima: result/id', () => {
  const EXPECTED: Record<string, RefundStatus> = { '0000': 'succeeded', '9998': 'unknown', '0809': 'failed', '6100': 'failed', '6103': 'failed' };

  it('the exported table is PROVIDERS.md\'s', () => {
    expect(YIMA_STATUS).toEqual(EXPECTED);
  });

  it.each(Object.entries(EXPECTED))('result/id %s → %s', async (id, status) => {
    const refund = await refundWith('yima', yimaAnswer(id, { comment: `comment ${id}` }));
    expect(refund.status).toBe(status);
    expect(refund.providerRefundId).toBe('000000000244');
    if (status === 'succeeded') expect(refund.failure).toBeUndefined();
    else expect(refund.failure).toEqual({ source: 'provider', code: id, message: `comment ${id}` });
  });

  it('a result/id no row names is failed, as the document says (其它失败)', async () => {
    const refund = await refundWith('yima', yimaAnswer('1234', { comment: '余额不足' }));
    expect(refund.status).toBe('failed');
    expect(refund.failure).toEqual({ source: 'provider', code: '1234', message: '余额不足' });
  });

  it('an answer without sys_seq still maps by result/id', async () => {
    const refund = await refundWith('yima', yimaAnswer('0000', { sysSeq: null }));
    expect(refund.status).toBe('succeeded');
    expect(refund.providerRefundId).toBeUndefined();
  });
});
