// openapi-fetch over refundkit's transport: the WireRequest stands in for `Request` and the
// BufferedResponse for `Response`. These tests pin the openapi-fetch behaviour that relies on
// (it builds its `Request` option with (url, init) and reads status/ok/headers/arrayBuffer).
import createClient from 'openapi-fetch';
import { describe, expect, it } from 'vitest';
import { HttpStatusError, openapiFetchTransport, WireRequest, type FetchLike } from '../src/index.js';

interface Paths {
  '/refund': { post: { requestBody: { content: { 'application/json': { amount: string; note?: string } } }; responses: { 200: { content: { 'application/json': unknown } } } } };
  '/query': { get: { parameters: { query: { id: string } }; responses: { 200: { content: { 'application/json': unknown } } } } };
}

interface Seen {
  readonly url: string;
  readonly init: RequestInit;
}

function recording(answer: () => Response = () => new Response('{"ok":true}')): { fetch: FetchLike; seen: Seen[] } {
  const seen: Seen[] = [];
  return { seen, fetch: async (url, init) => (seen.push({ url, init }), answer()) };
}

describe('openapiFetchTransport', () => {
  it('sends the JSON body openapi-fetch serialised, as a string, with the hook\'s headers over that exact body', async () => {
    const { fetch, seen } = recording();
    const hooked: string[] = [];
    const http = createClient<Paths>(openapiFetchTransport({
      baseUrl: 'http://127.0.0.1:9/',
      fetch,
      headersFor: (request) => {
        expect(request).toBeInstanceOf(WireRequest);
        hooked.push(`${request.method} ${request.url} ${String(request.body)}`);
        return { 'x-sign': `len=${request.bodyBytes().length}`, 'content-type': 'application/json; charset=utf-8' };
      },
    }));
    const { data, response } = await http.POST('/refund', { body: { amount: '0.01', note: '退款' }, parseAs: 'arrayBuffer' });
    const body = '{"amount":"0.01","note":"退款"}';
    expect(hooked).toEqual([`POST http://127.0.0.1:9/refund ${body}`]);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('http://127.0.0.1:9/refund');
    expect(seen[0]?.init.body).toBe(body);
    const headers = new Headers(seen[0]?.init.headers);
    expect(headers.get('x-sign')).toBe(`len=${new TextEncoder().encode(body).length}`);
    expect(headers.get('content-type')).toBe('application/json; charset=utf-8'); // the hook's value replaces openapi-fetch's
    expect(new TextDecoder().decode(data as ArrayBuffer)).toBe('{"ok":true}');
    expect(response.status).toBe(200);
  });

  it('builds GET query strings and sends no body', async () => {
    const { fetch, seen } = recording();
    const http = createClient<Paths>(openapiFetchTransport({ baseUrl: 'http://127.0.0.1:9', fetch }));
    await http.GET('/query', { params: { query: { id: 'R 1&2' } }, parseAs: 'arrayBuffer' });
    expect(seen[0]?.url).toBe('http://127.0.0.1:9/query?id=R%201%262');
    expect(seen[0]?.init.method).toBe('GET');
    expect(seen[0]?.init.body).toBeUndefined();
  });

  it('throws HttpStatusError for a non-2xx answer, with its body', async () => {
    const { fetch } = recording(() => new Response('busy', { status: 503 }));
    const http = createClient<Paths>(openapiFetchTransport({ baseUrl: 'http://127.0.0.1:9', fetch }));
    const error = await http.POST('/refund', { body: { amount: '1.00' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 503, rawBody: 'busy' });
  });

  it('an empty 200 answer is data undefined, not an error', async () => {
    const { fetch } = recording(() => new Response(null, { status: 200, headers: { 'content-length': '0' } }));
    const http = createClient<Paths>(openapiFetchTransport({ baseUrl: 'http://127.0.0.1:9', fetch }));
    const { data, response } = await http.POST('/refund', { body: { amount: '1.00' }, parseAs: 'arrayBuffer' });
    expect(data).toBeUndefined();
    expect(response.status).toBe(200);
  });

  it('a hook that throws stops the request before anything is sent', async () => {
    const { fetch, seen } = recording();
    const http = createClient<Paths>(openapiFetchTransport({ baseUrl: 'http://127.0.0.1:9', fetch, headersFor: () => { throw new RangeError('clock'); } }));
    await expect(http.POST('/refund', { body: { amount: '1.00' } })).rejects.toThrow(RangeError);
    expect(seen).toEqual([]);
  });
});

describe('WireRequest', () => {
  it('keeps the body exactly and gives its bytes', () => {
    expect(new WireRequest('http://x/', { method: 'post', body: '中' }).bodyBytes()).toEqual(Uint8Array.from([0xe4, 0xb8, 0xad]));
    const bytes = Uint8Array.from([0xd6, 0xd0]);
    expect(new WireRequest('http://x/', { method: 'POST', body: bytes }).body).toBe(bytes);
    expect(new WireRequest('http://x/').bodyBytes()).toEqual(new Uint8Array(0));
    expect(new WireRequest(new URL('http://x/a?b=1')).url).toBe('http://x/a?b=1');
  });

  it('refuses a body it would not send exactly (a stream, form data)', () => {
    expect(() => new WireRequest('http://x/', { method: 'POST', body: new FormData() })).toThrow(TypeError);
    expect(() => new WireRequest('http://x/', { method: 'POST', body: new ReadableStream() })).toThrow(/string or bytes/);
  });
});
