/**
 * Random interleavings of senders that stall past their leases at any step, against a model of
 * the provider (issue "Refund truth under stalls and database faults", done when). Each sender
 * follows the facade's protocol — reserve; on `recover` query first; send the same refund number;
 * record the answer under its lease — but any of its steps may come late, after the clock moved
 * past its lease and another sender took over. The senders skip the facade's lease-margin check
 * on purpose: a stall can fall after that check, so the ledger's fencing alone must hold.
 *
 * The provider model accepts any amount (it does not guard the order: that is the ledger's job),
 * refuses a number it already holds as a duplicate, commits an accepted refund at once or later
 * (`settle`), and a query finds only committed refunds (the sandbox's `slow-commit`).
 *
 * Properties after every step: the provider never holds more than the order; the ledger never
 * says `failed` for a number the provider holds. Replay a failure with FC_SEED=<seed>.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OverRefundError } from '../src/errors.js';
import type { RefundIdentity, RefundUpdate } from '../src/ledger/ledger.js';
import type { Lease } from '../src/model.js';
import { STORES } from './ledger-stores.js';

const ORDER_TOTAL = 1000;
const REFUND_IDS = ['a', 'b', 'c'];
const AMOUNTS: Record<string, number> = { a: 600, b: 600, c: 300 };
const TTL = 1000;
const CALLERS = 3;

type Step =
  | { kind: 'reserve'; caller: number; refundId: string }
  | { kind: 'send'; caller: number; commitNow: boolean }
  | { kind: 'record'; caller: number }
  | { kind: 'settle' }
  | { kind: 'query'; refundId: string }
  | { kind: 'advance'; ms: number };

const caller = fc.integer({ min: 0, max: CALLERS - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  // Mostly one refund number, so senders meet on it.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('reserve' as const), caller, refundId: fc.constantFrom('a', 'a', 'a', ...REFUND_IDS) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('send' as const), caller, commitNow: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('record' as const), caller }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'settle' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('query' as const), refundId: fc.constantFrom(...REFUND_IDS) }) },
  // A stall: long enough, often, for a lease to end while its holder sleeps.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(10, 600, 1200, 2500) }) },
);

/** The provider: which refund numbers it holds, committed or not yet. */
class ProviderModel {
  readonly held = new Map<string, { amount: number; committed: boolean }>();

  request(refundId: string, commitNow: boolean): Omit<RefundUpdate, 'lease'> {
    if (this.held.has(refundId)) return { source: 'refund', status: 'failed', failure: { code: 'DUPLICATE', message: 'refund number already used' }, providerMayKnow: false };
    this.held.set(refundId, { amount: AMOUNTS[refundId]!, committed: commitNow });
    return commitNow ? { source: 'refund', status: 'succeeded', providerRefundId: `P-${refundId}` } : { source: 'refund', status: 'pending' };
  }

  query(refundId: string): Omit<RefundUpdate, 'lease'> {
    return this.held.get(refundId)?.committed ? { source: 'query', status: 'succeeded', providerRefundId: `P-${refundId}` } : { source: 'query', status: 'unknown', failure: { code: 'NOT_FOUND', message: 'no such refund' } };
  }

  settle(): void {
    for (const refund of this.held.values()) refund.committed = true;
  }

  total(): number {
    return [...this.held.values()].reduce((sum, r) => sum + r.amount, 0);
  }
}

/** What a sender is doing: holding a lease, and, once it sent or queried, the answer it will record. */
interface Sender {
  refundId: string;
  lease: Lease;
  recovering: boolean;
  answer?: Omit<RefundUpdate, 'lease'>;
}

const seed = process.env['FC_SEED'] ? Number(process.env['FC_SEED']) : undefined;

describe.each(STORES.filter(([name]) => name === 'memory' || name === 'sqlite'))('stalled senders against a provider model: %s', (_name, open) => {
  it('the provider never holds more than the order, and the ledger never says failed for a number the provider holds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), async (steps) => {
        const { ledger, advance } = await open();
        const provider = new ProviderModel();
        const senders = new Map<number, Sender>();
        const id = (refundId: string): RefundIdentity => ({ provider: 'tipay', account: 'M', refundId });
        let holders = 0;
        try {
          for (const s of steps) {
            if (s.kind === 'advance') advance(s.ms);
            else if (s.kind === 'settle') provider.settle();
            else if (s.kind === 'reserve') {
              if (senders.has(s.caller)) continue;
              try {
                const reservation = await ledger.reserve({ key: { ...id(s.refundId), orderId: 'o' }, amount: AMOUNTS[s.refundId]!, currency: 'CNY', orderAmount: ORDER_TOTAL, lease: { holder: `h${++holders}`, ttlMs: TTL } });
                if (reservation.outcome === 'new' || reservation.outcome === 'resubmit' || reservation.outcome === 'recover') {
                  senders.set(s.caller, { refundId: s.refundId, lease: reservation.lease, recovering: reservation.outcome === 'recover' });
                }
              } catch (error) {
                expect(error).toBeInstanceOf(OverRefundError);
              }
            } else if (s.kind === 'send') {
              const sender = senders.get(s.caller);
              if (!sender || sender.answer) continue;
              if (sender.recovering) {
                // Recovering a crashed sender's refund: ask first, resend only if the provider cannot tell.
                const answer = provider.query(sender.refundId);
                if (answer.status !== 'unknown') {
                  sender.answer = answer;
                  continue;
                }
              }
              sender.answer = provider.request(sender.refundId, s.commitNow);
            } else if (s.kind === 'record') {
              const sender = senders.get(s.caller);
              if (!sender?.answer) continue;
              senders.delete(s.caller);
              await ledger.update(id(sender.refundId), { ...sender.answer, lease: sender.lease });
            } else {
              if (!(await ledger.get(id(s.refundId)))) continue;
              await ledger.update(id(s.refundId), provider.query(s.refundId));
            }
            // After every step:
            expect(provider.total()).toBeLessThanOrEqual(ORDER_TOTAL);
            for (const refundId of provider.held.keys()) {
              expect((await ledger.get(id(refundId)))?.status).not.toBe('failed');
            }
          }
        } finally {
          await ledger.close();
        }
      }),
      {
        numRuns: 500,
        ...(seed !== undefined ? { seed } : {}),
        // The case, run first every time: A reserves, stalls past its lease; B recovers and
        // resends; A wakes and sends (a duplicate) and records the refusal; C refunds on the order.
        examples: [
          [
            [
              { kind: 'reserve', caller: 0, refundId: 'a' },
              { kind: 'advance', ms: 1200 },
              { kind: 'reserve', caller: 1, refundId: 'a' },
              { kind: 'send', caller: 1, commitNow: false },
              { kind: 'send', caller: 0, commitNow: false },
              { kind: 'record', caller: 0 },
              { kind: 'reserve', caller: 2, refundId: 'b' },
              { kind: 'send', caller: 2, commitNow: true },
              { kind: 'settle' },
              { kind: 'record', caller: 1 },
            ],
          ],
        ],
      },
    );
  });

  it('the issue\'s case as a fixed interleaving: A stalls, B takes over, A\'s late refusal moves nothing, C is refused', async () => {
    const { ledger, advance } = await open();
    try {
      const provider = new ProviderModel();
      const key = id('a');
      const reserve = (refundId: string, holder: string) => ledger.reserve({ key: { ...id(refundId), orderId: 'o' }, amount: AMOUNTS[refundId]!, currency: 'CNY', orderAmount: ORDER_TOTAL, lease: { holder, ttlMs: TTL } });
      const a = await reserve('a', 'A');
      advance(TTL + 1);
      const b = await reserve('a', 'B');
      expect(b.outcome).toBe('recover');
      expect(provider.query('a').status).toBe('unknown');
      const bAnswer = provider.request('a', false);
      const aAnswer = provider.request('a', false); // A wakes and sends anyway: a duplicate
      await ledger.update(key, { ...aAnswer, lease: 'lease' in a ? a.lease : undefined });
      expect((await ledger.get(key))?.status).toBe('unknown');
      await expect(reserve('b', 'C')).rejects.toBeInstanceOf(OverRefundError);
      provider.settle();
      await ledger.update(key, { ...bAnswer, lease: 'lease' in b ? b.lease : undefined });
      expect(provider.total()).toBe(600);
    } finally {
      await ledger.close();
    }
    function id(refundId: string): RefundIdentity {
      return { provider: 'tipay', account: 'M', refundId };
    }
  });
});
