import { createHmac } from 'node:crypto';
import { WireRequest } from '@refundkit/runtime';
import { describe, expect, it } from 'vitest';
import { noAuth, noMac, type BodyMacHook, type RequestAuthHook } from '../src/index.js';

describe('noAuth / noMac (the lianke and yima defaults)', () => {
  it('add nothing', async () => {
    expect(await noAuth(new WireRequest('https://x/', { method: 'POST', body: new Uint8Array([1]) }))).toEqual({});
    expect(await noMac(new Uint8Array([1]))).toEqual({});
  });
});

describe('RequestAuthHook: the request as it goes on the wire (WireRequest)', () => {
  const body = JSON.stringify({ store_no: 'S1', operator: '收银员', refund_amount: 100 });

  it('sees method, URL, headers and the exact UTF-8 body bytes', async () => {
    const hook: RequestAuthHook = (request) => ({ 'x-auth': createHmac('sha256', 'merchant-key').update(request.bodyBytes()).digest('hex'), 'x-method': request.method });
    const request = new WireRequest('https://lianke.example/QuickPay/Refund?x=1', { method: 'post', body, headers: { 'Content-Type': 'application/json' } });
    expect(await hook(request)).toEqual({ 'x-auth': createHmac('sha256', 'merchant-key').update(Buffer.from(body, 'utf8')).digest('hex'), 'x-method': 'POST' });
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(request.url).toBe('https://lianke.example/QuickPay/Refund?x=1');
  });

  it('gives a GET an empty body', async () => {
    let size = -1;
    const hook: RequestAuthHook = (request) => {
      size = request.bodyBytes().length;
      return { authorization: 'Bearer t' };
    };
    expect(await hook(new WireRequest('https://x/q'))).toEqual({ authorization: 'Bearer t' });
    expect(size).toBe(0);
  });

  it('a yima MAC hook sees the raw GBK bytes', async () => {
    const gbk = Uint8Array.from([0xd6, 0xd0, 0xce, 0xc4]); // "中文" in GBK
    const mac: BodyMacHook = (bytes) => ({ 'x-mac': createHmac('md5', 'k').update(bytes).digest('hex').toUpperCase() });
    expect(await mac(gbk)).toEqual({ 'x-mac': createHmac('md5', 'k').update(Buffer.from('d6d0cec4', 'hex')).digest('hex').toUpperCase() });
  });
});
