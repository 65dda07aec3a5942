// Signed notifications and facades holding their refunds as pending, shared by the notification
// benches (8. Notifications, 9. Serve).
import { ADAPTERS, createRefunds, EASYPAY_NOTIFICATION_ACK, MemoryLedger } from '@refundkit/refunds';
import { createEasypaySigner, createTipaySigner, easypaySigningString, Secret, tipaySignature } from '@refundkit/signing';
import { CREDENTIALS, idSource } from './fixtures.mjs';

export const TIPAY_ACK = { status: 200, contentType: 'text/plain', body: 'SUCCESS' };
export const ACKS = { easypay: EASYPAY_NOTIFICATION_ACK, tipay: TIPAY_ACK };

export const CONFIGS = {
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
export function notificationsFor(provider, n) {
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
export function bareHandler(provider) {
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
export async function facadeWithPendingRefunds(provider, notifications) {
  const ledger = new MemoryLedger();
  const account = ADAPTERS[provider].accountOf(CONFIGS[provider]);
  for (const { refundId, orderId } of notifications) {
    const key = { provider, account, orderId, refundId };
    const reservation = await ledger.reserve({ key, amount: 1, currency: 'CNY', lease: { holder: 'bench', ttlMs: 60_000 } });
    await ledger.update({ provider, account, refundId }, { status: 'pending', source: 'refund', raw: '', lease: reservation.lease });
  }
  return createRefunds({ providers: { [provider]: CONFIGS[provider] }, ledger, fetch: noNetwork });
}

