/**
 * Properties of every ledger store under random interleavings of reserve, answers (refund,
 * query, notification), lease expiry and verified successes after failed:
 * - at most one live lease per refund: a reservation is `in_flight` exactly while another holder's lease lives;
 * - never `failed` after a verified success;
 * - reservations never take an order past its total (only a verified success after failed may,
 *   and then the history says so).
 * Runs are replayable: FC_SEED=<seed> reruns a failure.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OverRefundError } from '../src/errors.js';
import type { RefundIdentity, Reservation } from '../src/ledger/ledger.js';
import type { Lease, RefundStatus } from '../src/model.js';
import { STORES } from './ledger-stores.js';

const ORDER_TOTAL = 1000;
const REFUND_IDS = ['a', 'b', 'c'];
const AMOUNTS: Record<string, number> = { a: 400, b: 500, c: 300 };
const TTL = 1000;
/** Where the stores' test clocks start (`ledger-stores.ts`): they move only by `advance`. */
const START = Date.UTC(2025, 0, 1);

type Step =
  | { kind: 'reserve'; refundId: string; caller: number }
  | { kind: 'answer'; caller: number; status: RefundStatus; providerMayKnow: boolean }
  | { kind: 'query'; refundId: string; status: RefundStatus }
  | { kind: 'advance'; ms: number };

const status = fc.constantFrom<RefundStatus>('pending', 'succeeded', 'failed', 'unknown');
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('reserve' as const), refundId: fc.constantFrom(...REFUND_IDS), caller: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('answer' as const), caller: fc.integer({ min: 0, max: 3 }), status, providerMayKnow: fc.boolean() }),
  fc.record({ kind: fc.constant('query' as const), refundId: fc.constantFrom(...REFUND_IDS), status }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(10, 400, 1000, 2500) }),
);

const seed = process.env['FC_SEED'] ? Number(process.env['FC_SEED']) : undefined;

// The stores with a test clock; a store timed by its database is covered by the contract suite.
describe.each(STORES.filter(([name]) => name === 'memory' || name === 'sqlite'))('ledger properties: %s', (_name, open) => {
  it('one live lease per refund, never failed after succeeded, never past the order by reservation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
        const { ledger, advance } = await open();
        try {
          let clock = 0;
          /** The lease each caller holds (by refund), as the ledger handed it out. */
          const held = new Map<number, { refundId: string; lease: Lease }>();
          const everSucceeded = new Set<string>();
          const id = (refundId: string): RefundIdentity => ({ provider: 'tipay', account: 'M', refundId });
          for (const s of steps) {
            if (s.kind === 'advance') {
              advance(s.ms);
              clock += s.ms;
            } else if (s.kind === 'reserve') {
              const before = await ledger.get(id(s.refundId));
              let reservation: Reservation;
              try {
                reservation = await ledger.reserve({
                  key: { ...id(s.refundId), orderId: 'o' },
                  amount: AMOUNTS[s.refundId]!,
                  currency: 'CNY',
                  orderAmount: ORDER_TOTAL,
                  lease: { holder: `caller-${s.caller}-${clock}`, ttlMs: TTL },
                });
              } catch (error) {
                expect(error).toBeInstanceOf(OverRefundError);
                continue;
              }
              const now = START + clock;
              const liveBefore = before?.lease !== undefined && Date.parse(before.lease.expiresAt) > now;
              if (reservation.outcome === 'new' || reservation.outcome === 'resubmit' || reservation.outcome === 'recover') {
                // Granted only when no other lease lived.
                expect(liveBefore).toBe(false);
                held.set(s.caller, { refundId: s.refundId, lease: reservation.lease });
              } else if (reservation.outcome === 'in_flight') {
                expect(liveBefore).toBe(true);
              }
            } else if (s.kind === 'answer') {
              const holding = held.get(s.caller);
              if (!holding) continue;
              held.delete(s.caller);
              await ledger.update(id(holding.refundId), { source: 'refund', status: s.status, providerMayKnow: s.providerMayKnow, lease: holding.lease });
              if (s.status === 'succeeded') everSucceeded.add(holding.refundId);
            } else {
              if (!(await ledger.get(id(s.refundId)))) continue;
              await ledger.update(id(s.refundId), { source: 'query', status: s.status });
              if (s.status === 'succeeded') everSucceeded.add(s.refundId);
            }
            // After every step:
            const refunds = await ledger.refundsOf({ provider: 'tipay', account: 'M', orderId: 'o' });
            for (const refund of refunds) {
              if (everSucceeded.has(refund.refundId)) expect(refund.status).toBe('succeeded');
            }
            const holding = refunds.filter((r) => r.status !== 'failed').reduce((sum, r) => sum + r.amount, 0);
            if (holding > ORDER_TOTAL) {
              // Only a verified success after failed may do that, and the history says so.
              const notes = (await Promise.all(refunds.map((r) => ledger.history(id(r.refundId))))).flat().filter((e) => e.kind === 'anomaly');
              expect(notes.some((e) => e.note?.includes('exceed its total'))).toBe(true);
            }
          }
        } finally {
          await ledger.close();
        }
      }),
      { numRuns: 150, ...(seed !== undefined ? { seed } : {}) },
    );
  });
});

