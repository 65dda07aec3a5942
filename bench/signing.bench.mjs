// Benchmark of @refundkit/signing against bare node:crypto on the same key and inputs.
//
//   npm run build -w @refundkit/signing   (or: cd packages/signing && npx tsc -p tsconfig.build.json)
//   node bench/signing.bench.mjs          (npm run bench runs it too, through bench/run.mjs)
//
// - easypay sign/verify against a bare crypto.sign / crypto.verify of the same signing string
//   with a cached KeyObject (same key); target: at least 0.9 of bare. Two rows each:
//   `signRequest`/`verifyResponse` are the full calls (canonical JSON of header and body, MD5 of
//   the body, RSA, base64), `signString`/`verifyString` take the signing string bare gets.
// - eftpay / tipay: signatures per second for a typical refund body; target: at least 200,000/s.
//   Bare is one crypto.hash('sha256', …, 'hex') over the already-built string (the fastest
//   node:crypto primitive), for scale: the ratio shows what building the string costs.
//
// Each pair runs in alternating rounds (refundkit, bare, refundkit, …); ops/s are the median
// round, the ratio the median of the back-to-back round ratios, so drift on a busy machine hits
// both sides alike. Writes bench/results.signing.json.
import { createPrivateKey, createPublicKey, hash, sign, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  Secret,
  createEasypaySigner,
  createEftpaySigner,
  createTipaySigner,
  easypaySigningString,
  eftpaySigningString,
} from '@refundkit/signing';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 300);

const fixture = (name) => readFileSync(new URL(`../packages/signing/test/fixtures/${name}`, import.meta.url), 'utf8');
const privatePem = fixture('test-key.pem'); // the throwaway RSA-2048 test key
const publicPem = fixture('test-public.pem');

/** ops/s of fn over one round of ROUND_MS (batches of `batch` calls between clock reads). */
function round(fn, batch) {
  let ops = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ROUND_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    now = process.hrtime.bigint();
  }
  return ops / (Number(now - start) / 1e9);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function compare(name, refundkit, bare, batch, target) {
  for (let i = 0; i < 3; i++) (refundkit(), bare()); // warm up, and both must run
  round(refundkit, batch);
  round(bare, batch);
  const ours = [];
  const theirs = [];
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = round(refundkit, batch);
    const b = round(bare, batch);
    ours.push(a);
    theirs.push(b);
    ratios.push(a / b);
  }
  const result = {
    name,
    unit: 'ops/s',
    refundkit: Math.round(median(ours)),
    bare: Math.round(median(theirs)),
    // median of the per-round ratios: each round pair ran back to back under the same load
    ratio: Number(median(ratios).toFixed(3)),
    target,
  };
  const met = target.on === 'ratio' ? result.ratio >= target.min : result.refundkit >= target.min;
  result.met = met;
  console.log(
    `${name.padEnd(34)} refundkit ${String(result.refundkit).padStart(9)} ops/s   bare ${String(result.bare).padStart(9)} ops/s   ` +
      `ratio ${result.ratio.toFixed(3)}   target ${target.on} >= ${target.min}   ${met ? 'ok' : 'MISSED'}`,
  );
  return result;
}

// --- inputs: the seed examples ------------------------------------------------------------------
const reqHeader = { transTime: '20241104104313', reqId: '531000023045074' };
const reqBody = {
  reqInfo: { mchtCode: '531000023045074' },
  reqOrderInfo: {
    orgTrace: '96647913862211678086',
    backUrl: 'https://merchant.example/notify/easypay',
    oriOrgTrace: '47348406802385142418',
    oriTransDate: '20241104',
    refundAmount: 1,
  },
  payInfo: { payType: 'AliPayRefund', transDate: '20241104' },
};
const rspHeader = { easyPayCertificateId: '00000000', rspCode: '000000', rspInfo: 'SUCCESS' };
const rspBody = {
  respStateInfo: { respDesc: 'SUCCESS', transStatusDesc: '处理成功', appendRetMsg: 'Success', appendRetCode: '10000', transState: '0', respCode: '000000' },
  settleRespParamInfo: { settleTime: '20241104104336', settleAmt: 1, settleDate: '20241104' },
  respOrderInfo: {
    orgTrace: '96647913862211678086',
    outTrace: '9953608358403046481920',
    productTrace: 'YQ20241104104334744',
    pcTrace: '2024110423001474111414487494',
    unTrace: '282024110423001474111414487494',
    refundAmount: 1,
  },
};
const eftpayRequest = {
  service: 'service.alipay.qrcode.Refund',
  user_confirm_key: 'S0003469',
  transaction_amount: '0.01',
  out_trade_no: '20190823191819',
  paytype: 'Alipay',
  buyertype: 'ios',
  refund_no: '20190824094947',
  payment_type: 'ALIPAYCN',
  time: '20230609110646',
};
const tipayUrl = 'https://api.tipay.tianhecloud.com/api/v1/yb/trade/refund';
const tipayBody = JSON.stringify({
  merchantNo: '10012426723',
  orderId: 'bda4e84ef8ee427b830d869d7a6bfd71',
  refundRequestId: '1b118148eaf54b09a213adcb332d7a19',
  refundAmount: '88.88',
  description: '用户申请退货并退款',
  notifyUrl: 'https://merchant.example/notify/tipay',
});

console.log(`node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown cpu'}), ${ROUNDS} rounds x ${ROUND_MS} ms\n`);
const started = Date.now();
const results = [];

// --- easypay -------------------------------------------------------------------------------------
const easypay = createEasypaySigner({ privateKey: new Secret(privatePem), easypayPublicKey: publicPem });
const privateKey = createPrivateKey(privatePem);
const publicKey = createPublicKey(publicPem);
const requestString = easypaySigningString(reqHeader, reqBody);
const responseString = easypaySigningString(rspHeader, rspBody);
const rspSign = sign('sha256', Buffer.from(responseString), privateKey).toString('base64');
const rspSignBytes = Buffer.from(rspSign, 'base64');
if (!easypay.verifyResponse({ rspHeader, rspBody, rspSign }).valid) throw new Error('easypay: benchmark response does not verify');
if (easypay.signRequest({ reqHeader, reqBody }).reqSign !== sign('sha256', Buffer.from(requestString), privateKey).toString('base64')) {
  throw new Error('easypay: refundkit and bare disagree');
}

results.push(
  compare(
    'easypay sign: signRequest',
    () => easypay.signRequest({ reqHeader, reqBody }),
    () => sign('sha256', Buffer.from(requestString), privateKey),
    8,
    { on: 'ratio', min: 0.9 },
  ),
);
results.push(
  compare(
    'easypay sign: signString',
    () => easypay.signString(requestString),
    () => sign('sha256', Buffer.from(requestString), privateKey),
    8,
    { on: 'ratio', min: 0.9 },
  ),
);
results.push(
  compare(
    'easypay verify: verifyResponse',
    () => easypay.verifyResponse({ rspHeader, rspBody, rspSign }),
    () => verify('sha256', Buffer.from(responseString), publicKey, rspSignBytes),
    64,
    { on: 'ratio', min: 0.9 },
  ),
);
results.push(
  compare(
    'easypay verify: verifyString',
    () => easypay.verifyString(responseString, rspSign),
    () => verify('sha256', Buffer.from(responseString), publicKey, rspSignBytes),
    64,
    { on: 'ratio', min: 0.9 },
  ),
);

// --- eftpay --------------------------------------------------------------------------------------
const eftpaySecret = 'TEST-SECRET-0123456789';
const eftpay = createEftpaySigner({ secretCode: new Secret(eftpaySecret) });
const eftpayString = eftpaySigningString(eftpayRequest);
const eftpaySigned = eftpay.signRequest(eftpayRequest);
if (eftpaySigned.sign !== hash('sha256', eftpaySecret + eftpayString, 'hex')) throw new Error('eftpay: disagree');
results.push(
  compare(
    'eftpay sign',
    () => eftpay.signRequest(eftpayRequest),
    () => hash('sha256', eftpaySecret + eftpayString, 'hex'),
    256,
    { on: 'refundkit', min: 200_000 },
  ),
);
results.push(
  compare(
    'eftpay verify',
    () => eftpay.verify(eftpaySigned),
    () => hash('sha256', eftpaySecret + eftpayString, 'hex') === eftpaySigned.sign,
    256,
    { on: 'refundkit', min: 200_000 },
  ),
);

// --- tipay ---------------------------------------------------------------------------------------
const tipayKey = 'test-app-key-0123456789abcdef';
const tipay = createTipaySigner({ appId: 'tichain000000', appKey: new Secret(tipayKey), clock: () => 1735732800000 });
const tipayHeaders = tipay.signRequest({ method: 'POST', url: tipayUrl, body: tipayBody });
if (tipayHeaders['ti-signature'] !== hash('sha256', tipayBody + '1735732800000' + tipayKey, 'hex')) {
  throw new Error('tipay: disagree');
}
results.push(
  compare(
    'tipay sign',
    () => tipay.signRequest({ method: 'POST', url: tipayUrl, body: tipayBody }),
    () => hash('sha256', tipayBody + '1735732800000' + tipayKey, 'hex'),
    256,
    { on: 'refundkit', min: 200_000 },
  ),
);
const tipayBodyBytes = new TextEncoder().encode(tipayBody);
results.push(
  compare(
    'tipay verify (raw body bytes)',
    () => tipay.verify({ body: tipayBodyBytes, headers: tipayHeaders }),
    () => hash('sha256', tipayBody + '1735732800000' + tipayKey, 'hex') === tipayHeaders['ti-signature'],
    256,
    { on: 'refundkit', min: 200_000 },
  ),
);

const output = fileURLToPath(new URL('./results.signing.json', import.meta.url));
writeFileSync(output, JSON.stringify(results, null, 2) + '\n');
// A benchmark reports; it is not a gate (the exit code stays 0).
console.log(`\n${results.every((r) => r.met) ? 'all targets met' : 'SOME TARGETS MISSED'}; ${((Date.now() - started) / 1000).toFixed(1)} s; wrote ${output}`);
