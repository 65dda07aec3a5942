// Key rolls: a provider switches keys, and for a while answers and notifications may come signed
// with either. Verification accepts the listed keys; signing always uses the current one.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyFormatError, Secret, createEasypaySigner, createEftpaySigner, createTipaySigner, easypaySigningString } from '../src/index.js';
import { keys } from './support.js';

const OLD = 'tipay-old-app-key-000000000000';
const NEW = 'tipay-new-app-key-111111111111';
const body = '{"merchantNo":"10012426723","refundRequestId":"R1","status":"SUCCESS"}';
const url = 'https://api.example.com/api/v1/yb/trade/refund';

describe('tipay: previousAppKeys', () => {
  const signedWith = (appKey: string): Record<string, string> => ({ ...createTipaySigner({ appId: 'app', appKey, clock: () => 1_730_770_200_000 }).signRequest({ method: 'POST', url, body }) });
  const during = createTipaySigner({ appId: 'app', appKey: new Secret(NEW), previousAppKeys: [new Secret(OLD)] });
  const after = createTipaySigner({ appId: 'app', appKey: new Secret(NEW) });

  it('during the roll, a signature under the old key or the new one verifies', () => {
    expect(during.verify({ body, headers: signedWith(OLD) })).toEqual({ valid: true });
    expect(during.verify({ body, headers: signedWith(NEW) })).toEqual({ valid: true });
  });

  it('after the roll (no previous keys), only the new one verifies', () => {
    expect(after.verify({ body, headers: signedWith(NEW) })).toEqual({ valid: true });
    expect(after.verify({ body, headers: signedWith(OLD) })).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('requests are signed with the current key only', () => {
    const headers: Record<string, string> = { ...createTipaySigner({ appId: 'app', appKey: NEW, previousAppKeys: [OLD], clock: () => 1 }).signRequest({ method: 'POST', url, body }) };
    expect(createTipaySigner({ appId: 'app', appKey: NEW }).verify({ body, headers })).toEqual({ valid: true });
    expect(createTipaySigner({ appId: 'app', appKey: OLD }).verify({ body, headers })).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('a signature under a key that is neither fails, naming how many keys were tried and no key', () => {
    const result = during.verify({ body, headers: signedWith('some-other-key') });
    expect(result).toMatchObject({ valid: false, reason: 'mismatch' });
    const detail = (result as { detail: string }).detail;
    expect(detail).toContain('1 previous one');
    expect(detail).not.toContain(OLD);
    expect(detail).not.toContain(NEW);
  });
});

describe('eftpay: previousSecretCodes', () => {
  const fields = { service: 'service.alipay.qrcode.Refund', out_trade_no: 'O1', refund_no: 'R1', transaction_amount: '10.01' };
  const signedWith = (secretCode: string) => createEftpaySigner({ secretCode }).signRequest(fields);

  it('verifies under the current code or a previous one; signs with the current only', () => {
    const during = createEftpaySigner({ secretCode: new Secret('new-code'), previousSecretCodes: [new Secret('old-code')] });
    expect(during.verify(signedWith('old-code'))).toEqual({ valid: true });
    expect(during.verify(signedWith('new-code'))).toEqual({ valid: true });
    expect(during.signRequest(fields).sign).toBe(signedWith('new-code').sign);
    expect(createEftpaySigner({ secretCode: 'new-code' }).verify(signedWith('old-code'))).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('refuses a previous code that is no string', () => {
    expect(() => createEftpaySigner({ secretCode: 'new-code', previousSecretCodes: [undefined as unknown as string] })).toThrow(/previousSecretCodes/);
  });
});

describe('easypay: several EasyPay keys, chosen by easyPayCertificateId', () => {
  // "EasyPay" signs with test-key.pem (certificate "old") before its roll and other-key.pem ("new") after.
  const oldSigner = createEasypaySigner({ privateKey: keys.privatePkcs8 });
  const newSigner = createEasypaySigner({ privateKey: keys.otherPrivate });
  const rspBody = { respStateInfo: { respCode: '000000', transState: '0' } };
  const answer = (by: typeof oldSigner, certificateId?: string) => {
    const rspHeader = { rspCode: '000000', ...(certificateId === undefined ? {} : { easyPayCertificateId: certificateId }) };
    return { rspHeader, rspBody, rspSign: by.signString(easypaySigningString(rspHeader, rspBody)) };
  };
  const both = createEasypaySigner({
    easypayPublicKey: [
      { certificateId: 'new', key: keys.otherPublic },
      { certificateId: 'old', key: keys.publicSpki },
    ],
  });

  it('an answer naming its certificate verifies with that certificate\'s key', () => {
    expect(both.verifyResponse(answer(oldSigner, 'old'))).toEqual({ valid: true });
    expect(both.verifyResponse(answer(newSigner, 'new'))).toEqual({ valid: true });
  });

  it('the named certificate decides: a signature by another listed key under the wrong id fails', () => {
    expect(both.verifyResponse(answer(oldSigner, 'new'))).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('an answer naming no certificate, or one no key has, is tried with each key in turn', () => {
    expect(both.verifyResponse(answer(oldSigner))).toEqual({ valid: true });
    expect(both.verifyResponse(answer(newSigner, 'unlisted'))).toEqual({ valid: true });
    expect(both.verifyResponse(answer(createEasypaySigner({ privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey })))).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('a notification is chosen the same way, by its reqHeader', () => {
    const reqBody = { respOrderInfo: { orgTrace: 'R1' } };
    const reqHeader = { reqId: 'n1', easyPayCertificateId: 'new' };
    const reqSign = newSigner.signString(easypaySigningString(reqHeader, reqBody));
    expect(both.verifyNotification({ reqHeader, reqBody, reqSign })).toEqual({ valid: true });
    const onlyOld = createEasypaySigner({ easypayPublicKey: [{ certificateId: 'old', key: keys.publicSpki }] });
    expect(onlyOld.verifyNotification({ reqHeader, reqBody, reqSign })).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('keys of different sizes may be listed together (a roll to a larger key)', () => {
    const larger = generateKeyPairSync('rsa', { modulusLength: 3072, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const mixed = createEasypaySigner({ easypayPublicKey: [{ key: larger.publicKey }, { key: keys.publicSpki }] });
    expect(mixed.verifyResponse(answer(oldSigner))).toEqual({ valid: true });
    expect(mixed.verifyResponse(answer(createEasypaySigner({ privateKey: larger.privateKey })))).toEqual({ valid: true });
  });

  it('an empty list of keys is refused when the signer is made', () => {
    expect(() => createEasypaySigner({ easypayPublicKey: [] })).toThrow(KeyFormatError);
  });
});
