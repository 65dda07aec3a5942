/**
 * test/ledger-stores.ts gives the conformance suite every store behind one `open(now?)`: this
 * checks that one scenario, written once, holds unchanged in each, fake clock included (a lease
 * expires when the test's clock passes it, also on PostgreSQL's database clock).
 */
import { describe, expect, it } from 'vitest';
import { OverRefundError } from '../src/errors.js';
import type { ReservationRequest } from '../src/ledger/ledger.js';
import { LEDGER_STORES } from './ledger-stores.js';

const request = (refundId: string, holder: string): ReservationRequest => ({
  key: { provider: 'tipay', account: 'm-1', orderId: 'o-1', refundId },
  amount: 700,
  currency: 'CNY',
  orderAmount: 1000,
  lease: { holder, ttlMs: 30_000 },
});

describe.each(LEDGER_STORES)('ledger store $name', ({ open, skip, clock }) => {
  it.skipIf(skip !== undefined)('reserves, refuses the rest of the order, and lets a lease expire on the test’s clock', async () => {
    let now = new Date('2025-01-01T00:00:00.000Z').getTime();
    const ledger = await open(() => new Date(now));
    try {
      const first = await ledger.reserve(request('r1', 'a'));
      expect(first.outcome).toBe('new');
      const created = Date.parse(first.refund.createdAt);
      if (clock === 'caller') expect(created).toBe(now);
      else expect(Math.abs(created - now)).toBeLessThan(60_000);
      await expect(ledger.reserve(request('r2', 'b'))).rejects.toBeInstanceOf(OverRefundError);
      expect((await ledger.reserve(request('r1', 'b'))).outcome).toBe('in_flight');
      now += 31_000;
      const recovered = await ledger.reserve(request('r1', 'b'));
      expect(recovered.outcome).toBe('recover');
      expect((await ledger.history({ provider: 'tipay', account: 'm-1', refundId: 'r1' })).map((e) => e.kind)).toEqual(['reserved', 'recovered']);
    } finally {
      await ledger.close();
    }
  });
});
