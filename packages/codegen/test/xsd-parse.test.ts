import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseXsdContract } from '../src/xsd/parse-xsd.js';
import type { ComplexType, ElementDecl, SimpleType, XsdContract } from '../src/xsd/xsd-model.js';
import { xsdPatternToEcma } from '../src/xsd/xsd-regex.js';
import { ENCODING, pingSchema, removeSpecFolders, SCHEMA_OPEN, specFolder, YIMA_SPECS } from './xsd-helpers.js';

afterAll(removeSpecFolders);

const yima = parseXsdContract(YIMA_SPECS);

function type(contract: XsdContract, name: string): ComplexType {
  const found = contract.complexTypes.find((t) => t.name === name);
  if (!found) throw new Error(`no complexType ${name}`);
  return found;
}

function element(owner: ComplexType, name: string): ElementDecl {
  const found = owner.elements.find((e) => e.name === name);
  if (!found) throw new Error(`${owner.name} has no element ${name}`);
  return found;
}

function simple(decl: ElementDecl): SimpleType {
  if (decl.type.kind !== 'simple') throw new Error(`${decl.name} is not simple`);
  return decl.type;
}

describe('parseXsdContract on specs/yima', () => {
  it('reads one message per <operation>.<direction>.xsd, refund first, each told apart by its fixed type element', () => {
    expect(yima.messages.map((m) => [m.name, m.root.name, m.typeElement, m.typeValue])).toEqual([
      ['refund.request', 'business_trans', 'request_type', 'barcode_refundbycashfee_request'],
      ['refund.response', 'business_trans', 'response_type', 'barcode_refundbycashfee_response'],
      ['queryRefund.request', 'business_trans', 'request_type', 'barcode_refundquery_request'],
      ['queryRefund.response', 'business_trans', 'response_type', 'barcode_refundquery_response'],
    ]);
    expect(yima.xsdFiles).toEqual(['common.xsd', 'queryRefund.request.xsd', 'queryRefund.response.xsd', 'refund.request.xsd', 'refund.response.xsd']);
    expect(yima.jsonSchemaFiles).toEqual(['goods_detail.schema.json']);
  });

  it('takes the contract settings from schema-level appinfo: GBK, String(N) in GBK bytes, the assumed transport, currencies, the refund amount', () => {
    expect(yima.settings).toEqual({
      title: '翼码 ImageCo ipos barcode refund',
      encoding: 'GBK',
      stringLength: 'encoded-bytes',
      tolerantStringLength: 'characters',
      transport: { method: 'POST', contentType: 'text/xml; charset=GBK' },
      currencies: ['CNY'],
      refundAmount: { message: 'refund.request', field: 'barcode_refundbycashfee_request.tx_amt', unit: 'minor' },
      version: '0.1.0',
    });
    expect(yima.fileAnnotations['common.xsd']?.notes.some((n) => n.kind === 'assumption' && /String\(N\) counts GBK bytes/.test(n.text))).toBe(true);
  });

  it('keeps the request header in wire order, group expanded, with the seed lengths and required-ness', () => {
    const request = type(yima, 'RefundRequest');
    expect(request.open).toBe(false);
    expect(request.elements.map((e) => [e.name, e.minOccurs])).toEqual([
      ['request_type', 1],
      ['isspid', 1],
      ['pos_id', 1],
      ['store_id', 1],
      ['pos_seq', 1],
      ['user_id', 0],
      ['system_id', 1],
      ['barcode_refundbycashfee_request', 1],
    ]);
    expect(simple(element(request, 'pos_seq')).facets).toMatchObject({ minLength: 13, maxLength: 32 });
    const body = type(yima, 'RefundRequestBody');
    expect(body.elements.map((e) => e.name)).toEqual(['pay_type', 'tx_amt', 'org_pos_seq', 'goods_detail']);
    const txAmt = simple(element(body, 'tx_amt'));
    expect(txAmt.builtin).toBe('nonNegativeInteger');
    expect(txAmt.facets).toMatchObject({ totalDigits: 9, minInclusive: 1 });
    expect(txAmt.notes.map((n) => n.kind)).toEqual(['assumption']); // Number(N), inherited from Number9
    expect(simple(element(body, 'pay_type')).facets.enumeration?.map((e) => e.value)).toEqual(['503']);
    expect(element(body, 'goods_detail')).toMatchObject({ json: 'goods_detail.schema.json', minOccurs: 0 });
    expect(simple(element(body, 'goods_detail')).facets.maxLength).toBe(6000);
  });

  it('keeps responses open and relaxes what the document example breaks, with a correction each', () => {
    const response = type(yima, 'RefundResponse');
    expect(response.open).toBe(true);
    expect(type(yima, 'ResponseResult').open).toBe(true);
    expect(type(yima, 'WxpayResInfo').open).toBe(true);
    const posSeq = element(response, 'pos_seq');
    expect(simple(posSeq).facets.minLength).toBeUndefined();
    expect(posSeq.annotation.notes.map((n) => n.kind)).toEqual(['correction']);
    const payType = element(response, 'pay_type');
    expect(simple(payType).facets.enumeration).toBeUndefined();
    expect(payType.annotation.notes[0]?.text).toMatch(/502/);
    expect(simple(element(response, 'trans_time')).facets.patterns).toEqual([['^(?:[0-9]{14})$']]);
    expect(response.elements.map((e) => e.name).slice(-2)).toEqual(['wxpay_res_info', 'result']);
  });

  it('documents every element of every message in Chinese or English', () => {
    const undocumented: string[] = [];
    for (const t of yima.complexTypes) {
      for (const e of t.elements) if (!e.annotation.documentation.some((d) => d.text !== '')) undocumented.push(`${t.name}.${e.name}`);
    }
    expect(undocumented).toEqual([]);
  });

  it('reads the XSDs as the GBK their XML declaration names (they are not UTF-8)', () => {
    const bytes = readFileSync(join(YIMA_SPECS, 'common.xsd'));
    expect(bytes.subarray(0, 38).toString('latin1')).toBe('<?xml version="1.0" encoding="GBK"?>\n<');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(type(yima, 'ResponseResult').elements[0]?.annotation.documentation[0]?.text).toMatch(/^响应码: 翼码平台返回的处理结果,0000-成功/);
  });
});

describe('parseXsdContract on the XSD 1.0 form of specs/yima', () => {
  it('gives every required string of the requests, and the response result id, a minimum of 1 character', () => {
    const required = (owner: string, names: string[]): [string, number | undefined][] => names.map((n) => [n, simple(element(type(yima, owner), n)).facets.minLength]);
    expect(required('RefundRequest', ['isspid', 'pos_id', 'store_id', 'system_id'])).toEqual([['isspid', 1], ['pos_id', 1], ['store_id', 1], ['system_id', 1]]);
    expect(required('QueryRefundRequest', ['isspid', 'pos_id', 'store_id', 'system_id'])).toEqual([['isspid', 1], ['pos_id', 1], ['store_id', 1], ['system_id', 1]]);
    expect(required('RefundResponse', ['isspid', 'pos_id', 'pos_seq'])).toEqual([['isspid', undefined], ['pos_id', undefined], ['pos_seq', undefined]]); // tolerant: the echo rule judges them
    expect(required('ResponseResult', ['id', 'comment'])).toEqual([['id', 1], ['comment', undefined]]);
    expect(element(type(yima, 'ResponseResult'), 'comment').annotation.notes[0]?.text).toMatch(/may be empty/);
    expect(simple(element(type(yima, 'RefundRequest'), 'user_id')).facets.minLength).toBeUndefined(); // 可空
  });

  it('reads tolerance from refundkit:open="true" (no xs:openContent, no vc:minVersion in any file)', () => {
    expect(yima.complexTypes.filter((t) => t.open).map((t) => t.name).sort()).toEqual(['QueryRefundResponse', 'RefundResponse', 'ResponseResult', 'WxpayResInfo']);
    for (const file of yima.xsdFiles) {
      const text = readFileSync(join(YIMA_SPECS, file), 'latin1');
      expect(text, file).not.toMatch(/<xs:openContent|vc:minVersion|XMLSchema-versioning/);
    }
    const dir = specFolder({ 'ping.request.xsd': pingSchema('', '', 'name="Ping" refundkit:open="false"') });
    expect(type(parseXsdContract(dir), 'Ping').open).toBe(false);
  });
});

describe('parseXsdContract on the rest of the subset', () => {
  it('supports maxOccurs, xs:integer with totalDigits, enumerations and restriction chains with several patterns', () => {
    const dir = specFolder({
      'ping.request.xsd': pingSchema(
        `<xs:element name="code" type="Code" maxOccurs="unbounded"/>
         <xs:element name="delta" minOccurs="0"><xs:simpleType><xs:restriction base="xs:integer"><xs:totalDigits value="3"/></xs:restriction></xs:simpleType></xs:element>`,
        `<xs:simpleType name="Base"><xs:restriction base="xs:string"><xs:maxLength value="8"/><xs:pattern value="[A-Z]+"/></xs:restriction></xs:simpleType>
         <xs:simpleType name="Code"><xs:restriction base="Base"><xs:pattern value="A.*"/><xs:pattern value="B.*"/></xs:restriction></xs:simpleType>`,
      ),
    });
    const ping = type(parseXsdContract(dir), 'Ping');
    const code = element(ping, 'code');
    expect(code.maxOccurs).toBe('unbounded');
    expect(simple(code).facets).toEqual({ maxLength: 8, patterns: [['^(?:[A-Z]+)$'], ['^(?:A.*)$', '^(?:B.*)$']] });
    expect(simple(element(ping, 'delta'))).toMatchObject({ builtin: 'integer', facets: { totalDigits: 3 } });
  });

  /** The text as UTF-8 bytes, with its NUL turned into 0xFF, which UTF-8 never uses. */
  const notUtf8 = (text: string): Uint8Array => Buffer.from(text).map((b) => (b === 0 ? 0xff : b));

  const rejected: [string, Record<string, string | Uint8Array>, RegExp][] = [
    ['xs:choice', { 'ping.request.xsd': pingSchema('<xs:choice><xs:element name="a" type="xs:string"/></xs:choice>') }, /ping\.request\.xsd: .*xs:sequence > xs:choice: xs:choice is not supported in a sequence/],
    ['attributes', { 'ping.request.xsd': pingSchema('', '', 'name="Ping"').replace('</xs:sequence>', '</xs:sequence><xs:attribute name="x" type="xs:string"/>') }, /xs:complexType Ping > xs:attribute x: xs:attribute is not supported in a complexType/],
    ['xs:list', { 'ping.request.xsd': pingSchema('<xs:element name="a"><xs:simpleType><xs:list itemType="xs:string"/></xs:simpleType></xs:element>') }, /element a > xs:simpleType: exactly one xs:restriction is supported \(found xs:list\)/],
    ['an unsupported built-in', { 'ping.request.xsd': pingSchema('<xs:element name="when" type="xs:date"/>') }, /element when: built-in type xs:date is not supported/],
    ['the whiteSpace facet', { 'ping.request.xsd': pingSchema('<xs:element name="a"><xs:simpleType><xs:restriction base="xs:string"><xs:whiteSpace value="collapse"/></xs:restriction></xs:simpleType></xs:element>') }, /xs:whiteSpace: facet xs:whiteSpace is not supported/],
    ['an anonymous complex type', { 'ping.request.xsd': pingSchema('<xs:element name="a"><xs:complexType><xs:sequence/></xs:complexType></xs:element>') }, /element a > xs:complexType: anonymous complex types are not supported/],
    ['element references', { 'ping.request.xsd': pingSchema('<xs:element ref="other"/>') }, /element references \(ref=\) are not supported/],
    ['a targetNamespace', { 'ping.request.xsd': pingSchema('').replace('<xs:schema ', '<xs:schema targetNamespace="urn:x" ') }, /ping\.request\.xsd: xs:schema: targetNamespace is not supported/],
    ['\\d in a pattern', { 'ping.request.xsd': pingSchema('<xs:element name="a"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="\\d{4}"/></xs:restriction></xs:simpleType></xs:element>') }, /xs:pattern: pattern "\\\\d\{4\}": \\d is a Unicode class in XSD/],
    ['a facet that widens its base', { 'ping.request.xsd': pingSchema('<xs:element name="a" type="Wide"/>', '<xs:simpleType name="Narrow"><xs:restriction base="xs:string"><xs:maxLength value="4"/></xs:restriction></xs:simpleType><xs:simpleType name="Wide"><xs:restriction base="Narrow"><xs:maxLength value="8"/></xs:restriction></xs:simpleType>') }, /maxLength 8 widens the base's 4/],
    ['a length facet on an integer', { 'ping.request.xsd': pingSchema('<xs:element name="a"><xs:simpleType><xs:restriction base="xs:integer"><xs:maxLength value="3"/></xs:restriction></xs:simpleType></xs:element>') }, /xs:maxLength does not apply to an integer type/],
    ['a pattern on an integer', { 'ping.request.xsd': pingSchema('<xs:element name="n"><xs:simpleType><xs:restriction base="xs:integer"><xs:pattern value="[0-9]+"/></xs:restriction></xs:simpleType></xs:element>') }, /element n > xs:simpleType > xs:restriction > xs:pattern: xs:pattern does not apply to an integer type/],
    ['an unknown refundkit annotation', { 'ping.request.xsd': pingSchema('<xs:element name="a" type="xs:string"><xs:annotation><xs:appinfo><refundkit:asumption>typo</refundkit:asumption></xs:appinfo></xs:annotation></xs:element>') }, /unknown refundkit annotation refundkit:asumption/],
    ['xs:openContent (XSD 1.1)', { 'ping.request.xsd': pingSchema('', '', 'name="Ping"').replace('<xs:sequence>', '<xs:openContent><xs:any processContents="skip"/></xs:openContent><xs:sequence>') }, /xs:complexType Ping > xs:openContent: xs:openContent is XSD 1\.1.*refundkit:open="true"/],
    ['refundkit:open other than true or false', { 'ping.request.xsd': pingSchema('', '', 'name="Ping" refundkit:open="yes"') }, /xs:complexType Ping: refundkit:open must be "true" or "false", not "yes"/],
    ['refundkit:open bound to another namespace', { 'ping.request.xsd': pingSchema('', '', 'name="Ping" refundkit:open="true"').replace('xmlns:refundkit="https://refundkit.dev/xsd"', 'xmlns:refundkit="urn:other"').replace('<refundkit:encoding>', '<r:encoding xmlns:r="https://refundkit.dev/xsd">').replace('</refundkit:encoding>', '</r:encoding>') }, /the prefix of refundkit:open must be bound to https:\/\/refundkit\.dev\/xsd/],
    ['an unknown tolerant string-length unit', { 'ping.request.xsd': pingSchema('').replace('</refundkit:encoding>', '</refundkit:encoding><refundkit:string-length tolerant="glyphs">encoded-bytes</refundkit:string-length>') }, /refundkit:string-length: glyphs is not supported/],
    ['an unknown string-length unit', { 'ping.request.xsd': pingSchema('').replace('</refundkit:encoding>', '</refundkit:encoding><refundkit:string-length>words</refundkit:string-length>') }, /refundkit:string-length: words is not supported \(supported: characters, encoded-bytes\)/],
    ['a message file that states no encoding', { 'ping.request.xsd': pingSchema('').replace(ENCODING, '') }, /ping\.request\.xsd: xs:schema: each message schema states the wire encoding/],
    ['a message without a fixed type element', { 'ping.request.xsd': pingSchema('').replace(' fixed="ping_request"', '') }, /xs:complexType Ping: the first element must be the message type/],
    ['an XSD no message includes', { 'ping.request.xsd': pingSchema(''), 'stray.xsd': `${SCHEMA_OPEN}</xs:schema>` }, /stray\.xsd: is neither a message schema/],
    ['a missing include', { 'ping.request.xsd': pingSchema('', '<xs:include schemaLocation="gone.xsd"/>') }, /gone\.xsd: file not found/],
    ['a type defined in two included files', { 'ping.request.xsd': pingSchema('', '<xs:include schemaLocation="a.xsd"/><xs:include schemaLocation="b.xsd"/>'), 'a.xsd': `${SCHEMA_OPEN}<xs:simpleType name="T"><xs:restriction base="xs:string"/></xs:simpleType></xs:schema>`, 'b.xsd': `${SCHEMA_OPEN}<xs:simpleType name="T"><xs:restriction base="xs:string"/></xs:simpleType></xs:schema>` }, /b\.xsd: xs:simpleType T: also defined in a\.xsd/],
    ['refundkit:json on a non-string element', { 'ping.request.xsd': pingSchema('<xs:element name="n" type="xs:integer"><xs:annotation><xs:appinfo><refundkit:json schema="x.json"/></xs:appinfo></xs:annotation></xs:element>') }, /element n: refundkit:json needs a string-typed element/],
    ['bytes that are not the encoding the declaration names', { 'ping.request.xsd': notUtf8(pingSchema('', '<!-- \u0000 -->')) }, /ping\.request\.xsd: cannot be read as UTF-8/],
  ];

  it.each(rejected)('refuses %s, naming the file and the construct', (_, files, message) => {
    expect(() => parseXsdContract(specFolder(files))).toThrow(message);
  });
});

describe('xsdPatternToEcma', () => {
  it('anchors the XSD pattern, which XSD anchors implicitly', () => {
    const source = xsdPatternToEcma('[0-9]{14}');
    expect(source).toBe('^(?:[0-9]{14})$');
    expect(new RegExp(source, 'u').test('20090405010104')).toBe(true);
    expect(new RegExp(source, 'u').test('x20090405010104')).toBe(false);
    expect(xsdPatternToEcma('a|b')).toBe('^(?:a|b)$');
  });

  it('refuses what means something else in ECMAScript', () => {
    expect(() => xsdPatternToEcma('\\w+')).toThrow(/Unicode class/);
    expect(() => xsdPatternToEcma('\\i\\c*')).toThrow(/XML name characters/);
    expect(() => xsdPatternToEcma('[a-z-[aeiou]]')).toThrow(/subtraction/);
    expect(() => xsdPatternToEcma('5$')).toThrow(/escape it as \\\$/);
    expect(() => xsdPatternToEcma('\\p{IsBasicLatin}')).toThrow(/block escapes/);
    expect(xsdPatternToEcma('[$^]\\$')).toBe('^(?:[$^]\\$)$');
  });
});
