// 1. Facade overhead: `refunds.refund` (memory ledger) against a bare fetch loop, per provider.
//
//   npx turbo run build --output-logs=errors-only && node bench/facade.bench.mjs
//
// Both sides send to the same stub provider (lib/stub-server.mjs, another node process on
// 127.0.0.1 answering each provider's canned, correctly signed answer at once), through the
// same global fetch (undici, keep-alive), with the same number of requests in flight. Each
// refund has a fresh refund id and a fresh order id and no orderAmount, amount 1 (0.01).
// refundkit: `refunds.refund` = input checks, the adapter's request + contract validation, a
// ledger reservation, the generated client (validation, signing, openapi-fetch, the deadline
// wrapper), answer verification + response validation, status mapping, the ledger update.
// bare (lib/bare-clients.mjs): build the same request, sign it, fetch, parse the answer.
//
// Each round sends the same number of refunds per side (about ROUND_SECONDS of bare's warm-up
// rate); rounds rotate which side goes first; each
// refundkit round uses a fresh `createRefunds` (fresh MemoryLedger, clients created by one
// untimed refund). Figures: medians over rounds of refunds/s (wall clock) and client CPU µs per
// refund (process.cpuUsage: user + system of this process, fetch and GC included; the stub's CPU
// is not counted); ratios: median of the per-round ratios (back-to-back rounds share the
// machine's load). Before measuring, every bare request builder is checked against the real
// sandbox (signatures, schemas, merchant fields) and every canned answer through refundkit.
import { Secret } from '@refundkit/signing';
import { createRefunds } from '@refundkit/refunds';
import { startSandbox } from '@refundkit/sandbox';
import { compactDate, compactTimestamp } from '@refundkit/runtime';
import { createEasypayClient } from '@refundkit/easypay';
import { createEftpayClient } from '@refundkit/eftpay';
import { createLiankeClient } from '@refundkit/lianke';
import { createTipayClient } from '@refundkit/tipay';
import { createYimaClient } from '@refundkit/yima';
import { createBareClient } from './lib/bare-clients.mjs';
import { log, median, row, suite } from './lib/common.mjs';
import { CREDENTIALS, PROVIDERS, REFUND_EXTRAS, idSource } from './lib/fixtures.mjs';
import { startStub } from './lib/stub.mjs';

// Many short rounds rather than a few long ones: this machine's load changes within seconds, and
// the per-round ratio is only fair when both sides ran under the same load.
const ROUNDS = Number(process.env.BENCH_FACADE_ROUNDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
/**
 * Seconds of bare refunds per round and side: the refunds per round are this times the bare
 * warm-up's rate, so a round lasts about as long on a fast machine as on a slow one (fixed counts
 * made rounds of 0.1 s on a fast one, where one garbage collection swings a round's ratio).
 */
const ROUND_SECONDS = Number(process.env.BENCH_FACADE_ROUND_SECONDS ?? 0.4);
const WARM_N = { tipay: 500, eftpay: 500, lianke: 500, yima: 500, easypay: 200 };
const SCALE = Number(process.env.BENCH_FACADE_SCALE ?? 1);
/** `BENCH_FACADE_PROVIDERS=tipay,lianke` measures only those. */
const ONLY = process.env.BENCH_FACADE_PROVIDERS?.split(',').filter(Boolean);

/** What the stub's canned answers map to, and what bare reads out of them. */
const EXPECTED = {
  refundkit: { tipay: 'pending', eftpay: 'succeeded', lianke: 'pending', yima: 'succeeded', easypay: 'succeeded' },
  bare: { tipay: '200/PROCESSING', eftpay: '00/TRADE_CLOSED', lianke: 'SUCCESS/CREATE', yima: '0000', easypay: '000000/0' },
};

/** refundkit's configuration of one provider at `baseUrl` (yima: the full endpoint). */
function providerConfig(provider, baseUrl, c = CREDENTIALS[provider]) {
  switch (provider) {
    case 'tipay':
      return { baseUrl, appId: c.appId, appKey: new Secret(c.appKey), merchantNo: c.merchantNo };
    case 'eftpay':
      return { baseUrl, userConfirmKey: c.userConfirmKey, secretCode: new Secret(c.secretCode), currency: 'HKD' };
    case 'lianke':
      return { baseUrl, storeNo: c.storeNo, operator: c.operator };
    case 'yima':
      return { baseUrl, isspid: c.isspid, systemId: c.systemId, posId: c.posId, storeId: c.storeId };
    case 'easypay':
      return { baseUrl, mchtCode: c.mchtCode, privateKey: new Secret(c.merchantPrivateKeyPem), easypayPublicKey: c.easypayPublicKeyPem };
  }
}

const endpoint = (provider, baseUrl) => (provider === 'yima' ? `${baseUrl}/ipos` : baseUrl);

/** The bare requests are correct: the real sandbox accepts one of each (seeded orders). */
async function checkBareAgainstSandbox() {
  const sandbox = await startSandbox();
  try {
    const seeded = { tipay: 'TP-PAID-0001', eftpay: 'EFT-PAID-0001', lianke: 'LK-PAID-0001', yima: 'YM-PAID-000000001', easypay: 'EP-PAID-0001' };
    const accepted = { tipay: '200/PROCESSING', eftpay: '00/APPLY_SUCCESS', lianke: 'SUCCESS/CREATE', yima: '0000', easypay: '000000/0' };
    for (const provider of PROVIDERS) {
      const send = createBareClient(provider, sandbox.urls[provider]);
      const answer = await send(`CHECK${provider.toUpperCase()}00000001`, seeded[provider]);
      if (answer !== accepted[provider]) throw new Error(`bare ${provider} request refused by the sandbox: ${answer}; requests: ${JSON.stringify(sandbox.requests().slice(-1))}`);
    }
    if (sandbox.errors().length > 0) throw new Error(`sandbox errors: ${JSON.stringify(sandbox.errors())}`);
  } finally {
    await sandbox.close();
  }
}

/** `n` calls of `one`, `CONCURRENCY` in flight: refunds/s and client CPU µs per call. */
async function drive(n, one) {
  let issued = 0;
  const worker = async () => {
    while (issued < n) {
      issued++;
      await one();
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { rate: n / seconds, cpuUs: (cpu.user + cpu.system) / n };
}

/** The generated client alone (diagnostic): the same request, without the facade and the ledger. */
function clientOnly(provider, baseUrl, nextRefund, nextOrder) {
  const c = CREDENTIALS[provider];
  const config = providerConfig(provider, baseUrl);
  switch (provider) {
    case 'tipay': {
      const client = createTipayClient({ baseUrl, appId: config.appId, appKey: config.appKey });
      return async () => (await client.refund({ merchantNo: c.merchantNo, orderId: nextOrder(), refundRequestId: nextRefund(), refundAmount: '0.01' })).data.data.status;
    }
    case 'eftpay': {
      const client = createEftpayClient({ baseUrl, secretCode: config.secretCode });
      return async () => {
        const input = { service: 'service.alipay.qrcode.Refund', user_confirm_key: c.userConfirmKey, transaction_amount: '0.01', out_trade_no: nextOrder(), paytype: 'Alipay', buyertype: 'others', payment_type: 'ALIPAYHK', refund_no: nextRefund(), time: compactTimestamp(new Date(), 'Asia/Hong_Kong') };
        return (await client.refund(input)).data.trade_status;
      };
    }
    case 'lianke': {
      const client = createLiankeClient({ baseUrl });
      return async () => (await client.refund({ store_no: c.storeNo, operator: c.operator, refund_amount: 1, order_no: nextOrder(), refund_no: nextRefund() })).data.data.transaction_status;
    }
    case 'yima': {
      const client = createYimaClient({ baseUrl });
      return async () => {
        const message = { request_type: 'barcode_refundbycashfee_request', isspid: c.isspid, pos_id: c.posId, store_id: c.storeId, pos_seq: nextRefund(), system_id: c.systemId, barcode_refundbycashfee_request: { tx_amt: 1, org_pos_seq: nextOrder() } };
        return (await client.refund(message)).data.result.id;
      };
    }
    case 'easypay': {
      const client = createEasypayClient({ baseUrl, privateKey: config.privateKey, easypayPublicKey: config.easypayPublicKey });
      const { payType, oriTransDate } = REFUND_EXTRAS.easypay.options;
      return async () => {
        const reqBody = { reqInfo: { mchtCode: c.mchtCode }, reqOrderInfo: { orgTrace: nextRefund(), oriOrgTrace: nextOrder(), oriTransDate, refundAmount: 1 }, payInfo: { payType, transDate: compactDate(new Date(), 'Asia/Shanghai') } };
        return (await client.refund({ reqBody })).data.rspBody.respStateInfo.transState;
      };
    }
  }
}

/**
 * The sides of one provider's comparison, each `(n) => {rate, cpuUs}`: refundkit and bare, and
 * a diagnostic that splits refundkit's cost: the generated client alone.
 */
function sides(provider, baseUrl) {
  const nextRefund = idSource('R');
  const nextOrder = idSource('O');
  const { currency, options } = REFUND_EXTRAS[provider];
  const url = endpoint(provider, baseUrl);
  const config = providerConfig(provider, url);
  const expectedStatus = EXPECTED.refundkit[provider];
  const expectedCode = EXPECTED.bare[provider];
  const input = () => ({ provider, orderId: nextOrder(), refundId: nextRefund(), amount: 1, currency, ...(options ? { options } : {}) });
  const bare = createBareClient(provider, url);
  const client = clientOnly(provider, url, nextRefund, nextOrder);
  const facade = async (n) => {
    const refunds = createRefunds({ providers: { [provider]: config } });
    await refunds.refund(input()); // creates the client (keys parsed once), untimed
    const result = await drive(n, async () => {
      const refund = await refunds.refund(input());
      if (refund.status !== expectedStatus) throw new Error(`refundkit ${provider}: ${refund.status} ${JSON.stringify(refund.failure)}`);
    });
    await refunds.close();
    return result;
  };
  return {
    refundkit: facade, // the default ledger: a fresh MemoryLedger each round
    bare: (n) =>
      drive(n, async () => {
        const code = await bare(nextRefund(), nextOrder());
        if (code !== expectedCode) throw new Error(`bare ${provider}: ${code}`);
      }),
    client: (n) => drive(n, client),
  };
}

const SIDES = ['refundkit', 'bare', 'client'];

async function main() {
  await checkBareAgainstSandbox();
  const stub = await startStub();
  const rows = [];
  try {
    for (const provider of PROVIDERS.filter((p) => !ONLY || ONLY.includes(p))) {
      const side = sides(provider, stub.baseUrl);
      const warm = {};
      for (const name of SIDES) warm[name] = await side[name](Math.max(50, Math.round(WARM_N[provider] * SCALE)));
      const n = Math.max(50, Math.round(warm.bare.rate * ROUND_SECONDS * SCALE));
      const runs = Object.fromEntries(SIDES.map((name) => [name, []]));
      for (let r = 0; r < ROUNDS; r++) {
        // Rotate the order so that no side always runs first (or right after the same one).
        for (let i = 0; i < SIDES.length; i++) {
          const name = SIDES[(i + r) % SIDES.length];
          runs[name].push(await side[name](n));
        }
      }
      const med = (name, key) => median(runs[name].map((o) => o[key]));
      const rateRatio = (name) => median(runs[name].map((o, i) => o.rate / runs.bare[i].rate));
      const cpuRatio = (name) => median(runs[name].map((o, i) => runs.bare[i].cpuUs / o.cpuUs));
      log(
        `${provider.padEnd(8)} ` +
          SIDES.map((name) => `${name} ${med(name, 'rate').toFixed(0)}/s ${med(name, 'cpuUs').toFixed(0)} µs`).join('   ') +
          `   ratio ${rateRatio('refundkit').toFixed(3)} (${ROUNDS} rounds of ${n}: ${runs.refundkit.map((o, i) => (o.rate / runs.bare[i].rate).toFixed(2)).join(' ')})`,
      );
      const figures = (name, label, target) => [
        row({ name: `facade ${provider}${label}: refunds/s`, unit: 'refunds/s', refundkit: med(name, 'rate'), bare: med('bare', 'rate'), ratio: rateRatio(name), target }),
        row({ name: `facade ${provider}${label}: client CPU per refund`, unit: 'µs CPU/refund', refundkit: med(name, 'cpuUs'), bare: med('bare', 'cpuUs'), ratio: cpuRatio(name), target: null }),
      ];
      rows.push(
        ...figures('refundkit', '', provider === 'easypay' ? 0.9 : 0.85),
        ...figures('client', ' [diagnostic: generated client only]', null),
      );
    }
  } finally {
    await stub.close();
  }
  return rows;
}

await suite(main);
