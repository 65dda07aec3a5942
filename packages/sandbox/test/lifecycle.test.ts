/**
 * Starting and stopping: options, seeds, ports, and close() leaving nothing behind — held
 * connections, slow answers and notification timers included.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SEED, describeSandbox, startSandbox, type Sandbox } from '../src/index.js';
import { tipayDriver } from './support/drivers.js';
import { exchange } from './support/http.js';

/** Handles of the kinds a sandbox creates: listening and connected sockets, timers. */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'TCPServerWrap' || kind === 'TCPSocketWrap' || kind === 'Timeout') counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

describe('lifecycle', () => {
  const started: Sandbox[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
  });
  async function start(...args: Parameters<typeof startSandbox>): Promise<Sandbox> {
    const s = await startSandbox(...args);
    started.push(s);
    return s;
  }

  it('close() ends held connections, slow answers and pending notifications, and leaves no handle open', async () => {
    const before = handles();
    const s = await startSandbox({ delayMs: 60_000 });
    // A request held forever (timeout-after-commit), over a socket of its own.
    s.armFault({ provider: 'lianke', fault: 'timeout-after-commit' });
    const held = new Promise<string>((resolve) => {
      const body = JSON.stringify({ store_no: s.credentials.lianke.storeNo, operator: 'o', refund_amount: 1, order_no: 'LK-PAID-0001', refund_no: 'HELD-1' });
      const req = request(s.endpoints.lianke.refund, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } });
      req.on('error', (error) => resolve(`error: ${error.message}`));
      req.on('response', () => resolve('answered'));
      req.end(body);
    });
    // A slow answer and a notification due in a minute.
    s.armFault({ provider: 'tipay', fault: 'slow', ms: 60_000 });
    const slow = tipayDriver.sendRefund(s, { refundNo: tipayDriver.newRefundNo(), orderId: 'TP-PAID-0001', amount: 1, notifyUrl: 'http://127.0.0.1:9/notify' }).then(
      () => 'answered',
      (error: Error) => `error: ${error.message}`,
    );
    // More notifications due in a minute: each is a timer of its own, so a leak stands out.
    for (let i = 0; i < 4; i++) {
      await tipayDriver.sendRefund(s, { refundNo: tipayDriver.newRefundNo(), orderId: 'TP-PAID-0001', amount: 1, notifyUrl: 'http://127.0.0.1:9/notify' });
    }
    await until(() => s.refunds('lianke').length === 1 && s.refunds('tipay').length === 5);
    expect(s.refunds('lianke')).toHaveLength(1);
    const during = handles();
    expect(during['TCPServerWrap'] ?? 0).toBeGreaterThan(before['TCPServerWrap'] ?? 0);
    expect(during['Timeout'] ?? 0).toBeGreaterThanOrEqual((before['Timeout'] ?? 0) + 5);

    const closing = Date.now();
    await s.close();
    expect(Date.now() - closing).toBeLessThan(1000);
    expect(await held).toMatch(/^error: /);
    expect(await slow).toMatch(/^error: /);
    const settled = (): boolean => Object.entries(handles()).every(([kind, n]) => n <= (before[kind] ?? 0));
    await until(settled);
    expect(handles(), `before: ${JSON.stringify(before)}`).toSatisfy(() => settled());
  });

  it('close() can be called twice, and the port refuses connections afterwards', async () => {
    const s = await startSandbox();
    await Promise.all([s.close(), s.close()]);
    await s.close();
    await expect(exchange(`${s.baseUrl}/__sandbox/requests`, { timeoutMs: 1000 })).rejects.toThrow(/fetch failed/);
  });

  it('listens on the port it is given and fails to start on a port in use', async () => {
    const first = await start();
    const second = await start({ port: 0 });
    expect(second.port).not.toBe(first.port);
    await expect(startSandbox({ port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('seeds the documented orders by default, none with seed: false, and its own with a seed object', async () => {
    const seeded = await start();
    expect(seeded.orders('tipay').map((o) => [o.orderId, o.amount, o.status])).toEqual([
      ['TP-PAID-0001', 10000, 'paid'], ['TP-PAID-0002', 2500, 'paid'], ['TP-UNPAID-0001', 5000, 'unpaid'],
    ]);
    expect(DEFAULT_SEED.yima.every((o) => o.orderId.length > 12)).toBe(true);
    const empty = await start({ seed: false });
    expect(empty.orders('tipay')).toEqual([]);
    const own = await start({ seed: { lianke: [{ orderId: 'MINE', amount: 5 }] } });
    expect(own.orders('lianke').map((o) => o.orderId)).toEqual(['MINE']);
    expect(own.orders('tipay')).toEqual([]);
  });

  it('refuses options it cannot honour', async () => {
    await expect(startSandbox({ delayMs: -1 })).rejects.toThrow(/delayMs/);
    await expect(startSandbox({ easypayMode: 'later' as never })).rejects.toThrow(/easypayMode/);
    await expect(startSandbox({ notifications: { maxAttempts: 0 } })).rejects.toThrow(/maxAttempts/);
    await expect(startSandbox({ seed: { paypal: [] } as never })).rejects.toThrow(/paypal/);
  });

  it('describes itself: endpoints, labelled test credentials, orders and faults', async () => {
    const s = await start();
    const text = describeSandbox(s);
    expect(text).toContain(`refundkit sandbox listening on ${s.baseUrl}`);
    expect(text).toContain(`${s.baseUrl}/VMP/Servlet/JSAPIService.do`);
    expect(text).toContain('SANDBOX TEST CREDENTIALS');
    expect(text).toContain(`secretCode=${s.credentials.eftpay.secretCode}`);
    expect(text).toContain(`appKey=${s.credentials.tipay.appKey}`);
    expect(text).toContain('keys/test-merchant-private.pem');
    expect(text).toContain('TP-PAID-0001 100.00');
    expect(text).toContain('TP-UNPAID-0001 50.00 (unpaid)');
    expect(text).toContain('timeout-after-commit');
  });
});
