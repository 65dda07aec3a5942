import { describe, expect, it } from 'vitest';
import {
  EftpayPayloadError,
  Secret,
  createEftpaySigner,
  eftpayHasEmptyValues,
  eftpaySigningString,
} from '../src/index.js';
import { vectors } from './support.js';

const { secretCode } = vectors.eftpay;
const signer = createEftpaySigner({ secretCode: new Secret(secretCode) });

describe('eftpay: vectors (python3 reference.py, printf | sha256sum)', () => {
  describe.each(vectors.eftpay.vectors.map((v) => [v.name, v] as const))('%s', (_name, vector) => {
    it('signing strings in both empty-value forms', () => {
      expect(eftpaySigningString(vector.fields, 'skip')).toBe(vector.skip.signingString.value);
      expect(eftpaySigningString(vector.fields, 'keep')).toBe(vector.keep.signingString.value);
      expect(eftpayHasEmptyValues(vector.fields)).toBe(vector.hasEmptyValues);
    });

    it('verifies a signature made in either form', () => {
      expect(signer.verify({ ...vector.fields, sign: vector.skip.sign.value })).toEqual({ valid: true });
      expect(signer.verify({ ...vector.fields, sign: vector.keep.sign.value })).toEqual({ valid: true });
      expect(signer.verify({ ...vector.fields, sign: vector.keep.sign.value.toUpperCase() })).toEqual({ valid: true });
    });

    it(vector.hasEmptyValues ? 'refuses to sign it (empty values)' : 'signs it to the sha256sum value', () => {
      if (vector.hasEmptyValues) {
        expect(vector.skip.sign.value).not.toBe(vector.keep.sign.value);
        expect(() => signer.signature(vector.fields)).toThrow(EftpayPayloadError);
      } else {
        expect(vector.skip.sign.value).toBe(vector.keep.sign.value);
        expect(eftpaySigningString(vector.fields)).toBe(vector.skip.signingString.value);
        expect(signer.signature(vector.fields)).toBe(vector.skip.sign.value);
        const { sign: _ignored, ...unsigned } = vector.fields;
        expect(signer.signRequest(unsigned).sign).toBe(vector.skip.sign.value);
      }
    });
  });
});

describe('eftpay: the seed (001) signatures, made with a secret code we do not have', () => {
  it.each(vectors.eftpay.vectors.slice(0, 2).map((v) => [v.name, v.fields] as const))('%s: a mismatch, not a crash', (_name, fields) => {
    expect(typeof fields['sign']).toBe('string');
    expect(signer.verify(fields)).toMatchObject({ valid: false, reason: 'mismatch' });
  });
});

describe('eftpay: signRequest and empty values', () => {
  const request = {
    service: 'service.alipay.qrcode.Refund',
    user_confirm_key: 'S0003469',
    transaction_amount: '1.10',
    out_trade_no: '20190823191819',
    paytype: 'Alipay',
    buyertype: undefined,
    refund_no: 'RF-20250101-1',
    payment_type: 'ALIPAYCN',
    time: '20250101120000',
  };

  it('leaves undefined fields out of both the signature and the payload', () => {
    const signed = signer.signRequest(request);
    expect('buyertype' in signed).toBe(false);
    expect(Object.keys(signed)).toEqual(['service', 'user_confirm_key', 'transaction_amount', 'out_trade_no', 'paytype', 'refund_no', 'payment_type', 'time', 'sign']);
    expect(signed.sign).toMatch(/^[0-9a-f]{64}$/);
    expect(signer.verify(signed)).toEqual({ valid: true });
    expect(signer.verify(JSON.parse(JSON.stringify(signed)) as object)).toEqual({ valid: true });
  });

  it.each([
    ['an empty string', ''],
    ['null', null],
  ])('refuses %s, naming the field', (_name, empty) => {
    let thrown: unknown;
    try {
      signer.signRequest({ ...request, buyertype: empty as unknown as string });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EftpayPayloadError);
    expect(thrown).toMatchObject({ field: 'buyertype', reason: 'empty-value', code: 'eftpay_payload' });
  });

  it.each([
    ['a boolean', true],
    ['an object', { a: 1 }],
    ['an array', ['a']],
    ['NaN', Number.NaN],
    ['Infinity', Infinity],
    ['a bigint', 1n],
  ])('refuses %s: it has no agreed string form', (_name, value) => {
    expect(() => signer.signature({ a: 'x', odd: value })).toThrow(
      expect.objectContaining({ field: 'odd', reason: 'unsupported-value' }),
    );
  });

  it('stringifies numbers with String() and keeps them numbers in the payload', () => {
    const signed = signer.signRequest({ amount: 12.5, count: 3 });
    expect(eftpaySigningString({ amount: 12.5, count: 3 })).toBe('amount=12.5&count=3');
    expect(signed.amount).toBe(12.5);
    expect(signed.sign).toBe(signer.signature({ amount: '12.5', count: '3' }));
  });

  it('replaces a sign field given on input and never signs it', () => {
    const a = signer.signRequest({ x: '1', sign: 'stale' } as { x: string });
    expect(a.sign).toBe(signer.signature({ x: '1' }));
  });
});

describe('eftpay: round trip, and any single change fails', () => {
  const fields = vectors.eftpay.vectors[2]!.fields;
  const signed = signer.signRequest(fields);
  const response = vectors.eftpay.vectors[1]!;

  it('sign then verify succeeds', () => {
    expect(signer.verify(signed)).toEqual({ valid: true });
  });

  it('changing one character of any value, or any key, fails', () => {
    for (const [key, value] of Object.entries(fields)) {
      const changed = typeof value === 'number' ? value + 1 : `${value}x`;
      expect(signer.verify({ ...signed, [key]: changed }), key).toMatchObject({ valid: false, reason: 'mismatch' });
      const { [key]: moved, ...rest } = signed;
      expect(signer.verify({ ...rest, [`${key}_`]: moved }), key).toMatchObject({ valid: false, reason: 'mismatch' });
    }
  });

  it('adding or removing a field fails, also an empty one in the keep form', () => {
    const { time: _removed, ...fewer } = signed;
    expect(signer.verify(fewer)).toMatchObject({ valid: false, reason: 'mismatch' });
    expect(signer.verify({ ...signed, extra: 'v' })).toMatchObject({ valid: false, reason: 'mismatch' });
    const keepSigned = { ...response.fields, sign: response.keep.sign.value };
    expect(signer.verify({ ...keepSigned, extra_empty: '' })).toMatchObject({ valid: false, reason: 'mismatch' });
    expect(signer.verify({ ...keepSigned, tid: 'T1' })).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('changing any one hex digit of the signature fails', () => {
    for (let i = 0; i < 64; i++) {
      const digit = signed.sign[i]!;
      const sign = signed.sign.slice(0, i) + (digit === '0' ? '1' : '0') + signed.sign.slice(i + 1);
      expect(signer.verify({ ...signed, sign }), `digit ${i}`).toMatchObject({ valid: false, reason: 'mismatch' });
    }
  });

  it('another secret code fails', () => {
    const other = createEftpaySigner({ secretCode: `${secretCode}x` });
    expect(other.verify(signed)).toMatchObject({ valid: false, reason: 'mismatch' });
    expect(other.signature(fields)).not.toBe(signed.sign);
  });
});

describe('eftpay: malformed input is a failed verification, never a throw', () => {
  const signed = signer.signRequest({ a: '1', b: '2' });
  it.each([
    ['no sign', { a: '1', b: '2' }, 'missing-signature'],
    ['empty sign', { ...signed, sign: '' }, 'missing-signature'],
    ['non-hex sign', { ...signed, sign: 'z'.repeat(64) }, 'malformed-signature'],
    ['63 hex digits', { ...signed, sign: signed.sign.slice(1) }, 'malformed-signature'],
    ['65 hex digits', { ...signed, sign: `${signed.sign}0` }, 'malformed-signature'],
    ['a number as sign', { ...signed, sign: 1234 }, 'malformed-signature'],
    ['a nested object among the fields', { ...signed, nested: { a: 1 } }, 'malformed-payload'],
  ])('%s', (_name, fields, reason) => {
    expect(signer.verify(fields)).toMatchObject({ valid: false, reason });
  });

  it('a payload that is not an object', () => {
    expect(signer.verify(null as unknown as object)).toMatchObject({ valid: false, reason: 'malformed-payload' });
  });
});
