// Diagnostic (not part of `npm run bench`): where the generated clients' HTTP cost goes. The
// same tipay refund POST to the stub provider (lib/stub-server.mjs, another process), 16 in
// flight, through successively more of the layers a generated client stacks:
//   fetch(url, init)                 what the bare loop does
//   + AbortSignal                    the same with an AbortController's signal in the init
//   fetchWithDeadline                @refundkit/runtime's transport: a WireRequest, one deadline
//                                    (timer and abort signal shared by the requests of a slot,
//                                    deadline-slots.ts), the body read into a BufferedResponse
//   for comparison, the deadlines measured against the shared slots:
//   per-request AbortController      a controller, a timer and a race per request (refundkit
//                                    before), the body read the same way
//   AbortSignal.timeout              Node's own timed signal per request (no race: a fetch that
//                                    ignores the signal would not be cut off)
//   openapi-fetch + transport        createClient(openapiFetchTransport(...)).POST, as the
//                                    generated clients call it, with tipay's signing hook
//   for comparison, the layers before the WireRequest transport:
//   fetch(new Request(url, init))    one undici Request object first
//   openapi-fetch, Request objects   createClient().POST with its default Request and fetch
//
//   npx turbo run build --output-logs=errors-only && node bench/transport-layers.diag.mjs
//
// Client CPU µs per request (process.cpuUsage) and requests/s, medians of 5 rounds of 1,000.
import createClient from 'openapi-fetch';
import { fetchWithDeadline, openapiFetchTransport, WireRequest } from '@refundkit/runtime';
import { Secret, createTipaySigner } from '@refundkit/signing';
import { median } from './lib/common.mjs';
import { startStub } from './lib/stub.mjs';

const stub = await startStub();
try {
  const path = '/api/v1/yb/trade/refund';
  const url = stub.baseUrl + path;
  const body = { merchantNo: '10000000001', orderId: 'O0000000000000000001', refundRequestId: 'R0000000000000000001', refundAmount: '0.01' };
  const init = () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const signer = createTipaySigner({ appId: 'tichain-sandbox', appKey: new Secret('sandbox-tipay-appkey-0001') });
  const send = fetchWithDeadline({});
  const transported = createClient(openapiFetchTransport({ baseUrl: stub.baseUrl, headersFor: (request) => ({ ...signer.signRequest(request) }) }));
  const plain = createClient({ baseUrl: stub.baseUrl });
  const variants = {
    'fetch(url, init)': async () => (await fetch(url, init())).arrayBuffer(),
    'fetch, redirect error, no window': async () => (await fetch(url, { ...init(), redirect: 'error', window: null })).arrayBuffer(),
    '+ AbortSignal': async () => (await fetch(url, { ...init(), signal: new AbortController().signal })).arrayBuffer(),
    fetchWithDeadline: () => send(new WireRequest(url, init())),
    'per-request AbortController': async () => {
      const controller = new AbortController();
      let timer;
      const deadline = new Promise((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new Error('timeout'));
        }, 30_000);
      });
      deadline.catch(() => undefined);
      try {
        return await Promise.race([(async () => (await fetch(url, { ...init(), signal: controller.signal })).arrayBuffer())(), deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    'AbortSignal.timeout': async () => (await fetch(url, { ...init(), signal: AbortSignal.timeout(30_000) })).arrayBuffer(),
    'openapi-fetch + transport': () => transported.POST(path, { body, parseAs: 'arrayBuffer' }),
    'fetch(new Request(url, init))': async () => (await fetch(new Request(url, init()))).arrayBuffer(),
    'openapi-fetch, Request objects': () => plain.POST(path, { body, parseAs: 'arrayBuffer' }),
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
