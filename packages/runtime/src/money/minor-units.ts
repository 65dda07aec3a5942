import { RefundkitError } from '../errors/refundkit-error.js';

/** An amount that cannot be represented exactly in the requested form. */
export class AmountError extends RefundkitError {
  constructor(message: string) {
    super('amount_invalid', message);
  }
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a non-negative decimal string in major units (`"88.88"`, `"6"`, `"0.10"`) into an
 * integer count of minor units, exactly: digits are moved, never multiplied as floats.
 * More decimals than `decimals` is an error unless the extra digits are zeros.
 *
 * @example
 * toMinorUnits('88.88') // 8888
 * toMinorUnits('6.00')  // 600
 * toMinorUnits('0.1')   // 10
 * toMinorUnits('1.005') // AmountError: 1.005 has more than 2 decimals
 */
export function toMinorUnits(text: string, decimals = 2): number {
  const match = DECIMAL.exec(text);
  if (!match) throw new AmountError(`${JSON.stringify(text)} is not a non-negative decimal amount`);
  const whole = match[1]!;
  const fraction = match[2] ?? '';
  if (fraction.length > decimals && !/^0+$/.test(fraction.slice(decimals))) {
    throw new AmountError(`${text} has more than ${decimals} decimals`);
  }
  const digits = `${whole}${fraction.slice(0, decimals).padEnd(decimals, '0')}`.replace(/^0+(?=\d)/, '');
  const minor = Number(digits);
  if (!Number.isSafeInteger(minor)) throw new AmountError(`${text} is too large to count in minor units exactly`);
  return minor;
}

/**
 * Writes an integer count of minor units as a major-unit decimal string with exactly
 * `decimals` decimals, by string arithmetic.
 *
 * @example
 * formatMinorUnits(110)  // '1.10'
 * formatMinorUnits(1)    // '0.01'
 * formatMinorUnits(0)    // '0.00'
 */
export function formatMinorUnits(minor: number, decimals = 2): string {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new AmountError(`${minor} is not a non-negative integer count of minor units`);
  if (decimals === 0) return String(minor);
  const digits = String(minor).padStart(decimals + 1, '0');
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}
