import { describe, expect, it } from 'vitest';
import { compactDate, compactTimestamp, parseJsonStringField, readJsonResponse, ResponseError, SignatureError, type CompiledValidator } from '../src/index.js';

const hasCode = Object.assign((v: unknown): v is { code: string } => typeof (v as { code?: unknown })?.code === 'string', {
  errors: [{ instancePath: '', keyword: 'required', params: { missingProperty: 'code' } }],
}) as CompiledValidator<{ code: string }>;

describe('readJsonResponse', () => {
  it('returns the parsed, verified, valid body', () => {
    expect(readJsonResponse('{"code":"SUCCESS","extra":1}', { messageName: 'refund.response', validator: hasCode, verify: () => ({ valid: true }) })).toEqual({ code: 'SUCCESS', extra: 1 });
  });

  it('refuses a body whose signature does not verify, before validating, keeping the raw body', () => {
    let validated = false;
    const spy = Object.assign((v: unknown): v is { code: string } => ((validated = true), true), {}) as CompiledValidator<{ code: string }>;
    const error = (() => {
      try {
        return readJsonResponse('{"code":"SUCCESS"}', { messageName: 'refund.response', validator: spy, verify: () => ({ valid: false, reason: 'mismatch' }) });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SignatureError);
    expect(error).toMatchObject({ rawBody: '{"code":"SUCCESS"}', message: 'refund.response signature does not verify (mismatch)' });
    expect(validated).toBe(false);
  });

  it('a body that is not JSON, or breaks the contract, is a ResponseError with the raw body', () => {
    expect(() => readJsonResponse('<html>', { messageName: 'refund.response', validator: hasCode })).toThrow(ResponseError);
    try {
      readJsonResponse('{"msg":"x"}', { messageName: 'refund.response', validator: hasCode });
    } catch (e) {
      expect(e).toBeInstanceOf(ResponseError);
      expect((e as ResponseError).issues).toEqual([{ path: 'code', rule: 'required', message: 'code is required' }]);
      expect((e as ResponseError).rawBody).toBe('{"msg":"x"}');
    }
  });
});

describe('parseJsonStringField', () => {
  it('converts money fields exactly, keeping the digits as sent', () => {
    const parsed = parseJsonStringField('[{"accountType":"SETTLE_ACCOUNT","debitAmount":0.29},{"accountType":"FUND_ACCOUNT","debitAmount":6.00}]', 'data.refundAccountDetail', { debitAmount: 2 });
    expect(parsed).toEqual([
      { accountType: 'SETTLE_ACCOUNT', debitAmount: { minor: 29, text: '0.29' } },
      { accountType: 'FUND_ACCOUNT', debitAmount: { minor: 600, text: '6.00' } },
    ]);
  });

  it('keeps other numbers as their exact digits, beyond float precision', () => {
    expect(parseJsonStringField('{"n":12345678901234567890.5}', 'x')).toEqual({ n: '12345678901234567890.5' });
  });

  it('malformed JSON or an inexact amount is a ResponseError naming the field', () => {
    expect(() => parseJsonStringField('[{', 'data.refundAccountDetail')).toThrow(/data.refundAccountDetail is not valid JSON/);
    expect(() => parseJsonStringField('[{"debitAmount":1.001}]', 'd', { debitAmount: 2 })).toThrow(ResponseError);
  });
});

describe('compactTimestamp', () => {
  it('formats in the provider time zone', () => {
    const instant = new Date('2024-11-04T02:43:13Z');
    expect(compactTimestamp(instant, 'Asia/Shanghai')).toBe('20241104104313');
    expect(compactTimestamp(instant, 'UTC')).toBe('20241104024313');
    expect(compactDate(new Date('2024-11-03T16:00:00Z'), 'Asia/Shanghai')).toBe('20241104');
    expect(compactTimestamp(new Date('2024-12-31T16:00:00Z'), 'Asia/Hong_Kong')).toBe('20250101000000');
  });

  it('answers from the last formatted second only for the same second and zone', () => {
    expect(compactTimestamp(new Date('2024-12-31T15:59:59.999Z'), 'Asia/Shanghai')).toBe('20241231235959');
    expect(compactTimestamp(new Date('2024-12-31T15:59:59.000Z'), 'Asia/Shanghai')).toBe('20241231235959');
    expect(compactTimestamp(new Date('2024-12-31T16:00:00.000Z'), 'Asia/Shanghai')).toBe('20250101000000');
    expect(compactTimestamp(new Date('2024-12-31T16:00:00.500Z'), 'UTC')).toBe('20241231160000');
    expect(compactTimestamp(new Date('2024-12-31T16:00:00.500Z'), 'Asia/Shanghai')).toBe('20250101000000');
    // Before 1970 the second is floored too: -0.5 s is 1969-12-31T23:59:59.
    expect(compactTimestamp(new Date(-500), 'UTC')).toBe('19691231235959');
    expect(compactTimestamp(new Date(0), 'UTC')).toBe('19700101000000');
    expect(() => compactTimestamp(new Date(Number.NaN), 'UTC')).toThrow(RangeError);
  });
});
