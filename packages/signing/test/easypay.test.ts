import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CanonicalJsonError,
  MissingKeyError,
  Secret,
  canonicalJson,
  createEasypaySigner,
  decodeBase64Strict,
  easypayBodyDigest,
  easypaySigningString,
} from '../src/index.js';
import { changeLeaf, changeOneUnit, keys, leafPaths, vectors } from './support.js';

const signer = createEasypaySigner({ privateKey: new Secret(keys.privatePkcs8), easypayPublicKey: keys.publicSpki });
const { seed } = vectors.easypay;

describe('easypay: vectors (python3 reference.py, md5sum, openssl dgst -sha256 -sign)', () => {
  describe.each(vectors.easypay.vectors.map((v) => [v.name, v] as const))('%s', (_name, vector) => {
    it('canonical header, body MD5 and signing string', () => {
      expect(canonicalJson(vector.header)).toBe(vector.canonicalHeader.value);
      expect(canonicalJson(vector.body)).toBe(vector.canonicalBody.value);
      expect(easypayBodyDigest(vector.body)).toBe(vector.bodyMd5.value);
      expect(easypaySigningString(vector.header, vector.body)).toBe(vector.signingString.value);
    });

    it.each([
      ['PKCS#8 PEM', keys.privatePkcs8],
      ['PKCS#1 PEM', keys.privatePkcs1],
      ['KeyObject', createPrivateKey(keys.privatePkcs8)],
    ])('signs to the openssl signature with a %s key', (_kind, privateKey) => {
      const s = createEasypaySigner({ privateKey });
      expect(s.signRequest({ reqHeader: vector.header, reqBody: vector.body }).reqSign).toBe(vector.signature.value);
      expect(s.signString(vector.signingString.value)).toBe(vector.signature.value);
    });

    it.each([
      ['SPKI PEM', keys.publicSpki],
      ['PKCS#1 PEM', keys.publicPkcs1],
      ['X.509 certificate', keys.certificate],
      ['KeyObject', createPublicKey(keys.publicSpki)],
    ])('verifies the openssl signature with a %s public key', (_kind, easypayPublicKey) => {
      const v = createEasypaySigner({ easypayPublicKey });
      const signature = vector.signature.value;
      expect(v.verifyResponse({ rspHeader: vector.header, rspBody: vector.body, rspSign: signature })).toEqual({ valid: true });
      expect(v.verifyNotification({ reqHeader: vector.header, reqBody: vector.body, reqSign: signature })).toEqual({ valid: true });
      expect(v.verifyString(vector.signingString.value, signature)).toEqual({ valid: true });
    });
  });
});

describe('easypay: the seed (000) signatures, made with keys we do not have', () => {
  it.each([
    ['reqSign', seed.request.reqSign, seed.decodedLength.reqSign.value],
    ['rspSign', seed.response.rspSign, seed.decodedLength.rspSign.value],
  ])('%s decodes to 256 bytes (RSA-2048), like base64 -d | wc -c says', (_field, signature, expected) => {
    expect(decodeBase64Strict(signature)?.length).toBe(256);
    expect(String(decodeBase64Strict(signature)?.length)).toBe(expected);
  });

  it('the seed response is a mismatch under the test key, not a crash', () => {
    expect(signer.verifyResponse(seed.response)).toMatchObject({ valid: false, reason: 'mismatch' });
  });

  it('the seed request signature is a mismatch under the test key, not a crash', () => {
    expect(signer.verifyNotification(seed.request)).toMatchObject({ valid: false, reason: 'mismatch' });
    expect(signer.signRequest(seed.request).reqSign).not.toBe(seed.request.reqSign);
  });
});

describe('easypay: signRequest', () => {
  const vector = vectors.easypay.vectors[2]!;

  it('returns exactly reqHeader, reqBody, reqSign, without touching the input', () => {
    const input = { reqHeader: structuredClone(vector.header), reqBody: structuredClone(vector.body) };
    const snapshot = JSON.stringify(input);
    const signed = signer.signRequest(input);
    expect(Object.keys(signed)).toEqual(['reqHeader', 'reqBody', 'reqSign']);
    expect(JSON.stringify(input)).toBe(snapshot);
    expect(signed.reqHeader).toBe(input.reqHeader);
    expect(signed.reqBody).toBe(input.reqBody);
  });

  it('survives the wire: serialise, parse, verify', () => {
    const wire = JSON.stringify(signer.signRequest({ reqHeader: vector.header, reqBody: vector.body }));
    expect(signer.verifyNotification(JSON.parse(wire) as object)).toEqual({ valid: true });
  });

  it('undefined optional fields sign as absent ones', () => {
    const withUndefined = { reqHeader: { ...vector.header, reqType: undefined }, reqBody: vector.body };
    const without = { reqHeader: { ...vector.header }, reqBody: vector.body };
    delete (without.reqHeader as Record<string, unknown>)['reqType'];
    expect(signer.signRequest(withUndefined).reqSign).toBe(signer.signRequest(without).reqSign);
  });

  it('refuses a value JSON cannot carry, naming the field', () => {
    const reqBody = { reqOrderInfo: { refundAmount: Number.NaN } };
    expect(() => signer.signRequest({ reqHeader: {}, reqBody })).toThrow(CanonicalJsonError);
    expect(() => signer.signRequest({ reqHeader: {}, reqBody })).toThrow(
      expect.objectContaining({ path: '$.reqBody.reqOrderInfo.refundAmount' }),
    );
  });

  it('needs the private key to sign and the public key to verify', () => {
    const verifyOnly = createEasypaySigner({ easypayPublicKey: keys.publicSpki });
    const signOnly = createEasypaySigner({ privateKey: keys.privatePkcs1 });
    expect(() => verifyOnly.signRequest({ reqHeader: {}, reqBody: {} })).toThrow(MissingKeyError);
    expect(() => signOnly.verifyResponse(seed.response)).toThrow(MissingKeyError);
    expect(() => signOnly.verifyString('x', 'AAAA')).toThrow(MissingKeyError);
  });
});

describe('easypay: round trip, and any single change fails', () => {
  const vector = vectors.easypay.vectors[2]!;
  const signed = signer.signRequest({ reqHeader: vector.header, reqBody: vector.body });

  it('sign then verify succeeds', () => {
    expect(signer.verifyNotification(signed)).toEqual({ valid: true });
    for (const v of vectors.easypay.vectors) {
      const s = signer.signRequest({ reqHeader: v.header, reqBody: v.body });
      expect(signer.verifyResponse({ rspHeader: s.reqHeader, rspBody: s.reqBody, rspSign: s.reqSign })).toEqual({ valid: true });
    }
  });

  it('changing any one value of the header fails', () => {
    const paths = leafPaths(vector.header);
    expect(paths.length).toBeGreaterThanOrEqual(4);
    for (const path of paths) {
      const reqHeader = changeLeaf(vector.header, path, changeOneUnit);
      expect(signer.verifyNotification({ ...signed, reqHeader }), path.join('.')).toMatchObject({ valid: false, reason: 'mismatch' });
    }
  });

  it('changing any one value of the body fails', () => {
    const paths = leafPaths(vector.body);
    expect(paths.length).toBeGreaterThanOrEqual(15);
    for (const path of paths) {
      const reqBody = changeLeaf(vector.body, path, changeOneUnit);
      expect(signer.verifyNotification({ ...signed, reqBody }), path.join('.')).toMatchObject({ valid: false, reason: 'mismatch' });
    }
  });

  it('adding, removing or renaming a field fails; swapping header and body fails', () => {
    const { reqType: _dropped, ...fewer } = vector.header;
    const variants = [
      { ...signed, reqHeader: fewer },
      { ...signed, reqHeader: { ...vector.header, extra: '' } },
      { ...signed, reqBody: { ...vector.body, extra: null } },
      { ...signed, reqHeader: { ...fewer, reqtype: vector.header['reqType'] } },
      { ...signed, reqHeader: vector.body, reqBody: vector.header },
    ];
    for (const variant of variants) {
      expect(signer.verifyNotification(variant)).toMatchObject({ valid: false, reason: 'mismatch' });
    }
  });

  it('changing any one byte of the signature fails', () => {
    const bytes = decodeBase64Strict(signed.reqSign)!;
    expect(bytes.length).toBe(256);
    for (let i = 0; i < bytes.length; i++) {
      const tampered = Buffer.from(bytes);
      tampered[i] = tampered[i]! ^ 0x01;
      const result = signer.verifyNotification({ ...signed, reqSign: tampered.toString('base64') });
      expect(result.valid, `byte ${i}`).toBe(false);
    }
  });

  it('another key fails, both ways', () => {
    const otherVerifier = createEasypaySigner({ easypayPublicKey: keys.otherPublic });
    expect(otherVerifier.verifyNotification(signed)).toMatchObject({ valid: false, reason: 'mismatch' });
    const otherSigner = createEasypaySigner({ privateKey: keys.otherPrivate });
    const signedByOther = otherSigner.signRequest({ reqHeader: vector.header, reqBody: vector.body });
    expect(signedByOther.reqSign).not.toBe(signed.reqSign);
    expect(signer.verifyNotification(signedByOther)).toMatchObject({ valid: false, reason: 'mismatch' });
  });
});

describe('easypay: malformed input is a failed verification, never a throw', () => {
  const vector = vectors.easypay.vectors[1]!;
  const good = { rspHeader: vector.header, rspBody: vector.body, rspSign: vector.signature.value };
  const wrapped = vector.signature.value.replace(/.{76}/g, '$&\r\n');

  it.each([
    ['no rspSign', { ...good, rspSign: undefined }, 'missing-signature'],
    ['empty rspSign', { ...good, rspSign: '' }, 'missing-signature'],
    ['null rspSign', { ...good, rspSign: null }, 'missing-signature'],
    ['a number as rspSign', { ...good, rspSign: 12345 }, 'malformed-signature'],
    ['not base64', { ...good, rspSign: '!!not base64!!' }, 'malformed-signature'],
    ['base64 with a space inside', { ...good, rspSign: `${good.rspSign.slice(0, 10)} ${good.rspSign.slice(10)}` }, 'malformed-signature'],
    ['missing padding', { ...good, rspSign: good.rspSign.replace(/=+$/, '') }, 'malformed-signature'],
    ['URL-safe alphabet', { ...good, rspSign: 'A-_A' + good.rspSign.slice(4) }, 'malformed-signature'],
    ['truncated (252 bytes)', { ...good, rspSign: good.rspSign.slice(0, 336) }, 'malformed-signature'],
    ['too long (257 bytes)', { ...good, rspSign: Buffer.alloc(257, 1).toString('base64') }, 'malformed-signature'],
    ['no rspHeader', { ...good, rspHeader: undefined }, 'malformed-payload'],
    ['rspBody a string', { ...good, rspBody: 'x' }, 'malformed-payload'],
    ['rspBody null', { ...good, rspBody: null }, 'malformed-payload'],
    ['an integer JSON cannot carry exactly in rspBody', { ...good, rspBody: { ...vector.body, n: 2 ** 60 } }, 'malformed-payload'],
  ])('%s', (_name, response, reason) => {
    expect(signer.verifyResponse(response)).toMatchObject({ valid: false, reason });
  });

  it('a payload that is not an object at all', () => {
    expect(signer.verifyResponse(null as unknown as object)).toMatchObject({ valid: false });
    expect(signer.verifyNotification(undefined as unknown as object)).toMatchObject({ valid: false });
    expect(signer.verifyString('x', [1, 2])).toMatchObject({ valid: false, reason: 'malformed-signature' });
  });

  it('a signature wrapped at 76 characters (MIME style) is the same signature', () => {
    expect(wrapped).toContain('\r\n');
    expect(signer.verifyResponse({ ...good, rspSign: wrapped })).toEqual({ valid: true });
  });
});
