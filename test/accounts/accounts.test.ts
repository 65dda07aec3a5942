/**
 * Several merchant accounts of one provider, and key rolls, against the sandbox (issue 21). Each
 * sandbox plays one merchant's provider with its own credentials (`credentials` of startSandbox):
 * - two tipay and two eftpay merchants, each with its own keys, refund the same order under the
 *   same refund number side by side through one instance and one ledger; each sandbox receives
 *   only its merchant's refund, the sandboxes' notifications reach the right account by the
 *   merchant they name, and neither account ever sees the other's refund;
 * - a Ti-Pay key roll (old and new key valid, then only the new) loses nothing: refunds are
 *   accepted throughout, a notification signed with the old key during the roll is applied, after
 *   the roll only the new key verifies;
 * - an eftPay roll: requests signed with the new code while answers still come signed with the
 *   old one; dropping the old code too early makes an answer unknown, never lost.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRefunds, MemoryLedger, type NotificationHandled, type Refunds } from '@refundkit/refunds';
import { startSandbox, type Sandbox } from '@refundkit/sandbox';
import { Secret, tipaySignature } from '@refundkit/signing';
import { afterEach, describe, expect, it } from 'vitest';

const closing: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((close) => close()));
});

async function sandbox(options: Parameters<typeof startSandbox>[0]): Promise<Sandbox> {
  const started = await startSandbox(options);
  closing.push(() => started.close());
  return started;
}

/** A notification endpoint (`/notify/tipay`) handing every delivery to `refunds` without naming the account. */
async function receiver(refunds: () => Refunds<'tipay' | 'eftpay'>): Promise<{ url: string; handled: NotificationHandled[] }> {
  const handled: NotificationHandled[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      refunds()
        .handleNotification('tipay', { headers: request.headers, rawBody: Buffer.concat(chunks) })
        .then((result) => {
          handled.push(result);
          response.writeHead(result.ack.status, { 'content-type': result.ack.contentType }).end(result.ack.body);
        })
        .catch(() => response.writeHead(503).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closing.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify/tipay`, handled };
}

/** A Ti-Pay notification that `refundId` succeeded, signed with `appKey`. */
function tipayNotification(merchantNo: string, orderId: string, refundId: string, amount: string, appKey: string) {
  const rawBody = JSON.stringify({ merchantNo, orderId, refundRequestId: refundId, uniqueRefundNo: `U${refundId}`, status: 'SUCCESS', refundAmount: amount });
  const timestamp = String(Date.now());
  return { rawBody, headers: { 'content-type': 'application/json', 'ti-timestamp': timestamp, 'ti-signature': tipaySignature(rawBody, timestamp, appKey) } };
}

describe('two merchants of one provider, side by side', () => {
  it('tipay and eftpay: each account refunds with its own keys, gets its own notifications, and never sees the other\'s refund', async () => {
    const merchants = {
      a: { tipay: { appId: 'tichain-shop-a', appKey: 'shop-a-tipay-key-0000', merchantNo: '10000000001' }, eftpay: { userConfirmKey: 'SBXA00000001', secretCode: 'shop-a-eftpay-code' } },
      b: { tipay: { appId: 'tichain-shop-b', appKey: 'shop-b-tipay-key-1111', merchantNo: '10000000002' }, eftpay: { userConfirmKey: 'SBXB00000002', secretCode: 'shop-b-eftpay-code' } },
    };
    // A short delay: each refund answers pending and is notified once settled.
    const [sandboxA, sandboxB] = await Promise.all([sandbox({ delayMs: 200, credentials: merchants.a }), sandbox({ delayMs: 200, credentials: merchants.b })]);
    let refunds: Refunds<'tipay' | 'eftpay'> | undefined;
    const notify = await receiver(() => refunds!);
    const ledger = new MemoryLedger();
    const tipayOf = (sb: Sandbox, m: typeof merchants.a) => ({ baseUrl: sb.urls.tipay, appId: m.tipay.appId, appKey: new Secret(m.tipay.appKey), merchantNo: m.tipay.merchantNo, notifyUrl: notify.url });
    const eftpayOf = (sb: Sandbox, m: typeof merchants.a) => ({ baseUrl: sb.urls.eftpay, userConfirmKey: m.eftpay.userConfirmKey, secretCode: new Secret(m.eftpay.secretCode), currency: 'HKD' as const });
    refunds = createRefunds({
      providers: {
        tipay: { accounts: { shopA: tipayOf(sandboxA, merchants.a), shopB: tipayOf(sandboxB, merchants.b) } },
        eftpay: { accounts: { shopA: eftpayOf(sandboxA, merchants.a), shopB: eftpayOf(sandboxB, merchants.b) }, default: 'shopA' },
      },
      ledger,
    });
    closing.push(() => refunds!.close());

    // One order number and one refund number in both accounts, at once: two refunds.
    const tipayRefund = (account: string, amount: number) => refunds!.refund({ provider: 'tipay', account, orderId: 'TP-PAID-0001', refundId: 'TPACCOUNTS0001', amount, currency: 'CNY' });
    const eftpayRefund = (account: string, amount: number) => refunds!.refund({ provider: 'eftpay', account, orderId: 'EFT-PAID-0001', refundId: 'EFACCOUNTS0001', amount, currency: 'HKD', options: { paymentType: 'ALIPAYHK' } });
    const made = await Promise.all([tipayRefund('shopA', 1000), tipayRefund('shopB', 2000), eftpayRefund('shopA', 300), eftpayRefund('shopB', 400)]);
    expect(made.map((r) => r.status)).not.toContain('failed');
    const settled = await Promise.all(made.map((r) => refunds!.waitFor(r, { timeoutMs: 10_000, intervalMs: 50 })));
    expect(settled.map((r) => [r.provider, r.account, r.amount, r.status])).toEqual([
      ['tipay', '10000000001', 1000, 'succeeded'],
      ['tipay', '10000000002', 2000, 'succeeded'],
      ['eftpay', 'SBXA00000001', 300, 'succeeded'],
      ['eftpay', 'SBXB00000002', 400, 'succeeded'],
    ]);

    // Each merchant's provider saw its own refund only, signed with its own key (the sandbox refuses any other).
    expect(sandboxA.refund('tipay', 'TPACCOUNTS0001')?.amount).toBe(1000);
    expect(sandboxB.refund('tipay', 'TPACCOUNTS0001')?.amount).toBe(2000);
    expect(sandboxA.refund('eftpay', 'EFACCOUNTS0001')?.amount).toBe(300);
    expect(sandboxB.refund('eftpay', 'EFACCOUNTS0001')?.amount).toBe(400);
    expect([...sandboxA.requests(), ...sandboxB.requests()].filter((r) => r.outcome !== 'answered')).toEqual([]);

    // The sandboxes' notifications (unsigned: confirmed by a query of the account they name) each reached their own account.
    await Promise.all([sandboxA.notificationsIdle(), sandboxB.notificationsIdle()]);
    for (const delivered of [sandboxA.notifications(), sandboxB.notifications()]) expect(delivered.at(-1)).toMatchObject({ refundNo: 'TPACCOUNTS0001', acked: true });
    expect(notify.handled.map((h) => h.refund?.account).sort()).toEqual(['10000000001', '10000000002']);
    expect(notify.handled.every((h) => h.outcome === 'applied' || h.outcome === 'duplicate')).toBe(true);

    // Neither account sees the other's refund: by name, by the refund itself, and in the ledger.
    expect((await refunds.get({ provider: 'tipay', account: 'shopA', orderId: 'TP-PAID-0001', refundId: 'TPACCOUNTS0001' })).amount).toBe(1000);
    expect((await refunds.get({ provider: 'tipay', account: 'shopB', orderId: 'TP-PAID-0001', refundId: 'TPACCOUNTS0001' })).amount).toBe(2000);
    expect((await refunds.get({ provider: 'eftpay', orderId: 'EFT-PAID-0001', refundId: 'EFACCOUNTS0001' })).amount).toBe(300);
    expect((await refunds.get(settled[3]!)).amount).toBe(400);
    expect((await ledger.refundsOf({ provider: 'tipay', account: '10000000001', orderId: 'TP-PAID-0001' })).map((r) => r.amount)).toEqual([1000]);
    expect((await ledger.refundsOf({ provider: 'tipay', account: '10000000002', orderId: 'TP-PAID-0001' })).map((r) => r.amount)).toEqual([2000]);
  });
});

describe('a Ti-Pay key roll loses nothing', () => {
  it('refunds are accepted throughout; the old key verifies during the roll, only the new one after it', async () => {
    const OLD = 'tipay-merchant-key-2024';
    const NEW = 'tipay-merchant-key-2026';
    // Ti-Pay takes either key while the merchant rolls; a long delay keeps refunds pending, so notifications decide them.
    const provider = await sandbox({ delayMs: 60_000, credentials: { tipay: { appKey: NEW, acceptedAppKeys: [OLD] } } });
    const { appId, merchantNo } = provider.credentials.tipay;
    const ledger = new MemoryLedger();
    const instance = (appKey: Secret, previousAppKeys?: Secret[]) => {
      const refunds = createRefunds({ providers: { tipay: { baseUrl: provider.urls.tipay, appId, appKey, ...(previousAppKeys ? { previousAppKeys } : {}), merchantNo } }, ledger });
      closing.push(() => refunds.close());
      return refunds;
    };
    const refund = (refunds: Refunds<'tipay'>, refundId: string) => refunds.refund({ provider: 'tipay', orderId: 'TP-PAID-0001', refundId, amount: 1000, currency: 'CNY' });
    const notification = (refundId: string, key: string) => tipayNotification(merchantNo, 'TP-PAID-0001', refundId, '10.00', key);

    const before = instance(new Secret(OLD));
    expect((await refund(before, 'TPROLL00000001')).status).toBe('pending');

    const during = instance(new Secret(NEW), [new Secret(OLD)]);
    expect((await refund(during, 'TPROLL00000002')).status).toBe('pending');
    // Signed with the old key before Ti-Pay switched, delivered during the roll: applied.
    expect(await during.handleNotification('tipay', notification('TPROLL00000001', OLD))).toMatchObject({ outcome: 'applied', refund: { status: 'succeeded' } });
    expect(await during.handleNotification('tipay', notification('TPROLL00000002', NEW))).toMatchObject({ outcome: 'applied', refund: { status: 'succeeded' } });

    const after = instance(new Secret(NEW));
    expect((await refund(after, 'TPROLL00000003')).status).toBe('pending');
    const stale = await after.handleNotification('tipay', notification('TPROLL00000003', OLD));
    expect(stale).toMatchObject({ outcome: 'refused', changed: false, failure: { code: 'notification_refused' }, refund: { status: 'pending' } });
    expect(stale.failure?.message).not.toContain(OLD);
    expect(await after.handleNotification('tipay', notification('TPROLL00000003', NEW))).toMatchObject({ outcome: 'applied', refund: { status: 'succeeded' } });

    // Nothing lost: the provider took every refund once, and the ledger has each succeeded.
    for (const refundId of ['TPROLL00000001', 'TPROLL00000002', 'TPROLL00000003']) {
      expect(provider.requestsReceived('tipay', refundId)).toBe(1);
      expect((await ledger.get({ provider: 'tipay', account: merchantNo, refundId }))?.status).toBe('succeeded');
    }
    expect(provider.requests().filter((r) => r.outcome !== 'answered')).toEqual([]);
  });
});

describe('an eftPay secret-code roll: order matters', () => {
  it('the new code signs while answers signed with the old one verify; dropping the old code too early is unknown, then resolved', async () => {
    const OLD = 'eftpay-merchant-code-2024';
    const NEW = 'eftpay-merchant-code-2026';
    // eftPay already takes the new code on requests and still signs its answers with the old one.
    const provider = await sandbox({ delayMs: 0, credentials: { eftpay: { secretCode: OLD, acceptedSecretCodes: [NEW] } } });
    const { userConfirmKey } = provider.credentials.eftpay;
    const ledger = new MemoryLedger();
    const instance = (secretCode: string, previousSecretCodes?: string[]) => {
      const refunds = createRefunds({ providers: { eftpay: { baseUrl: provider.urls.eftpay, userConfirmKey, secretCode: new Secret(secretCode), ...(previousSecretCodes ? { previousSecretCodes: previousSecretCodes.map((c) => new Secret(c)) } : {}), currency: 'HKD' } }, ledger });
      closing.push(() => refunds.close());
      return refunds;
    };
    const refund = (refunds: Refunds<'eftpay'>, refundId: string) => refunds.refund({ provider: 'eftpay', orderId: 'EFT-PAID-0001', refundId, amount: 1000, currency: 'HKD', options: { paymentType: 'ALIPAYHK' } });

    const during = instance(NEW, [OLD]);
    const first = await refund(during, 'EFROLL00000001');
    expect((await during.waitFor(first, { timeoutMs: 10_000, intervalMs: 50 })).status).toBe('succeeded');

    // The old code dropped while eftPay still signs with it: the answer cannot be believed — unknown, never failed.
    const tooEarly = instance(NEW);
    expect(await refund(tooEarly, 'EFROLL00000002')).toMatchObject({ status: 'unknown', failure: { code: 'signature_invalid' } });
    // Nothing is lost: with the old code listed again, a query resolves the same refund, sent once.
    expect((await during.waitFor({ provider: 'eftpay', orderId: 'EFT-PAID-0001', refundId: 'EFROLL00000002' }, { timeoutMs: 10_000, intervalMs: 50 })).status).toBe('succeeded');
    expect(provider.requestsReceived('eftpay', 'EFROLL00000002')).toBe(1);
  });
});
