/**
 * The ledger's rules on their own, and the self-check that guards every answer.
 */
import { describe, expect, it } from 'vitest';
import { validators } from '@refundkit/tipay';
import { Ledger, refundPhase } from '../src/store.js';
import { SelfCheckError, checked } from '../src/self-check.js';
import { FaultBoard, parseFaultHeader } from '../src/faults.js';
import { isLoopbackUrl } from '../src/notifier.js';

const attempt = (refundNo: string, amount: number, extra: Partial<Parameters<Ledger['applyRefund']>[1]> = {}) => ({
  refundNo, orderId: 'O1', amount, now: 1000, settleAfterMs: 0, outcome: 'succeeded' as const, providerRefundId: () => `P-${refundNo}`, ...extra,
});

describe('ledger', () => {
  it('keeps refunds of an order within its amount, counting pending ones and not failed ones', () => {
    const ledger = new Ledger();
    ledger.addOrder('tipay', { orderId: 'O1', amount: 100 });
    expect(ledger.applyRefund('tipay', attempt('A', 60, { settleAfterMs: 500 })).kind).toBe('created');
    expect(ledger.applyRefund('tipay', attempt('B', 41))).toMatchObject({ kind: 'refused', reason: 'exceeds-refundable' });
    expect(ledger.applyRefund('tipay', attempt('C', 40, { outcome: 'failed', settleAfterMs: 200 })).kind).toBe('created');
    expect(ledger.refundedTotal('tipay', 'O1', 1000)).toBe(100);
    expect(ledger.refundedTotal('tipay', 'O1', 1500)).toBe(60);
    expect(ledger.applyRefund('tipay', attempt('D', 40, { now: 1500 }))).toMatchObject({ kind: 'created', refund: { closesOrder: true } });
  });

  it('computes a refund\'s phase from the clock', () => {
    const ledger = new Ledger();
    ledger.addOrder('lianke', { orderId: 'O1', amount: 100 });
    const created = ledger.applyRefund('lianke', attempt('A', 10, { settleAfterMs: 50 }));
    if (created.kind !== 'created') throw new Error('not created');
    expect([refundPhase(created.refund, 1049), refundPhase(created.refund, 1050)]).toEqual(['pending', 'succeeded']);
  });

  it('keeps providers and their numbers apart, and refuses a duplicate or invalid order', () => {
    const ledger = new Ledger();
    ledger.addOrder('tipay', { orderId: 'O1', amount: 100 });
    ledger.addOrder('lianke', { orderId: 'O1', amount: 100 });
    expect(ledger.applyRefund('tipay', attempt('A', 100)).kind).toBe('created');
    expect(ledger.applyRefund('lianke', attempt('A', 100)).kind).toBe('created');
    expect(() => ledger.addOrder('tipay', { orderId: 'O1', amount: 1 })).toThrow(/already exists/);
    expect(() => ledger.addOrder('tipay', { orderId: 'O2', amount: 0 })).toThrow(/positive integer/);
    expect(() => ledger.addOrder('tipay', { orderId: '', amount: 1 })).toThrow(/orderId/);
  });
});

describe('self-check', () => {
  it('passes a valid answer through and throws SelfCheckError naming the broken field', () => {
    const ok = { code: 200, success: false, data: null };
    expect(checked(validators['refund.response'], 'refund.response', ok)).toBe(ok);
    expect(() => checked(validators['refund.response'], 'refund.response', { code: 200, success: true })).toThrow(SelfCheckError);
    expect(() => checked(validators['refund.response'], 'refund.response', { code: '200', success: true })).toThrow(/code/);
  });
});

describe('faults and URLs', () => {
  it('reads the header syntax', () => {
    expect(parseFaultHeader('tipay', 'refund', ' http-502 ; commit=no ')).toMatchObject({ name: 'http-502', commit: false, action: 'http-502' });
    expect(parseFaultHeader('tipay', 'refund', 'slow;ms=25')).toMatchObject({ action: 'slow', ms: 25, commit: true });
  });

  it('matches an armed fault only to its operation', () => {
    const board = new FaultBoard();
    board.arm({ provider: 'tipay', fault: 'http-500', operation: 'queryRefund' });
    expect(board.take('tipay', 'refund', 'R')).toBeUndefined();
    expect(board.take('tipay', 'queryRefund', 'R')).toMatchObject({ name: 'http-500' });
    expect(board.take('tipay', 'queryRefund', 'R')).toBeUndefined();
  });

  it('notifies loopback URLs only', () => {
    expect(['http://127.0.0.1:1/a', 'http://localhost/b', 'http://[::1]:8/c', 'http://127.9.9.9/'].map(isLoopbackUrl)).toEqual([true, true, true, true]);
    expect(['https://127.0.0.1/a', 'http://example.com/', 'www.baidu.com', 'http://127.0.0.1.nip.io/'].map(isLoopbackUrl)).toEqual([false, false, false, false]);
  });
});
