// 8. Notifications: notifications handled per second through `createNotificationHandler` (the
// facade, a MemoryLedger) against a bare verify-and-acknowledge handler, per notifying provider.
//
//   npx turbo run build --output-logs=errors-only && node bench/notifications.bench.mjs
//
// In process, no network: each notification is a fresh `Request` (POST, its headers, its body as
// a string), handed to the handler, whose `Response` is read to the end and must be the provider's
// acknowledgement (200 and its exact body) on both sides.
// - refundkit: `createNotificationHandler(refunds)` — the route, the bounded raw-body read,
//   `refunds.handleNotification` (the generated client's signature check and schema validation,
//   the status mapping, the ledger: a read, and for the first notification of a refund the update
//   to `succeeded`), the acknowledgement.
// - bare: read the body as text, verify the signature with @refundkit/signing (EasyPay:
//   `verifyNotification` on the parsed JSON, RSA-2048 SHA-256; Ti-Pay: `verify` of ti-signature,
//   SHA-256 over the bytes), answer the acknowledgement. No schema, no ledger, no idempotency.
// The mix: every refund is notified DUPLICATES + 1 times, the first of each applies it (pending →
// succeeded), the rest are duplicates (the ledger read only), as providers deliver until
// acknowledged and again after. The refunds are pending in the ledger beforehand (reserved, then
// answered `pending`, untimed). Bodies are signed beforehand, the same ones for both sides.
// Rounds alternate which side goes first; each refundkit round has a fresh `createRefunds` and
// ledger; figures are medians of notifications/s, the ratio the median of back-to-back ratios.
import { ADAPTERS, createNotificationHandler } from '@refundkit/refunds';
import { log, median, row, suite } from './lib/common.mjs';
import { ACKS, bareHandler, CONFIGS, facadeWithPendingRefunds, notificationsFor } from './lib/notification-fixtures.mjs';

const ROUNDS = Number(process.env.BENCH_NOTIFY_ROUNDS ?? 11);
/** Refunds per round; each gets DUPLICATES + 1 notifications. */
const REFUNDS = { easypay: Number(process.env.BENCH_NOTIFY_EASYPAY_REFUNDS ?? 400), tipay: Number(process.env.BENCH_NOTIFY_TIPAY_REFUNDS ?? 1500) };
const DUPLICATES = Number(process.env.BENCH_NOTIFY_DUPLICATES ?? 1);
const URL_BASE = 'http://merchant.bench';

/** Delivers every notification DUPLICATES + 1 times (firsts, then each round of duplicates); notifications/s. */
async function drive(handler, provider, notifications) {
  const ack = ACKS[provider];
  const t0 = process.hrtime.bigint();
  for (let pass = 0; pass <= DUPLICATES; pass++) {
    for (const { body, headers } of notifications) {
      const response = await handler(new Request(`${URL_BASE}/notify/${provider}`, { method: 'POST', headers, body }));
      const text = await response.text();
      if (response.status !== ack.status || text !== ack.body) throw new Error(`${provider}: answered ${response.status} ${text.slice(0, 200)}`);
    }
  }
  return (notifications.length * (DUPLICATES + 1)) / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function compare(provider) {
  const notifications = notificationsFor(provider, REFUNDS[provider]);
  const bare = bareHandler(provider);
  const refundkitRound = async () => {
    const refunds = await facadeWithPendingRefunds(provider, notifications);
    const rate = await drive(createNotificationHandler(refunds), provider, notifications);
    // Every first notification applied: the refunds are succeeded now.
    const account = ADAPTERS[provider].accountOf(CONFIGS[provider]);
    for (const { refundId, orderId } of [notifications[0], notifications.at(-1)]) {
      const refund = await refunds.get({ provider, account, orderId, refundId });
      if (refund.status !== 'succeeded') throw new Error(`${provider} ${refundId}: ${refund.status}`);
    }
    await refunds.close();
    return rate;
  };
  const bareRound = () => drive(bare, provider, notifications);
  await refundkitRound(); // warm-up
  await bareRound();
  const ours = [];
  const theirs = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      ours.push(await refundkitRound());
      theirs.push(await bareRound());
    } else {
      theirs.push(await bareRound());
      ours.push(await refundkitRound());
    }
  }
  const ratios = ours.map((o, i) => o / theirs[i]);
  const result = { refundkit: median(ours), bare: median(theirs), ratio: median(ratios) };
  log(
    `${provider.padEnd(8)} createNotificationHandler ${result.refundkit.toFixed(0)}/s   bare verify+ack ${result.bare.toFixed(0)}/s   ratio ${result.ratio.toFixed(3)} ` +
      `(${ROUNDS} rounds of ${notifications.length} refunds × ${DUPLICATES + 1}: ${ratios.map((x) => x.toFixed(2)).join(' ')})`,
  );
  return row({
    name: `notifications ${provider}: handled/s (1 applied + ${DUPLICATES} duplicate${DUPLICATES === 1 ? '' : 's'} per refund)`,
    unit: 'notifications/s',
    ...result,
    target: 0.8,
  });
}

await suite(async () => [await compare('easypay'), await compare('tipay')]);
