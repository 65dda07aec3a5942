import { createRequire } from 'node:module';
import { ResponseError } from '../errors/response-error.js';
import { toMinorUnits } from '../money/minor-units.js';

/** A money field inside a JSON string, converted exactly: minor units plus the digits as sent. */
export interface ExactAmount {
  /** Integer count of minor units (fen, cents). */
  readonly minor: number;
  /** The number exactly as it stood in the JSON text, e.g. `6.00`. */
  readonly text: string;
}

type LosslessParse = typeof import('lossless-json').parse;
let losslessParse: LosslessParse | undefined;

/**
 * lossless-json's `parse`, loaded at first use and through `require`: its CommonJS build is one
 * file, its ES build ten modules, and only Ti-Pay answers ever need it (cold start, issue #7).
 */
function parseLossless(): LosslessParse {
  losslessParse ??= (createRequire(import.meta.url)('lossless-json') as typeof import('lossless-json')).parse;
  return losslessParse;
}

/**
 * Parses a field whose value is itself JSON text (Ti-Pay's `refundAccountDetail`) without
 * passing any number through a float: every JSON number is kept as its exact source digits,
 * and properties named in `moneyFields` become an {@link ExactAmount} in minor units.
 *
 * The spec marks such a field with `contentMediaType: application/json` and its money
 * properties with `x-refundkit-money-decimals`; the generated client passes them here.
 *
 * @example
 * parseJsonStringField('[{"accountType":"FUND_ACCOUNT","debitAmount":6.00}]', 'data.refundAccountDetail', { debitAmount: 2 })
 * // [{ accountType: 'FUND_ACCOUNT', debitAmount: { minor: 600, text: '6.00' } }]
 */
export function parseJsonStringField(text: string, path: string, moneyFields: Readonly<Record<string, number>> = {}): unknown {
  let value: unknown;
  try {
    value = parseLossless()(text, undefined, (digits: string) => digits);
  } catch (error) {
    throw new ResponseError(`${path} is not valid JSON`, text, [{ path, rule: 'json', message: `${path} is not valid JSON` }], { cause: error });
  }
  const convert = (node: unknown, at: string): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => convert(item, `${at}[${i}]`));
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      const decimals = moneyFields[key];
      if (decimals !== undefined && typeof child === 'string' && /^-?\d/.test(child)) {
        try {
          out[key] = { minor: toMinorUnits(child, decimals), text: child } satisfies ExactAmount;
        } catch (error) {
          const where = `${at}.${key}`;
          throw new ResponseError(`${where} is not an exact amount: ${child}`, text, [{ path: where, rule: 'amount', message: `${where} is not an exact amount` }], { cause: error });
        }
      } else out[key] = convert(child, `${at}.${key}`);
    }
    return out;
  };
  return convert(value, path);
}
