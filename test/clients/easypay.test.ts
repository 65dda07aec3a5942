/**
 * @refundkit/easypay's client through an injected fetch: the seed request's exact bytes and RSA
 * signature (computed here with node:crypto from a literally written signing string), the seed
 * answer re-signed with the "EasyPay" test key, signature failures, contract violations on both
 * sides, transport faults, the query and notifications.
 */
import { createPublicKey, sign as rsaSign, verify as rsaVerify } from 'node:crypto';
import { createEasypayClient, type EasypayClientOptions, type Messages } from '@refundkit/easypay';
import { ResponseError, SignatureError, ValidationError, type FetchLike } from '@refundkit/runtime';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  answering,
  canonical,
  easypaySign,
  exampleJson,
  exampleText,
  jsonAlterations,
  md5Upper,
  recordingFetch,
  rejection,
  signingVectors,
  testKeys,
  thrown,
  transportTests,
} from './support.js';

type RefundRequest = Messages['refund.request'];
type RefundResponse = Messages['refund.response'];

const BASE_URL = 'https://easypay.test';
/** 2024-11-04 10:43:13 in Asia/Shanghai (UTC+8): the seed's transTime. */
const SEED_INSTANT = Date.parse('2024-11-04T02:43:13Z');
const SEED_REQ_ID = '531000023045074';

const seedRequest = exampleJson<RefundRequest>('easypay', 'refund.request.json');
const seedResponseText = exampleText('easypay', 'refund.response.json');
const seedResponse = JSON.parse(seedResponseText) as RefundResponse & { rspSign: string };

/** What the caller passes for the seed example: reqHeader and reqSign are the client's job. */
const seedInput = { reqBody: seedRequest.reqBody };

function easypay(fetch: FetchLike, options: Partial<EasypayClientOptions> = {}) {
  return createEasypayClient({
    baseUrl: BASE_URL,
    fetch,
    privateKey: testKeys.merchantPrivate,
    easypayPublicKey: testKeys.easypayPublic,
    clock: () => SEED_INSTANT,
    newReqId: () => SEED_REQ_ID,
    ...options,
  });
}

/** A JSON answer `{rspHeader, rspBody, rspSign}` signed with the "EasyPay" test key. */
function signedAnswer(rspHeader: unknown, rspBody: unknown, key = testKeys.easypayPrivate): string {
  return JSON.stringify({ rspHeader, rspBody, rspSign: easypaySign(rspHeader, rspBody, key) });
}

/** The seed answer text with its rspSign replaced by one made with the "EasyPay" test key. */
const resignedSeedText = seedResponseText.replace(seedResponse.rspSign, easypaySign(seedResponse.rspHeader, seedResponse.rspBody, testKeys.easypayPrivate));

describe('easypay refund: the request on the wire', () => {
  // The signing string, written out: canonical reqHeader (keys sorted, compact) + upper-case hex
  // MD5 of the canonical reqBody.
  const canonicalHeader = '{"reqId":"531000023045074","transTime":"20241104104313"}';
  const canonicalBody =
    '{"payInfo":{"payType":"AliPayRefund","transDate":"20241104"},"reqInfo":{"mchtCode":"531000023045074"},' +
    '"reqOrderInfo":{"backUrl":"www.baidu.com","orgTrace":"96647913862211678086","oriOrgTrace":"47348406802385142418","oriTransDate":"20241104","refundAmount":1}}';
  const signingString = canonicalHeader + 'D299D8DC972FF35474B7674339D465EC';
  const expectedSign = rsaSign('sha256', Buffer.from(signingString, 'utf8'), testKeys.merchantPrivate).toString('base64');

  it('the literal signing string is the seed request canonicalised (reference check)', () => {
    expect(md5Upper(canonicalBody)).toBe('D299D8DC972FF35474B7674339D465EC');
    expect(canonical(seedRequest.reqHeader)).toBe(canonicalHeader);
    expect(canonical(seedRequest.reqBody)).toBe(canonicalBody);
    // The same signature openssl made (packages/signing/test/vectors.json, "seed 000 request").
    const vector = signingVectors.easypay.vectors.find((v) => v.name === 'seed 000 request');
    expect(vector?.signingString.value).toBe(signingString);
    expect(vector?.signature.value).toBe(expectedSign);
  });

  it('POSTs the seed request to /yqt/trade/refund/speedRefund: exact body, seed reqHeader, reqSign by the merchant key', async () => {
    const { fetch, sent } = answering(resignedSeedText);
    await easypay(fetch).refund(seedInput);

    expect(sent).toHaveLength(1);
    const wire = sent[0]!;
    expect(wire.method).toBe('POST');
    expect(wire.url).toBe(`${BASE_URL}/yqt/trade/refund/speedRefund`);
    expect(wire.headers['content-type']).toBe('application/json');
    expect(wire.text).toBe(
      '{"reqHeader":{"transTime":"20241104104313","reqId":"531000023045074"},' +
        '"reqBody":{"reqInfo":{"mchtCode":"531000023045074"},' +
        '"reqOrderInfo":{"orgTrace":"96647913862211678086","backUrl":"www.baidu.com","oriOrgTrace":"47348406802385142418","oriTransDate":"20241104","refundAmount":1},' +
        '"payInfo":{"payType":"AliPayRefund","transDate":"20241104"}},' +
        `"reqSign":"${expectedSign}"}`,
    );
    const body = JSON.parse(wire.text) as RefundRequest;
    expect(body.reqHeader).toEqual(seedRequest.reqHeader);
    expect(body.reqSign).toBe(expectedSign);
    expect(rsaVerify('sha256', Buffer.from(signingString), createPublicKey(testKeys.merchantPublic), Buffer.from(body.reqSign, 'base64'))).toBe(true);
    // Not the seed's own reqSign: that one was made with a key we do not have.
    expect(body.reqSign).not.toBe(seedRequest.reqSign);
  });

  it('writes transTime in Asia/Shanghai, across the UTC day boundary', async () => {
    const { fetch, sent } = answering(resignedSeedText);
    await easypay(fetch, { clock: () => Date.parse('2024-11-03T16:30:05Z') }).refund(seedInput);
    const body = JSON.parse(sent[0]!.text) as RefundRequest;
    expect(body.reqHeader.transTime).toBe('20241104003005');
    const expected = rsaSign('sha256', Buffer.from(`{"reqId":"531000023045074","transTime":"20241104003005"}D299D8DC972FF35474B7674339D465EC`), testKeys.merchantPrivate);
    expect(body.reqSign).toBe(expected.toString('base64'));
  });

  it('makes a fresh 32-hex-digit reqId per request by default', async () => {
    const { fetch, sent } = answering(resignedSeedText);
    const client = createEasypayClient({ baseUrl: BASE_URL, fetch, privateKey: testKeys.merchantPrivate, easypayPublicKey: testKeys.easypayPublic });
    await client.refund(seedInput);
    await client.refund(seedInput);
    const ids = sent.map((s) => (JSON.parse(s.text) as RefundRequest).reqHeader.reqId);
    expect(ids[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(ids[1]).toMatch(/^[0-9a-f]{32}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('leaves an optional field set to undefined (backUrl, no notification URL) out of both body and signature', async () => {
    const { fetch, sent } = answering(resignedSeedText);
    await easypay(fetch).refund({ reqBody: { ...seedRequest.reqBody, reqOrderInfo: { ...seedRequest.reqBody.reqOrderInfo, backUrl: undefined } } });
    const wire = sent[0]!.text;
    expect(wire).not.toContain('backUrl');
    const bodyWithoutBackUrl =
      '{"payInfo":{"payType":"AliPayRefund","transDate":"20241104"},"reqInfo":{"mchtCode":"531000023045074"},' +
      '"reqOrderInfo":{"orgTrace":"96647913862211678086","oriOrgTrace":"47348406802385142418","oriTransDate":"20241104","refundAmount":1}}';
    const expected = rsaSign('sha256', Buffer.from(canonicalHeader + md5Upper(bodyWithoutBackUrl)), testKeys.merchantPrivate).toString('base64');
    expect((JSON.parse(wire) as RefundRequest).reqSign).toBe(expected);
  });

  it('adds configured reqType and certificateId to reqHeader and signs them; a caller reqHeader field wins', async () => {
    const { fetch, sent } = answering(resignedSeedText);
    await easypay(fetch, { reqType: '1', certificateId: 'CERT-01' }).refund({ ...seedInput, reqHeader: { reqId: 'R-given-by-caller' } });
    const body = JSON.parse(sent[0]!.text) as RefundRequest;
    expect(body.reqHeader).toEqual({ transTime: '20241104104313', reqId: 'R-given-by-caller', reqType: '1', certificateId: 'CERT-01' });
    const signing = '{"certificateId":"CERT-01","reqId":"R-given-by-caller","reqType":"1","transTime":"20241104104313"}D299D8DC972FF35474B7674339D465EC';
    expect(body.reqSign).toBe(rsaSign('sha256', Buffer.from(signing), testKeys.merchantPrivate).toString('base64'));
  });
});

describe('easypay refund: the answer', () => {
  it('decodes the seed answer (re-signed with the EasyPay test key): data, rawBody, status, parsed', async () => {
    const { fetch } = answering(resignedSeedText);
    const result = await easypay(fetch).refund(seedInput);
    expect(result.status).toBe(200);
    expect(result.rawBody).toBe(resignedSeedText);
    expect(result.parsed).toEqual({});
    expect(result.data).toEqual(JSON.parse(resignedSeedText));
    expect(result.data.rspHeader.rspCode).toBe('000000');
    expect(result.data.rspBody?.respStateInfo?.transState).toBe('0');
    expect(result.data.rspBody?.respStateInfo?.transStatusDesc).toBe('处理成功');
    expect(result.data.rspBody?.respOrderInfo?.refundAmount).toBe(1);
    expect(result.data.rspBody?.settleRespParamInfo?.settleAmt).toBe(1);
  });

  it("the seed answer with the seed's own rspSign (another key) is a SignatureError carrying the raw body", async () => {
    const { fetch } = answering(seedResponseText);
    const error = await rejection(easypay(fetch).refund(seedInput), SignatureError);
    expect(error.rawBody).toBe(seedResponseText);
    expect(error.message).toContain('refund.response');
  });

  it('any single changed character of a signed answer is a SignatureError carrying the altered body', async () => {
    // Every change in the signed parts (rspHeader, rspBody, property names included); in the
    // 344-character rspSign value, every 16th position (each decodes to other bytes or none).
    const sign = resignedSeedText.indexOf('"rspSign"');
    const alterations = jsonAlterations(resignedSeedText).filter(([i]) => i < sign + 12 || i % 16 === 0);
    expect(alterations.length).toBeGreaterThan(300);
    let next = '';
    const client = easypay(async () => new Response(next));
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
    ['without rspSign', () => JSON.stringify({ rspHeader: seedResponse.rspHeader, rspBody: seedResponse.rspBody })],
    ['with an empty rspSign', () => JSON.stringify({ ...seedResponse, rspSign: '' })],
    ['signed by the merchant key instead of EasyPay', () => signedAnswer(seedResponse.rspHeader, seedResponse.rspBody, testKeys.merchantPrivate)],
    ['with rspSign of the wrong length', () => JSON.stringify({ ...seedResponse, rspSign: Buffer.alloc(128, 1).toString('base64') })],
    ['with rspSign that is not base64', () => JSON.stringify({ ...seedResponse, rspSign: '***not base64***' })],
  ])('an answer %s is a SignatureError, never a success', async (_name, body) => {
    const text = body();
    const { fetch } = answering(text);
    const error = await rejection(easypay(fetch).refund(seedInput), SignatureError);
    expect(error.rawBody).toBe(text);
  });

  it('accepts unknown extra fields in a signed answer and keeps them in data and rawBody', async () => {
    const rspHeader = { ...seedResponse.rspHeader, newHeaderField: 'x' };
    const rspBody = { ...seedResponse.rspBody, newSection: { a: 1 }, respStateInfo: { ...seedResponse.rspBody?.respStateInfo, extraCode: 'E1' } };
    const text = JSON.stringify({ rspHeader, rspBody, rspSign: easypaySign(rspHeader, rspBody, testKeys.easypayPrivate), topLevelExtra: true });
    const { fetch } = answering(text);
    const result = await easypay(fetch).refund(seedInput);
    expect(result.rawBody).toBe(text);
    expect(result.data).toMatchObject({ rspHeader: { newHeaderField: 'x' }, rspBody: { newSection: { a: 1 }, respStateInfo: { extraCode: 'E1' } }, topLevelExtra: true });
  });
});

describe('easypay refund: contract violations', () => {
  const reqOrderInfo = seedRequest.reqBody.reqOrderInfo;
  it.each<[string, () => unknown, string, string]>([
    ['refundAmount as a string (seed negative amount-string)', () => ({ reqBody: exampleJson<RefundRequest>('easypay', 'refund.request.amount-string.json').reqBody }), 'reqBody.reqOrderInfo.refundAmount', 'type integer'],
    ['refundAmount 0 (seed negative amount-zero)', () => ({ reqBody: exampleJson<RefundRequest>('easypay', 'refund.request.amount-zero.json').reqBody }), 'reqBody.reqOrderInfo.refundAmount', 'minimum 1'],
    ['a 33-character reqId (seed negative reqid-too-long)', () => ({ ...seedInput, reqHeader: exampleJson<RefundRequest>('easypay', 'refund.request.reqid-too-long.json').reqHeader }), 'reqHeader.reqId', 'maxLength 32'],
    ['mchtCode missing', () => ({ reqBody: { ...seedRequest.reqBody, reqInfo: {} } }), 'reqBody.reqInfo.mchtCode', 'required'],
    ['an unknown field', () => ({ reqBody: { ...seedRequest.reqBody, reqOrderInfo: { ...reqOrderInfo, refundReason: 'x' } } }), 'reqBody.reqOrderInfo.refundReason', 'additionalProperties'],
    ['oriTransDate not yyyyMMdd', () => ({ reqBody: { ...seedRequest.reqBody, reqOrderInfo: { ...reqOrderInfo, oriTransDate: '2024-11-04' } } }), 'reqBody.reqOrderInfo.oriTransDate', 'pattern'],
  ])('a request with %s is a ValidationError naming the field, and nothing is sent', async (_name, input, path, rule) => {
    const { fetch, sent } = recordingFetch();
    const error = await rejection(easypay(fetch).refund(input() as never), ValidationError);
    expect(error.messageName).toBe('refund.request.unsigned');
    expect(error.issues).toContainEqual(expect.objectContaining({ path, rule: expect.stringContaining(rule) }));
    expect(error.message).toContain(path);
    expect(sent).toHaveLength(0);
  });

  it.each<[string, unknown, unknown, string]>([
    ['rspHeader without rspCode', { rspInfo: 'SUCCESS' }, seedResponse.rspBody, 'rspHeader.rspCode'],
    ['respStateInfo.respCode as a number', seedResponse.rspHeader, { ...seedResponse.rspBody, respStateInfo: { ...seedResponse.rspBody?.respStateInfo, respCode: 0 } }, 'rspBody.respStateInfo.respCode'],
    ['respOrderInfo.refundAmount as a string', seedResponse.rspHeader, { ...seedResponse.rspBody, respOrderInfo: { ...seedResponse.rspBody?.respOrderInfo, refundAmount: '1' } }, 'rspBody.respOrderInfo.refundAmount'],
  ])('a signed answer with %s is a ResponseError with issues and the raw body', async (_name, rspHeader, rspBody, path) => {
    const text = signedAnswer(rspHeader, rspBody);
    const { fetch } = answering(text);
    const error = await rejection(easypay(fetch).refund(seedInput), ResponseError);
    expect(error.rawBody).toBe(text);
    expect(error.issues.map((i) => i.path)).toContain(path);
  });

  it.each([
    ['an HTML page', '<html><body>502 Bad Gateway</body></html>'],
    ['truncated JSON', resignedSeedText.slice(0, 100)],
    ['an empty body', ''],
  ])('an answer that is %s is a ResponseError carrying it', async (_name, text) => {
    const { fetch } = answering(text);
    const error = await rejection(easypay(fetch).refund(seedInput), ResponseError);
    expect(error.rawBody).toBe(text);
    expect(error.message).toContain('not JSON');
  });
});

describe('easypay queryRefund', () => {
  const queryInput = {
    reqBody: {
      reqInfo: { mchtCode: '531000023045074' },
      reqOrderInfo: { orgTrace: '96647913862211678086', oriOrgTrace: '47348406802385142418', oriTransDate: '20241104' },
      payInfo: { payType: 'AliPayRefund' },
    },
  };

  it('POSTs a signed query to /yqt/trade/tradeQuery and decodes the signed answer', async () => {
    const rspBody = { ...seedResponse.rspBody, respStateInfo: { ...seedResponse.rspBody?.respStateInfo, transState: '9' } };
    const answer = signedAnswer(seedResponse.rspHeader, rspBody);
    const { fetch, sent } = answering(answer);
    const result = await easypay(fetch).queryRefund(queryInput);

    const wire = sent[0]!;
    expect(wire.method).toBe('POST');
    expect(wire.url).toBe(`${BASE_URL}/yqt/trade/tradeQuery`);
    const canonicalBody =
      '{"payInfo":{"payType":"AliPayRefund"},"reqInfo":{"mchtCode":"531000023045074"},' +
      '"reqOrderInfo":{"orgTrace":"96647913862211678086","oriOrgTrace":"47348406802385142418","oriTransDate":"20241104"}}';
    expect(canonical(queryInput.reqBody)).toBe(canonicalBody);
    const reqSign = rsaSign('sha256', Buffer.from('{"reqId":"531000023045074","transTime":"20241104104313"}' + md5Upper(canonicalBody)), testKeys.merchantPrivate).toString('base64');
    expect(wire.text).toBe(`{"reqHeader":{"transTime":"20241104104313","reqId":"531000023045074"},"reqBody":${JSON.stringify(queryInput.reqBody)},"reqSign":"${reqSign}"}`);

    expect(result.status).toBe(200);
    expect(result.rawBody).toBe(answer);
    expect(result.data.rspBody?.respStateInfo?.transState).toBe('9');
  });

  it('an unverifiable query answer is a SignatureError', async () => {
    const { fetch } = answering(seedResponseText);
    const error = await rejection(easypay(fetch).queryRefund(queryInput), SignatureError);
    expect(error.rawBody).toBe(seedResponseText);
  });

  it('a query missing oriOrgTrace is a ValidationError, nothing sent', async () => {
    const { fetch, sent } = recordingFetch();
    const { oriOrgTrace: _dropped, ...reqOrderInfo } = queryInput.reqBody.reqOrderInfo;
    const error = await rejection(easypay(fetch).queryRefund({ reqBody: { ...queryInput.reqBody, reqOrderInfo } } as never), ValidationError);
    expect(error.issues.map((i) => i.path)).toContain('reqBody.reqOrderInfo.oriOrgTrace');
    expect(sent).toHaveLength(0);
  });
});

describe('easypay verifyNotification', () => {
  const reqHeader = { transTime: '20241104104340', reqId: 'N20241104104340001' };
  const reqBody = {
    respStateInfo: { respCode: '000000', respDesc: 'SUCCESS', transState: '0', transStatusDesc: '处理成功' },
    respOrderInfo: { orgTrace: '96647913862211678086', refundAmount: 1 },
  };
  const notification = JSON.stringify({ reqHeader, reqBody, reqSign: easypaySign(reqHeader, reqBody, testKeys.easypayPrivate) });
  const client = easypay(recordingFetch().fetch);

  it('verifies a notification signed with the EasyPay key, as text or bytes', () => {
    for (const raw of [notification, new TextEncoder().encode(notification)]) {
      const result = client.verifyNotification(raw, { 'content-type': 'application/json' });
      expect(result.verified).toBe(true);
      expect(result.rawBody).toBe(notification);
      expect(result.data.reqBody.respStateInfo.transState).toBe('0');
      expect(result.data.reqBody.respOrderInfo.orgTrace).toBe('96647913862211678086');
    }
  });

  it.each([
    ['a changed amount', notification.replace('"refundAmount":1', '"refundAmount":100')],
    ['a changed state', notification.replace('"transState":"0"', '"transState":"X"')],
    ['no reqSign', JSON.stringify({ reqHeader, reqBody })],
    ['a signature by the merchant key', JSON.stringify({ reqHeader, reqBody, reqSign: easypaySign(reqHeader, reqBody, testKeys.merchantPrivate) })],
  ])('a notification with %s is a SignatureError carrying the raw body', (_name, text) => {
    expect(text).not.toBe(notification);
    const error = thrown(() => client.verifyNotification(text), SignatureError);
    expect(error.rawBody).toBe(text);
  });

  it('a signed notification that breaks its contract (no transState) is a ResponseError', () => {
    const body = { ...reqBody, respStateInfo: { respCode: '000000' } };
    const text = JSON.stringify({ reqHeader, reqBody: body, reqSign: easypaySign(reqHeader, body, testKeys.easypayPrivate) });
    const error = thrown(() => client.verifyNotification(text), ResponseError);
    expect(error.issues.map((i) => i.path)).toContain('reqBody.respStateInfo.transState');
    expect(error.rawBody).toBe(text);
  });
});

describe('easypay transport', () => {
  transportTests(({ origin, fetch, timeoutMs }) =>
    createEasypayClient({
      baseUrl: origin,
      ...(fetch ? { fetch } : {}),
      ...(timeoutMs ? { timeoutMs } : {}),
      privateKey: testKeys.merchantPrivate,
      easypayPublicKey: testKeys.easypayPublic,
    }).refund(seedInput),
  );
});

describe('easypay types', () => {
  it('a wrong field name or type in a request does not compile', () => {
    const { fetch, sent } = recordingFetch();
    const client = easypay(fetch);
    const { reqInfo, payInfo } = seedRequest.reqBody;
    // Compiled by `tsc -p test/tsconfig.json`, never run: nothing may be sent.
    const neverCalled = (): void => {
      // @ts-expect-error refundAmount is an integer of fen, not a string
      void client.refund({ reqBody: { reqInfo, payInfo, reqOrderInfo: { orgTrace: 'o', oriOrgTrace: 'p', oriTransDate: '20241104', refundAmount: '1' } } });
      // @ts-expect-error refundAmonut is not a field (misspelt)
      void client.refund({ reqBody: { reqInfo, payInfo, reqOrderInfo: { orgTrace: 'o', oriOrgTrace: 'p', oriTransDate: '20241104', refundAmonut: 1 } } });
      // @ts-expect-error mchtCode is required
      void client.refund({ reqBody: { reqInfo: {}, payInfo, reqOrderInfo: { orgTrace: 'o', oriOrgTrace: 'p', oriTransDate: '20241104', refundAmount: 1 } } });
      // @ts-expect-error reqType is '1' | '2'
      void client.refund({ ...seedInput, reqHeader: { reqType: '3' } });
      // @ts-expect-error payType is required in a query
      void client.queryRefund({ reqBody: { reqInfo, payInfo: {}, reqOrderInfo: { oriOrgTrace: 'p', oriTransDate: '20241104' } } });
    };
    expectTypeOf(client.refund).parameter(0).toMatchTypeOf<{ reqBody: { reqOrderInfo: { refundAmount: number } } }>();
    expectTypeOf<Awaited<ReturnType<typeof client.refund>>['data']['rspHeader']['rspCode']>().toEqualTypeOf<string>();
    expectTypeOf<Awaited<ReturnType<typeof client.refund>>['rawBody']>().toEqualTypeOf<string>();
    expectTypeOf(client.verifyNotification).returns.toHaveProperty('verified').toEqualTypeOf<boolean>();
    expect(neverCalled).toBeTypeOf('function');
    expect(sent).toHaveLength(0);
  });
});
