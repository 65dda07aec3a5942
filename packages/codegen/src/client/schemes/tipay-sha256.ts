import type { SchemeEmitter } from './scheme-emitter.js';

/**
 * `tipay-sha256`: `ti-appid`, `ti-timestamp`, `ti-signature` headers over the exact body bytes
 * sent (the query's JSON for a GET), computed once in `prepare<Op>` over the serialised request. Answers and notifications
 * are checked, over the bytes exactly as received, when they carry `ti-signature` (the
 * document does not say they do).
 */
export const tipaySha256: SchemeEmitter = {
  signingImports: ['createTipaySigner', 'VERIFIED', 'type MaybeSecret', 'type VerificationResult'],
  options: [
    '  /** `ti-appid`: the merchant id on the 天河链 open platform. */',
    '  readonly appId: string;',
    '  /** The AppKey that signs every request (wrap it in `Secret` to keep it out of logs). */',
    '  readonly appKey: MaybeSecret<string>;',
    '  /**',
    '   * AppKeys being retired in a key roll: a notification or answer signed under one of them still',
    '   * verifies; requests are signed with `appKey` only. Drop them once the roll is over.',
    '   */',
    '  readonly previousAppKeys?: readonly MaybeSecret<string>[];',
    '  /** Epoch milliseconds for `ti-timestamp` (tests inject one). */',
    '  readonly clock?: () => number;',
  ],
  declarations: [
    '/** Ti-Pay does not document signed answers: check `ti-signature` when present, pass otherwise. */',
    'function verifyIfSigned(signer: ReturnType<typeof createTipaySigner>, raw: RawAnswer): VerificationResult {',
    "  return raw.headers.has('ti-signature') ? signer.verify({ body: raw.bytes, headers: raw.headers }) : VERIFIED;",
    '}',
  ],
  runtimeImports: ['type RawAnswer'],
  readmeOptions: ["appId: 'tichain000000',", 'appKey: new Secret(process.env.TIPAY_APP_KEY!),'],
  readmeImports: { '@refundkit/signing': ['Secret'] },
  setup: [
    'const signer = createTipaySigner({ appId: options.appId, appKey: options.appKey, previousAppKeys: options.previousAppKeys, clock: options.clock });',
  ],
  signHeaders: 'signer.signRequest',
  verifyAnswer: () => '(_parsed, raw) => verifyIfSigned(signer, raw)',
  verifyNotification: () => ({ verify: '(_parsed, raw) => verifyIfSigned(signer, raw)', verified: "headers.has('ti-signature')" }),
};
