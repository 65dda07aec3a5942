// A reconciler process of reconciler.test.ts: one facade over the PostgreSQL ledger shared with
// the other process, querying the parent's sandbox. Imports the built packages from node_modules.
//
// Input: the environment variable REFUNDKIT_RECONCILE_WORKER, JSON
//   { connectionString, schema, providers, runForMs }
// Protocol: prints `ready` once the ledger is open, waits for `go` on stdin, then runs
// `refunds.reconcile()` again and again for runForMs (checks due again 20 ms after each), prints
// one JSON line with the summaries added up, and exits 0.
import { createInterface } from 'node:readline';
import { createRefunds, openPostgresLedger } from '@refundkit/refunds';

const input = JSON.parse(process.env.REFUNDKIT_RECONCILE_WORKER ?? 'null');
if (!input) throw new Error('reconcile-worker: REFUNDKIT_RECONCILE_WORKER is not set');

const ledger = await openPostgresLedger({ connectionString: input.connectionString }, { schema: input.schema, poolSize: 4 });
const refunds = createRefunds({ providers: input.providers, ledger, timeoutMs: 5_000 });

const lines = createInterface({ input: process.stdin });
await new Promise((resolve, reject) => {
  lines.on('line', (line) => line.trim() === 'go' && resolve());
  lines.on('close', () => reject(new Error('reconcile-worker: stdin closed before go')));
});
lines.close();

const total = { runs: 0, checked: 0, succeeded: 0, failed: 0, stillPending: 0, stillUnknown: 0, skipped: 0 };
const stopAt = Date.now() + input.runForMs;
while (Date.now() < stopAt) {
  const s = await refunds.reconcile({ olderThanMs: 0, perSecond: 200, concurrency: 4, backoff: { firstMs: 20, maxMs: 20, jitter: 0 } });
  total.runs++;
  total.checked += s.checked;
  total.succeeded += s.resolved.succeeded;
  total.failed += s.resolved.failed;
  total.stillPending += s.stillPending;
  total.stillUnknown += s.stillUnknown;
  total.skipped += s.skipped;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
await refunds.close();
process.stdout.write(`${JSON.stringify(total)}\n`);
