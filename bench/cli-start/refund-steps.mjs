// One `refundkit refund` (tipay, SQLite ledger file), its steps timed (bench/cli-start.diag.mjs).
// Args: a JSON file { baseUrl, appId, appKey, merchantNo, ledger }, a refund id. Prints the step
// times as one JSON object.
const start = performance.now();
const times = {};
let last = start;
const mark = (name) => {
  const now = performance.now();
  times[name] = now - last;
  last = now;
};
times['node start (bootstrap until the first line)'] = start;
const { readFileSync } = await import('node:fs');
const [configFile, refundId] = process.argv.slice(2);
const { ledger: configured, ...tipay } = JSON.parse(readFileSync(configFile, 'utf8'));
// DIAG_LEDGER=memory: the same steps on an in-memory SQLite database (no file, no fsync).
const ledgerFile = process.env.DIAG_LEDGER === 'memory' ? ':memory:' : configured;
await import('../../packages/cli/dist/main.js');
mark('import the CLI entry (main.js)');
const { createRefunds, openSqliteLedger } = await import('@refundkit/refunds');
mark('import @refundkit/refunds (+ registry, runtime)');
await import('../../packages/cli/dist/refund.js');
mark('import the refund command (its own modules)');
await import('better-sqlite3');
mark('load better-sqlite3 (native addon)');
const ledger = await openSqliteLedger(ledgerFile);
mark('open the ledger file (WAL, schema check)');
const refunds = createRefunds({ providers: { tipay }, ledger });
const { ADAPTERS } = await import('@refundkit/refunds');
await ADAPTERS.tipay.load();
mark('load the tipay adapter and @refundkit/tipay');
void globalThis.Request;
mark("first use of fetch's globals (undici loads)");
const refund = await refunds.refund({ provider: 'tipay', orderId: 'TP-DIAG-0001', refundId, amount: 1, currency: 'CNY' });
mark('refund: reserve (fsync), sign, send, answer, record (fsync)');
const again = await refunds.get({ provider: 'tipay', orderId: 'TP-DIAG-0001', refundId });
mark('status: query the provider (pending), record the answer');
await refunds.close();
mark('close the ledger');
if (refund.status !== 'pending' || !again) throw new Error(`unexpected ${refund.status}`);
times['total (node start included)'] = performance.now();
process.stdout.write(JSON.stringify(times));
process.exit(0);
