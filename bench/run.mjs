// `npm run bench`: builds (turbo, in the npm script), then runs every benchmark, each in its own
// node process, one after the other, and writes
// - bench/results.json: a list of { name, unit, refundkit, bare, ratio, target } (ratio oriented
//   so that higher is better; target = the least ratio that meets the issue's target, or null);
// - bench/README.md: the machine and the results table, between the `results` markers.
// A benchmark reports, it does not gate: the exit code is 0 unless a benchmark failed to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const started = Date.now();

const SUITES = [
  { file: 'signing.bench.mjs', title: '2. Signing', signing: true },
  { file: 'yima-codec.bench.mjs', title: '4. yima codec' },
  { file: 'ledger.bench.mjs', title: '5. Ledger' },
  { file: 'ledger-postgres.bench.mjs', title: '6. PostgreSQL ledger' },
  { file: 'cold-start.bench.mjs', title: '3. Cold start' },
  { file: 'facade.bench.mjs', title: '1. Facade overhead' },
  { file: 'cli-start.bench.mjs', title: '7. CLI start' },
  { file: 'notifications.bench.mjs', title: '8. Notifications' },
  { file: 'serve.bench.mjs', title: '9. Serve' },
  { file: 'reconciler.bench.mjs', title: '10. Reconciler' },
  { file: 'batch.bench.mjs', title: '11. Mass refunds' },
];
const ORDER = ['1.', '2.', '3.', '4.', '5.', '6.', '7.', '8.', '9.', '10', '11'];

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown';
  const memKb = Number(/^MemTotal:\s*(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? totalmem() / 1024);
  let nproc;
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    nproc = String(availableParallelism());
  }
  return { node: process.version, nproc, cpu: model, memory: `${(memKb / 1024 / 1024).toFixed(1)} GiB`, os: `${process.platform} ${process.arch}` };
}

/** The signing benchmark's own results shape, in the common one. */
function signingRows(results) {
  return results.map((r) => {
    const absolute = r.target.on === 'refundkit';
    return {
      name: `signing: ${r.name}`,
      unit: r.unit,
      refundkit: r.refundkit,
      bare: r.bare,
      // An absolute target (ops/s) becomes the ratio it needs at this run's bare figure; the ratio
      // of those rows is then refundkit / bare of the medians, so that ratio >= target exactly when
      // refundkit >= the target's ops/s.
      ratio: absolute ? Math.round((r.refundkit / r.bare) * 1000) / 1000 : r.ratio,
      target: absolute ? Math.round((r.target.min / r.bare) * 1000) / 1000 : r.target.min,
      targetText: absolute ? `≥ ${r.target.min.toLocaleString('en')} ops/s` : `ratio ≥ ${r.target.min}`,
    };
  });
}

const info = machine();
const loadAtStart = loadavg()[0];
console.log(`refundkit benchmarks: node ${info.node}, ${info.nproc} cores, ${info.cpu}, ${info.memory}\n`);
const tmp = mkdtempSync(join(tmpdir(), 'refundkit-bench-run-'));
const sections = [];
let failed = false;
try {
  for (const suite of SUITES) {
    console.log(`== ${suite.title} (${suite.file})`);
    const t0 = Date.now();
    const rowsFile = join(tmp, `${suite.file}.json`);
    const args = suite.signing ? [join(BENCH, suite.file)] : [join(BENCH, suite.file), '--rows', rowsFile];
    const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: join(BENCH, '..') });
    const seconds = (Date.now() - t0) / 1000;
    if (result.status !== 0) {
      console.error(`${suite.file} failed (exit ${result.status ?? result.signal})`);
      failed = true;
      continue;
    }
    const rows = suite.signing ? signingRows(JSON.parse(readFileSync(join(BENCH, 'results.signing.json'), 'utf8'))) : JSON.parse(readFileSync(rowsFile, 'utf8'));
    sections.push({ ...suite, rows, seconds });
    console.log(`   ${seconds.toFixed(1)} s\n`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
sections.sort((a, b) => ORDER.indexOf(a.title.slice(0, 2)) - ORDER.indexOf(b.title.slice(0, 2)));

const total = (Date.now() - started) / 1000;
const all = sections.flatMap((s) => s.rows);
const results = all.map(({ name, unit, refundkit, bare, ratio, target }) => ({ name, unit, refundkit, bare, ratio, target }));
writeFileSync(join(BENCH, 'results.json'), JSON.stringify(results, null, 2) + '\n');

// --- README table --------------------------------------------------------------------------------
const num = (v) => (typeof v === 'number' ? (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en') : String(v)) : String(v));
const verdict = (r) => (r.target === null ? '' : r.ratio >= r.target ? 'met' : '**missed**');
const lines = [
  `Run of ${new Date(started).toISOString().slice(0, 16).replace('T', ' ')} UTC, \`npm run bench\`: ${total.toFixed(0)} s for the benchmarks (the build before them not included).`,
  '',
  '| machine | |',
  '|---|---|',
  `| \`node -v\` | ${info.node} |`,
  `| \`nproc\` | ${info.nproc} |`,
  `| CPU (/proc/cpuinfo) | ${info.cpu} |`,
  `| memory (MemTotal) | ${info.memory} |`,
  `| OS | ${info.os} |`,
  `| load average (1 min), start → end | ${loadAtStart.toFixed(2)} → ${loadavg()[0].toFixed(2)} (other work on the machine shows here) |`,
  '',
  '| benchmark | unit | refundkit | bare | ratio | target | |',
  '|---|---|---:|---:|---:|---|---|',
];
for (const section of sections) {
  lines.push(`| **${section.title}** (${section.seconds.toFixed(0)} s) | | | | | | |`);
  for (const r of section.rows) {
    const target = r.target === null ? '—' : `${r.targetText ?? `ratio ≥ ${r.target}`}${r.targetText?.startsWith('ratio') ? '' : ` (ratio ≥ ${r.target})`}`;
    lines.push(`| ${r.name.replace(/\|/g, '\\|')} | ${r.unit} | ${num(r.refundkit)} | ${num(r.bare)} | ${r.ratio.toFixed(3)} | ${target} | ${verdict(r)} |`);
  }
}
const readmePath = join(BENCH, 'README.md');
const START = '<!-- results:start (written by bench/run.mjs) -->';
const END = '<!-- results:end -->';
let readme;
try {
  readme = readFileSync(readmePath, 'utf8');
} catch {
  readme = `# Benchmarks\n\n${START}\n${END}\n`;
}
const from = readme.indexOf(START);
const to = readme.indexOf(END);
readme = from >= 0 && to > from ? readme.slice(0, from + START.length) + '\n' + lines.join('\n') + '\n' + readme.slice(to) : `${readme}\n${START}\n${lines.join('\n')}\n${END}\n`;
writeFileSync(readmePath, readme);

const missed = all.filter((r) => r.target !== null && r.ratio < r.target);
console.log(`${all.length} figures; ${all.filter((r) => r.target !== null).length} with targets, ${missed.length} missed${missed.length ? `: ${missed.map((r) => r.name).join('; ')}` : ''}`);
console.log(`wrote bench/results.json and the table in bench/README.md; total ${total.toFixed(0)} s`);
process.exit(failed ? 1 : 0);
