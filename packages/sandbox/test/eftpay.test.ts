/**
 * eftpay specifics: TRADE_REFUND vs TRADE_CLOSED, the wallet rule, the user key, the service
 * that picks the operation, and exact major-unit amounts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEftpaySigner } from '@refundkit/signing';
import { EFTPAY_CODES, startSandbox, type Sandbox } from '../src/index.js';
import { eftpayDriver as driver } from './support/drivers.js';
import { exchange } from './support/http.js';

describe('eftpay', () => {
  let sandbox: Sandbox;
  let offset = 0;
  beforeEach(async () => {
    offset = 0;
    sandbox = await startSandbox({ delayMs: 1000, clock: () => Date.now() + offset });
  });
  afterEach(async () => {
    await sandbox.close();
    expect(sandbox.errors()).toEqual([]);
  });

  const base = (s: Sandbox) => ({
    service: 'service.alipay.qrcode.Refund',
    user_confirm_key: s.credentials.eftpay.userConfirmKey,
    transaction_amount: '1.00',
    out_trade_no: 'EFT-PAID-0001',
    paytype: 'Alipay',
    buyertype: 'others',
    payment_type: 'ALIPAYHK',
    refund_no: driver.newRefundNo(),
    time: '20250102101010',
  });
  const send = async (fields: Record<string, string>, secret = sandbox.credentials.eftpay.secretCode) => {
    const body = JSON.stringify(createEftpaySigner({ secretCode: secret }).signRequest(fields));
    return exchange(sandbox.endpoints.eftpay.refund, { method: 'POST', body });
  };

  it('ends a partial refund in TRADE_REFUND and the refund that empties the order in TRADE_CLOSED', async () => {
    const partial = driver.newRefundNo();
    const rest = driver.newRefundNo();
    await driver.sendRefund(sandbox, { refundNo: partial, orderId: 'EFT-PAID-0002', amount: 1000 });
    await driver.sendRefund(sandbox, { refundNo: rest, orderId: 'EFT-PAID-0002', amount: 1500 });
    offset += 1000;
    expect(driver.read(sandbox, 'queryRefund', await driver.sendQuery(sandbox, { refundNo: partial, orderId: 'EFT-PAID-0002' })).status).toBe('TRADE_REFUND');
    expect(driver.read(sandbox, 'queryRefund', await driver.sendQuery(sandbox, { refundNo: rest, orderId: 'EFT-PAID-0002' })).status).toBe('TRADE_CLOSED');
  });

  it('answers APPLY_SUCCESS with the refund details, signed, in major units', async () => {
    const answer = await send({ ...base(sandbox), transaction_amount: '0.29' });
    const reading = driver.read(sandbox, 'refund', answer);
    expect(reading).toMatchObject({ accepted: true, status: 'APPLY_SUCCESS', amount: 29 });
    expect(JSON.parse(answer.text)).toMatchObject({ trade_type: 'REFUND', original_amount: '100.00', currency: 'HKD', payment_type: 'ALIPAYHK', transaction_amount: '0.29' });
    expect(sandbox.refundedTotal('eftpay', 'EFT-PAID-0001')).toBe(29);
  });

  it('reads one-decimal amounts exactly', async () => {
    expect(driver.read(sandbox, 'refund', await send({ ...base(sandbox), transaction_amount: '1.1' })).accepted).toBe(true);
    expect(sandbox.refundedTotal('eftpay', 'EFT-PAID-0001')).toBe(110);
  });

  it("refuses a wallet that is not the order's", async () => {
    const reading = driver.read(sandbox, 'refund', await send({ ...base(sandbox), service: 'service.wechat.qrcode.Refund', paytype: 'WeChat', payment_type: 'WECHATHK' }));
    expect(reading).toMatchObject({ accepted: false, code: EFTPAY_CODES.orderNotRefundable });
  });

  it('refuses an unknown user_confirm_key', async () => {
    const reading = driver.read(sandbox, 'refund', await send({ ...base(sandbox), user_confirm_key: 'NOTOURKEY001' }));
    expect(reading).toMatchObject({ accepted: false, code: EFTPAY_CODES.unknownUserKey });
  });

  it('refuses a service the contract does not know, and a paytype that does not match the service', async () => {
    expect(driver.read(sandbox, 'refund', await send({ ...base(sandbox), service: 'service.fps.qrcode.Refund' })).code).toBe(EFTPAY_CODES.badRequest);
    expect(driver.read(sandbox, 'refund', await send({ ...base(sandbox), paytype: 'WeChat' })).code).toBe(EFTPAY_CODES.badRequest);
    expect(sandbox.refunds('eftpay')).toEqual([]);
  });

  it('refuses a body that is not a JSON object, with a signed answer', async () => {
    const answer = await exchange(sandbox.endpoints.eftpay.refund, { method: 'POST', body: '[1,2]' });
    expect(driver.read(sandbox, 'refund', answer)).toMatchObject({ accepted: false, code: EFTPAY_CODES.badRequest });
  });

  it('does not find a refund queried under another order', async () => {
    const refundNo = driver.newRefundNo();
    await driver.sendRefund(sandbox, { refundNo, orderId: 'EFT-PAID-0001', amount: 100 });
    const reading = driver.read(sandbox, 'queryRefund', await driver.sendQuery(sandbox, { refundNo, orderId: 'EFT-PAID-0002' }));
    expect(reading).toMatchObject({ accepted: false, code: EFTPAY_CODES.refundNotFound });
  });
});
