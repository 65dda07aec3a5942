/**
 * The change feed, unmatched notifications and waiting callers through the facade: the feed and
 * `NotificationHandled.changed` agree (both come from the ledger's write), `changes()` reads
 * only this instance's accounts and waits for the next change, `followChanges` resumes from the
 * caller's cursor, and a notification naming an unknown refund is kept before it is acknowledged.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_IN_FLIGHT_WAIT_MS, followChanges, LedgerUnavailableError, MemoryLedger, UNMATCHED_EXCERPT_LIMIT, type RefundChange } from '../src/index.js';
import { CONFIGS, easypayAnswer, easypayNotification, facade, input, scripted, tipayAnswer, tipayNotification } from './support.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const shape = (c: RefundChange) => [c.refundId, c.from, c.to, c.source];

describe('the feed and NotificationHandled.changed agree', () => {
  async function pendingEasypay() {
    const ledger = new MemoryLedger();
    const refunds = facade('easypay', scripted(easypayAnswer({ transState: '9' })), { ledger });
    const refund = await refunds.refund(input('easypay'));
    expect(refund.status).toBe('pending');
    return { ledger, refunds, refund };
  }

  it('an applied notification that moved the status is changed, and is the feed\'s newest change; its duplicate is neither', async () => {
    const { refunds, refund } = await pendingEasypay();
    const before = await refunds.changes();
    expect(before.map(shape)).toEqual([
      [refund.refundId, null, 'unknown', 'reservation'],
      [refund.refundId, 'unknown', 'pending', 'refund'],
    ]);
    const handled = await refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: easypayNotification({ transState: '0' }) });
    expect(handled).toMatchObject({ outcome: 'applied', changed: true });
    const after = await refunds.changes({ after: before.at(-1)!.seq });
    expect(after.map(shape)).toEqual([[refund.refundId, 'pending', 'succeeded', 'notification']]);
    const again = await refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: easypayNotification({ transState: '0' }) });
    expect(again).toMatchObject({ outcome: 'duplicate', changed: false });
    expect(await refunds.changes({ after: after[0]!.seq })).toEqual([]);
  });

  it('two deliveries of one notification at once: the ledger moves the refund once, and exactly one says changed', async () => {
    const { refunds } = await pendingEasypay();
    const body = easypayNotification({ transState: '0' });
    const both = await Promise.all([1, 2].map(() => refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: body })));
    // Both read the refund pending before either wrote: comparing with that read would say both moved it.
    expect(both.map((h) => h.refund?.status)).toEqual(['succeeded', 'succeeded']);
    expect(both.map((h) => h.changed).sort()).toEqual([false, true]);
    expect((await refunds.changes()).filter((c) => c.to === 'succeeded')).toHaveLength(1);
  });

  it('a notification that only adds the provider\'s refund id is applied but not changed: no status moved, no change', async () => {
    const ledger = new MemoryLedger();
    // Accepted, pending, without a provider refund id yet.
    const refunds = facade('tipay', scripted(tipayAnswer('PROCESSING', { data: { uniqueRefundNo: '' } })), { ledger });
    const refund = await refunds.refund(input('tipay'));
    expect(refund).toMatchObject({ status: 'pending' });
    const seq = (await refunds.changes()).at(-1)!.seq;
    const handled = await refunds.handleNotification('tipay', tipayNotification('PROCESSING', { signed: true }));
    expect(handled).toMatchObject({ outcome: 'applied', changed: false, refund: { status: 'pending', providerRefundId: '1002202301300000005245434665' } });
    expect(await refunds.changes({ after: seq })).toEqual([]);
  });
});

describe('unmatched notifications', () => {
  /** An unsigned Ti-Pay notification naming `refundRequestId` (a hint anyone could send), with `padding` characters of filler. */
  const foreign = (refundRequestId: string, padding = 0) => ({
    headers: JSON_HEADERS,
    rawBody: JSON.stringify({ merchantNo: CONFIGS.tipay.merchantNo, orderId: 'ORDER-ELSEWHERE', refundRequestId, uniqueRefundNo: 'U-1', status: 'SUCCESS', refundAmount: '1.00', filler: 'x'.repeat(padding) }),
  });

  it('are kept before they are acknowledged: the same body again counts a delivery; another instance\'s account never sees them', async () => {
    const ledger = new MemoryLedger();
    const refunds = facade('tipay', scripted(), { ledger });
    const first = await refunds.handleNotification('tipay', foreign('R-ELSEWHERE-1'));
    expect(first).toMatchObject({ outcome: 'unmatched', changed: false, ack: { status: 200, body: 'SUCCESS' } });
    expect(first.unmatched).toMatchObject({ provider: 'tipay', account: CONFIGS.tipay.merchantNo, refundId: 'R-ELSEWHERE-1', verified: false, deliveries: 1 });
    expect(first.unmatched!.digest).toMatch(/^[0-9a-f]{64}$/);
    const second = await refunds.handleNotification('tipay', foreign('R-ELSEWHERE-1'));
    expect(second.unmatched).toMatchObject({ digest: first.unmatched!.digest, deliveries: 2 });
    await refunds.handleNotification('tipay', foreign('R-ELSEWHERE-2'));
    expect((await refunds.unmatchedNotifications()).map((n) => [n.refundId, n.deliveries])).toEqual([
      ['R-ELSEWHERE-2', 1],
      ['R-ELSEWHERE-1', 2],
    ]);
    expect(await refunds.unmatchedNotifications({ limit: 1 })).toHaveLength(1);
    const otherAccount = facade('tipay', scripted(), { ledger, config: { merchantNo: '10099999999' } });
    expect(await otherAccount.unmatchedNotifications()).toEqual([]);
  });

  it('keep a bounded excerpt of the body', async () => {
    const refunds = facade('tipay', scripted());
    const handled = await refunds.handleNotification('tipay', foreign('R-LONG', 50_000));
    expect(handled.unmatched!.excerpt.length).toBeLessThan(UNMATCHED_EXCERPT_LIMIT + 100);
    expect(handled.unmatched!.excerpt).toMatch(/…\[cut: \d+ characters in all\]$/);
  });

  it('are never acknowledged unless stored: a ledger that cannot keep one throws its error (the HTTP handler answers 503)', async () => {
    class Unreachable extends MemoryLedger {
      override async keepUnmatched(): Promise<never> {
        throw new LedgerUnavailableError('ledger test: the connection was refused; nothing was recorded', false);
      }
    }
    const refunds = facade('tipay', scripted(), { ledger: new Unreachable() });
    await expect(refunds.handleNotification('tipay', foreign('R-ELSEWHERE'))).rejects.toBeInstanceOf(LedgerUnavailableError);
  });
});

describe('changes() and followChanges', () => {
  it('reads only this instance\'s accounts from a shared ledger', async () => {
    const ledger = new MemoryLedger();
    const mine = facade('tipay', scripted(tipayAnswer('PROCESSING')), { ledger });
    const theirs = facade('tipay', scripted(tipayAnswer('PROCESSING')), { ledger, config: { merchantNo: '10099999999' } });
    await theirs.refund(input('tipay', { refundId: 'THEIRS-0001' }));
    await mine.refund(input('tipay', { refundId: 'MINE-0001' }));
    expect(new Set((await mine.changes()).map((c) => c.refundId))).toEqual(new Set(['MINE-0001']));
    expect(new Set((await theirs.changes()).map((c) => c.refundId))).toEqual(new Set(['THEIRS-0001']));
    await expect(mine.changes({ after: -1 })).rejects.toThrow(/after must be/);
    await expect(mine.changes({ limit: 0 })).rejects.toThrow(/limit must be/);
  });

  it('with waitMs, waits for the next change and answers as soon as it commits; an abort ends the wait with nothing', async () => {
    const ledger = new MemoryLedger();
    const refunds = facade('tipay', scripted(tipayAnswer('PROCESSING')), { ledger });
    // A minute's wait: answering within the test's few seconds means the write woke it.
    const waiting = refunds.changes({ after: 0, waitMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await refunds.refund(input('tipay'));
    expect((await waiting).map((c) => c.seq)[0]).toBe(1);
    const controller = new AbortController();
    const aborted = refunds.changes({ after: 100, waitMs: 60_000, signal: controller.signal });
    controller.abort();
    expect(await aborted).toEqual([]);
  });

  it('followChanges applies every change once, in order, while they happen; stopped and restarted from the cursor it repeats none and misses none', async () => {
    const ledger = new MemoryLedger();
    const answers = Array.from({ length: 20 }, () => tipayAnswer('PROCESSING'));
    const refunds = facade('tipay', scripted(...answers), { ledger });
    const applied: RefundChange[] = [];
    const controller = new AbortController();
    const following = followChanges(refunds, {
      signal: controller.signal,
      pollMs: 60_000,
      onChange: (change) => {
        applied.push(change);
        if (applied.length === 15) controller.abort();
      },
    });
    for (let i = 0; i < 20; i++) await refunds.refund(input('tipay', { refundId: `FOLLOW-${String(i).padStart(4, '0')}` }));
    const cursor = await following;
    expect(cursor).toBe(15);
    // Each refund appears (reserved), and the echo rule makes each answer unknown (the script
    // echoes another refund id): one change per refund.
    const last = (await refunds.changes({ limit: 1000 })).at(-1)!.seq;
    expect(last).toBe(20);
    const rest: RefundChange[] = [];
    const again = new AbortController();
    const resumed = followChanges(refunds, { after: cursor, signal: again.signal, pollMs: 60_000, onChange: (c) => {
        rest.push(c);
        if (c.seq === last) again.abort();
      },
    });
    expect(await resumed).toBe(last);
    const seqs = [...applied, ...rest].map((c) => c.seq);
    expect(seqs).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(await refunds.changes({ after: 0, limit: 1000 })).toEqual([...applied, ...rest]);
  });

  it('a throwing onChange stops the follower with its error; restarted from the cursor, that change comes again', async () => {
    const refunds = facade('tipay', scripted(tipayAnswer('PROCESSING')));
    await refunds.refund(input('tipay'));
    const boom = new Error('the consumer failed');
    let cursor = 0;
    await expect(followChanges(refunds, { onChange: (c) => { if (c.seq === 2) throw boom; cursor = c.seq; } })).rejects.toBe(boom);
    expect(cursor).toBe(1);
    const controller = new AbortController();
    const seen: number[] = [];
    await followChanges(refunds, { after: cursor, signal: controller.signal, onChange: (c) => (seen.push(c.seq), controller.abort()) });
    expect(seen).toEqual([2]);
  });
});

describe('waiting callers', () => {
  it('wait 25 s at most by default (short of a load balancer\'s 60 s), never past the lease', () => {
    expect(DEFAULT_IN_FLIGHT_WAIT_MS).toBe(25_000);
  });
});
