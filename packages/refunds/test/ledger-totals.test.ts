import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RefundLedger } from '../src/ledger/ledger.js';
import { STORES } from './ledger-stores.js';

/** `totals` and `health`, every store: what metrics and a health check read. */
describe.each(STORES)('ledger totals and health: %s', (_name, open) => {
  let ledger: RefundLedger;
  beforeEach(async () => {
    ({ ledger } = await open());
  });
  afterEach(() => ledger.close());

  const reserve = (provider: 'tipay' | 'easypay', account: string, refundId: string, amount: number) =>
    ledger.reserve({ key: { provider, account, orderId: `o-${refundId}`, refundId }, amount, currency: 'CNY', lease: { holder: `h-${refundId}`, ttlMs: 60_000 } });

  it('counts and sums refunds per provider, account and status', async () => {
    expect(await ledger.totals()).toEqual([]);
    await reserve('tipay', 'M1', 'a', 100);
    await reserve('tipay', 'M1', 'b', 250);
    const c = await reserve('tipay', 'M2', 'c', 7);
    await reserve('easypay', 'E1', 'd', 1_000);
    await ledger.update({ provider: 'tipay', account: 'M2', refundId: 'c' }, { source: 'refund', status: 'succeeded', lease: 'lease' in c ? c.lease : undefined });
    expect(await ledger.totals()).toEqual([
      { provider: 'easypay', account: 'E1', status: 'unknown', count: 1, amount: 1_000 },
      { provider: 'tipay', account: 'M1', status: 'unknown', count: 2, amount: 350 },
      { provider: 'tipay', account: 'M2', status: 'succeeded', count: 1, amount: 7 },
    ]);
  });

  it('is healthy while open, and says so; after close it is not, without throwing', async () => {
    const health = await ledger.health();
    expect(health.ok).toBe(true);
    expect(health.detail).not.toMatch(/password/i);
    await ledger.close();
    expect((await ledger.health()).ok).toBe(false);
  });
});
