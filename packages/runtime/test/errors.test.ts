import { describe, expect, it } from 'vitest';
import { ConnectionError, HttpStatusError, RefundkitError, ResponseError, SignatureError, TimeoutError, TransportError } from '../src/index.js';

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
