// Diagnostic (not part of `npm run bench`): where `refunds.refund`'s cost above the bare loop goes,
// for tipay. The same refund to the stub provider (lib/stub-server.mjs, another process), 16 in
// flight, through four sides in rotating rounds:
//   bare       lib/bare-clients.mjs: build, sign, fetch, parse (what facade.bench.mjs compares with)
//   client     the generated client alone: validation, signing, openapi-fetch, the deadline,
//              answer verification and contract validation
//   facade     refunds.refund with a ledger that keeps nothing (input checks, the adapter, status
//              mapping, the facade's awaits)
//   memory     refunds.refund with the default MemoryLedger (what facade.bench.mjs measures)
// Each step's difference from the one above is that layer's cost.
//
//   npx turbo run build --output-logs=errors-only && node bench/facade-layers.diag.mjs
//
// Client CPU µs per refund (process.cpuUsage), medians of 12 rounds of 1,000 per side.
import { Secret } from '@refundkit/signing';
import { createRefunds } from '@refundkit/refunds';
import { createTipayClient } from '@refundkit/tipay';
import { createBareClient } from './lib/bare-clients.mjs';
import { median } from './lib/common.mjs';
import { CREDENTIALS, idSource } from './lib/fixtures.mjs';
import { startStub } from './lib/stub.mjs';

const ROUNDS = 12;
const ROUND_N = 1000;
const CONCURRENCY = 16;

/** A ledger that records nothing: every reservation is new, every update answered from the update. */
const forgetfulLedger = {
  async reserve(request) {
    const at = new Date().toISOString();
    const { provider, orderId, refundId } = request.key;
    return { outcome: 'new', refund: { provider, orderId, refundId, amount: request.amount, currency: request.currency, status: 'unknown', createdAt: at, updatedAt: at } };
  },
  async update(key, update) {
    return { ...key, status: update.status };
  },
  async get() {
    return undefined;
  },
  async recordOrderAmount() {},
  async refundsOf() {
    return [];
  },
  async close() {},
};

async function drive(n, one) {
  let issued = 0;
  await one();
  const worker = async () => {
    while (issued < n) {
      issued++;
      await one();
    }
  };
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / n;
}

const stub = await startStub();
try {
  const c = CREDENTIALS.tipay;
  const baseUrl = stub.baseUrl;
  const nextRefund = idSource('R');
  const nextOrder = idSource('O');
  const config = { baseUrl, appId: c.appId, appKey: new Secret(c.appKey), merchantNo: c.merchantNo };
  const client = createTipayClient({ baseUrl, appId: c.appId, appKey: new Secret(c.appKey) });
  const bare = createBareClient('tipay', baseUrl);
  const through = (refunds) => async () => {
    const refund = await refunds.refund({ provider: 'tipay', orderId: nextOrder(), refundId: nextRefund(), amount: 1, currency: 'CNY' });
    if (refund.status !== 'pending') throw new Error(`refundkit tipay: ${refund.status}`);
  };
  // Each side makes its `one()` per round: the facades start each round with a fresh ledger.
  const sides = {
    bare: () => async () => {
      const code = await bare(nextRefund(), nextOrder());
      if (code !== '200/PROCESSING') throw new Error(`bare tipay: ${code}`);
    },
    client: () => async () => {
      const status = (await client.refund({ merchantNo: c.merchantNo, orderId: nextOrder(), refundRequestId: nextRefund(), refundAmount: '0.01' })).data.data?.status;
      if (status !== 'PROCESSING') throw new Error(`client tipay: ${status}`);
    },
    facade: () => through(createRefunds({ ledger: forgetfulLedger, providers: { tipay: config } })),
    memory: () => through(createRefunds({ providers: { tipay: config } })),
  };
  const names = Object.keys(sides);
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  for (const name of names) await drive(ROUND_N, sides[name]()); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length];
      runs[name].push(await drive(ROUND_N, sides[name]()));
    }
  }
  let previous;
  for (const name of names) {
    const us = median(runs[name]);
    console.log(`${name.padEnd(8)} ${us.toFixed(0).padStart(5)} µs CPU/refund${previous === undefined ? '' : `   +${(us - previous).toFixed(0)} µs`}`);
    previous = us;
  }
} finally {
  await stub.close();
}
