// One process of bench/ledger-postgres.bench.mjs's scaling runs: opens the PostgreSQL ledger,
// says "ready", waits for "go" on stdin, makes <count> reservations one after another and
// prints {"done": <count>, "ms": <elapsed>}.
//
// argv: <connection string> <schema> <worker index> <count> <one|distinct>
// one: every reservation on order `shared-order` (of a total large enough for all of them);
// distinct: each reservation on an order of its own.
import { openPostgresLedger } from '@refundkit/refunds';

const [connectionString, schema, index, count, orders] = process.argv.slice(2);
const ledger = await openPostgresLedger({ connectionString }, { schema, poolSize: 1 });
// Warm the connection (and its plans) before the clock starts.
await ledger.reserve({ key: { provider: 'tipay', account: 'bench', orderId: `warm-${index}`, refundId: `warm-${index}` }, amount: 1, currency: 'CNY', lease: { holder: 'w', ttlMs: 60_000 } });
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
const t0 = performance.now();
for (let i = 0; i < Number(count); i++) {
  const refundId = `w${index}-${i}`;
  const orderId = orders === 'one' ? 'shared-order' : `o-${refundId}`;
  await ledger.reserve({ key: { provider: 'tipay', account: 'bench', orderId, refundId }, amount: 1, currency: 'CNY', ...(orders === 'one' ? { orderAmount: 1e12 } : {}), lease: { holder: refundId, ttlMs: 60_000 } });
}
const ms = performance.now() - t0;
await ledger.close();
process.stdout.write(`${JSON.stringify({ done: Number(count), ms })}\n`);
