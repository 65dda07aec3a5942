/**
 * The contract rules, for all five providers, over real HTTP: authentication and schema
 * checks answered in the provider's own error shape, the refund rules of the ledger, and the
 * asynchronous progression of a refund's state. Every answer read is validated against the
 * provider's response schema (and its signature) by the driver.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.js';
import { DRIVERS, type Driver } from './support/drivers.js';

describe.each(DRIVERS.map((d) => [d.provider, d] as const))('%s', (_name, driver: Driver) => {
  let sandbox: Sandbox;
  /** The sandbox's clock runs this far ahead of the real one: tests move time by raising it. */
  let offset = 0;

  beforeEach(async () => {
    offset = 0;
    sandbox = await startSandbox({ delayMs: 60_000, clock: () => Date.now() + offset });
  });
  afterEach(async () => {
    await sandbox.close();
    expect(sandbox.errors()).toEqual([]);
  });

  const settle = (): void => {
    offset += 60_000;
  };

  it('accepts a valid signed refund and records it', async () => {
    const refundNo = driver.newRefundNo();
    const answer = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo, orderId: driver.paidOrder, amount: 1050 }));
    expect(answer.accepted).toBe(true);
    expect(answer.phase).toBe(driver.asyncResult ? 'pending' : 'succeeded');
    expect(answer.amount).toBe(1050);
    expect(sandbox.refundedTotal(driver.provider, driver.paidOrder)).toBe(1050);
    expect(sandbox.refund(driver.provider, refundNo)).toMatchObject({ orderId: driver.paidOrder, amount: 1050, attempt: 1 });
    expect(sandbox.requestsReceived(driver.provider, refundNo)).toBe(1);
  });

  it('refuses a request that fails authentication, in its own error shape, and records nothing', async () => {
    const refundNo = driver.newRefundNo();
    const answer = driver.read(sandbox, 'refund', await driver.sendUnauthenticated(sandbox, { refundNo, orderId: driver.paidOrder, amount: 100 }));
    expect(answer).toMatchObject({ accepted: false, code: driver.codes.unauthenticated });
    expect(sandbox.refunds(driver.provider)).toEqual([]);
    expect(sandbox.requestsReceived(driver.provider, refundNo)).toBe(0);
    expect(sandbox.requests().at(-1)).toMatchObject({ provider: driver.provider, outcome: 'rejected' });
  });

  it('refuses a signed request that breaks the schema, in its own error shape', async () => {
    const answer = driver.read(sandbox, 'refund', await driver.sendBadSchema(sandbox, { refundNo: driver.newRefundNo(), orderId: driver.paidOrder, amount: 100 }));
    expect(answer).toMatchObject({ accepted: false, code: driver.codes.badRequest });
    expect(sandbox.refunds(driver.provider)).toEqual([]);
    expect(sandbox.requests().at(-1)?.reason).toMatch(/^schema: /);
  });

  it('refuses a refund of an unknown order', async () => {
    const answer = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo: driver.newRefundNo(), orderId: driver.newOrderId(), amount: 100 }));
    expect(answer).toMatchObject({ accepted: false, code: driver.codes.orderNotFound });
    expect(sandbox.refunds(driver.provider)).toEqual([]);
  });

  it('refuses a refund of an unpaid order', async () => {
    const answer = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo: driver.newRefundNo(), orderId: driver.unpaidOrder, amount: 100 }));
    expect(answer).toMatchObject({ accepted: false, code: driver.codes.orderNotPaid });
    expect(sandbox.refundedTotal(driver.provider, driver.unpaidOrder)).toBe(0);
  });

  it('refuses a refund larger than the order', async () => {
    const answer = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo: driver.newRefundNo(), orderId: driver.smallOrder, amount: 2501 }));
    expect(answer).toMatchObject({ accepted: false, code: driver.codes.exceedsRefundable });
    expect(sandbox.refundedTotal(driver.provider, driver.smallOrder)).toBe(0);
  });

  it('accumulates partial refunds up to the order and refuses the one that would exceed it', async () => {
    const first = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo: driver.newRefundNo(), orderId: driver.smallOrder, amount: 1000 }));
    const second = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo: driver.newRefundNo(), orderId: driver.smallOrder, amount: 1000 }));
    expect([first.accepted, second.accepted]).toEqual([true, true]);
    expect(sandbox.refundedTotal(driver.provider, driver.smallOrder)).toBe(2000);

    const over = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo: driver.newRefundNo(), orderId: driver.smallOrder, amount: 501 }));
    expect(over).toMatchObject({ accepted: false, code: driver.codes.exceedsRefundable });

    const rest = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo: driver.newRefundNo(), orderId: driver.smallOrder, amount: 500 }));
    expect(rest.accepted).toBe(true);
    expect(sandbox.refundedTotal(driver.provider, driver.smallOrder)).toBe(2500);
    expect(sandbox.refunds(driver.provider, driver.smallOrder)).toHaveLength(3);
  });

  it('answers the same refund number again with the original refund, and records no second one', async () => {
    const refundNo = driver.newRefundNo();
    const args = { refundNo, orderId: driver.paidOrder, amount: 700 };
    const first = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, args));
    const again = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, args));
    expect(first.accepted).toBe(true);
    expect(again).toMatchObject({ accepted: true, amount: 700, phase: first.phase });
    expect(sandbox.refunds(driver.provider)).toHaveLength(1);
    expect(sandbox.refundedTotal(driver.provider, driver.paidOrder)).toBe(700);
    expect(sandbox.requestsReceived(driver.provider, refundNo)).toBe(2);
  });

  it('refuses the same refund number with a different amount', async () => {
    const refundNo = driver.newRefundNo();
    expect(driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo, orderId: driver.paidOrder, amount: 700 })).accepted).toBe(true);
    const conflict = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo, orderId: driver.paidOrder, amount: 800 }));
    expect(conflict).toMatchObject({ accepted: false, code: driver.codes.refundNoConflict });
    expect(sandbox.refund(driver.provider, refundNo)?.amount).toBe(700);
    expect(sandbox.refundedTotal(driver.provider, driver.paidOrder)).toBe(700);
  });

  it('refuses the same refund number for another order', async () => {
    const refundNo = driver.newRefundNo();
    expect(driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo, orderId: driver.paidOrder, amount: 700 })).accepted).toBe(true);
    const conflict = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo, orderId: driver.smallOrder, amount: 700 }));
    expect(conflict).toMatchObject({ accepted: false, code: driver.codes.refundNoConflict });
    expect(sandbox.refundedTotal(driver.provider, driver.smallOrder)).toBe(0);
  });

  it('refunds an order added with addOrder', async () => {
    const orderId = driver.newOrderId();
    sandbox.addOrder(driver.provider, { orderId, amount: 300 });
    const answer = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo: driver.newRefundNo(), orderId, amount: 300 }));
    expect(answer.accepted).toBe(true);
    expect(sandbox.refundedTotal(driver.provider, orderId)).toBe(300);
  });

  it('shows the refund progressing to its final state through the query endpoint', async () => {
    const refundNo = driver.newRefundNo();
    const created = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo, orderId: driver.paidOrder, amount: 2000 }));
    const before = driver.read(sandbox, 'queryRefund', await driver.sendQuery(sandbox, { refundNo, orderId: driver.paidOrder }));
    expect(before).toMatchObject({ accepted: true, phase: created.phase });
    settle();
    const after = driver.read(sandbox, 'queryRefund', await driver.sendQuery(sandbox, { refundNo, orderId: driver.paidOrder }));
    expect(after).toMatchObject({ accepted: true, phase: 'succeeded' });
    if (driver.asyncResult) expect(before.phase).toBe('pending');
    expect(sandbox.refund(driver.provider, refundNo)?.phase).toBe('succeeded');
  });

  it('answers a query for a refund it does not know with its not-found code', async () => {
    const answer = driver.read(sandbox, 'queryRefund', await driver.sendQuery(sandbox, { refundNo: driver.newRefundNo(), orderId: driver.paidOrder }));
    expect(answer).toMatchObject({ accepted: false, code: driver.codes.refundNotFound });
  });
});
