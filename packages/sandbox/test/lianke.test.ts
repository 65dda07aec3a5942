/**
 * lianke specifics: CREATE → REFUNDED, the order amount rule, the store, and the query by
 * refund_order_no.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIANKE_CODES, startSandbox, type Sandbox } from '../src/index.js';
import { liankeDriver as driver } from './support/drivers.js';
import { exchange } from './support/http.js';

describe('lianke', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startSandbox();
  });
  afterEach(async () => {
    await sandbox.close();
    expect(sandbox.errors()).toEqual([]);
  });

  const refund = (body: Record<string, unknown>) =>
    exchange(sandbox.endpoints.lianke.refund, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const base = () => ({ store_no: sandbox.credentials.lianke.storeNo, operator: 'cashier1', refund_amount: 300, order_no: 'LK-PAID-0001', refund_no: driver.newRefundNo() });

  it('answers CREATE with the refund details, then REFUNDED', async () => {
    const body = { ...base(), refund_desc: '顾客退货' };
    const answer = await refund(body);
    expect(driver.read(sandbox, 'refund', answer)).toMatchObject({ accepted: true, status: 'CREATE', amount: 300 });
    expect(JSON.parse(answer.text).data).toMatchObject({ total_amount: 10000, order_no: 'LK-PAID-0001', refund_order_no: body.refund_no, operator: 'cashier1', refund_desc: '顾客退货' });
    expect(driver.read(sandbox, 'queryRefund', await driver.sendQuery(sandbox, { refundNo: body.refund_no, orderId: 'LK-PAID-0001' })).status).toBe('REFUNDED');
  });

  it("accepts amount when it is the order's and refuses it otherwise", async () => {
    expect(driver.read(sandbox, 'refund', await refund({ ...base(), amount: 10000 })).accepted).toBe(true);
    const wrong = driver.read(sandbox, 'refund', await refund({ ...base(), amount: 3 }));
    expect(wrong).toMatchObject({ accepted: false, code: LIANKE_CODES.amountMismatch });
    expect(sandbox.refundedTotal('lianke', 'LK-PAID-0001')).toBe(300);
  });

  it('refuses an unknown field by name', async () => {
    const answer = await refund({ ...base(), refund_amout: 1 });
    expect(driver.read(sandbox, 'refund', answer).code).toBe(LIANKE_CODES.badRequest);
    expect(JSON.parse(answer.text).msg).toMatch(/refund_amout/);
  });

  it('refuses a body that is not JSON', async () => {
    expect(driver.read(sandbox, 'refund', await exchange(sandbox.endpoints.lianke.refund, { method: 'POST', body: 'store_no=1' })).code).toBe(LIANKE_CODES.badRequest);
  });

  it('refuses a query from another store', async () => {
    const body = { store_no: 'OTHER', order_no: 'LK-PAID-0001', refund_order_no: 'X' };
    const answer = await exchange(sandbox.endpoints.lianke.queryRefund, { method: 'POST', body: JSON.stringify(body) });
    expect(driver.read(sandbox, 'queryRefund', answer).code).toBe(LIANKE_CODES.unknownStore);
  });
});
