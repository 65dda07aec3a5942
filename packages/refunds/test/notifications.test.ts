/**
 * Notifications through `handleNotification`: EasyPay's are verified (RSA) and trusted; Ti-Pay's
 * are trusted when signed and otherwise confirmed by a query; duplicates change nothing; the
 * acknowledgement each provider expects is returned.
 */
import { SignatureError } from '@refundkit/runtime';
import { describe, expect, it } from 'vitest';
import { EASYPAY_NOTIFICATION_ACK, MemoryLedger, NotFoundError } from '../src/index.js';
import { easypayAnswer, easypayNotification, facade, input, queryAnswer, refundAnswer, scripted, tipayAnswer, tipayNotification, type Reply } from './support.js';

const EASYPAY_ACK = { status: 200, contentType: 'application/json', body: '{"code":"000000","msg":"Success"}' };
const JSON_HEADERS = { 'content-type': 'application/json' };

describe('easypay notifications', () => {
  async function pendingEasypay() {
    const script = scripted(easypayAnswer({ transState: '9' }));
    const ledger = new MemoryLedger();
    const refunds = facade('easypay', script, { ledger });
    const refund = await refunds.refund(input('easypay'));
    expect(refund.status).toBe('pending');
    return { script, ledger, refunds, refund };
  }

  it('a verified notification makes a pending refund final, without a query, and is acknowledged as EasyPay expects', async () => {
    const { script, refunds, refund } = await pendingEasypay();
    const handled = await refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: easypayNotification({ transState: '0' }) });
    expect(handled.ack).toEqual(EASYPAY_ACK);
    expect(EASYPAY_NOTIFICATION_ACK).toEqual(EASYPAY_ACK);
    expect(JSON.parse(handled.ack.body)).toEqual({ code: '000000', msg: 'Success' });
    expect(handled.refund).toMatchObject({ refundId: refund.refundId, status: 'succeeded', providerRefundId: '9953608358403046481920' });
    expect(script.calls).toHaveLength(1);
  });

  it('a failure notification (transState X) makes it failed', async () => {
    const { refunds } = await pendingEasypay();
    const handled = await refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: new TextEncoder().encode(easypayNotification({ transState: 'X' })) });
    expect(handled.refund).toMatchObject({ status: 'failed', failure: { code: 'X' } });
  });

  it('duplicates are idempotent: the same refund, unchanged, each acknowledged', async () => {
    const { script, refunds } = await pendingEasypay();
    const body = easypayNotification({ transState: '0' });
    const first = await refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: body });
    const second = await refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: body });
    expect(second).toEqual(first);
    expect(second.refund?.updatedAt).toBe(first.refund?.updatedAt);
    expect(script.calls).toHaveLength(1);
  });

  it('a late notification never changes a final refund', async () => {
    const { refunds, refund } = await pendingEasypay();
    await refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: easypayNotification({ transState: '0' }) });
    const late = await refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: easypayNotification({ transState: 'X' }) });
    expect(late.refund?.status).toBe('succeeded');
    expect((await refunds.get(refund)).status).toBe('succeeded');
  });

  it('a notification altered after signing is refused (SignatureError) and the ledger is unchanged', async () => {
    const { refunds, ledger, refund } = await pendingEasypay();
    await expect(refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: easypayNotification({ transState: 'X', tamper: true }) })).rejects.toBeInstanceOf(SignatureError);
    expect((await ledger.get(refund))?.status).toBe('pending');
  });

  it('a notification about a refund the ledger never saw is acknowledged, with no refund', async () => {
    const { refunds } = await pendingEasypay();
    const handled = await refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: easypayNotification({ refundId: 'someone-else', transState: '0' }) });
    expect(handled).toEqual({ ack: EASYPAY_ACK });
  });

  it('an unmapped transState in a notification is unknown, never success', async () => {
    const { refunds } = await pendingEasypay();
    const handled = await refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: easypayNotification({ transState: '7' }) });
    expect(handled.refund?.status).toBe('unknown');
  });
});

describe('tipay notifications', () => {
  async function pendingTipay(...then: Reply[]) {
    const script = scripted(tipayAnswer('PROCESSING'), ...then);
    const refunds = facade('tipay', script);
    const refund = await refunds.refund(input('tipay'));
    expect(refund.status).toBe('pending');
    return { script, refunds, refund };
  }

  it('a signed notification is trusted: succeeded without a query, acknowledged SUCCESS', async () => {
    const { script, refunds } = await pendingTipay();
    const handled = await refunds.handleNotification('tipay', tipayNotification('SUCCESS', { signed: true }));
    expect(handled.ack).toEqual({ status: 200, contentType: 'text/plain', body: 'SUCCESS' });
    expect(handled.refund?.status).toBe('succeeded');
    expect(script.calls).toHaveLength(1);
  });

  it('an unsigned notification is only a hint: a query that still says PROCESSING keeps it pending', async () => {
    const { script, refunds } = await pendingTipay(tipayAnswer('PROCESSING'));
    const handled = await refunds.handleNotification('tipay', tipayNotification('SUCCESS', { signed: false }));
    expect(handled.refund?.status).toBe('pending');
    expect(script.calls).toHaveLength(2);
    expect(script.calls[1]!.method).toBe('GET');
  });

  it('an unsigned notification confirmed by the query makes it succeeded', async () => {
    const { script, refunds } = await pendingTipay(queryAnswer('tipay', 'succeeded')!);
    const handled = await refunds.handleNotification('tipay', tipayNotification('SUCCESS', { signed: false }));
    expect(handled.refund?.status).toBe('succeeded');
    expect(script.calls).toHaveLength(2);
  });

  it('duplicates are idempotent: once final, no further query', async () => {
    const { script, refunds } = await pendingTipay(refundAnswer('tipay', 'succeeded')!);
    const first = await refunds.handleNotification('tipay', tipayNotification('SUCCESS', { signed: false }));
    const second = await refunds.handleNotification('tipay', tipayNotification('SUCCESS', { signed: false }));
    const third = await refunds.handleNotification('tipay', tipayNotification('SUCCESS', { signed: true }));
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(script.calls).toHaveLength(2);
  });

  it('a notification whose ti-signature does not match is refused', async () => {
    const { refunds } = await pendingTipay();
    const forged = tipayNotification('SUCCESS', { signed: true });
    forged.headers['ti-signature'] = 'f'.repeat(64);
    await expect(refunds.handleNotification('tipay', forged)).rejects.toBeInstanceOf(SignatureError);
  });
});

describe('providers without modelled notifications', () => {
  it.each(['eftpay', 'lianke', 'yima'] as const)('%s: handleNotification is a NotFoundError', async (provider) => {
    const refunds = facade(provider, scripted());
    // Plain JS (the types refuse it): the facade still refuses at run time.
    await expect(refunds.handleNotification(provider as never, { headers: {}, rawBody: '{}' })).rejects.toBeInstanceOf(NotFoundError);
  });
});
