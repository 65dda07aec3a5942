/**
 * @refundkit/yima's client through an injected fetch: the seed request re-encoded byte for byte
 * as GBK XML, the seed answer decoded from raw GBK bytes, CJK round trips, text GBK cannot carry,
 * unknown elements, contract violations on both sides, the query, the MAC hook, transport faults.
 *
 * GBK bytes are checked and built with the WHATWG TextDecoder('gbk') (see support.ts), never with
 * the iconv-lite codec under test.
 */
import { ResponseError, ValidationError, type FetchLike } from '@refundkit/runtime';
import { createYimaClient, decodeRefundRequest, type Messages, type YimaClientOptions } from '@refundkit/yima';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { exampleBytes, fromGbk, gbk, recordingFetch, rejection, transportTests } from './support.js';

type RefundRequest = Messages['refund.request'];
type RefundResponse = Messages['refund.response'];

const URL_ = 'https://yima.test/ipos/gateway';

const seedRequestBytes = exampleBytes('yima', 'refund.request.xml');
const seedResponseBytes = exampleBytes('yima', 'refund.response.xml');

/** The seed request (specs/yima/examples/refund.request.xml), written out. */
const seedInput: RefundRequest = {
  request_type: 'barcode_refundbycashfee_request',
  isspid: '39493002',
  pos_id: '1511300001',
  store_id: '1511300001',
  pos_seq: '1511300000004',
  user_id: 'user01',
  system_id: '8888',
  barcode_refundbycashfee_request: {
    pay_type: '503',
    tx_amt: 10,
    org_pos_seq: '1511300000001',
    goods_detail: [
      { goods_id: 'apple-01', payment_goods_id: '20010001', goods_name: 'ipad', quantity: 1, price: 200000, goods_category: '34543238', body: '特价手机', show_url: 'http://www.alipay.com/xxx.jpg' },
    ],
  },
};

/** The seed answer (specs/yima/examples/refund.response.xml), written out. */
const seedAnswer: RefundResponse = {
  response_type: 'barcode_refundbycashfee_response',
  isspid: '39493002',
  pos_id: '123456789',
  pos_seq: '000000000001',
  sys_seq: '000000000244',
  trans_time: '20090405010104',
  pay_type: '502',
  buss_discount_amt: '2',
  platform_discount_amt: '2',
  wxpay_res_info: {
    trade_no: '4200000254201901093869466982',
    out_trade_no: '1901090000036',
    app_id: 'wx5acb63e448b4fc22',
    mch_id: '1241109502',
    total_fee: '10002',
    cash_fee: '3',
    refund_fee: '10001',
    cash_refund_fee: '2',
    detail_error_code: 'SUCCESS',
    detail_error_desc: 'OK',
  },
  result: { id: '0000', comment: '成功' },
};

function yima(fetch: FetchLike, options: Partial<YimaClientOptions> = {}) {
  return createYimaClient({ baseUrl: URL_, fetch, ...options });
}

/** A fetch answering every request with `bytes` (HTTP 200). */
function answeringBytes(bytes: Uint8Array, headers: Record<string, string> = { 'content-type': 'text/xml; charset=GBK' }) {
  return recordingFetch(() => new Response(bytes, { headers }));
}

/** A GBK answer document: declaration, business_trans root, `inner` elements (text, one per line). */
function answer(inner: string, declaration = '<?xml version="1.0" encoding="GBK"?>\n'): Uint8Array {
  return gbk(`${declaration}<business_trans>\n${inner}</business_trans>\n`);
}

const MINIMAL = '<response_type>barcode_refundbycashfee_response</response_type>\n<isspid>39493002</isspid>\n<pos_id>1511300001</pos_id>\n<pos_seq>1511300000004</pos_seq>\n';

describe('yima refund: the request on the wire', () => {
  it('the written-out input is the seed request (reference check)', () => {
    expect(decodeRefundRequest(seedRequestBytes).value).toEqual(seedInput);
    expect(Buffer.from(gbk(fromGbk(seedRequestBytes))).equals(seedRequestBytes)).toBe(true);
  });

  it('POSTs the seed request to the configured URL as the seed file\'s GBK bytes, byte for byte', async () => {
    const { fetch, sent } = answeringBytes(seedResponseBytes);
    await yima(fetch).refund(seedInput);

    expect(sent).toHaveLength(1);
    const wire = sent[0]!;
    expect(wire.method).toBe('POST');
    expect(wire.url).toBe(URL_);
    expect(wire.headers).toEqual({ 'content-type': 'text/xml; charset=GBK' });
    expect(Buffer.from(wire.body).equals(seedRequestBytes)).toBe(true);
    // 特价手机 as GBK (CC D8 BC DB CA D6 BB FA), not UTF-8.
    expect(Buffer.from(wire.body).includes(Buffer.from([0xcc, 0xd8, 0xbc, 0xdb, 0xca, 0xd6, 0xbb, 0xfa]))).toBe(true);
    expect(Buffer.from(wire.body).includes(Buffer.from('特价手机', 'utf8'))).toBe(false);
  });

  it('uses the configured URL as it is, query included', async () => {
    const { fetch, sent } = answeringBytes(seedResponseBytes);
    await yima(fetch, { baseUrl: 'http://10.0.0.7:8080/iposweb/pos?channel=7' }).refund(seedInput);
    expect(sent[0]!.url).toBe('http://10.0.0.7:8080/iposweb/pos?channel=7');
  });

  it('round-trips CJK goods names through GBK: the bytes decode to the original text', async () => {
    const goods = [
      { goods_id: 'phone-01', goods_name: '特价手机', quantity: 2, price: 199900, body: '原装正品,含税' },
      { goods_id: 'case-02', goods_name: '手机壳(黑色)', quantity: 1, price: 2500 },
    ];
    const input: RefundRequest = { ...seedInput, user_id: '收银员01', barcode_refundbycashfee_request: { ...seedInput.barcode_refundbycashfee_request, goods_detail: goods } };
    const { fetch, sent } = answeringBytes(seedResponseBytes);
    await yima(fetch).refund(input);

    const text = fromGbk(sent[0]!.body);
    expect(text).toContain('<user_id>收银员01</user_id>');
    const cdata = /<goods_detail><!\[CDATA\[(.*)\]\]><\/goods_detail>/.exec(text)?.[1];
    expect(JSON.parse(cdata ?? 'null')).toEqual(goods);
    expect(Buffer.from(sent[0]!.body).equals(Buffer.from(gbk(text)))).toBe(true);
  });

  it('escapes markup characters in text elements', async () => {
    const { fetch, sent } = answeringBytes(seedResponseBytes);
    await yima(fetch).refund({ ...seedInput, user_id: 'a&b<c>d' });
    expect(fromGbk(sent[0]!.body)).toContain('<user_id>a&amp;b&lt;c&gt;d</user_id>');
  });

  it('a MAC hook sees the exact GBK bytes sent and its headers go on the wire', async () => {
    const seen: Uint8Array[] = [];
    const { fetch, sent } = answeringBytes(seedResponseBytes);
    await yima(fetch, {
      mac: (body) => {
        seen.push(body);
        return { 'x-yima-mac': `len-${body.length}` };
      },
    }).refund(seedInput);
    expect(Buffer.from(seen[0]!).equals(seedRequestBytes)).toBe(true);
    expect(sent[0]!.headers['x-yima-mac']).toBe(`len-${seedRequestBytes.length}`);
    expect(Buffer.from(sent[0]!.body).equals(seedRequestBytes)).toBe(true);
  });
});

describe('yima refund: the answer', () => {
  it('decodes the seed answer from its GBK bytes: data, rawBody, status, parsed, unknown', async () => {
    const { fetch } = answeringBytes(seedResponseBytes);
    const result = await yima(fetch).refund(seedInput);
    expect(result.status).toBe(200);
    expect(result.data).toEqual(seedAnswer);
    expect(result.rawBody).toBe(fromGbk(seedResponseBytes));
    expect(result.rawBody).toContain('<comment>成功</comment>');
    expect(result.parsed).toEqual({});
    expect(result.unknown).toEqual([]);
  });

  it('decodes CJK from raw GBK bytes, which read as UTF-8 would be garbled', async () => {
    const bytes = answer(`${MINIMAL}<result>\n<id>0809</id>\n<comment>原交易不存在</comment>\n</result>\n`);
    expect(new TextDecoder('utf-8').decode(bytes)).not.toContain('原交易不存在');
    const { fetch } = answeringBytes(bytes);
    const result = await yima(fetch).refund(seedInput);
    expect(result.data.result).toEqual({ id: '0809', comment: '原交易不存在' });
    expect(result.rawBody).toContain('原交易不存在');
  });

  it('reads the encoding from the XML declaration, not from a Content-Type that claims UTF-8', async () => {
    const bytes = answer(`${MINIMAL}<result>\n<id>9998</id>\n<comment>交易超时</comment>\n</result>\n`);
    const { fetch } = answeringBytes(bytes, { 'content-type': 'text/xml; charset=UTF-8' });
    const result = await yima(fetch).refund(seedInput);
    expect(result.data.result.comment).toBe('交易超时');
  });

  it('reads an answer without an XML declaration as GBK', async () => {
    const bytes = answer(`${MINIMAL}<result>\n<id>6103</id>\n<comment>IP未授权</comment>\n</result>\n`, '');
    const { fetch } = answeringBytes(bytes);
    const result = await yima(fetch).refund(seedInput);
    expect(result.data.result).toEqual({ id: '6103', comment: 'IP未授权' });
  });

  it('ignores unknown elements (root, nested) but keeps them in unknown', async () => {
    const bytes = answer(
      `${MINIMAL}<new_node>新节点</new_node>\n<sys_seq>000000000244</sys_seq>\n` +
        '<wxpay_res_info>\n<trade_no>42000002542019</trade_no>\n<coupon_fee>5</coupon_fee>\n</wxpay_res_info>\n' +
        '<ext>\n<a>1</a>\n<b>2</b>\n</ext>\n' +
        '<result>\n<id>0000</id>\n<comment>成功</comment>\n<sub_code>S1</sub_code>\n</result>\n',
    );
    const { fetch } = answeringBytes(bytes);
    const result = await yima(fetch).refund(seedInput);
    expect(result.data).toEqual({
      response_type: 'barcode_refundbycashfee_response',
      isspid: '39493002',
      pos_id: '1511300001',
      pos_seq: '1511300000004',
      sys_seq: '000000000244',
      wxpay_res_info: { trade_no: '42000002542019' },
      result: { id: '0000', comment: '成功' },
    });
    expect(result.unknown.map(({ path, reason, allowed }) => ({ path, reason, allowed }))).toEqual([
      { path: 'new_node', reason: 'undeclared', allowed: true },
      { path: 'wxpay_res_info.coupon_fee', reason: 'undeclared', allowed: true },
      { path: 'ext', reason: 'undeclared', allowed: true },
      { path: 'result.sub_code', reason: 'undeclared', allowed: true },
    ]);
    expect(result.unknown[0]).toMatchObject({ text: '新节点', xml: '<new_node>新节点</new_node>' });
    expect(result.unknown[2]?.text.replace(/\s/g, '')).toBe('12');
    expect(result.rawBody).toContain('<coupon_fee>5</coupon_fee>');
  });

  it('refuses a declared element repeated beyond its maxOccurs (which one is meant cannot be told): answer_repeated_element', async () => {
    const bytes = answer(`${MINIMAL}<sys_seq>000000000244</sys_seq>\n<sys_seq>000000000245</sys_seq>\n<result>\n<id>0000</id>\n<comment>成功</comment>\n</result>\n`);
    const { fetch } = answeringBytes(bytes);
    const error = await rejection(yima(fetch).refund(seedInput), ResponseError);
    expect(error).toMatchObject({ code: 'answer_repeated_element', issues: [{ path: 'sys_seq', rule: 'maxOccurs' }] });
  });
});

describe('yima refund: contract violations', () => {
  const body = seedInput.barcode_refundbycashfee_request;
  const item = body.goods_detail![0]!;
  it.each<[string, () => unknown, string, string]>([
    ['tx_amt 10.50 (seed negative decimal-tx-amt)', () => ({ ...seedInput, barcode_refundbycashfee_request: { ...body, tx_amt: '10.50' } }), 'barcode_refundbycashfee_request.tx_amt', 'type'],
    ['a 12-character pos_seq (seed negative short-pos-seq)', () => ({ ...seedInput, pos_seq: '151130000004' }), 'pos_seq', 'minLength 13'],
    ['org_pos_seq missing (seed negative missing-org-pos-seq)', () => ({ ...seedInput, barcode_refundbycashfee_request: { ...body, org_pos_seq: undefined } }), 'barcode_refundbycashfee_request.org_pos_seq', 'required'],
    ['a 9-character isspid', () => ({ ...seedInput, isspid: '394930021' }), 'isspid', 'maxBytes'],
    ['an isspid of 5 Chinese characters (10 GBK bytes for String(8))', () => ({ ...seedInput, isspid: '翼码商户号' }), 'isspid', 'maxBytes'],
    ['an empty store_id (必填)', () => ({ ...seedInput, store_id: '' }), 'store_id', 'minLength 1'],
    ['an unknown field', () => ({ ...seedInput, memo: 'x' }), 'memo', 'additionalProperties'],
    ['pay_type 502 (the table lists 503 only)', () => ({ ...seedInput, barcode_refundbycashfee_request: { ...body, pay_type: '502' } }), 'barcode_refundbycashfee_request.pay_type', 'enum'],
    ['a goods item without goods_name', () => ({ ...seedInput, barcode_refundbycashfee_request: { ...body, goods_detail: [{ ...item, goods_name: undefined }] } }), 'barcode_refundbycashfee_request.goods_detail[0].goods_name', 'required'],
    ['an emoji in goods_name', () => ({ ...seedInput, barcode_refundbycashfee_request: { ...body, goods_detail: [{ ...item, goods_name: '特价手机📱' }] } }), 'barcode_refundbycashfee_request.goods_detail[0].goods_name', 'encoding'],
    ['an emoji in user_id', () => ({ ...seedInput, user_id: 'op😀' }), 'user_id', 'encoding'],
    ['a character outside GBK (U+20000) in a goods body', () => ({ ...seedInput, barcode_refundbycashfee_request: { ...body, goods_detail: [{ ...item, body: '𠀀' }] } }), 'barcode_refundbycashfee_request.goods_detail[0].body', 'encoding'],
    ['a control character in user_id', () => ({ ...seedInput, user_id: 'op\u0001' }), 'user_id', 'encoding'],
  ])('a request with %s is a ValidationError naming the field, and nothing is sent', async (_name, input, path, rule) => {
    const { fetch, sent } = recordingFetch();
    const error = await rejection(yima(fetch).refund(JSON.parse(JSON.stringify(input())) as never), ValidationError);
    expect(error.messageName).toBe('refund.request');
    expect(error.issues).toContainEqual(expect.objectContaining({ path, rule: expect.stringContaining(rule) }));
    expect(sent).toHaveLength(0);
  });

  it('names the characters GBK cannot encode, never a silent ? on the wire', async () => {
    const { fetch, sent } = recordingFetch();
    const input = { ...seedInput, barcode_refundbycashfee_request: { ...body, goods_detail: [{ ...item, goods_name: '特价手机📱' }] } };
    const error = await rejection(yima(fetch).refund(input), ValidationError);
    expect(error.message).toContain('U+1F4F1');
    expect(error.message).toContain('GBK');
    expect(sent).toHaveLength(0);
  });

  it.each<[string, string, string]>([
    ['without result', MINIMAL, 'result'],
    ['with result but no id', `${MINIMAL}<result>\n<comment>成功</comment>\n</result>\n`, 'result.id'],
    ['with a 5-character result id', `${MINIMAL}<result>\n<id>00000</id>\n<comment>成功</comment>\n</result>\n`, 'result.id'],
    ['without pos_seq', MINIMAL.replace('<pos_seq>1511300000004</pos_seq>\n', '') + '<result>\n<id>0000</id>\n<comment>成功</comment>\n</result>\n', 'pos_seq'],
    ['with trans_time not yyyyMMddHHmmss', `${MINIMAL}<trans_time>yesterday</trans_time>\n<result>\n<id>0000</id>\n<comment>成功</comment>\n</result>\n`, 'trans_time'],
    ['with elements where text is expected', MINIMAL.replace('<isspid>39493002</isspid>', '<isspid><x>1</x></isspid>') + '<result>\n<id>0000</id>\n<comment>成功</comment>\n</result>\n', 'isspid'],
    ['of another message (a query answer)', MINIMAL.replace('barcode_refundbycashfee_response', 'barcode_refundquery_response') + '<result>\n<id>0000</id>\n<comment>成功</comment>\n</result>\n', 'response_type'],
  ])('an answer %s is a ResponseError with issues and the raw (decoded) body', async (_name, inner, path) => {
    const bytes = answer(inner);
    const { fetch } = answeringBytes(bytes);
    const error = await rejection(yima(fetch).refund(seedInput), ResponseError);
    expect(error.rawBody).toBe(fromGbk(bytes));
    expect(error.issues.map((i) => i.path)).toContain(path);
  });

  it.each<[string, Uint8Array]>([
    ['malformed XML', gbk('<?xml version="1.0" encoding="GBK"?>\n<business_trans>\n<result><id>0000</id>\n</business_trans>\n')],
    ['JSON', gbk('{"result":{"id":"0000"}}')],
    ['an HTML page', gbk('<html><body>维护中</body></html>')],
    ['two root elements', gbk('<business_trans></business_trans><business_trans></business_trans>')],
    ['a DOCTYPE with an external entity', gbk('<?xml version="1.0" encoding="GBK"?>\n<!DOCTYPE business_trans [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<business_trans><response_type>barcode_refundbycashfee_response</response_type></business_trans>\n')],
    ['an empty body', new Uint8Array(0)],
  ])('an answer that is %s is a ResponseError carrying it', async (_name, bytes) => {
    const { fetch } = answeringBytes(bytes);
    const error = await rejection(yima(fetch).refund(seedInput), ResponseError);
    expect(error.rawBody).toBe(fromGbk(bytes));
  });
});

describe('yima queryRefund', () => {
  const queryInput: Messages['queryRefund.request'] = {
    request_type: 'barcode_refundquery_request',
    isspid: '39493002',
    pos_id: '1511300001',
    store_id: '1511300001',
    pos_seq: '1511300000005',
    system_id: '8888',
    barcode_refundquery_request: { org_pos_seq: '1511300000004' },
  };

  it('POSTs barcode_refundquery_request as GBK XML and decodes the answer', async () => {
    const bytes = answer(
      MINIMAL.replace('barcode_refundbycashfee_response', 'barcode_refundquery_response').replace('1511300000004', '1511300000005') +
        '<sys_seq>000000000250</sys_seq>\n<result>\n<id>0000</id>\n<comment>退款成功</comment>\n</result>\n',
    );
    const { fetch, sent } = answeringBytes(bytes);
    const result = await yima(fetch).queryRefund(queryInput);

    const wire = sent[0]!;
    expect(wire.method).toBe('POST');
    expect(wire.url).toBe(URL_);
    expect(wire.headers['content-type']).toBe('text/xml; charset=GBK');
    expect(Buffer.from(wire.body).toString('latin1')).toBe(
      '<?xml version="1.0" encoding="GBK"?>\n<business_trans>\n' +
        '<request_type>barcode_refundquery_request</request_type>\n<isspid>39493002</isspid>\n<pos_id>1511300001</pos_id>\n' +
        '<store_id>1511300001</store_id>\n<pos_seq>1511300000005</pos_seq>\n<system_id>8888</system_id>\n' +
        '<barcode_refundquery_request>\n<org_pos_seq>1511300000004</org_pos_seq>\n</barcode_refundquery_request>\n' +
        '</business_trans>\n',
    );
    expect(result.data).toEqual({
      response_type: 'barcode_refundquery_response',
      isspid: '39493002',
      pos_id: '1511300001',
      pos_seq: '1511300000005',
      sys_seq: '000000000250',
      result: { id: '0000', comment: '退款成功' },
    });
    expect(result.unknown).toEqual([]);
  });

  it('a refund answer to a query is a ResponseError', async () => {
    const { fetch } = answeringBytes(seedResponseBytes);
    const error = await rejection(yima(fetch).queryRefund(queryInput), ResponseError);
    expect(error.issues.map((i) => i.path)).toContain('response_type');
  });

  it('a query with a short org_pos_seq is a ValidationError, nothing sent', async () => {
    const { fetch, sent } = recordingFetch();
    const error = await rejection(yima(fetch).queryRefund({ ...queryInput, barcode_refundquery_request: { org_pos_seq: '1' } }), ValidationError);
    expect(error.issues.map((i) => i.path)).toContain('barcode_refundquery_request.org_pos_seq');
    expect(sent).toHaveLength(0);
  });
});

describe('yima transport', () => {
  transportTests(({ origin, fetch, timeoutMs }) =>
    createYimaClient({ baseUrl: `${origin}/ipos/gateway`, ...(fetch ? { fetch } : {}), ...(timeoutMs ? { timeoutMs } : {}) }).refund(seedInput),
  );
});

describe('yima types', () => {
  it('a wrong field name or type in a request does not compile', () => {
    const { fetch, sent } = recordingFetch();
    const client = yima(fetch);
    const body = seedInput.barcode_refundbycashfee_request;
    // Compiled by `tsc -p test/tsconfig.json`, never run: nothing may be sent.
    const neverCalled = (): void => {
      // @ts-expect-error tx_amt is an integer of fen, not a string
      void client.refund({ ...seedInput, barcode_refundbycashfee_request: { org_pos_seq: '1511300000001', tx_amt: '10' } });
      // @ts-expect-error org_pos_sq is not a field (misspelt)
      void client.refund({ ...seedInput, barcode_refundbycashfee_request: { org_pos_sq: '1511300000001', tx_amt: 10 } });
      // @ts-expect-error request_type is fixed
      void client.refund({ ...seedInput, request_type: 'barcode_refundquery_request' });
      // @ts-expect-error a goods item's quantity is a number
      void client.refund({ ...seedInput, barcode_refundbycashfee_request: { ...body, goods_detail: [{ goods_id: 'g', goods_name: 'n', quantity: '1', price: 1 }] } });
      // @ts-expect-error the query's inner element is barcode_refundquery_request
      void client.queryRefund({ request_type: 'barcode_refundquery_request', isspid: 'i', pos_id: 'p', store_id: 's', pos_seq: '1511300000005', system_id: '8888', barcode_refundbycashfee_request: { org_pos_seq: '1511300000004' } });
    };
    expectTypeOf(client.refund).parameter(0).toHaveProperty('barcode_refundbycashfee_request').toHaveProperty('tx_amt').toEqualTypeOf<number>();
    expectTypeOf<Awaited<ReturnType<typeof client.refund>>['data']['result']['id']>().toEqualTypeOf<string>();
    expectTypeOf<Awaited<ReturnType<typeof client.refund>>['unknown'][number]['path']>().toEqualTypeOf<string>();
    expect(neverCalled).toBeTypeOf('function');
    expect(sent).toHaveLength(0);
  });
});
