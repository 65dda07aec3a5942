/**
 * End to end: a refund through the facade against the sandbox names the handler (served by
 * `node:http` on 127.0.0.1) as its notification URL, and the sandbox's own notification makes the
 * refund final. EasyPay's is signed (RSA over the body): the refund becomes succeeded through the
 * notification alone, no query. Ti-Pay's is unsigned: the facade confirms it with one query. The
 * ledger down answers 503, the sandbox delivers again, and the next delivery is applied.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '@refundkit/sandbox';
import { Secret } from '@refundkit/signing';
import { createNotificationHandler, createRefunds, MemoryLedger, toNodeHandler, type FetchHandler, type RefundLedger, type Refunds } from '../../src/index.js';
import { serve, SwitchableLedger } from './support.js';

let sandbox: Sandbox | undefined;
let server: { url: string; close(): Promise<void> } | undefined;
let refunds: Refunds | undefined;

afterEach(async () => {
  await sandbox?.close();
  await server?.close();
  await refunds?.close();
  expect(sandbox?.errors() ?? []).toEqual([]);
  sandbox = server = refunds = undefined;
});

/** The sandbox, a facade over its easypay and tipay, and the handler served at `server.url`. */
async function setUp(options: { ledger?: RefundLedger; sandbox?: SandboxOptions; wrap?: (handler: FetchHandler) => FetchHandler } = {}) {
  sandbox = await startSandbox({ easypayMode: 'async', delayMs: 200, notifications: { backoffMs: 20, maxAttempts: 5 }, ...options.sandbox });
  const { easypay, tipay } = sandbox.credentials;
  refunds = createRefunds({
    providers: {
      easypay: { baseUrl: sandbox.urls.easypay, mchtCode: easypay.mchtCode, privateKey: new Secret(easypay.merchantPrivateKeyPem), easypayPublicKey: easypay.easypayPublicKeyPem },
      tipay: { baseUrl: sandbox.urls.tipay, appId: tipay.appId, appKey: new Secret(tipay.appKey), merchantNo: tipay.merchantNo },
    },
    ledger: options.ledger ?? new MemoryLedger(),
  });
  const handler = createNotificationHandler(refunds);
  server = await serve(toNodeHandler(options.wrap ? options.wrap(handler) : handler));
  return { sandbox, refunds, url: server.url };
}

const easypayRefund = (url: string, refundId: string) => ({
  provider: 'easypay' as const,
  orderId: 'EP-PAID-0001',
  refundId,
  amount: 321,
  currency: 'CNY' as const,
  notifyUrl: `${url}/notify/easypay`,
  options: { payType: 'AliPayRefund', oriTransDate: '20250101' },
});

describe('the sandbox notifies the handler', () => {
  it('easypay: the signed notification alone makes the refund succeeded (no query), acknowledged at the first delivery', async () => {
    const { sandbox, refunds, url } = await setUp();
    const refund = await refunds.refund(easypayRefund(url, 'EPHTTP00000000000001'));
    expect(refund.status).toBe('pending');
    await sandbox.notificationsIdle();

    expect(sandbox.notifications()).toMatchObject([{ provider: 'easypay', refundNo: refund.refundId, attempt: 1, status: 200, acked: true }]);
    const history = await refunds.history(refund);
    expect(history.at(-1)).toMatchObject({ source: 'notification', status: 'succeeded' });
    expect(sandbox.requests().filter((r) => r.operation === 'queryRefund')).toEqual([]);
    // get() of a final refund reads the ledger only: still no query.
    expect((await refunds.get(refund)).status).toBe('succeeded');
    expect(sandbox.requests().filter((r) => r.operation === 'queryRefund')).toEqual([]);
  });

  it('tipay: the unsigned notification is confirmed by one query, then acknowledged SUCCESS', async () => {
    const { sandbox, refunds, url } = await setUp();
    const refund = await refunds.refund({ provider: 'tipay', orderId: 'TP-PAID-0001', refundId: 'TPHTTP00000000000001', amount: 250, currency: 'CNY', notifyUrl: `${url}/notify/tipay` });
    expect(refund.status).toBe('pending');
    await sandbox.notificationsIdle();

    expect(sandbox.notifications()).toMatchObject([{ provider: 'tipay', refundNo: refund.refundId, attempt: 1, status: 200, acked: true }]);
    expect((await refunds.history(refund)).at(-1)).toMatchObject({ source: 'query', status: 'succeeded' });
    expect(sandbox.requests().filter((r) => r.operation === 'queryRefund')).toHaveLength(1);
  });

  it('duplicates delivered after the acknowledgement are each acknowledged and change nothing', async () => {
    const { sandbox, refunds, url } = await setUp({ sandbox: { notifications: { backoffMs: 10, duplicates: 2 } } });
    const refund = await refunds.refund(easypayRefund(url, 'EPHTTP00000000000002'));
    await sandbox.notificationsIdle();

    expect(sandbox.notifications().map((d) => [d.duplicate, d.status, d.acked])).toEqual([
      [false, 200, true],
      [true, 200, true],
      [true, 200, true],
    ]);
    expect((await refunds.history(refund)).filter((e) => e.source === 'notification')).toHaveLength(1);
  });

  it('the ledger down: 503, not acknowledged, so the sandbox delivers again; the next delivery is applied', async () => {
    const ledger = new SwitchableLedger();
    // The ledger is down for exactly one notification.
    const wrap = (handler: FetchHandler): FetchHandler => async (request) => {
      const response = await handler(request);
      ledger.down = false;
      return response;
    };
    const { sandbox, refunds, url } = await setUp({ ledger, wrap });
    const refund = await refunds.refund(easypayRefund(url, 'EPHTTP00000000000003'));
    expect(refund.status).toBe('pending');
    ledger.down = true;
    await sandbox.notificationsIdle();

    expect(sandbox.notifications().map((d) => [d.attempt, d.status, d.acked])).toEqual([
      [1, 503, false],
      [2, 200, true],
    ]);
    expect((await refunds.get(refund)).status).toBe('succeeded');
  });
});
