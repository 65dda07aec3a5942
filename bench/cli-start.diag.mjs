// Diagnostic, not run by `npm run bench`: where a `refundkit refund` process's time goes, step by
// step, as the CLI does it (tipay, the sandbox, a SQLite ledger file). Each run is a fresh node
// process (cli-start/refund-steps.mjs) that times its own steps with performance.now(); the
// figures are medians over RUNS processes. Process start (node's own bootstrap until the script
// runs) is `performance.now()` at the script's first line.
//
//   node bench/cli-start.diag.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '@refundkit/sandbox';
import { median } from './lib/common.mjs';

const RUNS = Math.max(9, Number(process.env.BENCH_CLI_SPAWNS ?? 11));
const STEPS = fileURLToPath(new URL('./cli-start/refund-steps.mjs', import.meta.url));

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (t) => (out += t));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}: ${out}`))));
  });
}

const dir = mkdtempSync(join(tmpdir(), 'refundkit-cli-diag-'));
const sandbox = await startSandbox({ port: 0, seed: { tipay: [{ orderId: 'TP-DIAG-0001', amount: 1_000_000_00 }] } });
try {
  const { appId, appKey, merchantNo } = sandbox.credentials.tipay;
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ baseUrl: sandbox.urls.tipay, appId, appKey, merchantNo, ledger: join(dir, 'ledger.db') }));
  const rows = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const steps = await run([STEPS, config, `diag${process.pid}${String(i).padStart(6, '0')}`]);
    if (i > 0) rows.push(steps);
  }
  console.log(`median of ${RUNS} processes, ms (load average now ${(await import('node:os')).loadavg()[0].toFixed(1)}):`);
  for (const step of Object.keys(rows[0])) console.log(`  ${step.padEnd(58)} ${median(rows.map((r) => r[step])).toFixed(1)}`);
} finally {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}
