// 8. Reconciler: queries per second of `refunds.reconcile()` against a bare query loop (the
// provider adapter's own `query`, called directly) in the same run, with the memory and the
// SQLite ledger.
//
//   npx turbo run build --output-logs=errors-only && node bench/reconciler.bench.mjs
//
// Both sides query the same REFUNDS tipay refunds, left pending at the sandbox (run in a node
// process of its own, lib/sandbox-server.mjs, keeping refunds pending for 10 minutes), through the
// same global fetch, CONCURRENCY at a time.
// - bare: `adapter.query(client, config, refund, Date.now)` for each refund — the request built,
//   signed, sent, the answer verified and mapped; nothing read or written in a ledger.
// - refundkit: one `refunds.reconcile({ olderThanMs: 0, limit: REFUNDS, concurrency: CONCURRENCY })`
//   run, every refund due (a 1 ms backoff) and no rate cap in the way (perSecond 1e6): the due
//   query, then per refund a claim (a ledger transaction), the same query, and the answer recorded
//   under the claim (a second transaction). SQLite commits each with synchronous=FULL.
// Rounds alternate which side goes first; figures are medians, the ratio the median of the
// per-round ratios (back-to-back rounds share the machine's load). No target: the reconciler runs
// in the background, and what it adds per query is two durable ledger writes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADAPTERS, createRefunds, MemoryLedger, openSqliteLedger } from '@refundkit/refunds';
import { log, median, row, suite } from './lib/common.mjs';

const ROUNDS = Number(process.env.BENCH_RECONCILER_ROUNDS ?? 9);
const REFUNDS = Number(process.env.BENCH_RECONCILER_REFUNDS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const EAGER = { olderThanMs: 0, limit: REFUNDS, concurrency: CONCURRENCY, perSecond: 1e6, backoff: { firstMs: 1, maxMs: 1, jitter: 0 } };

async function startSandboxProcess() {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./lib/sandbox-server.mjs', import.meta.url)), '600000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = await new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      buffered += chunk;
      if (buffered.includes('\n')) resolve(JSON.parse(buffered.split('\n')[0]));
    });
    child.once('exit', (code) => reject(new Error(`sandbox process exited (${code}) before listening`)));
  });
  return { ...info, close: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')))) };
}

/** Runs `work` over `items`, `CONCURRENCY` at a time; returns items per second. */
async function pooled(items, work) {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
  return items.length / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function measure(ledgerName, ledger, sandbox) {
  const config = { baseUrl: sandbox.urls.tipay, appId: sandbox.credentials.tipay.appId, appKey: sandbox.credentials.tipay.appKey, merchantNo: sandbox.credentials.tipay.merchantNo };
  const refunds = createRefunds({ providers: { tipay: config }, ledger, timeoutMs: 10_000 });
  // Pending refunds on the seeded order TP-PAID-0001 (10 000 minor units; 1 each).
  const made = [];
  for (let i = 0; i < REFUNDS; i++) {
    const refund = await refunds.refund({ provider: 'tipay', orderId: 'TP-PAID-0001', refundId: `RECBENCH${ledgerName}${String(i).padStart(6, '0')}`, amount: 1, currency: 'CNY' });
    if (refund.status !== 'pending') throw new Error(`expected pending, got ${refund.status} (${JSON.stringify(refund.failure)})`);
    made.push(refund);
  }
  const adapter = await ADAPTERS.tipay.load();
  const client = adapter.createClient(config, { timeoutMs: 10_000 });
  const bare = () =>
    pooled(made, async (refund) => {
      const answer = await adapter.query(client, config, refund, Date.now);
      if (answer.status !== 'pending') throw new Error(`bare: expected pending, got ${answer.status}`);
    });
  const ours = async () => {
    const t0 = process.hrtime.bigint();
    const summary = await refunds.reconcile(EAGER);
    const rate = summary.checked / (Number(process.hrtime.bigint() - t0) / 1e9);
    if (summary.checked !== REFUNDS || summary.stillPending !== REFUNDS) throw new Error(`reconcile: ${JSON.stringify(summary)}`);
    return rate;
  };
  // Warm-up, both sides, untimed.
  await bare();
  await ours();
  const rk = [];
  const br = [];
  const ratios = [];
  for (let round = 0; round < ROUNDS; round++) {
    let a;
    let b;
    if (round % 2 === 0) {
      b = await bare();
      a = await ours();
    } else {
      a = await ours();
      b = await bare();
    }
    rk.push(a);
    br.push(b);
    ratios.push(a / b);
    log(`  ${ledgerName} round ${round + 1}: reconciler ${a.toFixed(0)} queries/s, bare ${b.toFixed(0)} queries/s, ratio ${(a / b).toFixed(3)}`);
  }
  await refunds.close();
  return row({ name: `reconciler, ${ledgerName} ledger: queries/s (tipay, ${CONCURRENCY} at once)`, unit: 'queries/s', refundkit: median(rk), bare: median(br), higherIsBetter: true, ratio: median(ratios) });
}

await suite(async () => {
  const sandbox = await startSandboxProcess();
  const dir = mkdtempSync(join(tmpdir(), 'refundkit-bench-reconciler-'));
  try {
    const rows = [];
    rows.push(await measure('memory', new MemoryLedger(), sandbox));
    rows.push(await measure('SQLite', await openSqliteLedger(join(dir, 'ledger.db')), sandbox));
    return rows;
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
