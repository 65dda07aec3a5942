/**
 * tipay specifics: the ti-* headers (app id, timestamp window, GET query signature), exact
 * yuan amounts, and the answer envelope.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTipaySigner } from '@refundkit/signing';
import { TIPAY_CODES, startSandbox, type Sandbox } from '../src/index.js';
import { tipayDriver as driver } from './support/drivers.js';
import { exchange } from './support/http.js';

describe('tipay', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startSandbox();
  });
  afterEach(async () => {
    await sandbox.close();
    expect(sandbox.errors()).toEqual([]);
  });

  const signer = (clock?: () => number) =>
    createTipaySigner({ appId: sandbox.credentials.tipay.appId, appKey: sandbox.credentials.tipay.appKey, clock });
  const body = (amount = '0.29') =>
    JSON.stringify({ merchantNo: sandbox.credentials.tipay.merchantNo, orderId: 'TP-PAID-0001', refundRequestId: driver.newRefundNo(), refundAmount: amount });
  const post = (text: string, headers: object) =>
    exchange(sandbox.endpoints.tipay.refund, { method: 'POST', body: text, headers: { 'content-type': 'application/json', ...headers } });

  it('answers {code: 200, success: true, data} with the amount exactly as sent', async () => {
    const text = body('0.29');
    const answer = await post(text, signer().signRequest({ method: 'POST', url: sandbox.endpoints.tipay.refund, body: text }));
    expect(driver.read(sandbox, 'refund', answer)).toMatchObject({ accepted: true, status: 'PROCESSING', amount: 29 });
    const value = JSON.parse(answer.text);
    expect(value.data.refundAccountDetail).toBe('[{"accountType":"FUND_ACCOUNT","debitAmount":0.29}]');
    expect(value.data.refundRequestDate).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(sandbox.refundedTotal('tipay', 'TP-PAID-0001')).toBe(29);
  });

  it('refuses another ti-appid, a missing signature and a stale timestamp', async () => {
    const text = body();
    const url = sandbox.endpoints.tipay.refund;
    const other = createTipaySigner({ appId: 'someone-else', appKey: sandbox.credentials.tipay.appKey }).signRequest({ method: 'POST', url, body: text });
    expect(driver.read(sandbox, 'refund', await post(text, other)).code).toBe(String(TIPAY_CODES.unknownMerchant));
    const { 'ti-signature': _s, ...unsigned } = signer().signRequest({ method: 'POST', url, body: text });
    expect(driver.read(sandbox, 'refund', await post(text, unsigned)).code).toBe(String(TIPAY_CODES.badSignature));
    const stale = signer(() => Date.now() - 10 * 60_000).signRequest({ method: 'POST', url, body: text });
    expect(driver.read(sandbox, 'refund', await post(text, stale)).code).toBe(String(TIPAY_CODES.badSignature));
    expect(sandbox.refunds('tipay')).toEqual([]);
  });

  it('refuses a body that differs from the signed bytes', async () => {
    const text = body();
    const headers = signer().signRequest({ method: 'POST', url: sandbox.endpoints.tipay.refund, body: text });
    const answer = await post(text.replace('0.29', '0.30'), headers);
    expect(driver.read(sandbox, 'refund', answer)).toMatchObject({ accepted: false, code: String(TIPAY_CODES.badSignature) });
  });

  it('verifies the GET query over its parameters in URL order, and refuses a repeated one', async () => {
    const refundNo = driver.newRefundNo();
    await driver.sendRefund(sandbox, { refundNo, orderId: 'TP-PAID-0001', amount: 100 });
    const c = sandbox.credentials.tipay;
    const url = `${sandbox.endpoints.tipay.queryRefund}?orderId=TP-PAID-0001&merchantNo=${c.merchantNo}&refundRequestId=${refundNo}`;
    const ok = await exchange(url, { headers: signer().signRequest({ method: 'GET', url }) });
    expect(driver.read(sandbox, 'queryRefund', ok)).toMatchObject({ accepted: true, status: 'SUCCESS' });

    const signedForOtherOrder = signer().signRequest({ method: 'GET', url: url.replace('TP-PAID-0001', 'TP-PAID-0002') });
    expect(driver.read(sandbox, 'queryRefund', await exchange(url, { headers: signedForOtherOrder })).code).toBe(String(TIPAY_CODES.badSignature));

    const repeated = `${url}&orderId=again`;
    const answer = await exchange(repeated, { headers: signer().signRequest({ method: 'GET', url }) });
    expect(driver.read(sandbox, 'queryRefund', answer).code).toBe(String(TIPAY_CODES.badRequest));
  });

  it('answers a refusal with success false and data null', async () => {
    const answer = await driver.sendRefund(sandbox, { refundNo: driver.newRefundNo(), orderId: 'TP-UNPAID-0001', amount: 100 });
    driver.read(sandbox, 'refund', answer);
    expect(JSON.parse(answer.text)).toMatchObject({ code: TIPAY_CODES.orderNotPaid, success: false, data: null, msg: expect.stringContaining('SUCCESS') });
  });
});
