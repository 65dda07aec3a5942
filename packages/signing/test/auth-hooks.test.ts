import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createAuthHookMiddleware,
  noAuth,
  noMac,
  type BodyMacHook,
  type OutgoingRequest,
  type RequestAuthHook,
} from '../src/index.js';

describe('noAuth / noMac (the lianke and yima defaults)', () => {
  it('add nothing', async () => {
    expect(await noAuth({ method: 'POST', url: 'https://x/', headers: {}, body: new Uint8Array([1]) })).toEqual({});
    expect(await noMac(new Uint8Array([1]))).toEqual({});
  });

  it('as a middleware, pass the request through untouched', async () => {
    const request = new Request('https://lianke.example/QuickPay/Refund', { method: 'POST', body: '{"a":1}' });
    expect(await createAuthHookMiddleware(noAuth).onRequest({ request })).toBeUndefined();
    expect(request.bodyUsed).toBe(false);
  });
});

describe('createAuthHookMiddleware', () => {
  const body = JSON.stringify({ store_no: 'S1', operator: '收银员', refund_amount: 100 });

  it('shows the hook the final request and adds its headers, sending the same bytes', async () => {
    const seen: OutgoingRequest[] = [];
    const hook: RequestAuthHook = async (request) => {
      seen.push(request);
      return { 'x-auth': createHmac('sha256', 'merchant-key').update(request.body).digest('hex') };
    };
    const request = new Request('https://lianke.example/QuickPay/Refund?x=1', {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json' },
    });
    const out = await createAuthHookMiddleware(hook).onRequest({ request });

    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.url).toBe('https://lianke.example/QuickPay/Refund?x=1');
    expect(seen[0]!.headers).toEqual({ 'content-type': 'application/json' });
    expect(Buffer.from(seen[0]!.body).toString('utf8')).toBe(body);
    expect(out).not.toBe(request);
    expect(out!.headers.get('x-auth')).toBe(createHmac('sha256', 'merchant-key').update(body).digest('hex'));
    expect(out!.headers.get('content-type')).toBe('application/json');
    expect(await out!.text()).toBe(body);
  });

  it('gives a GET an empty body', async () => {
    let size = -1;
    const hook: RequestAuthHook = ({ body: bytes }) => {
      size = bytes.length;
      return { authorization: 'Bearer t' };
    };
    const out = await createAuthHookMiddleware(hook).onRequest({ request: new Request('https://x/q') });
    expect(size).toBe(0);
    expect(out!.headers.get('authorization')).toBe('Bearer t');
  });

  it('a yima MAC hook sees the raw GBK bytes', async () => {
    const gbk = Uint8Array.from([0xd6, 0xd0, 0xce, 0xc4]); // "中文" in GBK
    const mac: BodyMacHook = (bytes) => ({ 'x-mac': createHmac('md5', 'k').update(bytes).digest('hex').toUpperCase() });
    expect(await mac(gbk)).toEqual({ 'x-mac': createHmac('md5', 'k').update(Buffer.from('d6d0cec4', 'hex')).digest('hex').toUpperCase() });
  });
});
