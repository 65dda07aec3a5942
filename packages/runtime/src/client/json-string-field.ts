import { createRequire } from 'node:module';
import { ResponseError } from '../errors/response-error.js';
import { toMinorUnits } from '../money/minor-units.js';
import { assertJsonShape } from './json-shape.js';

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
 * Provider text is held to what a single-valued contract allows: not JSON (`response_invalid`),
 * a key given twice (`answer_duplicate_key`) or nesting beyond `MAX_ANSWER_DEPTH`
 * (`answer_too_deep`) is a `ResponseError`, checked before lossless-json (a recursive parser)
 * sees the text. A `__proto__` key stays an own property: it never sets a prototype.
 *
 * @example
 * parseJsonStringField('[{"accountType":"FUND_ACCOUNT","debitAmount":6.00}]', 'data.refundAccountDetail', { debitAmount: 2 })
 * // [{ accountType: 'FUND_ACCOUNT', debitAmount: { minor: 600, text: '6.00' } }]
 */
export function parseJsonStringField(text: string, path: string, moneyFields: Readonly<Record<string, number>> = {}): unknown {
  const notJson = (error: unknown): ResponseError =>
    new ResponseError(`${path} is not valid JSON`, text, [{ path, rule: 'json', message: `${path} is not valid JSON` }], { cause: error });
  try {
    JSON.parse(text); // the syntax check, iterative: the shape check below reads only valid JSON
  } catch (error) {
    throw notJson(error);
  }
  assertJsonShape(text, path, text, path);
  let value: unknown;
  try {
    value = parseLossless()(text, undefined, (digits: string) => digits);
  } catch (error) {
    throw notJson(error);
  }
  const convert = (node: unknown, at: string): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => convert(item, `${at}[${i}]`));
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      const decimals = Object.hasOwn(moneyFields, key) ? moneyFields[key] : undefined;
      let converted: unknown;
      if (decimals !== undefined && typeof child === 'string' && /^-?\d/.test(child)) {
        try {
          converted = { minor: toMinorUnits(child, decimals), text: child } satisfies ExactAmount;
        } catch (error) {
          const where = `${at}.${key}`;
          throw new ResponseError(`${where} is not an exact amount: ${child}`, text, [{ path: where, rule: 'amount', message: `${where} is not an exact amount` }], { cause: error });
        }
      } else converted = convert(child, `${at}.${key}`);
      // `out[key] = ...` with key "__proto__" would set out's prototype to provider data.
      Object.defineProperty(out, key, { value: converted, enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return convert(value, path);
}
