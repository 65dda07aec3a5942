// 6. CLI start: the wall time of a whole `refundkit` process, per command, against a bare
// `node -e ''` (issue #15: each command at most 60 ms above bare node).
//
//   node bench/cli-start.bench.mjs
//
// Commands (each a fresh process, `node packages/cli/bin/refundkit.js …`):
// - `--version`;
// - `validate --provider tipay --message refund.request` of the spec's own example;
// - `refund --provider tipay … --amount 0.01` with a new refund id each time, against the sandbox
//   (started in this process, one large tipay order), SQLite ledger in a temporary folder: tipay
//   answers pending, so the refund is sent and its answer verified and recorded;
// - `status` of the refund the same round's `refund` just made: not final yet, so the CLI asks the
//   sandbox (a tipay query) and records the answer.
// Wall time of each spawn (spawn to exit; asynchronous, so the sandbox in this process can
// answer), median of SPAWNS rounds (default 11, at
// least 9) after 2 unmeasured rounds (file cache); within a round the variants alternate, so
// noise from the machine falls on all of them alike.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '@refundkit/sandbox';
import { log, median, row, suite } from './lib/common.mjs';
import { idSource } from './lib/fixtures.mjs';

const SPAWNS = Math.max(9, Number(process.env.BENCH_CLI_SPAWNS ?? 11));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'packages/cli/bin/refundkit.js');
/** The CLI's own budget above bare node (issue #15). */
const BUDGET_MS = 60;
const ORDER = 'TP-BENCH-CLI-0001';

/** A whole process: wall ms. `ok` are the exit codes the command may end with. */
async function spawnMs(args, ok) {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text) => (output += text));
  child.stderr.setEncoding('utf8').on('data', (text) => (output += text));
  const status = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!ok.includes(status)) throw new Error(`node ${args.join(' ')} exited ${status}: ${output}`);
  return ms;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'refundkit-cli-bench-'));
  // A big order, so every round's 0.01 refund fits; async refunds stay pending until queried.
  const sandbox = await startSandbox({ port: 0, seed: { tipay: [{ orderId: ORDER, amount: 1_000_000_00 }] } });
  try {
    const { appId, appKey, merchantNo } = sandbox.credentials.tipay;
    const configFile = join(dir, 'refundkit.config.json');
    writeFileSync(configFile, JSON.stringify({ providers: { tipay: { baseUrl: sandbox.urls.tipay, appId, appKey, merchantNo } }, ledger: join(dir, 'ledger.db') }));
    const nextId = idSource('cli');
    const facade = ['--provider', 'tipay', '--order', ORDER, '--config', configFile, '--json'];
    // Exit codes: 0 succeeded, 4 pending (tipay's asynchronous refund), for refund and status alike.
    const variants = {
      node: () => [['-e', ''], [0]],
      '--version': () => [[BIN, '--version'], [0]],
      validate: () => [[BIN, 'validate', '--provider', 'tipay', '--message', 'refund.request', join(ROOT, 'specs/tipay/examples/refund.request.json')], [0]],
      refund: (round) => [[BIN, 'refund', ...facade, '--refund-id', round.refundId, '--amount', '0.01'], [0, 4]],
      status: (round) => [[BIN, 'status', ...facade, '--refund-id', round.refundId], [0, 4]],
    };
    const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    for (let i = 0; i < SPAWNS + 2; i++) {
      const round = { refundId: nextId() };
      for (const [k, variant] of Object.entries(variants)) {
        const [args, ok] = variant(round);
        const ms = await spawnMs(args, ok);
        if (i >= 2) times[k].push(ms);
      }
    }
    // The refund and status spawns really talked to the sandbox: one refund request each, and queries.
    const queries = sandbox.requests().filter((r) => r.provider === 'tipay' && r.operation === 'queryRefund').length;
    log(`sandbox saw ${sandbox.refunds('tipay', ORDER).length} tipay refunds and ${queries} queries`);
    const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
    for (const [k, v] of Object.entries(times)) log(`${k.padEnd(10)} median ${m[k].toFixed(1)} ms, ${(m[k] - m.node).toFixed(1)} ms above bare node  (min ${Math.min(...v).toFixed(1)}, max ${Math.max(...v).toFixed(1)}, ${v.length} spawns)`);
    return Object.keys(variants)
      .filter((k) => k !== 'node')
      .map((k) =>
        row({
          name: `cli start: refundkit ${k}${k === 'refund' || k === 'status' ? ' (tipay, sandbox, SQLite ledger)' : k === 'validate' ? ' (tipay refund.request)' : ''} vs bare node -e ''`,
          unit: 'ms',
          refundkit: m[k],
          bare: m.node,
          higherIsBetter: false,
          target: m.node / (m.node + BUDGET_MS),
          targetText: `≤ bare + ${BUDGET_MS} ms`,
        }),
      );
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await suite(main);
