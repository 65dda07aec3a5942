// 3. Cold start: a fresh `node` process that imports @refundkit/refunds and validates one tipay
// refund.request (cold-start/refunds.mjs), against one that imports ajv and compiles the same
// schema at run time (cold-start/ajv.mjs), and against a bare `node -e ''`. Also, for
// reference, @refundkit/tipay alone (cold-start/tipay.mjs).
//
//   node bench/cold-start.bench.mjs
//
// Wall time of each spawn (spawnSync, from fork to exit), median of SPAWNS (default 15) per
// variant after 2 unmeasured spawns each (file cache); variants interleaved spawn by spawn.
// Targets (issue #7), both on the cost above bare node, which neither program can avoid:
// refundkit at most 60 ms above bare node (as a ratio: bare / refundkit at least
// bare / (bare + 60)), and at least 3x cheaper than the runtime compile
// ((ajv - node) / (refundkit - node) >= 3). The ratio of the totals, node's own startup
// included, is a diagnostic row.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { log, median, row, suite } from './lib/common.mjs';

const SPAWNS = Math.max(10, Number(process.env.BENCH_COLD_SPAWNS ?? 15));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const here = (name) => fileURLToPath(new URL(`./cold-start/${name}`, import.meta.url));

/** RefundRequest and its definitions from the tipay spec, refs rewritten to $defs (as the generator does). */
function extractSchema() {
  const spec = parse(readFileSync(join(ROOT, 'specs/tipay/openapi.yaml'), 'utf8'));
  const rewrite = (v) =>
    Array.isArray(v)
      ? v.map(rewrite)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, c]) => [k, k === '$ref' && typeof c === 'string' ? c.replace('#/components/schemas/', '#/$defs/') : rewrite(c)]))
        : v;
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $defs: rewrite(spec.components.schemas), $ref: '#/$defs/RefundRequest' };
}

function spawnMs(args) {
  const t0 = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

/** Cost above bare node, at least 1 ms: a ratio over a cost within the noise of zero means nothing. */
const above = (ms, bare) => Math.max(ms - bare, 1);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'refundkit-bench-'));
  try {
    const schemaFile = join(dir, 'tipay-refund.request.schema.json');
    writeFileSync(schemaFile, JSON.stringify(extractSchema()));
    const variants = {
      node: ['-e', ''],
      refunds: [here('refunds.mjs')],
      tipay: [here('tipay.mjs')],
      ajv: [here('ajv.mjs'), schemaFile],
    };
    const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    for (let i = 0; i < 2; i++) for (const args of Object.values(variants)) spawnMs(args);
    for (let i = 0; i < SPAWNS; i++) for (const [k, args] of Object.entries(variants)) times[k].push(spawnMs(args));
    const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
    for (const [k, v] of Object.entries(times)) log(`${k.padEnd(8)} median ${m[k].toFixed(1)} ms  (min ${Math.min(...v).toFixed(1)}, max ${Math.max(...v).toFixed(1)}, ${v.length} spawns)`);
    log(`refunds: ${(m.refunds - m.node).toFixed(1)} ms above bare node; ajv runtime compile ${(m.ajv - m.node).toFixed(1)} ms above; ratio above bare ${(above(m.ajv, m.node) / above(m.refunds, m.node)).toFixed(2)}, of totals ${(m.ajv / m.refunds).toFixed(2)}`);
    return [
      row({ name: "cold start: @refundkit/refunds + validate vs bare node -e ''", unit: 'ms', refundkit: m.refunds, bare: m.node, higherIsBetter: false, target: m.node / (m.node + 60), targetText: '≤ bare + 60 ms' }),
      row({
        name: 'cold start above bare node: @refundkit/refunds + validate vs ajv compile at run time',
        unit: 'ms above bare node',
        refundkit: above(m.refunds, m.node),
        bare: above(m.ajv, m.node),
        higherIsBetter: false,
        target: 3,
        targetText: '≥ 3× cheaper',
      }),
      row({ name: 'cold start [diagnostic: totals, node startup included]: @refundkit/refunds + validate vs ajv compile at run time', unit: 'ms', refundkit: m.refunds, bare: m.ajv, higherIsBetter: false, target: null }),
      row({ name: "cold start: @refundkit/tipay alone + validate vs bare node -e ''", unit: 'ms', refundkit: m.tipay, bare: m.node, higherIsBetter: false, target: null }),
      row({ name: 'cold start above bare node: @refundkit/tipay alone + validate vs ajv compile at run time', unit: 'ms above bare node', refundkit: above(m.tipay, m.node), bare: above(m.ajv, m.node), higherIsBetter: false, target: null }),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await suite(main);
