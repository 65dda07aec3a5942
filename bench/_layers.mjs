import createClient from 'openapi-fetch';
import { fetchWithDeadline } from '@refundkit/runtime';
import { createTipaySigner, createTipayMiddleware, Secret } from '@refundkit/signing';
import { startStub } from './lib/stub.mjs';
const stub = await startStub();
const url = stub.baseUrl + '/api/v1/yb/trade/refund';
const body = { merchantNo: '10000000001', orderId: 'O0000000000000000001', refundRequestId: 'R0000000000000000001', refundAmount: '0.01' };
const init = () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const plain = createClient({ baseUrl: stub.baseUrl });
const deadline = createClient({ baseUrl: stub.baseUrl, fetch: fetchWithDeadline({}) });
const signed = createClient({ baseUrl: stub.baseUrl, fetch: fetchWithDeadline({}) });
signed.use(createTipayMiddleware(createTipaySigner({ appId: 'a', appKey: new Secret('k') }), { verifySignedResponses: false }));
const variants = {
  'fetch(url, init)': async () => (await fetch(url, init())).text(),
  'fetch(new Request)': async () => (await fetch(new Request(url, init()))).text(),
  'openapi-fetch': async () => plain.POST('/api/v1/yb/trade/refund', { body, parseAs: 'arrayBuffer' }),
  'openapi-fetch+deadline': async () => deadline.POST('/api/v1/yb/trade/refund', { body, parseAs: 'arrayBuffer' }),
  'openapi-fetch+deadline+tipay mw': async () => signed.POST('/api/v1/yb/trade/refund', { body, parseAs: 'arrayBuffer' }),
};
async function drive(n, one) { let i = 0; const c0 = process.cpuUsage(); const t0 = performance.now();
  await Promise.all(Array.from({ length: 16 }, async () => { while (i < n) { i++; await one(); } }));
  const c = process.cpuUsage(c0); return [n / ((performance.now() - t0) / 1000), (c.user + c.system) / n]; }
for (const [k, f] of Object.entries(variants)) await drive(500, f);
const res = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < 5; r++) for (const [k, f] of Object.entries(variants)) res[k].push(await drive(1000, f));
const med = (a) => a.sort((x, y) => x - y)[2];
for (const [k, v] of Object.entries(res)) console.log(k.padEnd(34), med(v.map((x) => x[0])).toFixed(0).padStart(6), '/s', med(v.map((x) => x[1])).toFixed(0).padStart(6), 'µs CPU');
await stub.close();
