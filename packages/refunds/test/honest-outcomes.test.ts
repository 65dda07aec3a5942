/**
 * What a caller is told is true about what was sent (issue "Refund truth under stalls and
 * database faults"): a lease with too little time left sends nothing; a ledger that cannot record
 * an answer after a send is retried, then `OutcomeNotRecordedError` (sent: true); ledger faults
 * before a send say nothing was sent.
 */
import { describe, expect, it } from 'vitest';
import { LedgerUnavailableError, MemoryLedger, OutcomeNotRecordedError, type RefundLedger } from '../src/index.js';
import { facade, input, refundAnswer, scripted } from './support.js';

/** A ledger whose chosen method fails `times` times (Infinity: always) with the database's fault (`record`: how the facade writes an answer). */
function faulty(ledger: RefundLedger, method: 'reserve' | 'record', times: number): RefundLedger & { failures: number } {
  const state = { failures: 0 };
  const wrapped = new Proxy(ledger, {
    get(target, name) {
      if (name === 'failures') return state.failures;
      const value = Reflect.get(target, name) as unknown;
      if (typeof value !== 'function') return value;
      if (name === method) {
        return async (...args: unknown[]) => {
          if (state.failures < times) {
            state.failures++;
            throw new LedgerUnavailableError('ledger postgres://app:***@db/shop: Connection terminated unexpectedly; nothing was recorded');
          }
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return wrapped as RefundLedger & { failures: number };
}

describe('after a send, the ledger cannot record the answer', () => {
  it('a transient fault is retried: the answer is recorded, the caller never sees the fault', async () => {
    const memory = new MemoryLedger();
    const ledger = faulty(memory, 'record', 3);
    const script = scripted(refundAnswer('tipay', 'succeeded')!);
    const refund = await facade('tipay', script, { ledger }).refund(input('tipay'));
    expect(refund.status).toBe('succeeded');
    expect(ledger.failures).toBe(3);
    expect(script.calls).toHaveLength(1);
  });

  it('a lasting fault is OutcomeNotRecordedError: sent, with the provider\'s answer; the ledger holds the refund unknown, and the same call later resolves it without a second request', async () => {
    let now = Date.UTC(2026, 0, 1);
    const clock = (): number => now;
    const shared = new MemoryLedger({ now: clock });
    const script = scripted(refundAnswer('tipay', 'succeeded')!);
    const refunds = facade('tipay', script, { ledger: faulty(shared, 'record', Infinity), clock, timeoutMs: 1_000 });
    const error = await refunds.refund(input('tipay'), { timeoutMs: 1_500 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OutcomeNotRecordedError);
    const unrecorded = error as OutcomeNotRecordedError;
    expect(unrecorded).toMatchObject({ code: 'outcome_unrecorded', sent: true, provider: 'tipay', refundId: input('tipay').refundId, answer: { status: 'succeeded' } });
    expect(unrecorded.answer.rawExcerpt).toContain('SUCCESS');
    expect(unrecorded.message).toMatch(/was SENT/);
    expect(unrecorded.message).toMatch(/same refund id/);
    expect(unrecorded.message).not.toMatch(/nothing was sent/);
    expect(script.calls).toHaveLength(1);
    const held = await shared.get({ provider: 'tipay', account: '10012426723', refundId: input('tipay').refundId });
    expect(held?.status).toBe('unknown');
    // The ledger is back; once the crashed attempt's lease ends, the same call asks the provider first.
    now += 10 * 60_000;
    script.push(refundAnswer('tipay', 'succeeded')!);
    const again = await facade('tipay', script, { ledger: shared, clock, timeoutMs: 1_000 }).refund(input('tipay'));
    expect(again.status).toBe('succeeded');
    expect(script.calls).toHaveLength(2);
    expect(script.calls[1]!.method).toBe('GET');
  });

  it('a ledger fault before anything is sent says so, and nothing is sent', async () => {
    const script = scripted(refundAnswer('tipay', 'succeeded')!);
    const refunds = facade('tipay', script, { ledger: faulty(new MemoryLedger(), 'reserve', Infinity) });
    const error = await refunds.refund(input('tipay')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LedgerUnavailableError);
    expect((error as Error).message).toMatch(/nothing was sent$/);
    expect(script.calls).toHaveLength(0);
  });
});

describe('a lease with too little time left to send', () => {
  /** A ledger whose `reserve` takes `stallMs` of the facade's clock (a stall, or a slow commit) the first `times` times. */
  function slowReserve(ledger: RefundLedger, advance: (ms: number) => void, stallMs: number, times: number): RefundLedger {
    let stalls = 0;
    return new Proxy(ledger, {
      get(target, name) {
        const value = Reflect.get(target, name) as unknown;
        if (typeof value !== 'function') return value;
        if (name === 'reserve') {
          return async (...args: unknown[]) => {
            const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            if (stalls++ < times) advance(stallMs);
            return result;
          };
        }
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
  }

  it('sends nothing under it, ends that attempt (lease_too_short), and reserves again', async () => {
    let now = Date.UTC(2026, 0, 1);
    const clock = (): number => now;
    const ledger = new MemoryLedger({ now: clock });
    const script = scripted(refundAnswer('tipay', 'succeeded')!);
    // Lease 20 s, exchange 2 s: a send needs min(2 s + 5 s, 10 s) = 7 s left; the first reservation came back with 6 s.
    const refunds = facade('tipay', script, { ledger: slowReserve(ledger, (ms) => void (now += ms), 14_000, 1), clock, leaseMs: 20_000, timeoutMs: 2_000 });
    const refund = await refunds.refund(input('tipay'));
    expect(refund).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(script.calls).toHaveLength(1);
    const history = await refunds.history(refund);
    expect(history.map((e) => e.kind)).toEqual(['reserved', 'answer', 'resubmitted', 'answer']);
    expect(history[1]).toMatchObject({ attempt: 1, statusAfter: 'failed', failure: { code: 'lease_too_short' } });
  });

  it('after three short leases in a row it stops: a typed error that says nothing was sent', async () => {
    let now = Date.UTC(2026, 0, 1);
    const clock = (): number => now;
    const ledger = new MemoryLedger({ now: clock });
    const script = scripted();
    const refunds = facade('tipay', script, { ledger: slowReserve(ledger, (ms) => void (now += ms), 14_000, Infinity), clock, leaseMs: 20_000, timeoutMs: 2_000 });
    await expect(refunds.refund(input('tipay'))).rejects.toThrow(/too little time left to send.*nothing was sent/);
    expect(script.calls).toHaveLength(0);
    expect((await ledger.get({ provider: 'tipay', account: '10012426723', refundId: input('tipay').refundId }))?.status).toBe('failed');
  });
});
