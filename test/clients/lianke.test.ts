/**
 * @refundkit/lianke's client through an injected fetch: the seed request's exact JSON body (no
 * signature is documented; the auth hook adds headers over the exact bytes), the seed answer,
 * contract violations on both sides, the query, transport faults.
 */
import { createLiankeClient, type LiankeClientOptions, type Messages } from '@refundkit/lianke';
import { ResponseError, ValidationError, type FetchLike } from '@refundkit/runtime';
import { createHmac } from 'node:crypto';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { answering, exampleJson, exampleText, recordingFetch, rejection, transportTests } from './support.js';

type RefundRequest = Messages['refund.request'];

const BASE_URL = 'https://lianke.test/api';

const seedRequest = exampleJson<RefundRequest>('lianke', 'refund.request.json');
const seedQuery = exampleJson<Messages['queryRefund.request']>('lianke', 'queryRefund.request.json');
const seedResponseText = exampleText('lianke', 'refund.response.json');

function lianke(fetch: FetchLike, options: Partial<LiankeClientOptions> = {}) {
  return createLiankeClient({ baseUrl: BASE_URL, fetch, ...options });
}

/** The seed request, compact, field for field in the seed's order. */
const SEED_WIRE =
  '{"store_no":"sample string 1","operator":"sample string 2","amount":3,"refund_amount":3,' +
  '"order_no":"sample string 5","refund_no":"sample string 6","refund_desc":"sample string 7",' +
  '"itemlist":[' +
  '{"item_id":"sample string 1","item_no":"sample string 2","item_name":"sample string 3","quantity":4,"price":5,"promotion_type":6},' +
  '{"item_id":"sample string 1","item_no":"sample string 2","item_name":"sample string 3","quantity":4,"price":5,"promotion_type":6}]}';

describe('lianke refund: the request on the wire', () => {
  it('POSTs the seed request to /QuickPay/Refund as exact JSON, with no header of its own', async () => {
    const { fetch, sent } = answering(seedResponseText);
    await lianke(fetch).refund(seedRequest);

    expect(sent).toHaveLength(1);
    const wire = sent[0]!;
    expect(wire.method).toBe('POST');
    expect(wire.url).toBe(`${BASE_URL}/QuickPay/Refund`);
    expect(wire.text).toBe(SEED_WIRE);
    expect(wire.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('sends CJK text as UTF-8', async () => {
    const { fetch, sent } = answering(seedResponseText);
    await lianke(fetch).refund({ ...seedRequest, itemlist: undefined, refund_desc: '顾客退货/质量问题' } as RefundRequest);
    expect(sent[0]!.text).toContain('"refund_desc":"顾客退货/质量问题"');
    expect(Buffer.from(sent[0]!.body).includes(Buffer.from('顾客退货', 'utf8'))).toBe(true);
  });

  it('an auth hook sees the exact bytes sent and its headers go on the wire', async () => {
    const seen: Array<{ method: string; url: string; body: string; headers: Record<string, string> }> = [];
    const { fetch, sent } = answering(seedResponseText);
    await lianke(fetch, {
      auth: (request) => {
        seen.push({ method: request.method, url: request.url, body: new TextDecoder().decode(request.bodyBytes()), headers: Object.fromEntries(request.headers) });
        return { 'x-lianke-sign': createHmac('sha256', 'hook-key').update(request.bodyBytes()).digest('hex'), 'x-lianke-app': 'APP1' };
      },
    }).refund(seedRequest);

    expect(seen).toEqual([{ method: 'POST', url: `${BASE_URL}/QuickPay/Refund`, body: SEED_WIRE, headers: { 'content-type': 'application/json' } }]);
    const wire = sent[0]!;
    expect(wire.text).toBe(SEED_WIRE);
    expect(wire.headers['x-lianke-app']).toBe('APP1');
    expect(wire.headers['x-lianke-sign']).toBe(createHmac('sha256', 'hook-key').update(SEED_WIRE).digest('hex'));
  });
});

describe('lianke refund: the answer', () => {
  it('decodes the seed answer: data, rawBody, status, parsed', async () => {
    const { fetch } = answering(seedResponseText);
    const result = await lianke(fetch).refund(seedRequest);
    expect(result.status).toBe(200);
    expect(result.rawBody).toBe(seedResponseText);
    expect(result.parsed).toEqual({});
    expect(result.data).toEqual(JSON.parse(seedResponseText));
    expect(result.data.code).toBe('SUCCESS');
    expect(result.data.data?.transaction_status).toBe('CREATE');
    expect(result.data.data?.refund_amount).toBe(4);
  });

  it('decodes a refusal with data null', async () => {
    const text = '{"code":"FAIL","msg":"退款金额超过订单金额","data":null}';
    const { fetch } = answering(text);
    const result = await lianke(fetch).refund(seedRequest);
    expect(result.data).toEqual({ code: 'FAIL', msg: '退款金额超过订单金额', data: null });
  });

  it('accepts unknown extra fields and keeps them', async () => {
    const seed = JSON.parse(seedResponseText) as Record<string, Record<string, unknown>>;
    const text = JSON.stringify({ ...seed, trace_id: 'T-1', data: { ...seed['data'], refund_channel: 'WECHAT', transaction_status: 'REFUNDED' } });
    const { fetch } = answering(text);
    const result = await lianke(fetch).refund(seedRequest);
    expect(result.data).toMatchObject({ trace_id: 'T-1', data: { refund_channel: 'WECHAT', transaction_status: 'REFUNDED' } });
  });
});

describe('lianke refund: contract violations', () => {
  it.each<[string, () => unknown, string, string]>([
    ['an 11-digit refund_amount (seed negative)', () => exampleJson('lianke', 'refund.request.refund-amount-11-digits.json'), 'refund_amount', 'maximum 9999999999'],
    ['a 33-character store_no (seed negative)', () => exampleJson('lianke', 'refund.request.store-no-33-chars.json'), 'store_no', 'maxLength 32'],
    ['operator missing (seed negative)', () => exampleJson('lianke', 'refund.request.missing-operator.json'), 'operator', 'required'],
    ['refund_amount as a string', () => ({ ...seedRequest, refund_amount: '3' }), 'refund_amount', 'type integer'],
    ['refund_amount 0', () => ({ ...seedRequest, refund_amount: 0 }), 'refund_amount', 'minimum 1'],
    ['an unknown field', () => ({ ...seedRequest, refund_reason: 'x' }), 'refund_reason', 'additionalProperties'],
    ['an item quantity as a string', () => ({ ...seedRequest, itemlist: [{ item_id: 'a', quantity: '4' }] }), 'itemlist[0].quantity', 'type integer'],
    ['a misspelt item field', () => ({ ...seedRequest, itemlist: [{ item_id: 'a' }, { item_nmae: 'b' }] }), 'itemlist[1].item_nmae', 'additionalProperties'],
  ])('a request with %s is a ValidationError naming the field, and nothing is sent', async (_name, input, path, rule) => {
    const { fetch, sent } = recordingFetch();
    const error = await rejection(lianke(fetch).refund(input() as never), ValidationError);
    expect(error.messageName).toBe('refund.request');
    expect(error.issues).toContainEqual(expect.objectContaining({ path, rule: expect.stringContaining(rule) }));
    expect(sent).toHaveLength(0);
  });

  it.each<[string, string, string]>([
    ['without code', '{"msg":"ok","data":{"transaction_status":"CREATE"}}', 'code'],
    ['code as a number', '{"code":0,"msg":"ok"}', 'code'],
    ['transaction_status as a number', '{"code":"SUCCESS","data":{"transaction_status":1}}', 'data.transaction_status'],
    ['refund_amount as a string', '{"code":"SUCCESS","data":{"transaction_status":"CREATE","refund_amount":"4"}}', 'data.refund_amount'],
    ['an array for the whole answer', '[{"code":"SUCCESS"}]', ''],
  ])('an answer %s is a ResponseError with issues and the raw body', async (_name, text, path) => {
    const { fetch } = answering(text);
    const error = await rejection(lianke(fetch).refund(seedRequest), ResponseError);
    expect(error.rawBody).toBe(text);
    expect(error.issues.map((i) => i.path)).toContain(path);
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><title>Error</title>'],
    ['truncated JSON', seedResponseText.slice(0, 40)],
    ['an empty body', ''],
  ])('an answer that is %s is a ResponseError carrying it', async (_name, text) => {
    const { fetch } = answering(text);
    const error = await rejection(lianke(fetch).refund(seedRequest), ResponseError);
    expect(error.rawBody).toBe(text);
  });
});

describe('lianke queryRefund', () => {
  it('POSTs the query to /SuNingPay/RefundQuery as exact JSON and decodes the answer', async () => {
    const answer = seedResponseText.replace('"CREATE"', '"REFUNDED"');
    const { fetch, sent } = answering(answer);
    const result = await lianke(fetch).queryRefund(seedQuery);

    const wire = sent[0]!;
    expect(wire.method).toBe('POST');
    expect(wire.url).toBe(`${BASE_URL}/SuNingPay/RefundQuery`);
    expect(wire.text).toBe('{"store_no":"sample string 2","order_no":"sample string 8","refund_order_no":"sample string 9"}');
    expect(result.rawBody).toBe(answer);
    expect(result.data.data?.transaction_status).toBe('REFUNDED');
  });

  it('a query without refund_order_no is a ValidationError, nothing sent', async () => {
    const { fetch, sent } = recordingFetch();
    const error = await rejection(lianke(fetch).queryRefund({ store_no: 's', order_no: 'o' } as never), ValidationError);
    expect(error.issues.map((i) => i.path)).toContain('refund_order_no');
    expect(sent).toHaveLength(0);
  });

  it('a query answer without code is a ResponseError', async () => {
    const { fetch } = answering('{"data":{}}');
    const error = await rejection(lianke(fetch).queryRefund(seedQuery), ResponseError);
    expect(error.issues.map((i) => i.path)).toContain('code');
  });
});

describe('lianke transport', () => {
  transportTests(({ origin, fetch, timeoutMs }) =>
    createLiankeClient({ baseUrl: origin, ...(fetch ? { fetch } : {}), ...(timeoutMs ? { timeoutMs } : {}) }).refund(seedRequest),
  );
});

describe('lianke types', () => {
  it('a wrong field name or type in a request does not compile', () => {
    const { fetch, sent } = recordingFetch();
    const client = lianke(fetch);
    // Compiled by `tsc -p test/tsconfig.json`, never run: nothing may be sent.
    const neverCalled = (): void => {
      // @ts-expect-error refund_amount is an integer of fen, not a string
      void client.refund({ store_no: 's', operator: 'o', refund_amount: '3', order_no: 'o', refund_no: 'r' });
      // @ts-expect-error refund_amout is not a field (misspelt)
      void client.refund({ store_no: 's', operator: 'o', refund_amout: 3, order_no: 'o', refund_no: 'r' });
      // @ts-expect-error operator is required
      void client.refund({ store_no: 's', refund_amount: 3, order_no: 'o', refund_no: 'r' });
      // @ts-expect-error an item's quantity is an integer
      void client.refund({ store_no: 's', operator: 'o', refund_amount: 3, order_no: 'o', refund_no: 'r', itemlist: [{ quantity: '1' }] });
      // @ts-expect-error the query names the refund refund_order_no, not refund_no
      void client.queryRefund({ store_no: 's', order_no: 'o', refund_no: 'r' });
    };
    expectTypeOf(client.refund).parameter(0).toHaveProperty('refund_amount').toEqualTypeOf<number>();
    expectTypeOf<Awaited<ReturnType<typeof client.refund>>['data']['code']>().toEqualTypeOf<string>();
    expect(neverCalled).toBeTypeOf('function');
    expect(sent).toHaveLength(0);
  });
});
