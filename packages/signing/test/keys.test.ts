import { KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  KeyFormatError,
  Secret,
  createEasypaySigner,
  loadPrivateKey,
  loadPublicKey,
  rsaSignatureLength,
  type KeyFormatProblem,
} from '../src/index.js';
import { keys, pemBody } from './support.js';

/** The modulus, to check that every form loads the same key. */
function modulus(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.n !== 'string') throw new Error('not RSA');
  return jwk.n;
}

const expectedModulus = modulus(createPublicKey(keys.publicSpki));

function thrownBy(action: () => unknown): KeyFormatError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyFormatError);
    return error as KeyFormatError;
  }
  throw new Error('expected a KeyFormatError');
}

describe('loadPrivateKey', () => {
  it.each([
    ['PKCS#8 PEM (with a comment before the armor)', keys.privatePkcs8],
    ['PKCS#1 PEM', keys.privatePkcs1],
    ['PKCS#8 PEM in a Secret', new Secret(keys.privatePkcs8)],
    ['bare base64 DER, PKCS#8', pemBody(keys.privatePkcs8)],
    ['bare base64 DER, PKCS#1', new Secret(pemBody(keys.privatePkcs1))],
    ['a KeyObject', createPrivateKey(keys.privatePkcs8)],
  ])('%s', (_name, input) => {
    const key = loadPrivateKey(input);
    expect(key.type).toBe('private');
    expect(modulus(createPublicKey(key))).toBe(expectedModulus);
    expect(rsaSignatureLength(key, 'private')).toBe(256);
  });

  it('returns a given KeyObject as it is (nothing to parse)', () => {
    const key = createPrivateKey(keys.privatePkcs8);
    expect(loadPrivateKey(key)).toBe(key);
  });

  it('an encrypted PKCS#8 PEM with its passphrase, and a typed error without it', () => {
    const encrypted = createPrivateKey(keys.privatePkcs8).export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'correct horse',
    }) as string;
    expect(encrypted).toContain('BEGIN ENCRYPTED PRIVATE KEY');
    expect(modulus(createPublicKey(loadPrivateKey(encrypted, { passphrase: new Secret('correct horse') })))).toBe(expectedModulus);
    expect(thrownBy(() => loadPrivateKey(encrypted)).problem).toBe('unparseable');
    expect(thrownBy(() => loadPrivateKey(encrypted, { passphrase: 'wrong' })).problem).toBe('unparseable');
  });
});

describe('loadPublicKey', () => {
  it.each([
    ['SPKI PEM', keys.publicSpki],
    ['PKCS#1 PEM', keys.publicPkcs1],
    ['X.509 certificate PEM', keys.certificate],
    ['bare base64 DER, SPKI', pemBody(keys.publicSpki)],
    ['bare base64 DER, PKCS#1', pemBody(keys.publicPkcs1)],
    ['a KeyObject', createPublicKey(keys.publicSpki)],
  ])('%s', (_name, input) => {
    const key = loadPublicKey(input);
    expect(key.type).toBe('public');
    expect(modulus(key)).toBe(expectedModulus);
    expect(rsaSignatureLength(key, 'public')).toBe(256);
  });
});

describe('typed errors for bad keys', () => {
  const cases: ReadonlyArray<readonly [string, () => unknown, 'private' | 'public', KeyFormatProblem, string]> = [
    ['a public PEM as the private key', () => loadPrivateKey(keys.publicSpki), 'private', 'wrong-key-kind', 'PUBLIC KEY'],
    ['a certificate as the private key', () => loadPrivateKey(keys.certificate), 'private', 'wrong-key-kind', 'CERTIFICATE'],
    ['a private PEM as the public key', () => loadPublicKey(keys.privatePkcs1), 'public', 'wrong-key-kind', 'RSA PRIVATE KEY'],
    ['a public KeyObject as the private key', () => loadPrivateKey(createPublicKey(keys.publicSpki)), 'private', 'wrong-key-kind', 'public'],
    ['a private KeyObject as the public key', () => loadPublicKey(createPrivateKey(keys.privatePkcs8)), 'public', 'wrong-key-kind', 'private'],
    ['an unknown PEM label', () => loadPrivateKey('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----'), 'private', 'unexpected-pem-label', 'OPENSSH PRIVATE KEY'],
    ['a corrupted PEM body', () => loadPublicKey('-----BEGIN PUBLIC KEY-----\nAAAAAAAA\n-----END PUBLIC KEY-----'), 'public', 'unparseable', 'PUBLIC KEY'],
    ['text that is neither PEM nor base64', () => loadPrivateKey('not a key at all!'), 'private', 'unexpected-pem-label', 'not a PEM block'],
    ['base64 that is not DER', () => loadPublicKey('AAAAAAAA'), 'public', 'unparseable', 'base64 DER'],
    ['an empty string', () => loadPrivateKey(''), 'private', 'unexpected-pem-label', 'not a PEM block'],
    ['a number', () => loadPrivateKey(42 as unknown as string), 'private', 'unsupported-input', 'number'],
    ['null', () => loadPublicKey(null as unknown as string), 'public', 'unsupported-input', 'null'],
  ];

  it.each(cases)('%s', (_name, action, role, problem, mentioned) => {
    const error = thrownBy(action);
    expect(error).toMatchObject({ keyRole: role, problem, code: 'key_format', name: 'KeyFormatError' });
    expect(error.message).toContain(mentioned);
  });

  it('keys that cannot do RSA PKCS#1 v1.5 are refused by the EasyPay signer', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 1024 });
    for (const options of [
      { privateKey: ec.privateKey },
      { easypayPublicKey: ec.publicKey },
      { privateKey: pss.privateKey },
    ]) {
      expect(thrownBy(() => createEasypaySigner(options)).problem).toBe('unsupported-algorithm');
    }
  });
});
