/**
 * Several merchant accounts of one provider (issue 21), on the scripted fetch: the accounts form
 * is checked with paths, every call finds its account by name (or a refund's merchant), each
 * account signs with its own keys, accounts never see each other's refunds, and a notification is
 * verified with the keys of the account it names.
 */
import { Secret, tipaySignature } from '@refundkit/signing';
import { describe, expect, it } from 'vitest';
import { ConfigError, createRefunds, MemoryLedger, NotFoundError, UnknownAccountError, ValidationError, type RefundsOptions } from '../src/index.js';
import { CONFIGS, easypayAnswer, easypayNotification, INPUTS, keyFile, parsed, scripted, tipayAnswer, type Script } from './support.js';

const KEY_A = 'shop-a-app-key-0000000000000000';
const KEY_B = 'shop-b-app-key-1111111111111111';
const SHOP_A = { ...CONFIGS.tipay, appId: 'tichain-shop-a', appKey: new Secret(KEY_A), merchantNo: '10000000001' };
const SHOP_B = { ...CONFIGS.tipay, appId: 'tichain-shop-b', appKey: new Secret(KEY_B), merchantNo: '10000000002' };

/** A Ti-Pay refund input (the support's), with `changes`. */
const tipayInput = (changes: { refundId?: string; amount?: number } = {}) => ({ ...INPUTS.tipay, ...changes });

/** A Ti-Pay answer echoing `merchantNo` and the refund `changes` name. */
const answerFor = (merchantNo: string, status: string, changes: Record<string, string> = {}) => tipayAnswer(status, { data: { merchantNo, ...changes } });

/** A facade over two tipay accounts (shopA, shopB), with `default` when given. */
function platform(script: Script, more: { default?: string; ledger?: MemoryLedger; names?: [string, string] } = {}) {
  const [a, b] = more.names ?? ['shopA', 'shopB'];
  return createRefunds({
    providers: { tipay: { accounts: { [a]: SHOP_A, [b]: SHOP_B }, ...(more.default ? { default: more.default } : {}) } },
    fetch: script.fetch,
    timeoutMs: 2_000,
    ...(more.ledger ? { ledger: more.ledger } : {}),
  });
}

/** The ConfigError of `providers` (plain JS: the types refuse most of these). */
function configError(providers: unknown): ConfigError {
  try {
    createRefunds({ providers: providers as RefundsOptions['providers'] });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('createRefunds accepted the configuration');
}

/** A Ti-Pay notification about `refundId` of `merchantNo`, signed with `appKey`. */
function signedNotification(merchantNo: string, appKey: string, status = 'SUCCESS', refundId: string = INPUTS.tipay.refundId) {
  const rawBody = JSON.stringify({ merchantNo, orderId: INPUTS.tipay.orderId, refundRequestId: refundId, uniqueRefundNo: '1002202301300000005245434665', status, refundAmount: '1.10' });
  const timestamp = '1730770200000';
  return { rawBody, headers: { 'content-type': 'application/json', 'ti-appid': 'tichain', 'ti-timestamp': timestamp, 'ti-signature': tipaySignature(rawBody, timestamp, appKey) } };
}

describe('the accounts form is checked with paths', () => {
  it('each account\'s settings, a setting beside accounts, a bad name and a default naming no account', () => {
    const error = configError({
      tipay: {
        baseUrl: 'https://tipay.test',
        accounts: { shopA: { ...SHOP_A, merchantNo: undefined }, 'shop b': SHOP_B },
        default: 'shopC',
      },
    });
    expect(error.issues).toEqual([
      { path: 'providers.tipay.baseUrl', message: 'a setting beside "accounts": give it in each account' },
      { path: 'providers.tipay.accounts.shopA.merchantNo', message: 'required' },
      { path: 'providers.tipay.accounts.shop b', message: expect.stringMatching(/^an account name is letters, digits/) },
      { path: 'providers.tipay.default', message: 'must name one of the accounts (shopA, shop b)' },
    ]);
    expect(error.provider).toBe('tipay');
    expect(error.message).not.toContain(KEY_A);
  });

  it('two accounts with one merchant are refused: the ledger keys refunds by merchant', () => {
    const error = configError({ tipay: { accounts: { shopA: SHOP_A, again: { ...SHOP_B, merchantNo: SHOP_A.merchantNo } } } });
    expect(error.issues).toEqual([{ path: 'providers.tipay.accounts.again', message: 'has the same merchant (10000000001) as account shopA: one merchant is one account' }]);
  });

  it('a name that is another account\'s merchant is refused (a key naming it could mean either)', () => {
    const error = configError({ tipay: { accounts: { shopA: SHOP_A, '10000000001': SHOP_B } } });
    expect(error.issues).toEqual([{ path: 'providers.tipay.accounts.10000000001', message: 'is the merchant of account shopA: a name must not be another account\'s merchant' }]);
    // Its own merchant as its name is fine.
    expect(() => createRefunds({ providers: { tipay: { accounts: { '10000000001': SHOP_A, shopB: SHOP_B } } } })).not.toThrow();
  });

  it('accounts must be a non-empty object of accounts', () => {
    expect(configError({ tipay: { accounts: {} } }).issues).toEqual([{ path: 'providers.tipay.accounts', message: expect.stringMatching(/^must be an object of named accounts/) }]);
    expect(configError({ tipay: { accounts: [SHOP_A] } }).issues).toEqual([{ path: 'providers.tipay.accounts', message: expect.stringMatching(/^must be an object of named accounts/) }]);
  });

  it('the keys of a roll are checked one by one, at their index, never quoted', () => {
    const error = configError({
      tipay: { accounts: { shopA: { ...SHOP_A, previousAppKeys: [new Secret('old-key-SECRET'), ''] } } },
      easypay: { ...CONFIGS.easypay, easypayPublicKeyFile: undefined, easypayPublicKeys: [{ certificateId: '1', keyFile: keyFile('test-public.pem') }, { keyFile: '/nonexistent/easypay.pem' }, { key: 'not a pem', keyFile: 'x' }, { pem: 'x' }] },
      eftpay: { ...CONFIGS.eftpay, previousSecretCodes: [] },
    });
    expect(error.issues).toEqual([
      { path: 'providers.tipay.accounts.shopA.previousAppKeys[1]', message: 'resolves to nothing (is the environment variable set?)' },
      { path: 'providers.easypay.easypayPublicKeys[1].keyFile', message: '"/nonexistent/easypay.pem" cannot be read (ENOENT)' },
      { path: 'providers.easypay.easypayPublicKeys[2].keyFile', message: 'give only one of key, keyFile' },
      { path: 'providers.easypay.easypayPublicKeys[3].pem', message: 'unknown setting (known: certificateId, key, keyFile)' },
      { path: 'providers.easypay.easypayPublicKeys[3].key', message: 'required (or providers.easypay.easypayPublicKeys[3].keyFile)' },
      { path: 'providers.eftpay.previousSecretCodes', message: 'must be a non-empty list' },
    ]);
    expect(error.message).not.toContain('SECRET');
  });

  it('easypayPublicKeys is one of the ways to give EasyPay\'s key: not beside easypayPublicKeyFile', () => {
    const error = configError({ easypay: { ...CONFIGS.easypay, easypayPublicKeys: [{ keyFile: keyFile('test-public.pem') }] } });
    expect(error.issues).toEqual([{ path: 'providers.easypay.easypayPublicKeys', message: 'give only one of easypayPublicKeyFile, easypayPublicKeys' }]);
  });
});

describe('every call finds its account', () => {
  it('with several accounts and no default, a call without account is a typed error naming the choices; nothing is sent', async () => {
    const script = scripted();
    const refunds = platform(script);
    const refused = await refunds.refund(tipayInput()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ValidationError);
    expect(refused).toMatchObject({ code: 'validation_failed', issues: [{ path: 'account', rule: 'required', message: 'account is required: tipay has 2 accounts (shopA, shopB) and no default' }] });
    await expect(refunds.get({ provider: 'tipay', orderId: 'o', refundId: 'r' })).rejects.toMatchObject({ issues: [{ path: 'account', rule: 'required' }] });
    await expect(refunds.history({ provider: 'tipay', orderId: 'o', refundId: 'r' })).rejects.toBeInstanceOf(ValidationError);
    expect(script.calls).toHaveLength(0);
  });

  it('an unknown account name is an UnknownAccountError naming the accounts; nothing is read or sent', async () => {
    const script = scripted();
    const refunds = platform(script, { default: 'shopA' });
    const refused = await refunds.refund({ ...tipayInput(), account: 'shopC' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnknownAccountError);
    expect(refused).toMatchObject({ code: 'account_unknown', provider: 'tipay', account: 'shopC', known: ['shopA', 'shopB'] });
    expect((refused as Error).message).toContain('(known: shopA, shopB)');
    await expect(refunds.get({ provider: 'tipay', account: 'shopC', orderId: 'o', refundId: 'r' })).rejects.toBeInstanceOf(UnknownAccountError);
    expect(script.calls).toHaveLength(0);
  });

  it('each account refunds with its own merchant and keys; the default serves calls without account', async () => {
    const script = scripted(answerFor(SHOP_B.merchantNo, 'SUCCESS'), answerFor(SHOP_A.merchantNo, 'SUCCESS', { refundRequestId: 'R-DEFAULT' }));
    const refunds = platform(script, { default: 'shopA' });
    const b = await refunds.refund({ ...tipayInput(), account: 'shopB' });
    const a = await refunds.refund(tipayInput({ refundId: 'R-DEFAULT' }));
    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
    expect([a.account, b.account]).toEqual([SHOP_A.merchantNo, SHOP_B.merchantNo]);
    const [toB, toA] = script.calls;
    expect(parsed(toB!)['merchantNo']).toBe(SHOP_B.merchantNo);
    expect(toB!.headers.get('ti-appid')).toBe(SHOP_B.appId);
    expect(toB!.headers.get('ti-signature')).toBe(tipaySignature(toB!.bytes, toB!.headers.get('ti-timestamp')!, KEY_B));
    expect(parsed(toA!)['merchantNo']).toBe(SHOP_A.merchantNo);
    expect(toA!.headers.get('ti-signature')).toBe(tipaySignature(toA!.bytes, toA!.headers.get('ti-timestamp')!, KEY_A));
  });

  it('accounts never see each other\'s refunds: one refund number in two accounts is two refunds', async () => {
    const script = scripted(answerFor(SHOP_A.merchantNo, 'SUCCESS'), answerFor(SHOP_B.merchantNo, 'SUCCESS', { refundAmount: '2.20' }));
    const refunds = platform(script);
    const a = await refunds.refund({ ...tipayInput(), account: 'shopA' });
    const b = await refunds.refund({ ...tipayInput({ amount: 220 }), account: 'shopB' });
    expect([a.amount, b.amount]).toEqual([110, 220]);
    // By name, and by the refund itself (its account is its merchant): each sees its own.
    expect((await refunds.get({ ...INPUTS.tipay, account: 'shopA' })).amount).toBe(110);
    expect((await refunds.get({ ...INPUTS.tipay, account: 'shopB' })).amount).toBe(220);
    expect((await refunds.get(b)).amount).toBe(220);
    expect((await refunds.history(a)).every((e) => e.status === undefined || e.status === 'succeeded')).toBe(true);
    await expect(refunds.get({ ...INPUTS.tipay, refundId: 'only-in-b', account: 'shopA' })).rejects.toBeInstanceOf(NotFoundError);
    expect(script.calls).toHaveLength(2);
  });

  it('renaming an account loses nothing: the ledger keys refunds by merchant, not by name', async () => {
    const ledger = new MemoryLedger();
    const before = platform(scripted(answerFor(SHOP_B.merchantNo, 'PROCESSING')), { ledger });
    const refund = await before.refund({ ...tipayInput(), account: 'shopB' });
    expect(refund.status).toBe('pending');
    const script = scripted(answerFor(SHOP_B.merchantNo, 'SUCCESS'));
    const after = platform(script, { ledger, names: ['shopA', 'storeB'] });
    expect(await after.get({ ...INPUTS.tipay, account: 'storeB' })).toMatchObject({ status: 'succeeded', account: SHOP_B.merchantNo });
    // The query went out as storeB's merchant, signed with its key.
    expect(new URL(script.calls[0]!.url).searchParams.get('merchantNo')).toBe(SHOP_B.merchantNo);
    await expect(after.get({ ...INPUTS.tipay, account: 'shopB' })).rejects.toBeInstanceOf(UnknownAccountError);
  });

  it('a block without accounts is one account, named default', async () => {
    const script = scripted(tipayAnswer('SUCCESS'));
    const refunds = createRefunds({ providers: { tipay: CONFIGS.tipay }, fetch: script.fetch });
    const refund = await refunds.refund({ ...tipayInput(), account: 'default' });
    expect(refund.status).toBe('succeeded');
    expect((await refunds.get({ ...INPUTS.tipay, account: 'default' })).refundId).toBe(refund.refundId);
    await expect(refunds.get({ ...INPUTS.tipay, account: 'shopA' })).rejects.toMatchObject({ code: 'account_unknown', known: ['default'] });
  });

  it('one account under accounts needs no default', async () => {
    const script = scripted(answerFor(SHOP_B.merchantNo, 'SUCCESS'));
    const refunds = createRefunds({ providers: { tipay: { accounts: { only: SHOP_B } } }, fetch: script.fetch });
    expect((await refunds.refund(tipayInput())).account).toBe(SHOP_B.merchantNo);
  });

  it('a refund input\'s account must be a string (plain JS), refused before anything is sent', async () => {
    const script = scripted();
    const refunds = platform(script, { default: 'shopA' });
    await expect(refunds.refund({ ...tipayInput(), account: 7 } as never)).rejects.toMatchObject({ issues: [{ path: 'account', rule: 'type string' }] });
    expect(script.calls).toHaveLength(0);
  });
});

describe('a notification is verified with the keys of the account it is for', () => {
  async function pendingInBoth() {
    const script = scripted(answerFor(SHOP_A.merchantNo, 'PROCESSING'), answerFor(SHOP_B.merchantNo, 'PROCESSING'));
    const ledger = new MemoryLedger();
    const refunds = platform(script, { ledger });
    await refunds.refund({ ...tipayInput(), account: 'shopA' });
    await refunds.refund({ ...tipayInput(), account: 'shopB' });
    const statusIn = async (merchantNo: string) => (await ledger.get({ provider: 'tipay', account: merchantNo, refundId: INPUTS.tipay.refundId }))?.status;
    return { script, refunds, statusIn };
  }

  it('without account, the merchant it names picks the account: each applies to its own account\'s refund only', async () => {
    const { script, refunds, statusIn } = await pendingInBoth();
    const forB = await refunds.handleNotification('tipay', signedNotification(SHOP_B.merchantNo, KEY_B));
    expect(forB).toMatchObject({ outcome: 'applied', refund: { account: SHOP_B.merchantNo, status: 'succeeded' } });
    expect(await statusIn(SHOP_A.merchantNo)).toBe('pending');
    const forA = await refunds.handleNotification('tipay', signedNotification(SHOP_A.merchantNo, KEY_A, 'FAILED'));
    expect(forA).toMatchObject({ outcome: 'applied', refund: { account: SHOP_A.merchantNo, status: 'failed' } });
    expect(await statusIn(SHOP_B.merchantNo)).toBe('succeeded');
    // Signed notifications are believed without a query: only the two refunds were sent.
    expect(script.calls).toHaveLength(2);
  });

  it('a notification naming one account\'s merchant but signed with the other\'s key is refused, and changes nothing', async () => {
    const { refunds } = await pendingInBoth();
    const handled = await refunds.handleNotification('tipay', signedNotification(SHOP_A.merchantNo, KEY_B));
    expect(handled).toMatchObject({ outcome: 'refused', changed: false, failure: { code: 'notification_refused' }, refund: { account: SHOP_A.merchantNo, status: 'pending' } });
    expect(handled.failure?.message).toMatch(/signature/);
    expect(handled.failure?.message).not.toContain(KEY_A);
    expect(handled.failure?.message).not.toContain(KEY_B);
  });

  it('with account, that account\'s keys verify it and the echo rule holds it to that account\'s merchant', async () => {
    const { refunds } = await pendingInBoth();
    const signedByB = signedNotification(SHOP_B.merchantNo, KEY_B);
    expect(await refunds.handleNotification('tipay', signedByB, { account: 'shopA' })).toMatchObject({ outcome: 'refused', failure: { message: expect.stringMatching(/signature/) } });
    const aboutBSignedByA = signedNotification(SHOP_B.merchantNo, KEY_A);
    expect(await refunds.handleNotification('tipay', aboutBSignedByA, { account: 'shopA' })).toMatchObject({ outcome: 'refused', failure: { message: expect.stringMatching(/another merchant/) } });
    expect(await refunds.handleNotification('tipay', signedByB, { account: 'shopB' })).toMatchObject({ outcome: 'applied', refund: { status: 'succeeded' } });
    await expect(refunds.handleNotification('tipay', signedByB, { account: 'shopC' })).rejects.toBeInstanceOf(UnknownAccountError);
  });

  it('with several accounts and no default, one naming a merchant no account holds is refused unverified', async () => {
    const { refunds } = await pendingInBoth();
    const handled = await refunds.handleNotification('tipay', signedNotification('10099999999', KEY_A));
    expect(handled).toEqual({ outcome: 'refused', changed: false, failure: expect.objectContaining({ code: 'notification_refused', message: expect.stringMatching(/merchant "10099999999", which no tipay account here holds/) }), ack: { status: 400, contentType: 'text/plain', body: 'FAIL' } });
  });

  it('one naming no merchant goes to the default; with no default it is a typed error naming the choices', async () => {
    const easypayA = { ...CONFIGS.easypay, mchtCode: '531000000000001' };
    const easypayB = { ...CONFIGS.easypay, mchtCode: '531000000000002' };
    // The notification names no mchtCode (it is optional in respOrderInfo).
    const body = easypayNotification({ transState: '0' });
    expect(body).not.toContain('mchtCode');
    const noDefault = createRefunds({ providers: { easypay: { accounts: { a: easypayA, b: easypayB } } }, fetch: scripted().fetch });
    await expect(noDefault.handleNotification('easypay', { headers: {}, rawBody: body })).rejects.toMatchObject({ issues: [{ path: 'account', rule: 'required', message: expect.stringMatching(/\(a, b\) and no default/) }] });
    const script = scripted(easypayAnswer({ transState: '9', order: { orgTrace: INPUTS.easypay.refundId, refundAmount: 150, mchtCode: easypayB.mchtCode } }));
    const withDefault = createRefunds({ providers: { easypay: { accounts: { a: easypayA, b: easypayB }, default: 'b' } }, fetch: script.fetch });
    await withDefault.refund(INPUTS.easypay);
    expect(await withDefault.handleNotification('easypay', { headers: {}, rawBody: body })).toMatchObject({ outcome: 'applied', refund: { account: easypayB.mchtCode, status: 'succeeded' } });
  });
});
