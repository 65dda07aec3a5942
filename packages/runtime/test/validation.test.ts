import { describe, expect, it } from 'vitest';
import { assertValid, pointerToPath, schemaErrorsToIssues, ValidationError, type CompiledValidator, RefundkitError } from '../src/index.js';

describe('pointerToPath', () => {
  it.each([
    ['', ''],
    ['/refund_no', 'refund_no'],
    ['/reqBody/reqOrderInfo/refundAmount', 'reqBody.reqOrderInfo.refundAmount'],
    ['/itemlist/1/price', 'itemlist[1].price'],
    ['/a~1b/c~0d', 'a/b.c~d'],
  ])('%s -> %s', (pointer, path) => expect(pointerToPath(pointer)).toBe(path));
});

describe('schemaErrorsToIssues', () => {
  it('names the missing or unexpected field itself, not its parent', () => {
    const issues = schemaErrorsToIssues([
      { instancePath: '/reqBody', keyword: 'required', params: { missingProperty: 'payInfo' } },
      { instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'user_confim_key' } },
    ]);
    expect(issues).toEqual([
      { path: 'reqBody.payInfo', rule: 'required', message: 'reqBody.payInfo is required' },
      { path: 'user_confim_key', rule: 'additionalProperties', message: 'user_confim_key is not a field of this message' },
    ]);
  });

  it('states the rule with its limit', () => {
    const [issue] = schemaErrorsToIssues([{ instancePath: '/refund_no', keyword: 'maxLength', params: { limit: 28 }, message: 'must NOT have more than 28 characters' }]);
    expect(issue).toEqual({ path: 'refund_no', rule: 'maxLength 28', message: 'refund_no breaks rule maxLength 28 (must NOT have more than 28 characters)' });
  });

  it('drops duplicates of the same path and rule', () => {
    const e = { instancePath: '/a', keyword: 'type', params: { type: 'string' } };
    expect(schemaErrorsToIssues([e, e])).toHaveLength(1);
  });
});

describe('assertValid', () => {
  const isEven = Object.assign((v: unknown): v is number => typeof v === 'number' && v % 2 === 0, {
    errors: [{ instancePath: '', keyword: 'multipleOf', params: { multipleOf: 2 } }],
  }) as CompiledValidator<number>;

  it('returns the value when valid', () => expect(assertValid(isEven, 4, 'n.request')).toBe(4));

  it('throws a ValidationError naming the message and every issue', () => {
    let caught: unknown;
    try {
      assertValid(isEven, 3, 'n.request');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect(caught).toBeInstanceOf(RefundkitError);
    const error = caught as ValidationError;
    expect(error.code).toBe('validation_failed');
    expect(error.messageName).toBe('n.request');
    expect(error.issues).toEqual([{ path: '', rule: 'multipleOf', message: 'the message breaks rule multipleOf' }]);
    expect(error.name).toBe('ValidationError');
  });
});
