import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, OverRefundError } from '../src/errors.js';
import type { RefundLedger, RefundUpdate, Reservation, ReservationRequest } from '../src/ledger/ledger.js';
import { RAW_EXCERPT_LIMIT, type Lease, type ProviderKey, type Refund } from '../src/model.js';
import { STORES } from './ledger-stores.js';

/**
 * One contract, every store: each rule of the `RefundLedger` interface, run unchanged against
 * every store in `ledger-stores.ts`. Timestamps are compared by order, not value, so a store
 * timed by its database's clock passes the same tests.
 */
const TTL = 60_000;
let holders = 0;

type More = Partial<Omit<ReservationRequest, 'key' | 'lease'>> & { orderId?: string; provider?: ProviderKey; account?: string; holder?: string; ttlMs?: number };
const request = (refundId: string, amount: number, more: More = {}): ReservationRequest => ({
  key: { provider: more.provider ?? 'tipay', account: more.account ?? 'M1', orderId: more.orderId ?? 'order-1', refundId },
  amount,
  currency: more.currency ?? 'CNY',
  ...(more.orderAmount !== undefined ? { orderAmount: more.orderAmount } : {}),
  ...(more.meta !== undefined ? { meta: more.meta } : {}),
  lease: { holder: more.holder ?? `holder-${++holders}`, ttlMs: more.ttlMs ?? TTL },
});
const id = (refundId: string, provider: ProviderKey = 'tipay', account = 'M1') => ({ provider, account, refundId });
const order = (orderId = 'order-1', provider: ProviderKey = 'tipay', account = 'M1') => ({ provider, account, orderId });

async function rejection<E>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

function leased(reservation: Reservation): Lease {
  if (!('lease' in reservation) || reservation.outcome === 'in_flight') throw new Error(`expected a lease, got ${reservation.outcome}`);
  return reservation.lease;
}

describe.each(STORES)('RefundLedger contract: %s', (_name, open) => {
  let ledger: RefundLedger;
  let advance: (ms: number) => void;

  beforeEach(async () => {
    ({ ledger, advance } = await open());
  });
  afterEach(() => ledger.close());

  const held = async (orderId = 'order-1'): Promise<number> => (await ledger.refundsOf(order(orderId))).filter((r) => r.status !== 'failed').reduce((sum, r) => sum + r.amount, 0);
  /** Reserves and records `update` as the holder's answer to a refund request. */
  async function settle(refundId: string, amount: number, update: Omit<RefundUpdate, 'source' | 'lease'>, more: More = {}): Promise<Refund> {
    const reservation = await ledger.reserve(request(refundId, amount, more));
    return ledger.update(id(refundId, more.provider, more.account), { source: 'refund', ...update, lease: leased(reservation) });
  }

  describe('reserve', () => {
    it('reserves a new refund as unknown (in flight) under the caller\'s lease, attempt 1', async () => {
      const reservation = await ledger.reserve(request('r1', 1234, { orderAmount: 5000, holder: 'h1' }));
      expect(reservation).toMatchObject({ outcome: 'new', providerMayKnow: false, lease: { holder: 'h1', attempt: 1 } });
      const refund = reservation.refund;
      expect(refund).toMatchObject({ provider: 'tipay', account: 'M1', orderId: 'order-1', refundId: 'r1', amount: 1234, currency: 'CNY', status: 'unknown', attempts: 1, providerMayKnow: false });
      expect(refund.lease).toEqual(leased(reservation));
      expect(Date.parse(refund.lease!.expiresAt) - Date.parse(refund.createdAt)).toBe(TTL);
      expect(refund.createdAt).toBe(refund.updatedAt);
      expect(await ledger.get(id('r1'))).toEqual(refund);
      expect(await ledger.orderAmount(order())).toBe(5000);
    });

    it('returns a pending or succeeded refund as it is, reserving nothing anew', async () => {
      const pending = await settle('r1', 3000, { status: 'pending', providerRefundId: 'P-1', raw: '{"s":"P"}' }, { orderAmount: 5000 });
      expect(pending.lease).toBeUndefined();
      expect(await ledger.reserve(request('r1', 3000, { orderAmount: 5000 }))).toEqual({ outcome: 'existing', refund: pending });
      expect(await held()).toBe(3000);
      const succeeded = await ledger.update(id('r1'), { source: 'query', status: 'succeeded' });
      expect(await ledger.reserve(request('r1', 3000))).toEqual({ outcome: 'existing', refund: succeeded });
      // An existing refund is returned even when its order is now full.
      await ledger.reserve(request('r2', 2000, { orderAmount: 5000 }));
      expect((await ledger.reserve(request('r1', 3000, { orderAmount: 5000 }))).outcome).toBe('existing');
    });

    it('refuses the same refund id with another amount, order or currency (ConflictError naming each), writing nothing', async () => {
      const first = (await ledger.reserve(request('r1', 1000))).refund;
      expect(await rejection(ledger.reserve(request('r1', 1001)), ConflictError)).toMatchObject({ code: 'refund_id_conflict', provider: 'tipay', refundId: 'r1', differences: ['amount'] });
      expect((await rejection(ledger.reserve(request('r1', 1000, { orderId: 'order-2' })), ConflictError)).differences).toEqual(['order']);
      expect((await rejection(ledger.reserve(request('r1', 1000, { currency: 'HKD' })), ConflictError)).differences).toEqual(['currency']);
      expect((await rejection(ledger.reserve(request('r1', 7, { orderId: 'order-2', currency: 'HKD' })), ConflictError)).differences).toEqual(['order', 'amount', 'currency']);
      expect(await ledger.refundsOf(order())).toEqual([first]);
      expect(await ledger.refundsOf(order('order-2'))).toEqual([]);
    });

    it('refuses more than what is left of the order (OverRefundError with the remaining amount), recording nothing', async () => {
      await ledger.reserve(request('r1', 3000, { orderAmount: 5000 }));
      const error = await rejection(ledger.reserve(request('r2', 2500, { orderAmount: 5000 })), OverRefundError);
      expect(error).toMatchObject({ code: 'over_refund', provider: 'tipay', orderId: 'order-1', requested: 2500, remaining: 2000 });
      expect(await ledger.get(id('r2'))).toBeUndefined();
      expect((await ledger.reserve(request('r2', 2000, { orderAmount: 5000 }))).outcome).toBe('new');
      expect((await rejection(ledger.reserve(request('r3', 1, { orderAmount: 5000 })), OverRefundError)).remaining).toBe(0);
      expect(await held()).toBe(5000);
    });

    it('caps nothing when the order total is unknown', async () => {
      expect((await ledger.reserve(request('r1', 900_000_000_000))).outcome).toBe('new');
      expect((await ledger.reserve(request('r2', 900_000_000_000))).refund.amount).toBe(900_000_000_000);
    });

    it('never lets concurrent reservations in one process exceed the order', async () => {
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => ledger.reserve(request(`c${i}`, 1000, { orderAmount: 5000 }))));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(OverRefundError);
      expect(await held()).toBe(5000);
    });
  });

  describe('merchant accounts and providers', () => {
    it('keeps each account\'s refunds and orders apart: the same order and refund id are two refunds', async () => {
      const a = await ledger.reserve(request('r1', 5000, { account: 'A', orderAmount: 5000 }));
      const b = await ledger.reserve(request('r1', 3000, { account: 'B', orderAmount: 3000 }));
      expect([a.outcome, b.outcome]).toEqual(['new', 'new']);
      expect((await ledger.get(id('r1', 'tipay', 'A')))?.amount).toBe(5000);
      expect((await ledger.get(id('r1', 'tipay', 'B')))?.amount).toBe(3000);
      expect(await ledger.get(id('r1', 'tipay', 'C'))).toBeUndefined();
      expect(await ledger.orderAmount(order('order-1', 'tipay', 'A'))).toBe(5000);
      expect(await ledger.orderAmount(order('order-1', 'tipay', 'B'))).toBe(3000);
      expect((await ledger.refundsOf(order('order-1', 'tipay', 'B'))).map((r) => r.account)).toEqual(['B']);
    });

    it('scopes refund ids and orders per provider', async () => {
      expect((await ledger.reserve(request('r1', 5000, { provider: 'easypay' }))).outcome).toBe('new');
      expect((await ledger.reserve(request('r1', 100))).outcome).toBe('new');
      expect((await ledger.get(id('r1', 'easypay')))?.amount).toBe(5000);
      expect((await ledger.get(id('r1')))?.amount).toBe(100);
    });
  });

  describe('leases', () => {
    it('holds off a second sender while the lease lives: in_flight, with the holder\'s lease, nothing written', async () => {
      const first = await ledger.reserve(request('r1', 1000, { holder: 'h1' }));
      const second = await ledger.reserve(request('r1', 1000, { holder: 'h2' }));
      expect(second).toEqual({ outcome: 'in_flight', refund: first.refund, lease: leased(first) });
      advance(TTL - 1);
      expect((await ledger.reserve(request('r1', 1000, { holder: 'h3' }))).outcome).toBe('in_flight');
      expect((await ledger.history(id('r1'))).map((e) => e.kind)).toEqual(['reserved']);
    });

    it('lets the next caller recover an unknown refund once its lease expires: attempt 2, the provider may know it', async () => {
      await ledger.reserve(request('r1', 1000, { holder: 'h1', orderAmount: 1000 }));
      advance(TTL);
      const recovered = await ledger.reserve(request('r1', 1000, { holder: 'h2', orderAmount: 1000 }));
      expect(recovered).toMatchObject({ outcome: 'recover', providerMayKnow: true, lease: { holder: 'h2', attempt: 2 }, refund: { status: 'unknown', attempts: 2 } });
      expect(await held()).toBe(1000); // still one refund's worth, not two
      expect((await ledger.history(id('r1'))).map((e) => [e.kind, e.attempt, e.holder])).toEqual([
        ['reserved', 1, 'h1'],
        ['recovered', 2, 'h2'],
      ]);
    });

    it('releases the lease with the holder\'s answer; an unknown answer leaves the refund to recover at once', async () => {
      const first = await ledger.reserve(request('r1', 1000, { holder: 'h1' }));
      const unknown = await ledger.update(id('r1'), { source: 'refund', status: 'unknown', failure: { code: 'timeout', message: 't' }, lease: leased(first) });
      expect(unknown.lease).toBeUndefined();
      expect(unknown.providerMayKnow).toBe(true);
      expect(await ledger.reserve(request('r1', 1000, { holder: 'h2' }))).toMatchObject({ outcome: 'recover', providerMayKnow: true });
    });

    it('does not release another holder\'s lease: a late answer from an expired holder is kept as late, moves nothing, the new lease stays', async () => {
      const first = await ledger.reserve(request('r1', 1000, { holder: 'h1' }));
      advance(TTL);
      const second = await ledger.reserve(request('r1', 1000, { holder: 'h2' }));
      const late = await ledger.update(id('r1'), { source: 'refund', status: 'pending', lease: leased(first) });
      expect(late).toMatchObject({ status: 'unknown', providerMayKnow: true });
      expect(late.lease).toEqual(leased(second));
      expect((await ledger.history(id('r1'))).at(-1)).toMatchObject({ kind: 'answer', attempt: 1, holder: 'h1', status: 'pending', statusAfter: 'unknown', verdict: 'late' });
    });

    it('resubmits a failed refund that the provider never knew: same refund, unknown again, amount reserved again', async () => {
      const failed = await settle('r1', 3000, { status: 'failed', providerRefundId: 'P-1', failure: { code: 'E1', message: 'try later' }, providerMayKnow: false }, { orderAmount: 5000 });
      expect(failed).toMatchObject({ status: 'failed', providerMayKnow: false });
      expect(failed.lease).toBeUndefined();
      expect(await held()).toBe(0);
      const resubmit = await ledger.reserve(request('r1', 3000, { orderAmount: 5000, holder: 'h9' }));
      expect(resubmit).toMatchObject({ outcome: 'resubmit', providerMayKnow: false, lease: { holder: 'h9', attempt: 2 } });
      expect(resubmit.refund).toMatchObject({ status: 'unknown', createdAt: failed.createdAt, providerRefundId: 'P-1' });
      expect(resubmit.refund.failure).toEqual(failed.failure);
      expect(await held()).toBe(3000);
      expect((await rejection(ledger.reserve(request('r2', 2001, { orderAmount: 5000 })), OverRefundError)).remaining).toBe(2000);
      expect((await ledger.reserve(request('r1', 3000))).outcome).toBe('in_flight');
    });

    it('remembers that the provider may know a refund whose attempt ended without an answer', async () => {
      await ledger.reserve(request('r1', 1000, { holder: 'h1' }));
      advance(TTL);
      const second = await ledger.reserve(request('r1', 1000, { holder: 'h2' }));
      const refused = await ledger.update(id('r1'), { source: 'refund', status: 'failed', failure: { code: 'DUP', message: 'duplicate' }, providerMayKnow: false, lease: leased(second) });
      // The refusal of a number the first attempt may have sent is no failure: unknown, a query decides.
      expect(refused).toMatchObject({ status: 'unknown', providerMayKnow: true, failure: { source: 'local', code: 'refused_resubmission', providerCode: 'DUP' } });
      expect(refused.lease).toBeUndefined();
      expect(await ledger.reserve(request('r1', 1000))).toMatchObject({ outcome: 'recover', providerMayKnow: true });
    });
  });

  describe('update', () => {
    it('moves a non-final refund on: status, provider refund id, raw answer; forgets an earlier failure', async () => {
      const reservation = await ledger.reserve(request('r1', 1000));
      const unknown = await ledger.update(id('r1'), { source: 'refund', status: 'unknown', failure: { code: 'TIMEOUT', message: 'timed out' }, raw: '', lease: leased(reservation) });
      expect(unknown).toMatchObject({ status: 'unknown', failure: { code: 'TIMEOUT', message: 'timed out' }, raw: '' });
      const pending = await ledger.update(id('r1'), { source: 'query', status: 'pending', providerRefundId: 'P-9' });
      expect(pending).toMatchObject({ status: 'pending', providerRefundId: 'P-9', raw: '' });
      expect(pending.failure).toBeUndefined();
      expect(await ledger.get(id('r1'))).toEqual(pending);
      const succeeded = await ledger.update(id('r1'), { source: 'notification', status: 'succeeded', raw: '{"status":"SUCCESS"}' });
      expect(succeeded).toEqual({ ...pending, status: 'succeeded', raw: '{"status":"SUCCESS"}', updatedAt: succeeded.updatedAt });
      expect(Date.parse(succeeded.updatedAt)).toBeGreaterThanOrEqual(Date.parse(pending.updatedAt));
    });

    it('never changes a succeeded refund, and keeps every later answer in the history', async () => {
      const done = await settle('r1', 1000, { status: 'succeeded', providerRefundId: 'P-1', raw: 'first' });
      for (const status of ['pending', 'unknown', 'failed'] as const) {
        expect(await ledger.update(id('r1'), { source: 'query', status, providerRefundId: 'P-2', raw: 'late', failure: { code: 'LATE', message: 'late' } })).toEqual(done);
      }
      const answers = (await ledger.history(id('r1'))).filter((e) => e.kind === 'answer');
      expect(answers.map((e) => [e.source, e.status, e.statusAfter])).toEqual([
        ['refund', 'succeeded', 'succeeded'],
        ['query', 'pending', 'succeeded'],
        ['query', 'unknown', 'succeeded'],
        ['query', 'failed', 'succeeded'],
      ]);
    });

    it('moves a failed refund only to a verified succeeded, keeping the earlier answer and noting the anomaly', async () => {
      const failed = await settle('r1', 1000, { status: 'failed', failure: { code: 'F', message: 'refused' }, raw: 'no', providerMayKnow: false });
      expect(await ledger.update(id('r1'), { source: 'query', status: 'unknown' })).toEqual(failed);
      // A query that knows the number keeps the refund failed, but a refusal of it is no longer proof.
      const stillFailed = await ledger.update(id('r1'), { source: 'query', status: 'pending' });
      expect(stillFailed).toMatchObject({ status: 'failed', failure: failed.failure, providerMayKnow: true });
      const succeeded = await ledger.update(id('r1'), { source: 'notification', status: 'succeeded', providerRefundId: 'P-7', raw: 'yes' });
      expect(succeeded).toMatchObject({ status: 'succeeded', providerRefundId: 'P-7', raw: 'yes' });
      expect(succeeded.failure).toBeUndefined();
      const history = await ledger.history(id('r1'));
      expect(history.find((e) => e.kind === 'answer' && e.status === 'failed')).toMatchObject({ failure: { code: 'F', message: 'refused' }, raw: 'no' });
      expect(history.at(-1)).toMatchObject({ kind: 'anomaly', note: expect.stringContaining('verified success after the refund was recorded failed (F)') });
      expect(await ledger.update(id('r1'), { source: 'query', status: 'failed' })).toEqual(succeeded);
    });

    it('notes when a success after failed takes the order past its total', async () => {
      await settle('r1', 600, { status: 'failed', failure: { code: 'F', message: 'f' }, providerMayKnow: false }, { orderAmount: 1000 });
      await ledger.reserve(request('r2', 1000, { orderAmount: 1000 }));
      await ledger.update(id('r1'), { source: 'query', status: 'succeeded' });
      expect((await ledger.history(id('r1'))).at(-1)?.note).toContain("the order's refunds now exceed its total (1600 of 1000)");
    });

    it('stores an excerpt of a huge answer, never the whole body', async () => {
      const raw = 'x'.repeat(RAW_EXCERPT_LIMIT * 4);
      const refund = await settle('r1', 1, { status: 'unknown', raw });
      expect(refund.raw!.length).toBeLessThan(RAW_EXCERPT_LIMIT + 100);
      expect(refund.raw).toContain(`${raw.length} characters in all`);
      expect((await ledger.history(id('r1'))).at(-1)!.raw!.length).toBeLessThan(RAW_EXCERPT_LIMIT + 100);
    });

    it('throws for a refund it never saw', async () => {
      await expect(ledger.update(id('nope'), { source: 'query', status: 'succeeded' })).rejects.toThrow('ledger: no refund tipay/nope');
      await expect(ledger.update(id('nope'), { source: 'query', status: 'succeeded' })).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('order totals from answers', () => {
    it('caps later reservations with a total an answer gives, the tighter of two', async () => {
      await settle('r1', 1000, { status: 'pending', orderAmount: 5000 });
      expect((await rejection(ledger.reserve(request('r2', 4001)), OverRefundError)).remaining).toBe(4000);
      // A caller's larger figure never raises it; a smaller one caps.
      expect((await rejection(ledger.reserve(request('r2', 4500, { orderAmount: 8000 })), OverRefundError)).remaining).toBe(4000);
      expect((await rejection(ledger.reserve(request('r2', 2500, { orderAmount: 3000 })), OverRefundError)).remaining).toBe(2000);
      expect(await ledger.orderAmount(order())).toBe(3000);
      await ledger.update(id('r1'), { source: 'query', status: 'pending', orderAmount: 9000 });
      expect(await ledger.orderAmount(order())).toBe(3000);
    });

    it('keeps a total below what the order already holds as an anomaly in the history, never as the cap', async () => {
      await ledger.reserve(request('r1', 3000));
      const second = await ledger.reserve(request('r2', 2000));
      await ledger.update(id('r2'), { source: 'refund', status: 'pending', orderAmount: 4000, lease: leased(second) });
      expect(await ledger.orderAmount(order())).toBeUndefined();
      expect((await ledger.history(id('r2'))).at(-1)).toMatchObject({ kind: 'anomaly', note: expect.stringContaining('4000, below the 5000') });
      expect((await ledger.reserve(request('r3', 10_000))).outcome).toBe('new');
    });

    it('records a given total even when the request that brought it is refused', async () => {
      await ledger.reserve(request('r1', 100));
      expect((await rejection(ledger.reserve(request('r2', 600, { orderAmount: 500 })), OverRefundError)).remaining).toBe(400);
      expect((await rejection(ledger.reserve(request('r3', 401)), OverRefundError)).remaining).toBe(400);
    });
  });

  describe('meta', () => {
    const meta = { payType: 'WX', transDate: '20250101' };

    it('stores a new refund\'s meta and keeps it through updates; a refund without meta has none', async () => {
      expect((await ledger.reserve(request('r1', 100, { meta }))).refund.meta).toEqual(meta);
      await ledger.update(id('r1'), { source: 'query', status: 'pending' });
      expect((await ledger.get(id('r1')))?.meta).toEqual(meta);
      const plain = (await ledger.reserve(request('r2', 100))).refund;
      expect('meta' in plain).toBe(false);
      expect(await ledger.get(id('r2'))).toEqual(plain);
    });

    it('replaces the meta on resubmission when the request gives one, keeps it otherwise', async () => {
      await settle('r1', 100, { status: 'failed', failure: { code: 'F', message: 'f' }, providerMayKnow: false }, { meta });
      const kept = await ledger.reserve(request('r1', 100));
      expect(kept.refund.meta).toEqual(meta);
      await ledger.update(id('r1'), { source: 'refund', status: 'failed', failure: { code: 'F', message: 'f' }, providerMayKnow: false, lease: leased(kept) });
      const replaced = await ledger.reserve(request('r1', 100, { meta: { payType: 'ALI', transDate: '20250102' } }));
      expect(replaced).toMatchObject({ outcome: 'resubmit', refund: { meta: { payType: 'ALI', transDate: '20250102' } } });
      expect(await ledger.get(id('r1'))).toEqual(replaced.refund);
    });
  });

  describe('get, refundsOf and history', () => {
    it('get answers undefined for a refund it never saw', async () => {
      await ledger.reserve(request('r1', 1));
      expect(await ledger.get(id('r2'))).toBeUndefined();
      expect(await ledger.get(id('r1', 'eftpay'))).toBeUndefined();
      expect(await ledger.history(id('r2'))).toEqual([]);
    });

    it('refundsOf lists every refund of one order, failed included, in the order they were reserved', async () => {
      await settle('b', 1, { status: 'failed', failure: { code: 'F', message: 'f' } });
      await ledger.reserve(request('a', 2));
      await ledger.reserve(request('x', 3, { orderId: 'order-2' }));
      await ledger.reserve(request('y', 4, { provider: 'yima' }));
      await ledger.reserve(request('c', 5));
      expect((await ledger.refundsOf(order())).map((r) => [r.refundId, r.amount, r.status])).toEqual([
        ['b', 1, 'failed'],
        ['a', 2, 'unknown'],
        ['c', 5, 'unknown'],
      ]);
      expect(await ledger.refundsOf(order('order-3'))).toEqual([]);
      expect((await ledger.refundsOf(order('order-1', 'yima'))).map((r) => r.refundId)).toEqual(['y']);
    });

    it('keeps every reservation, attempt and answer, oldest first', async () => {
      const first = await ledger.reserve(request('r1', 500, { holder: 'h1' }));
      await ledger.update(id('r1'), { source: 'refund', status: 'failed', failure: { code: 'E1', message: 'busy' }, raw: 'r-1', providerMayKnow: false, lease: leased(first) });
      const again = await ledger.reserve(request('r1', 500, { holder: 'h2' }));
      await ledger.update(id('r1'), { source: 'refund', status: 'pending', providerRefundId: 'P1', raw: 'r-2', lease: leased(again) });
      await ledger.update(id('r1'), { source: 'query', status: 'succeeded', raw: 'r-3' });
      const history = await ledger.history(id('r1'));
      expect(history.map((e) => [e.kind, e.attempt, e.holder, e.source, e.status, e.statusAfter, e.raw])).toEqual([
        ['reserved', 1, 'h1', undefined, undefined, undefined, undefined],
        ['answer', 1, 'h1', 'refund', 'failed', 'failed', 'r-1'],
        ['resubmitted', 2, 'h2', undefined, undefined, undefined, undefined],
        ['answer', 2, 'h2', 'refund', 'pending', 'pending', 'r-2'],
        ['answer', undefined, undefined, 'query', 'succeeded', 'succeeded', 'r-3'],
      ]);
      // `source` is derived from the code: E1 is none of refundkit's codes, so it is the provider's.
      expect(history[1]!.failure).toEqual({ source: 'provider', code: 'E1', message: 'busy' });
      const times = history.map((e) => Date.parse(e.at));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    });
  });
});
