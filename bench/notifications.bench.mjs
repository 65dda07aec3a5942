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
import { ADAPTERS, createNotificationHandler, createRefunds, EASYPAY_NOTIFICATION_ACK, MemoryLedger } from '@refundkit/refunds';
import { createEasypaySigner, createTipaySigner, easypaySigningString, Secret, tipaySignature } from '@refundkit/signing';
import { log, median, row, suite } from './lib/common.mjs';
import { CREDENTIALS, idSource } from './lib/fixtures.mjs';

const ROUNDS = Number(process.env.BENCH_NOTIFY_ROUNDS ?? 11);
/** Refunds per round; each gets DUPLICATES + 1 notifications. */
const REFUNDS = { easypay: Number(process.env.BENCH_NOTIFY_EASYPAY_REFUNDS ?? 400), tipay: Number(process.env.BENCH_NOTIFY_TIPAY_REFUNDS ?? 1500) };
const DUPLICATES = Number(process.env.BENCH_NOTIFY_DUPLICATES ?? 1);
const URL_BASE = 'http://merchant.bench';

const TIPAY_ACK = { status: 200, contentType: 'text/plain', body: 'SUCCESS' };
const ACKS = { easypay: EASYPAY_NOTIFICATION_ACK, tipay: TIPAY_ACK };

const CONFIGS = {
  easypay: {
    baseUrl: 'http://easypay.bench.invalid',
    mchtCode: CREDENTIALS.easypay.mchtCode,
    privateKey: new Secret(CREDENTIALS.easypay.merchantPrivateKeyPem),
    easypayPublicKey: CREDENTIALS.easypay.easypayPublicKeyPem,
  },
  tipay: { baseUrl: 'http://tipay.bench.invalid', appId: CREDENTIALS.tipay.appId, appKey: new Secret(CREDENTIALS.tipay.appKey), merchantNo: CREDENTIALS.tipay.merchantNo },
};
// The facade must never call out: a notification that needed a query would fail the run here.
const noNetwork = async (url) => {
  throw new Error(`the benchmark's facade called ${url}`);
};

/** "EasyPay" signs with its (the sandbox's test) private key; the merchant verifies with the public one. */
const easypayServer = createEasypaySigner({ privateKey: CREDENTIALS.easypay.easypayPrivateKeyPem });

/** One signed notification per refund, as each provider sends it: `{ refundId, orderId, body, headers }`. */
function notificationsFor(provider, n) {
  const nextRefund = idSource('N');
  const nextOrder = idSource('O');
  return Array.from({ length: n }, () => {
    const refundId = nextRefund();
    const orderId = nextOrder();
    if (provider === 'easypay') {
      const reqHeader = { transTime: '20250102101010', reqId: `NT${refundId.slice(-12)}` };
      const reqBody = {
        respStateInfo: { respCode: '000000', respDesc: 'SUCCESS', transState: '0', transStatusDesc: '处理成功' },
        respOrderInfo: { orgTrace: refundId, outTrace: `9953608358${refundId.slice(-10)}`, refundAmount: 1, oriOrgTrace: orderId, mchtCode: CREDENTIALS.easypay.mchtCode },
      };
      const reqSign = easypayServer.signString(easypaySigningString(reqHeader, reqBody));
      return { refundId, orderId, body: JSON.stringify({ reqHeader, reqBody, reqSign }), headers: { 'content-type': 'application/json; charset=utf-8' } };
    }
    const body = JSON.stringify({
      merchantNo: CREDENTIALS.tipay.merchantNo,
      orderId,
      refundRequestId: refundId,
      uniqueRefundNo: `1002${refundId}`,
      status: 'SUCCESS',
      refundAmount: '0.01',
      refundRequestDate: '2025-01-02 10:10:10',
      refundAccountDetail: '[{"accountType":"FUND_ACCOUNT","debitAmount":0.01}]',
    });
    const timestamp = String(Date.now());
    const headers = { 'content-type': 'application/json', 'ti-appid': CREDENTIALS.tipay.appId, 'ti-timestamp': timestamp, 'ti-signature': tipaySignature(body, timestamp, CREDENTIALS.tipay.appKey) };
    return { refundId, orderId, body, headers };
  });
}

/** The bare alternative: verify, acknowledge. */
function bareHandler(provider) {
  const ack = ACKS[provider];
  const refuse = () => new Response('', { status: 400 });
  const acknowledge = () => new Response(ack.body, { status: ack.status, headers: { 'content-type': ack.contentType } });
  if (provider === 'easypay') {
    const verifier = createEasypaySigner({ easypayPublicKey: CREDENTIALS.easypay.easypayPublicKeyPem });
    return async (request) => (verifier.verifyNotification(JSON.parse(await request.text())).valid ? acknowledge() : refuse());
  }
  const verifier = createTipaySigner({ appId: CREDENTIALS.tipay.appId, appKey: CREDENTIALS.tipay.appKey });
  return async (request) => (verifier.verify({ body: await request.text(), headers: request.headers }).valid ? acknowledge() : refuse());
}

/** A facade whose ledger holds every refund of `notifications` as pending, as after its refund's answer. */
async function facadeWithPendingRefunds(provider, notifications) {
  const ledger = new MemoryLedger();
  const account = ADAPTERS[provider].accountOf(CONFIGS[provider]);
  for (const { refundId, orderId } of notifications) {
    const key = { provider, account, orderId, refundId };
    const reservation = await ledger.reserve({ key, amount: 1, currency: 'CNY', lease: { holder: 'bench', ttlMs: 60_000 } });
    await ledger.update({ provider, account, refundId }, { status: 'pending', source: 'refund', raw: '', lease: reservation.lease });
  }
  return createRefunds({ providers: { [provider]: CONFIGS[provider] }, ledger, fetch: noNetwork });
}

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
