import { AmountError, toMinorUnits } from '@refundkit/runtime';
import { UsageError } from './io.js';

/**
 * A command-line amount (`12.34`, decimal major units) as integer minor units, exactly: no float
 * ever holds it.
 *
 * @example
 * parseAmountOption('--amount', '12.34') // 1234
 */
export function parseAmountOption(flag: string, text: string): number {
  try {
    const minor = toMinorUnits(text, 2);
    if (minor <= 0) throw new AmountError('must be more than 0');
    return minor;
  } catch (error) {
    if (error instanceof AmountError) throw new UsageError(`${flag} ${JSON.stringify(text)}: a decimal amount in major units with at most 2 decimals, more than 0, is expected (${error.message})`);
    throw error;
  }
}

/**
 * The longest duration a flag takes: 1 hour. A refund exchange or a wait longer than that is a
 * typo, and Node's timers fire at once past 2^31-1 ms (about 24.8 days): `--timeout 3000000s`
 * used to time out immediately and leave the refund unknown.
 */
export const MAX_DURATION_MS = 60 * 60_000;

/**
 * `60s`, `2m`, `500ms` or a bare number of seconds, as milliseconds; at most
 * {@link MAX_DURATION_MS}, else a UsageError (exit 1, nothing sent).
 */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(text);
  if (!match) throw new UsageError(`${flag} ${JSON.stringify(text)}: a duration like 60s, 2m or 500ms is expected`);
  const n = Number(match[1]);
  const ms = match[2] === 'ms' ? n : match[2] === 'm' ? n * 60_000 : n * 1_000;
  if (!(ms <= MAX_DURATION_MS)) throw new UsageError(`${flag} ${JSON.stringify(text)}: at most 1 hour (60m, 3600s or ${MAX_DURATION_MS}ms)`);
  return ms;
}
