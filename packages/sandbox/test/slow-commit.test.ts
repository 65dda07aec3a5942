/**
 * The `slow-commit` fault, for every provider: a refund request that commits only later (issue 12,
 * "Done when"). Until the commit, a query answers the provider's own "not found" and a second
 * request with the same refund number gets the provider's own duplicate refusal; then the first
 * request is answered with its success. The sandbox's books count the requests per refund number
 * and the money per order, in process and through the control endpoint.
 *
 * The commit is held with the longest delay a fault may take and released explicitly
 * (`POST /__sandbox/commits`), so no assertion depends on how fast the machine is.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_FAULT_MS, startSandbox, type Sandbox } from '../src/index.js';
import { DRIVERS, type Driver } from './support/drivers.js';
import { control } from './support/http.js';

describe.each(DRIVERS.map((d) => [d.provider, d] as const))('%s: slow-commit', (_name, driver: Driver) => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await startSandbox();
  });
  afterEach(async () => {
    await sandbox.close();
    expect(sandbox.errors()).toEqual([]);
  });

  const order = (): string => driver.paidOrder;
  const query = async (refundNo: string) => driver.read(sandbox, 'queryRefund', await driver.sendQuery(sandbox, { refundNo, orderId: order() }));

  /** Waits until the sandbox holds this refund's commit (the request has arrived). */
  async function untilHeld(refundNo: string): Promise<void> {
    await vi.waitFor(() => expect(sandbox.pendingCommits()).toEqual([{ provider: driver.provider, refundNo }]), { timeout: 10_000, interval: 10 });
  }

  it('until the commit: the query says not found and the same refund number is refused as a duplicate; then the first is answered with success', async () => {
    const refundNo = driver.newRefundNo();
    const armed = await control(`${sandbox.controlUrl}/faults`, 'POST', { provider: driver.provider, fault: 'slow-commit', refundNo, ms: MAX_FAULT_MS });
    expect(armed.status, JSON.stringify(armed.value)).toBe(201);

    const first = driver.sendRefund(sandbox, { refundNo, orderId: order(), amount: 700 }, { timeoutMs: 60_000 });
    await untilHeld(refundNo);

    expect(await query(refundNo)).toMatchObject({ accepted: false, code: driver.codes.refundNotFound });
    const duplicate = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo, orderId: order(), amount: 700 }));
    expect(duplicate).toMatchObject({ accepted: false, code: driver.codes.refundNoConflict });
    expect(sandbox.refund(driver.provider, refundNo)).toBeUndefined();
    expect(sandbox.refundedTotal(driver.provider, order())).toBe(0);

    const released = await control(`${sandbox.controlUrl}/commits`, 'POST', { provider: driver.provider, refundNo });
    expect(released).toEqual({ status: 200, value: { released: 1 } });
    expect(driver.read(sandbox, 'refund', await first)).toMatchObject({ accepted: true, amount: 700 });
    expect(sandbox.pendingCommits()).toEqual([]);

    // Committed once: a query finds it, the order is refunded 7.00 once, and two refund requests named it.
    expect(await query(refundNo)).toMatchObject({ accepted: true });
    expect(sandbox.refund(driver.provider, refundNo)).toMatchObject({ amount: 700, attempt: 1 });
    expect(sandbox.refundedTotal(driver.provider, order())).toBe(700);
    expect(sandbox.requestsReceived(driver.provider, refundNo)).toBe(2);
    const books = await control(`${sandbox.controlUrl}/requests?provider=${driver.provider}&refundNo=${refundNo}`, 'GET');
    expect(books.value.received).toBe(2);
    expect(books.value.requests.filter((r: { operation: string }) => r.operation === 'refund')).toMatchObject([
      { fault: 'slow-commit', outcome: 'faulted', committed: true },
      { outcome: 'answered' },
    ]);
    const refunds = await control(`${sandbox.controlUrl}/refunds?provider=${driver.provider}&orderId=${order()}`, 'GET');
    expect(refunds.value.refundedTotal).toBe(700);
  });

  it('commits by itself once ms have passed (header form), and the answer is the success', async () => {
    const refundNo = driver.newRefundNo();
    const answer = await driver.sendRefund(sandbox, { refundNo, orderId: order(), amount: 300 }, { headers: { 'x-sandbox-fault': 'slow-commit;ms=50' } });
    expect(driver.read(sandbox, 'refund', answer)).toMatchObject({ accepted: true, amount: 300 });
    expect(sandbox.refund(driver.provider, refundNo)).toMatchObject({ amount: 300, attempt: 1 });
    expect(sandbox.requests()).toMatchObject([{ refundNo, fault: 'slow-commit', committed: true }]);
  });

  it('the refund is committed even when the client gave up before the commit', async () => {
    const refundNo = driver.newRefundNo();
    sandbox.armFault({ provider: driver.provider, fault: 'slow-commit', refundNo, ms: MAX_FAULT_MS });
    const abandoned = driver.sendRefund(sandbox, { refundNo, orderId: order(), amount: 250 }, { timeoutMs: 500 });
    await expect(abandoned).rejects.toMatchObject({ name: 'TimeoutError' });
    await untilHeld(refundNo);
    expect(sandbox.releaseCommits({ refundNo })).toBe(1);
    expect(sandbox.refund(driver.provider, refundNo)).toMatchObject({ amount: 250 });
    expect(await query(refundNo)).toMatchObject({ accepted: true });
  });
});

describe('slow-commit and close()', () => {
  it('close() drops a held commit: nothing is recorded and no timer is left', async () => {
    const sandbox = await startSandbox();
    const refundNo = DRIVERS[0]!.newRefundNo();
    sandbox.armFault({ provider: 'easypay', fault: 'slow-commit', refundNo, ms: MAX_FAULT_MS });
    const pending = DRIVERS[0]!.sendRefund(sandbox, { refundNo, orderId: DRIVERS[0]!.paidOrder, amount: 100 }).then(
      () => 'answered',
      () => 'failed',
    );
    await vi.waitFor(() => expect(sandbox.pendingCommits()).toHaveLength(1), { timeout: 10_000, interval: 10 });
    await sandbox.close();
    expect(await pending).toBe('failed');
    expect(sandbox.refund('easypay', refundNo)).toBeUndefined();
    expect(sandbox.releaseCommits()).toBe(0);
  });
});
