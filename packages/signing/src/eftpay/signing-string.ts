/**
 * The text eftPay (依付得 VMP) hashes, without the secret: every field but `sign`, as `k=v`,
 * sorted by key (UTF-16 code unit order), joined with `&`. Values are written exactly as they are
 * sent in the JSON body: strings as they are (no URL-encoding, no trimming), numbers via
 * `String()`. The signature is then `lowercase hex SHA-256(secretCode + signingString)` (UTF-8).
 *
 * ```ts
 * eftpaySigningString({ time: '20230609110646', transaction_amount: '0.01', service: 'x', sign: '…' })
 * // 'service=x&time=20230609110646&transaction_amount=0.01'
 * ```
 *
 * Empty values (`""`, `null`): eftPay's public clients disagree (one skips them, one writes
 * `k=`), so `emptyValues` picks the form:
 * - `'reject'` (default, for what refundkit sends): throw {@link EftpayPayloadError}, because a
 *   request with an empty field cannot be signed in a way both forms accept; leave the field out
 *   instead (`undefined` means absent and is always skipped, as `JSON.stringify` drops it);
 * - `'skip'`: leave them out of the string (one client's form);
 * - `'keep'`: write them as `k=` (the other client's form).
 * Objects, arrays, booleans, bigints and non-finite numbers have no agreed string form and are
 * always refused with {@link EftpayPayloadError}.
 */
import { sortByCodeUnit } from '../code-unit-order.js';
import { EftpayPayloadError } from '../errors.js';

export type EftpayEmptyValues = 'reject' | 'skip' | 'keep';

/** The field that carries the signature and is never signed itself. */
export const EFTPAY_SIGNATURE_FIELD = 'sign';

export function eftpaySigningString(payload: object, emptyValues: EftpayEmptyValues = 'reject'): string {
  const fields = payload as Readonly<Record<string, unknown>>;
  const keys = sortByCodeUnit(Object.keys(fields));
  let out = '';
  for (const key of keys) {
    if (key === EFTPAY_SIGNATURE_FIELD) continue;
    const value = fields[key];
    if (value === undefined) continue;
    let text: string;
    if (typeof value === 'string') {
      text = value;
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      text = String(value);
    } else if (value === null) {
      text = '';
    } else {
      throw new EftpayPayloadError(key, 'unsupported-value', `is a ${describe(value)}, which has no agreed string form`);
    }
    if (text === '') {
      if (emptyValues === 'skip') continue;
      if (emptyValues === 'reject') {
        throw new EftpayPayloadError(key, 'empty-value', 'is empty; eftPay fields are never sent empty (leave it out instead)');
      }
    }
    if (out !== '') out += '&';
    out += key + '=' + text;
  }
  return out;
}

/** Whether any field but `sign` is `""` or `null`, i.e. whether the two empty-value forms differ. */
export function eftpayHasEmptyValues(payload: object): boolean {
  const fields = payload as Readonly<Record<string, unknown>>;
  for (const key in fields) {
    if (key === EFTPAY_SIGNATURE_FIELD || !Object.hasOwn(fields, key)) continue;
    const value = fields[key];
    if (value === '' || value === null) return true;
  }
  return false;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return 'non-finite number';
  return typeof value;
}
