import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RefundChange } from '../src/changes/change.js';
import type { RefundLedger, ReservationRequest, Reservation } from '../src/ledger/ledger.js';
import type { Lease, ProviderKey } from '../src/model.js';
import type { ClaimRequest } from '../src/reconciler/claim.js';
import { openPostgresLedger } from '../src/ledger/postgres-ledger.js';
import type { PostgresLedger } from '../src/ledger/postgres-store.js';
import { pgUrl } from './pg-support.js';
import { STORES } from './ledger-stores.js';

/**
 * The change feed, the reconciler's claims and unmatched notifications, as one contract run
 * unchanged against every store (`ledger-stores.ts`): the memory, SQLite and PostgreSQL ledgers
 * append the same changes for the same writes, because the rules decide them
 * (`planReservation`, `planUpdate`, `planClaim`). Each store's clock is frozen and moved by hand.
 */
const TTL = 60_000;
const MINUTE = 60_000;
const BACKOFF = { firstMs: MINUTE, maxMs: 60 * MINUTE, jitter: 0.2 };
let holders = 0;

const key = (refundId: string, provider: ProviderKey = 'tipay', account = 'M1') => ({ provider, account, refundId });
const request = (refundId: string, amount = 1000, more: { orderId?: string; account?: string; provider?: ProviderKey; holder?: string } = {}): ReservationRequest => ({
  key: { ...key(refundId, more.provider, more.account), orderId: more.orderId ?? 'order-1' },
  amount,
  currency: 'CNY',
  lease: { holder: more.holder ?? `holder-${++holders}`, ttlMs: TTL },
});
const claimOf = (refundId: string, more: Partial<Omit<ClaimRequest, 'key'>> & { account?: string } = {}): ClaimRequest => ({
  key: key(refundId, 'tipay', more.account),
  lease: more.lease ?? { holder: `reconciler-${++holders}`, ttlMs: 35_000 },
  olderThanMs: more.olderThanMs ?? 0,
  backoff: more.backoff ?? BACKOFF,
  random: more.random ?? 0.5,
});

function leased(reservation: Reservation): Lease {
  if (!('lease' in reservation) || reservation.outcome === 'in_flight') throw new Error(`expected a lease, got ${reservation.outcome}`);
  return reservation.lease;
}

/** A change as compared across stores: everything but the time, which each store dates by its clock. */
const shape = (c: RefundChange) => [c.seq, c.refundId, c.from, c.to, c.source];

describe.each(STORES)('change feed, claims, unmatched notifications: %s', (name, open) => {
  let ledger: RefundLedger;
  let advance: (ms: number) => void;

  beforeEach(async () => {
    ({ ledger, advance } = await open());
  });
  afterEach(() => ledger.close());

  const all = () => ledger.changes({ after: 0, limit: 1000 });

  describe('changes', () => {
    it('appends one change per status transition, in order, with the refund it is about; answers that move nothing append none', async () => {
      const reserved = await ledger.reserve({ ...request('r1', 1200), orderAmount: 5000 });
      const lease = leased(reserved);
      // The holder's answer: unknown → pending.
      const pending = await ledger.record(key('r1'), { source: 'refund', status: 'pending', providerRefundId: 'P-1', lease });
      // The same status again, from a query: no transition.
      const again = await ledger.record(key('r1'), { source: 'query', status: 'pending', providerRefundId: 'P-1' });
      const done = await ledger.record(key('r1'), { source: 'notification', status: 'succeeded', providerRefundId: 'P-1' });
      // succeeded never moves again.
      const late = await ledger.record(key('r1'), { source: 'query', status: 'failed', failure: { code: 'X', message: 'x' } });
      expect(again.change).toBeUndefined();
      expect(late.change).toBeUndefined();
      const feed = await all();
      expect(feed.map(shape)).toEqual([
        [1, 'r1', null, 'unknown', 'reservation'],
        [2, 'r1', 'unknown', 'pending', 'refund'],
        [3, 'r1', 'pending', 'succeeded', 'notification'],
      ]);
      expect(feed[1]).toEqual(pending.change);
      expect(feed[2]).toEqual(done.change);
      expect(feed[0]).toMatchObject({ provider: 'tipay', account: 'M1', orderId: 'order-1', refundId: 'r1', amount: 1200, currency: 'CNY', at: reserved.refund.createdAt });
      expect(feed[2]!.at).toBe(done.refund.updatedAt);
    });

    it('a failed refund resubmitted reopens (failed → unknown); a recovery of an unknown one moves nothing; a fenced late answer moves nothing but a success', async () => {
      const first = await ledger.reserve(request('r1'));
      await ledger.update(key('r1'), { source: 'refund', status: 'failed', failure: { code: '40101', message: 'no' }, providerMayKnow: false, lease: leased(first) });
      const second = await ledger.reserve(request('r1'));
      expect(second.outcome).toBe('resubmit');
      advance(TTL);
      const third = await ledger.reserve(request('r1'));
      expect(third.outcome).toBe('recover');
      // The second sender wakes after the third took over: its failure is late and moves nothing …
      const stale = await ledger.record(key('r1'), { source: 'refund', status: 'failed', failure: { code: 'E', message: 'e' }, providerMayKnow: false, lease: leased(second) });
      expect(stale.change).toBeUndefined();
      // … but a verified success is the truth, whoever hears it.
      const success = await ledger.record(key('r1'), { source: 'refund', status: 'succeeded', lease: leased(second) });
      expect((await all()).map(shape)).toEqual([
        [1, 'r1', null, 'unknown', 'reservation'],
        [2, 'r1', 'unknown', 'failed', 'refund'],
        [3, 'r1', 'failed', 'unknown', 'reservation'],
        [4, 'r1', 'unknown', 'succeeded', 'refund'],
      ]);
      expect(success.change?.seq).toBe(4);
    });

    it('a refused notification and an over-refund append nothing', async () => {
      const reserved = await ledger.reserve({ ...request('r1', 1000), orderAmount: 1000 });
      await ledger.update(key('r1'), { source: 'notification', status: 'failed', verdict: 'refused', failure: { code: 'notification_refused', message: 'bad sign' } });
      await expect(ledger.reserve({ ...request('r2', 1), orderAmount: 1000 })).rejects.toMatchObject({ code: 'over_refund' });
      expect((await all()).map(shape)).toEqual([[1, 'r1', null, 'unknown', 'reservation']]);
      expect(reserved.outcome).toBe('new');
    });

    it('reads after a cursor, at most `limit`, and only the accounts asked for', async () => {
      for (const [id, account] of [['a', 'M1'], ['b', 'M2'], ['c', 'M1'], ['d', 'M2'], ['e', 'M1']] as const) await ledger.reserve(request(id, 10, { account, orderId: `o-${id}` }));
      expect((await ledger.changes({ after: 2, limit: 2 })).map((c) => c.refundId)).toEqual(['c', 'd']);
      expect((await ledger.changes({ after: 0, limit: 10, accounts: [{ provider: 'tipay', account: 'M1' }] })).map((c) => [c.seq, c.refundId])).toEqual([[1, 'a'], [3, 'c'], [5, 'e']]);
      // The filter applies before the limit: a page of someone else's changes never hides the next of mine.
      expect((await ledger.changes({ after: 1, limit: 1, accounts: [{ provider: 'tipay', account: 'M1' }] })).map((c) => c.seq)).toEqual([3]);
      expect(await ledger.changes({ after: 0, limit: 10, accounts: [{ provider: 'eftpay', account: 'M1' }] })).toEqual([]);
      expect(await ledger.changes({ after: 5, limit: 10 })).toEqual([]);
    });

    it('wakes a watcher after a change commits', async () => {
      if (!ledger.watchChanges) throw new Error(`${name} has no watchChanges`);
      let woken = 0;
      let wake: () => void = () => {};
      const stop = ledger.watchChanges(() => {
        woken++;
        wake();
      });
      try {
        if (name === 'postgres') await settleListener();
        const before = woken;
        const next = new Promise<void>((resolve) => (wake = resolve));
        await ledger.reserve(request('r1'));
        await next;
        expect(woken).toBeGreaterThan(before);
      } finally {
        stop();
      }
    });
  });

  describe('claims', () => {
    it('claims an open refund for a query: a lease on its current attempt (none started), the next check scheduled, a history entry; no change', async () => {
      const reserved = await ledger.reserve(request('r1'));
      await ledger.update(key('r1'), { source: 'refund', status: 'pending', lease: leased(reserved) });
      const claim = await ledger.claim(claimOf('r1', { lease: { holder: 'rec-1', ttlMs: 35_000 } }));
      if (claim.outcome !== 'claimed') throw new Error(claim.outcome);
      expect(claim.lease).toMatchObject({ holder: 'rec-1', attempt: 1 });
      expect(Date.parse(claim.lease.expiresAt) - Date.parse(claim.refund.updatedAt)).toBe(35_000);
      // random 0.5: the jitter is nought, so the first wait is exactly firstMs.
      expect(claim.refund.reconcile).toEqual({ checks: 1, nextCheckAt: new Date(Date.parse(claim.lease.expiresAt) - 35_000 + MINUTE).toISOString() });
      expect(await ledger.get(key('r1'))).toEqual(claim.refund);
      expect(claim.refund).toMatchObject({ status: 'pending', attempts: 1 });
      expect((await ledger.history(key('r1'))).map((e) => [e.kind, e.holder])).toEqual([['reserved', reserved.refund.lease!.holder], ['answer', reserved.refund.lease!.holder], ['claimed', 'rec-1']]);
      expect((await all()).map(shape)).toEqual([[1, 'r1', null, 'unknown', 'reservation'], [2, 'r1', 'unknown', 'pending', 'refund']]);
    });

    it('never claims a refund held by a live lease (its sender, or another reconciler), a settled one, a missing one, or one younger than olderThanMs', async () => {
      const sending = await ledger.reserve(request('r1'));
      expect(await ledger.claim(claimOf('r1'))).toMatchObject({ outcome: 'skipped', reason: 'held' });
      await ledger.update(key('r1'), { source: 'refund', status: 'unknown', failure: { code: 'timeout', message: 't' }, lease: leased(sending) });
      expect(await ledger.claim(claimOf('r1', { olderThanMs: 1_000 }))).toMatchObject({ outcome: 'skipped', reason: 'not_due' });
      advance(1_000);
      expect((await ledger.claim(claimOf('r1', { olderThanMs: 1_000 }))).outcome).toBe('claimed');
      // Another reconciler meanwhile: held.
      expect(await ledger.claim(claimOf('r1'))).toMatchObject({ outcome: 'skipped', reason: 'held' });
      expect(await ledger.claim(claimOf('nobody'))).toEqual({ outcome: 'skipped', reason: 'missing' });
      const other = await ledger.reserve(request('r2', 10, { orderId: 'o-2' }));
      await ledger.update(key('r2'), { source: 'refund', status: 'succeeded', lease: leased(other) });
      expect(await ledger.claim(claimOf('r2'))).toMatchObject({ outcome: 'skipped', reason: 'settled' });
    });

    it('a sender meets a claimed refund in flight and sends nothing; the claim\'s inconclusive answer moves nothing and ends it; the sender then recovers', async () => {
      const first = await ledger.reserve(request('r1'));
      await ledger.update(key('r1'), { source: 'refund', status: 'unknown', failure: { code: 'timeout', message: 'no answer' }, lease: leased(first) });
      const claim = await ledger.claim(claimOf('r1'));
      if (claim.outcome !== 'claimed') throw new Error(claim.outcome);
      expect(await ledger.reserve(request('r1'))).toMatchObject({ outcome: 'in_flight', lease: claim.lease });
      const ended = await ledger.record(key('r1'), { source: 'query', status: 'unknown', failure: { code: 'ORDER_NOT_EXIST', message: 'not found' }, lease: claim.lease, inconclusive: true });
      expect(ended.change).toBeUndefined();
      expect(ended.refund.lease).toBeUndefined();
      // As it was: status and failure stay; the history keeps what the query said.
      expect(ended.refund).toMatchObject({ status: 'unknown', failure: { code: 'timeout', message: 'no answer' }, attempts: 1 });
      expect((await ledger.history(key('r1'))).at(-1)).toMatchObject({ kind: 'answer', source: 'query', status: 'unknown', statusAfter: 'unknown', failure: { code: 'ORDER_NOT_EXIST' } });
      // The sender recovers it now; its new attempt starts the reconciler's schedule afresh.
      const recovered = await ledger.reserve(request('r1'));
      expect(recovered).toMatchObject({ outcome: 'recover', lease: { attempt: 2 }, providerMayKnow: true });
      expect(recovered.refund.reconcile).toBeUndefined();
    });

    it('a pending refund stays pending when the claim\'s query cannot tell; a conclusive answer under the claim moves it', async () => {
      const first = await ledger.reserve(request('r1'));
      await ledger.update(key('r1'), { source: 'refund', status: 'pending', providerRefundId: 'P-1', lease: leased(first) });
      const claim = await ledger.claim(claimOf('r1'));
      if (claim.outcome !== 'claimed') throw new Error(claim.outcome);
      const unsure = await ledger.record(key('r1'), { source: 'query', status: 'unknown', failure: { code: 'timeout', message: 't' }, lease: claim.lease, inconclusive: true });
      expect(unsure.refund).toMatchObject({ status: 'pending', providerRefundId: 'P-1' });
      expect(unsure.refund.failure).toBeUndefined();
      advance(MINUTE);
      const again = await ledger.claim(claimOf('r1'));
      if (again.outcome !== 'claimed') throw new Error(again.outcome);
      const done = await ledger.record(key('r1'), { source: 'query', status: 'succeeded', providerRefundId: 'P-1', lease: again.lease });
      expect(done.change).toMatchObject({ from: 'pending', to: 'succeeded', source: 'query' });
      expect(done.refund.lease).toBeUndefined();
    });

    it('over a sender\'s expired lease (it crashed mid-send): claimed, the provider may know the number, and the sender\'s late answer is fenced', async () => {
      const crashed = await ledger.reserve(request('r1'));
      expect(crashed.refund.providerMayKnow).toBe(false);
      advance(TTL);
      const claim = await ledger.claim(claimOf('r1'));
      if (claim.outcome !== 'claimed') throw new Error(claim.outcome);
      expect(claim.refund).toMatchObject({ providerMayKnow: true, attempts: 1, lease: { attempt: 1 } });
      // The crashed sender was only stalled: its refusal arrives now, under the claim — late, never `failed`.
      const late = await ledger.record(key('r1'), { source: 'refund', status: 'failed', failure: { code: '40101', message: 'no' }, providerMayKnow: false, lease: leased(crashed) });
      expect(late.change).toBeUndefined();
      expect(late.refund).toMatchObject({ status: 'unknown', lease: claim.lease });
      expect((await ledger.history(key('r1'))).at(-1)).toMatchObject({ verdict: 'late' });
      // A claim that expires in turn (its reconciler crashed) is taken over the same way, with the next check due.
      advance(MINUTE);
      const next = await ledger.claim(claimOf('r1'));
      expect(next).toMatchObject({ outcome: 'claimed', refund: { reconcile: { checks: 2 } } });
      // The first reconciler's answer comes too late: fenced.
      const stale = await ledger.record(key('r1'), { source: 'query', status: 'succeeded', lease: claim.lease });
      expect(stale.refund.status).toBe('succeeded'); // a verified success is the truth, late or not
      expect(stale.change).toMatchObject({ from: 'unknown', to: 'succeeded' });
    });

    it('backs off per refund: 1, 2, 4 … minutes up to the cap, ± the jitter; `due` lists open refunds past their next check, the longest waiting first', async () => {
      const r = await ledger.reserve(request('r1'));
      await ledger.update(key('r1'), { source: 'refund', status: 'pending', lease: leased(r) });
      const s = await ledger.reserve(request('r2', 10, { orderId: 'o-2' }));
      await ledger.update(key('r2'), { source: 'refund', status: 'unknown', lease: leased(s) });
      advance(1);
      expect(await ledger.due({ olderThanMs: 0, limit: 10 })).toEqual([key('r1'), key('r2')]);
      expect(await ledger.due({ olderThanMs: 0, limit: 10, accounts: [{ provider: 'tipay', account: 'M2' }] })).toEqual([]);
      expect(await ledger.due({ olderThanMs: 10_000, limit: 10 })).toEqual([]);
      const waits: number[] = [];
      for (let check = 0; check < 8; check++) {
        const claim = await ledger.claim(claimOf('r1', { random: 0.5 }));
        if (claim.outcome !== 'claimed') throw new Error(`${check}: ${claim.outcome}`);
        const claimedAt = Date.parse(claim.lease.expiresAt) - 35_000;
        waits.push(Date.parse(claim.refund.reconcile!.nextCheckAt) - claimedAt);
        await ledger.update(key('r1'), { source: 'query', status: 'unknown', lease: claim.lease, inconclusive: true });
        // Not due before its next check, due at it.
        expect(await ledger.due({ olderThanMs: 0, limit: 10 })).not.toContainEqual(key('r1'));
        expect(await ledger.claim(claimOf('r1'))).toMatchObject({ outcome: 'skipped', reason: 'not_due' });
        advance(waits.at(-1)! - 1);
        expect(await ledger.claim(claimOf('r1'))).toMatchObject({ outcome: 'skipped', reason: 'not_due' });
        advance(1);
      }
      expect(waits.map((w) => w / MINUTE)).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
      // The jitter: the lowest and highest draw, ± 20 % of the wait.
      const low = await ledger.claim(claimOf('r2', { random: 0 }));
      if (low.outcome !== 'claimed') throw new Error(low.outcome);
      expect(Date.parse(low.refund.reconcile!.nextCheckAt) - (Date.parse(low.lease.expiresAt) - 35_000)).toBe(0.8 * MINUTE);
      // Once both are due, the one whose check fell due first comes first (r1 at the last advance, r2 0.8 minute later).
      await ledger.update(key('r2'), { source: 'query', status: 'unknown', lease: low.lease, inconclusive: true });
      advance(60 * MINUTE);
      expect(await ledger.due({ olderThanMs: 0, limit: 10 })).toEqual([key('r1'), key('r2')]);
      expect(await ledger.due({ olderThanMs: 0, limit: 1 })).toEqual([key('r1')]);
    });
  });

  describe('unmatched notifications', () => {
    const note = (digest: string, more: { account?: string; refundId?: string } = {}) => ({
      provider: 'easypay' as const,
      account: more.account ?? 'M1',
      refundId: more.refundId ?? 'R-ELSEWHERE',
      digest,
      excerpt: `{"body":"${digest}"}`,
      verified: true,
    });

    it('keeps each body once, counting its deliveries; lists the latest first, per account, at most `limit`', async () => {
      const first = await ledger.keepUnmatched(note('aa'));
      expect(first).toMatchObject({ ...note('aa'), deliveries: 1 });
      expect(first.receivedAt).toBe(first.lastReceivedAt);
      advance(1_000);
      await ledger.keepUnmatched({ ...note('bb', { refundId: 'R-2' }), verified: false });
      advance(1_000);
      const again = await ledger.keepUnmatched(note('aa'));
      expect(again).toMatchObject({ digest: 'aa', deliveries: 2, receivedAt: first.receivedAt });
      expect(Date.parse(again.lastReceivedAt) - Date.parse(first.receivedAt)).toBe(2_000);
      await ledger.keepUnmatched(note('cc', { account: 'M2' }));
      expect((await ledger.unmatched({ limit: 10, accounts: [{ provider: 'easypay', account: 'M1' }] })).map((n) => [n.digest, n.deliveries, n.verified])).toEqual([
        ['aa', 2, true],
        ['bb', 1, false],
      ]);
      expect((await ledger.unmatched({ limit: 1 })).length).toBe(1);
      expect((await ledger.unmatched({ limit: 10 })).map((n) => n.digest).sort()).toEqual(['aa', 'bb', 'cc']);
    });
  });

  /** PostgreSQL: the LISTEN connection is opened on the first watch; give it a moment (it also wakes once when ready). */
  async function settleListener(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
});

describe.skipIf(pgUrl === null)('PostgreSQL change feed across instances', () => {
  it('a change committed through one pool wakes a watcher of another (LISTEN/NOTIFY), and only its own schema\'s', async () => {
    const open = STORES.find(([n]) => n === 'postgres')![1];
    const { ledger } = await open();
    const other = await open();
    const twin = await openPostgresLedger({ connectionString: pgUrl! }, { schema: (ledger as PostgresLedger).schema });
    try {
      const wakes: string[] = [];
      let wake: () => void = () => {};
      const stopTwin = twin.watchChanges(() => (wakes.push('twin'), wake()));
      const stopOther = other.ledger.watchChanges!(() => wakes.push('other'));
      await new Promise((resolve) => setTimeout(resolve, 500));
      wakes.length = 0;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      await ledger.reserve(request('r1'));
      await woken;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(wakes).toEqual(['twin']);
      expect((await twin.changes({ after: 0, limit: 10 })).map(shape)).toEqual([[1, 'r1', null, 'unknown', 'reservation']]);
      stopTwin();
      stopOther();
    } finally {
      await twin.close();
      await other.ledger.close();
      await ledger.close();
    }
  });
});
