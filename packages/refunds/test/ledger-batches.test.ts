import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RefundLedger } from '../src/ledger/ledger.js';
import { STORES, type OpenedStore } from './ledger-stores.js';

/** `Refund.batch` and `batches()`, every store: what a mass refund and the console's batch view read. */
describe.each(STORES)('ledger batches: %s', (_name, open) => {
  let store: OpenedStore;
  let ledger: RefundLedger;
  beforeEach(async () => {
    store = await open();
    ledger = store.ledger;
  });
  afterEach(() => ledger.close());

  const reserve = (refundId: string, amount: number, batch: string | undefined, account = 'M1', orderAmount?: number) =>
    ledger.reserve({ key: { provider: 'tipay', account, orderId: `o-${refundId}`, refundId }, amount, currency: 'CNY', orderAmount, batch, lease: { holder: `h-${refundId}-${Math.random()}`, ttlMs: 60_000 } });
  const answer = async (refundId: string, status: 'succeeded' | 'failed' | 'pending', account = 'M1') => {
    const refund = (await ledger.get({ provider: 'tipay', account, refundId }))!;
    return ledger.update({ provider: 'tipay', account, refundId }, { source: 'refund', status, lease: refund.lease, providerMayKnow: status !== 'failed', ...(status === 'failed' ? { failure: { code: '40101', message: 'refused' } } : {}) });
  };
  const zero = { count: 0, amount: 0 };

  it('stores the batch a refund was first reserved under, and reads it back with the refund', async () => {
    const reserved = await reserve('a', 100, 'run-1');
    expect(reserved.refund.batch).toBe('run-1');
    expect((await ledger.get({ provider: 'tipay', account: 'M1', refundId: 'a' }))?.batch).toBe('run-1');
    await reserve('b', 100, undefined);
    expect((await ledger.get({ provider: 'tipay', account: 'M1', refundId: 'b' }))?.batch).toBeUndefined();
  });

  it('keeps the first batch when a later run resubmits a failed refund or recovers an unknown one', async () => {
    await reserve('a', 100, 'run-1');
    await answer('a', 'failed');
    const resubmitted = await reserve('a', 100, 'run-2');
    expect(resubmitted.outcome).toBe('resubmit');
    expect(resubmitted.refund.batch).toBe('run-1');
    store.advance(120_000); // the lease ran out without an answer
    const recovered = await reserve('a', 100, 'run-3');
    expect(recovered.outcome).toBe('recover');
    expect((await ledger.get({ provider: 'tipay', account: 'M1', refundId: 'a' }))?.batch).toBe('run-1');
    const [only] = await ledger.batches();
    expect(only?.id).toBe('run-1');
    expect(only?.total).toBe(1);
  });

  it('sums each run per status, counts its rows, and lists the newest run first', async () => {
    expect(await ledger.batches()).toEqual([]);
    await reserve('a', 100, 'run-1');
    await reserve('b', 250, 'run-1');
    await reserve('c', 7, 'run-1');
    await reserve('d', 9, undefined);
    await answer('a', 'succeeded');
    await answer('b', 'failed');
    store.advance(5_000);
    await reserve('e', 1_000, 'run-2');
    await answer('e', 'pending');
    store.advance(1_000);
    await answer('c', 'succeeded');

    const runs = await ledger.batches();
    expect(runs.map((r) => r.id)).toEqual(['run-2', 'run-1']);
    const [two, one] = runs;
    expect(one).toMatchObject({ id: 'run-1', total: 3, statuses: { succeeded: { count: 2, amount: 107 }, failed: { count: 1, amount: 250 }, pending: zero, unknown: zero } });
    expect(two).toMatchObject({ id: 'run-2', total: 1, statuses: { pending: { count: 1, amount: 1_000 }, succeeded: zero, failed: zero, unknown: zero } });
    // run-1 started first and moved last (c answered after run-2 began).
    expect(Date.parse(one!.firstReservedAt)).toBeLessThan(Date.parse(two!.firstReservedAt));
    expect(Date.parse(one!.lastUpdatedAt)).toBeGreaterThan(Date.parse(two!.lastUpdatedAt));
    expect(one!.firstReservedAt).toMatch(/Z$/);
    expect(await ledger.batches({ limit: 1 })).toEqual([two]);
    expect(await ledger.batches({ id: 'run-1' })).toEqual([one]);
    expect(await ledger.batches({ id: 'nope' })).toEqual([]);
  });

  it('counts only the accounts asked for', async () => {
    await reserve('a', 100, 'run-1', 'M1');
    await reserve('b', 200, 'run-1', 'M2');
    await reserve('c', 300, 'run-2', 'M2');
    const m1 = await ledger.batches({ accounts: [{ provider: 'tipay', account: 'M1' }] });
    expect(m1).toHaveLength(1);
    expect(m1[0]).toMatchObject({ id: 'run-1', total: 1, statuses: { unknown: { count: 1, amount: 100 } } });
    expect((await ledger.batches()).find((r) => r.id === 'run-1')?.total).toBe(2);
  });

  it('refuses a limit out of range', async () => {
    await expect(ledger.batches({ limit: 0 })).rejects.toThrow(RangeError);
    await expect(ledger.batches({ limit: 1_001 })).rejects.toThrow(RangeError);
  });
});
