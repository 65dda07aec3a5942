/**
 * `refunds.list` through the facade: only this instance's accounts from a shared ledger, the
 * filter checked before anything is read, and pages that follow one another.
 */
import { describe, expect, it } from 'vitest';
import { MemoryLedger } from '../src/index.js';
import { facade, input, scripted, tipayAnswer } from './support.js';

describe('refunds.list', () => {
  it("lists only this instance's refunds, newest first, filtered, a page at a time", async () => {
    const ledger = new MemoryLedger();
    const mine = facade('tipay', scripted(tipayAnswer('PROCESSING'), tipayAnswer('PROCESSING'), tipayAnswer('PROCESSING')), { ledger });
    const theirs = facade('tipay', scripted(tipayAnswer('PROCESSING')), { ledger, config: { merchantNo: '10099999999' } });
    await theirs.refund(input('tipay', { refundId: 'THEIRS-0001' }));
    for (const id of ['MINE-0001', 'MINE-0002', 'MINE-0003']) await mine.refund(input('tipay', { refundId: id }));

    const all = await mine.list();
    expect(new Set(all.refunds.map((r) => r.refundId))).toEqual(new Set(['MINE-0001', 'MINE-0002', 'MINE-0003']));
    expect((await theirs.list()).refunds.map((r) => r.refundId)).toEqual(['THEIRS-0001']);
    // The scripted answer names the default refund number, not these: an answer about another refund leaves each unknown.
    expect(all.refunds.map((r) => r.status)).toEqual(['unknown', 'unknown', 'unknown']);
    expect((await mine.list({ status: ['unknown', 'pending'], provider: 'tipay' })).refunds).toHaveLength(3);
    expect((await mine.list({ status: 'succeeded' })).refunds).toEqual([]);
    expect((await mine.list({ provider: 'easypay' })).refunds).toEqual([]);

    const first = await mine.list({ limit: 2 });
    expect(first.refunds).toHaveLength(2);
    const second = await mine.list({ limit: 2, cursor: first.next });
    expect(second.next).toBeUndefined();
    expect([...first.refunds, ...second.refunds].map((r) => r.refundId).sort()).toEqual(['MINE-0001', 'MINE-0002', 'MINE-0003']);

    await expect(mine.list({ limit: 0 })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(mine.list({ cursor: 'garbage' })).rejects.toThrow(/cursor/);
  });
});
