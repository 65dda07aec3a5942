import { Secret } from '@refundkit/signing';
import { createRefunds } from '@refundkit/refunds';
import { startStub } from './lib/stub.mjs';
import { IndexedMemoryLedger } from './lib/indexed-ledger.mjs';
import { CREDENTIALS, idSource } from './lib/fixtures.mjs';
const stub = await startStub();
const c = CREDENTIALS.tipay;
const refunds = createRefunds({ ledger: new IndexedMemoryLedger(), providers: { tipay: { baseUrl: stub.baseUrl, appId: c.appId, appKey: new Secret(c.appKey), merchantNo: c.merchantNo } } });
const r = idSource('R'), o = idSource('O');
for (const n of [2000, 2000, 2000, 2000]) {
  let issued = 0; const cpu0 = process.cpuUsage(); const t0 = Date.now();
  await Promise.all(Array.from({length:16}, async () => { while (issued < n) { issued++; await refunds.refund({ provider: 'tipay', orderId: o(), refundId: r(), amount: 1, currency: 'CNY' }); } }));
  const cpu = process.cpuUsage(cpu0); console.log(n/((Date.now()-t0)/1000), (cpu.user+cpu.system)/n);
}
await stub.close();
