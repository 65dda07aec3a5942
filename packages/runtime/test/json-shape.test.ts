import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonShapeProblem, MAX_ANSWER_DEPTH, parseAnswerJson, parseJsonStringField, readJsonResponse, ResponseError, SignatureError, type CompiledValidator } from '../src/index.js';

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const anything = Object.assign((() => true) as unknown as CompiledValidator<unknown>, { errors: null });

describe('jsonShapeProblem', () => {
  it('finds a key given twice, by the string it denotes, with its path', () => {
    expect(jsonShapeProblem('{"code":"FAIL","code":"SUCCESS"}', '')).toEqual({ rule: 'duplicateKey', path: 'code' });
    expect(jsonShapeProblem('{"a":{"b":[1,{"c":1,"\\u0063":2}]}}', 'answer')).toEqual({ rule: 'duplicateKey', path: 'answer.a.b[1].c' });
  });

  it('accepts the same key in sibling objects, keys that only look alike, and strings holding braces', () => {
    expect(jsonShapeProblem('[{"a":1},{"a":2}]', '')).toBeUndefined();
    expect(jsonShapeProblem('{"a":1,"A":2,"a ":3}', '')).toBeUndefined();
    expect(jsonShapeProblem('{"a":"{\\"a\\":1,","b":"[[[[","c":"\\\\"}', '')).toBeUndefined();
  });

  it(`refuses nesting beyond ${MAX_ANSWER_DEPTH} containers and allows it up to there`, () => {
    expect(jsonShapeProblem(nested(MAX_ANSWER_DEPTH), '')).toBeUndefined();
    expect(jsonShapeProblem(nested(MAX_ANSWER_DEPTH + 1), '')?.rule).toBe('depth');
    expect(jsonShapeProblem(nested(20_000), '')?.rule).toBe('depth');
  });
});

describe('parseAnswerJson and readJsonResponse', () => {
  it('a duplicate key is an answer_duplicate_key ResponseError: FAIL then SUCCESS is never SUCCESS', () => {
    const error = (() => {
      try {
        return readJsonResponse('{"code":"FAIL","code":"SUCCESS"}', { messageName: 'refund.response', validator: anything });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ResponseError);
    expect(error).toMatchObject({ code: 'answer_duplicate_key', mayHaveReachedProvider: true, issues: [{ path: 'code', rule: 'duplicateKey' }] });
  });

  it('20,000-deep JSON is an answer_too_deep ResponseError, never a RangeError, and reaches no verifier', () => {
    let verified = false;
    const verify = () => ((verified = true), { valid: true });
    const text = `{"rspBody":${nested(20_000)}}`;
    expect(() => readJsonResponse(text, { messageName: 'refund.response', validator: anything, verify })).toThrow(expect.objectContaining({ code: 'answer_too_deep' }));
    expect(verified).toBe(false);
  });

  it('text that is not JSON stays response_invalid', () => {
    expect(() => parseAnswerJson('{"a":', 'refund.response')).toThrow(expect.objectContaining({ code: 'response_invalid', name: 'ResponseError' }));
  });

  it('a verifier that throws is a SignatureError, not a plain error', () => {
    const verify = (): never => {
      throw new RangeError('Maximum call stack size exceeded');
    };
    expect(() => readJsonResponse('{"a":1}', { messageName: 'refund.response', validator: anything, verify })).toThrow(SignatureError);
  });

  it('"__proto__" in an answer is an own property and sets no prototype', () => {
    const value = parseAnswerJson('{"__proto__":{"status":"SUCCESS"}}', 'refund.response') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(value['status']).toBeUndefined();
    expect(Object.keys(value)).toEqual(['__proto__']);
  });
});

describe('parseJsonStringField on hostile text', () => {
  it('a "__proto__" key stays an own property of the parsed item', () => {
    const [item] = parseJsonStringField('[{"__proto__":{"accountType":"FUND_ACCOUNT","debitAmount":6.00}}]', 'data.refundAccountDetail', { debitAmount: 2 }) as Array<Record<string, unknown>>;
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    expect(item!['accountType']).toBeUndefined();
    expect(Object.getOwnPropertyNames(item)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['accountType']).toBeUndefined(); // nothing leaked into Object.prototype
  });

  it('a money field inherited from Object.prototype (toString) is not a money field', () => {
    expect(parseJsonStringField('{"toString":"1.00"}', 'f', {})).toEqual({ toString: '1.00' });
  });

  it('refuses duplicate keys and 20,000-deep nesting with typed errors before lossless-json recurses', () => {
    expect(() => parseJsonStringField('[{"debitAmount":1,"debitAmount":6}]', 'd', { debitAmount: 2 })).toThrow(expect.objectContaining({ code: 'answer_duplicate_key' }));
    expect(() => parseJsonStringField(nested(20_000), 'd')).toThrow(expect.objectContaining({ code: 'answer_too_deep' }));
  });
});

describe('jsonShapeProblem, as properties', () => {
  it('finds nothing in any JSON.stringify output (no duplicates there), escapes and all', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => jsonShapeProblem(JSON.stringify(value), '') === undefined),
      { numRuns: 500 },
    );
  });

  it('finds a key repeated anywhere in an object, however it is escaped', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1 }), fc.boolean(), (record, escapeIt) => {
        const [first] = Object.keys(record);
        const key = escapeIt ? `"${first!.split('').map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"` : JSON.stringify(first);
        const text = `{${key}:0,${JSON.stringify(record).slice(1)}`;
        return jsonShapeProblem(text, '')?.rule === 'duplicateKey';
      }),
      { numRuns: 500 },
    );
  });
});
