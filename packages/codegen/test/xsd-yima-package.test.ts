// Behaviour of the generated @refundkit/yima package, imported from its generated TypeScript
// sources (generated/yima/src), against the contract's own examples and the codec's promises.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ValidationError } from '@refundkit/runtime';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { YIMA_SPECS } from './xsd-helpers.js';

// generated/yima lies outside this package's rootDir, so a static import would pull its sources
// into codegen's own tsc program (TS6059). They are loaded at run time instead (vitest transforms
// the TypeScript) and typed here by the signatures the tests use.
type MessageName = 'refund.request' | 'refund.response' | 'queryRefund.request' | 'queryRefund.response';
interface GoodsDetailItem {
  goods_id: string;
  payment_goods_id?: string;
  goods_name: string;
  quantity: number;
  price: number;
  goods_category?: string;
  body?: string;
  show_url?: string;
}
interface RefundRequest {
  request_type: 'barcode_refundbycashfee_request';
  isspid: string;
  pos_id: string;
  store_id: string;
  pos_seq: string;
  user_id?: string;
  system_id: string;
  barcode_refundbycashfee_request: { pay_type?: '503'; tx_amt: number; org_pos_seq: string; goods_detail?: GoodsDetailItem[] };
}
interface UnknownElement {
  path: string;
  reason: 'undeclared' | 'maxOccurs';
  allowed: boolean;
  text: string;
  xml: string;
}
interface Decoded<T> {
  value: T;
  unknown: UnknownElement[];
}
/** The decoded shape of any message, loosely: tests read fields they know are there. */
type AnyMessage = any;
interface MessageDescriptor {
  name: string;
  encoding: string;
  root: string;
  typeElement: string;
  typeValue: string;
  open: boolean;
  children: readonly ElementDescriptor[];
}
interface ElementDescriptor {
  name: string;
  kind: 'text' | 'integer' | 'json' | 'complex';
  minOccurs: number;
  maxOccurs: number | 'unbounded';
  maxLength?: number;
  open?: boolean;
  children?: readonly ElementDescriptor[];
}
interface YimaPackage {
  contract: AnyMessage;
  messageNames: readonly MessageName[];
  canEncode(text: string, encoding: string): boolean;
  validateMessage(name: MessageName, value: unknown): AnyMessage;
  readMessage(name: MessageName, bytes: Uint8Array): Decoded<AnyMessage>;
  writeMessage(name: MessageName, value: AnyMessage): Uint8Array;
  encodeMessage(name: MessageName, value: AnyMessage): Uint8Array;
  decodeMessageAs(name: MessageName, bytes: Uint8Array): Decoded<AnyMessage>;
  decodeMessageTextAs(name: MessageName, text: string): Decoded<AnyMessage>;
  decodeMessage(bytes: Uint8Array): AnyMessage;
  decodeAnyMessage(bytes: Uint8Array): Decoded<AnyMessage> & { name: MessageName };
  encodeRefundRequest(value: RefundRequest): Uint8Array;
  decodeRefundRequest(bytes: Uint8Array): Decoded<RefundRequest>;
  decodeRefundResponse(bytes: Uint8Array): Decoded<AnyMessage>;
  encodeQueryRefundRequest(value: AnyMessage): Uint8Array;
}
interface XmlCodecEngine {
  encodeXml(descriptor: MessageDescriptor, value: unknown): Uint8Array;
  decodeXml(descriptor: MessageDescriptor, bytes: Uint8Array): Decoded<unknown>;
  decodeText(bytes: Uint8Array, defaultEncoding: string, messageName: string): string;
}

const GENERATED = join(import.meta.dirname, '../../../generated/yima/src');
const yima = (await import(pathToFileURL(join(GENERATED, 'index.ts')).href)) as YimaPackage;
const engine = (await import(pathToFileURL(join(GENERATED, 'xml-codec.ts')).href)) as XmlCodecEngine;
const {
  canEncode,
  contract,
  decodeAnyMessage,
  decodeMessage,
  decodeMessageAs,
  decodeRefundRequest,
  decodeRefundResponse,
  encodeMessage,
  encodeQueryRefundRequest,
  encodeRefundRequest,
  messageNames,
  readMessage,
  validateMessage,
  writeMessage,
} = yima;
const { decodeXml, encodeXml } = engine;

const EXAMPLES = join(YIMA_SPECS, 'examples');
const gbk = (text: string): Buffer => iconv.encode(text, 'gbk');
const text = (bytes: Uint8Array): string => iconv.decode(Buffer.from(bytes), 'gbk');

interface Example {
  file: string;
  message: MessageName;
  valid: boolean;
  source: string;
  rejects?: string;
  corrections?: string;
}
const examples = parse(readFileSync(join(EXAMPLES, 'examples.yaml'), 'utf8')) as Example[];

/** The ValidationError `run` throws (fails the test when it throws none). */
function rejection(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

const request = (): RefundRequest => ({
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
      { goods_id: 'apple-01', goods_name: '特价手机', quantity: 1, price: 200000, body: '商品' },
      { goods_id: 'apple-02', goods_name: 'ipad2', quantity: 2, price: 100 },
    ],
  },
});

describe('the examples of specs/yima/examples/examples.yaml', () => {
  it('lists every example file, with a source, and rejects only on negatives', () => {
    expect(examples.length).toBeGreaterThanOrEqual(7);
    for (const e of examples) {
      expect(messageNames, e.file).toContain(e.message);
      expect(e.source, e.file).toMatch(/^seed 004: /);
      expect(e.valid === (e.rejects === undefined), e.file).toBe(true);
    }
  });

  it('stores every example as GBK bytes (not UTF-8), declared GBK', () => {
    for (const e of examples) {
      const bytes = readFileSync(join(EXAMPLES, e.file));
      expect(bytes.subarray(0, 38).toString('latin1'), e.file).toBe('<?xml version="1.0" encoding="GBK"?>\n<');
      expect(gbk(text(bytes)).equals(bytes), e.file).toBe(true);
      if (/[^\x00-\x7f]/.test(text(bytes))) expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), e.file).toThrow();
    }
  });

  it.each(examples.filter((e) => e.valid))('$file decodes and validates, and re-encodes to the same bytes', (e) => {
    const bytes = readFileSync(join(EXAMPLES, e.file));
    const { value, unknown } = readMessage(e.message, bytes);
    expect(unknown).toEqual([]);
    expect(Buffer.from(encodeMessage(e.message, value)).equals(bytes)).toBe(true);
  });

  it.each(examples.filter((e) => !e.valid))('$file is rejected naming $rejects', (e) => {
    const error = rejection(() => readMessage(e.message, readFileSync(join(EXAMPLES, e.file))));
    expect(error.messageName).toBe(e.message);
    expect(error.issues.map((i) => i.path)).toContain(e.rejects);
  });

  it.each(examples)('$file gives the same verdict through decodeMessage + validateMessage (the contract tests\' path)', (e) => {
    let error: ValidationError | undefined;
    try {
      validateMessage(e.message, decodeMessage(readFileSync(join(EXAMPLES, e.file))));
    } catch (caught) {
      if (!(caught instanceof ValidationError)) throw caught;
      error = caught;
    }
    expect(error?.issues.map((i) => i.path) ?? []).toEqual(e.valid ? [] : [e.rejects]);
  });

  it('reads the corrected request example as the document prints it, goods_detail parsed from CDATA', () => {
    const { value } = readMessage('refund.request', readFileSync(join(EXAMPLES, 'refund.request.xml')));
    expect(value.pos_seq).toBe('1511300000004');
    expect(value.barcode_refundbycashfee_request.tx_amt).toBe(10);
    expect(value.barcode_refundbycashfee_request.goods_detail).toEqual([
      { goods_id: 'apple-01', payment_goods_id: '20010001', goods_name: 'ipad', quantity: 1, price: 200000, goods_category: '34543238', body: '特价手机', show_url: 'http://www.alipay.com/xxx.jpg' },
    ]);
  });

  it("reads the response example: result id '0000', the WeChat block, the relaxed pos_seq and pay_type", () => {
    const decoded = decodeAnyMessage(readFileSync(join(EXAMPLES, 'refund.response.xml')));
    expect(decoded.name).toBe('refund.response');
    expect(decoded.value.result).toEqual({ id: '0000', comment: '成功' });
    expect(decoded.value.pos_seq).toBe('000000000001');
    expect(decoded.value.pay_type).toBe('502');
    expect(decoded.value.wxpay_res_info?.refund_fee).toBe('10001');
    expect(validateMessage('refund.response', decoded.value)).toBe(decoded.value);
  });

  it('rejects the malformed goods_detail at decode time, naming goods_detail and the JSON rule', () => {
    const error = rejection(() => decodeRefundRequest(readFileSync(join(EXAMPLES, 'refund.request.malformed-goods-detail.xml'))));
    expect(error.issues).toEqual([{ path: 'barcode_refundbycashfee_request.goods_detail', rule: 'json', message: expect.stringMatching(/is not valid JSON/) }]);
  });
});

describe('encoding to GBK', () => {
  it('writes the GBK declaration, elements in XSD order, goods_detail as JSON in CDATA', () => {
    const bytes = encodeRefundRequest(request());
    expect(Buffer.from(bytes.subarray(0, 36)).toString('latin1')).toBe('<?xml version="1.0" encoding="GBK"?>');
    const xml = text(bytes);
    const order = ['request_type', 'isspid', 'pos_id', 'store_id', 'pos_seq', 'user_id', 'system_id', 'barcode_refundbycashfee_request', 'pay_type', 'tx_amt', 'org_pos_seq', 'goods_detail'];
    const positions = order.map((name) => xml.indexOf(`<${name}>`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(xml).toContain('<goods_detail><![CDATA[[{"goods_id":"apple-01","goods_name":"特价手机","quantity":1,"price":200000,"body":"商品"},');
    expect(xml).toContain('<tx_amt>10</tx_amt>');
  });

  it('puts CJK text on the wire as GBK bytes and reads it back (round trip)', () => {
    const value = request();
    value.user_id = '收银员01';
    const bytes = Buffer.from(encodeRefundRequest(value));
    expect(bytes.includes(gbk('特价手机'))).toBe(true);
    expect(bytes.includes(gbk('收银员01'))).toBe(true);
    expect(bytes.includes(Buffer.from('特价手机', 'utf8'))).toBe(false);
    const decoded = decodeRefundRequest(bytes);
    expect(decoded.value).toEqual(value);
    expect(validateMessage('refund.request', decoded.value)).toEqual(value);
  });

  it('round-trips any GBK-encodable text, XML specials and "]]>" included', () => {
    const alphabet = [...'特价手机商品翼码退款成功abcXYZ019 &<>"\'/]\t\n{}:,€', ']]>', '&amp;', '<![CDATA['];
    const textArb = fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 20 });
    fc.assert(
      fc.property(textArb, textArb, textArb, (userId, name, body) => {
        const value = request();
        value.user_id = userId;
        value.barcode_refundbycashfee_request.goods_detail = [{ goods_id: 'g', goods_name: name, quantity: 1, price: 1, body }];
        expect(decodeRefundRequest(encodeRefundRequest(value)).value).toEqual(value);
      }),
      { numRuns: 200 },
    );
    const value = request();
    value.barcode_refundbycashfee_request.goods_detail = [{ goods_id: 'g', goods_name: 'a]]>b', quantity: 1, price: 1 }];
    const xml = text(encodeRefundRequest(value));
    expect(xml).toContain('<goods_detail><![CDATA[[{"goods_id":"g","goods_name":"a]]]]><![CDATA[>b",');
    expect(decodeRefundRequest(gbk(xml)).value).toEqual(value);
  });

  it.each([
    ['an emoji in goods_name', (v: RefundRequest) => ((v.barcode_refundbycashfee_request.goods_detail as { goods_name: string }[])[1]!.goods_name = 'ipad😀'), 'barcode_refundbycashfee_request.goods_detail[1].goods_name'],
    ['an emoji in user_id', (v: RefundRequest) => (v.user_id = 'op😀'), 'user_id'],
    ['a character outside GBK in body', (v: RefundRequest) => ((v.barcode_refundbycashfee_request.goods_detail as { body?: string }[])[0]!.body = '𠮷野家'), 'barcode_refundbycashfee_request.goods_detail[0].body'],
  ])('refuses %s as a ValidationError naming the field (never a ? on the wire)', (_, spoil, path) => {
    const value = request();
    spoil(value);
    // Such text has no GBK byte length, so maxBytes lets it pass; the codec names the characters (rule encoding).
    expect(() => validateMessage('refund.request', value)).not.toThrow();
    const error = rejection(() => encodeRefundRequest(value));
    expect(error.messageName).toBe('refund.request');
    expect(error.issues).toEqual([{ path, rule: 'encoding', message: expect.stringMatching(/which GBK cannot encode/) }]);
    expect(() => writeMessage('refund.request', value)).toThrow(ValidationError);
  });

  it('refuses control characters XML 1.0 cannot carry, and writes CR as a character reference', () => {
    const value = request();
    value.user_id = 'a\u0001';
    expect(rejection(() => encodeRefundRequest(value)).issues[0]).toMatchObject({ path: 'user_id', rule: 'encoding', message: expect.stringContaining('U+0001') });
    value.user_id = 'a\r\nb';
    const bytes = encodeRefundRequest(value);
    expect(text(bytes)).toContain('<user_id>a&#13;\nb</user_id>');
    expect(decodeRefundRequest(bytes).value.user_id).toBe('a\r\nb');
  });

  it('leaves schema rules to the validator but never writes a document missing a required element or with a non-integer amount', () => {
    const value = request() as Partial<RefundRequest>;
    delete value.pos_seq;
    expect(rejection(() => encodeRefundRequest(value as RefundRequest)).issues).toEqual([{ path: 'pos_seq', rule: 'required', message: 'pos_seq is required' }]);
    const decimal = request();
    decimal.barcode_refundbycashfee_request.tx_amt = 10.5;
    expect(rejection(() => encodeRefundRequest(decimal)).issues[0]).toMatchObject({ path: 'barcode_refundbycashfee_request.tx_amt', rule: 'type integer' });
    const short = request();
    short.pos_seq = '123';
    expect(text(encodeRefundRequest(short))).toContain('<pos_seq>123</pos_seq>'); // the codec writes it...
    expect(rejection(() => writeMessage('refund.request', short)).issues[0]).toMatchObject({ path: 'pos_seq', rule: 'minLength 13' }); // ...writeMessage validates first
  });

  it('writes the query request with its own type element', () => {
    const xml = text(
      encodeQueryRefundRequest({
        request_type: 'barcode_refundquery_request',
        isspid: '39493002',
        pos_id: '1511300001',
        store_id: '1511300001',
        pos_seq: '1511300000005',
        system_id: '8888',
        barcode_refundquery_request: { org_pos_seq: '1511300000004' },
      }),
    );
    expect(xml).toContain('<request_type>barcode_refundquery_request</request_type>');
    expect(xml).toContain('<barcode_refundquery_request>\n<org_pos_seq>1511300000004</org_pos_seq>\n</barcode_refundquery_request>');
    expect(xml).not.toContain('user_id');
  });
});

describe('decoding from raw bytes', () => {
  const responseXml = text(readFileSync(join(EXAMPLES, 'refund.response.xml')));

  it('ignores unknown elements but keeps them, anywhere in a tolerant response', () => {
    const bytes = gbk(
      responseXml
        .replace('<sys_seq>', '<new_node attr="1">新节点<inner>x</inner></new_node>\n<sys_seq>')
        .replace('<cash_fee>', '<coupon_fee>5</coupon_fee>\n<cash_fee>')
        .replace('</result>', '<sub_id>01</sub_id>\n</result>'),
    );
    const plain = decodeRefundResponse(readFileSync(join(EXAMPLES, 'refund.response.xml'))).value;
    const { value, unknown } = readMessage('refund.response', bytes);
    expect(value).toEqual(plain);
    expect(unknown.map((u) => [u.path, u.reason, u.allowed, u.text])).toEqual([
      ['new_node', 'undeclared', true, '新节点x'],
      ['wxpay_res_info.coupon_fee', 'undeclared', true, '5'],
      ['result.sub_id', 'undeclared', true, '01'],
    ]);
    expect(unknown[0]?.xml).toBe('<new_node attr="1">新节点<inner>x</inner></new_node>');
  });

  it('keeps unknown elements of a strict request too, and readMessage rejects them by name', () => {
    const xml = text(readFileSync(join(EXAMPLES, 'refund.request.xml'))).replace('<tx_amt>', '<user_confim_key>1</user_confim_key>\n<tx_amt>');
    const decoded = decodeRefundRequest(gbk(xml));
    expect(decoded.unknown.map((u) => [u.path, u.allowed])).toEqual([['barcode_refundbycashfee_request.user_confim_key', false]]);
    expect(rejection(() => readMessage('refund.request', gbk(xml))).issues).toEqual([
      { path: 'barcode_refundbycashfee_request.user_confim_key', rule: 'additionalProperties', message: expect.any(String) },
    ]);
    const twice = text(readFileSync(join(EXAMPLES, 'refund.request.xml'))).replace('<system_id>', '<pos_seq>1511300000009</pos_seq>\n<system_id>');
    expect(rejection(() => decodeRefundRequest(gbk(twice))).issues).toEqual([{ path: 'pos_seq', rule: 'maxOccurs', message: expect.any(String) }]);
    expect(rejection(() => readMessage('refund.request', gbk(twice))).issues).toEqual([{ path: 'pos_seq', rule: 'maxOccurs', message: expect.any(String) }]);
  });

  it('converts numbers only when they are plain integers, so the validator names the rest', () => {
    const base = text(readFileSync(join(EXAMPLES, 'refund.request.xml')));
    expect(decodeRefundRequest(gbk(base.replace('<tx_amt>10<', '<tx_amt> 010 <'))).value.barcode_refundbycashfee_request.tx_amt).toBe(10);
    for (const raw of ['1e3', '10.0', '', 'ten', '0x10']) {
      const { value } = decodeRefundRequest(gbk(base.replace('<tx_amt>10<', `<tx_amt>${raw}<`)));
      expect(value.barcode_refundbycashfee_request.tx_amt).toBe(raw);
      expect(rejection(() => validateMessage('refund.request', value)).issues.map((i) => i.path)).toEqual(['barcode_refundbycashfee_request.tx_amt']);
    }
  });

  it('decodes GBK from the bytes, not as UTF-8, and refuses a declaration or byte order mark naming another encoding', () => {
    const bytes = readFileSync(join(EXAMPLES, 'refund.response.xml'));
    expect(bytes.toString('utf8')).not.toContain('成功');
    expect(decodeRefundResponse(bytes).value.result.comment).toBe('成功');
    const utf8 = Buffer.from(responseXml.replace('encoding="GBK"', 'encoding="UTF-8"'), 'utf8');
    expect(rejection(() => decodeRefundResponse(utf8)).issues).toEqual([{ path: '', rule: 'encoding', message: expect.stringContaining('UTF-8') }]);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(responseXml, 'utf8')]);
    expect(rejection(() => decodeRefundResponse(bom)).issues[0]).toMatchObject({ rule: 'encoding' });
    const gb2312 = gbk(responseXml.replace('encoding="GBK"', 'encoding="gb2312"'));
    expect(decodeRefundResponse(gb2312).value.result.comment).toBe('成功'); // GBK's subset, read as GBK
    const undeclared = gbk(responseXml.replace('<?xml version="1.0" encoding="GBK"?>\n', ''));
    expect(decodeRefundResponse(undeclared).value.result.comment).toBe('成功');
  });

  it.each([
    ['malformed XML', gbk('<?xml version="1.0" encoding="GBK"?>\n<business_trans><result></business_trans>'), ''],
    ['an empty body', new Uint8Array(0), ''],
    ['a wrong root', gbk('<?xml version="1.0" encoding="GBK"?>\n<trans><response_type>barcode_refundbycashfee_response</response_type></trans>'), ''],
    ['another message', readFileSync(join(EXAMPLES, 'refund.request.xml')), 'response_type'],
    ['a DOCTYPE', gbk('<?xml version="1.0"?><!DOCTYPE business_trans [<!ENTITY x "y">]><business_trans/>'), ''],
  ])('refuses %s with rule xml, naming the message', (_, bytes, path) => {
    const error = rejection(() => decodeRefundResponse(bytes));
    expect(error.messageName).toBe('refund.response');
    expect(error.issues).toEqual([{ path, rule: 'xml', message: expect.any(String) }]);
  });

  it('dispatches on request_type / response_type, and refuses a document that is no message', () => {
    expect(decodeAnyMessage(readFileSync(join(EXAMPLES, 'refund.request.xml'))).name).toBe('refund.request');
    const query = gbk(text(readFileSync(join(EXAMPLES, 'refund.response.xml'))).replace(/barcode_refundbycashfee_response/, 'barcode_refundquery_response'));
    expect(decodeAnyMessage(query).name).toBe('queryRefund.response');
    expect(decodeMessage(query)).toEqual(decodeAnyMessage(query).value);
    expect(decodeMessage(query).response_type).toBe('barcode_refundquery_response');
    const error = rejection(() => decodeMessage(gbk('<business_trans><request_type>barcode_pay_request</request_type></business_trans>')));
    expect(error.issues[0]).toMatchObject({ rule: 'xml', message: expect.stringContaining('none of the yima messages') });
    expect(decodeMessageAs('queryRefund.response', query).value.result.id).toBe('0000');
  });
});

describe('the codec engine (generic, driven by descriptors)', () => {
  const descriptor: MessageDescriptor = {
    name: 'ping.request',
    encoding: 'GBK',
    root: 'doc',
    typeElement: 'kind',
    typeValue: 'ping',
    open: false,
    children: [
      { name: 'kind', kind: 'text', minOccurs: 1, maxOccurs: 1 },
      { name: 'tag', kind: 'text', minOccurs: 0, maxOccurs: 'unbounded' },
      { name: 'item', kind: 'complex', minOccurs: 0, maxOccurs: 2, open: true, children: [{ name: 'n', kind: 'integer', minOccurs: 1, maxOccurs: 1 }] },
      { name: 'data', kind: 'json', minOccurs: 0, maxOccurs: 1, maxLength: 12 },
    ],
  };

  it('writes and reads repeated elements as arrays, in order', () => {
    const value = { kind: 'ping', tag: ['甲', '乙'], item: [{ n: 1 }, { n: 2 }] };
    const bytes = encodeXml(descriptor, value);
    expect(text(bytes)).toBe('<?xml version="1.0" encoding="GBK"?>\n<doc>\n<kind>ping</kind>\n<tag>甲</tag>\n<tag>乙</tag>\n<item>\n<n>1</n>\n</item>\n<item>\n<n>2</n>\n</item>\n</doc>\n');
    expect(decodeXml(descriptor, bytes)).toEqual({ value, unknown: [] });
  });

  it('refuses occurrences beyond maxOccurs (rule maxOccurs), and checks the JSON text length on the wire', () => {
    const two = gbk('<doc><kind>ping</kind><item><n>1</n></item><item><n>2</n></item></doc>');
    expect((decodeXml(descriptor, two).value as { item: unknown[] }).item).toHaveLength(2);
    const three = gbk('<doc><kind>ping</kind><item><n>1</n></item><item><n>2</n></item><item><n>3</n></item></doc>');
    expect(rejection(() => decodeXml(descriptor, three)).issues).toEqual([{ path: 'item', rule: 'maxOccurs', message: expect.any(String) }]);
    const nTwice = gbk('<doc><kind>ping</kind><item><n>1</n><n>2</n></item></doc>');
    expect(rejection(() => decodeXml(descriptor, nTwice)).issues).toEqual([{ path: 'item[0].n', rule: 'maxOccurs', message: expect.any(String) }]);
    expect(rejection(() => encodeXml(descriptor, { kind: 'ping', data: ['0123456789'] })).issues[0]).toMatchObject({ path: 'data', rule: 'maxLength 12' });
    expect(rejection(() => decodeXml(descriptor, gbk('<doc><kind>ping</kind><data>["0123456789"]</data></doc>'))).issues[0]).toMatchObject({ path: 'data', rule: 'maxLength 12' });
  });

  it('tells what GBK can carry', () => {
    expect(canEncode('特价手机 ipad €', 'GBK')).toBe(true);
    expect(canEncode('😀', 'GBK')).toBe(false);
    expect(iconv.encode('😀', 'gbk').toString('latin1')).toBe('?'); // what a naive encoder would have sent
  });

  it('takes the ASCII shortcut only for encodings that write ASCII as ASCII', () => {
    const ascii = String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i));
    for (const encoding of ['GBK', 'gb18030', 'utf8', 'utf16le']) expect(canEncode(ascii, encoding), encoding).toBe(true);
    expect(canEncode('R-0001 退款 ?', 'latin1')).toBe(false); // not ASCII: the round trip still decides
    expect(canEncode('R-0001', 'latin1')).toBe(true);
  });

  it('decodes a message from text decoded once, the same as from bytes', () => {
    const bytes = encodeRefundRequest(request());
    const decoded = engine.decodeText(bytes, 'GBK', 'refund.request');
    expect(decoded).toContain('<business_trans>');
    expect(yima.decodeMessageTextAs('refund.request', decoded)).toEqual(decodeMessageAs('refund.request', bytes));
    expect(() => yima.decodeMessageTextAs('refund.request', decoded.slice(0, -20))).toThrow(/ends before/);
  });
});

describe('String(N) in GBK bytes and required strings', () => {
  const issuesOf = (value: unknown): readonly { path: string; rule: string; message: string }[] => rejection(() => validateMessage('refund.request', value)).issues;

  it('passes 8 ASCII characters as String(8) and refuses 5 Chinese characters (10 GBK bytes), naming the field and the rule', () => {
    expect(validateMessage('refund.request', { ...request(), isspid: '39493002' })).toMatchObject({ isspid: '39493002' });
    expect(issuesOf({ ...request(), isspid: '翼码商户号' })).toEqual([{ path: 'isspid', rule: 'maxBytes', message: 'isspid breaks rule maxBytes (must not be more than 8 bytes of text in GBK, is 10)' }]);
    expect(validateMessage('refund.request', { ...request(), isspid: '翼码商户' })).toMatchObject({ isspid: '翼码商户' }); // 4 characters, 8 bytes
  });

  it('counts the bytes GBK writes: an ASCII character 1, a Chinese one 2, the euro sign 1 (0x80 in GBK)', () => {
    const withUser = (user_id: string): unknown => ({ ...request(), user_id });
    expect(validateMessage('refund.request', withUser('操作员操作员操作员12'))).toBeDefined(); // 9 x 2 + 2 = 20
    expect(issuesOf(withUser('操作员操作员操作员123'))).toEqual([expect.objectContaining({ path: 'user_id', rule: 'maxBytes', message: expect.stringContaining('is 21') })]);
    expect(iconv.encode('€', 'gbk').length).toBe(1);
    expect(validateMessage('refund.request', withUser('€'.repeat(20)))).toBeDefined();
  });

  it('counts goods_detail fields in GBK bytes: a goods_name of 129 Chinese characters breaks String(256)', () => {
    const value = request();
    value.barcode_refundbycashfee_request.goods_detail = [{ goods_id: 'g', goods_name: '商'.repeat(128), quantity: 1, price: 1 }];
    expect(validateMessage('refund.request', value)).toBeDefined();
    value.barcode_refundbycashfee_request.goods_detail[0]!.goods_name = '商'.repeat(129);
    expect(issuesOf(value)).toEqual([expect.objectContaining({ path: 'barcode_refundbycashfee_request.goods_detail[0].goods_name', rule: 'maxBytes', message: expect.stringContaining('256 bytes of text in GBK, is 258') })]);
  });

  it('counts goods_detail itself as the GBK bytes of its compact JSON (String(6000))', () => {
    const value = request();
    // Six items, each within its own limits (goods_name 240 of 256 bytes, body 800 of 1000): about 3500 characters of JSON, 6600 GBK bytes.
    value.barcode_refundbycashfee_request.goods_detail = Array.from({ length: 6 }, () => ({ goods_id: 'g', goods_name: '商'.repeat(120), quantity: 1, price: 1, body: '品'.repeat(400) }));
    const json = JSON.stringify(value.barcode_refundbycashfee_request.goods_detail);
    expect(json.length).toBeLessThan(6000); // characters: within the limit
    expect(iconv.encode(json, 'gbk').length).toBeGreaterThan(6000);
    expect(issuesOf(value)).toEqual([expect.objectContaining({ path: 'barcode_refundbycashfee_request.goods_detail', rule: 'maxBytes', message: expect.stringContaining('6000 bytes of JSON text in GBK') })]);
  });

  it.each(['isspid', 'pos_id', 'store_id', 'system_id'])('refuses an empty %s (必填), naming it with rule minLength 1', (field) => {
    expect(issuesOf({ ...request(), [field]: '' })).toEqual([expect.objectContaining({ path: field, rule: 'minLength 1' })]);
  });

  it('refuses an empty goods_id or goods_name (必填)', () => {
    const value = request();
    value.barcode_refundbycashfee_request.goods_detail = [{ goods_id: '', goods_name: '', quantity: 1, price: 1 }];
    expect(issuesOf(value).map((i) => [i.path, i.rule])).toEqual([
      ['barcode_refundbycashfee_request.goods_detail[0].goods_id', 'minLength 1'],
      ['barcode_refundbycashfee_request.goods_detail[0].goods_name', 'minLength 1'],
    ]);
  });

  it('reads answers counting characters: a result comment of 40 Chinese characters (80 GBK bytes) passes String(64), 65 do not', () => {
    const answer = text(readFileSync(join(EXAMPLES, 'refund.response.xml')));
    expect(readMessage('refund.response', gbk(answer.replace('<comment>成功</comment>', `<comment>${'失'.repeat(40)}</comment>`))).value.result.comment).toHaveLength(40);
    expect(rejection(() => readMessage('refund.response', gbk(answer.replace('<comment>成功</comment>', `<comment>${'失'.repeat(65)}</comment>`)))).issues).toEqual([expect.objectContaining({ path: 'result.comment', rule: 'maxLength 64' })]);
  });

  it('reads an answer with an empty result id as invalid (rule minLength 1), never as a status', () => {
    const answer = readFileSync(join(EXAMPLES, 'refund.response.xml'));
    const emptied = gbk(text(answer).replace('<id>0000</id>', '<id></id>'));
    expect(rejection(() => readMessage('refund.response', emptied)).issues).toEqual([expect.objectContaining({ path: 'result.id', rule: 'minLength 1' })]);
  });
});

describe('the contract table', () => {
  it('says xml, GBK, business_trans and each message type', () => {
    expect(contract).toMatchObject({ provider: 'yima', format: 'xml', encoding: 'GBK', stringLength: 'encoded-bytes', tolerantStringLength: 'characters', rootElement: 'business_trans' });
    expect(contract.messages['refund.request']).toMatchObject({ typeElement: 'request_type', typeValue: 'barcode_refundbycashfee_request', tolerant: false });
    expect(contract.messages['refund.response']).toMatchObject({ typeElement: 'response_type', typeValue: 'barcode_refundbycashfee_response', tolerant: true });
    expect(contract.transport).toEqual({ method: 'POST', contentType: 'text/xml; charset=GBK' });
  });
});
