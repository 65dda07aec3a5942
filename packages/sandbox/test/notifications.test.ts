/**
 * Result notifications (Ti-Pay notifyUrl, EasyPay backUrl) delivered to a real receiver on
 * 127.0.0.1: their shape and signature, retries until acknowledged (bounded), duplicates,
 * the final state after the delay, and nothing left running after close().
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEasypaySigner } from '@refundkit/signing';
import * as easypay from '@refundkit/easypay';
import * as tipay from '@refundkit/tipay';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/index.js';
import { easypayDriver, tipayDriver } from './support/drivers.js';
import { startReceiver, type Receiver } from './support/receiver.js';

const EASYPAY_ACK = JSON.stringify({ code: '000000', msg: 'Success' });

describe('notifications', () => {
  let sandbox: Sandbox | undefined;
  let receiver: Receiver | undefined;

  afterEach(async () => {
    await sandbox?.close();
    await receiver?.close();
    expect(sandbox?.errors() ?? []).toEqual([]);
    sandbox = undefined;
    receiver = undefined;
  });

  async function start(options: SandboxOptions = {}): Promise<Sandbox> {
    sandbox = await startSandbox({ notifications: { backoffMs: 20, maxAttempts: 5 }, ...options });
    return sandbox;
  }

  it('tipay: POSTs the final state to notifyUrl, unsigned, and stops at the SUCCESS acknowledgement', async () => {
    receiver = await startReceiver(() => ({ status: 200, body: 'SUCCESS' }));
    const s = await start();
    const refundNo = tipayDriver.newRefundNo();
    const answer = tipayDriver.read(s, 'refund', await tipayDriver.sendRefund(s, { refundNo, orderId: 'TP-PAID-0001', amount: 1234, notifyUrl: receiver.url }));
    expect(answer.phase).toBe('pending');
    await s.notificationsIdle();

    expect(receiver.received).toHaveLength(1);
    const delivered = receiver.received[0]!;
    expect(delivered.headers['content-type']).toMatch(/^application\/json/);
    expect(delivered.headers['ti-signature']).toBeUndefined();
    const body = JSON.parse(delivered.body);
    expect(tipay.validators['refundNotification.request'](body)).toBe(true);
    expect(body).toMatchObject({ refundRequestId: refundNo, orderId: 'TP-PAID-0001', status: 'SUCCESS', refundAmount: '12.34' });
    expect(s.notifications()).toMatchObject([{ provider: 'tipay', refundNo, attempt: 1, status: 200, acked: true, duplicate: false }]);
  });

  it('tipay: retries until acknowledged, waiting longer each time', async () => {
    const answers = [{ status: 500, body: 'oops' }, { status: 200, body: 'FAIL' }, { status: 200, body: 'SUCCESS' }];
    receiver = await startReceiver((n) => answers[n - 1] ?? { status: 200, body: 'SUCCESS' });
    const s = await start();
    await tipayDriver.sendRefund(s, { refundNo: tipayDriver.newRefundNo(), orderId: 'TP-PAID-0001', amount: 100, notifyUrl: receiver.url });
    await s.notificationsIdle();

    expect(receiver.received).toHaveLength(3);
    const log = s.notifications();
    expect(log.map((d) => [d.attempt, d.status, d.acked])).toEqual([[1, 500, false], [2, 200, false], [3, 200, true]]);
    const gaps = [log[1]!.at - log[0]!.at, log[2]!.at - log[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
  });

  it('gives up after maxAttempts when never acknowledged', async () => {
    receiver = await startReceiver(() => ({ status: 503, body: 'busy' }));
    const s = await start({ notifications: { backoffMs: 5, maxAttempts: 3 } });
    await tipayDriver.sendRefund(s, { refundNo: tipayDriver.newRefundNo(), orderId: 'TP-PAID-0001', amount: 100, notifyUrl: receiver.url });
    await s.notificationsIdle();
    await new Promise((r) => setTimeout(r, 60));
    expect(receiver.received).toHaveLength(3);
    expect(s.notifications().every((d) => !d.acked)).toBe(true);
  });

  it('delivers duplicates after the acknowledgement when asked to', async () => {
    receiver = await startReceiver(() => ({ status: 200, body: 'SUCCESS' }));
    const s = await start({ notifications: { backoffMs: 5, duplicates: 2 } });
    const refundNo = tipayDriver.newRefundNo();
    await tipayDriver.sendRefund(s, { refundNo, orderId: 'TP-PAID-0001', amount: 100, notifyUrl: receiver.url });
    await s.notificationsIdle();
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => JSON.parse(r.body).refundRequestId))).toEqual(new Set([refundNo]));
    expect(s.notifications().map((d) => d.duplicate)).toEqual([false, true, true]);
  });

  it('notifies once per refund: a replay of the same refund number sends nothing more', async () => {
    receiver = await startReceiver(() => ({ status: 200, body: 'SUCCESS' }));
    const s = await start();
    const args = { refundNo: tipayDriver.newRefundNo(), orderId: 'TP-PAID-0001', amount: 100, notifyUrl: receiver.url };
    await tipayDriver.sendRefund(s, args);
    await s.notificationsIdle();
    await tipayDriver.sendRefund(s, args);
    await s.notificationsIdle();
    expect(receiver.received).toHaveLength(1);
  });

  it('waits delayMs, then notifies the final state (FAILED after fail-refund)', async () => {
    receiver = await startReceiver(() => ({ status: 200, body: 'SUCCESS' }));
    const s = await start({ delayMs: 150 });
    const refundNo = tipayDriver.newRefundNo();
    s.armFault({ provider: 'tipay', fault: 'fail-refund', refundNo });
    const sent = Date.now();
    await tipayDriver.sendRefund(s, { refundNo, orderId: 'TP-PAID-0001', amount: 100, notifyUrl: receiver.url });
    expect(receiver.received).toHaveLength(0);
    await s.notificationsIdle();
    expect(Date.now() - sent).toBeGreaterThanOrEqual(140);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ refundRequestId: refundNo, status: 'FAILED' });
  });

  it('sends nothing to a host that is not loopback, and says so', async () => {
    const s = await start();
    const refundNo = tipayDriver.newRefundNo();
    const answer = tipayDriver.read(s, 'refund', await tipayDriver.sendRefund(s, { refundNo, orderId: 'TP-PAID-0001', amount: 100, notifyUrl: 'http://example.com/notify' }));
    expect(answer.accepted).toBe(true);
    await s.notificationsIdle();
    expect(s.notifications()).toMatchObject([{ refundNo, attempt: 0, acked: false, error: expect.stringMatching(/loopback/) }]);
  });

  it('easypay: POSTs a reqSign-signed notification to backUrl, retried until {"code":"000000"}', async () => {
    const answers = [{ status: 200, body: JSON.stringify({ code: '100001', msg: 'Fail' }) }, { status: 200, body: EASYPAY_ACK }];
    receiver = await startReceiver((n) => answers[n - 1] ?? { status: 200, body: EASYPAY_ACK });
    const s = await start();
    const refundNo = easypayDriver.newRefundNo();
    await easypayDriver.sendRefund(s, { refundNo, orderId: 'EP-PAID-0001', amount: 321, notifyUrl: receiver.url });
    await s.notificationsIdle();

    expect(receiver.received).toHaveLength(2);
    const body = JSON.parse(receiver.received[1]!.body);
    expect(easypay.validators['refundNotification.request'](body)).toBe(true);
    const verifier = createEasypaySigner({ easypayPublicKey: s.credentials.easypay.easypayPublicKeyPem });
    expect(verifier.verifyNotification(body)).toEqual({ valid: true });
    expect(body.reqBody).toMatchObject({
      respStateInfo: { respCode: '000000', transState: '0' },
      respOrderInfo: { orgTrace: refundNo, oriOrgTrace: 'EP-PAID-0001', refundAmount: 321 },
    });
    // A notification signed by anyone else would not verify.
    const other = createEasypaySigner({ easypayPublicKey: s.credentials.easypay.merchantPublicKeyPem });
    expect(other.verifyNotification(body).valid).toBe(false);
    expect(s.notifications().map((d) => d.acked)).toEqual([false, true]);
  });

  it('close() cancels notifications still waiting, and nothing is delivered afterwards', async () => {
    receiver = await startReceiver(() => ({ status: 200, body: 'SUCCESS' }));
    const s = await start({ delayMs: 300 });
    await tipayDriver.sendRefund(s, { refundNo: tipayDriver.newRefundNo(), orderId: 'TP-PAID-0001', amount: 100, notifyUrl: receiver.url });
    await s.close();
    await s.notificationsIdle();
    await new Promise((r) => setTimeout(r, 400));
    expect(receiver.received).toHaveLength(0);
    expect(s.notifications()).toEqual([]);
  });
});
