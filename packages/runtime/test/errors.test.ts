import { describe, expect, it } from 'vitest';
import { AnswerTooLargeError, answerRejectionFor, ConnectionError, HttpStatusError, RefundkitError, ResponseError, SignatureError, TimeoutError, TransportError } from '../src/index.js';

describe('error family', () => {
  it('every error is a RefundkitError with a stable code and its own name', () => {
    const errors = [new TimeoutError(30_000), new ConnectionError('reset', true), new HttpStatusError(502, 'bad gateway'), new SignatureError('rspSign does not verify', '{}'), new ResponseError('missing status', '{}')];
    expect(errors.map((e) => [e.name, e.code, e instanceof RefundkitError])).toEqual([
      ['TimeoutError', 'timeout', true],
      ['ConnectionError', 'connection_failed', true],
      ['HttpStatusError', 'http_status', true],
      ['SignatureError', 'signature_invalid', true],
      ['ResponseError', 'response_invalid', true],
    ]);
  });

  it('transport errors say whether the provider may have acted', () => {
    expect(new TimeoutError(5).mayHaveReachedProvider).toBe(true);
    expect(new ConnectionError('refused', false).mayHaveReachedProvider).toBe(false);
    expect(new HttpStatusError(500, '').mayHaveReachedProvider).toBe(true);
    expect(new HttpStatusError(500, '')).toBeInstanceOf(TransportError);
  });
});

describe('errors raised while reading an answer', () => {
  it('AnswerTooLargeError is a transport error that may have reached the provider, with an excerpt only', () => {
    const error = new AnswerTooLargeError(1024, 200, 'x'.repeat(10));
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ name: 'AnswerTooLargeError', code: 'answer_too_large', mayHaveReachedProvider: true, maxAnswerBytes: 1024, status: 200, rawBody: 'xxxxxxxxxx' });
  });

  it('a ResponseError says the request was sent, and carries the code naming why', () => {
    expect(new ResponseError('x', '{}')).toMatchObject({ code: 'response_invalid', mayHaveReachedProvider: true });
    expect(new ResponseError('x', '{}', [], { code: 'answer_duplicate_key' }).code).toBe('answer_duplicate_key');
  });

  it('answerRejectionFor names the case from a decoder rule, response_invalid otherwise', () => {
    const issue = (rule: string) => ({ path: 'a', rule, message: 'm' });
    expect(answerRejectionFor([issue('required'), issue('maxOccurs')])).toBe('answer_repeated_element');
    expect(answerRejectionFor([issue('depth')])).toBe('answer_too_deep');
    expect(answerRejectionFor([issue('encoding')])).toBe('answer_encoding');
    expect(answerRejectionFor([issue('truncated')])).toBe('answer_truncated');
    expect(answerRejectionFor([issue('duplicateKey')])).toBe('answer_duplicate_key');
    expect(answerRejectionFor([issue('xml'), issue('toString')])).toBe('response_invalid');
  });
});
