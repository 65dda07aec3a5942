/**
 * Hostile answers through the facade (`createRefunds`): for every case of issue #13 and every
 * provider it applies to, the refund is sent (the sandbox behind the fake provider records it),
 * the answer is spoiled, and the facade must record `unknown` with the case's typed error code,
 * grow memory by less than {@link MEMORY_LIMIT_BYTES}, and keep no whole body in the ledger.
 */
import { createRefunds, MemoryLedger, type RefundInput } from '@refundkit/refunds';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CASES, gzipBombMember, startFakeProvider, type FakeProvider } from './fake-provider.js';
import { CURRENCY, hostileConfigs, idFor, MEMORY_LIMIT_BYTES, OPTIONS, RAW_LIMIT_CHARS } from './support.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const ORDER = 10_000;
const AMOUNT = 1_200;

let sandbox: Sandbox;
let fake: FakeProvider;

beforeAll(async () => {
  gzipBombMember(); // built before any measurement: its 64 MiB of input is the proxy's, not the client's
  sandbox = await startSandbox({ delayMs: 0 });
  fake = await startFakeProvider(sandbox);
});

afterAll(async () => {
  await fake?.close();
  await sandbox?.close();
});

const runs = CASES.flatMap((hostile, c) => hostile.providers.map((provider) => [hostile.name, provider, hostile, c] as const));

describe('the facade meets a hostile provider', () => {
  it.each(runs)('%s (%s): unknown, with a typed error naming the case, memory bounded, no whole body kept', async (name, provider, hostile, c) => {
    const ledger = new MemoryLedger();
    // One provider's block, chosen at run time: the configured-provider types cannot follow a dynamic key.
    const refunds = createRefunds({ providers: { [provider]: hostileConfigs(sandbox, fake, name)[provider] } as never, ledger, timeoutMs: 20_000 });
    const order = sandbox.addOrder(provider, { orderId: idFor(provider, 'HOSORD', c), amount: ORDER });
    const refundId = idFor(provider, 'HOSRFD', c);
    const input = { provider, orderId: order.orderId, refundId, amount: AMOUNT, currency: CURRENCY[provider], orderAmount: ORDER, options: OPTIONS[provider] } as RefundInput;

    const before = process.memoryUsage().rss;
    const refund = await refunds.refund(input);
    const growth = process.memoryUsage().rss - before;

    expect(sandbox.requestsReceived(provider, refundId)).toBe(1); // the refund was sent: only unknown is true
    expect(refund.status).toBe('unknown');
    expect(hostile.code.split('|')).toContain(refund.failure?.code);
    expect(growth, `rss grew by ${(growth / 2 ** 20).toFixed(1)} MiB`).toBeLessThan(MEMORY_LIMIT_BYTES);
    expect(refund.raw?.length ?? 0, `raw is ${refund.raw?.length} characters`).toBeLessThanOrEqual(RAW_LIMIT_CHARS);
    const stored = await ledger.get({ provider, account: refund.account, refundId });
    expect(stored?.status).toBe('unknown');
    expect(stored?.raw?.length ?? 0).toBeLessThanOrEqual(RAW_LIMIT_CHARS);
  });

  it('covers every case for every provider it applies to', () => {
    expect(runs.length).toBe(CASES.reduce((n, hostile) => n + hostile.providers.length, 0));
    expect(new Set(runs.map(([, provider]) => provider))).toEqual(new Set(['easypay', 'eftpay', 'lianke', 'tipay', 'yima']));
  });
});
