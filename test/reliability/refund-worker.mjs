// A child process of concurrency.test.ts: one facade over a SQLite ledger file shared with another
// process, refunding against the parent's sandbox. Imports the built packages from node_modules.
//
// Input: the environment variable REFUNDKIT_RELIABILITY_WORKER, JSON
//   { ledgerFile, providers, jobs: [{ provider, orderId, refundId, amount, currency, options, orderAmount? }] }
// Protocol: prints `ready` once the ledger is open, waits for `go` on stdin, runs every job at
// once, settles the accepted ones (bounded waitFor), prints one JSON line { results }, exits 0.
import { createInterface } from 'node:readline';
import { inspect } from 'node:util';
import { createRefunds, openSqliteLedger, OverRefundError } from '@refundkit/refunds';
import { RefundkitError } from '@refundkit/runtime';

const input = JSON.parse(process.env.REFUNDKIT_RELIABILITY_WORKER ?? 'null');
if (!input) throw new Error('refund-worker: REFUNDKIT_RELIABILITY_WORKER is not set');

const ledger = await openSqliteLedger(input.ledgerFile);
const refunds = createRefunds({ providers: input.providers, ledger, timeoutMs: 15_000 });

const lines = createInterface({ input: process.stdin });
const go = new Promise((resolve, reject) => {
  lines.on('line', (line) => {
    if (line.trim() === 'go') resolve();
  });
  lines.on('close', () => reject(new Error('refund-worker: stdin closed before go')));
});
process.stdout.write('ready\n');
await go;
lines.close();

function describeError(error) {
  return {
    ok: false,
    typed: error instanceof RefundkitError,
    name: error?.constructor?.name ?? typeof error,
    code: error?.code,
    message: error instanceof Error ? error.message : String(error),
    inspected: inspect(error, { depth: 8, showHidden: true }),
    ...(error instanceof OverRefundError ? { requested: error.requested, remaining: error.remaining } : {}),
  };
}

// Each refund starts in its own turn of the event loop, so the other process can take the
// ledger's lock between two reservations (a burst of synchronous transactions would hold it).
const running = [];
for (const job of input.jobs) {
  running.push(run(job));
  await new Promise((resolve) => setImmediate(resolve));
}
const results = await Promise.all(running);

async function run(job) {
  const base = { provider: job.provider, orderId: job.orderId, refundId: job.refundId, amount: job.amount };
  try {
    const first = await refunds.refund(job);
    let final = first.status === 'succeeded' || first.status === 'failed' ? first : await refunds.waitFor(first, { timeoutMs: 15_000, intervalMs: 50 });
    // What a careful caller does with a refund still `unknown` (on a loaded machine an exchange
    // can time out): call again with the same refund id — the ledger queries first and resends
    // the same number only if the provider never had it. Never a new id.
    for (let retry = 0; retry < 3 && final.status === 'unknown'; retry++) {
      const again = await refunds.refund(job);
      final = again.status === 'succeeded' || again.status === 'failed' ? again : await refunds.waitFor(again, { timeoutMs: 15_000, intervalMs: 50 });
    }
    return { ...base, ok: true, firstStatus: first.status, status: final.status, failureCode: final.failure?.code, refund: final };
  } catch (error) {
    return { ...base, ...describeError(error) };
  }
}

await refunds.close();
process.stdout.write(`${JSON.stringify({ results })}\n`);
