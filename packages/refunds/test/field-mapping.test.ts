/**
 * What each provider receives on the wire for a refund, through `createRefunds` with an injected
 * fetch: paths, headers, every field, signatures, and the dates in the provider's time zone.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEasypaySigner, Secret } from '@refundkit/signing';
import { EFTPAY_WALLETS, MemoryLedger, type EftpayPaymentType } from '../src/index.js';
import {
  easypayAnswer,
  easypayMerchantCheck,
  eftpayAnswer,
  eftpaySigner,
  facade,
  input,
  INPUTS,
  keyFile,
  liankeAnswer,
  liankeData,
  parsed,
  pem,
  scripted,
  tipayAnswer,
  yimaAnswer,
  yimaRequest,
} from './support.js';

// 2024-11-04 17:30 UTC is 2024-11-05 01:30 in Shanghai and Hong Kong: the wire must carry the local date.
const NOW = new Date('2024-11-04T17:30:00Z');

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('easypay refund on the wire', () => {
  it('POSTs {reqHeader, reqBody, reqSign} to speedRefund: orderId → oriOrgTrace, refundId → orgTrace, fen, local dates', async () => {
    const script = scripted(easypayAnswer({ transState: '0' }));
    const ledger = new MemoryLedger();
    const refund = await facade('easypay', script, { ledger }).refund(input('easypay'));
    expect(refund.status).toBe('succeeded');
    const [call] = script.calls;
    expect(call!.method).toBe('POST');
    expect(call!.url).toBe('https://easypay.test/yqt/trade/refund/speedRefund');
    expect(call!.headers.get('content-type')).toMatch(/^application\/json/);
    const wire = parsed(call!);
    expect(Object.keys(wire)).toEqual(['reqHeader', 'reqBody', 'reqSign']);
    expect(wire['reqHeader']).toEqual({ transTime: '20241105013000', reqId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(wire['reqBody']).toEqual({
      reqInfo: { mchtCode: '531000023045074' },
      reqOrderInfo: { orgTrace: INPUTS.easypay.refundId, oriOrgTrace: INPUTS.easypay.orderId, oriTransDate: '20241104', refundAmount: 150 },
      payInfo: { payType: 'AliPayRefund', transDate: '20241105' },
    });
    expect(easypayMerchantCheck.verifyNotification(wire)).toEqual({ valid: true });
    // What a later query needs is kept with the refund.
    expect((await ledger.get(refund))!.meta).toEqual({ payType: 'AliPayRefund', transDate: '20241105' });
  });

  it('backUrl is the refund\'s notifyUrl, else the configured one, else absent', async () => {
    const script = scripted(easypayAnswer({ transState: '9' }), easypayAnswer({ transState: '9' }));
    const refunds = facade('easypay', script, { config: { notifyUrl: 'https://merchant.test/easypay/notify' } });
    await refunds.refund(input('easypay'));
    await refunds.refund(input('easypay', { refundId: 'second-refund', notifyUrl: 'https://merchant.test/other' }));
    expect(parsed(script.calls[0]!)['reqBody'].reqOrderInfo.backUrl).toBe('https://merchant.test/easypay/notify');
    expect(parsed(script.calls[1]!)['reqBody'].reqOrderInfo.backUrl).toBe('https://merchant.test/other');
  });

  it('reqType and certificateId go in reqHeader when configured', async () => {
    const script = scripted(easypayAnswer({ transState: '0' }));
    await facade('easypay', script, { config: { reqType: '1', certificateId: 'CERT-01' } }).refund(input('easypay'));
    expect(parsed(script.calls[0]!)['reqHeader']).toEqual(expect.objectContaining({ reqType: '1', certificateId: 'CERT-01' }));
  });

  it('keys may be inline (a Secret of PKCS#1 PEM, an X.509 certificate) instead of files', async () => {
    const script = scripted(easypayAnswer({ transState: '0' }));
    const refund = await facade('easypay', script, {
      config: { privateKeyFile: undefined, privateKey: new Secret(pem('test-key.pkcs1.pem')), easypayPublicKeyFile: undefined, easypayPublicKey: pem('test-cert.pem') },
    }).refund(input('easypay'));
    expect(refund.status).toBe('succeeded');
    // Signed with the inline key (test-key), not the configured file's (other-key).
    const check = createEasypaySigner({ easypayPublicKey: pem('test-public.pem') });
    expect(check.verifyNotification(parsed(script.calls[0]!))).toEqual({ valid: true });
    expect(easypayMerchantCheck.verifyNotification(parsed(script.calls[0]!)).valid).toBe(false);
  });

  it('key files are read once, when the client is created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'refundkit-keys-'));
    try {
      copyFileSync(keyFile('other-key.pem'), join(dir, 'merchant.pem'));
      copyFileSync(keyFile('test-cert.pem'), join(dir, 'easypay-cert.pem'));
      const script = scripted(easypayAnswer({ transState: '0' }), easypayAnswer({ transState: '0', order: { orgTrace: 'second-refund', outTrace: '9953608358403046481921', refundAmount: 150 } }));
      const refunds = facade('easypay', script, { config: { privateKeyFile: join(dir, 'merchant.pem'), easypayPublicKeyFile: join(dir, 'easypay-cert.pem') } });
      expect((await refunds.refund(input('easypay'))).status).toBe('succeeded');
      rmSync(dir, { recursive: true });
      // The files are gone: a second refund still signs and verifies with the keys read at creation.
      expect((await refunds.refund(input('easypay', { refundId: 'second-refund' }))).status).toBe('succeeded');
      expect(easypayMerchantCheck.verifyNotification(parsed(script.calls[1]!))).toEqual({ valid: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('eftpay refund on the wire', () => {
  it('POSTs a flat signed message: out_trade_no, refund_no, two-decimal amount, Hong Kong time, user_confirm_key', async () => {
    const script = scripted(eftpayAnswer({ trade_status: 'TRADE_REFUND' }));
    const ledger = new MemoryLedger();
    const refund = await facade('eftpay', script, { ledger }).refund(input('eftpay'));
    expect(refund.status).toBe('succeeded');
    const [call] = script.calls;
    expect(call!.url).toBe('https://eftpay.test/VMP/Servlet/JSAPIService.do');
    expect(call!.method).toBe('POST');
    const wire = parsed(call!);
    expect(wire).toEqual({
      service: 'service.alipay.qrcode.Refund',
      user_confirm_key: 'S0003469',
      transaction_amount: '10.01',
      out_trade_no: INPUTS.eftpay.orderId,
      paytype: 'Alipay',
      buyertype: 'others',
      payment_type: 'ALIPAYCN',
      refund_no: INPUTS.eftpay.refundId,
      time: '20241105013000',
      sign: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(eftpaySigner.verify(wire)).toEqual({ valid: true });
    expect((await ledger.get(refund))!.meta).toEqual({ paymentType: 'ALIPAYCN', buyerType: 'others' });
  });

  const ROWS: Array<[EftpayPaymentType, string, string]> = [
    ['ALIPAYCN', 'service.alipay.qrcode.Refund', 'Alipay'],
    ['ALIPAYHK', 'service.alipay.qrcode.Refund', 'Alipay'],
    ['ALIPAYBOTH', 'service.alipay.qrcode.Refund', 'Alipay'],
    ['WECHATCN', 'service.wechat.qrcode.Refund', 'WeChat'],
    ['WECHATHK', 'service.wechat.qrcode.Refund', 'WeChat'],
    ['ATOME', 'service.atome.v1.qrcode.Refund', 'ATOME'],
    ['UNIONPAY', 'service.unionpay.qrcode.csb.Refund', 'UnionPay'],
    ['GBPAY', 'api.service.gbpay.qrcode.cash.Refund', 'GBPAY'],
    ['PAYME', 'service.payme.qrcode.Refund', 'PAYME'],
  ];

  it('the wallet table has one row per payment_type of the seed', () => {
    expect(Object.keys(EFTPAY_WALLETS).sort()).toEqual(ROWS.map(([p]) => p).sort());
  });

  it.each(ROWS)('paymentType %s → service %s, paytype %s', async (paymentType, service, paytype) => {
    const script = scripted(eftpayAnswer({ trade_status: 'APPLY_SUCCESS', payment_type: paymentType }));
    const refund = await facade('eftpay', script).refund(input('eftpay', { options: { paymentType, buyerType: 'ios' } }));
    expect(refund.status).toBe('pending');
    expect(parsed(script.calls[0]!)).toEqual(expect.objectContaining({ service, paytype, payment_type: paymentType, buyertype: 'ios' }));
  });

  it('the amount is written exactly, in major units with two decimals', async () => {
    const script = scripted(eftpayAnswer({ trade_status: 'TRADE_REFUND' }), eftpayAnswer({ trade_status: 'TRADE_REFUND' }));
    const refunds = facade('eftpay', script);
    await refunds.refund(input('eftpay', { amount: 1 }));
    await refunds.refund(input('eftpay', { refundId: 'R2', amount: 110 }));
    expect(script.calls.map((c) => parsed(c)['transaction_amount'])).toEqual(['0.01', '1.10']);
  });
});

describe('lianke refund on the wire', () => {
  it('POSTs RefundInfo: order_no, refund_no, fen, orderAmount → amount, reason → refund_desc, items → itemlist', async () => {
    const script = scripted(liankeAnswer('SUCCESS', liankeData('CREATE')));
    const refund = await facade('lianke', script).refund(
      input('lianke', { orderAmount: 500, reason: '顾客退货', items: [{ id: 'sku-1', name: '苹果', quantity: 2, price: 150 }] }),
    );
    expect(refund.status).toBe('pending');
    const [call] = script.calls;
    expect(call!.url).toBe('https://lianke.test/QuickPay/Refund');
    expect(call!.headers.get('content-type')).toMatch(/^application\/json/);
    expect(parsed(call!)).toEqual({
      store_no: 'STORE-001',
      operator: 'cashier-7',
      amount: 500,
      refund_amount: 300,
      order_no: 'LK-ORDER-1',
      refund_no: 'LK-REFUND-1',
      refund_desc: '顾客退货',
      itemlist: [{ item_id: 'sku-1', item_name: '苹果', quantity: 2, price: 150 }],
    });
  });

  it('leaves out amount, refund_desc and itemlist when the refund has none', async () => {
    const script = scripted(liankeAnswer('SUCCESS', liankeData('CREATE')));
    await facade('lianke', script).refund(input('lianke'));
    expect(Object.keys(parsed(script.calls[0]!)).sort()).toEqual(['operator', 'order_no', 'refund_amount', 'refund_no', 'store_no']);
  });

  it('the auth hook adds its headers to the request it sees', async () => {
    const script = scripted(liankeAnswer('SUCCESS', liankeData('REFUNDED')));
    const seen: string[] = [];
    await facade('lianke', script, {
      config: {
        auth: (request: { bodyBytes(): Uint8Array }) => {
          seen.push(new TextDecoder().decode(request.bodyBytes()));
          return { 'x-lianke-token': 'token-123' };
        },
      },
    }).refund(input('lianke'));
    expect(script.calls[0]!.headers.get('x-lianke-token')).toBe('token-123');
    expect(seen).toEqual([script.calls[0]!.text]);
  });
});

describe('tipay refund on the wire', () => {
  it('POSTs orderId, refundRequestId, a yuan amount, signed ti-* headers', async () => {
    const script = scripted(tipayAnswer('PROCESSING'));
    await facade('tipay', script).refund(input('tipay', { reason: '退货' }));
    const [call] = script.calls;
    expect(call!.url).toBe('https://tipay.test/api/v1/yb/trade/refund');
    expect(parsed(call!)).toEqual({ merchantNo: '10012426723', orderId: 'order123456789', refundRequestId: 'refundorder987654', refundAmount: '1.10', description: '退货' });
    expect(call!.headers.get('ti-appid')).toBe('tichain000001');
    expect(call!.headers.get('ti-signature')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('yima refund on the wire', () => {
  it('POSTs GBK XML to the configured URL: org_pos_seq, pos_seq, tx_amt in fen, goods_detail', async () => {
    const script = scripted(yimaAnswer('0000'));
    const refund = await facade('yima', script, { config: { userId: 'user01' } }).refund(
      input('yima', { options: { payType: '503' }, items: [{ id: 'apple-01', name: '苹果手机', quantity: 1, price: 10 }] }),
    );
    expect(refund.status).toBe('succeeded');
    const [call] = script.calls;
    expect(call!.url).toBe('https://yima.test/ipos/trans');
    expect(call!.method).toBe('POST');
    expect(call!.headers.get('content-type')).toBe('text/xml; charset=GBK');
    expect(call!.text.startsWith('<?xml version="1.0" encoding="GBK"?>')).toBe(true);
    // 苹果 in GBK is C6 BB B9 FB (in UTF-8 it would be E8 8B B9 E6 9E 9C).
    expect(Buffer.from(call!.bytes).includes(Buffer.from([0xc6, 0xbb, 0xb9, 0xfb]))).toBe(true);
    expect(yimaRequest('refund.request', call!)).toEqual({
      request_type: 'barcode_refundbycashfee_request',
      isspid: '39493002',
      pos_id: '1511300001',
      store_id: '1511300009',
      pos_seq: INPUTS.yima.refundId,
      user_id: 'user01',
      system_id: '8888',
      barcode_refundbycashfee_request: {
        pay_type: '503',
        tx_amt: 10,
        org_pos_seq: INPUTS.yima.orderId,
        goods_detail: [{ goods_id: 'apple-01', goods_name: '苹果手机', quantity: 1, price: 10 }],
      },
    });
  });

  it('leaves out pay_type, user_id and goods_detail when not given', async () => {
    const script = scripted(yimaAnswer('0000'));
    await facade('yima', script).refund(input('yima'));
    const request = yimaRequest('refund.request', script.calls[0]!);
    expect(request.user_id).toBeUndefined();
    expect(request.barcode_refundbycashfee_request).toEqual({ tx_amt: 10, org_pos_seq: INPUTS.yima.orderId });
  });

  it('the MAC hook sees the GBK bytes sent and adds its headers', async () => {
    const script = scripted(yimaAnswer('0000'));
    const macs: Uint8Array[] = [];
    await facade('yima', script, {
      config: {
        mac: (body: Uint8Array) => {
          macs.push(body);
          return { 'x-mac': 'abc' };
        },
      },
    }).refund(input('yima'));
    expect(script.calls[0]!.headers.get('x-mac')).toBe('abc');
    expect(Buffer.from(macs[0]!).equals(Buffer.from(script.calls[0]!.bytes))).toBe(true);
  });
});
