import type { SchemeEmitter } from './scheme-emitter.js';

/**
 * `eftpay-sha256`: `sign` = SHA-256 hex of the secret code + sorted `k=v&…`, in the body. The
 * table says `sign` comes back only when the request was received (`return_status` 00), so an
 * answer without one is believed only as a non-acceptance; an accepted answer must verify.
 */
export const eftpaySha256: SchemeEmitter = {
  signingImports: ['createEftpaySigner', 'verificationFailure', 'VERIFIED', 'type MaybeSecret', 'type VerificationResult'],
  options: [
    '  /** The secret code eftPay issued to the merchant (wrap it in `Secret` to keep it out of logs). */',
    '  readonly secretCode: MaybeSecret<string>;',
    '  /**',
    '   * Secret codes being retired in a key roll: an answer signed under one of them still verifies;',
    '   * requests are signed with `secretCode` only (see `EftpaySignerOptions.previousSecretCodes`).',
    '   */',
    '  readonly previousSecretCodes?: readonly MaybeSecret<string>[];',
  ],
  declarations: [
    '/** eftPay answers carry `sign` only once `return_status` is 00: an unsigned answer may only be a refusal. */',
    'function verifyEftpayAnswer(signer: ReturnType<typeof createEftpaySigner>, parsed: unknown): VerificationResult {',
    '  const answer = (parsed ?? {}) as { sign?: unknown; return_status?: unknown };',
    "  if (answer.sign === undefined || answer.sign === '') {",
    "    return answer.return_status === '00' ? verificationFailure('missing-signature', 'an accepted eftPay answer must carry sign') : VERIFIED;",
    '  }',
    '  return signer.verify(answer);',
    '}',
  ],
  readmeOptions: ["secretCode: new Secret(process.env.EFTPAY_SECRET_CODE!),"],
  readmeImports: { '@refundkit/signing': ['Secret'] },
  setup: ['const signer = createEftpaySigner({ secretCode: options.secretCode, previousSecretCodes: options.previousSecretCodes });'],
  sign: () => 'signer.signRequest(payload)',
  verifyAnswer: () => '(parsed) => verifyEftpayAnswer(signer, parsed)',
};
