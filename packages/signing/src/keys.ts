/**
 * Loading RSA keys once, from whatever form a provider's console hands out.
 *
 * Private keys (the merchant's): PEM `BEGIN RSA PRIVATE KEY` (PKCS#1), `BEGIN PRIVATE KEY`
 * (PKCS#8), `BEGIN ENCRYPTED PRIVATE KEY` (with `passphrase`), bare base64 DER (PKCS#8 or
 * PKCS#1, as many Chinese provider consoles print them), or a `KeyObject`; a string may be wrapped
 * in a {@link Secret}.
 * Public keys (the provider's): PEM `BEGIN PUBLIC KEY` (SPKI), `BEGIN RSA PUBLIC KEY` (PKCS#1),
 * an X.509 `BEGIN CERTIFICATE`, bare base64 DER (SPKI or PKCS#1), or a `KeyObject`.
 *
 * Parsing is the expensive part of using a key; the signers (`createEasypaySigner` …) call these
 * functions once, when they are created, and keep the resulting `KeyObject`. Create a signer
 * once and reuse it; nothing is parsed per call.
 *
 * Errors are {@link KeyFormatError}s naming the role, the PEM label and the OpenSSL error
 * code, never the key material (Node's own errors can quote their input, so they are not
 * passed on as `cause`).
 *
 * ```ts
 * const privateKey = loadPrivateKey(new Secret(fs.readFileSync('merchant.pem', 'utf8')));
 * const easypayPublicKey = loadPublicKey(fs.readFileSync('easypay-cert.pem', 'utf8'));
 * ```
 */
import type { KeyObject } from 'node:crypto';
import { KeyFormatError } from './errors.js';
import { nodeCrypto } from './node-crypto.js';
import { Secret, revealSecret, type MaybeSecret } from './secret.js';

export type PrivateKeyInput = MaybeSecret<string> | KeyObject;
export type PublicKeyInput = string | KeyObject;

export interface LoadPrivateKeyOptions {
  /** For `BEGIN ENCRYPTED PRIVATE KEY` and encrypted PKCS#1 PEM. */
  readonly passphrase?: MaybeSecret<string> | undefined;
}

const PEM_LABEL = /-----BEGIN ([A-Z0-9 ]{1,40})-----/;
const PRIVATE_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
const PUBLIC_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY', 'CERTIFICATE']);
const BARE_BASE64 = /^[A-Za-z0-9+/=\s]+$/;

/** Parses a private key (see the module comment for the accepted forms). */
export function loadPrivateKey(input: PrivateKeyInput, options: LoadPrivateKeyOptions = {}): KeyObject {
  if (input instanceof nodeCrypto().KeyObject) {
    if (input.type !== 'private') {
      throw new KeyFormatError('private', 'wrong-key-kind', `expected a private KeyObject, got a ${input.type} one`);
    }
    return input;
  }
  const text: unknown = input instanceof Secret ? input.reveal() : input;
  if (typeof text !== 'string') {
    throw new KeyFormatError('private', 'unsupported-input', `expected a PEM string, a Secret or a KeyObject, got ${describeType(text)}`);
  }
  const label = PEM_LABEL.exec(text)?.[1];
  if (label !== undefined && !PRIVATE_LABELS.has(label)) {
    throw new KeyFormatError(
      'private',
      PUBLIC_LABELS.has(label) ? 'wrong-key-kind' : 'unexpected-pem-label',
      `a PEM "${label}" block is not a private key (expected RSA PRIVATE KEY, PRIVATE KEY or ENCRYPTED PRIVATE KEY)`,
    );
  }
  const passphrase = options.passphrase === undefined ? undefined : revealSecret(options.passphrase);
  return parseWith('private', label, () => {
    if (label !== undefined) return nodeCrypto().createPrivateKey({ key: text, format: 'pem', passphrase });
    const der = bareBase64('private', text);
    return firstParse([
      () => nodeCrypto().createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
      () => nodeCrypto().createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }),
    ]);
  });
}

/** Parses a public key or certificate (see the module comment for the accepted forms). */
export function loadPublicKey(input: PublicKeyInput): KeyObject {
  if (input instanceof nodeCrypto().KeyObject) {
    if (input.type !== 'public') {
      throw new KeyFormatError('public', 'wrong-key-kind', `expected a public KeyObject, got a ${input.type} one`);
    }
    return input;
  }
  const text: unknown = input;
  if (typeof text !== 'string') {
    throw new KeyFormatError('public', 'unsupported-input', `expected a PEM string or a KeyObject, got ${describeType(text)}`);
  }
  const label = PEM_LABEL.exec(text)?.[1];
  if (label !== undefined && !PUBLIC_LABELS.has(label)) {
    throw new KeyFormatError(
      'public',
      PRIVATE_LABELS.has(label) ? 'wrong-key-kind' : 'unexpected-pem-label',
      `a PEM "${label}" block is not a public key (expected PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE)`,
    );
  }
  return parseWith('public', label, () => {
    if (label !== undefined) return nodeCrypto().createPublicKey({ key: text, format: 'pem' });
    const der = bareBase64('public', text);
    return firstParse([
      () => nodeCrypto().createPublicKey({ key: der, format: 'der', type: 'spki' }),
      () => nodeCrypto().createPublicKey({ key: der, format: 'der', type: 'pkcs1' }),
    ]);
  });
}

/**
 * Checks that `key` can do RSA PKCS#1 v1.5 (`rsa`, not `rsa-pss`, which is restricted to PSS)
 * and returns its modulus length in bytes (256 for RSA-2048), the length of every signature.
 */
export function rsaSignatureLength(key: KeyObject, role: 'private' | 'public'): number {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType !== 'rsa' || details?.modulusLength === undefined) {
    throw new KeyFormatError(
      role,
      'unsupported-algorithm',
      `expected an RSA key for PKCS#1 v1.5, got ${key.asymmetricKeyType ?? 'an unknown'} key`,
    );
  }
  return Math.ceil(details.modulusLength / 8);
}

function parseWith(role: 'private' | 'public', label: string | undefined, parse: () => KeyObject): KeyObject {
  try {
    return parse();
  } catch (error) {
    if (error instanceof KeyFormatError) throw error;
    const code = (error as { code?: unknown }).code;
    throw new KeyFormatError(
      role,
      'unparseable',
      `could not parse ${label === undefined ? 'the base64 DER key' : `the PEM "${label}" block`}` +
        (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? ` (${code})` : ''),
    );
  }
}

function bareBase64(role: 'private' | 'public', text: string): Buffer {
  if (!BARE_BASE64.test(text)) {
    throw new KeyFormatError(role, 'unexpected-pem-label', 'not a PEM block (no -----BEGIN line) and not base64 DER either');
  }
  return Buffer.from(text.replace(/\s+/g, ''), 'base64');
}

function firstParse(attempts: ReadonlyArray<() => KeyObject>): KeyObject {
  let lastError: unknown;
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
