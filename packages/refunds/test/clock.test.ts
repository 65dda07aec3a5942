/**
 * One clock, passed in from `createRefunds` (issue 15): it dates what is sent, and, given to the
 * ledger too, lets a test expire a lease by moving time instead of waiting for it.
 */
import { describe, expect, it } from 'vitest';
import { MemoryLedger } from '../src/index.js';
import { accountOf, facade, input, INPUTS, parsed, queryAnswer, refundAnswer, scripted } from './support.js';

const T = Date.UTC(2020, 0, 2, 3, 4, 5); // 2020-01-02 03:04:05 UTC = 11:04:05 in Shanghai and Hong Kong

describe('the facade clock dates the wire', () => {
  it('eftpay time, easypay transTime/transDate, Ti-Pay ti-timestamp come from it', async () => {
    const clock = () => T;
    const eftpay = scripted(refundAnswer('eftpay', 'succeeded')!);
    await facade('eftpay', eftpay, { clock }).refund(input('eftpay'));
    expect(parsed(eftpay.calls[0]!)['time']).toBe('20200102110405');

    const easypay = scripted(refundAnswer('easypay', 'succeeded')!);
    await facade('easypay', easypay, { clock }).refund(input('easypay'));
    const body = parsed(easypay.calls[0]!);
    expect(body['reqHeader'].transTime).toBe('20200102110405');
    expect(body['reqBody'].payInfo.transDate).toBe('20200102');

    const tipay = scripted(refundAnswer('tipay', 'succeeded')!);
    await facade('tipay', tipay, { clock }).refund(input('tipay'));
    expect(tipay.calls[0]!.headers.get('ti-timestamp')).toBe(String(T));
  });
});

describe('a test moves time instead of waiting', () => {
  it('a crashed holder\'s lease expires when the shared clock moves past it: the next caller recovers at once', async () => {
    let now = T;
    const clock = () => now;
    const ledger = new MemoryLedger({ now: clock });
    const key = { provider: 'tipay' as const, account: accountOf('tipay'), orderId: INPUTS.tipay.orderId, refundId: INPUTS.tipay.refundId };
    await ledger.reserve({ key, amount: INPUTS.tipay.amount, currency: 'CNY', lease: { holder: 'dead', ttlMs: 600_000 } });
    now += 600_000; // ten minutes, without waiting them
    const script = scripted(queryAnswer('tipay', 'succeeded')!);
    const refund = await facade('tipay', script, { ledger, clock }).refund(input('tipay'));
    expect(refund.status).toBe('succeeded');
    expect(script.calls).toHaveLength(1); // a query, no second refund request
    expect((await ledger.history(key)).map((e) => e.kind)).toEqual(['reserved', 'recovered', 'answer']);
  });
});
