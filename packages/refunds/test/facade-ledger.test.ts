/**
 * The ledger rules as a caller meets them, through the facade with the memory ledger, for every
 * provider: replay, conflict, over-refund, resubmission of a failed refund with the same refund
 * number, an unknown outcome keeping its reservation, and order totals learnt from answers.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, MemoryLedger, OverRefundError } from '../src/index.js';
import type { ConfiguredProvider } from '../src/providers/index.js';
import {
  accountOf,
  eftpayAnswer,
  facade,
  hang,
  input,
  isRefund,
  liankeAnswer,
  liankeData,
  parsed,
  PROVIDER_KEYS,
  queryAnswer,
  refundAnswer,
  refundNumber,
  scripted,
  text,
} from './support.js';

const unavailable = (): Response => text('maintenance', 503, 'text/plain');

describe.each(PROVIDER_KEYS)('%s through the facade', (provider) => {
  it('a succeeded refund replayed with the same refund id is returned without calling the provider', async () => {
    const script = scripted(refundAnswer(provider, 'succeeded')!);
    const refunds = facade(provider, script);
    const first = await refunds.refund(input(provider));
    const again = await refunds.refund(input(provider));
    expect(first.status).toBe('succeeded');
    expect(again).toEqual(first);
    expect(script.calls).toHaveLength(1);
  });

  it('the same refund id with another amount or order is a ConflictError, and nothing is sent', async () => {
    const script = scripted(refundAnswer(provider, 'succeeded')!);
    const refunds = facade(provider, script);
    const first = await refunds.refund(input(provider));
    await expect(refunds.refund(input(provider, { amount: first.amount + 1 }))).rejects.toBeInstanceOf(ConflictError);
    const otherOrder = provider === 'yima' ? '1511300000099' : 'another-order';
    await expect(refunds.refund(input(provider, { orderId: otherOrder }))).rejects.toMatchObject({ code: 'refund_id_conflict', differences: ['order'] });
    expect(script.calls).toHaveLength(1);
  });

  it('more than what is left of the order is an OverRefundError, and nothing is sent', async () => {
    const script = scripted(refundAnswer(provider, 'succeeded')!);
    const refunds = facade(provider, script);
    const amount = input(provider).amount;
    await refunds.refund(input(provider, { orderAmount: amount * 2 }));
    const secondId = provider === 'yima' ? '1511300000005' : 'second-refund';
    const error = await refunds.refund(input(provider, { refundId: secondId, amount: amount + 1, orderAmount: amount * 2 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OverRefundError);
    expect(error).toMatchObject({ requested: amount + 1, remaining: amount });
    expect(script.calls).toHaveLength(1);
  });

  it('a failed refund is resubmitted with the same refund number, and its amount reserved again', async () => {
    const script = scripted(refundAnswer(provider, 'failed')!, refundAnswer(provider, 'succeeded')!);
    const ledger = new MemoryLedger();
    const refunds = facade(provider, script, { ledger });
    const first = await refunds.refund(input(provider, { orderAmount: input(provider).amount }));
    expect(first.status).toBe('failed');
    const second = await refunds.refund(input(provider, { orderAmount: input(provider).amount }));
    expect(second.status).toBe('succeeded');
    expect(script.calls).toHaveLength(2);
    expect(script.calls.every((c) => isRefund(provider, c))).toBe(true);
    expect(refundNumber(provider, script.calls[1]!)).toBe(refundNumber(provider, script.calls[0]!));
    expect(refundNumber(provider, script.calls[1]!)).toBe(input(provider).refundId);
    const stored = await ledger.refundsOf({ provider, account: accountOf(provider), orderId: first.orderId });
    expect(stored.map((r) => [r.status, r.failure])).toEqual([['succeeded', undefined]]);
  });

  it('an unknown outcome keeps its reservation: the rest of the order is capped', async () => {
    const script = scripted(hang);
    const refunds = facade(provider, script, { timeoutMs: 500 });
    const amount = input(provider).amount;
    const first = await refunds.refund(input(provider, { orderAmount: amount + 1 }));
    expect(first.status).toBe('unknown');
    const secondId = provider === 'yima' ? '1511300000005' : 'second-refund';
    await expect(refunds.refund(input(provider, { refundId: secondId, amount: 2, orderAmount: amount + 1 }))).rejects.toBeInstanceOf(OverRefundError);
    expect(script.calls).toHaveLength(1);
  });

  it('an unknown refund replayed is first resolved by a query, not resent', async () => {
    const script = scripted(hang, queryAnswer(provider, 'succeeded')!);
    const refunds = facade(provider, script, { timeoutMs: 500 });
    expect((await refunds.refund(input(provider))).status).toBe('unknown');
    const replay = await refunds.refund(input(provider));
    expect(replay.status).toBe('succeeded');
    expect(script.calls).toHaveLength(2);
    expect(isRefund(provider, script.calls[1]!)).toBe(false);
  });

  it('when the query cannot tell either, the replay resends the same refund number', async () => {
    const script = scripted(hang, unavailable(), refundAnswer(provider, 'succeeded')!);
    const refunds = facade(provider, script, { timeoutMs: 500 });
    expect((await refunds.refund(input(provider))).status).toBe('unknown');
    const replay = await refunds.refund(input(provider));
    expect(replay.status).toBe('succeeded');
    expect(script.calls.map((c) => isRefund(provider, c))).toEqual([true, false, true]);
    expect(refundNumber(provider, script.calls[2]!)).toBe(input(provider).refundId);
  });
});

describe('order totals learnt from answers cap later refunds', () => {
  it('eftpay original_amount: a later refund over what is left is refused, nothing sent', async () => {
    const script = scripted(eftpayAnswer({ trade_status: 'TRADE_REFUND', transaction_amount: '10.01', original_amount: '15.00' }));
    const ledger = new MemoryLedger();
    const refunds = facade('eftpay', script, { ledger });
    await refunds.refund(input('eftpay', { amount: 1001 }));
    const error = await refunds.refund(input('eftpay', { refundId: 'second-refund', amount: 500 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OverRefundError);
    expect(error).toMatchObject({ remaining: 499 });
    expect(script.calls).toHaveLength(1);
  });

  it('eftpay: what is left may still be refunded', async () => {
    const script = scripted(
      eftpayAnswer({ trade_status: 'TRADE_REFUND', original_amount: '15.00' }),
      eftpayAnswer({ trade_status: 'TRADE_CLOSED', refund_no: 'second-refund', transaction_amount: '4.99', original_amount: '15.00' }),
    );
    const refunds = facade('eftpay', script);
    await refunds.refund(input('eftpay', { amount: 1001 }));
    expect((await refunds.refund(input('eftpay', { refundId: 'second-refund', amount: 499 }))).status).toBe('succeeded');
  });

  it('lianke total_amount: a later refund over what is left is refused, nothing sent', async () => {
    const script = scripted(liankeAnswer('SUCCESS', liankeData('REFUNDED', { total_amount: 400 })));
    const refunds = facade('lianke', script);
    await refunds.refund(input('lianke', { amount: 300 }));
    const error = await refunds.refund(input('lianke', { refundId: 'LK-REFUND-2', amount: 101 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OverRefundError);
    expect(error).toMatchObject({ remaining: 100 });
    expect(script.calls).toHaveLength(1);
  });

  it('a learnt total never raises a smaller total the caller gave', async () => {
    const script = scripted(liankeAnswer('SUCCESS', liankeData('REFUNDED', { total_amount: 100_000 })));
    const refunds = facade('lianke', script);
    await refunds.refund(input('lianke', { amount: 300, orderAmount: 350 }));
    await expect(refunds.refund(input('lianke', { refundId: 'LK-REFUND-2', amount: 51 }))).rejects.toBeInstanceOf(OverRefundError);
  });
});
