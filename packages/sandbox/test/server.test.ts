/**
 * The shared server: routing, limits, the x-sandbox-fault header's syntax, and the control
 * endpoint under /__sandbox/.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAULT_NAMES, startSandbox, type Sandbox } from '../src/index.js';
import { tipayDriver } from './support/drivers.js';
import { control, exchange } from './support/http.js';

describe('server', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startSandbox();
  });
  afterEach(async () => {
    await sandbox.close();
    expect(sandbox.errors()).toEqual([]);
  });

  it('serves all five providers on one 127.0.0.1 origin', () => {
    expect(sandbox.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.urls).toEqual({
      easypay: sandbox.baseUrl, eftpay: sandbox.baseUrl, lianke: sandbox.baseUrl, tipay: sandbox.baseUrl, yima: `${sandbox.baseUrl}/ipos`,
    });
    expect(sandbox.endpoints.tipay).toEqual({
      refund: `${sandbox.baseUrl}/api/v1/yb/trade/refund`, queryRefund: `${sandbox.baseUrl}/api/v1/yb/trade/query`,
    });
  });

  it('answers 404 for an unknown path and 405 for a known path with the wrong method', async () => {
    const missing = await exchange(`${sandbox.baseUrl}/nope`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).endpoints).toContain('/QuickPay/Refund');
    const wrongMethod = await exchange(sandbox.endpoints.lianke.refund);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const answer = await exchange(sandbox.endpoints.lianke.refund, { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) });
    expect(answer.status).toBe(413);
  });

  it('refuses an x-sandbox-fault header it cannot read, and records nothing', async () => {
    const args = { refundNo: tipayDriver.newRefundNo(), orderId: 'TP-PAID-0001', amount: 100 };
    const unknown = await tipayDriver.sendRefund(sandbox, args, { headers: { 'x-sandbox-fault': 'explode' } });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.text).sandboxError).toMatch(/unknown fault "explode"/);
    const badParam = await tipayDriver.sendRefund(sandbox, args, { headers: { 'x-sandbox-fault': 'slow;ms=soon' } });
    expect(badParam.status).toBe(400);
    const contradiction = await tipayDriver.sendRefund(sandbox, args, { headers: { 'x-sandbox-fault': 'timeout-after-commit;commit=no' } });
    expect(contradiction.status).toBe(400);
    const tooLong = await tipayDriver.sendRefund(sandbox, args, { headers: { 'x-sandbox-fault': 'slow;ms=3000000000' } });
    expect(tooLong.status).toBe(400);
    expect(JSON.parse(tooLong.text).sandboxError).toBe('ms must be at most 600000 (10 minutes), not 3000000000');
    expect(sandbox.refunds('tipay')).toEqual([]);
  });

  it('takes slow;ms=<n> in the header', async () => {
    const started = Date.now();
    const answer = await tipayDriver.sendRefund(sandbox, { refundNo: tipayDriver.newRefundNo(), orderId: 'TP-PAID-0001', amount: 100 }, { headers: { 'x-sandbox-fault': 'slow;ms=150' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(tipayDriver.read(sandbox, 'refund', answer).accepted).toBe(true);
  });

  describe('control endpoint', () => {
    it('arms, lists and clears faults', async () => {
      const armed = await control(`${sandbox.controlUrl}/faults`, 'POST', { provider: 'lianke', fault: 'http-502', refundNo: 'R1', times: 3 });
      expect(armed).toMatchObject({ status: 201, value: { armed: { provider: 'lianke', fault: 'http-502', refundNo: 'R1', remaining: 3, operation: 'refund' } } });
      expect((await control(`${sandbox.controlUrl}/faults`, 'GET')).value.faults).toHaveLength(1);
      expect((await control(`${sandbox.controlUrl}/faults`, 'DELETE')).value).toEqual({ cleared: 1 });
      expect(sandbox.armedFaults()).toEqual([]);
    });

    it('refuses what it cannot arm with 400 and a reason', async () => {
      const cases: [unknown, RegExp][] = [
        [{ provider: 'paypal', fault: 'http-500' }, /provider must be one of/],
        [{ provider: 'tipay', fault: 'meteor' }, /unknown fault/],
        [{ provider: 'tipay', fault: 'http-500', times: 0 }, /times/],
        [{ provider: 'tipay', fault: 'http-500', operation: 'capture' }, /operation/],
        [{ provider: 'tipay', fault: 'http-500', when: 'now' }, /unknown field/],
        [{ provider: 'tipay', fault: 'fail-refund', operation: 'queryRefund' }, /not queries/],
        [{ provider: 'tipay', fault: 'http-500', ms: 5 }, /slow and slow-commit only/],
        [{ provider: 'tipay', fault: 'slow-commit', operation: 'queryRefund' }, /not queries/],
        // Durations are bounded: Node's timers fire at once past 2^31-1 ms, and no test needs more than minutes.
        [{ provider: 'tipay', fault: 'slow', ms: 3_000_000_000 }, /^ms must be at most 600000 \(10 minutes\), not 3000000000$/],
        [{ provider: 'tipay', fault: 'slow-commit', ms: 600_001 }, /^ms must be at most 600000/],
        [{ provider: 'tipay', fault: 'bad-signature', commit: false }, /always records/],
        ['{not json', /JSON object/],
      ];
      for (const [body, reason] of cases) {
        const answer = await control(`${sandbox.controlUrl}/faults`, 'POST', body);
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect(answer.value.sandboxError).toMatch(reason);
      }
      expect(sandbox.armedFaults()).toEqual([]);
    });

    it('adds an order that a refund can then use, and reports refunds and requests', async () => {
      const added = await control(`${sandbox.controlUrl}/orders`, 'POST', { provider: 'tipay', orderId: 'TP-NEW', amount: 999 });
      expect(added).toMatchObject({ status: 201, value: { order: { orderId: 'TP-NEW', amount: 999, status: 'paid' } } });
      expect((await control(`${sandbox.controlUrl}/orders`, 'POST', { provider: 'tipay', orderId: 'TP-NEW', amount: 1 })).status).toBe(400);
      expect((await control(`${sandbox.controlUrl}/orders`, 'POST', { provider: 'tipay', orderId: 'TP-BAD', amount: 1.5 })).status).toBe(400);

      const refundNo = tipayDriver.newRefundNo();
      expect(tipayDriver.read(sandbox, 'refund', await tipayDriver.sendRefund(sandbox, { refundNo, orderId: 'TP-NEW', amount: 999 })).accepted).toBe(true);
      const refunds = await control(`${sandbox.controlUrl}/refunds?provider=tipay&orderId=TP-NEW`, 'GET');
      expect(refunds.value).toMatchObject({ refundedTotal: 999, refunds: [{ refundNo, amount: 999, phase: 'succeeded' }] });
      const orders = await control(`${sandbox.controlUrl}/orders?provider=tipay`, 'GET');
      expect(orders.value.orders.map((o: { orderId: string }) => o.orderId)).toContain('TP-NEW');
      const requests = await control(`${sandbox.controlUrl}/requests`, 'GET');
      expect(requests.value.requests).toMatchObject([{ seq: 1, provider: 'tipay', operation: 'refund', refundNo, outcome: 'answered', committed: true }]);
      expect((await control(`${sandbox.controlUrl}/notifications`, 'GET')).value).toEqual({ notifications: [] });
      expect((await control(`${sandbox.controlUrl}/nothing`, 'GET')).status).toBe(404);
      expect((await control(`${sandbox.controlUrl}/requests`, 'DELETE')).status).toBe(405);
    });
  });

  it('lists every fault it knows', () => {
    expect(FAULT_NAMES).toEqual([
      'timeout-before-commit', 'timeout-after-commit', 'reset-before-commit', 'reset-after-commit', 'connection-reset',
      'http-500', 'http-502', 'malformed-body', 'bad-signature', 'slow', 'slow-commit', 'fail-refund',
    ]);
  });
});
