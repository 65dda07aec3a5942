// 9. Serve: what `refundkit serve` costs over the library's notification handler alone.
//
//   npx turbo run build --output-logs=errors-only && node bench/serve.bench.mjs
//
// Both sides are real HTTP servers on 127.0.0.1 (an ephemeral port), fed one notification at a
// time over one keep-alive connection, each answer read to the end and checked:
// - refundkit serve: @refundkit/server's `startServer` as `refundkit serve` builds it — the
//   route table, the per-request JSON log line (pino, to /dev/null), the notification outcome
//   counted in prom-client, the handler;
// - bare: `http.createServer(toNodeHandler(createNotificationHandler(refunds)))`, nothing else.
// Ti-Pay signed notifications (a cheap SHA-256 check, so the server's own cost shows), each
// refund notified twice (applied, then a duplicate), its refund pending beforehand in a
// MemoryLedger. Rounds alternate which side goes first; the ratio is the median of back-to-back ratios.
import { createServer } from 'node:http';
import { createNotificationHandler, toNodeHandler } from '@refundkit/refunds';
import { createLogger, createMetrics, refundsLogger, startServer } from '@refundkit/server';
import { pino } from 'pino';
import { log, median, row, suite } from './lib/common.mjs';
import { ACKS, facadeWithPendingRefunds, notificationsFor } from './lib/notification-fixtures.mjs';

const ROUNDS = Number(process.env.BENCH_SERVE_ROUNDS ?? 7);
const REFUNDS = Number(process.env.BENCH_SERVE_REFUNDS ?? 800);
const PROVIDER = 'tipay';

async function drive(url, notifications) {
  const ack = ACKS[PROVIDER];
  const t0 = process.hrtime.bigint();
  for (let pass = 0; pass < 2; pass++) {
    for (const { body, headers } of notifications) {
      const response = await fetch(`${url}/notify/${PROVIDER}`, { method: 'POST', headers, body });
      const text = await response.text();
      if (response.status !== ack.status || text !== ack.body) throw new Error(`answered ${response.status} ${text.slice(0, 200)}`);
    }
  }
  return (notifications.length * 2) / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function serveRound(notifications) {
  const refunds = await facadeWithPendingRefunds(PROVIDER, notifications);
  const logger = createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: false }) });
  const metrics = createMetrics(refunds, { processMetrics: false });
  const receiver = {
    async handleNotification(...call) {
      const handled = await refunds.handleNotification(...call);
      metrics.countNotification(call[0], handled.outcome);
      return handled;
    },
  };
  const server = await startServer({ notifications: toNodeHandler(createNotificationHandler(receiver, { logger: refundsLogger(logger) })), health: () => refunds.health(), metrics, logger });
  try {
    return await drive(server.url, notifications);
  } finally {
    await server.close();
    await refunds.close();
  }
}

async function bareRound(notifications) {
  const refunds = await facadeWithPendingRefunds(PROVIDER, notifications);
  const server = createServer(toNodeHandler(createNotificationHandler(refunds)));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await drive(`http://127.0.0.1:${server.address().port}`, notifications);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await refunds.close();
  }
}

await suite(async () => {
  const notifications = notificationsFor(PROVIDER, REFUNDS);
  await serveRound(notifications); // warm-up
  await bareRound(notifications);
  const ours = [];
  const theirs = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      ours.push(await serveRound(notifications));
      theirs.push(await bareRound(notifications));
    } else {
      theirs.push(await bareRound(notifications));
      ours.push(await serveRound(notifications));
    }
  }
  const ratios = ours.map((o, i) => o / theirs[i]);
  const result = { refundkit: median(ours), bare: median(theirs), ratio: median(ratios) };
  log(`serve ${result.refundkit.toFixed(0)}/s   handler alone ${result.bare.toFixed(0)}/s   ratio ${result.ratio.toFixed(3)} (${ratios.map((x) => x.toFixed(2)).join(' ')})`);
  return [row({ name: `serve: ${PROVIDER} notifications/s over HTTP (logs, metrics, routes) vs the library handler alone`, unit: 'notifications/s', ...result })];
});
