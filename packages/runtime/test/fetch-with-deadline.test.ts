import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferedResponse, ConnectionError, fetchWithDeadline, HttpStatusError, TimeoutError, WireRequest } from '../src/index.js';

let server: Server;
let base: string;
const pending = new Set<NodeJS.Timeout>();

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ok') res.end('{"code":"SUCCESS"}');
    else if (req.url === '/gbk') res.end(Buffer.from([0xcd, 0xcb, 0xbf, 0xee])); // 退款 in GBK
    else if (req.url === '/500') {
      res.statusCode = 500;
      res.end('internal');
    } else if (req.url === '/slow-headers') pending.add(setTimeout(() => res.end('late'), 2_000));
    else if (req.url === '/slow-body') {
      res.write('{"partial":');
      pending.add(setTimeout(() => res.end('1}'), 2_000));
    } else if (req.url === '/reset') req.socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const t of pending) clearTimeout(t);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const get = (path: string, timeoutMs = 10_000) => fetchWithDeadline({ timeoutMs })(new WireRequest(`${base}${path}`));

describe('fetchWithDeadline', () => {
  it('returns a buffered response whose raw bytes survive (no text decoding)', async () => {
    const response = await get('/gbk');
    expect(response).toBeInstanceOf(BufferedResponse);
    expect([...response.bytes]).toEqual([0xcd, 0xcb, 0xbf, 0xee]);
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([0xcd, 0xcb, 0xbf, 0xee]);
    expect(await response.arrayBuffer()).not.toBe(response.bytes.buffer); // a copy: the caller may change it
  });

  it('throws HttpStatusError with the body for a non-2xx answer', async () => {
    const error = await get('/500').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 500, rawBody: 'internal', mayHaveReachedProvider: true });
  });

  it('times out while waiting for headers', async () => {
    const error = await get('/slow-headers', 300).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 300, mayHaveReachedProvider: true });
  });

  it('times out while the body is still arriving', async () => {
    expect(await get('/slow-body', 300).catch((e: unknown) => e)).toBeInstanceOf(TimeoutError);
  });

  it('a reset connection may have reached the provider', async () => {
    const error = await get('/reset').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ mayHaveReachedProvider: true });
  });

  it('a refused connection did not', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await fetchWithDeadline({ timeoutMs: 1_000 })(new WireRequest(`http://127.0.0.1:${port}/`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ mayHaveReachedProvider: false });
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('calls an injected fetch with the URL and a plain init carrying the exact body', async () => {
    const seen: unknown[] = [];
    const send = fetchWithDeadline({
      fetch: async (url, init) => {
        seen.push([url, init.method, new Headers(init.headers).get('x-sign'), init.body, init.signal instanceof AbortSignal]);
        return new Response('ok');
      },
    });
    const bytes = Uint8Array.from([0xcd, 0xcb]);
    await send(new WireRequest('http://127.0.0.1:9/x', { method: 'post', body: 'a=1', headers: { 'x-sign': 's' } }));
    await send(new WireRequest('http://127.0.0.1:9/y', { method: 'POST', body: bytes }));
    await send(new WireRequest('http://127.0.0.1:9/z'));
    expect(seen).toEqual([
      ['http://127.0.0.1:9/x', 'POST', 's', 'a=1', true],
      ['http://127.0.0.1:9/y', 'POST', null, bytes, true],
      ['http://127.0.0.1:9/z', 'GET', null, undefined, true],
    ]);
  });

  it('aborts the exchange when the caller\'s signal aborts, and reports it as a connection error', async () => {
    const caller = new AbortController();
    const send = fetchWithDeadline({
      timeoutMs: 10_000,
      fetch: (_url, init) => new Promise<Response>((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true })),
    });
    const pending = send(new WireRequest('http://127.0.0.1:9/', { signal: caller.signal })).catch((e: unknown) => e);
    caller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).not.toBeInstanceOf(TimeoutError);
  });

  it('times out even when the fetch ignores the abort signal', async () => {
    const deaf = fetchWithDeadline({ timeoutMs: 100, fetch: () => new Promise<Response>(() => undefined) });
    const error = await deaf(new WireRequest('http://127.0.0.1:9/')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it('keeps a non-2xx body\'s bytes and decodes it with the given charset', async () => {
    const gbk = Uint8Array.from([0xb7, 0xfe, 0xce, 0xf1, 0xc6, 0xf7, 0xc3, 0xa6]); // 服务器忙
    const send = fetchWithDeadline({ fetch: async () => new Response(gbk, { status: 502 }), decodeBody: (b) => new TextDecoder('gbk').decode(b) });
    const error = (await send(new WireRequest('http://127.0.0.1:9/')).catch((e: unknown) => e)) as HttpStatusError;
    expect(error.rawBody).toBe('服务器忙');
    expect([...error.rawBytes]).toEqual([...gbk]);
  });

  it('refuses a non-positive timeout', () => {
    expect(() => fetchWithDeadline({ timeoutMs: 0 })).toThrow(RangeError);
  });
});
