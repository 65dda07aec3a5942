// Strict JSON answers (issue #13): `parseAnswerJson` from @refundkit/runtime (JSON.parse, then
// one pass refusing duplicate keys and nesting beyond 64) against a bare `JSON.parse`, on each
// JSON provider's refund.response example (specs/<provider>/examples). A third line puts
// lossless-json, which also refuses duplicate keys (but recurses), against the same bare parse.
//
//   node bench/answer-json.bench.mjs
//
// One op = one answer text parsed. Method as bench/signing.bench.mjs: alternating rounds,
// medians, median of round ratios.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseAnswerJson } from '@refundkit/runtime';
import { compareSync, log, row, suite } from './lib/common.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 300);
// lossless-json is the runtime's dependency, not the bench's: resolved from there.
const losslessParse = createRequire(new URL('../packages/runtime/package.json', import.meta.url))('lossless-json').parse;

function bench(provider) {
  const text = readFileSync(new URL(`../specs/${provider}/examples/refund.response.json`, import.meta.url), 'utf8');
  const strict = () => parseAnswerJson(text, 'refund.response');
  const bare = () => JSON.parse(text);
  const lossless = () => losslessParse(text, undefined, Number);
  if (JSON.stringify(strict()) !== JSON.stringify(bare())) throw new Error(`${provider}: the strict parse differs`);
  const r = compareSync(strict, bare, { batch: 64, rounds: ROUNDS, ms: ROUND_MS });
  const l = compareSync(lossless, bare, { batch: 64, rounds: ROUNDS, ms: ROUND_MS });
  log(`${provider} (${text.length} B): strict ${r.refundkit.toFixed(0)}/s  JSON.parse ${r.bare.toFixed(0)}/s  ratio ${r.ratio.toFixed(3)}  (lossless-json ratio ${l.ratio.toFixed(3)})`);
  return [
    row({ name: `answer JSON: ${provider} refund.response, strict parse`, unit: 'answers/s', refundkit: r.refundkit, bare: r.bare, ratio: r.ratio }),
    row({ name: `answer JSON: ${provider} refund.response, lossless-json (reference)`, unit: 'answers/s', refundkit: l.refundkit, bare: l.bare, ratio: l.ratio }),
  ];
}

await suite(async () => ['easypay', 'eftpay', 'lianke', 'tipay'].flatMap(bench));
