// Helpers shared by the benchmarks: medians, rows in the results shape, the suite protocol.
import { writeFileSync } from 'node:fs';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Rounds to 3 significant-ish decimals for display and JSON. */
export function round(value, digits = 3) {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

const figure = (value) => (Math.abs(value) >= 100 ? Math.round(value) : round(value, Math.abs(value) >= 10 ? 1 : 2));

/**
 * A result row in the shape. `ratio` is refundkit's figure over bare's, oriented so that
 * higher is better: for rates (`higherIsBetter`) refundkit / bare, for costs and times bare /
 * refundkit. `ratio` may be given (e.g. the median of per-round ratios); `target` is the minimum
 * ratio that meets the target, or null where the issue sets none. `targetText`, the
 * target as the issue states it, is for bench/README.md only: run.mjs leaves it out of
 * results.json.
 */
export function row({ name, unit, refundkit, bare, higherIsBetter, ratio, target = null, targetText }) {
  const r = ratio ?? (higherIsBetter ? refundkit / bare : bare / refundkit);
  return {
    name,
    unit,
    refundkit: figure(refundkit),
    bare: figure(bare),
    ratio: round(r),
    target: target === null ? null : round(target),
    ...(targetText ? { targetText } : target !== null ? { targetText: `ratio ≥ ${target}` } : {}),
  };
}

/**
 * Runs a suite: `main()` returns rows. With `--rows <file>` (as bench/run.mjs calls it) the rows
 * are written there as JSON; alone, they are printed as a table.
 */
export async function suite(main) {
  const started = Date.now();
  const rows = await main();
  const at = process.argv.indexOf('--rows');
  if (at > 0) writeFileSync(process.argv[at + 1], JSON.stringify(rows, null, 2) + '\n');
  else console.table(rows);
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

export const log = (...args) => console.log(...args);

/** ops/s of the synchronous `fn` over one round of `ms` (batches of `batch` calls between clock reads). */
export function opsPerSecond(fn, batch, ms) {
  let ops = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(ms * 1e6));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    now = process.hrtime.bigint();
  }
  return ops / (Number(now - start) / 1e9);
}

/**
 * The signing benchmark's method for synchronous operations: a warm-up, then `rounds` pairs of
 * rounds alternating refundkit and bare; ops/s are the median rounds, the ratio the median of
 * the back-to-back round ratios (drift on a busy machine hits both sides alike).
 */
export function compareSync(refundkit, bare, { batch = 16, rounds = 7, ms = 300 } = {}) {
  for (let i = 0; i < 3; i++) (refundkit(), bare());
  opsPerSecond(refundkit, batch, ms);
  opsPerSecond(bare, batch, ms);
  const ours = [];
  const theirs = [];
  for (let r = 0; r < rounds; r++) {
    ours.push(opsPerSecond(refundkit, batch, ms));
    theirs.push(opsPerSecond(bare, batch, ms));
  }
  return { refundkit: median(ours), bare: median(theirs), ratio: median(ours.map((o, i) => o / theirs[i])) };
}
