import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AmountError, formatMinorUnits, toMinorUnits } from '../src/index.js';

describe('toMinorUnits', () => {
  it.each([
    ['0.01', 1],
    ['0.1', 10],
    ['1', 100],
    ['1.10', 110],
    ['88.88', 8888],
    ['6.00', 600],
    ['0.29', 29], // 0.29 * 100 = 28.999999999999996 in floating point
    ['1.100000', 110],
    ['00012.30', 1230],
    ['99999999.99', 9999999999],
    ['90071992547409.91', 9007199254740991],
  ])('%s -> %i', (text, minor) => expect(toMinorUnits(text)).toBe(minor));

  it.each(['', '-1.00', '1.', '.5', '1,00', '1e2', ' 1', '1.005', 'NaN', '90071992547409.92'])('refuses %j', (text) => {
    expect(() => toMinorUnits(text)).toThrow(AmountError);
  });

  it('supports other exponents', () => {
    expect(toMinorUnits('12', 0)).toBe(12);
    expect(toMinorUnits('1.234', 3)).toBe(1234);
  });
});

describe('formatMinorUnits', () => {
  it.each([
    [0, '0.00'],
    [1, '0.01'],
    [10, '0.10'],
    [110, '1.10'],
    [8888, '88.88'],
    [9999999999, '99999999.99'],
    [Number.MAX_SAFE_INTEGER, '90071992547409.91'],
  ])('%i -> %s', (minor, text) => expect(formatMinorUnits(minor)).toBe(text));

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('refuses %d', (minor) => expect(() => formatMinorUnits(minor)).toThrow(AmountError));

  it('round-trips every safe integer exactly', () => {
    fc.assert(fc.property(fc.maxSafeNat(), (minor) => toMinorUnits(formatMinorUnits(minor)) === minor), { numRuns: 2_000 });
  });
});
