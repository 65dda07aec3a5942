/**
 * The reconciler against the sandbox (issue 20, "automatic resolution", done when): it resolves
 * pending and unknown refunds of every provider by queries alone — never a second refund request
 * (`sandbox.requestsReceived`) — leaves what a query cannot decide as it was, recovers a sender
 * that froze mid-send once its lease expired, never touches a refund whose sender is live, and
 * runs from two processes at once on one PostgreSQL ledger without ever querying one refund twice
 * at the same moment (the sandbox's request log: each query is held `slow` for a while, and the
 * next query of the same refund arrives only after the previous answer left).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createRefunds, MemoryLedger, migratePostgresLedger, openPostgresLedger, redactConnectionString, startReconciler, type Refund, type RefundIdentity, type RefundUpdate, type Refunds, type RecordedUpdate } from '@refundkit/refunds';
import { startSandbox, type RequestRecord, type Sandbox } from '@refundkit/sandbox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accountFor, idFor, PROVIDERS, providerConfigs, refundInput, type Provider } from '../reliability/support.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

/**
 * How long a caller waits for an answer the sandbox holds back (`timeout-after-commit`): long
 * enough for the request to arrive on a loaded machine, so the provider did commit it.
 */
const IMPATIENT_MS = 1_500;
/** Always due again: the tests run the reconciler back to back. */
const EAGER = { olderThanMs: 0, perSecond: 200, backoff: { firstMs: 1, maxMs: 1, jitter: 0 } } as const;
/** How long the first sandbox keeps an accepted refund pending: long enough for the first checks to find it so. */
const DELAY_MS = 8_000;

let sandbox: Sandbox;
beforeAll(async () => {
  // easypay answers 9 (processing) first; the others pending where their documents say so.
  sandbox = await startSandbox({ delayMs: DELAY_MS, easypayMode: 'async' });
});
afterAll(async () => {
  await sandbox?.close();
});

let counter = 0;
const nextId = (provider: Provider, kind: string): string => idFor(provider, kind, ++counter);

/** The sandbox's requests about `refundNo` (both operations). */
const requestsAbout = (s: Sandbox, provider: Provider, refundNo: string): RequestRecord[] => s.requests().filter((r) => r.provider === provider && r.refundNo === refundNo);

describe('the reconciler resolves pending and unknown refunds of every provider, by queries alone', () => {
  it('pending stays pending while the provider says so; unknown ones it committed are resolved; one it never saw stays unknown; nothing is sent twice', async () => {
    const ledger = new MemoryLedger();
    const refunds = createRefunds({ providers: providerConfigs(sandbox), ledger, timeoutMs: 5_000 });
    const impatient = createRefunds({ providers: providerConfigs(sandbox), ledger, timeoutMs: IMPATIENT_MS });
    const made: { provider: Provider; refundNo: string; kind: 'pending' | 'committed' | 'never-reached'; first: Refund }[] = [];
    await Promise.all(
      PROVIDERS.map(async (provider) => {
        const order = sandbox.addOrder(provider, { orderId: nextId(provider, 'RCORD'), amount: 10_000 }).orderId;
        // yima answers at once (0000): it has no pending state to leave a refund in.
        if (provider !== 'yima') {
          const refundNo = nextId(provider, 'RCPEND');
          made.push({ provider, refundNo, kind: 'pending', first: await refunds.refund(refundInput(provider, order, refundNo, 1_000, 10_000)) });
        }
        const committed = nextId(provider, 'RCUNK');
        sandbox.armFault({ provider, fault: 'timeout-after-commit', refundNo: committed });
        made.push({ provider, refundNo: committed, kind: 'committed', first: await impatient.refund(refundInput(provider, order, committed, 2_000, 10_000)) });
        expect(sandbox.requestsReceived(provider, committed)).toBe(1);
        const lost = nextId(provider, 'RCLOST');
        sandbox.armFault({ provider, fault: 'timeout-before-commit', refundNo: lost });
        made.push({ provider, refundNo: lost, kind: 'never-reached', first: await impatient.refund(refundInput(provider, order, lost, 3_000, 10_000)) });
      }),
    );
    for (const m of made) expect([m.refundNo, m.first.status]).toEqual([m.refundNo, m.kind === 'pending' ? 'pending' : 'unknown']);
    const sentBefore = sandbox.requests().length;

    // Within the provider's delay: a query cannot decide a pending refund, so it stays pending;
    // an unknown one the provider committed is pending there (yima: already succeeded).
    const first = await refunds.reconcile(EAGER);
    expect(first.checked).toBe(made.length);
    const after = async (refundNo: string, provider: Provider) => ledger.get({ provider, account: accountFor(sandbox, provider), refundId: refundNo });
    for (const m of made) {
      const now = await after(m.refundNo, m.provider);
      const expected = m.kind === 'never-reached' ? 'unknown' : m.provider === 'yima' ? 'succeeded' : 'pending';
      expect([m.provider, m.kind, now?.status]).toEqual([m.provider, m.kind, expected]);
      expect(now?.lease).toBeUndefined();
    }
    // The refund it never saw keeps its cause (the timeout), and only the history says what the query found.
    const lost = made.find((m) => m.kind === 'never-reached' && m.provider === 'tipay')!;
    expect((await after(lost.refundNo, 'tipay'))?.failure).toEqual(lost.first.failure);

    // Once the providers finish: every refund they hold is succeeded, by queries.
    const resolved = { succeeded: first.resolved.succeeded, failed: first.resolved.failed };
    await vi.waitFor(
      async () => {
        const run = await refunds.reconcile(EAGER);
        resolved.succeeded += run.resolved.succeeded;
        resolved.failed += run.resolved.failed;
        for (const m of made.filter((x) => x.kind !== 'never-reached')) expect([m.refundNo, (await after(m.refundNo, m.provider))?.status]).toEqual([m.refundNo, 'succeeded']);
      },
      { timeout: 30_000, interval: 250 },
    );
    expect(resolved).toEqual({ succeeded: made.filter((m) => m.kind !== 'never-reached').length, failed: 0 });
    for (const m of made) {
      // Sent once (the one never committed reached the sandbox too), never again: everything after it was a query.
      expect([m.refundNo, sandbox.requestsReceived(m.provider, m.refundNo)]).toEqual([m.refundNo, 1]);
      const later = requestsAbout(sandbox, m.provider, m.refundNo).slice(1);
      expect(later.length).toBeGreaterThan(0);
      expect(later.every((r) => r.operation === 'queryRefund')).toBe(true);
      if (m.kind === 'never-reached') expect((await after(m.refundNo, m.provider))?.status).toBe('unknown');
    }
    expect(sandbox.requests().slice(sentBefore).every((r) => r.operation === 'queryRefund')).toBe(true);
    // The feed says who resolved them: queries.
    const feed = await refunds.changes({ limit: 1_000 });
    for (const m of made.filter((x) => x.kind !== 'never-reached')) {
      expect(feed.filter((c) => c.refundId === m.refundNo && c.to === 'succeeded').map((c) => c.source)).toEqual(['query']);
    }
  });
});

describe('leases and claims', () => {
  let quick: Sandbox;
  beforeAll(async () => {
    quick = await startSandbox({ delayMs: 0 });
  });
  afterAll(async () => {
    await quick?.close();
  });

  it('a sender that froze after its request left (its lease expired): claimed, resolved by a query, no second request; its late answer moves nothing', async () => {
    let offset = 0;
    const clock = () => Date.now() + offset;
    /** A ledger whose writes of refund answers wait at a gate: the sender is frozen between sending and recording. */
    class Frozen extends MemoryLedger {
      gate: Promise<void> | undefined;
      override async record(key: RefundIdentity, update: RefundUpdate): Promise<RecordedUpdate> {
        if (update.source === 'refund' && this.gate) await this.gate;
        return super.record(key, update);
      }
    }
    const ledger = new Frozen({ now: clock });
    let thaw: () => void = () => {};
    ledger.gate = new Promise((resolve) => (thaw = resolve));
    const refunds = createRefunds({ providers: { tipay: providerConfigs(quick).tipay! }, ledger, clock, timeoutMs: 5_000 });
    const order = quick.addOrder('tipay', { orderId: nextId('tipay', 'FRZORD'), amount: 5_000 }).orderId;
    const refundNo = nextId('tipay', 'FRZ');
    const sending = refunds.refund(refundInput('tipay', order, refundNo, 500, 5_000) as never);
    await vi.waitFor(() => expect(quick.requestsReceived('tipay', refundNo)).toBe(1), { timeout: 10_000, interval: 10 });
    const key = { provider: 'tipay' as const, account: accountFor(quick, 'tipay'), refundId: refundNo };
    // While its lease lives the reconciler leaves it alone.
    expect((await refunds.reconcile(EAGER)).checked).toBe(0);
    offset += 70_000; // past the 65 s lease
    const run = await refunds.reconcile(EAGER);
    expect(run).toMatchObject({ checked: 1, resolved: { succeeded: 1, failed: 0 } });
    expect(await ledger.get(key)).toMatchObject({ status: 'succeeded', attempts: 1, providerMayKnow: true });
    expect(quick.requestsReceived('tipay', refundNo)).toBe(1);
    // The sender wakes: its answer is recorded late and changes nothing.
    thaw();
    expect((await sending).status).toBe('succeeded');
    const history = await ledger.history(key);
    expect(history.map((e) => e.kind)).toEqual(['reserved', 'claimed', 'answer', 'answer']);
    expect(history.at(-1)).toMatchObject({ source: 'refund', statusAfter: 'succeeded' });
    expect((await refunds.changes()).filter((c) => c.refundId === refundNo).map((c) => [c.from, c.to, c.source])).toEqual([
      [null, 'unknown', 'reservation'],
      ['unknown', 'succeeded', 'query'],
    ]);
  });

  it('a refund whose sender is live is never touched: skipped while the provider holds its commit, resolved by its sender', async () => {
    const refunds = createRefunds({ providers: { eftpay: providerConfigs(quick).eftpay! }, ledger: new MemoryLedger(), timeoutMs: 15_000 });
    const order = quick.addOrder('eftpay', { orderId: nextId('eftpay', 'LIVEORD'), amount: 5_000 }).orderId;
    const refundNo = nextId('eftpay', 'LIVE');
    quick.armFault({ provider: 'eftpay', fault: 'slow-commit', refundNo, ms: 600_000 });
    const sending = refunds.refund(refundInput('eftpay', order, refundNo, 500, 5_000) as never);
    await vi.waitFor(() => expect(quick.pendingCommits()).toContainEqual({ provider: 'eftpay', refundNo }), { timeout: 10_000, interval: 10 });
    const run = await refunds.reconcile(EAGER);
    expect(run.checked).toBe(0);
    expect(requestsAbout(quick, 'eftpay', refundNo).map((r) => r.operation)).toEqual(['refund']);
    expect(quick.releaseCommits({ provider: 'eftpay', refundNo })).toBe(1);
    expect(['pending', 'succeeded']).toContain((await sending).status);
    expect(quick.requestsReceived('eftpay', refundNo)).toBe(1);
  });

  it('startReconciler runs in the background and stops cleanly: a query under way is cut off, moves nothing, and its claim is released', async () => {
    const ledger = new MemoryLedger();
    const refunds = createRefunds({ providers: { lianke: providerConfigs(quick).lianke! }, ledger, timeoutMs: 20_000 });
    const impatient = createRefunds({ providers: { lianke: providerConfigs(quick).lianke! }, ledger, timeoutMs: IMPATIENT_MS });
    const order = quick.addOrder('lianke', { orderId: nextId('lianke', 'BGORD'), amount: 5_000 }).orderId;
    const quickNo = nextId('lianke', 'BGA');
    quick.armFault({ provider: 'lianke', fault: 'timeout-after-commit', refundNo: quickNo });
    expect((await impatient.refund(refundInput('lianke', order, quickNo, 500, 5_000) as never)).status).toBe('unknown');
    const runs: number[] = [];
    const reconciler = startReconciler(refunds, { ...EAGER, intervalMs: 20, onRun: (s) => void runs.push(s.checked) });
    const key = (refundId: string) => ({ provider: 'lianke' as const, account: accountFor(quick, 'lianke'), refundId });
    await vi.waitFor(async () => expect((await ledger.get(key(quickNo)))?.status).toBe('succeeded'), { timeout: 20_000, interval: 20 });

    // A second refund whose query will hang: the reconciler is mid-query when it is stopped.
    const slowNo = nextId('lianke', 'BGB');
    quick.armFault({ provider: 'lianke', fault: 'timeout-after-commit', refundNo: slowNo });
    expect((await impatient.refund(refundInput('lianke', order, slowNo, 700, 5_000) as never)).status).toBe('unknown');
    quick.armFault({ provider: 'lianke', fault: 'slow', operation: 'queryRefund', refundNo: slowNo, ms: 600_000, times: 10 });
    await vi.waitFor(async () => expect((await ledger.get(key(slowNo)))?.lease).toBeDefined(), { timeout: 20_000, interval: 10 });
    const before = await ledger.get(key(slowNo));
    await reconciler.stop();
    const stopped = await ledger.get(key(slowNo));
    expect(stopped).toMatchObject({ status: 'unknown', failure: before!.failure });
    expect(stopped?.lease).toBeUndefined();
    expect((await ledger.history(key(slowNo))).at(-1)).toMatchObject({ kind: 'answer', source: 'query', statusAfter: 'unknown', failure: { code: 'aborted' } });
    // Nothing runs after stop().
    const seen = quick.requests().length;
    const runsAtStop = runs.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(quick.requests().length).toBe(seen);
    expect(runs.length).toBe(runsAtStop);
    expect(runs.some((checked) => checked > 0)).toBe(true);
  });

  it('drain: a query under way finishes and is recorded, nothing is claimed after; past the grace period what is left is cut off', async () => {
    const ledger = new MemoryLedger();
    const refunds = createRefunds({ providers: { lianke: providerConfigs(quick).lianke! }, ledger, timeoutMs: 20_000 });
    const impatient = createRefunds({ providers: { lianke: providerConfigs(quick).lianke! }, ledger, timeoutMs: IMPATIENT_MS });
    const order = quick.addOrder('lianke', { orderId: nextId('lianke', 'DRORD'), amount: 5_000 }).orderId;
    const key = (refundId: string) => ({ provider: 'lianke' as const, account: accountFor(quick, 'lianke'), refundId });

    // A query that takes 800 ms: drained with a 10 s grace, it ends and its answer is recorded.
    const slowNo = nextId('lianke', 'DRA');
    quick.armFault({ provider: 'lianke', fault: 'timeout-after-commit', refundNo: slowNo });
    expect((await impatient.refund(refundInput('lianke', order, slowNo, 500, 5_000) as never)).status).toBe('unknown');
    quick.armFault({ provider: 'lianke', fault: 'slow', operation: 'queryRefund', refundNo: slowNo, ms: 800 });
    const first = startReconciler(refunds, { ...EAGER, intervalMs: 20 });
    await vi.waitFor(async () => expect((await ledger.get(key(slowNo)))?.lease).toBeDefined(), { timeout: 20_000, interval: 10 });
    // A refund that became due meanwhile is not claimed once the drain began.
    const laterNo = nextId('lianke', 'DRB');
    quick.armFault({ provider: 'lianke', fault: 'timeout-after-commit', refundNo: laterNo });
    const drained = first.drain({ graceMs: 10_000 });
    expect((await impatient.refund(refundInput('lianke', order, laterNo, 600, 5_000) as never)).status).toBe('unknown');
    await drained;
    expect((await ledger.get(key(slowNo)))).toMatchObject({ status: 'succeeded' });
    expect((await ledger.get(key(slowNo)))?.lease).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(requestsAbout(quick, 'lianke', laterNo).map((r) => r.operation)).toEqual(['refund']);
    expect((await ledger.get(key(laterNo)))?.status).toBe('unknown');

    // A query that hangs: the grace period ends it; it moves nothing and its claim is released.
    quick.armFault({ provider: 'lianke', fault: 'slow', operation: 'queryRefund', refundNo: laterNo, ms: 600_000, times: 10 });
    const second = startReconciler(refunds, { ...EAGER, intervalMs: 20 });
    await vi.waitFor(async () => expect((await ledger.get(key(laterNo)))?.lease).toBeDefined(), { timeout: 20_000, interval: 10 });
    const started = performance.now();
    await second.drain({ graceMs: 300 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    const cut = await ledger.get(key(laterNo));
    expect(cut).toMatchObject({ status: 'unknown' });
    expect(cut?.lease).toBeUndefined();
    expect((await ledger.history(key(laterNo))).at(-1)).toMatchObject({ kind: 'answer', source: 'query', failure: { code: 'aborted' } });
  });
});

// ---------------------------------------------------------------------------------------------
// Two processes, one PostgreSQL ledger
// ---------------------------------------------------------------------------------------------

const WORKER = fileURLToPath(new URL('./reconcile-worker.mjs', import.meta.url));
const url = process.env['REFUNDKIT_TEST_PG_URL'] || 'postgres://postgres@127.0.0.1:5432/test';

async function pgAvailable(): Promise<string | undefined> {
  const schema = `refundkit_rec_${randomBytes(5).toString('hex')}`;
  try {
    await migratePostgresLedger({ connectionString: url }, { schema, connectTimeoutMs: 3_000 });
    return schema;
  } catch (error) {
    if (process.env['REFUNDKIT_REQUIRE_PG'] === '1') throw new Error(`REFUNDKIT_REQUIRE_PG=1 but PostgreSQL at ${redactConnectionString(url)} is unreachable: ${(error as Error).message}`);
    return undefined;
  }
}
const pgSchema = await pgAvailable();

interface WorkerTotal {
  readonly runs: number;
  readonly checked: number;
  readonly succeeded: number;
  readonly skipped: number;
}

function startWorker(s: Sandbox, schema: string, runForMs: number): { proc: ChildProcessWithoutNullStreams; ready: Promise<void>; done: Promise<WorkerTotal> } {
  const env = { ...process.env, REFUNDKIT_RECONCILE_WORKER: JSON.stringify({ connectionString: url, schema, providers: providerConfigs(s), runForMs }) };
  const proc = spawn(process.execPath, [WORKER], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  const ready = Promise.resolve();
  const done = exited.then((code) => {
    if (code !== 0) throw new Error(`reconcile worker exited with ${code}: ${stderr}`);
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as WorkerTotal;
  });
  done.catch(() => {});
  return { proc, ready, done };
}

describe.skipIf(pgSchema === undefined)('two reconcilers in two processes, one PostgreSQL ledger', () => {
  let pgSandbox: Sandbox;
  beforeAll(async () => {
    pgSandbox = await startSandbox({ delayMs: 10_000, easypayMode: 'async' });
  });
  afterAll(async () => {
    await pgSandbox?.close();
    const { default: pg } = (await import('pg' as string)) as { default: { Client: new (c: { connectionString: string }) => { connect(): Promise<void>; query(t: string): Promise<unknown>; end(): Promise<void> } } };
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
    await client.end();
  });

  it('every provider\'s pending and unknown refunds resolved; no refund queried twice at the same moment, none sent twice', async () => {
    const ledger = await openPostgresLedger({ connectionString: url }, { schema: pgSchema! });
    const made: { provider: Provider; refundNo: string }[] = [];
    try {
      const refunds: Refunds = createRefunds({ providers: providerConfigs(pgSandbox), ledger, timeoutMs: 5_000 });
      const impatient = createRefunds({ providers: providerConfigs(pgSandbox), ledger, timeoutMs: IMPATIENT_MS });
      await Promise.all(
        PROVIDERS.map(async (provider) => {
          const order = pgSandbox.addOrder(provider, { orderId: nextId(provider, 'PGRORD'), amount: 50_000 }).orderId;
          for (let i = 0; i < 3; i++) {
            if (provider !== 'yima') {
              const pending = nextId(provider, 'PGRPEN');
              expect((await refunds.refund(refundInput(provider, order, pending, 1_000, 50_000))).status).toBe('pending');
              made.push({ provider, refundNo: pending });
            }
            const unknown = nextId(provider, 'PGRUNK');
            pgSandbox.armFault({ provider, fault: 'timeout-after-commit', refundNo: unknown });
            expect((await impatient.refund(refundInput(provider, order, unknown, 1_000, 50_000))).status).toBe('unknown');
            expect(pgSandbox.requestsReceived(provider, unknown)).toBe(1);
            made.push({ provider, refundNo: unknown });
          }
          // Every query is held 150 ms: two queries of one refund at once would overlap in the log.
          pgSandbox.armFault({ provider, fault: 'slow', operation: 'queryRefund', ms: 150, times: 10_000 });
        }),
      );
      const firstQuery = pgSandbox.requests().length;
      const workers = [startWorker(pgSandbox, pgSchema!, 18_000), startWorker(pgSandbox, pgSchema!, 18_000)];
      for (const w of workers) w.proc.stdin.end('go\n');
      let totals: WorkerTotal[];
      try {
        totals = await Promise.all(workers.map((w) => w.done));
      } finally {
        for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
      }
      // Both worked; together they resolved every refund, each once.
      expect(totals.every((t) => t.checked > 0)).toBe(true);
      expect(totals.reduce((sum, t) => sum + t.succeeded, 0)).toBe(made.length);
      for (const m of made) {
        expect([m.refundNo, (await ledger.get({ provider: m.provider, account: accountFor(pgSandbox, m.provider), refundId: m.refundNo }))?.status]).toEqual([m.refundNo, 'succeeded']);
        expect([m.refundNo, pgSandbox.requestsReceived(m.provider, m.refundNo)]).toEqual([m.refundNo, 1]);
      }
      // No two queries of one refund at once: each was held 150 ms, and its claim until its
      // answer was recorded, so the next query of that refund arrives at least 150 ms later.
      const queries = pgSandbox.requests().slice(firstQuery);
      expect(queries.every((r) => r.operation === 'queryRefund')).toBe(true);
      let checkedPairs = 0;
      for (const m of made) {
        const arrivals = queries.filter((r) => r.provider === m.provider && r.refundNo === m.refundNo).map((r) => r.at);
        for (let i = 1; i < arrivals.length; i++) {
          expect([m.refundNo, arrivals[i]! - arrivals[i - 1]! >= 145]).toEqual([m.refundNo, true]);
          checkedPairs++;
        }
      }
      // The pending ones were queried more than once (while the provider still said pending), so the overlap check had pairs to check.
      expect(checkedPairs).toBeGreaterThan(made.length / 2);
    } finally {
      await ledger.close();
    }
  });
});
