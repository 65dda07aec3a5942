/**
 * The reconciler's parts that need no provider: its rate cap (slots spaced 1/perSecond apart per
 * provider and account, on a fake clock), its option checks, and what a run does with a ledger
 * whose refunds are all settled or held.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkDelayMs, MemoryLedger } from '../src/index.js';
import { QuerySpacing } from '../src/reconciler/rate-limit.js';
import { facade, input, scripted, tipayAnswer } from './support.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('QuerySpacing', () => {
  it('hands out slots 1/perSecond apart per key, in order; other keys do not wait', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const spacing = new QuerySpacing();
    const start = performance.now();
    const at: Record<'a' | 'b', number[]> = { a: [], b: [] };
    const take = (key: 'a' | 'b') => spacing.acquire(key, 2, undefined).then(() => void at[key].push(performance.now() - start));
    const all = Promise.all([take('a'), take('a'), take('a'), take('b')]);
    await vi.advanceTimersByTimeAsync(2_000);
    await all;
    expect(at).toEqual({ a: [0, 500, 1_000], b: [0] });
  });

  it('an abort while waiting rejects, and the slot is not given twice', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const spacing = new QuerySpacing();
    await spacing.acquire('a', 1, undefined);
    const controller = new AbortController();
    const waiting = spacing.acquire('a', 1, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'aborted' });
    const start = performance.now();
    const next = spacing.acquire('a', 1, undefined).then(() => performance.now() - start);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await next).toBe(2_000);
  });
});

describe('the backoff', () => {
  it('doubles from firstMs to maxMs, ± jitter', () => {
    const backoff = { firstMs: 60_000, maxMs: 3_600_000, jitter: 0.2 };
    expect([0, 1, 2, 5, 6, 7, 100].map((checks) => checkDelayMs(checks, backoff, 0.5) / 60_000)).toEqual([1, 2, 4, 32, 60, 60, 60]);
    expect(checkDelayMs(0, backoff, 0)).toBe(48_000);
    expect(checkDelayMs(0, backoff, 0.999_999)).toBe(72_000);
  });
});

describe('reconcile', () => {
  it('checks nothing when nothing is due, and refuses options it cannot honour', async () => {
    const ledger = new MemoryLedger();
    const refunds = facade('tipay', scripted(tipayAnswer('SUCCESS', { data: {} })), { ledger });
    const done = await refunds.refund(input('tipay'));
    expect(done.status).toBe('succeeded');
    expect(await refunds.reconcile({ olderThanMs: 0 })).toEqual({ checked: 0, resolved: { succeeded: 0, failed: 0 }, stillPending: 0, stillUnknown: 0, skipped: 0 });
    await expect(refunds.reconcile({ perSecond: 0 })).rejects.toThrow(/perSecond/);
    await expect(refunds.reconcile({ backoff: { firstMs: 10, maxMs: 5 } })).rejects.toThrow(/maxMs/);
    await expect(refunds.reconcile({ backoff: { jitter: 1 } })).rejects.toThrow(/jitter/);
    await expect(refunds.reconcile({ limit: 0 })).rejects.toThrow(/limit/);
    // Another provider than the ones configured: nothing to do, nothing read.
    expect((await refunds.reconcile({ providers: ['eftpay' as never] })).checked).toBe(0);
  });
});
