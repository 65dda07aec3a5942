/**
 * yima specifics: GBK XML both ways, pos_seq longer than 12 characters, closed requests,
 * the merchant header, and immediate results with the query by org_pos_seq.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as yima from '@refundkit/yima';
import { YIMA_CODES, startSandbox, type Sandbox } from '../src/index.js';
import { yimaDriver as driver } from './support/drivers.js';
import { exchange } from './support/http.js';

describe('yima', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startSandbox();
  });
  afterEach(async () => {
    await sandbox.close();
    expect(sandbox.errors()).toEqual([]);
  });

  const request = (s: Sandbox, overrides: Record<string, unknown> = {}, body: Record<string, unknown> = {}) => ({
    request_type: 'barcode_refundbycashfee_request' as const,
    isspid: s.credentials.yima.isspid,
    pos_id: s.credentials.yima.posId,
    store_id: s.credentials.yima.storeId,
    pos_seq: driver.newRefundNo(),
    system_id: s.credentials.yima.systemId,
    ...overrides,
    barcode_refundbycashfee_request: { tx_amt: 100, org_pos_seq: 'YM-PAID-000000001', ...body },
  });
  const gbk = new TextDecoder('gbk');
  const post = (bytes: Uint8Array | string) => exchange(sandbox.urls.yima, { method: 'POST', body: bytes, headers: { 'content-type': 'text/xml; charset=GBK' } });

  it('answers 0000 at once, in GBK, echoing isspid, pos_id and pos_seq, with the WeChat details', async () => {
    const message = request(sandbox);
    const answer = await post(yima.writeMessage('refund.request', message));
    expect(driver.read(sandbox, 'refund', answer)).toMatchObject({ accepted: true, code: '0000', amount: 100 });
    expect(gbk.decode(answer.body)).toContain('<comment>成功</comment>');
    const value = yima.readMessage('refund.response', answer.body).value;
    expect(value).toMatchObject({ isspid: message.isspid, pos_id: message.pos_id, pos_seq: message.pos_seq, pay_type: '503' });
    expect(value.wxpay_res_info).toMatchObject({ out_trade_no: 'YM-PAID-000000001', total_fee: '10000', refund_fee: '100', cash_refund_fee: '100' });
  });

  it('refuses a 12-character org_pos_seq as well as pos_seq (大于12位)', async () => {
    const answer = await post(yima.encodeMessage('refund.request', request(sandbox, {}, { org_pos_seq: '123456789012' }) as never));
    expect(driver.read(sandbox, 'refund', answer).code).toBe(YIMA_CODES.badRequest);
    expect(gbk.decode(answer.body)).toMatch(/org_pos_seq/);
  });

  it('refuses an element the request type does not declare', async () => {
    // The message is ASCII only, so its GBK bytes are its latin1 bytes.
    const xml = Buffer.from(yima.writeMessage('refund.request', request(sandbox))).toString('latin1').replace('<system_id>', '<extra>1</extra><system_id>');
    expect(driver.read(sandbox, 'refund', await post(Buffer.from(xml, 'latin1'))).code).toBe(YIMA_CODES.badRequest);
  });

  it('answers a body that is not a yima request with 0001 in a valid refund answer', async () => {
    const notXml = driver.read(sandbox, 'refund', await post('hello'));
    expect(notXml).toMatchObject({ accepted: false, code: YIMA_CODES.badRequest });
    const aResponse = yima.writeMessage('refund.response', {
      response_type: 'barcode_refundbycashfee_response', isspid: 'X', pos_id: 'Y', pos_seq: 'Z', result: { id: '0000', comment: 'ok' },
    });
    expect(driver.read(sandbox, 'refund', await post(aResponse)).code).toBe(YIMA_CODES.badRequest);
  });

  it('refuses an unknown system_id with 6103', async () => {
    const answer = await post(yima.writeMessage('refund.request', request(sandbox, { system_id: '0000' })));
    expect(driver.read(sandbox, 'refund', answer).code).toBe(YIMA_CODES.unauthorised);
  });

  it("answers a query with the refund's result and the query's own pos_seq", async () => {
    const refundNo = driver.newRefundNo();
    await driver.sendRefund(sandbox, { refundNo, orderId: 'YM-PAID-000000001', amount: 250 });
    const answer = await driver.sendQuery(sandbox, { refundNo, orderId: 'YM-PAID-000000001' });
    expect(driver.read(sandbox, 'queryRefund', answer)).toMatchObject({ accepted: true, amount: 250 });
    const value = yima.readMessage('queryRefund.response', answer.body).value;
    expect(value.response_type).toBe('barcode_refundquery_response');
    expect(value.pos_seq).not.toBe(refundNo);
    expect(value.pos_seq).toMatch(/^YMQ/);
  });

  it('refuses a request with an invalid GBK byte with 0001 before recording anything (never a refund, then a 500)', async () => {
    const refundNo = driver.newRefundNo();
    const xml = Buffer.from(yima.writeMessage('refund.request', request(sandbox, { pos_seq: refundNo })));
    const at = xml.indexOf(refundNo) + refundNo.length;
    // 0x81 0xFF: a GBK lead byte followed by a byte no GBK trail byte can be.
    const broken = Buffer.concat([xml.subarray(0, at), Buffer.from([0x81, 0xff]), xml.subarray(at)]);
    const answer = await post(broken);
    expect(answer.status).toBe(200);
    expect(driver.read(sandbox, 'refund', answer)).toMatchObject({ accepted: false, code: YIMA_CODES.badRequest });
    expect(gbk.decode(answer.body)).toContain('not valid GBK');
    expect(sandbox.refunds('yima')).toEqual([]);
    expect(sandbox.refundedTotal('yima', 'YM-PAID-000000001')).toBe(0);
    expect(sandbox.requests()).toMatchObject([{ outcome: 'rejected', committed: false, reason: expect.stringMatching(/not valid GBK/) }]);
  });

  it('refuses a request declaring an encoding other than GBK with 0001', async () => {
    const xml = Buffer.from(yima.writeMessage('refund.request', request(sandbox))).toString('latin1').replace('encoding="GBK"', 'encoding="utf-7"');
    const answer = await post(Buffer.from(xml, 'latin1'));
    expect(driver.read(sandbox, 'refund', answer)).toMatchObject({ accepted: false, code: YIMA_CODES.badRequest });
    expect(sandbox.refunds('yima')).toEqual([]);
  });
});
