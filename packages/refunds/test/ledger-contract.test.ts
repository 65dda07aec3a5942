import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, OverRefundError } from '../src/errors.js';
import type { RefundLedger, ReservationRequest } from '../src/ledger/ledger.js';
import { MemoryLedger } from '../src/ledger/memory-ledger.js';
import { openSqliteLedger } from '../src/ledger/sqlite-ledger.js';
import type { ProviderKey, Refund } from '../src/model.js';

/**
 * One contract, every store: each rule of the `RefundLedger` interface, run against the memory
 * ledger and against the SQLite ledger on a temporary file, with the same clock.
 */
const dir = mkdtempSync(join(tmpdir(), 'refundkit-ledger-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const stores: ReadonlyArray<[string, (now: () => Date) => Promise<RefundLedger>]> = [
  ['memory', async (now) => new MemoryLedger({ now })],
  ['sqlite', async (now) => openSqliteLedger(join(dir, `contract-${files++}.db`), { now })],
];

const request = (refundId: string, amount: number, more: Partial<Omit<ReservationRequest, 'key'>> & { orderId?: string; provider?: ProviderKey } = {}): ReservationRequest => ({
  key: { provider: more.provider ?? 'tipay', orderId: more.orderId ?? 'order-1', refundId },
  amount,
  currency: more.currency ?? 'CNY',
  ...(more.orderAmount !== undefined ? { orderAmount: more.orderAmount } : {}),
});

/** The error `promise` rejects with, which must be of `type`. */
async function rejection<E>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

describe.each(stores)('RefundLedger contract: %s', (_name, open) => {
  let ledger: RefundLedger;
  /** The clock both stores read, in seconds past 2025-01-01T00:00:00Z; tests move it. */
  let second: number;
  const at = (n: number): string => new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString();

  beforeEach(async () => {
    second = 1;
    ledger = await open(() => new Date(Date.UTC(2025, 0, 1, 0, 0, second)));
  });
  afterEach(() => ledger.close());

  const held = async (orderId = 'order-1'): Promise<number> =>
    (await ledger.refundsOf('tipay', orderId)).filter((r) => r.status !== 'failed').reduce((sum, r) => sum + r.amount, 0);

  describe('reserve', () => {
    it('reserves a new refund as unknown (in flight), with its timestamps', async () => {
      const reservation = await ledger.reserve(request('r1', 1234, { orderAmount: 5000 }));
      const expected: Refund = { provider: 'tipay', orderId: 'order-1', refundId: 'r1', amount: 1234, currency: 'CNY', status: 'unknown', createdAt: at(1), updatedAt: at(1) };
      expect(reservation).toEqual({ outcome: 'new', refund: expected });
      expect(await ledger.get({ provider: 'tipay', refundId: 'r1' })).toEqual(expected);
    });

    it('returns the same refund as is for the same refund id and request, reserving nothing anew', async () => {
      await ledger.reserve(request('r1', 3000, { orderAmount: 5000 }));
      second = 2;
      const pending = await ledger.update(request('r1', 3000).key, { status: 'pending', providerRefundId: 'P-1', raw: '{"s":"P"}' });
      expect(pending.updatedAt).toBe(at(2));
      second = 3;
      const again = await ledger.reserve(request('r1', 3000, { orderAmount: 5000 }));
      expect(again).toEqual({ outcome: 'existing', refund: pending });
      expect(await ledger.refundsOf('tipay', 'order-1')).toEqual([pending]);
      expect(await held()).toBe(3000);

      const succeeded = await ledger.update(request('r1', 3000).key, { status: 'succeeded' });
      expect(await ledger.reserve(request('r1', 3000))).toEqual({ outcome: 'existing', refund: succeeded });
      // An existing refund is returned even when its order is now full.
      await ledger.reserve(request('r2', 2000, { orderAmount: 5000 }));
      expect((await ledger.reserve(request('r1', 3000, { orderAmount: 5000 }))).outcome).toBe('existing');
    });

    it('refuses the same refund id with another amount, order or currency (ConflictError naming each)', async () => {
      const first = (await ledger.reserve(request('r1', 1000))).refund;
      const amount = await rejection(ledger.reserve(request('r1', 1001)), ConflictError);
      expect(amount).toMatchObject({ code: 'refund_id_conflict', provider: 'tipay', refundId: 'r1', differences: ['amount'] });
      expect((await rejection(ledger.reserve(request('r1', 1000, { orderId: 'order-2' })), ConflictError)).differences).toEqual(['order']);
      expect((await rejection(ledger.reserve(request('r1', 1000, { currency: 'HKD' })), ConflictError)).differences).toEqual(['currency']);
      expect((await rejection(ledger.reserve(request('r1', 7, { orderId: 'order-2', currency: 'HKD' })), ConflictError)).differences).toEqual(['order', 'amount', 'currency']);
      // Nothing was written by the refusals.
      expect(await ledger.refundsOf('tipay', 'order-1')).toEqual([first]);
      expect(await ledger.refundsOf('tipay', 'order-2')).toEqual([]);
    });

    it('refuses a conflicting request for a failed refund too, instead of resubmitting it', async () => {
      await ledger.reserve(request('r1', 1000));
      await ledger.update(request('r1', 1000).key, { status: 'failed', failure: { code: 'X', message: 'no' } });
      await rejection(ledger.reserve(request('r1', 999)), ConflictError);
      expect((await ledger.get({ provider: 'tipay', refundId: 'r1' }))?.status).toBe('failed');
    });

    it('refuses more than what is left of the order (OverRefundError with the remaining amount), recording nothing', async () => {
      await ledger.reserve(request('r1', 3000, { orderAmount: 5000 }));
      const error = await rejection(ledger.reserve(request('r2', 2500, { orderAmount: 5000 })), OverRefundError);
      expect(error).toMatchObject({ code: 'over_refund', provider: 'tipay', orderId: 'order-1', requested: 2500, remaining: 2000 });
      expect(await ledger.get({ provider: 'tipay', refundId: 'r2' })).toBeUndefined();

      expect((await ledger.reserve(request('r2', 2000, { orderAmount: 5000 }))).outcome).toBe('new'); // exactly what is left
      expect((await rejection(ledger.reserve(request('r3', 1, { orderAmount: 5000 })), OverRefundError)).remaining).toBe(0);
      expect(await held()).toBe(5000);
    });

    it('caps nothing when the order total is unknown', async () => {
      expect((await ledger.reserve(request('r1', 900_000_000_000))).outcome).toBe('new');
      expect((await ledger.reserve(request('r2', 900_000_000_000))).refund.amount).toBe(900_000_000_000);
    });

    it('scopes refund ids and orders per provider', async () => {
      await ledger.recordOrderAmount('tipay', 'order-1', 100);
      const other = await ledger.reserve(request('r1', 5000, { provider: 'easypay' }));
      expect(other.outcome).toBe('new');
      expect((await ledger.reserve(request('r1', 100))).outcome).toBe('new');
      expect((await ledger.get({ provider: 'easypay', refundId: 'r1' }))?.amount).toBe(5000);
      expect((await ledger.get({ provider: 'tipay', refundId: 'r1' }))?.amount).toBe(100);
    });

    it('never lets concurrent reservations in one process exceed the order', async () => {
      const attempts = Array.from({ length: 20 }, (_, i) => ledger.reserve(request(`c${i}`, 1000, { orderAmount: 5000 })));
      const outcomes = await Promise.allSettled(attempts);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(OverRefundError);
      expect(await held()).toBe(5000);
    });
  });

  describe('failed, pending and unknown refunds', () => {
    it('releases a failed refund: its amount fits again in a later refund', async () => {
      await ledger.reserve(request('r1', 3000, { orderAmount: 5000 }));
      await ledger.update(request('r1', 3000).key, { status: 'failed', failure: { code: 'NOT_ENOUGH', message: 'balance' } });
      expect(await held()).toBe(0);
      expect((await ledger.reserve(request('r2', 5000, { orderAmount: 5000 }))).outcome).toBe('new');
      // The failed refund now no longer fits: resubmitting it is refused like any other.
      expect((await rejection(ledger.reserve(request('r1', 3000, { orderAmount: 5000 })), OverRefundError)).remaining).toBe(0);
      expect((await ledger.get({ provider: 'tipay', refundId: 'r1' }))?.status).toBe('failed');
    });

    it('resubmits a failed refund id: same refund, status unknown again, its amount reserved again', async () => {
      await ledger.reserve(request('r1', 3000, { orderAmount: 5000 }));
      second = 2;
      const failed = await ledger.update(request('r1', 3000).key, { status: 'failed', providerRefundId: 'P-1', failure: { code: 'E1', message: 'try later' } });
      second = 3;
      const resubmit = await ledger.reserve(request('r1', 3000, { orderAmount: 5000 }));
      expect(resubmit).toEqual({ outcome: 'resubmit', refund: { ...failed, status: 'unknown', updatedAt: at(3) } });
      expect(resubmit.refund.createdAt).toBe(at(1));
      expect(await ledger.get({ provider: 'tipay', refundId: 'r1' })).toEqual(resubmit.refund);
      expect(await held()).toBe(3000);
      expect((await rejection(ledger.reserve(request('r2', 2001, { orderAmount: 5000 })), OverRefundError)).remaining).toBe(2000);
      // Once resubmitted it is in flight: a further retry is the existing refund, not another resubmission.
      expect((await ledger.reserve(request('r1', 3000))).outcome).toBe('existing');
    });

    it.each(['pending', 'unknown'] as const)('keeps the reservation of a %s refund', async (status) => {
      await ledger.reserve(request('r1', 3000, { orderAmount: 5000 }));
      await ledger.update(request('r1', 3000).key, { status, failure: { code: 'TIMEOUT', message: 'no answer' } });
      expect(await held()).toBe(3000);
      expect((await rejection(ledger.reserve(request('r2', 2500, { orderAmount: 5000 })), OverRefundError)).remaining).toBe(2000);
    });

    it('counts a succeeded refund as taken for good', async () => {
      await ledger.reserve(request('r1', 5000, { orderAmount: 5000 }));
      await ledger.update(request('r1', 5000).key, { status: 'succeeded' });
      expect((await rejection(ledger.reserve(request('r2', 1)), OverRefundError)).remaining).toBe(0);
    });
  });

  describe('order totals', () => {
    it('caps later reservations with a recorded order total, even without orderAmount', async () => {
      await ledger.recordOrderAmount('tipay', 'order-1', 5000);
      await ledger.reserve(request('r1', 4000));
      expect((await rejection(ledger.reserve(request('r2', 1001)), OverRefundError)).remaining).toBe(1000);
      expect((await ledger.reserve(request('r2', 1000))).outcome).toBe('new');
      // Another order is not capped by it.
      expect((await ledger.reserve(request('r3', 9999, { orderId: 'order-2' }))).outcome).toBe('new');
    });

    it('keeps the tighter of a recorded total and a given one', async () => {
      await ledger.recordOrderAmount('tipay', 'order-1', 5000);
      // A caller's larger figure never raises the provider's.
      expect((await rejection(ledger.reserve(request('r1', 6000, { orderAmount: 8000 })), OverRefundError)).remaining).toBe(5000);
      // A caller's smaller figure caps, and stays recorded for later requests that give none.
      expect((await rejection(ledger.reserve(request('r1', 3500, { orderAmount: 3000 })), OverRefundError)).remaining).toBe(3000);
      expect((await rejection(ledger.reserve(request('r1', 3001)), OverRefundError)).remaining).toBe(3000);
      // Recording a larger total later does not raise it either.
      await ledger.recordOrderAmount('tipay', 'order-1', 9000);
      expect((await rejection(ledger.reserve(request('r1', 3001)), OverRefundError)).remaining).toBe(3000);
      await ledger.recordOrderAmount('tipay', 'order-1', 2000);
      expect((await rejection(ledger.reserve(request('r1', 2001)), OverRefundError)).remaining).toBe(2000);
      expect((await ledger.reserve(request('r1', 2000))).outcome).toBe('new');
    });

    it('records a given total even when the request that brought it is refused', async () => {
      await ledger.reserve(request('r1', 100));
      expect((await rejection(ledger.reserve(request('r2', 600, { orderAmount: 500 })), OverRefundError)).remaining).toBe(400);
      expect((await rejection(ledger.reserve(request('r3', 401)), OverRefundError)).remaining).toBe(400);
    });
  });

  describe('update', () => {
    it('moves a non-final refund on: status, provider refund id, raw answer; forgets an earlier failure', async () => {
      await ledger.reserve(request('r1', 1000));
      second = 2;
      const unknown = await ledger.update(request('r1', 1000).key, { status: 'unknown', failure: { code: 'TIMEOUT', message: 'timed out after 10000 ms' }, raw: '' });
      expect(unknown).toMatchObject({ status: 'unknown', failure: { code: 'TIMEOUT', message: 'timed out after 10000 ms' }, raw: '', updatedAt: at(2) });
      second = 3;
      const pending = await ledger.update(request('r1', 1000).key, { status: 'pending', providerRefundId: 'P-9' });
      expect(pending).toEqual({ provider: 'tipay', orderId: 'order-1', refundId: 'r1', amount: 1000, currency: 'CNY', status: 'pending', providerRefundId: 'P-9', raw: '', createdAt: at(1), updatedAt: at(3) });
      expect(await ledger.get({ provider: 'tipay', refundId: 'r1' })).toEqual(pending);
      second = 4;
      const succeeded = await ledger.update(request('r1', 1000).key, { status: 'succeeded', raw: '{"status":"SUCCESS"}' });
      expect(succeeded).toEqual({ ...pending, status: 'succeeded', raw: '{"status":"SUCCESS"}', updatedAt: at(4) });
    });

    it.each([
      ['succeeded', ['pending', 'unknown', 'failed']],
      ['failed', ['pending', 'unknown', 'succeeded']],
    ] as const)('never changes a %s refund', async (final, laterStatuses) => {
      await ledger.reserve(request('r1', 1000));
      const done = await ledger.update(request('r1', 1000).key, { status: final, providerRefundId: 'P-1', raw: 'first', ...(final === 'failed' ? { failure: { code: 'F', message: 'refused' } } : {}) });
      second = 10;
      for (const status of laterStatuses) {
        const late = await ledger.update(request('r1', 1000).key, { status, providerRefundId: 'P-2', raw: 'late', failure: { code: 'LATE', message: 'late' } });
        expect(late).toEqual(done);
      }
      expect(await ledger.get({ provider: 'tipay', refundId: 'r1' })).toEqual(done);
    });

    it('throws for a refund it never saw', async () => {
      await expect(ledger.update(request('nope', 1).key, { status: 'succeeded' })).rejects.toThrow('ledger: no refund tipay/nope');
    });
  });

  describe('meta (what an adapter needs to query the refund later)', () => {
    const meta = { payType: 'WX', transDate: '20250101' };

    it('stores a new refund\'s meta and keeps it through updates; a refund without meta has none', async () => {
      expect((await ledger.reserve({ ...request('r1', 100), meta })).refund.meta).toEqual(meta);
      await ledger.update(request('r1', 100).key, { status: 'pending' });
      expect((await ledger.get({ provider: 'tipay', refundId: 'r1' }))?.meta).toEqual(meta);
      const plain = (await ledger.reserve(request('r2', 100))).refund;
      expect('meta' in plain).toBe(false);
      expect(await ledger.get({ provider: 'tipay', refundId: 'r2' })).toEqual(plain);
    });

    it('returns an existing refund with its own meta, whatever the retry brings', async () => {
      await ledger.reserve({ ...request('r1', 100), meta });
      expect((await ledger.reserve({ ...request('r1', 100), meta: { payType: 'ALI' } })).refund.meta).toEqual(meta);
      expect((await ledger.get({ provider: 'tipay', refundId: 'r1' }))?.meta).toEqual(meta);
    });

    it('replaces the meta on resubmission when the request gives one, keeps it otherwise', async () => {
      await ledger.reserve({ ...request('r1', 100), meta });
      await ledger.update(request('r1', 100).key, { status: 'failed', failure: { code: 'F', message: 'f' } });
      expect((await ledger.reserve(request('r1', 100))).refund.meta).toEqual(meta);
      await ledger.update(request('r1', 100).key, { status: 'failed', failure: { code: 'F', message: 'f' } });
      const replaced = await ledger.reserve({ ...request('r1', 100), meta: { payType: 'ALI', transDate: '20250102' } });
      expect(replaced).toMatchObject({ outcome: 'resubmit', refund: { meta: { payType: 'ALI', transDate: '20250102' } } });
      expect(await ledger.get({ provider: 'tipay', refundId: 'r1' })).toEqual(replaced.refund);
    });
  });

  describe('get and refundsOf', () => {
    it('get answers undefined for a refund it never saw', async () => {
      await ledger.reserve(request('r1', 1));
      expect(await ledger.get({ provider: 'tipay', refundId: 'r2' })).toBeUndefined();
      expect(await ledger.get({ provider: 'eftpay', refundId: 'r1' })).toBeUndefined();
    });

    it('refundsOf lists every refund of one order of one provider, failed included, in the order they were reserved', async () => {
      await ledger.reserve(request('b', 1));
      await ledger.reserve(request('a', 2));
      await ledger.reserve(request('x', 3, { orderId: 'order-2' }));
      await ledger.reserve(request('y', 4, { provider: 'yima' }));
      await ledger.update(request('b', 1).key, { status: 'failed', failure: { code: 'F', message: 'f' } });
      await ledger.reserve(request('c', 5));
      const refunds = await ledger.refundsOf('tipay', 'order-1');
      expect(refunds.map((r) => [r.refundId, r.amount, r.status])).toEqual([
        ['b', 1, 'failed'],
        ['a', 2, 'unknown'],
        ['c', 5, 'unknown'],
      ]);
      expect(await ledger.refundsOf('tipay', 'order-3')).toEqual([]);
      expect((await ledger.refundsOf('yima', 'order-1')).map((r) => r.refundId)).toEqual(['y']);
    });
  });
});
