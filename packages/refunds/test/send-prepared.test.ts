import { afterEach, describe, expect, it, vi } from 'vitest';
import { PREPARED_FRESH_MS, sendPrepared, type ProviderAnswer } from '../src/providers/adapter.js';

afterEach(() => {
  vi.useRealTimers();
});

const answered: ProviderAnswer = { status: 'pending', raw: '{}' };

describe('sendPrepared: the request the client prepared once is the one sent', () => {
  it('prepares at once (bad input throws before anything is reserved) and sends that request', async () => {
    const prepare = vi.fn(() => ({ preparedAt: Date.now(), id: 'first' }));
    const send = vi.fn(async (_prepared: { id: string }) => answered);
    const sendLater = sendPrepared(prepare, send);
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(send).not.toHaveBeenCalled();
    await expect(sendLater()).resolves.toBe(answered);
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0]?.[0].id).toBe('first');
  });

  it('throws what prepare throws, without returning a send', () => {
    const refusal = new Error('refundId breaks rule maxLength');
    expect(() =>
      sendPrepared(
        () => {
          throw refusal;
        },
        async () => answered,
      ),
    ).toThrow(refusal);
  });

  it(`prepares afresh when the request waited more than ${PREPARED_FRESH_MS} ms (its timestamps would be old)`, async () => {
    vi.useFakeTimers();
    let n = 0;
    const prepare = vi.fn(() => ({ preparedAt: Date.now(), id: `prepared-${++n}` }));
    const send = vi.fn(async (_prepared: { id: string }) => answered);
    const sendLater = sendPrepared(prepare, send);
    vi.advanceTimersByTime(PREPARED_FRESH_MS + 1);
    await sendLater();
    expect(prepare).toHaveBeenCalledTimes(2);
    expect(send.mock.calls[0]?.[0].id).toBe('prepared-2');
  });
});
