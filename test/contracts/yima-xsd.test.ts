// The yima contract checked by an independent XSD 1.0 processor: libxml2's xmllint (xmllint-wasm,
// no system package). Every XSD must compile as XSD 1.0, every example of
// specs/yima/examples/examples.yaml must get the verdict the manifest states, and what refundkit's
// encoder writes must be valid to it. Where the verdicts differ on purpose (a rule XSD cannot
// express; the response tolerance XSD 1.0 cannot declare), the test asserts exactly that.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMessage, writeMessage, type Messages } from '@refundkit/yima';
import { ValidationError } from '@refundkit/runtime';
import { describe, expect, it } from 'vitest';
import { validateXML, type XMLValidationResult } from 'xmllint-wasm';
import { parse } from 'yaml';

/** One entry of specs/yima/examples/examples.yaml (DEVELOPERS.md, "Examples" and "The XML provider"). */
interface ExampleEntry {
  file: string;
  message: keyof Messages;
  valid: boolean;
  source: string;
  rejects?: string;
  /** `accepts`: a negative only refundkit refuses, for a rule XML Schema cannot express (`xsdReason`). */
  xsd?: 'accepts';
  xsdReason?: string;
}

const specs = join(import.meta.dirname, '../../specs/yima');
const examples = join(specs, 'examples');
const entries = parse(readFileSync(join(examples, 'examples.yaml'), 'utf8')) as ExampleEntry[];
const messageSchemas = readdirSync(specs).filter((f) => /^[a-z][A-Za-z]*\.(request|response)\.xsd$/.test(f)).sort();

const GBK_DECLARATION = /^<\?xml version="1\.0" encoding="GBK"\?>/;

/**
 * The same document as UTF-8 bytes declared UTF-8. xmllint-wasm's libxml2 is built without iconv:
 * given the GBK bytes it stops at "Unsupported encoding: GBK" (its README: "xmllint only supports
 * UTF-8 encoded files"). So the GBK is decoded here, strictly (a byte that is not GBK fails the
 * test), and the declaration rewritten to match. XSD's facets count characters, which the
 * conversion keeps; GBK byte limits are refundkit's own rule (`xsd: accepts` in the manifest).
 */
function asUtf8(bytes: Uint8Array, name: string): Uint8Array {
  const text = new TextDecoder('gbk', { fatal: true }).decode(bytes);
  if (!GBK_DECLARATION.test(text)) throw new Error(`${name} does not start with <?xml version="1.0" encoding="GBK"?>`);
  return Buffer.from(text.replace(GBK_DECLARATION, '<?xml version="1.0" encoding="UTF-8"?>'), 'utf8');
}

const schemaFile = (file: string): { fileName: string; contents: Uint8Array } => ({ fileName: file, contents: asUtf8(readFileSync(join(specs, file)), file) });

/** xmllint --schema <message>.xsd (common.xsd beside it) of one GBK document. */
function xmllint(message: string, gbkBytes: Uint8Array, fileName = 'message.xml'): Promise<XMLValidationResult> {
  return validateXML({
    xml: [{ fileName, contents: asUtf8(gbkBytes, fileName) }],
    schema: [schemaFile(`${message}.xsd`)],
    preload: [schemaFile('common.xsd')],
  });
}

const exampleBytes = (file: string): Buffer => readFileSync(join(examples, file));
/** The refundkit verdict: the ValidationError readMessage throws, or undefined. */
function refundkitRejection(message: keyof Messages, bytes: Uint8Array): ValidationError | undefined {
  try {
    readMessage(message, bytes);
    return undefined;
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
}

/**
 * An example's GBK bytes with one ASCII text replaced by another: ASCII is the same bytes in GBK,
 * and a GBK lead byte is never ASCII, so the rest of the document stays as it is.
 */
function editAscii(bytes: Uint8Array, from: string, to: string): Uint8Array {
  if (/[^\x00-\x7f]/.test(from + to)) throw new Error('ASCII edits only');
  const source = Buffer.from(bytes);
  const at = source.indexOf(Buffer.from(from, 'latin1'));
  if (at < 0) throw new Error(`${JSON.stringify(from)} is not in the document`);
  return new Uint8Array(Buffer.concat([source.subarray(0, at), Buffer.from(to, 'latin1'), source.subarray(at + from.length)]));
}

describe('the yima XSDs under an XSD 1.0 processor (xmllint)', () => {
  it('has a schema per message, and each compiles: a bare root is refused for its content, not for the schema', async () => {
    expect(messageSchemas).toEqual(['queryRefund.request.xsd', 'queryRefund.response.xsd', 'refund.request.xsd', 'refund.response.xsd']);
    for (const file of messageSchemas) {
      const result = await xmllint(file.slice(0, -4), new Uint8Array(Buffer.from('<?xml version="1.0" encoding="GBK"?>\n<business_trans/>\n', 'latin1')));
      expect(result.rawOutput, file).not.toMatch(/failed to compile|parser error|Schemas? (parser )?error/);
      expect(result.valid, file).toBe(false);
      expect(result.errors.map((e) => e.message).join('\n'), file).toMatch(/Element 'business_trans': Missing child element\(s\)/);
    }
  });

  it('the manifest marks xsd: accepts only on negatives, each with its reason', () => {
    for (const entry of entries) {
      expect([undefined, 'accepts'], entry.file).toContain(entry.xsd);
      if (entry.xsd === 'accepts') {
        expect(entry.valid, entry.file).toBe(false);
        expect(entry.xsdReason, entry.file).toMatch(/\w{3,}/);
      } else {
        expect(entry.xsdReason, entry.file).toBeUndefined();
      }
    }
    // The rules of this change have negatives: an empty required string, and a GBK byte count over String(N).
    expect(entries.some((e) => e.rejects === 'isspid' && e.xsd === undefined)).toBe(true);
    expect(entries.some((e) => e.rejects === 'user_id' && e.xsd === 'accepts' && /GBK/.test(e.xsdReason ?? ''))).toBe(true);
  });

  it.each(entries.map((e) => [e.file, e] as const))('%s', async (_file, entry) => {
    const bytes = exampleBytes(entry.file);
    const result = await xmllint(entry.message, bytes, entry.file);
    const refusal = refundkitRejection(entry.message, bytes);
    if (entry.valid) {
      expect(result.errors, entry.file).toEqual([]);
      expect(result.valid).toBe(true);
      expect(refusal).toBeUndefined();
      return;
    }
    // refundkit refuses every negative, naming the field.
    expect(refusal?.issues.map((i) => i.path), entry.file).toEqual([entry.rejects]);
    if (entry.xsd === 'accepts') {
      expect(result.errors, `${entry.file}: the XSD accepts it (${entry.xsdReason})`).toEqual([]);
      expect(result.valid).toBe(true);
    } else {
      expect(result.valid, entry.file).toBe(false);
      const leaf = entry.rejects!.split('.').pop()!;
      expect(result.errors.map((e) => e.message).join('\n'), entry.file).toContain(leaf);
    }
  });
});

describe('what refundkit writes and reads, under the XSDs', () => {
  const request = (): Messages['refund.request'] => ({
    request_type: 'barcode_refundbycashfee_request',
    isspid: '39493002',
    pos_id: '1511300001',
    store_id: '1511300001',
    pos_seq: '1511300000004',
    user_id: '收银员01',
    system_id: '8888',
    barcode_refundbycashfee_request: {
      pay_type: '503',
      tx_amt: 10,
      org_pos_seq: '1511300000001',
      goods_detail: [{ goods_id: 'apple-01', goods_name: '特价手机', quantity: 1, price: 200000 }],
    },
  });

  it("the encoder's refund and query requests (GBK, Chinese text, goods_detail in CDATA) are valid XSD documents", async () => {
    expect((await xmllint('refund.request', writeMessage('refund.request', request()))).errors).toEqual([]);
    const query = writeMessage('queryRefund.request', {
      request_type: 'barcode_refundquery_request',
      isspid: '39493002',
      pos_id: '1511300001',
      store_id: '1511300001',
      pos_seq: '1511300000005',
      system_id: '8888',
      barcode_refundquery_request: { org_pos_seq: '1511300000004' },
    });
    const result = await xmllint('queryRefund.request', query);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('the document response read as a query answer is valid against queryRefund.response.xsd, and not against the refund request', async () => {
    const answer = editAscii(exampleBytes('refund.response.xml'), 'barcode_refundbycashfee_response', 'barcode_refundquery_response');
    expect((await xmllint('queryRefund.response', answer)).valid).toBe(true);
    expect(refundkitRejection('queryRefund.response', answer)).toBeUndefined();
    expect((await xmllint('refund.request', exampleBytes('refund.response.xml'))).valid).toBe(false);
  });

  it('responses: an unknown element is refused by the XSD 1.0 form (closed) and ignored by refundkit (refundkit:open)', async () => {
    const answer = editAscii(editAscii(exampleBytes('refund.response.xml'), '<sys_seq>', '<settle_date>20090405</settle_date>\n<sys_seq>'), '<id>0000</id>', '<id>0000</id>\n<sub_code>OK</sub_code>');
    const result = await xmllint('refund.response', answer);
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => e.message).join('\n')).toMatch(/Element 'settle_date': This element is not expected/);
    const read = readMessage('refund.response', answer);
    expect(read.value.result.id).toBe('0000');
    expect(read.unknown.map((u) => [u.path, u.allowed])).toEqual([
      ['settle_date', true],
      ['result.sub_code', true],
    ]);
  });

  it('requests: an unknown element is refused by both', async () => {
    const sent = editAscii(exampleBytes('refund.request.xml'), '<system_id>', '<memo>x</memo>\n<system_id>');
    expect((await xmllint('refund.request', sent)).errors.map((e) => e.message).join('\n')).toMatch(/Element 'memo': This element is not expected/);
    expect(refundkitRejection('refund.request', sent)?.issues.map((i) => [i.path, i.rule])).toEqual([['memo', 'additionalProperties']]);
  });
});
