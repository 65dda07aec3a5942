// A child process of postgres.test.ts: one facade over a PostgreSQL ledger shared with the other
// processes, refunding against the parent's sandbox, as one instance of an app among several.
// Imports the built packages from node_modules.
//
// Input: the environment variable REFUNDKIT_PG_WORKER, JSON
//   { connectionString, schema, providers, options: { timeoutMs?, leaseMs?, inFlightWaitMs? },
//     jobs: [{ provider, orderId, refundId, amount, currency, options, orderAmount? }] }
// Protocol: prints `ready` once the ledger is open, waits for `go` on stdin, runs its jobs one
// after another (the races are between processes), prints one JSON line { results }, exits 0.
import { createInterface } from 'node:readline';
import { createRefunds, openPostgresLedger } from '@refundkit/refunds';
import { RefundkitError } from '@refundkit/runtime';

const input = JSON.parse(process.env.REFUNDKIT_PG_WORKER ?? 'null');
if (!input) throw new Error('pg-refund-worker: REFUNDKIT_PG_WORKER is not set');

const ledger = await openPostgresLedger({ connectionString: input.connectionString }, { schema: input.schema, poolSize: 2 });
const refunds = createRefunds({ providers: input.providers, ledger, ...input.options });

const lines = createInterface({ input: process.stdin });
const go = new Promise((resolve, reject) => {
  lines.on('line', (line) => {
    if (line.trim() === 'go') resolve();
  });
  lines.on('close', () => reject(new Error('pg-refund-worker: stdin closed before go')));
});
process.stdout.write('ready\n');
await go;
lines.close();

const results = [];
for (const job of input.jobs) {
  try {
    const refund = await refunds.refund(job);
    results.push({ refundId: job.refundId, ok: true, status: refund.status, failureCode: refund.failure?.code });
  } catch (error) {
    results.push({ refundId: job.refundId, ok: false, typed: error instanceof RefundkitError, code: error?.code, message: String(error?.message ?? error) });
  }
}
await refunds.close();
process.stdout.write(`${JSON.stringify({ results })}\n`);
