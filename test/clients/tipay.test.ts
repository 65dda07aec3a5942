/**
 * @refundkit/tipay's client through an injected fetch: the seed request's exact body bytes and
 * `ti-*` headers (ti-signature = sha256 hex of body + timestamp + AppKey, computed here), the GET
 * query's URL and signature, the seed answer with `refundAccountDetail` parsed to exact money,
 * signed and unsigned answers, notifications, contract violations, transport faults.
 */
import { ResponseError, SignatureError, ValidationError, type FetchLike } from '@refundkit/runtime';
import { createTipayClient, type Messages, type TipayClientOptions } from '@refundkit/tipay';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { answering, exampleJson, exampleText, jsonAlterations, recordingFetch, rejection, sha256Hex, signingVectors, thrown, transportTests } from './support.js';

type RefundRequest = Messages['refund.request'];

const BASE_URL = 'https://tipay.test';
const APP_ID = 'tichain000000';
/** The test AppKey of @refundkit/signing's vectors (a throwaway). */
const APP_KEY = 'test-app-key-0123456789abcdef';
const NOW = 1735732800000;

const seedRequest = exampleJson<RefundRequest>('tipay', 'refund.request.json');
const seedQuery = exampleJson<Messages['queryRefund.request']>('tipay', 'queryRefund.request.json');
const seedResponseText = exampleText('tipay', 'refund.response.json');
const seedNotificationText = exampleText('tipay', 'refundNotification.request.json');

function tipay(fetch: FetchLike, options: Partial<TipayClientOptions> = {}) {
  return createTipayClient({ baseUrl: BASE_URL, fetch, appId: APP_ID, appKey: APP_KEY, clock: () => NOW, ...options });
}

/** Headers of an answer signed like a request: sha256 hex of body + timestamp + AppKey. */
function signedHeaders(body: string, timestamp = '1735732801234', key = APP_KEY): Record<string, string> {
  return { 'content-type': 'application/json', 'ti-timestamp': timestamp, 'ti-signature': sha256Hex(body + timestamp + key) };
}

describe('tipay refund: the request on the wire', () => {
  const body = '{"merchantNo":"10012426723","orderId":"order123456789","refundRequestId":"refundorder987654","refundAmount":"88.88","description":"用户申请退货并退款"}';

  it('the app key is the signing vectors\' test key (reference check)', () => {
    expect(signingVectors.tipay.appKey).toBe(APP_KEY);
  });

  it('POSTs the seed request to /api/v1/yb/trade/refund: exact body bytes, ti-appid, ti-timestamp, ti-signature', async () => {
    const { fetch, sent } = answering(seedResponseText);
    await tipay(fetch).refund(seedRequest);

    expect(sent).toHaveLength(1);
    const wire = sent[0]!;
    expect(wire.method).toBe('POST');
    expect(wire.url).toBe(`${BASE_URL}/api/v1/yb/trade/refund`);
    expect(Buffer.from(wire.body).equals(Buffer.from(body, 'utf8'))).toBe(true);
    const signature = sha256Hex(Buffer.concat([Buffer.from(body, 'utf8'), Buffer.from(`${NOW}${APP_KEY}`)]));
    expect(wire.headers).toEqual({
      'content-type': 'application/json',
      'ti-appid': APP_ID,
      'ti-timestamp': '1735732800000',
      'ti-signature': signature,
    });
  });

  it('signs with the timestamp the clock gives at each request', async () => {
    let now = NOW;
    const { fetch, sent } = answering(seedResponseText);
    const client = tipay(fetch, { clock: () => now });
    await client.refund(seedRequest);
    now += 61_000;
    await client.refund(seedRequest);
    expect(sent.map((s) => s.headers['ti-timestamp'])).toEqual(['1735732800000', '1735732861000']);
    expect(sent[1]!.headers['ti-signature']).toBe(sha256Hex(`${body}1735732861000${APP_KEY}`));
  });
});

describe('tipay refund: the answer', () => {
  it('decodes the seed answer: data, rawBody, status, and refundAccountDetail parsed to exact money', async () => {
    const { fetch } = answering(seedResponseText);
    const result = await tipay(fetch).refund(seedRequest);
    expect(result.status).toBe(200);
    expect(result.rawBody).toBe(seedResponseText);
    expect(result.data).toEqual(JSON.parse(seedResponseText));
    expect(result.data.code).toBe(200);
    expect(result.data.success).toBe(true);
    expect(result.data.data?.status).toBe('PROCESSING');
    expect(result.data.data?.refundAccountDetail).toBe('[{"accountType":"SETTLE_ACCOUNT","debitAmount":0.01}]');
    expect(result.parsed).toEqual({ 'data.refundAccountDetail': [{ accountType: 'SETTLE_ACCOUNT', debitAmount: { minor: 1, text: '0.01' } }] });
  });

  it('parses refundAccountDetail amounts without floats: trailing zeros kept, no binary rounding, beyond float precision', async () => {
    const detail = '[{"accountType":"FUND_ACCOUNT","debitAmount":6.00},{"accountType":"SETTLE_ACCOUNT","debitAmount":1.15},{"accountType":"X","debitAmount":90071992547409.87}]';
    const seed = JSON.parse(seedResponseText) as { data: Record<string, unknown> };
    const text = JSON.stringify({ ...seed, data: { ...seed.data, refundAccountDetail: detail } });
    const { fetch } = answering(text);
    const result = await tipay(fetch).refund(seedRequest);
    expect(result.parsed['data.refundAccountDetail']).toEqual([
      { accountType: 'FUND_ACCOUNT', debitAmount: { minor: 600, text: '6.00' } },
      { accountType: 'SETTLE_ACCOUNT', debitAmount: { minor: 115, text: '1.15' } },
      { accountType: 'X', debitAmount: { minor: 9007199254740987, text: '90071992547409.87' } },
    ]);
    // What a float would have made of them.
    expect(Math.floor(1.15 * 100)).toBe(114);
    expect(Math.round(90071992547409.87 * 100)).not.toBe(9007199254740987);
  });

  it.each([
    ['not JSON', '[{"accountType":"SETTLE_ACCOUNT",'],
    ['an amount with three decimals', '[{"accountType":"SETTLE_ACCOUNT","debitAmount":0.015}]'],
  ])('a refundAccountDetail that is %s is a ResponseError naming it', async (_name, detail) => {
    const seed = JSON.parse(seedResponseText) as { data: Record<string, unknown> };
    const text = JSON.stringify({ ...seed, data: { ...seed.data, refundAccountDetail: detail } });
    const { fetch } = answering(text);
    const error = await rejection(tipay(fetch).refund(seedRequest), ResponseError);
    expect(error.issues[0]?.path).toMatch(/^data\.refundAccountDetail/);
  });

  it('an answer without ti-signature is accepted (Ti-Pay documents no signed answers)', async () => {
    const { fetch } = answering(seedResponseText, { headers: { 'content-type': 'application/json' } });
    await expect(tipay(fetch).refund(seedRequest)).resolves.toMatchObject({ rawBody: seedResponseText });
  });

  it('an answer with a valid ti-signature is accepted', async () => {
    const { fetch } = answering(seedResponseText, { headers: signedHeaders(seedResponseText) });
    const result = await tipay(fetch).refund(seedRequest);
    expect(result.data.data?.uniqueRefundNo).toBe('1002202301300000005245434665');
  });

  it.each<[string, () => Record<string, string>]>([
    ['a wrong ti-signature', () => ({ 'ti-timestamp': '1735732801234', 'ti-signature': sha256Hex('something else') })],
    ['a signature made with another AppKey', () => signedHeaders(seedResponseText, '1735732801234', 'another-key')],
    ['a ti-signature that is not hex', () => ({ 'ti-timestamp': '1735732801234', 'ti-signature': 'not-a-signature' })],
    ['ti-signature without ti-timestamp', () => ({ 'ti-signature': signedHeaders(seedResponseText)['ti-signature']! })],
    ['another ti-timestamp than the one signed', () => ({ ...signedHeaders(seedResponseText), 'ti-timestamp': '1735732801235' })],
  ])('an answer with %s is a SignatureError carrying the raw body', async (_name, headers) => {
    const { fetch } = answering(seedResponseText, { headers: headers() });
    const error = await rejection(tipay(fetch).refund(seedRequest), SignatureError);
    expect(error.rawBody).toBe(seedResponseText);
  });

  it('any single changed character (or whitespace) of a signed answer is a SignatureError carrying the altered body', async () => {
    const headers = signedHeaders(seedResponseText);
    const alterations = [
      ...jsonAlterations(seedResponseText),
      [-1, seedResponseText.replace('    "code"', '\t"code"')] as [number, string],
      [-2, seedResponseText.replace('成功"', '失败"')] as [number, string],
    ];
    expect(alterations.length).toBeGreaterThan(300);
    let next = '';
    const client = tipay(async () => new Response(next, { headers }));
    for (const [index, altered] of alterations) {
      expect(altered).not.toBe(seedResponseText);
      next = altered;
      let error: unknown;
      try {
        await client.refund(seedRequest);
      } catch (e) {
        error = e;
      }
      expect(error, `change at ${index}: ${altered.slice(Math.max(0, index - 20), index + 20)}`).toBeInstanceOf(SignatureError);
      expect((error as SignatureError).rawBody).toBe(altered);
    }
  });

  it('accepts unknown extra fields and keeps them', async () => {
    const seed = JSON.parse(seedResponseText) as { data: Record<string, unknown> };
    const text = JSON.stringify({ ...seed, traceId: 't-1', data: { ...seed.data, channel: 'WECHAT' } });
    const { fetch } = answering(text);
    const result = await tipay(fetch).refund(seedRequest);
    expect(result.data).toMatchObject({ traceId: 't-1', data: { channel: 'WECHAT' } });
  });

  it('a refusal (code 400, success false, data null) is returned as data', async () => {
    const text = '{"code":400,"success":false,"data":null,"msg":"订单状态不允许退款"}';
    const { fetch } = answering(text);
    const result = await tipay(fetch).refund(seedRequest);
    expect(result.data).toEqual({ code: 400, success: false, data: null, msg: '订单状态不允许退款' });
    expect(result.parsed).toEqual({});
  });
});

describe('tipay refund: contract violations', () => {
  it.each<[string, () => unknown, string, string]>([
    ['the seed as printed ("string" amounts)', () => exampleJson('tipay', 'refund.request.as-printed.json'), 'refundAmount', 'pattern'],
    ['one decimal (seed negative)', () => exampleJson('tipay', 'refund.request.amount-one-decimal.json'), 'refundAmount', 'pattern'],
    ['a zero amount (seed negative)', () => exampleJson('tipay', 'refund.request.amount-zero.json'), 'refundAmount', 'pattern'],
    ['an unknown field (seed negative)', () => exampleJson('tipay', 'refund.request.unknown-field.json'), 'refundReason', 'additionalProperties'],
    ['the amount as a number', () => ({ ...seedRequest, refundAmount: 88.88 }), 'refundAmount', 'type string'],
    ['orderId missing', () => ({ ...seedRequest, orderId: undefined }), 'orderId', 'required'],
    ['an empty merchantNo', () => ({ ...seedRequest, merchantNo: '' }), 'merchantNo', 'minLength 1'],
  ])('a request with %s is a ValidationError naming the field, and nothing is sent', async (_name, input, path, rule) => {
    const { fetch, sent } = recordingFetch();
    const error = await rejection(tipay(fetch).refund(JSON.parse(JSON.stringify(input())) as never), ValidationError);
    expect(error.messageName).toBe('refund.request');
    expect(error.issues).toContainEqual(expect.objectContaining({ path, rule: expect.stringContaining(rule) }));
    expect(sent).toHaveLength(0);
  });

  it.each<[string, string, string]>([
    ['without code', '{"success":true,"data":null}', 'code'],
    ['without success', '{"code":200,"data":null}', 'success'],
    ['code as a string', '{"code":"200","success":true,"data":null}', 'code'],
    ['accepted but without data', '{"code":200,"success":true,"msg":"操作成功"}', 'data'],
    ['accepted but without data.status', exampleText('tipay', 'refund.response.json').replace('"status": "PROCESSING",', ''), 'data.status'],
    ['data.status as a number', exampleText('tipay', 'refund.response.json').replace('"PROCESSING"', '1'), 'data.status'],
  ])('an answer %s is a ResponseError with issues and the raw body', async (_name, text, path) => {
    const { fetch } = answering(text);
    const error = await rejection(tipay(fetch).refund(seedRequest), ResponseError);
    expect(error.rawBody).toBe(text);
    expect(error.issues.map((i) => i.path)).toContain(path);
  });

  it.each([
    ['an HTML page', '<html>gateway timeout</html>'],
    ['truncated JSON', seedResponseText.slice(0, 50)],
    ['an empty body', ''],
  ])('an answer that is %s is a ResponseError carrying it', async (_name, text) => {
    const { fetch } = answering(text);
    const error = await rejection(tipay(fetch).refund(seedRequest), ResponseError);
    expect(error.rawBody).toBe(text);
  });
});

describe('tipay queryRefund', () => {
  it('GETs /api/v1/yb/trade/query with the parameters in order, signed over their JSON, and decodes the answer', async () => {
    const answer = seedResponseText.replace('"PROCESSING"', '"SUCCESS"');
    const { fetch, sent } = answering(answer);
    const result = await tipay(fetch).queryRefund(seedQuery);

    const wire = sent[0]!;
    expect(wire.method).toBe('GET');
    expect(wire.url).toBe(`${BASE_URL}/api/v1/yb/trade/query?merchantNo=10012426723&refundRequestId=refundorder987654&orderId=order123456789`);
    expect(wire.body).toHaveLength(0);
    const paramsJson = '{"merchantNo":"10012426723","refundRequestId":"refundorder987654","orderId":"order123456789"}';
    expect(wire.headers['ti-appid']).toBe(APP_ID);
    expect(wire.headers['ti-timestamp']).toBe(String(NOW));
    expect(wire.headers['ti-signature']).toBe(sha256Hex(`${paramsJson}${NOW}${APP_KEY}`));

    expect(result.rawBody).toBe(answer);
    expect(result.data.data?.status).toBe('SUCCESS');
    expect(result.parsed).toEqual({ 'data.refundAccountDetail': [{ accountType: 'SETTLE_ACCOUNT', debitAmount: { minor: 1, text: '0.01' } }] });
  });

  it('percent-encodes CJK and reserved characters in the URL and signs their decoded values', async () => {
    const { fetch, sent } = answering(seedResponseText);
    await tipay(fetch).queryRefund({ merchantNo: '10012426723', refundRequestId: 'refund/1 a', orderId: 'order中123' });
    const wire = sent[0]!;
    const url = new URL(wire.url);
    expect(url.search).toBe('?merchantNo=10012426723&refundRequestId=refund%2F1%20a&orderId=order%E4%B8%AD123');
    const paramsJson = '{"merchantNo":"10012426723","refundRequestId":"refund/1 a","orderId":"order中123"}';
    expect(wire.headers['ti-signature']).toBe(sha256Hex(`${paramsJson}${NOW}${APP_KEY}`));
  });

  it('a query answer with a wrong ti-signature is a SignatureError', async () => {
    const { fetch } = answering(seedResponseText, { headers: { 'ti-timestamp': '1', 'ti-signature': sha256Hex('x') } });
    const error = await rejection(tipay(fetch).queryRefund(seedQuery), SignatureError);
    expect(error.rawBody).toBe(seedResponseText);
  });

  it('a query with an unknown parameter is a ValidationError, nothing sent', async () => {
    const { fetch, sent } = recordingFetch();
    const error = await rejection(tipay(fetch).queryRefund({ ...seedQuery, refundNo: 'x' } as never), ValidationError);
    expect(error.issues.map((i) => i.path)).toContain('refundNo');
    expect(sent).toHaveLength(0);
  });
});

describe('tipay verifyNotification', () => {
  const client = tipay(recordingFetch().fetch);

  it('returns verified: false for a notification without ti-signature', () => {
    const result = client.verifyNotification(seedNotificationText, { 'content-type': 'application/json' });
    expect(result.verified).toBe(false);
    expect(result.rawBody).toBe(seedNotificationText);
    expect(result.data).toEqual(JSON.parse(seedNotificationText));
    expect(result.data.status).toBe('SUCCESS');
  });

  it('verifies a notification carrying ti-signature (fetch Headers, Node headers, bytes)', () => {
    const headers = signedHeaders(seedNotificationText);
    const inputs = [
      [seedNotificationText, new Headers(headers)],
      [seedNotificationText, { ...headers, 'ti-signature': [headers['ti-signature']!] }],
      [new TextEncoder().encode(seedNotificationText), { 'TI-TIMESTAMP': headers['ti-timestamp'], 'Ti-Signature': headers['ti-signature'] }],
    ] as const;
    for (const [body, h] of inputs) {
      const result = client.verifyNotification(body, h);
      expect(result.verified).toBe(true);
      expect(result.rawBody).toBe(seedNotificationText);
      expect(result.data.refundRequestId).toBe('1b118148eaf54b09a213adcb332d7a19');
    }
  });

  it.each([
    ['a tampered body', seedNotificationText.replace('"SUCCESS"', '"FAILED"'), signedHeaders(seedNotificationText)],
    ['a wrong signature', seedNotificationText, { 'ti-timestamp': '1735732801234', 'ti-signature': sha256Hex('x') }],
    ['another AppKey', seedNotificationText, signedHeaders(seedNotificationText, '1735732801234', 'other-key')],
  ])('a notification with %s is a SignatureError carrying the raw body', (_name, text, headers) => {
    const error = thrown(() => client.verifyNotification(text, headers), SignatureError);
    expect(error.rawBody).toBe(text);
  });

  it('a notification without status is a ResponseError', () => {
    const text = '{"refundRequestId":"r1"}';
    const error = thrown(() => client.verifyNotification(text), ResponseError);
    expect(error.issues.map((i) => i.path)).toContain('status');
    expect(error.rawBody).toBe(text);
  });
});

describe('tipay transport', () => {
  transportTests(({ origin, fetch, timeoutMs }) =>
    createTipayClient({ baseUrl: origin, ...(fetch ? { fetch } : {}), ...(timeoutMs ? { timeoutMs } : {}), appId: APP_ID, appKey: APP_KEY }).refund(seedRequest),
  );
});

describe('tipay types', () => {
  it('a wrong field name or type in a request does not compile', () => {
    const { fetch, sent } = recordingFetch();
    const client = tipay(fetch);
    // Compiled by `tsc -p test/tsconfig.json`, never run: nothing may be sent.
    const neverCalled = (): void => {
      // @ts-expect-error refundAmount is a yuan string ("88.88"), not a number
      void client.refund({ merchantNo: '1', orderId: 'o', refundRequestId: 'r', refundAmount: 88.88 });
      // @ts-expect-error refundAmout is not a field (misspelt)
      void client.refund({ merchantNo: '1', orderId: 'o', refundRequestId: 'r', refundAmout: '88.88' });
      // @ts-expect-error orderId is required
      void client.refund({ merchantNo: '1', refundRequestId: 'r', refundAmount: '88.88' });
      // @ts-expect-error the query has no refundAmount
      void client.queryRefund({ merchantNo: '1', orderId: 'o', refundRequestId: 'r', refundAmount: '1.00' });
    };
    expectTypeOf(client.refund).parameter(0).toHaveProperty('refundAmount').toEqualTypeOf<string>();
    expectTypeOf<Awaited<ReturnType<typeof client.refund>>['data']['code']>().toEqualTypeOf<number>();
    expectTypeOf<Awaited<ReturnType<typeof client.refund>>['parsed']>().toEqualTypeOf<Readonly<Record<string, unknown>>>();
    expect(neverCalled).toBeTypeOf('function');
    expect(sent).toHaveLength(0);
  });
});
