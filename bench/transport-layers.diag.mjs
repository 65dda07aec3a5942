// Diagnostic (not part of `npm run bench`): where the generated clients' HTTP cost goes. The
// same tipay refund POST to the stub provider (lib/stub-server.mjs, another process), 16 in
// flight, through successively more of the layers a generated client stacks:
//   fetch(url, init)                 what the bare loop does
//   fetch(new Request(url, init))    one undici Request object first
//   openapi-fetch                    createClient().POST (builds a Request, parseAs arrayBuffer)
//   + fetchWithDeadline              @refundkit/runtime's deadline wrapper (a second Request with
//                                    an AbortSignal, a timer, a buffered copy as a new Response)
//   + tipay middleware               @refundkit/signing's openapi-fetch middleware (clones the
//                                    Request to read the body, signs, builds a third Request)
//
//   npx turbo run build --output-logs=errors-only && node bench/transport-layers.diag.mjs
//
// Client CPU µs per request (process.cpuUsage) and requests/s, medians of 5 rounds of 1,000.
import createClient from 'openapi-fetch';
import { fetchWithDeadline } from '@refundkit/runtime';
import { Secret, createTipayMiddleware, createTipaySigner } from '@refundkit/signing';
import { median } from './lib/common.mjs';
import { startStub } from './lib/stub.mjs';

const stub = await startStub();
try {
  const path = '/api/v1/yb/trade/refund';
  const url = stub.baseUrl + path;
  const body = { merchantNo: '10000000001', orderId: 'O0000000000000000001', refundRequestId: 'R0000000000000000001', refundAmount: '0.01' };
  const init = () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const plain = createClient({ baseUrl: stub.baseUrl });
  const deadline = createClient({ baseUrl: stub.baseUrl, fetch: fetchWithDeadline({}) });
  const signed = createClient({ baseUrl: stub.baseUrl, fetch: fetchWithDeadline({}) });
  signed.use(createTipayMiddleware(createTipaySigner({ appId: 'tichain-sandbox', appKey: new Secret('sandbox-tipay-appkey-0001') }), { verifySignedResponses: false }));
  const variants = {
    'fetch(url, init)': async () => (await fetch(url, init())).text(),
    'fetch(new Request(url, init))': async () => (await fetch(new Request(url, init()))).text(),
    'openapi-fetch': () => plain.POST(path, { body, parseAs: 'arrayBuffer' }),
    '+ fetchWithDeadline': () => deadline.POST(path, { body, parseAs: 'arrayBuffer' }),
    '+ tipay signing middleware': () => signed.POST(path, { body, parseAs: 'arrayBuffer' }),
  };
  const drive = async (n, one) => {
    let issued = 0;
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: 16 }, async () => { while (issued < n) { issued++; await one(); } }));
    const cpu = process.cpuUsage(cpu0);
    return { rate: n / (Number(process.hrtime.bigint() - t0) / 1e9), cpuUs: (cpu.user + cpu.system) / n };
  };
  for (const one of Object.values(variants)) await drive(500, one);
  const runs = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < 5; r++) for (const [k, one] of Object.entries(variants)) runs[k].push(await drive(1000, one));
  for (const [k, v] of Object.entries(runs)) {
    console.log(`${k.padEnd(32)} ${median(v.map((x) => x.rate)).toFixed(0).padStart(6)} requests/s  ${median(v.map((x) => x.cpuUs)).toFixed(0).padStart(6)} µs CPU/request`);
  }
} finally {
  await stub.close();
}
