/**
 * @refundkit/eftpay's client through an injected fetch: the seed request's exact body and `sign`
 * (sha256 hex of the test secret + a literally written sorted `k=v&…` string), the seed answer
 * re-signed with the test secret, signature failures (and the unsigned refusal that is not one),
 * contract violations on both sides, the query, transport faults.
 */
import { createEftpayClient, type Messages } from '@refundkit/eftpay';
import { ResponseError, SignatureError, ValidationError, type FetchLike } from '@refundkit/runtime';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { answering, eftpaySign, exampleJson, exampleText, jsonAlterations, recordingFetch, rejection, sha256Hex, signingVectors, transportTests } from './support.js';

type RefundRequest = Messages['refund.request'];
type Unsigned = Messages['refund.request.unsigned'];
type RefundResponse = Messages['refund.response'];

const BASE_URL = 'https://eftpay.test';
/** The test secret code of @refundkit/signing's vectors (a throwaway). */
const SECRET = 'TEST-SECRET-0123456789';

const seedRequest = exampleJson<RefundRequest>('eftpay', 'refund.request.json');
const { sign: _seedRequestSign, ...seedInput } = seedRequest;
const seedResponseText = exampleText('eftpay', 'refund.response.json');
const seedResponse = JSON.parse(seedResponseText) as RefundResponse & { sign: string };

function eftpay(fetch: FetchLike) {
  return createEftpayClient({ baseUrl: BASE_URL, fetch, secretCode: SECRET });
}

/** The seed answer text with its sign replaced by one made with the test secret (empty values kept as `k=`). */
const resignedSeedText = seedResponseText.replace(seedResponse.sign, eftpaySign(seedResponse, SECRET, 'keep'));

/** A JSON answer carrying `sign` over its other fields, made with the test secret. */
function signedAnswer(fields: Record<string, unknown>, empty: 'skip' | 'keep' = 'keep'): string {
  return JSON.stringify({ ...fields, sign: eftpaySign(fields, SECRET, empty) });
}

describe('eftpay refund: the request on the wire', () => {
  // Every field but sign, sorted by name, as k=v joined with &, written out.
  const signingString =
    'buyertype=ios&out_trade_no=20190823191819&payment_type=ALIPAYCN&paytype=Alipay&refund_no=20190824094947' +
    '&service=service.alipay.qrcode.Refund&time=20230609110646&transaction_amount=0.01&user_confirm_key=123456789000';
  const expectedSign = sha256Hex(SECRET + signingString);

  it('the secret is the signing vectors\' test secret (reference check)', () => {
    expect(signingVectors.eftpay.secretCode).toBe(SECRET);
    expect(expectedSign).toMatch(/^[0-9a-f]{64}$/);
  });

  it('POSTs the seed request to /VMP/Servlet/JSAPIService.do: exact body, sign = sha256(secret + sorted k=v)', async () => {
    const { fetch, sent } = answering(resignedSeedText);
    await eftpay(fetch).refund(seedInput);

    expect(sent).toHaveLength(1);
    const wire = sent[0]!;
    expect(wire.method).toBe('POST');
    expect(wire.url).toBe(`${BASE_URL}/VMP/Servlet/JSAPIService.do`);
    expect(wire.headers['content-type']).toBe('application/json');
    expect(wire.text).toBe(
      '{"service":"service.alipay.qrcode.Refund","user_confirm_key":"123456789000","transaction_amount":"0.01",' +
        '"out_trade_no":"20190823191819","paytype":"Alipay","buyertype":"ios","refund_no":"20190824094947",' +
        `"payment_type":"ALIPAYCN","time":"20230609110646","sign":"${expectedSign}"}`,
    );
    // The seed's own sign was made with a secret we do not have.
    expect(expectedSign).not.toBe(seedRequest.sign);
  });
});

describe('eftpay refund: the answer', () => {
  it('decodes the seed answer (re-signed with the test secret): data, rawBody, status, parsed', async () => {
    const { fetch } = answering(resignedSeedText);
    const result = await eftpay(fetch).refund(seedInput);
    expect(result.status).toBe(200);
    expect(result.rawBody).toBe(resignedSeedText);
    expect(result.parsed).toEqual({});
    expect(result.data).toEqual(JSON.parse(resignedSeedText));
    expect(result.data.return_status).toBe('00');
    expect(result.data.trade_status).toBe('TRADE_CLOSED');
    expect(result.data.transaction_amount).toBe('10.01');
    // The document's own inconsistencies are tolerated on the way in.
    expect(result.data.trade_type).toBe('SALE');
    expect(result.data.trade_time).toBe('20190824094950');
  });

  it('also accepts the answer signed with empty values skipped (the other public client form)', async () => {
    const text = seedResponseText.replace(seedResponse.sign, eftpaySign(seedResponse, SECRET, 'skip'));
    expect(text).not.toBe(resignedSeedText);
    const { fetch } = answering(text);
    const result = await eftpay(fetch).refund(seedInput);
    expect(result.rawBody).toBe(text);
  });

  it("the seed answer with the seed's own sign (another secret) is a SignatureError carrying the raw body", async () => {
    const { fetch } = answering(seedResponseText);
    const error = await rejection(eftpay(fetch).refund(seedInput), SignatureError);
    expect(error.rawBody).toBe(seedResponseText);
  });

  it('any single changed character of a signed answer is a SignatureError carrying the altered body', async () => {
    const alterations = jsonAlterations(resignedSeedText);
    expect(alterations.length).toBeGreaterThan(300);
    let next = '';
    const client = eftpay(async () => new Response(next));
    for (const [index, altered] of alterations) {
      next = altered;
      let error: unknown;
      try {
        await client.refund(seedInput);
      } catch (e) {
        error = e;
      }
      expect(error, `change at ${index}: ${altered.slice(Math.max(0, index - 20), index + 20)}`).toBeInstanceOf(SignatureError);
      expect((error as SignatureError).rawBody).toBe(altered);
    }
  });

  it.each([
    ['an accepted answer (return_status 00) without sign', () => {
      const { sign: _s, ...rest } = seedResponse;
      return JSON.stringify(rest);
    }],
    ['an accepted answer with an empty sign', () => JSON.stringify({ ...seedResponse, sign: '' })],
    ['an answer signed with another secret', () => JSON.stringify({ ...seedResponse, sign: eftpaySign(seedResponse, 'another-secret') })],
    ['a refusal carrying a wrong sign', () => JSON.stringify({ return_status: '01', return_char: 'refused', sign: sha256Hex('x') })],
    ['sign that is not hex', () => JSON.stringify({ ...seedResponse, sign: 'z'.repeat(64) })],
  ])('%s is a SignatureError, never a success', async (_name, body) => {
    const text = body();
    const { fetch } = answering(text);
    const error = await rejection(eftpay(fetch).refund(seedInput), SignatureError);
    expect(error.rawBody).toBe(text);
  });

  it('an unsigned refusal (return_status != 00, no sign) is returned as data, for the status mapping to call failed', async () => {
    const text = '{"return_status":"14","return_char":"refund amount exceeds the order","time":"20190824094950"}';
    const { fetch } = answering(text);
    const result = await eftpay(fetch).refund(seedInput);
    expect(result.data).toEqual({ return_status: '14', return_char: 'refund amount exceeds the order', time: '20190824094950' });
    expect(result.rawBody).toBe(text);
  });

  it('accepts unknown extra fields in a signed answer and keeps them', async () => {
    const text = signedAnswer({ ...seedResponse, sign: undefined, settlement_batch: 'B-7', promo_code: 'P1' });
    const { fetch } = answering(text);
    const result = await eftpay(fetch).refund(seedInput);
    expect(result.data).toMatchObject({ settlement_batch: 'B-7', promo_code: 'P1', trade_status: 'TRADE_CLOSED' });
  });
});

describe('eftpay refund: contract violations', () => {
  it.each<[string, () => unknown, string, string]>([
    ['the seed as printed (user_confim_key)', () => {
      const { sign: _s, ...rest } = exampleJson('eftpay', 'refund.request.misspelt-key.json');
      return rest;
    }, 'user_confim_key', 'additionalProperties'],
    ['a 13-character user_confirm_key (seed negative key-too-long)', () => {
      const { sign: _s, ...rest } = exampleJson('eftpay', 'refund.request.key-too-long.json');
      return rest;
    }, 'user_confirm_key', 'maxLength 12'],
    ['three decimals (seed negative amount-three-decimals)', () => {
      const { sign: _s, ...rest } = exampleJson('eftpay', 'refund.request.amount-three-decimals.json');
      return rest;
    }, 'transaction_amount', 'pattern'],
    ['WeChat service with Alipay paytype (seed negative)', () => {
      const { sign: _s, ...rest } = exampleJson('eftpay', 'refund.request.service-paytype-mismatch.json');
      return rest;
    }, 'paytype', 'const'],
    ['the amount as a number', () => ({ ...seedInput, transaction_amount: 0.01 }), 'transaction_amount', 'type string'],
    ['refund_no missing', () => {
      const { refund_no: _r, ...rest } = seedInput;
      return rest;
    }, 'refund_no', 'required'],
    ['time not yyyyMMddHHmmss', () => ({ ...seedInput, time: '2023-06-09 11:06:46' }), 'time', 'pattern'],
  ])('a request with %s is a ValidationError naming the field, and nothing is sent', async (_name, input, path, rule) => {
    const { fetch, sent } = recordingFetch();
    const error = await rejection(eftpay(fetch).refund(input() as never), ValidationError);
    expect(error.messageName).toBe('refund.request.unsigned');
    expect(error.issues).toContainEqual(expect.objectContaining({ path, rule: expect.stringContaining(rule) }));
    expect(sent).toHaveLength(0);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['without return_status', { ...seedResponse, sign: undefined, return_status: undefined }, 'return_status'],
    ['return_status as a number', { ...seedResponse, sign: undefined, return_status: 0 }, 'return_status'],
    ['refund_no as a number', { ...seedResponse, sign: undefined, refund_no: 20190823191819 }, 'refund_no'],
  ])('a signed answer %s is a ResponseError with issues and the raw body', async (_name, fields, path) => {
    const text = signedAnswer(JSON.parse(JSON.stringify(fields)) as Record<string, unknown>);
    const { fetch } = answering(text);
    const error = await rejection(eftpay(fetch).refund(seedInput), ResponseError);
    expect(error.rawBody).toBe(text);
    expect(error.issues.map((i) => i.path)).toContain(path);
  });

  it.each([
    ['an HTML page', '<html>Service Unavailable</html>'],
    ['a form-encoded body', 'return_status=00&sign=abc'],
    ['an empty body', ''],
  ])('an answer that is %s is a ResponseError carrying it', async (_name, text) => {
    const { fetch } = answering(text);
    const error = await rejection(eftpay(fetch).refund(seedInput), ResponseError);
    expect(error.rawBody).toBe(text);
  });
});

describe('eftpay queryRefund', () => {
  const queryInput = {
    service: 'service.alipay.qrcode.Query',
    querytype: 'OUT_TRADE',
    out_trade_no: '20190823191819',
    refund_no: '20190824094947',
    user_confirm_key: '123456789000',
    paytype: 'Alipay',
    buyertype: 'others',
    payment_type: 'ALIPAYCN',
    time: '20230609120000',
  } as const;

  it('POSTs a signed query to the same endpoint and decodes the signed answer', async () => {
    const answer = signedAnswer({ return_status: '00', trade_status: 'TRADE_REFUND', refund_no: '20190824094947', transaction_amount: '0.01', currency: 'HKD' });
    const { fetch, sent } = answering(answer);
    const result = await eftpay(fetch).queryRefund(queryInput);

    const wire = sent[0]!;
    expect(wire.method).toBe('POST');
    expect(wire.url).toBe(`${BASE_URL}/VMP/Servlet/JSAPIService.do`);
    const sign = sha256Hex(
      SECRET +
        'buyertype=others&out_trade_no=20190823191819&payment_type=ALIPAYCN&paytype=Alipay&querytype=OUT_TRADE' +
        '&refund_no=20190824094947&service=service.alipay.qrcode.Query&time=20230609120000&user_confirm_key=123456789000',
    );
    expect(wire.text).toBe(JSON.stringify({ ...queryInput, sign }));

    expect(result.rawBody).toBe(answer);
    expect(result.data.trade_status).toBe('TRADE_REFUND');
  });

  it('an accepted query answer without sign is a SignatureError', async () => {
    const text = '{"return_status":"00","trade_status":"TRADE_REFUND"}';
    const { fetch } = answering(text);
    const error = await rejection(eftpay(fetch).queryRefund(queryInput), SignatureError);
    expect(error.rawBody).toBe(text);
  });

  it('a query with a refund service is a ValidationError, nothing sent', async () => {
    const { fetch, sent } = recordingFetch();
    const error = await rejection(eftpay(fetch).queryRefund({ ...queryInput, service: 'service.alipay.qrcode.Refund' } as never), ValidationError);
    expect(error.issues.map((i) => i.path)).toContain('service');
    expect(sent).toHaveLength(0);
  });
});

describe('eftpay transport', () => {
  transportTests(({ origin, fetch, timeoutMs }) =>
    createEftpayClient({ baseUrl: origin, ...(fetch ? { fetch } : {}), ...(timeoutMs ? { timeoutMs } : {}), secretCode: SECRET }).refund(seedInput),
  );
});

describe('eftpay types', () => {
  it('a wrong field name or type in a request does not compile', () => {
    const { fetch, sent } = recordingFetch();
    const client = eftpay(fetch);
    // Compiled by `tsc -p test/tsconfig.json`, never run: nothing may be sent.
    const neverCalled = (): void => {
      // @ts-expect-error user_confim_key (the seed's misspelling) is not a field
      void client.refund({ service: 'service.alipay.qrcode.Refund', user_confim_key: '123456789000', transaction_amount: '0.01', out_trade_no: 'o', paytype: 'Alipay', buyertype: 'ios', payment_type: 'ALIPAYCN', refund_no: 'r', time: '20230609110646' });
      // @ts-expect-error transaction_amount is a decimal string, not a number
      void client.refund({ ...seedInput, transaction_amount: 0.01 });
      // @ts-expect-error paytype is an enum (Alipay, WeChat, …)
      void client.refund({ ...seedInput, paytype: 'Alipayy' });
      // @ts-expect-error sign is added by the client, not passed
      void client.refund({ ...seedInput, sign: 'a'.repeat(64) });
      // @ts-expect-error querytype is OUT_TRADE
      void client.queryRefund({ service: 'service.alipay.qrcode.Query', querytype: 'REFUND', out_trade_no: 'o', refund_no: 'r', user_confirm_key: 'k', paytype: 'Alipay', buyertype: 'ios', payment_type: 'ALIPAYCN', time: '20230609110646' });
    };
    expectTypeOf<Unsigned>().not.toHaveProperty('sign');
    expectTypeOf(client.refund).parameter(0).toHaveProperty('transaction_amount').toEqualTypeOf<string>();
    expectTypeOf<Awaited<ReturnType<typeof client.refund>>['data']['return_status']>().toEqualTypeOf<string>();
    expect(neverCalled).toBeTypeOf('function');
    expect(sent).toHaveLength(0);
  });
});
