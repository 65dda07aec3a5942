/**
 * Every fault, for every provider, observed from the client's side over real HTTP, and whether
 * it committed the refund observed through the query endpoint and the ledger. Faults are armed
 * through the control endpoint (`POST /__sandbox/faults`), as a test in another process would,
 * except where the `x-sandbox-fault` header is the point.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.js';
import { DRIVERS, type Driver } from './support/drivers.js';
import { control } from './support/http.js';

describe.each(DRIVERS.map((d) => [d.provider, d] as const))('%s', (_name, driver: Driver) => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await startSandbox();
  });
  afterEach(async () => {
    await sandbox.close();
    expect(sandbox.errors()).toEqual([]);
  });

  async function arm(fault: string, extra: Record<string, unknown> = {}): Promise<void> {
    const armed = await control(`${sandbox.controlUrl}/faults`, 'POST', { provider: driver.provider, fault, ...extra });
    expect(armed.status, JSON.stringify(armed.value)).toBe(201);
  }

  const order = (): string => driver.paidOrder;
  const query = async (refundNo: string) => driver.read(sandbox, 'queryRefund', await driver.sendQuery(sandbox, { refundNo, orderId: order() }));

  /** The refund was recorded: the ledger has it, a query finds it, a retry replays it. */
  async function expectCommitted(refundNo: string, amount: number): Promise<void> {
    expect(sandbox.refund(driver.provider, refundNo)).toMatchObject({ amount, attempt: 1 });
    expect(await query(refundNo)).toMatchObject({ accepted: true, phase: 'succeeded' });
    const retry = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo, orderId: order(), amount }));
    expect(retry).toMatchObject({ accepted: true, amount });
    expect(sandbox.refunds(driver.provider)).toHaveLength(1);
    expect(sandbox.refundedTotal(driver.provider, order())).toBe(amount);
  }

  /** Nothing was recorded: a query does not find it, and a retry with the same number is the first refund. */
  async function expectNotCommitted(refundNo: string, amount: number): Promise<void> {
    expect(sandbox.refund(driver.provider, refundNo)).toBeUndefined();
    expect(await query(refundNo)).toMatchObject({ accepted: false, code: driver.codes.refundNotFound });
    const retry = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo, orderId: order(), amount }));
    expect(retry.accepted).toBe(true);
    expect(sandbox.refund(driver.provider, refundNo)).toMatchObject({ amount, attempt: 1 });
    expect(sandbox.refundedTotal(driver.provider, order())).toBe(amount);
  }

  it('timeout-after-commit: the client times out, yet the refund is recorded and a query shows it', async () => {
    const refundNo = driver.newRefundNo();
    await arm('timeout-after-commit', { refundNo });
    await expect(driver.sendRefund(sandbox, { refundNo, orderId: order(), amount: 400 }, { timeoutMs: 250 })).rejects.toMatchObject({ name: 'TimeoutError' });
    await expectCommitted(refundNo, 400);
    expect(sandbox.requestsReceived(driver.provider, refundNo)).toBe(2);
    expect(sandbox.requests().find((r) => r.fault === 'timeout-after-commit')).toMatchObject({ outcome: 'faulted', committed: true, refundNo });
  });

  it('timeout-before-commit: the client times out and nothing is recorded', async () => {
    const refundNo = driver.newRefundNo();
    await arm('timeout-before-commit', { refundNo });
    await expect(driver.sendRefund(sandbox, { refundNo, orderId: order(), amount: 400 }, { timeoutMs: 250 })).rejects.toMatchObject({ name: 'TimeoutError' });
    await expectNotCommitted(refundNo, 400);
  });

  it('reset-after-commit: the connection is reset, yet the refund is recorded', async () => {
    const refundNo = driver.newRefundNo();
    await arm('reset-after-commit');
    await expect(driver.sendRefund(sandbox, { refundNo, orderId: order(), amount: 450 })).rejects.toThrow(/fetch failed/);
    await expectCommitted(refundNo, 450);
  });

  it('reset-before-commit (and connection-reset with commit false): the connection is reset and nothing is recorded', async () => {
    const first = driver.newRefundNo();
    await arm('reset-before-commit');
    await expect(driver.sendRefund(sandbox, { refundNo: first, orderId: order(), amount: 450 })).rejects.toThrow(/fetch failed/);
    const second = driver.newRefundNo();
    await arm('connection-reset', { commit: false });
    await expect(driver.sendRefund(sandbox, { refundNo: second, orderId: order(), amount: 450 })).rejects.toThrow(/fetch failed/);
    expect(sandbox.refund(driver.provider, first)).toBeUndefined();
    await expectNotCommitted(second, 450);
  });

  it('connection-reset: resets after recording the refund by default', async () => {
    const refundNo = driver.newRefundNo();
    await arm('connection-reset');
    await expect(driver.sendRefund(sandbox, { refundNo, orderId: order(), amount: 460 })).rejects.toThrow(/fetch failed/);
    await expectCommitted(refundNo, 460);
  });

  it('http-500: an HTML 500 page, nothing recorded', async () => {
    const refundNo = driver.newRefundNo();
    await arm('http-500');
    const answer = await driver.sendRefund(sandbox, { refundNo, orderId: order(), amount: 500 });
    expect(answer.status).toBe(500);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.text).toContain('500 Internal Server Error');
    await expectNotCommitted(refundNo, 500);
  });

  it('http-500 with commit=yes in the x-sandbox-fault header: a 500, and the refund recorded', async () => {
    const refundNo = driver.newRefundNo();
    const answer = await driver.sendRefund(sandbox, { refundNo, orderId: order(), amount: 510 }, { headers: { 'x-sandbox-fault': 'http-500;commit=yes' } });
    expect(answer.status).toBe(500);
    await expectCommitted(refundNo, 510);
  });

  it('http-502: a gateway page, and the refund recorded behind it', async () => {
    const refundNo = driver.newRefundNo();
    await arm('http-502');
    const answer = await driver.sendRefund(sandbox, { refundNo, orderId: order(), amount: 520 });
    expect(answer.status).toBe(502);
    expect(answer.text).toContain('502 Bad Gateway');
    await expectCommitted(refundNo, 520);
  });

  it('malformed-body: a 200 whose body does not parse, and the refund recorded', async () => {
    const refundNo = driver.newRefundNo();
    await arm('malformed-body');
    const answer = await driver.sendRefund(sandbox, { refundNo, orderId: order(), amount: 530 });
    expect(answer.status).toBe(200);
    expect(answer.body.length).toBeGreaterThan(0);
    expect(driver.parses(answer)).toBe(false);
    await expectCommitted(refundNo, 530);
  });

  if (driver.signsAnswers) {
    it('bad-signature: a well-formed answer whose signature does not verify, and the refund recorded', async () => {
      const refundNo = driver.newRefundNo();
      await arm('bad-signature');
      const answer = await driver.sendRefund(sandbox, { refundNo, orderId: order(), amount: 540 });
      expect(answer.status).toBe(200);
      expect(driver.parses(answer)).toBe(true);
      expect(driver.signatureValid(sandbox, answer)).toBe(false);
      await expectCommitted(refundNo, 540);
    });
  } else {
    it('bad-signature: refused, since its answers carry no signature', async () => {
      const armed = await control(`${sandbox.controlUrl}/faults`, 'POST', { provider: driver.provider, fault: 'bad-signature' });
      expect(armed.status).toBe(400);
      expect(armed.value.sandboxError).toMatch(/no signature/);
      const header = await driver.sendRefund(sandbox, { refundNo: driver.newRefundNo(), orderId: order(), amount: 540 }, { headers: { 'x-sandbox-fault': 'bad-signature' } });
      expect(header.status).toBe(400);
      expect(sandbox.refunds(driver.provider)).toEqual([]);
    });
  }

  it('slow: the real answer after the delay; a client with a shorter deadline gives up, the refund is recorded', async () => {
    const patient = driver.newRefundNo();
    await arm('slow', { refundNo: patient, ms: 300 });
    const started = Date.now();
    const answer = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo: patient, orderId: order(), amount: 100 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(answer.accepted).toBe(true);

    const impatient = driver.newRefundNo();
    await arm('slow', { refundNo: impatient, ms: 1500 });
    await expect(driver.sendRefund(sandbox, { refundNo: impatient, orderId: order(), amount: 200 }, { timeoutMs: 200 })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(sandbox.refund(driver.provider, impatient)).toMatchObject({ amount: 200 });
    expect(sandbox.refundedTotal(driver.provider, order())).toBe(300);
  });

  it('fail-refund: accepted, then failed; the amount is refundable again and the same number may be resubmitted', async () => {
    const refundNo = driver.newRefundNo();
    await arm('fail-refund', { refundNo });
    const answer = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo, orderId: driver.smallOrder, amount: 2500 }));
    const queried = driver.read(sandbox, 'queryRefund', await driver.sendQuery(sandbox, { refundNo, orderId: driver.smallOrder }));
    expect(queried.phase).toBe('failed');
    if (driver.provider === 'yima') expect(answer).toMatchObject({ accepted: false, phase: 'failed' });
    else expect(answer.accepted).toBe(true);
    expect(sandbox.refund(driver.provider, refundNo)?.phase).toBe('failed');
    expect(sandbox.refundedTotal(driver.provider, driver.smallOrder)).toBe(0);

    const retry = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo, orderId: driver.smallOrder, amount: 2500 }));
    expect(retry.accepted).toBe(true);
    expect(sandbox.refund(driver.provider, refundNo)).toMatchObject({ attempt: 2, outcome: 'succeeded' });
    expect(sandbox.refundedTotal(driver.provider, driver.smallOrder)).toBe(2500);
  });

  it('an armed fault strikes only its refund number, operation and number of times', async () => {
    const target = driver.newRefundNo();
    await arm('http-500', { refundNo: target, times: 2 });
    const bystander = driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo: driver.newRefundNo(), orderId: order(), amount: 100 }));
    expect(bystander.accepted).toBe(true);
    expect(driver.read(sandbox, 'queryRefund', await driver.sendQuery(sandbox, { refundNo: target, orderId: order() })).accepted).toBe(false);
    expect((await driver.sendRefund(sandbox, { refundNo: target, orderId: order(), amount: 100 })).status).toBe(500);
    expect((await driver.sendRefund(sandbox, { refundNo: target, orderId: order(), amount: 100 })).status).toBe(500);
    expect(driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo: target, orderId: order(), amount: 100 })).accepted).toBe(true);
    expect(sandbox.armedFaults()).toEqual([]);
  });

  it('a fault armed for queries strikes the query, not the refund', async () => {
    const refundNo = driver.newRefundNo();
    await arm('http-502', { refundNo, operation: 'queryRefund' });
    expect(driver.read(sandbox, 'refund', await driver.sendRefund(sandbox, { refundNo, orderId: order(), amount: 100 })).accepted).toBe(true);
    expect((await driver.sendQuery(sandbox, { refundNo, orderId: order() })).status).toBe(502);
    expect(await query(refundNo)).toMatchObject({ accepted: true, phase: 'succeeded' });
  });

  it('a request refused before any rule consumes no armed fault', async () => {
    await arm('http-500');
    const refused = driver.read(sandbox, 'refund', await driver.sendBadSchema(sandbox, { refundNo: driver.newRefundNo(), orderId: order(), amount: 100 }));
    expect(refused.code).toBe(driver.codes.badRequest);
    expect(sandbox.armedFaults()).toHaveLength(1);
  });
});
