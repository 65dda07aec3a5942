/**
 * Notification faults, each delivered as described, to a receiver on 127.0.0.1 that checks what
 * it gets as a merchant would (EasyPay's reqSign with EasyPay's public key, Ti-Pay's ti-signature
 * with the AppKey, the amount and merchant against the refund) and acknowledges only what passes.
 * Faults are armed through the control endpoint, as `refundkit sandbox` users do, except where
 * the in-process options are the point.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as easypay from '@refundkit/easypay';
import { createEasypaySigner, tipaySignature } from '@refundkit/signing';
import * as tipay from '@refundkit/tipay';
import { OTHER_MERCHANT, startSandbox, type DeliveryRecord, type Sandbox, type SandboxOptions } from '../src/index.js';
import { easypayDriver, tipayDriver } from './support/drivers.js';
import { control } from './support/http.js';
import { startReceiver, type Receiver } from './support/receiver.js';

const EASYPAY_ACK = '{"code":"000000","msg":"Success"}';

let sandbox: Sandbox | undefined;
let receiver: Receiver | undefined;

afterEach(async () => {
  await sandbox?.close();
  await receiver?.close();
  expect(sandbox?.errors() ?? []).toEqual([]);
  sandbox = receiver = undefined;
});

async function start(options: SandboxOptions = {}): Promise<Sandbox> {
  sandbox = await startSandbox({ notifications: { backoffMs: 10, maxAttempts: 5 }, ...options });
  return sandbox;
}

async function arm(s: Sandbox, fault: Record<string, unknown>): Promise<void> {
  const armed = await control(`${s.controlUrl}/notification-faults`, 'POST', fault);
  expect(armed.status, JSON.stringify(armed.value)).toBe(201);
}

/** What a careful merchant checks in an EasyPay notification. */
function easypayCheck(s: Sandbox, body: string, expected: { refundNo: string; amount: number }): { signed: boolean; amount: unknown; merchant: unknown; valid: boolean } {
  const message = JSON.parse(body);
  expect(easypay.validators['refundNotification.request'](message)).toBe(true);
  const signed = createEasypaySigner({ easypayPublicKey: s.credentials.easypay.easypayPublicKeyPem }).verifyNotification(message).valid;
  const order = message.reqBody.respOrderInfo;
  return { signed, amount: order.refundAmount, merchant: order.mchtCode, valid: signed && order.orgTrace === expected.refundNo && order.refundAmount === expected.amount && order.mchtCode === s.credentials.easypay.mchtCode };
}

/** What a careful merchant checks in a Ti-Pay notification (unsigned, unless someone added ti-* headers). */
function tipayCheck(s: Sandbox, delivered: Receiver['received'][number], expected: { refundNo: string; amount: string }) {
  const message = JSON.parse(delivered.body);
  expect(tipay.validators['refundNotification.request'](message)).toBe(true);
  const signature = delivered.headers['ti-signature'] as string | undefined;
  const timestamp = delivered.headers['ti-timestamp'] as string | undefined;
  const signatureOk = signature === undefined || (timestamp !== undefined && signature === tipaySignature(delivered.body, timestamp, s.credentials.tipay.appKey));
  return {
    signature,
    signatureOk,
    amount: message.refundAmount,
    merchant: message.merchantNo,
    valid: signatureOk && message.refundRequestId === expected.refundNo && message.refundAmount === expected.amount && message.merchantNo === s.credentials.tipay.merchantNo,
  };
}

/** A receiver that acknowledges only what `check` accepts, with the provider's documented ack (`'auto'`: by the body's shape). */
async function checkingReceiver(ack: string, check: (delivered: Receiver['received'][number]) => boolean): Promise<Receiver> {
  let self: Receiver | undefined;
  const ackOf = (body: string): string => (ack !== 'auto' ? ack : 'reqHeader' in JSON.parse(body) ? EASYPAY_ACK : 'SUCCESS');
  self = await startReceiver((n) => {
    const delivered = self!.received[n - 1]!;
    return check(delivered) ? { status: 200, body: ackOf(delivered.body) } : { status: 400, body: 'refused' };
  });
  return self;
}

const summary = (deliveries: DeliveryRecord[]) => deliveries.map((d) => ({ attempt: d.attempt, duplicate: d.duplicate, fault: d.fault, acked: d.acked }));

describe('body faults strike one try; the retry after it is genuine', () => {
  it('easypay bad-signature: a well-formed reqSign that does not verify, refused; then the genuine one', async () => {
    const s = await start();
    const refundNo = easypayDriver.newRefundNo();
    receiver = await checkingReceiver(EASYPAY_ACK, (d) => easypayCheck(s, d.body, { refundNo, amount: 300 }).valid);
    await arm(s, { provider: 'easypay', fault: 'bad-signature', refundNo });
    await easypayDriver.sendRefund(s, { refundNo, orderId: 'EP-PAID-0001', amount: 300, notifyUrl: receiver.url });
    await s.notificationsIdle();

    expect(summary(s.notifications())).toEqual([
      { attempt: 1, duplicate: false, fault: 'bad-signature', acked: false },
      { attempt: 2, duplicate: false, fault: undefined, acked: true },
    ]);
    const [forged, genuine] = receiver.received.map((d) => easypayCheck(s, d.body, { refundNo, amount: 300 }));
    expect(forged).toMatchObject({ signed: false, amount: 300 });
    expect(JSON.parse(receiver.received[0]!.body).reqSign).toMatch(/^[A-Za-z0-9+/]{342}==$/);
    expect(genuine).toMatchObject({ signed: true, valid: true });
  });

  it('tipay bad-signature: ti-* headers whose digest is not the body’s, refused; then the genuine one, unsigned', async () => {
    const s = await start();
    const refundNo = tipayDriver.newRefundNo();
    receiver = await checkingReceiver('SUCCESS', (d) => tipayCheck(s, d, { refundNo, amount: '3.00' }).valid);
    await arm(s, { provider: 'tipay', fault: 'bad-signature' });
    await tipayDriver.sendRefund(s, { refundNo, orderId: 'TP-PAID-0001', amount: 300, notifyUrl: receiver.url });
    await s.notificationsIdle();

    const [forged, genuine] = receiver.received.map((d) => tipayCheck(s, d, { refundNo, amount: '3.00' }));
    expect(forged).toMatchObject({ signature: expect.stringMatching(/^[0-9a-f]{64}$/), signatureOk: false, amount: '3.00' });
    expect(receiver.received[0]!.headers['ti-appid']).toBe(s.credentials.tipay.appId);
    expect(genuine).toMatchObject({ signature: undefined, valid: true });
    expect(summary(s.notifications()).map((d) => [d.fault, d.acked])).toEqual([
      ['bad-signature', false],
      [undefined, true],
    ]);
  });

  it('easypay altered-amount: correctly signed, but 1 fen more than the refund', async () => {
    const s = await start();
    const refundNo = easypayDriver.newRefundNo();
    receiver = await checkingReceiver(EASYPAY_ACK, (d) => easypayCheck(s, d.body, { refundNo, amount: 321 }).valid);
    await arm(s, { fault: 'altered-amount', refundNo });
    await easypayDriver.sendRefund(s, { refundNo, orderId: 'EP-PAID-0001', amount: 321, notifyUrl: receiver.url });
    await s.notificationsIdle();

    const [altered, genuine] = receiver.received.map((d) => easypayCheck(s, d.body, { refundNo, amount: 321 }));
    expect(altered).toMatchObject({ signed: true, amount: 322, valid: false });
    expect(JSON.parse(receiver.received[0]!.body).reqBody.settleRespParamInfo.settleAmt).toBe(322);
    expect(genuine).toMatchObject({ signed: true, amount: 321, valid: true });
    expect(s.notifications().map((d) => d.fault)).toEqual(['altered-amount', undefined]);
  });

  it('tipay altered-amount: as authentic as a genuine one (unsigned), 0.01 more', async () => {
    const s = await start();
    const refundNo = tipayDriver.newRefundNo();
    receiver = await checkingReceiver('SUCCESS', (d) => tipayCheck(s, d, { refundNo, amount: '1.23' }).valid);
    await arm(s, { provider: 'tipay', fault: 'altered-amount' });
    await tipayDriver.sendRefund(s, { refundNo, orderId: 'TP-PAID-0001', amount: 123, notifyUrl: receiver.url });
    await s.notificationsIdle();

    const [altered, genuine] = receiver.received.map((d) => tipayCheck(s, d, { refundNo, amount: '1.23' }));
    expect(altered).toMatchObject({ signature: undefined, amount: '1.24', valid: false });
    expect(JSON.parse(receiver.received[0]!.body).refundAccountDetail).toBe('[{"accountType":"FUND_ACCOUNT","debitAmount":1.24}]');
    expect(genuine).toMatchObject({ amount: '1.23', valid: true });
  });

  it('wrong-merchant: correctly signed (easypay) or as authentic as any (tipay), naming another merchant', async () => {
    const s = await start();
    const epRefund = easypayDriver.newRefundNo();
    const tpRefund = tipayDriver.newRefundNo();
    receiver = await checkingReceiver('auto', () => true);
    await arm(s, { fault: 'wrong-merchant', times: 2 });
    await easypayDriver.sendRefund(s, { refundNo: epRefund, orderId: 'EP-PAID-0001', amount: 100, notifyUrl: receiver.url });
    await tipayDriver.sendRefund(s, { refundNo: tpRefund, orderId: 'TP-PAID-0001', amount: 100, notifyUrl: receiver.url });
    await s.notificationsIdle();

    // Each acknowledged at its only delivery: deliveries and receipts pair up by their refund number.
    expect(s.notifications().map((d) => [d.attempt, d.acked])).toEqual([[1, true], [1, true]]);
    const byProvider = Object.fromEntries(receiver.received.map((d) => [JSON.parse(d.body).reqHeader ? 'easypay' : 'tipay', d]));
    expect(easypayCheck(s, byProvider['easypay']!.body, { refundNo: epRefund, amount: 100 })).toMatchObject({ signed: true, merchant: OTHER_MERCHANT.easypay, valid: false });
    expect(tipayCheck(s, byProvider['tipay']!, { refundNo: tpRefund, amount: '1.00' })).toMatchObject({ merchant: OTHER_MERCHANT.tipay, valid: false });
    expect(s.notifications().map((d) => d.fault)).toEqual(['wrong-merchant', 'wrong-merchant']);
    expect((await control(`${s.controlUrl}/notification-faults`, 'GET')).value).toMatchObject({ faults: [] });
  });

  it('several body faults armed for one notification strike successive tries, in the order armed; then it is genuine', async () => {
    const s = await start();
    const refundNo = easypayDriver.newRefundNo();
    receiver = await checkingReceiver(EASYPAY_ACK, (d) => easypayCheck(s, d.body, { refundNo, amount: 200 }).valid);
    await arm(s, { fault: 'bad-signature', refundNo });
    await arm(s, { fault: 'wrong-merchant', refundNo });
    await arm(s, { fault: 'altered-amount', refundNo });
    await easypayDriver.sendRefund(s, { refundNo, orderId: 'EP-PAID-0001', amount: 200, notifyUrl: receiver.url });
    await s.notificationsIdle();

    expect(summary(s.notifications()).map((d) => [d.fault, d.acked])).toEqual([
      ['bad-signature', false],
      ['wrong-merchant', false],
      ['altered-amount', false],
      [undefined, true],
    ]);
    expect(receiver.received.map((d) => easypayCheck(s, d.body, { refundNo, amount: 200 }))).toMatchObject([
      { signed: false },
      { signed: true, merchant: OTHER_MERCHANT.easypay },
      { signed: true, amount: 201 },
      { signed: true, valid: true },
    ]);
  });

  it('a fault armed for one refund number leaves the others genuine', async () => {
    const s = await start();
    const [r1, r2] = [tipayDriver.newRefundNo(), tipayDriver.newRefundNo()];
    receiver = await checkingReceiver('SUCCESS', () => true);
    await arm(s, { provider: 'tipay', fault: 'bad-signature', refundNo: r2 });
    await tipayDriver.sendRefund(s, { refundNo: r1, orderId: 'TP-PAID-0001', amount: 100, notifyUrl: receiver.url });
    await s.notificationsIdle();
    await tipayDriver.sendRefund(s, { refundNo: r2, orderId: 'TP-PAID-0001', amount: 100, notifyUrl: receiver.url });
    await s.notificationsIdle();
    expect(s.notifications().map((d) => [d.refundNo, d.fault])).toEqual([
      [r1, undefined],
      [r2, 'bad-signature'],
    ]);
  });
});

describe('delivery faults', () => {
  it('duplicate: once acknowledged, the very same bytes are delivered count more times', async () => {
    const s = await start();
    const refundNo = easypayDriver.newRefundNo();
    receiver = await checkingReceiver(EASYPAY_ACK, (d) => easypayCheck(s, d.body, { refundNo, amount: 150 }).valid);
    await arm(s, { provider: 'easypay', fault: 'duplicate', count: 2 });
    await easypayDriver.sendRefund(s, { refundNo, orderId: 'EP-PAID-0001', amount: 150, notifyUrl: receiver.url });
    await s.notificationsIdle();

    expect(summary(s.notifications())).toEqual([
      { attempt: 1, duplicate: false, fault: undefined, acked: true },
      { attempt: 2, duplicate: true, fault: 'duplicate', acked: true },
      { attempt: 3, duplicate: true, fault: 'duplicate', acked: true },
    ]);
    expect(new Set(receiver.received.map((d) => d.body)).size).toBe(1);
  });

  it('duplicate with the duplicates option: the fault’s redeliveries (same bytes) come first, then the option’s (built again: a new reqId)', async () => {
    const s = await start({ notifications: { backoffMs: 5, duplicates: 1 } });
    const refundNo = easypayDriver.newRefundNo();
    receiver = await checkingReceiver(EASYPAY_ACK, () => true);
    await arm(s, { fault: 'duplicate' });
    await easypayDriver.sendRefund(s, { refundNo, orderId: 'EP-PAID-0001', amount: 150, notifyUrl: receiver.url });
    await s.notificationsIdle();
    const reqIds = receiver.received.map((d) => JSON.parse(d.body).reqHeader.reqId as string);
    expect(s.notifications().map((d) => d.fault)).toEqual([undefined, 'duplicate', undefined]);
    expect(reqIds[1]).toBe(reqIds[0]);
    expect(reqIds[2]).not.toBe(reqIds[0]);
  });

  it('delay: the delayed notification is overtaken by a later refund’s, and still delivered in the end', async () => {
    const s = await start();
    const [slow, fast] = [tipayDriver.newRefundNo(), tipayDriver.newRefundNo()];
    let fastDelivered: () => void = () => {};
    const fastArrived = new Promise<void>((resolve) => (fastDelivered = resolve));
    receiver = await checkingReceiver('SUCCESS', (d) => {
      if (JSON.parse(d.body).refundRequestId === fast) fastDelivered();
      return true;
    });
    await arm(s, { provider: 'tipay', fault: 'delay', refundNo: slow, ms: 400 });
    await tipayDriver.sendRefund(s, { refundNo: slow, orderId: 'TP-PAID-0001', amount: 100, notifyUrl: receiver.url });
    await tipayDriver.sendRefund(s, { refundNo: fast, orderId: 'TP-PAID-0001', amount: 100, notifyUrl: receiver.url });
    await fastArrived;
    expect(receiver.received.map((d) => JSON.parse(d.body).refundRequestId)).toEqual([fast]);

    await s.notificationsIdle();
    expect(s.notifications().map((d) => [d.refundNo, d.fault, d.acked])).toEqual([
      [fast, undefined, true],
      [slow, 'delay', true],
    ]);
  });
});

describe('arming', () => {
  it('startSandbox({ notificationFaults }) with always: every notification, until cleared', async () => {
    const s = await start({ notificationFaults: [{ fault: 'bad-signature', always: true }] });
    receiver = await checkingReceiver('SUCCESS', (d) => d.headers['ti-signature'] === undefined);
    for (const refundNo of [tipayDriver.newRefundNo(), tipayDriver.newRefundNo()]) {
      await tipayDriver.sendRefund(s, { refundNo, orderId: 'TP-PAID-0001', amount: 100, notifyUrl: receiver.url });
      await s.notificationsIdle();
    }
    expect(s.notifications().map((d) => d.fault)).toEqual(['bad-signature', undefined, 'bad-signature', undefined]);
    expect(s.armedNotificationFaults()).toMatchObject([{ fault: 'bad-signature', provider: 'any', remaining: null }]);
    expect((await control(`${s.controlUrl}/notification-faults`, 'DELETE')).value).toEqual({ cleared: 1 });
    expect(s.armedNotificationFaults()).toEqual([]);
  });

  it('GET lists what is armed, with its defaults', async () => {
    const s = await start();
    await arm(s, { fault: 'delay' });
    await arm(s, { fault: 'duplicate', provider: 'tipay', times: 3 });
    expect((await control(`${s.controlUrl}/notification-faults`, 'GET')).value.faults).toMatchObject([
      { fault: 'delay', provider: 'any', remaining: 1, ms: 1000 },
      { fault: 'duplicate', provider: 'tipay', remaining: 3, count: 1 },
    ]);
  });

  it.each([
    [{ fault: 'lost' }, /fault must be one of duplicate, delay, bad-signature, altered-amount, wrong-merchant/],
    [{ fault: 'delay', provider: 'eftpay' }, /eftpay sends no notifications/],
    [{ fault: 'delay', provider: 'nobody' }, /provider must be one of/],
    [{ fault: 'duplicate', ms: 10 }, /ms applies to delay only/],
    [{ fault: 'delay', count: 2 }, /count applies to duplicate only/],
    [{ fault: 'delay', ms: 600_001 }, /at most|from 0 to 600000/],
    [{ fault: 'duplicate', count: 11 }, /from 1 to 10/],
    [{ fault: 'delay', times: 0 }, /times must be a positive integer/],
    [{ fault: 'delay', times: 2, always: true }, /either times or always/],
    [{ fault: 'delay', when: 'later' }, /unknown field\(s\) when/],
  ])('%j is a 400 naming the problem, and nothing is armed', async (fault, message) => {
    const s = await start();
    const answer = await control(`${s.controlUrl}/notification-faults`, 'POST', fault);
    expect(answer.status).toBe(400);
    expect(answer.value.sandboxError).toMatch(message);
    expect(s.armedNotificationFaults()).toEqual([]);
  });
});
