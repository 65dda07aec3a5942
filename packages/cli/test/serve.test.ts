/**
 * `refundkit serve` end to end against the sandbox (issue "refundkit serve"): health and metrics
 * answer, and metrics change as refunds and notifications flow; a notification the sandbox POSTs
 * is applied; a stop finishes and exits 0; no configured secret appears in a whole run's logs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRefunds, openSqliteLedger } from '@refundkit/refunds';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serveCommand } from '../src/commands/serve.js';
import { providerConfigs, tempDir } from './support.js';

vi.setConfig({ testTimeout: 60_000 });

let sandbox: Sandbox;
const temp = tempDir('refundkit-serve-');

beforeAll(async () => {
  // Refunds stay processing for a moment, then the sandbox notifies.
  sandbox = await startSandbox({ port: 0, delayMs: 300, easypayMode: 'async' });
});
afterAll(async () => {
  await sandbox?.close();
  temp.remove();
});

/** Starts `refundkit serve` in process; `stop()` ends it like SIGTERM and resolves to its exit code. */
async function serve(config: Record<string, unknown>, ledger: string, extra: Partial<Parameters<typeof serveCommand>[0]> = {}) {
  const file = join(temp.dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  const lines: string[] = [];
  let err = '';
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let ready!: (url: string) => void;
  const listening = new Promise<string>((resolve) => (ready = resolve));
  const exit = serveCommand(
    { config: file, ledger, port: '0', logLevel: 'debug', ...extra },
    { stdout: { write: () => undefined }, stderr: { write: (chunk: string) => (err += chunk) }, env: {}, cwd: temp.dir },
    { stop: stopped, onReady: ready, logDestination: { write: (line: string) => lines.push(line) } },
  );
  const url = await Promise.race([listening, exit.then((code) => Promise.reject(new Error(`serve exited ${code}: ${err}`)))]);
  return { url, lines, stderr: () => err, stop: async () => (stop(), exit) };
}

async function metric(url: string, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('refundkit serve', () => {
  it('answers health and metrics, applies the providers\' notifications, counts them, stops cleanly, and never logs a secret', async () => {
    const configs = providerConfigs(sandbox);
    const ledger = join(temp.dir, 'ledger.db');
    const server = await serve({ providers: { tipay: configs.tipay, easypay: configs.easypay, eftpay: configs.eftpay } }, ledger);

    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect(await metric(server.url, 'refundkit_refunds', { provider: 'tipay' })).toBeUndefined();

    // The merchant's app refunds through the library on the same ledger, naming serve as the notification URL.
    const app = createRefunds({ providers: { tipay: configs.tipay, easypay: configs.easypay } as never, ledger: await openSqliteLedger(ledger) });
    const tipayOrder = sandbox.addOrder('tipay', { orderId: `SERVE-T-${Date.now()}`, amount: 10_000 }).orderId;
    const easypayOrder = sandbox.addOrder('easypay', { orderId: `SERVE-E-${Date.now()}`, amount: 10_000 }).orderId;
    const tipay = await app.refund({ provider: 'tipay', orderId: tipayOrder, refundId: `SRVT${Date.now()}`, amount: 500, currency: 'CNY', notifyUrl: `${server.url}/notify/tipay` });
    const easypay = await app.refund({ provider: 'easypay', orderId: easypayOrder, refundId: `SRVE${Date.now()}`, amount: 700, currency: 'CNY', notifyUrl: `${server.url}/notify/easypay`, options: { payType: 'AliPayRefund', oriTransDate: '20250101' } });
    expect(tipay.status).toBe('pending');
    expect(easypay.status).toBe('pending');

    // The sandbox's notifications reach serve, which applies them: the ledger says succeeded by notification.
    await vi.waitFor(
      async () => {
        for (const refund of [tipay, easypay]) {
          const history = await app.history(refund);
          expect(history.some((e) => e.source === 'notification' || e.source === 'query')).toBe(true);
          expect(history.at(-1)?.statusAfter).toBe('succeeded');
        }
      },
      { timeout: 20_000, interval: 100 },
    );
    await sandbox.notificationsIdle();
    expect(sandbox.notifications().filter((n) => n.acked).map((n) => n.provider).sort()).toEqual(expect.arrayContaining(['easypay', 'tipay']));

    // Metrics changed as refunds and notifications flowed.
    expect(await metric(server.url, 'refundkit_refunds', { provider: 'tipay', status: 'succeeded' })).toBe(1);
    expect(await metric(server.url, 'refundkit_refunds', { provider: 'easypay', status: 'succeeded' })).toBe(1);
    expect(await metric(server.url, 'refundkit_notifications_total', { provider: 'easypay', outcome: 'applied' })).toBe(1);
    expect((await metric(server.url, 'refundkit_notifications_total', { provider: 'tipay', outcome: 'applied' })) ?? 0).toBeGreaterThanOrEqual(1);
    expect(await metric(server.url, 'refundkit_reconciler_backlog', { provider: 'tipay' })).toBeUndefined();

    // A forged notification is refused, counted, and changes nothing.
    const forged = await fetch(`${server.url}/notify/easypay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reqHeader":{},"reqBody":{},"reqSign":"AAAA"}' });
    expect(forged.status).not.toBe(200);
    expect(await metric(server.url, 'refundkit_notifications_total', { provider: 'easypay', outcome: 'refused' })).toBe(1);
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404);

    await app.close();
    expect(await server.stop()).toBe(0);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();

    // The whole run's log: JSON lines, requests logged, no secret anywhere.
    const log = server.lines.join('');
    const entries = server.lines.map((line) => JSON.parse(line) as { msg: string; level: number });
    expect(entries.some((e) => e.msg === 'request')).toBe(true);
    expect(entries.some((e) => e.msg === 'stopped')).toBe(true);
    const c = sandbox.credentials;
    for (const secret of [c.tipay.appKey, c.eftpay.secretCode, c.easypay.merchantPrivateKeyPem, ...c.easypay.merchantPrivateKeyPem.split('\n').filter((l) => l.length > 40)]) {
      expect(log).not.toContain(secret);
    }
  });

  it('says the ledger is unavailable on /healthz (503) when its schema is not current, and still serves', async () => {
    const configs = providerConfigs(sandbox);
    const ledger = join(temp.dir, 'other.db');
    const server = await serve({ providers: { tipay: configs.tipay } }, ledger);
    const db = await openSqliteLedger(ledger);
    await db.close();
    // Another refundkit wrote a newer schema into the file meanwhile.
    const { default: Database } = (await import('better-sqlite3' as string)) as { default: new (f: string) => { pragma(s: string): unknown; close(): void } };
    const raw = new Database(ledger);
    raw.pragma('user_version = 99');
    raw.close();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'unavailable', ledger: expect.stringContaining('99') });
    expect(await server.stop()).toBe(0);
  });

  it('runs the reconciler in the background: an unknown refund is resolved by query and counted; on stop, a query in flight finishes and is recorded', async () => {
    const configs = providerConfigs(sandbox);
    const ledgerFile = join(temp.dir, 'reconcile.db');
    const impatient = createRefunds({ providers: { lianke: configs.lianke } as never, ledger: await openSqliteLedger(ledgerFile), timeoutMs: 1_500 });
    const order = sandbox.addOrder('lianke', { orderId: `SERVE-L-${Date.now()}`, amount: 10_000 }).orderId;
    const unknownRefund = async (refundId: string) => {
      sandbox.armFault({ provider: 'lianke', fault: 'timeout-after-commit', refundNo: refundId });
      const refund = await impatient.refund({ provider: 'lianke', orderId: order, refundId, amount: 300, currency: 'CNY' } as never);
      expect(refund.status).toBe('unknown');
      return refund;
    };
    const first = await unknownRefund(`SRVL${Date.now()}A`);
    const ledger = await openSqliteLedger(ledgerFile);
    const keyOf = (refundId: string) => ({ provider: 'lianke' as const, account: first.account, refundId });

    const server = await serve({ providers: { lianke: configs.lianke } }, ledgerFile, { reconcileEvery: '50ms', reconcileOlderThan: '0s', shutdownGrace: '10s' });
    await vi.waitFor(async () => expect((await ledger.get(keyOf(first.refundId)))?.status).toBe('succeeded'), { timeout: 20_000, interval: 50 });
    expect(await metric(server.url, 'refundkit_reconciler_checks_total', { outcome: 'succeeded' })).toBeGreaterThanOrEqual(1);

    // A second unknown refund whose query takes 1.5 s: serve is stopped while the query is under way.
    const second = await unknownRefund(`SRVL${Date.now()}B`);
    sandbox.armFault({ provider: 'lianke', fault: 'slow', operation: 'queryRefund', refundNo: second.refundId, ms: 1_500 });
    const key = keyOf(second.refundId);
    await vi.waitFor(async () => expect((await ledger.get(key))?.lease).toBeDefined(), { timeout: 20_000, interval: 20 });
    expect(await server.stop()).toBe(0);
    const after = await ledger.get(key);
    expect(after?.status).toBe('succeeded');
    expect(after?.lease).toBeUndefined();
    expect(sandbox.requestsReceived('lianke', second.refundId)).toBe(1);
    await ledger.close();
    await impatient.close();

    const entries = server.lines.map((line) => JSON.parse(line) as { msg: string; checked?: number });
    expect(entries.some((e) => e.msg === 'reconciler run' && (e.checked ?? 0) >= 1)).toBe(true);
    expect(server.stderr()).toContain('reconciling every 50ms');
  });
});
