// 4. yima codec: GBK XML encode + decode of one message, @refundkit/yima's `encodeMessage` +
// `decodeMessageAs` against xml-js + iconv-lite called directly on the same message.
//
//   node bench/yima-codec.bench.mjs
//
// One op = the message encoded to GBK bytes and those bytes decoded back. Messages: the
// document's refund.response and refund.request examples (specs/yima/examples; Chinese text,
// a nested element, a CDATA JSON field). refundkit works on the typed message (numbers as
// numbers, goods_detail as parsed JSON) and refuses what GBK cannot carry; bare works on
// xml-js's compact object (every value a string), with no checks.
// Method as bench/signing.bench.mjs: alternating rounds, medians, median of round ratios.
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import xmljs from 'xml-js';
import { decodeMessageAs, encodeMessage } from '@refundkit/yima';
import { compareSync, log, row, suite } from './lib/common.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 300);

function bench(name) {
  const bytes = readFileSync(new URL(`../specs/yima/examples/${name}.xml`, import.meta.url));
  const { value, unknown } = decodeMessageAs(name, bytes);
  if (unknown.some((u) => !u.allowed)) throw new Error(`${name}: example has undeclared elements`);
  const compact = xmljs.xml2js(iconv.decode(bytes, 'GBK'), { compact: true });

  const refundkit = () => decodeMessageAs(name, encodeMessage(name, value));
  const bare = () => xmljs.xml2js(iconv.decode(iconv.encode(xmljs.js2xml(compact, { compact: true }), 'GBK'), 'GBK'), { compact: true });
  // Both round-trip the message.
  if (JSON.stringify(refundkit().value) !== JSON.stringify(value)) throw new Error(`${name}: refundkit round trip differs`);
  if (JSON.stringify(bare()) !== JSON.stringify(compact)) throw new Error(`${name}: bare round trip differs`);

  const r = compareSync(refundkit, bare, { batch: 16, rounds: ROUNDS, ms: ROUND_MS });
  log(`yima ${name}: refundkit ${r.refundkit.toFixed(0)}/s   bare ${r.bare.toFixed(0)}/s   ratio ${r.ratio.toFixed(3)}`);
  return row({ name: `yima codec: ${name} GBK encode+decode`, unit: 'messages/s', refundkit: r.refundkit, bare: r.bare, ratio: r.ratio, target: null });
}

await suite(async () => [bench('refund.response'), bench('refund.request')]);
