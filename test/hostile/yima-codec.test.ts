/**
 * The yima codec's strictness, one rule at a time, on the contract's own response example
 * (GBK bytes): encodings (GBK, and GB2312 as its subset; nothing else), invalid bytes, the real
 * closing tag, element depth, repeated elements, and JSON carried in an element. Each refusal is
 * a ValidationError whose rule the client turns into the ResponseError code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { answerRejectionFor, MAX_ANSWER_DEPTH, ValidationError } from '@refundkit/runtime';
import { decodeAnyMessage, decodeRefundRequest, decodeRefundResponse } from '@refundkit/yima';
import { describe, expect, it } from 'vitest';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'specs', 'yima', 'examples');
const RESPONSE = readFileSync(join(EXAMPLES, 'refund.response.xml'));
/** The example as latin1 text: edits below are ASCII markup, and no GBK trail byte is <, / or >. */
const responseText = RESPONSE.toString('latin1');
const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const ROOT_CLOSE = '</business_trans>';
const beforeClose = (insertion: string): Buffer => bytes(responseText.replace(ROOT_CLOSE, insertion + ROOT_CLOSE));

function refusal(work: () => unknown): ValidationError {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

const rules = (work: () => unknown): string[] => refusal(work).issues.map((issue) => issue.rule);

describe('encodings: GBK, or GB2312 read as GBK; nothing else', () => {
  it('reads the example, declared GBK, and the same bytes declared gb2312', () => {
    expect(decodeRefundResponse(RESPONSE).value.result.id).toBe('0000');
    expect(decodeRefundResponse(bytes(responseText.replace('encoding="GBK"', 'encoding="gb2312"'))).value.result.comment).toBe('成功');
  });

  it.each(['utf7', 'UTF-7', 'GB18030', 'utf-16le', 'latin1', 'UTF-8'])('refuses a declaration naming %s', (label) => {
    expect(rules(() => decodeRefundResponse(bytes(responseText.replace('encoding="GBK"', `encoding="${label}"`))))).toEqual(['encoding']);
  });

  it.each([
    ['a lead byte with an invalid trail (0x81 0xFF)', [0x81, 0xff]],
    ['0xFF alone', [0xff]],
    ['a GB18030 four-byte sequence (0x81 0x30 0x81 0x30)', [0x81, 0x30, 0x81, 0x30]],
  ])('refuses %s inside a comment, never reading it as U+FFFD', (_, sequence) => {
    const at = responseText.indexOf(ROOT_CLOSE);
    const spoiled = Buffer.concat([bytes(responseText.slice(0, at) + '<!-- '), Buffer.from(sequence), bytes(' -->' + responseText.slice(at))]);
    expect(rules(() => decodeRefundResponse(spoiled))).toEqual(['encoding']);
  });

  it('refuses a lead byte cut off at the very end', () => {
    expect(rules(() => decodeRefundResponse(Buffer.concat([RESPONSE, Buffer.from([0x81])])))).toEqual(['encoding']);
  });
});

describe('the truncation guard reads the real closing tag', () => {
  const cut = responseText.slice(0, responseText.indexOf(ROOT_CLOSE));
  it.each([
    ['cut before the root closes', cut],
    ['cut in the middle of an element', responseText.slice(0, responseText.indexOf('<comment>') + 4)],
    ['closed only inside a comment', `${cut}<!-- ${ROOT_CLOSE}`],
    ['closed only inside a CDATA section', `${cut}<![CDATA[ ${ROOT_CLOSE}`],
    ['closed only inside a processing instruction', `${cut}<?pi ${ROOT_CLOSE}`],
    ['closed, then an unterminated comment', `${responseText.trimEnd()}<!-- ${ROOT_CLOSE}`],
  ])('refuses a body %s (rule truncated)', (_, text) => {
    expect(rules(() => decodeRefundResponse(bytes(text)))).toEqual(['truncated']);
  });

  it('accepts the root closed for real with whitespace after it', () => {
    expect(decodeRefundResponse(bytes(`${responseText.trimEnd()}\n\n  `)).value.result.id).toBe('0000');
  });
});

describe(`element depth: at most ${MAX_ANSWER_DEPTH}`, () => {
  const nested = (depth: number): Buffer => beforeClose('<x>'.repeat(depth) + '</x>'.repeat(depth));
  it(`keeps an undeclared element ${MAX_ANSWER_DEPTH} deep, refuses one deeper, and 5,000 deep, with rule depth`, () => {
    expect(decodeRefundResponse(nested(MAX_ANSWER_DEPTH)).unknown.map((u) => u.path)).toContain('x');
    expect(rules(() => decodeRefundResponse(nested(MAX_ANSWER_DEPTH + 1)))).toEqual(['depth']);
    expect(rules(() => decodeAnyMessage(nested(5_000)))).toEqual(['depth']);
  });
});

describe('single-valued elements', () => {
  it.each([
    ['a second <id>', responseText.replace('<id>0000</id>', '<id>0000</id><id>0813</id>'), 'result.id'],
    ['a second <result>', responseText.replace(ROOT_CLOSE, `<result><id>0813</id><comment>x</comment></result>${ROOT_CLOSE}`), 'result'],
    ['a second <response_type>', responseText.replace('<isspid>', '<response_type>barcode_refundbycashfee_response</response_type><isspid>'), 'response_type'],
  ])('refuses %s (rule maxOccurs, code answer_repeated_element)', (_, text, path) => {
    const error = refusal(() => decodeRefundResponse(bytes(text)));
    expect(error.issues).toEqual([{ path, rule: 'maxOccurs', message: expect.any(String) }]);
    expect(answerRejectionFor(error.issues)).toBe('answer_repeated_element');
  });
});

describe('JSON carried in an element (goods_detail)', () => {
  const request = readFileSync(join(EXAMPLES, 'refund.request.xml')).toString('latin1');
  const withGoods = (json: string): Buffer => bytes(request.replace(/<goods_detail>[\s\S]*?<\/goods_detail>/, `<goods_detail><![CDATA[${json}]]></goods_detail>`));

  it('reads it, and refuses a key given twice (rule duplicateKey) or nesting beyond the limit (rule depth; 2,900 deep fits its 6,000 characters)', () => {
    expect(request).toContain('<goods_detail>');
    expect(decodeRefundRequest(withGoods('[{"goods_id":"1","goods_name":"a","quantity":1,"price":1}]')).value.barcode_refundbycashfee_request.goods_detail).toHaveLength(1);
    expect(rules(() => decodeRefundRequest(withGoods('[{"goods_id":"1","goods_id":"2","goods_name":"a","quantity":1,"price":1}]')))).toEqual(['duplicateKey']);
    expect(rules(() => decodeRefundRequest(withGoods('['.repeat(2_900) + ']'.repeat(2_900))))).toEqual(['depth']);
  });
});
