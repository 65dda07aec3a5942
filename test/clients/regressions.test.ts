/**
 * Bugs the client suites found, kept as regressions: an answer in an unreadable encoding, a GBK
 * error body, and signatures over bytes a text round trip would change.
 */
import { HttpStatusError, ResponseError } from '@refundkit/runtime';
import { createTipayClient } from '@refundkit/tipay';
import { createYimaClient, type Messages } from '@refundkit/yima';
import { describe, expect, it } from 'vitest';
import { answering, exampleBytes, exampleJson, gbk, rejection, sha256Hex } from './support.js';

const yimaRequest = (): Messages['refund.request'] => ({
  request_type: 'barcode_refundbycashfee_request',
  isspid: '39493002',
  pos_id: '1511300001',
  store_id: '1511300001',
  pos_seq: '1511300000004',
  system_id: '8888',
  barcode_refundbycashfee_request: { tx_amt: 10, org_pos_seq: '1511300000001' },
});

describe('yima answers', () => {
  it('an answer declaring an encoding we cannot read is a ResponseError carrying the body, not a refusal', async () => {
    const xml = '<?xml version="1.0" encoding="X-UNKNOWN"?><business_trans><response_type>barcode_refundbycashfee_response</response_type></business_trans>';
    const { fetch } = answering(new TextEncoder().encode(xml));
    const error = await rejection(createYimaClient({ baseUrl: 'https://yima.test/ipos', fetch }).refund(yimaRequest()), ResponseError);
    expect(error.rawBody).toContain('<response_type>barcode_refundbycashfee_response</response_type>');
  });

  it('a truncated answer is never read as a result: every prefix short of the closing tag is a ResponseError', async () => {
    const full = exampleBytes('yima', 'refund.response.xml');
    const end = full.lastIndexOf('</business_trans>');
    expect(end).toBeGreaterThan(0);
    for (let length = Math.floor(end / 2); length < end + '</business_trans>'.length; length += 1) {
      const { fetch } = answering(full.subarray(0, length));
      const error = await createYimaClient({ baseUrl: 'https://yima.test/ipos', fetch })
        .refund(yimaRequest())
        .then(() => undefined, (e: unknown) => e);
      expect(error, `prefix of ${length} bytes`).toBeInstanceOf(ResponseError);
    }
  });

  it('a non-2xx GBK body is decoded as GBK, its bytes kept', async () => {
    const body = gbk('服务器忙,请稍后重试');
    const { fetch } = answering(body, { status: 502 });
    const error = await rejection(createYimaClient({ baseUrl: 'https://yima.test/ipos', fetch }).refund(yimaRequest()), HttpStatusError);
    expect(error.rawBody).toBe('服务器忙,请稍后重试');
    expect([...error.rawBytes]).toEqual([...body]);
  });
});

describe('tipay signatures are checked over the bytes received', () => {
  const appKey = 'regression-app-key';
  const client = createTipayClient({ baseUrl: 'https://tipay.test', appId: 'tichain000000', appKey, fetch: answering('{}').fetch });

  it('a notification with a UTF-8 BOM, signed over its bytes, verifies', () => {
    const json = Buffer.from(JSON.stringify({ refundRequestId: 'r-1', status: 'SUCCESS', merchantNo: '10012426723', orderId: 'o-1' }));
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json]);
    const timestamp = '1735732801234';
    const signature = sha256Hex(Buffer.concat([bytes, Buffer.from(`${timestamp}${appKey}`)]));
    const result = client.verifyNotification(bytes, { 'ti-appid': 'tichain000000', 'ti-timestamp': timestamp, 'ti-signature': signature });
    expect(result.verified).toBe(true);
    expect(result.data.refundRequestId).toBe('r-1');
  });

  it('an answer signed over bytes that are not valid UTF-8 verifies over those bytes', async () => {
    const answer = exampleJson('tipay', 'refund.response.json');
    const json = Buffer.from(JSON.stringify(answer));
    // A stray byte inside a string value: invalid UTF-8, replaced by U+FFFD in any text decode.
    const at = json.indexOf('操作成功');
    const bytes = Buffer.concat([json.subarray(0, at), Buffer.from([0xff]), json.subarray(at)]);
    const timestamp = '1735732801234';
    const signature = sha256Hex(Buffer.concat([bytes, Buffer.from(`${timestamp}${appKey}`)]));
    const signed = createTipayClient({
      baseUrl: 'https://tipay.test',
      appId: 'tichain000000',
      appKey,
      fetch: answering(bytes, { headers: { 'content-type': 'application/json', 'ti-timestamp': timestamp, 'ti-signature': signature } }).fetch,
    });
    const { data } = await signed.refund(exampleJson('tipay', 'refund.request.json') as never);
    expect(data.code).toBe(200);
  });
});
