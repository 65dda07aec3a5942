/**
 * The refund record is the truth (issue: "Refund truth"), per provider, through the facade:
 * - a refund in flight is never sent twice: a second caller waits for the holder, and a crashed
 *   holder's refund is recovered after its lease expires (query first, then the same number);
 * - the limits on `failed`: a refusal of a number the provider may know is `unknown`;
 * - the echo rule: an answer about another refund is `unknown` (`answer_mismatch`);
 * - the merchant is part of the refund's identity.
 * A "slow commit" provider is simulated here per provider: it commits a refund `commitMs` after
 * receiving it; until then a query does not find it and the same number again is refused.
 */
import { describe, expect, it } from 'vitest';
import { MemoryLedger } from '../src/index.js';
import type { ConfiguredProvider } from '../src/providers/index.js';
import {
  accountOf,
  easypayAnswer,
  easypayNotification,
  eftpayAnswer,
  facade,
  hang,
  input,
  INPUTS,
  isRefund,
  liankeAnswer,
  liankeData,
  PROVIDER_KEYS,
  queryAnswer,
  refundAnswer,
  refundNumber,
  scripted,
  tipayAnswer,
  tipayNotification,
  yimaAnswer,
  yimaQueryAnswer,
  type Call,
  type Reply,
} from './support.js';

/** Each provider's "not accepted" answer to a refund (a duplicate number, here). */
const refusal: { readonly [P in ConfiguredProvider]: () => Response } = {
  easypay: () => easypayAnswer({ rspCode: 'PY0001', rspInfo: '重复的交易', respCode: 'PY0001' }),
  eftpay: () => eftpayAnswer({ return_status: '01', return_char: 'duplicate refund_no' }),
  lianke: () => liankeAnswer('FAIL', null, 'duplicate refund_no'),
  tipay: () => tipayAnswer(undefined, { code: 40001, success: false, msg: '退款请求号重复' }),
  yima: () => yimaAnswer('0813', { comment: '重复交易' }),
};

/** Each provider's answer to a query for a refund it has not committed (yet). */
const notFound: { readonly [P in ConfiguredProvider]: () => Reply } = {
  easypay: () => easypayAnswer({ rspCode: 'PY0002', rspInfo: '原交易不存在', respCode: 'PY0002' }),
  eftpay: () => eftpayAnswer({ return_status: '02', return_char: 'not found' }),
  lianke: () => liankeAnswer('ORDER_NOT_EXIST', null, 'not found'),
  tipay: () => tipayAnswer(undefined, { code: 404, success: false, msg: '退款不存在' }),
  yima: () => yimaQueryAnswer('0809', { comment: '原交易不存在' }),
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A provider that commits a refund `commitMs` after its first request, answering that request then. */
function slowCommit(provider: ConfiguredProvider, commitMs: number, options: { receivedEarlier?: boolean } = {}) {
  const calls: Call[] = [];
  let receivedAt: number | undefined = options.receivedEarlier ? Date.now() : undefined;
  const committed = () => receivedAt !== undefined && Date.now() - receivedAt >= commitMs;
  const fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(url, init);
    const bytes = new Uint8Array(await request.arrayBuffer());
    const call: Call = { url: request.url, method: request.method, headers: request.headers, bytes, text: new TextDecoder().decode(bytes) };
    calls.push(call);
    if (isRefund(provider, call)) {
      if (receivedAt !== undefined) return refusal[provider]();
      receivedAt = Date.now();
      await sleep(commitMs);
      return refundAnswer(provider, 'succeeded')!;
    }
    const reply = committed() ? queryAnswer(provider, 'succeeded')! : notFound[provider]();
    return typeof reply === 'function' ? reply(call, request) : reply;
  };
  return { fetch, calls, refunds: () => calls.filter((c) => isRefund(provider, c)) };
}

describe.each(PROVIDER_KEYS)('%s: refund truth', (provider) => {
  const key = { provider, account: accountOf(provider), refundId: INPUTS[provider].refundId };

  it('two concurrent callers with one refund id: one request reaches the provider, both end succeeded', async () => {
    const provide = slowCommit(provider, 300);
    const ledger = new MemoryLedger();
    const refunds = facade(provider, scripted(), { ledger, fetch: provide.fetch, timeoutMs: 5_000 });
    const [a, b] = await Promise.all([refunds.refund(input(provider)), refunds.refund(input(provider))]);
    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
    expect(provide.refunds()).toHaveLength(1);
    expect(provide.calls).toHaveLength(1); // the waiter asked nobody: it read the holder's answer
    expect((await ledger.history(key)).map((e) => e.kind)).toEqual(['reserved', 'answer']);
  });

  it('a caller that cannot wait long enough gets the refund as it stands: unknown, in_flight, nothing sent', async () => {
    const provide = slowCommit(provider, 400);
    const refunds = facade(provider, scripted(), { fetch: provide.fetch, timeoutMs: 5_000, inFlightWaitMs: 50 });
    const first = refunds.refund(input(provider));
    await sleep(20);
    const second = await refunds.refund(input(provider));
    expect(second).toMatchObject({ status: 'unknown', failure: { code: 'in_flight' } });
    expect((await first).status).toBe('succeeded');
    expect(provide.refunds()).toHaveLength(1);
  });

  it('a crashed holder\'s refund, committed meanwhile, is recovered by a query after its lease expires: no second request', async () => {
    const ledger = new MemoryLedger();
    // The holder reserved and sent, then died without recording anything.
    await ledger.reserve({ key: { ...key, orderId: INPUTS[provider].orderId }, amount: INPUTS[provider].amount, currency: INPUTS[provider].currency, lease: { holder: 'dead', ttlMs: 150 } });
    const provide = slowCommit(provider, 0, { receivedEarlier: true });
    const refunds = facade(provider, scripted(), { ledger, fetch: provide.fetch, timeoutMs: 2_000 });
    const refund = await refunds.refund(input(provider));
    expect(refund.status).toBe('succeeded');
    expect(provide.refunds()).toHaveLength(0);
    expect((await ledger.history(key)).map((e) => [e.kind, e.source])).toEqual([
      ['reserved', undefined],
      ['recovered', undefined],
      ['answer', 'query'],
    ]);
  });

  it('a crashed holder\'s refund not committed yet: resent under the same number, and the duplicate refusal is unknown, never failed', async () => {
    const ledger = new MemoryLedger();
    await ledger.reserve({ key: { ...key, orderId: INPUTS[provider].orderId }, amount: INPUTS[provider].amount, currency: INPUTS[provider].currency, lease: { holder: 'dead', ttlMs: 100 } });
    const provide = slowCommit(provider, 60_000, { receivedEarlier: true });
    const refunds = facade(provider, scripted(), { ledger, fetch: provide.fetch, timeoutMs: 2_000 });
    const refund = await refunds.refund(input(provider));
    expect(refund.status).toBe('unknown');
    expect(refund.failure?.code).toBe('refused_resubmission');
    expect(provide.refunds().map((c) => refundNumber(provider, c))).toEqual([INPUTS[provider].refundId]);
    expect((await ledger.history(key)).at(-1)).toMatchObject({ kind: 'answer', source: 'refund', status: 'unknown', attempt: 2 });
  });

  it('a first refusal of a new refund number is failed (the provider never knew it); resending it is allowed', async () => {
    const script = scripted(refusal[provider](), refundAnswer(provider, 'succeeded')!);
    const refunds = facade(provider, script);
    expect((await refunds.refund(input(provider))).status).toBe('failed');
    expect((await refunds.refund(input(provider))).status).toBe('succeeded');
    expect(script.calls.map((c) => refundNumber(provider, c))).toEqual([INPUTS[provider].refundId, INPUTS[provider].refundId]);
  });

  it('a refusal after a timeout (the first request may have arrived) is unknown: a query decides', async () => {
    const script = scripted(hang, notFound[provider](), refusal[provider](), queryAnswer(provider, 'succeeded')!);
    const refunds = facade(provider, script, { timeoutMs: 300 });
    expect((await refunds.refund(input(provider))).status).toBe('unknown');
    const retry = await refunds.refund(input(provider));
    expect(retry).toMatchObject({ status: 'unknown', failure: { source: 'local', code: 'refused_resubmission', providerCode: expect.stringMatching(/./) } });
    expect((await refunds.get(retry)).status).toBe('succeeded');
    expect(script.calls.filter((c) => isRefund(provider, c))).toHaveLength(2);
  });

  it('two merchants of one provider on one ledger, same order and refund id: each its own refund and request', async () => {
    const ledger = new MemoryLedger();
    const other = otherMerchant(provider);
    const scriptA = scripted(refundAnswer(provider, 'succeeded')!);
    const scriptB = scripted(other.answer());
    const a = await facade(provider, scriptA, { ledger }).refund(input(provider));
    const b = await facade(provider, scriptB, { ledger, config: other.config }).refund(input(provider));
    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
    expect([scriptA.calls.length, scriptB.calls.length]).toEqual([1, 1]);
    expect(a.account).toBe(accountOf(provider));
    expect(b.account).not.toBe(a.account);
    expect(await ledger.get({ ...key, account: b.account })).toEqual(b);
    expect(await ledger.get(key)).toEqual(a);
  });
});

/** A second merchant's configuration and a success answer that echoes it. */
function otherMerchant(provider: ConfiguredProvider): { config: Record<string, unknown>; answer: () => Response } {
  switch (provider) {
    case 'easypay':
      return { config: { mchtCode: '531000099999999' }, answer: () => refundAnswer('easypay', 'succeeded')! };
    case 'eftpay':
      return { config: { userConfirmKey: 'S0009999' }, answer: () => eftpayAnswer({ trade_status: 'TRADE_REFUND', user_confirm_key: 'S0009999' }) };
    case 'lianke':
      return { config: { storeNo: 'STORE-002' }, answer: () => liankeAnswer('SUCCESS', liankeData('REFUNDED', { store_no: 'STORE-002' })) };
    case 'tipay':
      return {
        config: { merchantNo: '10099999999', appId: 'tichain000002' },
        answer: () => tipayAnswer('SUCCESS', { data: { merchantNo: '10099999999' } }),
      };
    case 'yima':
      return { config: { posId: '1511300002' }, answer: () => yimaAnswer('0000', {}, { pos_id: '1511300002' }) };
  }
}

describe.each(PROVIDER_KEYS)('%s: the echo rule', (provider) => {
  const foreign: { readonly [P in ConfiguredProvider]: () => Response } = {
    easypay: () => easypayAnswer({ transState: '0', order: { orgTrace: 'someone-elses-refund', outTrace: '1', refundAmount: 150 } }),
    eftpay: () => eftpayAnswer({ trade_status: 'TRADE_REFUND', refund_no: 'someone-elses-refund' }),
    lianke: () => liankeAnswer('SUCCESS', liankeData('REFUNDED', { refund_order_no: 'someone-elses-refund' })),
    tipay: () => tipayAnswer('SUCCESS', { data: { refundRequestId: 'someone-elses-refund' } }),
    yima: () => yimaAnswer('0000', { posSeq: '1511300000099' }),
  };

  it('a success about another refund number is unknown (answer_mismatch), never succeeded', async () => {
    const refund = await facade(provider, scripted(foreign[provider]())).refund(input(provider));
    expect(refund.status).toBe('unknown');
    expect(refund.failure?.code).toBe('answer_mismatch');
    expect(refund.failure?.message).toContain(provider === 'yima' ? '1511300000099' : 'someone-elses-refund');
  });

  it('a success for another amount or merchant is unknown too', async () => {
    const wrong: { readonly [P in ConfiguredProvider]: () => Response } = {
      easypay: () => easypayAnswer({ transState: '0', order: { orgTrace: INPUTS.easypay.refundId, refundAmount: 151 } }),
      eftpay: () => eftpayAnswer({ trade_status: 'TRADE_REFUND', transaction_amount: '10.02' }),
      lianke: () => liankeAnswer('SUCCESS', liankeData('REFUNDED', { refund_amount: 301 })),
      tipay: () => tipayAnswer('SUCCESS', { data: { merchantNo: '99999999999' } }),
      yima: () => yimaAnswer('0000', {}, { isspid: '99999999' }),
    };
    const refund = await facade(provider, scripted(wrong[provider]())).refund(input(provider));
    expect(refund).toMatchObject({ status: 'unknown', failure: { code: 'answer_mismatch' } });
  });
});

describe('eftpay: success only when the answer names our refund_no', () => {
  it('a TRADE_REFUND without refund_no is unknown', async () => {
    const refund = await facade('eftpay', scripted(eftpayAnswer({ trade_status: 'TRADE_REFUND', refund_no: undefined }))).refund(input('eftpay'));
    expect(refund).toMatchObject({ status: 'unknown', failure: { code: 'answer_mismatch' } });
    expect(refund.failure?.message).toContain('refund_no missing');
  });
});

describe('a verified success after failed is the truth', () => {
  it('tipay: a signed SUCCESS notification moves a failed refund to succeeded, keeping the failure in the history', async () => {
    const ledger = new MemoryLedger();
    const refunds = facade('tipay', scripted(tipayAnswer('FAILED')), { ledger });
    expect((await refunds.refund(input('tipay'))).status).toBe('failed');
    const handled = await refunds.handleNotification('tipay', tipayNotification('SUCCESS', { signed: true }));
    expect(handled.refund?.status).toBe('succeeded');
    const history = await refunds.history(input('tipay'));
    expect(history.map((e) => [e.kind, e.source, e.status])).toEqual([
      ['reserved', undefined, undefined],
      ['answer', 'refund', 'failed'],
      ['answer', 'notification', 'succeeded'],
      ['anomaly', undefined, undefined],
    ]);
    // And never the other way: a later FAILED changes nothing.
    expect((await refunds.handleNotification('tipay', tipayNotification('FAILED', { signed: true }))).refund?.status).toBe('succeeded');
  });

  it('easypay: a signed notification with transState 0 does the same', async () => {
    const refunds = facade('easypay', scripted(refundAnswer('easypay', 'failed')!));
    expect((await refunds.refund(input('easypay'))).status).toBe('failed');
    const handled = await refunds.handleNotification('easypay', { headers: { 'content-type': 'application/json' }, rawBody: easypayNotification({ transState: '0' }) });
    expect(handled.refund?.status).toBe('succeeded');
  });
});

describe('an order total an answer gives below what the order already holds', () => {
  it('lianke: kept in the history as an anomaly, never used as the cap', async () => {
    const ledger = new MemoryLedger();
    const script = scripted(
      liankeAnswer('SUCCESS', liankeData('REFUNDED', { refund_amount: 300, total_amount: 1000 })),
      // The second refund's answer claims the order's total is 200, below the 300 + 400 already refunded.
      liankeAnswer('SUCCESS', liankeData('REFUNDED', { refund_amount: 400, refund_order_no: 'LK-REFUND-2', total_amount: 200 })),
      liankeAnswer('SUCCESS', liankeData('REFUNDED', { refund_amount: 300, refund_order_no: 'LK-REFUND-3' })),
    );
    const refunds = facade('lianke', script, { ledger });
    expect((await refunds.refund(input('lianke'))).status).toBe('succeeded');
    expect((await refunds.refund(input('lianke', { refundId: 'LK-REFUND-2', amount: 400 }))).status).toBe('succeeded');
    const order = { provider: 'lianke' as const, account: accountOf('lianke'), orderId: INPUTS.lianke.orderId };
    expect(await ledger.orderAmount(order)).toBe(1000);
    const history = await refunds.history(input('lianke', { refundId: 'LK-REFUND-2', amount: 400 }));
    expect(history.at(-1)).toMatchObject({ kind: 'anomaly', note: expect.stringContaining('200, below the 700') });
    // The cap is still 1000: 300 more fit.
    expect((await refunds.refund(input('lianke', { refundId: 'LK-REFUND-3', amount: 300 }))).status).toBe('succeeded');
  });
});
