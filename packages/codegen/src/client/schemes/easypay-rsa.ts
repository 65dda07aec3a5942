import type { SchemeEmitter } from './scheme-emitter.js';

/**
 * `easypay-rsa`: SHA256withRSA over `canonicalJson(header) + MD5(canonicalJson(body))`, carried
 * in the body (`reqSign` / `rspSign`). The client builds `reqHeader` (PROVIDERS.md: `transTime`
 * now in Asia/Shanghai, `reqId` fresh per HTTP request, ≤ 32 characters), signs, and verifies
 * every answer and notification with EasyPay's public key.
 */
export const easypayRsa: SchemeEmitter = {
  signingImports: ['createEasypaySigner', 'type PrivateKeyInput', 'type PublicKeyInput', 'type LoadPrivateKeyOptions', 'type EasypayResponseParts', 'type EasypayNotificationParts', 'type EasypayVerificationKey'],
  runtimeImports: ['compactTimestamp', 'type Clock'],
  moduleImports: { 'node:crypto': ['randomUUID'] },
  options: [
    '  /** The merchant\'s RSA private key (PKCS#1 or PKCS#8 PEM, or a KeyObject); parsed once. */',
    '  readonly privateKey: PrivateKeyInput;',
    '  readonly privateKeyPassphrase?: LoadPrivateKeyOptions[\'passphrase\'];',
    '  /**',
    '   * EasyPay\'s RSA public key or X.509 certificate (PEM or KeyObject), to verify answers and',
    '   * notifications; during a key roll, several, each with its `certificateId` (chosen by the',
    '   * `easyPayCertificateId` an answer names, else tried in turn).',
    '   */',
    '  readonly easypayPublicKey: PublicKeyInput | readonly EasypayVerificationKey[];',
    '  /** `reqHeader.reqType`, when the merchant\'s contract needs it (1 merchant, 2 institution). */',
    '  readonly reqType?: string;',
    '  /** `reqHeader.certificateId`, when EasyPay issued one. */',
    '  readonly certificateId?: string;',
    '  /** The clock for `transTime` (tests inject one). */',
    '  readonly clock?: Clock;',
    '  /** A fresh `reqId` per HTTP request; default 32 random hex digits. */',
    '  readonly newReqId?: () => string;',
  ],
  declarations: [
    '/** An EasyPay request as the caller gives it: `reqHeader` is built by the client, fields given here win. */',
    "export type EasypayInput<T extends { reqHeader: object }> = Omit<T, 'reqHeader'> & { readonly reqHeader?: Partial<T['reqHeader']> };",
  ],
  setup: [
    'const signer = createEasypaySigner({ privateKey: options.privateKey, privateKeyPassphrase: options.privateKeyPassphrase, easypayPublicKey: options.easypayPublicKey });',
    'const clock = options.clock ?? Date.now;',
    "const newReqId = options.newReqId ?? (() => randomUUID().replace(/-/g, ''));",
    'const headerDefaults = { ...(options.reqType === undefined ? {} : { reqType: options.reqType }), ...(options.certificateId === undefined ? {} : { certificateId: options.certificateId }) };',
  ],
  inputType: (op) => `EasypayInput<Messages[${JSON.stringify(op.inputMessage)}]>`,
  complete: () => "({ ...input, reqHeader: { transTime: compactTimestamp(new Date(clock()), 'Asia/Shanghai'), reqId: newReqId(), ...headerDefaults, ...input.reqHeader } })",
  sign: () => 'signer.signRequest(payload)',
  readmeOptions: [
    "privateKey: readFileSync('merchant-private-key.pem', 'utf8'),",
    "easypayPublicKey: readFileSync('easypay-public-key.pem', 'utf8'),",
  ],
  readmeImports: { 'node:fs': ['readFileSync'] },
  readmeInput: ({ reqHeader: _builtByTheClient, ...rest }) => rest,
  verifyAnswer: () => '(parsed) => signer.verifyResponse(parsed as EasypayResponseParts)',
  verifyNotification: () => ({ verify: '(parsed) => signer.verifyNotification(parsed as EasypayNotificationParts)', verified: 'true' }),
};
