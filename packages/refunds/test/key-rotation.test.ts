/**
 * Key rolls on the scripted fetch (issue 21): while an account lists the key being retired,
 * answers and notifications signed with it still verify, and requests are signed with the
 * current key only; once the roll is over and the old key is dropped, only the new one verifies.
 * (The sandbox runs of the same rolls are in test/accounts-sandbox.test.ts.)
 */
import { generateKeyPairSync } from 'node:crypto';
import { createEasypaySigner, createEftpaySigner, easypaySigningString } from '@refundkit/signing';
import { describe, expect, it } from 'vitest';
import { createRefunds, MemoryLedger, type RefundsOptions } from '../src/index.js';
import { CONFIGS, eftpayAnswer, INPUTS, input, json, keyFile, parsed, pem, scripted, type Reply, type Script } from './support.js';

// ------------------------------------------------------------------ easypay: EasyPay rolls its key

/** EasyPay's key after its roll (certificate 00000002); before it, test-key.pem (00000000, the support's answers). */
const rolled = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const signers = { old: createEasypaySigner({ privateKey: pem('test-key.pem') }), new: createEasypaySigner({ privateKey: rolled.privateKey }) };
const CERTIFICATE = { old: '00000000', new: '00000002' };

/** An accepted EasyPay answer with `transState`, signed with the old or the new key and naming its certificate (or none). */
function easypayAnswerBy(key: 'old' | 'new', transState: string, names: 'certificate' | 'none' = 'certificate'): Response {
  const rspHeader = { rspCode: '000000', rspInfo: 'SUCCESS', ...(names === 'certificate' ? { easyPayCertificateId: CERTIFICATE[key] } : {}) };
  const rspBody = { respStateInfo: { respCode: '000000', respDesc: 'SUCCESS', transState }, respOrderInfo: { orgTrace: INPUTS.easypay.refundId, outTrace: '9953608358403046481920', refundAmount: 150 } };
  return json({ rspHeader, rspBody, rspSign: signers[key].signString(easypaySigningString(rspHeader, rspBody)) });
}

/** A notification that the refund succeeded, signed with the old or the new key. */
function easypayNotificationBy(key: 'old' | 'new'): string {
  const reqHeader = { transTime: '20241105013000', reqId: 'notify-0001', easyPayCertificateId: CERTIFICATE[key] };
  const reqBody = { respStateInfo: { respCode: '000000', transState: '0' }, respOrderInfo: { orgTrace: INPUTS.easypay.refundId, refundAmount: 150 } };
  return JSON.stringify({ reqHeader, reqBody, reqSign: signers[key].signString(easypaySigningString(reqHeader, reqBody)) });
}

const easypayDuring = { ...CONFIGS.easypay, easypayPublicKeyFile: undefined, easypayPublicKeys: [{ certificateId: CERTIFICATE.new, key: rolled.publicKey }, { certificateId: CERTIFICATE.old, keyFile: keyFile('test-public.pem') }] };
const easypayAfter = { ...CONFIGS.easypay, easypayPublicKeyFile: undefined, easypayPublicKeys: [{ certificateId: CERTIFICATE.new, key: rolled.publicKey }] };

function easypayFacade(config: object, script: Script, ledger = new MemoryLedger()) {
  return createRefunds({ providers: { easypay: config } as RefundsOptions['providers'], fetch: script.fetch, ledger, timeoutMs: 2_000 });
}

describe('easypay: EasyPay rolls its key', () => {
  it('during the roll, answers signed with either key verify (chosen by certificate id, or tried in turn)', async () => {
    for (const [key, names] of [['old', 'certificate'], ['new', 'certificate'], ['old', 'none'], ['new', 'none']] as const) {
      const refunds = easypayFacade(easypayDuring, scripted(easypayAnswerBy(key, '0', names)));
      expect((await refunds.refund(input('easypay'))).status, `${key} key, ${names}`).toBe('succeeded');
    }
  });

  it('a notification signed with the old key during the roll is applied; after the roll, only the new key verifies', async () => {
    const ledger = new MemoryLedger();
    const during = easypayFacade(easypayDuring, scripted(easypayAnswerBy('new', '9')), ledger);
    expect((await during.refund(input('easypay'))).status).toBe('pending');
    expect(await during.handleNotification('easypay', { headers: {}, rawBody: easypayNotificationBy('old') })).toMatchObject({ outcome: 'applied', refund: { status: 'succeeded' } });

    const after = easypayFacade(easypayAfter, scripted(), ledger);
    expect(await after.handleNotification('easypay', { headers: {}, rawBody: easypayNotificationBy('old') })).toMatchObject({ outcome: 'refused', failure: { code: 'notification_refused', message: expect.stringMatching(/signature/) } });
    expect(await after.handleNotification('easypay', { headers: {}, rawBody: easypayNotificationBy('new') })).toMatchObject({ outcome: 'duplicate', refund: { status: 'succeeded' } });
  });

  it('after the roll, an answer signed with the dropped key is unknown (signature_invalid), never a success', async () => {
    const refunds = easypayFacade(easypayAfter, scripted(easypayAnswerBy('old', '0')));
    expect(await refunds.refund(input('easypay'))).toMatchObject({ status: 'unknown', failure: { code: 'signature_invalid' } });
  });
});

// ------------------------------------------------------------------ eftpay: the merchant's secret code rolls

const OLD_CODE = 'eftpay-old-secret-code';
const NEW_CODE = 'eftpay-new-secret-code';

/** An eftPay answer that the refund succeeded, signed with `code`. */
function eftpayAnswerBy(code: string): Reply {
  return async () => {
    const fields = (await eftpayAnswer({ trade_status: 'TRADE_REFUND', refund_trade_no: 'EFTR0000001' }, { unsigned: true }).json()) as Record<string, string>;
    return json(createEftpaySigner({ secretCode: code }).signRequest(fields));
  };
}

describe('eftpay: the secret code rolls', () => {
  const eftpay = (config: object, script: Script) => createRefunds({ providers: { eftpay: { ...CONFIGS.eftpay, ...config } } as RefundsOptions['providers'], fetch: script.fetch, timeoutMs: 2_000 });

  it('during the roll, requests are signed with the new code and answers signed with the old one verify', async () => {
    const script = scripted(eftpayAnswerBy(OLD_CODE));
    const refunds = eftpay({ secretCode: NEW_CODE, previousSecretCodes: [OLD_CODE] }, script);
    expect((await refunds.refund(input('eftpay'))).status).toBe('succeeded');
    const sent = parsed(script.calls[0]!);
    expect(createEftpaySigner({ secretCode: NEW_CODE }).verify(sent)).toEqual({ valid: true });
    expect(createEftpaySigner({ secretCode: OLD_CODE }).verify(sent)).toMatchObject({ valid: false });
  });

  it('after the roll, an answer signed with the dropped code is unknown (signature_invalid)', async () => {
    const refunds = eftpay({ secretCode: NEW_CODE }, scripted(eftpayAnswerBy(OLD_CODE)));
    expect(await refunds.refund(input('eftpay'))).toMatchObject({ status: 'unknown', failure: { code: 'signature_invalid' } });
  });
});
