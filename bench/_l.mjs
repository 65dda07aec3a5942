import { MemoryLedger } from '@refundkit/refunds';
const l = new MemoryLedger();
let n = 0;
for (const size of [1000, 2000, 4000, 8000]) {
  const t0 = performance.now();
  const start = n;
  while (n < size) { n++; await l.reserve({ key: { provider: 'tipay', orderId: 'O' + n, refundId: 'R' + n }, amount: 1, currency: 'CNY' }); }
  console.log(size, ((performance.now() - t0) * 1000 / (size - start)).toFixed(1), 'µs/reserve');
}
