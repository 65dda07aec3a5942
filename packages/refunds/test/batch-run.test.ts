/**
 * `refunds.batch` against the sandbox, in process, with the memory ledger: every row checked before
 * anything is sent, each refund sent once, a rerun that sends nothing new, a stopped run finished
 * by a rerun, the lanes' limits as the sandbox's request times show them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY } from '@refundkit/registry';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { BatchInvalidError, createRefunds, MemoryLedger, type ProviderConfigs, type RefundInput } from '../src/index.js';
import type { ConfiguredProvider } from '../src/providers/index.js';

const PROVIDERS = ['easypay', 'eftpay', 'lianke', 'tipay', 'yima'] as const satisfies readonly ConfiguredProvider[];
const OPTIONS: Record<ConfiguredProvider, Record<string, string>> = { easypay: { payType: 'AliPayRefund', oriTransDate: '20250101' }, eftpay: { paymentType: 'ALIPAYHK' }, lianke: {}, tipay: {}, yima: {} };

let sandbox: Sandbox;
let providers: ProviderConfigs;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: false });
  const c = sandbox.credentials;
  providers = {
    easypay: { baseUrl: sandbox.urls.easypay, mchtCode: c.easypay.mchtCode, privateKey: c.easypay.merchantPrivateKeyPem, easypayPublicKey: c.easypay.easypayPublicKeyPem },
    eftpay: { baseUrl: sandbox.urls.eftpay, userConfirmKey: c.eftpay.userConfirmKey, secretCode: c.eftpay.secretCode, currency: REGISTRY.eftpay.currencies[0] as 'HKD' },
    lianke: { baseUrl: sandbox.urls.lianke, storeNo: c.lianke.storeNo, operator: c.lianke.operator },
    tipay: { baseUrl: sandbox.urls.tipay, appId: c.tipay.appId, appKey: c.tipay.appKey, merchantNo: c.tipay.merchantNo },
    yima: { baseUrl: sandbox.urls.yima, isspid: c.yima.isspid, systemId: c.yima.systemId, posId: c.yima.posId, storeId: c.yima.storeId },
  } as ProviderConfigs;
});
afterAll(() => sandbox.close());

let run = 0;
/** `n` rows per provider on fresh sandbox orders: ids every provider accepts (yima 13–32 characters, eftpay at most 28). */
function rows(perProvider: number, amount = 100): RefundInput[] {
  const tag = `${Date.now().toString(36)}${(run++).toString(36)}`.toUpperCase();
  return PROVIDERS.flatMap((provider) =>
    Array.from({ length: perProvider }, (_, i) => {
      const orderId = `${provider.slice(0, 2).toUpperCase()}O${tag}${String(i).padStart(5, '0')}`;
      sandbox.addOrder(provider, { orderId, amount: 10_000, ...(provider === 'eftpay' ? { paymentType: 'ALIPAYHK', currency: 'HKD' } : {}), ...(provider === 'easypay' ? { date: '20250101' } : {}) } as never);
      return { provider, orderId, refundId: `${provider.slice(0, 2).toUpperCase()}R${tag}${String(i).padStart(5, '0')}`, amount, currency: REGISTRY[provider].currencies[0], orderAmount: 10_000, options: OPTIONS[provider] } as RefundInput;
    }),
  );
}

const sentTimes = (refundIds: ReadonlySet<string>) => sandbox.requests().filter((r) => r.operation === 'refund' && r.refundNo !== undefined && refundIds.has(r.refundNo));

describe('refunds.batch', () => {
  it('refunds every row once over all five providers; the same rows again send nothing', async () => {
    const ledger = new MemoryLedger();
    const refunds = createRefunds({ providers, ledger });
    const input = rows(20);
    const progress: number[] = [];
    const result = await refunds.batch(input, { batch: 'unit-1', concurrency: 10, limits: Object.fromEntries(PROVIDERS.map((p) => [p, { concurrency: 4, perSecond: 1_000 }])), onProgress: (p) => progress.push(p.counts.done) });
    expect(result.counts).toMatchObject({ total: 100, done: 100, failed: 0, unknown: 0, notStarted: 0 });
    expect(result.counts.succeeded + result.counts.pending).toBe(100);
    expect(progress).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(result.lanes.map((l) => l.provider).sort()).toEqual([...PROVIDERS]);
    for (const row of input) expect(sandbox.requestsReceived(row.provider, row.refundId)).toBe(1);
    expect((await ledger.batches())[0]).toMatchObject({ id: 'unit-1', total: 100 });

    // Settle the pending ones, then run again: nothing is sent.
    for (const row of result.rows.filter((r) => r.status === 'pending')) await refunds.waitFor(row, { timeoutMs: 5_000, intervalMs: 20 });
    const before = sandbox.requests().length;
    const again = await refunds.batch(input, { batch: 'unit-1' });
    expect(again.rows.every((r) => r.plan === 'done' && r.status === 'succeeded')).toBe(true);
    expect(sandbox.requests().length).toBe(before);
  });

  it('a bad row stops the run before anything is reserved or sent, naming every bad row by line and rule', async () => {
    const ledger = new MemoryLedger();
    const refunds = createRefunds({ providers, ledger });
    const input = rows(3);
    const bad = [
      ...input,
      { ...input[0]!, refundId: input[0]!.refundId }, // line 16: a duplicate of line 1
      { ...input[1]!, refundId: `${input[1]!.refundId}X`, amount: 9_950 }, // line 17: 100 + 9950 > 10000 on line 2's order
      { ...input[2]!, refundId: `${input[2]!.refundId}Y`, amount: 0 }, // line 18: amount
      { ...input[3]!, refundId: `${input[3]!.refundId}Z`, options: {} }, // line 19: eftpay without paymentType
    ] as RefundInput[];
    const before = sandbox.requests().length;
    const error = await refunds.batch(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchInvalidError);
    const problems = (error as BatchInvalidError).problems;
    expect(problems.map((p) => [p.line, p.rule])).toEqual([
      [16, 'duplicate_refund_id'],
      [18, 'validation_failed'],
      [19, 'validation_failed'],
    ]);
    expect((error as BatchInvalidError).code).toBe('batch_invalid');
    expect((error as Error).message).toMatch(/nothing was sent/);
    // Row checks first; the ledger's and the orders' once the rows themselves are right.
    const error2 = await refunds.batch(bad.slice(0, 15).concat(bad[16]!)).catch((e: unknown) => e);
    expect((error2 as BatchInvalidError).problems).toMatchObject([{ line: 16, rule: 'over_refund', field: 'amount' }]);
    expect(sandbox.requests().length).toBe(before);
    expect(await ledger.totals()).toEqual([]);
  });

  it('counts what the ledger already holds on an order with the file, and refuses a refund id the ledger holds for another refund', async () => {
    const ledger = new MemoryLedger();
    const refunds = createRefunds({ providers, ledger });
    const [first] = rows(1).filter((r) => r.provider === 'tipay');
    await refunds.refund({ ...first!, refundId: `${first!.refundId}A`, amount: 9_950 });
    const before = sandbox.requests().length;
    const over = await refunds.batch([first!]).catch((e: unknown) => e);
    expect((over as BatchInvalidError).problems).toMatchObject([{ line: 1, rule: 'over_refund' }]);
    const conflict = await refunds.batch([{ ...first!, refundId: `${first!.refundId}A`, amount: 10 }]).catch((e: unknown) => e);
    expect((conflict as BatchInvalidError).problems).toMatchObject([{ line: 1, rule: 'refund_id_conflict' }]);
    expect(sandbox.requests().length).toBe(before);
  });

  it('a dry run plans from the ledger and sends nothing', async () => {
    const refunds = createRefunds({ providers, ledger: new MemoryLedger() });
    const input = rows(2);
    await refunds.refund(input[0]!);
    const before = sandbox.requests().length;
    const plan = await refunds.batch(input, { dryRun: true });
    expect(plan.dryRun).toBe(true);
    expect(plan.rows.map((r) => r.plan)).toEqual(['done', ...Array(9).fill('new')]);
    expect(plan.rows.every((r) => r.status === 'not_started')).toBe(true);
    expect(sandbox.requests().length).toBe(before);
  });

  it('holds each lane to its starts per second', async () => {
    const refunds = createRefunds({ providers, ledger: new MemoryLedger() });
    const input = rows(12).filter((r) => r.provider === 'tipay' || r.provider === 'lianke');
    await refunds.batch(input, { limits: { tipay: { perSecond: 20, concurrency: 8 }, lianke: { perSecond: 40, concurrency: 8 } } });
    for (const [provider, perSecond] of [['tipay', 20], ['lianke', 40]] as const) {
      const times = sentTimes(new Set(input.filter((r) => r.provider === provider).map((r) => r.refundId))).map((r) => r.at).sort((a, b) => a - b);
      expect(times).toHaveLength(12);
      // 12 starts spaced 1000/perSecond apart take at least 11 intervals (a few ms of timer slack allowed).
      expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual((11 * 1000) / perSecond - 15);
      // No window of one second holds more than perSecond + 1 arrivals (the clock of arrival, not of start).
      for (let i = 0; i < times.length; i++) expect(times.filter((t) => t >= times[i]! && t < times[i]! + 1000).length).toBeLessThanOrEqual(perSecond + 1);
    }
  });

  it('a stopped run leaves the rest not started; running it again finishes it without refunding twice', async () => {
    const refunds = createRefunds({ providers, ledger: new MemoryLedger() });
    const input = rows(10);
    const stop = new AbortController();
    const first = await refunds.batch(input, { batch: 'unit-stop', limits: Object.fromEntries(PROVIDERS.map((p) => [p, { perSecond: 50 }])), onProgress: (p) => (p.counts.done >= 12 ? stop.abort() : undefined), signal: stop.signal });
    expect(first.stopped).toBe(true);
    expect(first.counts.notStarted).toBeGreaterThan(0);
    expect(first.counts.done + first.counts.notStarted).toBe(50);
    const second = await refunds.batch(input, { batch: 'unit-stop' });
    expect(second.counts.notStarted).toBe(0);
    expect(second.counts.failed + second.counts.unknown).toBe(0);
    for (const row of input) expect(sandbox.requestsReceived(row.provider, row.refundId)).toBe(1);
  });
});
