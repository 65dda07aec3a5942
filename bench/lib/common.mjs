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
 * ratio that meets the target, or null where the issue sets none.
 */
export function row({ name, unit, refundkit, bare, higherIsBetter, ratio, target = null }) {
  const r = ratio ?? (higherIsBetter ? refundkit / bare : bare / refundkit);
  return { name, unit, refundkit: figure(refundkit), bare: figure(bare), ratio: round(r), target: target === null ? null : round(target) };
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
