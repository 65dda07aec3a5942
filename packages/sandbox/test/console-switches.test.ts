/**
 * The control endpoints behind the console's switches (issue 24): decide a pending refund now
 * (the next query answers the outcome), deliver a refund's notification again (once, twice, later).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.js';
import { easypayDriver, tipayDriver } from './support/drivers.js';
import { control } from './support/http.js';
import { startReceiver, type Receiver } from './support/receiver.js';

let sandbox: Sandbox | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await sandbox?.close();
  await receiver?.close();
  expect(sandbox?.errors() ?? []).toEqual([]);
  sandbox = receiver = undefined;
});

describe('POST /__sandbox/refunds/settle', () => {
  it('decides a pending refund now: succeeded or failed; a final one cannot be decided again', async () => {
    // Refunds stay pending for a minute unless decided.
    const s = (sandbox = await startSandbox({ delayMs: 60_000 }));
    const [one, two] = [tipayDriver.newRefundNo(), tipayDriver.newRefundNo()];
    await tipayDriver.sendRefund(s, { refundNo: one, orderId: 'TP-PAID-0001', amount: 100 });
    await tipayDriver.sendRefund(s, { refundNo: two, orderId: 'TP-PAID-0001', amount: 200 });
    expect(s.refund('tipay', one)?.phase).toBe('pending');

    const succeeded = await control(`${s.controlUrl}/refunds/settle`, 'POST', { provider: 'tipay', refundNo: one, outcome: 'succeeded' });
    expect(succeeded.status).toBe(200);
    expect(s.refund('tipay', one)?.phase).toBe('succeeded');
    const failed = await control(`${s.controlUrl}/refunds/settle`, 'POST', { provider: 'tipay', refundNo: two, outcome: 'failed' });
    expect(failed.status).toBe(200);
    expect(s.refund('tipay', two)?.phase).toBe('failed');
    // A failed refund gives its amount back to the order.
    expect(s.refundedTotal('tipay', 'TP-PAID-0001')).toBe(100);

    const again = await control(`${s.controlUrl}/refunds/settle`, 'POST', { provider: 'tipay', refundNo: one, outcome: 'failed' });
    expect(again.status).toBe(400);
    expect(JSON.stringify(again.value)).toContain('already succeeded');
    expect((await control(`${s.controlUrl}/refunds/settle`, 'POST', { provider: 'tipay', refundNo: one, outcome: 'maybe' })).status).toBe(400);
    expect((await control(`${s.controlUrl}/refunds/settle`, 'POST', { provider: 'tipay', refundNo: 'NOPE', outcome: 'failed' })).status).toBe(400);
  });
});

describe('POST /__sandbox/notifications/redeliver', () => {
  it("delivers a refund's notification again: once, twice (a duplicate), and not for a refund that had none", async () => {
    const s = (sandbox = await startSandbox({ notifications: { backoffMs: 10 } }));
    receiver = await startReceiver(() => ({ status: 200, body: '{"code":"000000","msg":"Success"}' }));
    const refundNo = easypayDriver.newRefundNo();
    await easypayDriver.sendRefund(s, { refundNo, orderId: 'EP-PAID-0001', amount: 100, notifyUrl: receiver.url });
    await s.notificationsIdle();
    expect(s.notifications()).toHaveLength(1);

    expect((await control(`${s.controlUrl}/notifications/redeliver`, 'POST', { provider: 'easypay', refundNo })).status).toBe(200);
    await s.notificationsIdle();
    expect(s.notifications()).toHaveLength(2);
    expect((await control(`${s.controlUrl}/notifications/redeliver`, 'POST', { provider: 'easypay', refundNo, copies: 2 })).status).toBe(200);
    await s.notificationsIdle();
    expect(s.notifications()).toHaveLength(4);
    expect(s.notifications().every((d) => d.acked && d.refundNo === refundNo)).toBe(true);
    expect(receiver.received).toHaveLength(4);

    const none = await control(`${s.controlUrl}/notifications/redeliver`, 'POST', { provider: 'easypay', refundNo: 'NEVER-NOTIFIED' });
    expect(none.status).toBe(404);
    expect((await control(`${s.controlUrl}/notifications/redeliver`, 'POST', { provider: 'easypay', refundNo, copies: 0 })).status).toBe(400);
  });
});
