import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OverRefundError } from '../src/errors.js';
import type { RefundLedger, Reservation, ReservationRequest } from '../src/ledger/ledger.js';
import type { Lease } from '../src/model.js';
import { STORES } from './ledger-stores.js';

/**
 * Fenced leases, every store: an answer from an attempt that is no longer current moves nothing
 * but a verified success; a refusal of a number any attempt may have sent is unknown; a refused
 * notification is kept and changes nothing. The over-refund case is the first test.
 */
const TTL = 65_000;
const key = { provider: 'tipay' as const, account: 'M1', refundId: 'r-60' };
const order = { provider: 'tipay' as const, account: 'M1', orderId: 'o-100' };
const request = (holder: string, refundId = 'r-60', amount = 6000): ReservationRequest => ({
  key: { ...order, refundId },
  amount,
  currency: 'CNY',
  orderAmount: 10_000,
  lease: { holder, ttlMs: TTL },
});
const leased = (reservation: Reservation): Lease => {
  if (!('lease' in reservation) || reservation.outcome === 'in_flight') throw new Error(`expected a lease, got ${reservation.outcome}`);
  return reservation.lease;
};
const REFUSED_DUPLICATE = { source: 'refund' as const, status: 'failed' as const, failure: { code: '40013', message: 'duplicate refund request' }, providerMayKnow: false };

describe.each(STORES)('fenced leases: %s', (_name, open) => {
  let ledger: RefundLedger;
  let advance: (ms: number) => void;

  beforeEach(async () => {
    ({ ledger, advance } = await open());
  });
  afterEach(() => ledger.close());

  it('the issue\'s case: A stalls past its lease, B takes over, A\'s late refusal moves nothing, C cannot over-refund, B\'s success stands', async () => {
    const a = leased(await ledger.reserve(request('A')));
    advance(TTL + 1_000);
    const b = await ledger.reserve(request('B'));
    expect(b).toMatchObject({ outcome: 'recover', providerMayKnow: true, lease: { holder: 'B', attempt: 2 } });
    // A wakes and hears the provider refuse its request as a duplicate of B's in flight.
    const afterA = await ledger.update(key, { ...REFUSED_DUPLICATE, lease: a });
    expect(afterA).toMatchObject({ status: 'unknown', lease: { holder: 'B', attempt: 2 } });
    expect((await ledger.history(key)).at(-1)).toMatchObject({ attempt: 1, holder: 'A', verdict: 'late', statusAfter: 'unknown' });
    // The 60.00 is still held: C's 60.00 on the same order of 100.00 is refused before anything is sent.
    await expect(ledger.reserve(request('C', 'r-60-c'))).rejects.toBeInstanceOf(OverRefundError);
    const afterB = await ledger.update(key, { source: 'refund', status: 'succeeded', providerRefundId: 'T-1', lease: leased(b) });
    expect(afterB).toMatchObject({ status: 'succeeded', providerRefundId: 'T-1' });
    expect(afterB.lease).toBeUndefined();
  });

  it('a late verified success moves the refund (the provider is the truth), and keeps the current holder\'s lease', async () => {
    const a = leased(await ledger.reserve(request('A')));
    advance(TTL + 1);
    const b = leased(await ledger.reserve(request('B')));
    const after = await ledger.update(key, { source: 'refund', status: 'succeeded', providerRefundId: 'T-A', lease: a });
    expect(after).toMatchObject({ status: 'succeeded', providerRefundId: 'T-A', lease: b });
    expect((await ledger.history(key)).at(-1)).toMatchObject({ verdict: 'late', status: 'succeeded', statusAfter: 'succeeded' });
    // B's own answer then changes nothing: succeeded is never overwritten.
    expect(await ledger.update(key, { ...REFUSED_DUPLICATE, lease: b })).toMatchObject({ status: 'succeeded' });
  });

  it('a late pending or unknown answer moves nothing and marks that the provider may know the number', async () => {
    const a = leased(await ledger.reserve(request('A')));
    advance(TTL + 1);
    const b = leased(await ledger.reserve(request('B')));
    expect(await ledger.update(key, { source: 'refund', status: 'pending', lease: a })).toMatchObject({ status: 'unknown', providerMayKnow: true, lease: b });
    expect(await ledger.update(key, { source: 'refund', status: 'unknown', failure: { code: 'timeout', message: 't' }, lease: a })).toMatchObject({ status: 'unknown', lease: b });
  });

  it('an answer from an attempt superseded by a later one of the same holder is late too', async () => {
    const first = leased(await ledger.reserve(request('A')));
    await ledger.update(key, { source: 'refund', status: 'failed', failure: { code: 'E1', message: 'refused' }, providerMayKnow: false, lease: first });
    const second = leased(await ledger.reserve(request('A')));
    expect(second.attempt).toBe(2);
    const late = await ledger.update(key, { source: 'refund', status: 'failed', failure: { code: 'E2', message: 'refused' }, providerMayKnow: false, lease: first });
    expect(late).toMatchObject({ status: 'unknown', attempts: 2, lease: second });
  });

  it('a refusal of a number an earlier attempt may have sent is unknown (refused_resubmission), whichever attempt hears it', async () => {
    leased(await ledger.reserve(request('A')));
    advance(TTL + 1); // A crashed without an answer: its request may have reached the provider
    const b = leased(await ledger.reserve(request('B')));
    const after = await ledger.update(key, { ...REFUSED_DUPLICATE, lease: b });
    expect(after).toMatchObject({ status: 'unknown', failure: { source: 'local', code: 'refused_resubmission', providerCode: '40013' } });
    expect(after.lease).toBeUndefined();
    // It still holds its amount.
    await expect(ledger.reserve(request('C', 'r-60-c'))).rejects.toBeInstanceOf(OverRefundError);
  });

  it('a request that never left keeps its own failure, and is unknown when an earlier attempt may have been sent', async () => {
    leased(await ledger.reserve(request('A')));
    advance(TTL + 1);
    const b = leased(await ledger.reserve(request('B')));
    const after = await ledger.update(key, { source: 'refund', status: 'failed', failure: { source: 'local', code: 'lease_too_short', message: 'nothing sent' }, providerMayKnow: false, lease: b });
    expect(after).toMatchObject({ status: 'unknown', failure: { code: 'lease_too_short' } });
  });

  it('the first attempt\'s own refusal is failed: nothing else could have reached the provider', async () => {
    const a = leased(await ledger.reserve(request('A')));
    expect(await ledger.update(key, { ...REFUSED_DUPLICATE, lease: a })).toMatchObject({ status: 'failed', failure: { code: '40013' } });
  });

  it('an answer about the refund (no lease) is fenced while another sender\'s attempt is live, except a success', async () => {
    const a = leased(await ledger.reserve(request('A')));
    const failedWord = await ledger.update(key, { source: 'notification', status: 'failed', failure: { code: 'FAILED', message: 'about an earlier attempt' } });
    expect(failedWord).toMatchObject({ status: 'unknown', lease: a });
    expect((await ledger.history(key)).at(-1)).toMatchObject({ source: 'notification', verdict: 'late' });
    expect(await ledger.update(key, { source: 'notification', status: 'succeeded', providerRefundId: 'T-9' })).toMatchObject({ status: 'succeeded', lease: a });
  });

  it('a refused notification is kept in the history and changes nothing, not even "the provider may know"', async () => {
    const a = leased(await ledger.reserve(request('A')));
    const pending = await ledger.update(key, { source: 'refund', status: 'pending', providerMayKnow: false, lease: a });
    const refused = await ledger.update(key, { source: 'notification', status: 'succeeded', raw: '{"forged":true}', verdict: 'refused', failure: { source: 'local', code: 'notification_refused', message: 'signature' } });
    expect(refused).toEqual(pending);
    expect((await ledger.history(key)).at(-1)).toMatchObject({ source: 'notification', verdict: 'refused', statusAfter: 'pending', raw: '{"forged":true}' });
  });
});
