import { Secret } from '@refundkit/signing';
import { createRefunds } from '@refundkit/refunds';
import { startStub } from './lib/stub.mjs';
import { CREDENTIALS, idSource } from './lib/fixtures.mjs';
const stub = await startStub();
const c = CREDENTIALS.tipay;
const refunds = createRefunds({ providers: { tipay: { baseUrl: stub.baseUrl, appId: c.appId, appKey: new Secret(c.appKey), merchantNo: c.merchantNo } } });
const r = idSource('R'), o = idSource('O');
const mode = process.argv[2];
async function one() {
  if (mode === 'bare') { const res = await fetch(stub.baseUrl + '/api/v1/yb/trade/refund', {method:'POST', headers:{'content-type':'application/json'}, body: '{"a":1}'}); await res.text(); }
  else await refunds.refund({ provider: 'tipay', orderId: o(), refundId: r(), amount: 1, currency: 'CNY' });
}
for (const n of [2000, 2000, 2000]) {
  let issued = 0; const cpu0 = process.cpuUsage(); const t0 = Date.now();
  await Promise.all(Array.from({length:16}, async () => { while (issued < n) { issued++; await one(); } }));
  const cpu = process.cpuUsage(cpu0); console.log(mode, n/((Date.now()-t0)/1000), (cpu.user+cpu.system)/n);
}
await stub.close();
