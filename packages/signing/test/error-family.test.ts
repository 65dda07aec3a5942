/**
 * Signing's errors are refundkit errors: one root (`RefundkitError`, `@refundkit/runtime`) and one
 * code style (snake_case), so a caller's `instanceof RefundkitError` catches a bad key or an
 * unsignable payload as it catches a validation error.
 */
import { RefundkitError } from '@refundkit/runtime';
import { describe, expect, it } from 'vitest';
import { canonicalJson, createEasypaySigner, createEftpaySigner, createTipaySigner, loadPrivateKey, SigningError } from '../src/index.js';

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('every error signing throws is a RefundkitError with a snake_case code', () => {
  it.each([
    ['canonical_json', 'CanonicalJsonError', () => canonicalJson({ a: [1, Number.NaN] })],
    ['key_format', 'KeyFormatError', () => loadPrivateKey('-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n')],
    ['missing_key', 'MissingKeyError', () => createEasypaySigner({}).signRequest({ reqHeader: {}, reqBody: {} })],
    ['eftpay_payload', 'EftpayPayloadError', () => createEftpaySigner({ secretCode: 's' }).signRequest({ a: '' })],
    ['tipay_request', 'TipayRequestError', () => createTipaySigner({ appId: 'a', appKey: 'k', clock: () => -1 }).signRequest({ method: 'POST', url: 'https://x/', body: '{}' })],
  ])('%s (%s)', (code, name, action) => {
    const error = thrown(action);
    expect(error).toBeInstanceOf(RefundkitError);
    expect(error).toBeInstanceOf(SigningError);
    expect(error).toMatchObject({ code, name });
    expect((error as RefundkitError).code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });
});
