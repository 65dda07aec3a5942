/**
 * The Ti-Pay middleware with real `Request`/`Response` objects (Node's fetch classes), driven
 * the way openapi-fetch drives it, without any network: onRequest → a local handler standing in
 * for fetch → onResponse.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Secret,
  SignatureVerificationError,
  createTipayMiddleware,
  createTipaySigner,
  tipaySignature,
  type FetchMiddleware,
} from '../src/index.js';
import { vectors } from './support.js';

const { appId, appKey } = vectors.tipay;
const post = vectors.tipay.vectors[1]!;
const get = vectors.tipay.vectors[3]!;

function middlewareAt(timestamp: string, options?: Parameters<typeof createTipayMiddleware>[1]) {
  return createTipayMiddleware(createTipaySigner({ appId, appKey: new Secret(appKey), clock: () => Number(timestamp) }), options);
}

/** What the server would compute, written without the package: sha256(body bytes + ts + key). */
function serverSideSignature(body: Uint8Array, timestamp: string): string {
  return createHash('sha256').update(body).update(timestamp).update(appKey).digest('hex');
}

describe('tipay middleware: onRequest', () => {
  it('signs the final body bytes of a POST and returns a new Request carrying them', async () => {
    const request = new Request(post.url, {
      method: 'POST',
      body: post.body,
      headers: { 'content-type': 'application/json', 'x-request-id': 'r1' },
    });
    const middleware = middlewareAt(post.timestamp);
    const signed = await middleware.onRequest({ request });

    expect(signed).toBeInstanceOf(Request);
    expect(signed).not.toBe(request);
    expect(signed!.method).toBe('POST');
    expect(signed!.url).toBe(post.url);
    expect(signed!.headers.get('ti-appid')).toBe(appId);
    expect(signed!.headers.get('ti-timestamp')).toBe(post.timestamp);
    expect(signed!.headers.get('ti-signature')).toBe(post.signature.value);
    expect(signed!.headers.get('content-type')).toBe('application/json');
    expect(signed!.headers.get('x-request-id')).toBe('r1');

    const sentBytes = new Uint8Array(await signed!.arrayBuffer());
    expect(Buffer.from(sentBytes).toString('utf8')).toBe(post.body);
    expect(serverSideSignature(sentBytes, post.timestamp)).toBe(signed!.headers.get('ti-signature'));
  });

  it('signs a streamed body exactly as it is sent', async () => {
    const bytes = new TextEncoder().encode(post.body!);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 10));
        controller.enqueue(bytes.subarray(10));
        controller.close();
      },
    });
    const request = new Request(post.url, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    const signed = await middlewareAt(post.timestamp).onRequest({ request });
    expect(signed!.headers.get('ti-signature')).toBe(post.signature.value);
    expect(await signed!.text()).toBe(post.body);
  });

  it('signs the query JSON of a GET', async () => {
    const signed = await middlewareAt(get.timestamp).onRequest({ request: new Request(get.url) });
    expect(signed!.method).toBe('GET');
    expect(signed!.headers.get('ti-signature')).toBe(get.signature.value);
    expect(signed!.body).toBeNull();
  });

  it('replaces stale ti-* headers already on the request', async () => {
    const request = new Request(post.url, { method: 'POST', body: post.body, headers: { 'ti-signature': 'stale', 'ti-timestamp': '1' } });
    const signed = await middlewareAt(post.timestamp).onRequest({ request });
    expect(signed!.headers.get('ti-signature')).toBe(post.signature.value);
    expect(signed!.headers.get('ti-timestamp')).toBe(post.timestamp);
  });
});

describe('tipay middleware: onResponse', () => {
  const request = new Request(post.url, { method: 'POST', body: post.body });
  const responseBody = JSON.stringify({ code: 200, success: true, data: { status: 'PROCESSING', refundAmount: '88.88' }, msg: '操作成功' });
  const responseTimestamp = '1735732801000';
  const responseSignature = tipaySignature(responseBody, responseTimestamp, appKey);

  it('passes an unsigned response through', async () => {
    const response = new Response(responseBody, { status: 200 });
    expect(await middlewareAt('0').onResponse({ request, response })).toBeUndefined();
    expect(await response.text()).toBe(responseBody);
  });

  it('passes a correctly signed response through, body still readable', async () => {
    const response = new Response(responseBody, { headers: { 'ti-timestamp': responseTimestamp, 'ti-signature': responseSignature } });
    expect(await middlewareAt('0').onResponse({ request, response })).toBeUndefined();
    expect(JSON.parse(await response.text())).toMatchObject({ code: 200 });
  });

  it('throws SignatureVerificationError for a signed response that does not verify', async () => {
    const tampered = responseBody.replace('PROCESSING', 'SUCCESS');
    const response = new Response(tampered, {
      status: 200,
      headers: { 'ti-timestamp': responseTimestamp, 'ti-signature': responseSignature },
    });
    const outcome = middlewareAt('0').onResponse({ request, response });
    await expect(outcome).rejects.toBeInstanceOf(SignatureVerificationError);
    await expect(outcome).rejects.toMatchObject({ scheme: 'tipay', status: 200, failure: { valid: false, reason: 'mismatch' } });
  });

  it('throws for a malformed signature too, unless response verification is off', async () => {
    const headers = { 'ti-timestamp': responseTimestamp, 'ti-signature': 'not-hex' };
    await expect(middlewareAt('0').onResponse({ request, response: new Response(responseBody, { headers }) })).rejects.toMatchObject({
      failure: { reason: 'malformed-signature' },
    });
    const lenient = middlewareAt('0', { verifySignedResponses: false });
    expect(await lenient.onResponse({ request, response: new Response(responseBody, { headers }) })).toBeUndefined();
  });
});

describe('tipay middleware: a full pass the way openapi-fetch runs it', () => {
  it('request signed on the way out, response verified on the way in', async () => {
    const middleware: FetchMiddleware = middlewareAt(post.timestamp);
    const seen: Array<{ signature: string | null; expected: string }> = [];
    /** Stands in for fetch: checks the request like Ti-Pay would and answers signed. */
    async function handler(request: Request): Promise<Response> {
      const body = new Uint8Array(await request.arrayBuffer());
      const timestamp = request.headers.get('ti-timestamp') ?? '';
      seen.push({ signature: request.headers.get('ti-signature'), expected: serverSideSignature(body, timestamp) });
      const answer = '{"code":200,"success":true}';
      const answerTimestamp = '1735732802000';
      return new Response(answer, {
        headers: { 'ti-timestamp': answerTimestamp, 'ti-signature': serverSideSignature(new TextEncoder().encode(answer), answerTimestamp) },
      });
    }
    let request = new Request(post.url, { method: 'POST', body: post.body, headers: { 'content-type': 'application/json' } });
    request = (await middleware.onRequest({ request })) ?? request;
    let response = await handler(request.clone());
    response = (await middleware.onResponse?.({ request, response })) ?? response;
    expect(seen).toEqual([{ signature: post.signature.value, expected: post.signature.value }]);
    expect(await response.json()).toEqual({ code: 200, success: true });
  });
});
