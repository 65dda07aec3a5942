/**
 * Concurrency: 100 refunds at once on one order, with distinct refund ids, whose amounts add up to
 * twice the order, for every provider.
 * (a) With `orderAmount` given, the facade's ledger refuses the excess before sending
 *     (`OverRefundError`, nothing sent); the sandbox refunds exactly what was accepted.
 * (b) Without it, every refund is sent and the sandbox's own rule refuses the excess (those end
 *     `failed` with its over-refund code).
 * (c) Two processes sharing one SQLite ledger file, each sending 50 (capped and uncapped
 *     orders, all five providers at once) against the same sandbox.
 * In every case the sandbox's refunded total never exceeds the order and equals what the facade
 * reports as refunded. The sandbox has `delayMs: 0`: a pending refund is final at the next query.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createRefunds, MemoryLedger, openSqliteLedger, OverRefundError, type Refund, type Refunds } from '@refundkit/refunds';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  collectSecrets,
  expectTyped,
  idFor,
  LEARNS_ORDER_TOTAL,
  outcomeOf,
  OVER_REFUND_CODE,
  PROVIDERS,
  providerConfigs,
  accountFor,
  refundInput,
  SecretScanner,
  Seen,
  settle,
  type Provider,
} from './support.js';

// Generous bounds, so a loaded machine is slow rather than failing: every wait inside is bounded too.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const ORDER = 10_000;
const CALLS = 100;
/** 150, 175, 200, 225, 250, 150, …: 100 of them add up to 20 000, twice the order; any 50 alternate ones to 10 000. */
const amountOf = (i: number): number => 150 + (i % 5) * 25;

let sandbox: Sandbox;
let refunds: Refunds;
let ledger: MemoryLedger;
const seen = new Seen();

beforeAll(async () => {
  sandbox = await startSandbox({ delayMs: 0 });
  ledger = new MemoryLedger();
  refunds = createRefunds({ providers: providerConfigs(sandbox), ledger, timeoutMs: 15_000 });
});

afterAll(async () => {
  await sandbox?.close();
});

it('the amounts add up to twice the order', () => {
  const all = Array.from({ length: CALLS }, (_, i) => amountOf(i));
  expect(all.reduce((a, b) => a + b, 0)).toBe(2 * ORDER);
  expect(all.filter((_, i) => i % 2 === 0).reduce((a, b) => a + b, 0)).toBe(ORDER);
});

/**
 * Fires 100 refunds at once; after each settles, samples the sandbox's total (it must never be
 * above the order at any point the test can see).
 */
async function fireAll(provider: Provider, kind: string, orderId: string, orderAmount: number | undefined) {
  const samples: number[] = [];
  const outcomes = await Promise.all(
    Array.from({ length: CALLS }, async (_, i) => {
      const input = refundInput(provider, orderId, idFor(provider, kind, i), amountOf(i), orderAmount);
      const outcome = await outcomeOf(() => refunds.refund(input));
      samples.push(sandbox.refundedTotal(provider, orderId));
      seen.outcome(outcome, `${provider} ${kind} ${i}`);
      return { input, outcome };
    }),
  );
  return { outcomes, samples };
}

/** Settles every accepted refund and checks the books agree: sandbox, facade, ledger. */
async function settleAndReconcile(provider: Provider, orderId: string, accepted: readonly Refund[]): Promise<number> {
  const finals = await Promise.all(accepted.map((r) => settle(refunds, r)));
  for (const final of finals) seen.refund(final, `${provider} ${orderId} settled`);
  expect(finals.map((r) => r.status)).toEqual(finals.map(() => 'succeeded'));
  const refundedSum = finals.reduce((sum, r) => sum + r.amount, 0);
  expect(refundedSum).toBeLessThanOrEqual(ORDER);
  expect(sandbox.refundedTotal(provider, orderId)).toBe(refundedSum);
  expect(sandbox.refunds(provider, orderId).map((r) => r.refundNo).sort()).toEqual(finals.map((r) => r.refundId).sort());
  for (const final of finals) expect(sandbox.requestsReceived(provider, final.refundId)).toBe(1);
  const inLedger = (await ledger.refundsOf({ provider, account: accountFor(sandbox, provider), orderId })).filter((r) => r.status !== 'failed');
  expect(inLedger.reduce((sum, r) => sum + r.amount, 0)).toBe(refundedSum);
  return refundedSum;
}

describe.each(PROVIDERS)('%s, 100 refunds at once on one order', (provider) => {
  it('(a) with orderAmount: the facade refuses the excess locally, the sandbox refunds exactly what was accepted', async () => {
    const orderId = idFor(provider, 'CCAORD', 1);
    sandbox.addOrder(provider, { orderId, amount: ORDER });
    const { outcomes, samples } = await fireAll(provider, 'CCA', orderId, ORDER);

    const accepted: Refund[] = [];
    const refused: OverRefundError[] = [];
    for (const { input, outcome } of outcomes) {
      if (outcome.ok) {
        accepted.push(outcome.value);
        continue;
      }
      expectTyped(outcome.error);
      expect(outcome.error).toBeInstanceOf(OverRefundError);
      refused.push(outcome.error as OverRefundError);
      expect(sandbox.requestsReceived(provider, input.refundId)).toBe(0);
    }
    expect(refused.length).toBeGreaterThan(0);
    expect(accepted.length + refused.length).toBe(CALLS);
    for (const refund of accepted) expect(['pending', 'succeeded']).toContain(refund.status);
    const acceptedSum = accepted.reduce((sum, r) => sum + r.amount, 0);
    expect(acceptedSum).toBeLessThanOrEqual(ORDER);
    // Every refusal was right when made, and is still right: it did not fit then, nor in what is left now.
    for (const error of refused) {
      expect(error.requested).toBeGreaterThan(error.remaining);
      expect(error.requested).toBeGreaterThan(ORDER - acceptedSum);
    }
    expect(Math.max(...samples)).toBeLessThanOrEqual(ORDER);

    expect(await settleAndReconcile(provider, orderId, accepted)).toBe(acceptedSum);
  });

  it('(b) without orderAmount: the sandbox refuses the excess (failed), its total never exceeds the order', async () => {
    const orderId = idFor(provider, 'CCBORD', 1);
    sandbox.addOrder(provider, { orderId, amount: ORDER });
    const { outcomes, samples } = await fireAll(provider, 'CCB', orderId, undefined);

    const accepted: Refund[] = [];
    const failed: Refund[] = [];
    for (const { outcome } of outcomes) {
      if (!outcome.ok) {
        // Only a provider whose answers carry the order's total lets the ledger learn it mid-way.
        expect(LEARNS_ORDER_TOTAL.has(provider), `${provider} threw ${String(outcome.error)}`).toBe(true);
        expect(outcome.error).toBeInstanceOf(OverRefundError);
        continue;
      }
      if (outcome.value.status === 'failed') failed.push(outcome.value);
      else accepted.push(outcome.value);
    }
    expect(failed.length).toBeGreaterThan(0);
    for (const refund of accepted) expect(['pending', 'succeeded']).toContain(refund.status);
    const acceptedSum = accepted.reduce((sum, r) => sum + r.amount, 0);
    expect(acceptedSum).toBeLessThanOrEqual(ORDER);
    for (const refund of failed) {
      expect(refund.failure?.code).toBe(OVER_REFUND_CODE[provider]);
      expect(refund.amount).toBeGreaterThan(ORDER - acceptedSum);
      expect(sandbox.requestsReceived(provider, refund.refundId)).toBe(1);
      expect(sandbox.refund(provider, refund.refundId)).toBeUndefined();
    }
    expect(Math.max(...samples)).toBeLessThanOrEqual(ORDER);

    expect(await settleAndReconcile(provider, orderId, accepted)).toBe(acceptedSum);
  });
});

// ---------------------------------------------------------------------------------------------
// Two processes, one SQLite ledger file
// ---------------------------------------------------------------------------------------------

interface WorkerResult {
  readonly provider: Provider;
  readonly orderId: string;
  readonly refundId: string;
  readonly amount: number;
  readonly ok: boolean;
  readonly status?: Refund['status'];
  readonly firstStatus?: Refund['status'];
  readonly failureCode?: string;
  readonly refund?: Refund;
  readonly typed?: boolean;
  readonly name?: string;
  readonly message?: string;
  readonly inspected?: string;
  readonly requested?: number;
  readonly remaining?: number;
}

interface Worker {
  readonly ready: Promise<void>;
  readonly done: Promise<WorkerResult[]>;
  go(): void;
  kill(): void;
}

const WORKER = join(import.meta.dirname, 'refund-worker.mjs');

/** Starts a worker; `ready` resolves when it printed `ready`, `done` with its results once it exits 0. */
function startWorker(config: unknown): Worker {
  const child = spawn(process.execPath, [WORKER], {
    cwd: import.meta.dirname,
    env: { ...process.env, REFUNDKIT_RELIABILITY_WORKER: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line === 'ready') resolve();
    });
    void exited.then((code) => reject(new Error(`worker exited (${code}) before it was ready: ${stderr}`)));
  });
  const done = exited.then((code) => {
    if (code !== 0) throw new Error(`worker exited with ${code}: ${stderr}`);
    const last = lines.at(-1);
    if (!last || !last.startsWith('{')) throw new Error(`worker printed no results: ${lines.join('\n')}\n${stderr}`);
    return (JSON.parse(last) as { results: WorkerResult[] }).results;
  });
  ready.catch(() => undefined);
  done.catch(() => undefined);
  return { ready, done, go: () => child.stdin.end('go\n'), kill: () => child.kill() };
}

/** Rejects after `ms` with `what` (a generous bound, so a stuck child fails the test instead of hanging it). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

describe('two processes, one SQLite ledger file', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'refundkit-reliability-'));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('50 refunds from each, on capped and uncapped orders of all five providers: no order is refunded beyond its total', async () => {
    const ledgerFile = join(dir, 'ledger.db');
    const providers = providerConfigs(sandbox);
    const capped = new Map<Provider, string>();
    const uncapped = new Map<Provider, string>();
    for (const provider of PROVIDERS) {
      capped.set(provider, sandbox.addOrder(provider, { orderId: idFor(provider, 'MPAORD', 1), amount: ORDER }).orderId);
      uncapped.set(provider, sandbox.addOrder(provider, { orderId: idFor(provider, 'MPBORD', 1), amount: ORDER }).orderId);
    }
    // Worker w takes the refunds i with i % 2 === w: 50 per order, 10 000 in all, so the two ask for twice each order.
    const jobsOf = (w: number) =>
      PROVIDERS.flatMap((provider) =>
        Array.from({ length: CALLS }, (_, i) => i)
          .filter((i) => i % 2 === w)
          .flatMap((i) => [
            refundInput(provider, capped.get(provider)!, idFor(provider, 'MPA', i), amountOf(i), ORDER),
            refundInput(provider, uncapped.get(provider)!, idFor(provider, 'MPB', i), amountOf(i)),
          ]),
      );
    const workers = [0, 1].map((w) => startWorker({ ledgerFile, providers, jobs: jobsOf(w) }));
    let results: WorkerResult[];
    try {
      await within(Promise.all(workers.map((w) => w.ready)), 30_000, 'both workers ready');
      for (const worker of workers) worker.go();
      results = (await within(Promise.all(workers.map((w) => w.done)), 80_000, 'both workers done')).flat();
    } finally {
      for (const worker of workers) worker.kill();
    }

    expect(results).toHaveLength(2 * PROVIDERS.length * CALLS);
    for (const result of results) {
      if (result.ok) {
        seen.refund(result.refund!, `worker ${result.refundId}`);
      } else {
        seen.text(result.message ?? '', `worker ${result.refundId}: error message`);
        seen.text(result.inspected ?? '', `worker ${result.refundId}: inspect(error)`);
        seen.errors++;
        expect(result.typed, `${result.refundId}: ${result.name}: ${result.message}`).toBe(true);
        expect(result.name).toBe('OverRefundError');
      }
    }

    for (const provider of PROVIDERS) {
      for (const [orderId, cappedOrder] of [[capped.get(provider)!, true], [uncapped.get(provider)!, false]] as const) {
        const mine = results.filter((r) => r.orderId === orderId);
        const succeeded = mine.filter((r) => r.ok && r.status === 'succeeded');
        const failed = mine.filter((r) => r.ok && r.status === 'failed');
        const overRefused = mine.filter((r) => !r.ok);
        const what = `${provider} ${cappedOrder ? 'capped' : 'uncapped'} order`;
        expect(succeeded.length + failed.length + overRefused.length, what).toBe(CALLS);
        const refundedSum = succeeded.reduce((sum, r) => sum + r.amount, 0);
        expect(refundedSum, what).toBeLessThanOrEqual(ORDER);
        // The sandbox's total only grows when no refund fails later, so its final value is its maximum.
        expect(sandbox.refundedTotal(provider, orderId), what).toBe(refundedSum);
        expect(sandbox.refunds(provider, orderId).length, what).toBe(succeeded.length);
        for (const r of failed) expect(r.failureCode, `${what}: ${r.refundId}`).toBe(OVER_REFUND_CODE[provider]);
        for (const r of overRefused) {
          expect(sandbox.requestsReceived(provider, r.refundId), `${what}: ${r.refundId}`).toBe(0);
          expect(r.requested, `${what}: ${r.refundId}`).toBeGreaterThan(r.remaining!);
        }
        if (cappedOrder) {
          // The shared ledger kept both processes within the order: the sandbox never had to refuse.
          expect(failed.map((r) => r.refundId), what).toEqual([]);
          expect(overRefused.length, what).toBeGreaterThan(0);
        } else {
          expect(failed.length + overRefused.length, what).toBeGreaterThan(0);
          if (!LEARNS_ORDER_TOTAL.has(provider)) expect(overRefused.map((r) => r.refundId), what).toEqual([]);
        }
      }
    }

    // The file holds what both processes wrote: every refund once, the same books as the sandbox.
    const shared = await openSqliteLedger(ledgerFile);
    try {
      for (const provider of PROVIDERS) {
        for (const orderId of [capped.get(provider)!, uncapped.get(provider)!]) {
          const rows = await shared.refundsOf({ provider, account: accountFor(sandbox, provider), orderId });
          const live = rows.filter((r) => r.status !== 'failed');
          expect(live.every((r) => r.status === 'succeeded')).toBe(true);
          expect(live.reduce((sum, r) => sum + r.amount, 0)).toBe(sandbox.refundedTotal(provider, orderId));
        }
      }
    } finally {
      await shared.close();
    }
  });
});

it('the sandbox served every request without an error of its own', () => {
  expect(sandbox.errors()).toEqual([]);
});

it('no secret appears in any error or refund these runs produced', () => {
  expect(seen.errors).toBeGreaterThan(0);
  expect(seen.refunds).toBeGreaterThan(1000);
  expect(new SecretScanner(collectSecrets(sandbox)).leaks(seen.texts)).toEqual([]);
});
