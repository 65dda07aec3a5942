/**
 * `errorToHttp`: each refundkit error the facade throws, built as the facade builds it, gets its
 * status, its code, a message safe to show, and whether a request may have reached the provider.
 */
import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  AmountError,
  ConfigError,
  ConflictError,
  ConnectionError,
  errorToHttp,
  LedgerSchemaError,
  LedgerUnavailableError,
  NotFoundError,
  OverRefundError,
  RefundkitError,
  ResponseError,
  SignatureError,
  TimeoutError,
  ValidationError,
  type HttpErrorStatus,
} from '../../src/index.js';

/** A code the facade may gain (the lead's `outcome_unrecorded`, `notification_body_invalid`): the table goes by code. */
class CodedError extends RefundkitError {}

const cases: [string, unknown, HttpErrorStatus, boolean][] = [
  ['ValidationError', new ValidationError('refund', [{ path: 'amount', rule: 'minimum 1', message: 'amount must be at least 1' }]), 400, false],
  ['AmountError', new AmountError('not an amount: 1.234'), 400, false],
  ['NotificationBodyError', new CodedError('notification_body_invalid', 'rawBody must be a string or a Uint8Array'), 400, false],
  ['SignatureError', new SignatureError('tipay: ti-signature does not match'), 400, false],
  ['ResponseError', new ResponseError('refundNotification.request is not JSON', 'oops'), 400, false],
  ['NotFoundError', new NotFoundError('no tipay refund R1 on order O1 in the ledger'), 404, false],
  ['ConflictError', new ConflictError('tipay', 'R1', ['amount']), 409, false],
  ['OverRefundError', new OverRefundError('tipay', 'O1', 500, 200), 422, false],
  ['ConfigError', new ConfigError('tipay', 'appKey resolves to nothing'), 500, false],
  ['LedgerSchemaError', new LedgerSchemaError('schema refundkit is at version 1', 1, 2, 'refundkit ledger migrate --ledger postgres://app@db.internal/shop'), 500, false],
  ['LedgerUnavailableError', new LedgerUnavailableError('connect ECONNREFUSED db.internal:5432'), 503, false],
  ['outcome_unrecorded', new CodedError('outcome_unrecorded', 'the answer of tipay refund R1 could not be written: connect ECONNREFUSED db.internal:5432'), 503, true],
  ['AbortedError (the caller aborted)', new AbortedError('refund was aborted before it started', { cause: new DOMException('aborted', 'AbortError') }), 503, false],
  ['AbortedError (its timeoutMs ran out)', new AbortedError('refund was out of time (timeoutMs) before it started', { cause: new DOMException('timed out', 'TimeoutError') }), 504, false],
  ['TimeoutError', new TimeoutError(30_000), 504, true],
  ['ConnectionError, never sent', new ConnectionError('connect ECONNREFUSED 10.0.0.8:443', false), 502, false],
  ['a RefundkitError of an unknown code', new CodedError('something_new', 'internal detail at db.internal'), 500, true],
  ['a TypeError', new TypeError("cannot read properties of undefined (reading 'password')"), 500, true],
  ['a thrown string', 'boom', 500, true],
];

describe('errorToHttp', () => {
  it.each(cases)('%s → %i, sent %s', (_name, error, status, sent) => {
    const answer = errorToHttp(error);
    expect(answer.status).toBe(status);
    expect(answer.body.error.sent).toBe(sent);
    expect(answer.headers).toEqual({ 'content-type': 'application/json; charset=utf-8' });
    expect(answer.body.error.code).toBe(error instanceof RefundkitError ? error.code : 'internal_error');
    expect(answer.body.error.code).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
  });

  it('an error about the caller’s input keeps its own message, which names the field', () => {
    const answer = errorToHttp(new OverRefundError('tipay', 'O1', 500, 200));
    expect(answer.body.error.message).toContain('200 left');
    expect(errorToHttp(new ValidationError('refund', [{ path: 'amount', rule: 'minimum 1', message: 'amount must be at least 1' }])).body.error.message).toContain('amount');
  });

  it.each(cases.filter(([, , status]) => status >= 500))('%s: a server-side cause gets a fixed message, never its own (hosts, settings, commands)', (_name, error) => {
    const { message } = errorToHttp(error).body.error;
    expect(message).not.toMatch(/db\.internal|10\.0\.0\.8|ECONNREFUSED|appKey|password|postgres:\/\/|internal detail/);
    expect(message.length).toBeGreaterThan(10);
  });

  it('the same error is the same answer (plain data: JSON round-trips)', () => {
    const error = new LedgerUnavailableError('down');
    expect(JSON.parse(JSON.stringify(errorToHttp(error)))).toEqual(errorToHttp(error));
  });
});
