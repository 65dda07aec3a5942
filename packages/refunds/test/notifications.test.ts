/**
 * Notifications through `handleNotification`: EasyPay's are verified (RSA) and trusted; Ti-Pay's
 * are trusted when signed and otherwise confirmed by a query; duplicates change nothing; the
 * acknowledgement each provider expects is returned.
 */
import { describe, expect, it } from 'vitest';
import { EASYPAY_NOTIFICATION_ACK, EASYPAY_NOTIFICATION_REJECT, MemoryLedger, NotFoundError, NotificationBodyError, UnknownAccountError } from '../src/index.js';
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
    expect(first).toMatchObject({ outcome: 'applied', changed: true, ack: EASYPAY_ACK });
    expect(second).toEqual({ ...first, outcome: 'duplicate', changed: false });
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

  it('a notification altered after signing is refused, kept in the history, answered so EasyPay delivers again, and changes nothing', async () => {
    const { refunds, ledger, refund } = await pendingEasypay();
    const before = await ledger.get(refund);
    const handled = await refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: easypayNotification({ transState: 'X', tamper: true }) });
    expect(handled).toMatchObject({ outcome: 'refused', changed: false, ack: EASYPAY_NOTIFICATION_REJECT, failure: { code: 'notification_refused' } });
    expect(handled.failure?.message).toMatch(/signature/i);
    expect(handled.ack.status).not.toBe(200);
    expect(await ledger.get(refund)).toMatchObject({ status: 'pending', providerRefundId: before?.providerRefundId });
    expect((await ledger.history(refund)).at(-1)).toMatchObject({ kind: 'answer', source: 'notification', verdict: 'refused', statusAfter: 'pending' });
    expect((await ledger.history(refund)).at(-1)?.raw).toContain('reqSign');
  });

  it.each([
    ['another amount', { amount: 151 }, /refundAmount 151/],
    ['another original order', { orderId: 'someone-elses-order' }, /oriOrgTrace/],
  ])('a validly signed notification with %s is refused by the echo rule: kept in the history, nothing changes', async (_name, change, why) => {
    const { refunds, ledger, refund } = await pendingEasypay();
    const handled = await refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: easypayNotification({ transState: '0', ...change }) });
    expect(handled).toMatchObject({ outcome: 'refused', changed: false, ack: EASYPAY_NOTIFICATION_REJECT });
    expect(handled.failure?.message).toMatch(why);
    expect((await ledger.get(refund))?.status).toBe('pending');
    expect((await ledger.history(refund)).at(-1)).toMatchObject({ verdict: 'refused', status: 'unknown', statusAfter: 'pending' });
  });

  it('a validly signed notification naming another merchant never touches this account\'s refund of the same number', async () => {
    const { refunds, ledger, refund } = await pendingEasypay();
    const history = await ledger.history(refund);
    const handled = await refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: easypayNotification({ transState: '0', mchtCode: '999999999999999' }) });
    expect(handled).toMatchObject({ outcome: 'refused', changed: false, ack: EASYPAY_NOTIFICATION_REJECT });
    expect(handled.refund).toBeUndefined();
    expect(handled.failure?.message).toMatch(/another merchant.*999999999999999/);
    expect(await ledger.history(refund)).toEqual(history);
    expect((await ledger.get(refund))?.status).toBe('pending');
  });

  it('a notification whose echoes all match is applied', async () => {
    const { refunds } = await pendingEasypay();
    const handled = await refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: easypayNotification({ transState: '0', amount: 150, orderId: '96647913862211670000', mchtCode: '531000023045074' }) });
    expect(handled).toMatchObject({ outcome: 'applied', changed: true, refund: { status: 'succeeded' } });
  });

  it.each([
    ['a parsed object', { code: '000000' }, /a parsed object/],
    ['an array', [1], /an array/],
    ['missing', undefined, /is missing/],
    ['empty', '', /is empty/],
  ])('a body passed as %s is a typed error that says to pass the raw bytes; nothing changes', async (_name, body, why) => {
    const { refunds, ledger, refund } = await pendingEasypay();
    const history = await ledger.history(refund);
    const attempt = refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: body as never });
    await expect(attempt).rejects.toBeInstanceOf(NotificationBodyError);
    await expect(attempt).rejects.toMatchObject({ code: 'notification_body_invalid', message: expect.stringMatching(why) });
    await expect(attempt).rejects.toThrow(/raw bytes/);
    expect(await ledger.history(refund)).toEqual(history);
  });

  it('get with another account\'s key is refused: this instance never reads another account\'s refund', async () => {
    const { refunds, refund } = await pendingEasypay();
    await expect(refunds.get({ ...refund, account: 'another-merchant' })).rejects.toBeInstanceOf(UnknownAccountError);
    await expect(refunds.history({ ...refund, account: 'another-merchant' })).rejects.toMatchObject({ code: 'account_unknown' });
    expect((await refunds.get({ ...refund, account: refund.account })).refundId).toBe(refund.refundId);
  });

  it('a notification about a refund the ledger never saw is kept, then acknowledged, with no refund', async () => {
    const { refunds } = await pendingEasypay();
    const handled = await refunds.handleNotification('easypay', { headers: JSON_HEADERS, rawBody: easypayNotification({ refundId: 'someone-else', transState: '0' }) });
    expect(handled).toEqual({ outcome: 'unmatched', changed: false, unmatched: expect.objectContaining({ refundId: 'someone-else', deliveries: 1 }), ack: EASYPAY_ACK });
    expect(await refunds.unmatchedNotifications()).toEqual([handled.unmatched]);
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
    expect(first).toMatchObject({ outcome: 'applied', changed: true });
    expect(second).toEqual({ ...first, outcome: 'duplicate', changed: false });
    expect(third).toEqual({ ...first, outcome: 'duplicate', changed: false });
    expect(script.calls).toHaveLength(2);
  });

  it('a notification whose ti-signature does not match is refused', async () => {
    const { refunds } = await pendingTipay();
    const forged = tipayNotification('SUCCESS', { signed: true });
    forged.headers['ti-signature'] = 'f'.repeat(64);
    const handled = await refunds.handleNotification('tipay', forged);
    expect(handled).toMatchObject({ outcome: 'refused', changed: false, ack: { status: 400, body: 'FAIL' }, refund: { status: 'pending' } });
  });

  it('a signed notification naming another merchant is refused and never applied to this merchant\'s refund of the same number', async () => {
    const { script, refunds, refund } = await pendingTipay();
    const handled = await refunds.handleNotification('tipay', tipayNotification('SUCCESS', { signed: true, merchantNo: '10099999999' }));
    expect(handled).toMatchObject({ outcome: 'refused', changed: false });
    expect(handled.refund).toBeUndefined();
    expect((await refunds.history(refund)).some((e) => e.source === 'notification')).toBe(false);
    expect(script.calls).toHaveLength(1);
  });

  it('a signed notification with another amount is refused by the echo rule', async () => {
    const { refunds } = await pendingTipay();
    const handled = await refunds.handleNotification('tipay', tipayNotification('SUCCESS', { signed: true, amount: '99.00' }));
    expect(handled).toMatchObject({ outcome: 'refused', refund: { status: 'pending' } });
    expect(handled.failure?.message).toMatch(/refundAmount 9900/);
  });

  it('unsigned hints cause at most the configured number of queries: the rest are deferred and answered so Ti-Pay delivers again', async () => {
    const script = scripted(tipayAnswer('PROCESSING'), ...Array.from({ length: 10 }, () => tipayAnswer('PROCESSING')));
    const refunds = facade('tipay', script, { notificationQueries: { perSecond: 0.001, burst: 3 } });
    await refunds.refund(input('tipay'));
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) outcomes.push((await refunds.handleNotification('tipay', tipayNotification('SUCCESS', { signed: false }))).outcome);
    expect(outcomes.filter((o) => o === 'deferred')).toHaveLength(17);
    expect(script.calls).toHaveLength(1 + 3);
  });
});

describe('providers without modelled notifications', () => {
  it.each(['eftpay', 'lianke', 'yima'] as const)('%s: handleNotification is a NotFoundError', async (provider) => {
    const refunds = facade(provider, scripted());
    // Plain JS (the types refuse it): the facade still refuses at run time.
    await expect(refunds.handleNotification(provider as never, { headers: {}, rawBody: '{}' })).rejects.toBeInstanceOf(NotFoundError);
  });
});
