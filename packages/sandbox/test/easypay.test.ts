/**
 * easypay specifics: the async mode (9 then 0), the payment's date, the merchant code, and
 * answers that are signed even when they refuse.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEasypaySigner } from '@refundkit/signing';
import * as easypay from '@refundkit/easypay';
import { EASYPAY_CODES, startSandbox, type Sandbox } from '../src/index.js';
import { easypayDriver as driver } from './support/drivers.js';
import { exchange } from './support/http.js';

describe('easypay', () => {
  let sandbox: Sandbox;
  afterEach(async () => {
    await sandbox.close();
    expect(sandbox.errors()).toEqual([]);
  });

  function signed(s: Sandbox, reqOrderInfo: Record<string, unknown>, mchtCode = s.credentials.easypay.mchtCode) {
    const signer = createEasypaySigner({ privateKey: s.credentials.easypay.merchantPrivateKeyPem });
    return signer.signRequest({
      reqHeader: { transTime: '20250102101010', reqId: 'R1' },
      reqBody: { reqInfo: { mchtCode }, reqOrderInfo, payInfo: { payType: 'AliPayRefund', transDate: '20250102' } },
    });
  }

  it("in async mode answers transState 9, and 0 once delayMs has passed", async () => {
    let offset = 0;
    sandbox = await startSandbox({ easypayMode: 'async', delayMs: 5000, clock: () => Date.now() + offset });
    const refundNo = driver.newRefundNo();
    const created = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo, orderId: 'EP-PAID-0001', amount: 100 }));
    expect(created).toMatchObject({ accepted: true, status: '9', phase: 'pending' });
    expect(driver.read(sandbox, 'queryRefund', await driver.sendQuery(sandbox, { refundNo, orderId: 'EP-PAID-0001' })).status).toBe('9');
    offset += 5000;
    expect(driver.read(sandbox, 'queryRefund', await driver.sendQuery(sandbox, { refundNo, orderId: 'EP-PAID-0001' })).status).toBe('0');
  });

  it('answers a success with settlement details, like the seed example', async () => {
    sandbox = await startSandbox();
    const answer = await driver.sendRefund(sandbox, { refundNo: driver.newRefundNo(), orderId: 'EP-PAID-0001', amount: 1 });
    driver.read(sandbox, 'refund', answer);
    const value = JSON.parse(answer.text);
    expect(Object.keys(value)).toEqual(['rspHeader', 'rspBody', 'rspSign']);
    expect(value.rspHeader).toEqual({ rspCode: '000000', rspInfo: 'SUCCESS', easyPayCertificateId: '00000000' });
    expect(value.rspBody.settleRespParamInfo).toMatchObject({ settleAmt: 1, settleDate: expect.stringMatching(/^\d{8}$/) });
    expect(Buffer.from(value.rspSign, 'base64')).toHaveLength(256);
  });

  it('finds no payment when oriTransDate is not the payment date', async () => {
    sandbox = await startSandbox();
    const message = signed(sandbox, { orgTrace: 'T1', oriOrgTrace: 'EP-PAID-0001', oriTransDate: '20240101', refundAmount: 1 });
    const reading = driver.read(sandbox, 'refund', await exchange(sandbox.endpoints.easypay.refund, { method: 'POST', body: JSON.stringify(message) }));
    expect(reading).toMatchObject({ accepted: false, code: EASYPAY_CODES.orderNotFound });
  });

  it('refuses an unknown mchtCode in rspHeader, signed', async () => {
    sandbox = await startSandbox();
    const message = signed(sandbox, { orgTrace: 'T1', oriOrgTrace: 'EP-PAID-0001', oriTransDate: '20250101', refundAmount: 1 }, '999999999999999');
    const answer = await exchange(sandbox.endpoints.easypay.refund, { method: 'POST', body: JSON.stringify(message) });
    expect(driver.read(sandbox, 'refund', answer)).toMatchObject({ accepted: false, code: EASYPAY_CODES.unknownMerchant });
    expect(JSON.parse(answer.text).rspHeader.rspCode).toBe(EASYPAY_CODES.unknownMerchant);
  });

  it('refuses a body that is not JSON, and a request without reqSign, with signed answers', async () => {
    sandbox = await startSandbox();
    const notJson = driver.read(sandbox, 'refund', await exchange(sandbox.endpoints.easypay.refund, { method: 'POST', body: '{"reqHeader":' }));
    expect(notJson.code).toBe(EASYPAY_CODES.badRequest);
    const { reqSign: _dropped, ...unsigned } = signed(sandbox, { orgTrace: 'T1', oriOrgTrace: 'EP-PAID-0001', oriTransDate: '20250101', refundAmount: 1 });
    const missing = driver.read(sandbox, 'refund', await exchange(sandbox.endpoints.easypay.refund, { method: 'POST', body: JSON.stringify(unsigned) }));
    expect(missing.code).toBe(EASYPAY_CODES.badSignature);
    expect(sandbox.refunds('easypay')).toEqual([]);
  });

  it('refuses a signed request the schema rejects, naming the field', async () => {
    sandbox = await startSandbox();
    const message = signed(sandbox, { orgTrace: 'T1', oriOrgTrace: 'EP-PAID-0001', oriTransDate: '20250101', refundAmount: 0 });
    const answer = await exchange(sandbox.endpoints.easypay.refund, { method: 'POST', body: JSON.stringify(message) });
    expect(driver.read(sandbox, 'refund', answer).code).toBe(EASYPAY_CODES.badRequest);
    expect(JSON.parse(answer.text).rspHeader.rspInfo).toMatch(/refundAmount/);
    expect(easypay.validators['refund.response'](JSON.parse(answer.text))).toBe(true);
  });

  it('does not find a refund queried with another date', async () => {
    sandbox = await startSandbox();
    const refundNo = driver.newRefundNo();
    await driver.sendRefund(sandbox, { refundNo, orderId: 'EP-PAID-0001', amount: 1 });
    const signer = createEasypaySigner({ privateKey: sandbox.credentials.easypay.merchantPrivateKeyPem });
    const query = signer.signRequest({
      reqHeader: { transTime: '20250102101010', reqId: 'Q1' },
      reqBody: { reqInfo: { mchtCode: sandbox.credentials.easypay.mchtCode }, reqOrderInfo: { oriOrgTrace: refundNo, oriTransDate: '20250103' }, payInfo: { payType: 'AliPayRefund' } },
    });
    const reading = driver.read(sandbox, 'queryRefund', await exchange(sandbox.endpoints.easypay.queryRefund, { method: 'POST', body: JSON.stringify(query) }));
    expect(reading).toMatchObject({ accepted: false, code: EASYPAY_CODES.refundNotFound });
  });

  it("with keys: 'generate', signs and verifies with fresh pairs", async () => {
    sandbox = await startSandbox({ keys: 'generate' });
    expect(sandbox.credentials.easypay.merchantPrivateKeyPath).toBeUndefined();
    expect(sandbox.credentials.easypay.easypayPublicKeyPem).not.toContain('TEST KEY ONLY');
    const reading = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo: driver.newRefundNo(), orderId: 'EP-PAID-0001', amount: 1 }));
    expect(reading.accepted).toBe(true);
  });
});
