import { afterAll, describe, expect, it } from 'vitest';
import { compileValidatorModule } from '../src/ajv/emit-validators.js';
import { emitTypes } from '../src/xsd/emit-types.js';
import { loadJsonSchemaFile, type JsonSchema } from '../src/xsd/load-json-schema.js';
import { parseXsdContract } from '../src/xsd/parse-xsd.js';
import { contractToDefs, simpleTypeSchema } from '../src/xsd/xsd-to-json-schema.js';
import { removeSpecFolders, specFolder, YIMA_SPECS } from './xsd-helpers.js';

afterAll(removeSpecFolders);

const contract = parseXsdContract(YIMA_SPECS);
const json = new Map(contract.jsonSchemaFiles.map((f) => [f, loadJsonSchemaFile(YIMA_SPECS, f, 'GBK')]));
const defs = contractToDefs(contract, json);

function props(name: string): Record<string, JsonSchema> {
  return (defs[name] as JsonSchema)['properties'] as Record<string, JsonSchema>;
}

/** The seed's tables (seed 004), typed out by hand: field, String(N) or Number(N), 必填 (true) / 可空 (false). */
const SEED_REQUEST: [string, string, number, boolean][] = [
  ['RefundRequest', 'request_type', 32, true],
  ['RefundRequest', 'isspid', 8, true],
  ['RefundRequest', 'pos_id', 20, true],
  ['RefundRequest', 'store_id', 20, true],
  ['RefundRequest', 'pos_seq', 32, true],
  ['RefundRequest', 'user_id', 20, false],
  ['RefundRequest', 'system_id', 4, true],
  ['RefundRequestBody', 'pay_type', 3, false],
  ['RefundRequestBody', 'org_pos_seq', 32, true],
  ['GoodsDetailItem', 'goods_id', 32, true],
  ['GoodsDetailItem', 'payment_goods_id', 32, false],
  ['GoodsDetailItem', 'goods_name', 256, true],
  ['GoodsDetailItem', 'goods_category', 24, false],
  ['GoodsDetailItem', 'body', 1000, false],
  ['GoodsDetailItem', 'show_url', 400, false],
];
const SEED_RESPONSE: [string, string, number, boolean][] = [
  ['RefundResponse', 'response_type', 32, true],
  ['RefundResponse', 'isspid', 8, true],
  ['RefundResponse', 'pos_id', 20, true],
  ['RefundResponse', 'pos_seq', 32, true],
  ['RefundResponse', 'sys_seq', 16, false], // seed: 必填; optional by correction (status needs only result)
  ['RefundResponse', 'trans_time', 14, false], // seed: 必填; optional by correction (status needs only result)
  ['RefundResponse', 'pay_type', 3, false], // seed: 必填; optional by correction (status needs only result)
  ['RefundResponse', 'buss_discount_amt', 16, false],
  ['RefundResponse', 'platform_discount_amt', 16, false],
  ['ResponseResult', 'id', 4, true],
  ['ResponseResult', 'comment', 64, true],
  ['WxpayResInfo', 'trade_no', 64, false],
  ['WxpayResInfo', 'out_trade_no', 64, false],
  ['WxpayResInfo', 'detail_error_code', 48, false],
  ['WxpayResInfo', 'detail_error_desc', 128, false],
  ['WxpayResInfo', 'app_id', 32, false],
  ['WxpayResInfo', 'mch_id', 32, false],
  ['WxpayResInfo', 'total_fee', 16, false],
  ['WxpayResInfo', 'cash_fee', 16, false],
  ['WxpayResInfo', 'refund_fee', 16, false],
  ['WxpayResInfo', 'cash_refund_fee', 16, false],
];

describe('contractToDefs on specs/yima', () => {
  it.each(SEED_REQUEST)('%s.%s is String(%i) in GBK bytes, required %s, as the seed states', (owner, field, length, required) => {
    expect(props(owner)[field]).toMatchObject({ type: 'string', maxBytes: { limit: length, encoding: 'GBK' } });
    expect(props(owner)[field]).not.toHaveProperty('maxLength');
    expect((((defs[owner] as JsonSchema)['required'] ?? []) as string[]).includes(field)).toBe(required);
  });

  it.each(SEED_RESPONSE)('%s.%s is String(%i) in characters (answers are read tolerantly), required %s, as the seed states', (owner, field, length, required) => {
    expect(props(owner)[field]).toMatchObject({ type: 'string', maxLength: length });
    expect(props(owner)[field]).not.toHaveProperty('maxBytes');
    expect((((defs[owner] as JsonSchema)['required'] ?? []) as string[]).includes(field)).toBe(required);
  });

  it('has every field of the seed tables and no other (a reviewer with the document finds nothing missing)', () => {
    const fields = (owner: string): string[] => Object.keys(props(owner)).sort();
    const seed = (rows: [string, string, number, boolean][], owner: string, extra: string[] = []): string[] => [...rows.filter((r) => r[0] === owner).map((r) => r[1]), ...extra].sort();
    expect(fields('RefundRequest')).toEqual(seed(SEED_REQUEST, 'RefundRequest', ['barcode_refundbycashfee_request']));
    expect(fields('RefundRequestBody')).toEqual(seed(SEED_REQUEST, 'RefundRequestBody', ['tx_amt', 'goods_detail']));
    expect(fields('GoodsDetailItem')).toEqual(seed(SEED_REQUEST, 'GoodsDetailItem', ['quantity', 'price']));
    expect(fields('RefundResponse')).toEqual(seed(SEED_RESPONSE, 'RefundResponse', ['wxpay_res_info', 'result']));
    expect(fields('WxpayResInfo')).toEqual(seed(SEED_RESPONSE, 'WxpayResInfo'));
  });

  it('turns the Number(N) fields into bounded integers (fen, no decimal point)', () => {
    expect(props('RefundRequestBody')['tx_amt']).toMatchObject({ type: 'integer', minimum: 1, maximum: 999_999_999 });
    expect(props('GoodsDetailItem')['quantity']).toMatchObject({ type: 'integer', minimum: 0, maximum: 999_999_999 });
    expect(props('GoodsDetailItem')['price']).toMatchObject({ type: 'integer', minimum: 0, maximum: 99_999_999 });
  });

  it('closes requests and leaves responses open', () => {
    for (const name of ['RefundRequest', 'RefundRequestBody', 'QueryRefundRequest', 'QueryRefundRequestBody', 'GoodsDetailItem']) {
      expect((defs[name] as JsonSchema)['additionalProperties'], name).toBe(false);
    }
    for (const name of ['RefundResponse', 'QueryRefundResponse', 'ResponseResult', 'WxpayResInfo']) {
      expect((defs[name] as JsonSchema)['additionalProperties'], name).toBeUndefined();
    }
  });

  it('states the request rules exactly: pos_seq more than 12, fixed request_type, pay_type 503, goods_detail as the JSON schema', () => {
    expect(props('RefundRequest')['pos_seq']).toMatchObject({ minLength: 13, maxBytes: { limit: 32, encoding: 'GBK' } });
    expect(props('RefundRequestBody')['org_pos_seq']).toMatchObject({ minLength: 13, maxBytes: { limit: 32, encoding: 'GBK' } });
    expect(props('RefundRequest')['request_type']).toMatchObject({ const: 'barcode_refundbycashfee_request' });
    expect(props('RefundRequestBody')['pay_type']).toMatchObject({ enum: ['503'] });
    expect(props('RefundRequestBody')['goods_detail']).toMatchObject({ $ref: '#/$defs/GoodsDetail', maxBytes: { limit: 6000, encoding: 'GBK', json: true } });
    expect(defs['GoodsDetail']).toMatchObject({ type: 'array', minItems: 1, items: { $ref: '#/$defs/GoodsDetailItem' } });
    expect(defs['GoodsDetail']).not.toHaveProperty('$id');
    expect((defs['GoodsDetailItem'] as JsonSchema)['required']).toEqual(['goods_id', 'goods_name', 'quantity', 'price']);
  });

  it('relaxes the response rules the document example breaks, keeping the corrections as x-refundkit-correction', () => {
    expect(props('RefundResponse')['pos_seq']).not.toHaveProperty('minLength');
    expect(props('ResponseResult')['id']).toMatchObject({ minLength: 1, maxLength: 4 });
    expect(props('RefundResponse')['pay_type']).not.toHaveProperty('enum');
    expect(props('RefundResponse')['pos_seq']?.['x-refundkit-correction']).toMatch(/000000000001/);
    expect(props('RefundResponse')['trans_time']).toMatchObject({ pattern: '^(?:[0-9]{14})$' });
  });

  it('carries the documentation (Chinese, then English) and the assumptions', () => {
    expect(props('RefundRequest')['pos_seq']?.['description']).toBe('终端流水号: 同一个商户必须唯一,且大于12位\nTerminal serial number of this request: unique per merchant, 13 to 32 characters. Retrying a refund reuses it.');
    expect(props('RefundRequestBody')['tx_amt']?.['x-refundkit-assumption']).toMatch(/At least 1 fen[\s\S]*Number\(N\)/);
    expect((defs['QueryRefundRequest'] as JsonSchema)['x-refundkit-assumption']).toMatch(/org_pos_seq = the refund's pos_seq/);
  });

  it('compiles with ajv in strict mode into validators that enforce the rules', async () => {
    const { code } = compileValidatorModule({ id: 'https://refundkit.dev/specs/yima', defs, messages: { 'refund.request': 'RefundRequest' } });
    expect(code).toContain('validate_0');
  });
});

describe('simpleTypeSchema', () => {
  it('ANDs patterns of several restriction steps, ORs those of one step', () => {
    expect(simpleTypeSchema({ kind: 'simple', name: 'X', builtin: 'string', notes: [], facets: { patterns: [['^(?:a.*)$'], ['^(?:.*b)$', '^(?:c)$']] } })).toEqual({
      type: 'string',
      allOf: [{ pattern: '^(?:a.*)$' }, { pattern: '(?:^(?:.*b)$)|(?:^(?:c)$)' }],
    });
  });

  it('bounds integers by totalDigits on both sides for xs:integer, by the built-in below otherwise', () => {
    expect(simpleTypeSchema({ kind: 'simple', name: undefined, builtin: 'integer', notes: [], facets: { patterns: [], totalDigits: 3 } })).toEqual({ type: 'integer', minimum: -999, maximum: 999 });
    expect(simpleTypeSchema({ kind: 'simple', name: undefined, builtin: 'positiveInteger', notes: [], facets: { patterns: [], minInclusive: 1, totalDigits: 2 } })).toEqual({ type: 'integer', minimum: 1, maximum: 99 });
    expect(simpleTypeSchema({ kind: 'simple', name: undefined, builtin: 'integer', notes: [], facets: { patterns: [], enumeration: [{ value: '7', annotation: { documentation: [], notes: [] } }] } }, '7')).toEqual({ type: 'integer', enum: [7], const: 7 });
  });

  it('makes arrays of repeated elements, with minItems/maxItems from the occurrences', () => {
    const dir = specFolder({
      'ping.request.xsd': `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:refundkit="https://refundkit.dev/xsd">
  <xs:annotation><xs:appinfo><refundkit:encoding>GBK</refundkit:encoding></xs:appinfo></xs:annotation>
  <xs:element name="doc" type="Ping"/>
  <xs:complexType name="Ping"><xs:sequence>
    <xs:element name="kind" type="xs:string" fixed="ping"/>
    <xs:element name="tag" type="xs:string" minOccurs="2" maxOccurs="5"/>
  </xs:sequence></xs:complexType>
</xs:schema>`,
    });
    const pingDefs = contractToDefs(parseXsdContract(dir), new Map());
    expect((pingDefs['Ping'] as { properties: Record<string, unknown> }).properties['tag']).toEqual({ type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 5 });
  });
});

describe('loadJsonSchemaFile', () => {
  it('hoists the root under its title and its $defs beside it', () => {
    const loaded = loadJsonSchemaFile(YIMA_SPECS, 'goods_detail.schema.json', 'GBK');
    expect(loaded.name).toBe('GoodsDetail');
    expect(Object.keys(loaded.defs)).toEqual(['GoodsDetail', 'GoodsDetailItem']);
  });

  it('turns maxLength into maxBytes of the wire encoding when the file counts encoded bytes, and keeps it otherwise', () => {
    const item = (loaded: ReturnType<typeof loadJsonSchemaFile>): Record<string, JsonSchema> => (loaded.defs['GoodsDetailItem'] as { properties: Record<string, JsonSchema> }).properties;
    const yimaItem = item(loadJsonSchemaFile(YIMA_SPECS, 'goods_detail.schema.json', 'GBK'));
    expect(yimaItem['goods_name']).toMatchObject({ minLength: 1, maxBytes: { limit: 256, encoding: 'GBK' } });
    expect(yimaItem['goods_id']).toMatchObject({ minLength: 1, maxBytes: { limit: 32, encoding: 'GBK' } });
    expect(yimaItem['body']).not.toHaveProperty('maxLength');
    expect(loadJsonSchemaFile(YIMA_SPECS, 'goods_detail.schema.json', 'GBK').defs['GoodsDetail']).not.toHaveProperty('x-refundkit-string-length');
    const dialect = 'https://json-schema.org/draft/2020-12/schema';
    const plain = specFolder({ 'x.json': JSON.stringify({ $schema: dialect, title: 'X', type: 'string', maxLength: 4 }) });
    expect(loadJsonSchemaFile(plain, 'x.json', 'GBK').defs['X']).toEqual({ title: 'X', type: 'string', maxLength: 4 });
    const wrong = specFolder({ 'x.json': JSON.stringify({ $schema: dialect, title: 'X', 'x-refundkit-string-length': 'bytes' }) });
    expect(() => loadJsonSchemaFile(wrong, 'x.json', 'GBK')).toThrow(/x-refundkit-string-length must be "characters" or "encoded-bytes", not "bytes"/);
  });

  it('refuses references that leave the file and titles that are no type names', () => {
    const dialect = 'https://json-schema.org/draft/2020-12/schema';
    const external = specFolder({ 'x.json': JSON.stringify({ $schema: dialect, title: 'X', $ref: 'other.json#/a' }) });
    expect(() => loadJsonSchemaFile(external, 'x.json', 'GBK')).toThrow(/x\.json: #\/X: \$ref "other\.json#\/a" must point at one of this file's \$defs/);
    const untitled = specFolder({ 'x.json': JSON.stringify({ $schema: dialect, title: 'goods detail' }) });
    expect(() => loadJsonSchemaFile(untitled, 'x.json', 'GBK')).toThrow(/title must be the TypeScript type name/);
  });
});

describe('emitTypes', () => {
  const types = emitTypes(defs);

  it('emits an interface per object, optional members for minOccurs 0, the JSON payload typed', () => {
    expect(types).toContain('export interface RefundRequest {');
    expect(types).toContain('  request_type: "barcode_refundbycashfee_request";');
    expect(types).toContain('  user_id?: string;');
    expect(types).toContain('  tx_amt: number;');
    expect(types).toContain('  pay_type?: "503";');
    expect(types).toContain('  goods_detail?: GoodsDetail;');
    expect(types).toContain('export type GoodsDetail = GoodsDetailItem[];');
    expect(types).toContain('    RefundResponse: RefundResponse;');
  });

  it('writes a GBK byte limit as the rule maxBytes N (GBK)', () => {
    expect(types).toContain('   * Rules: minLength 1, maxBytes 8 (GBK).');
    expect(types).toContain('Rules: maxBytes 6000 (GBK, of the JSON text).');
  });

  it('writes the documentation and rules as doc comments', () => {
    expect(types).toContain('   * 交易金额: 实际退款金额,单位为分,不支持小数点\n   * Amount refunded, in fen: Number(9), a whole number without decimal point.\n   * Rules: minimum 1, maximum 999999999.');
  });

  it('refuses schema keywords it cannot type', () => {
    expect(() => emitTypes({ X: { oneOf: [{ type: 'string' }] } })).toThrow(/#\/\$defs\/X: keyword oneOf is not supported/);
  });
});
