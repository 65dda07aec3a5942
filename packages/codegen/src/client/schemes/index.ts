import { easypayRsa } from './easypay-rsa.js';
import { eftpaySha256 } from './eftpay-sha256.js';
import { noSignature } from './no-signature.js';
import type { SchemeEmitter } from './scheme-emitter.js';
import { tipaySha256 } from './tipay-sha256.js';

export type { SchemeEmitter } from './scheme-emitter.js';

/** The signing schemes a spec may name in `x-refundkit-signing.scheme`. */
export const schemeEmitters: Readonly<Record<string, SchemeEmitter>> = {
  'easypay-rsa': easypayRsa,
  'eftpay-sha256': eftpaySha256,
  'tipay-sha256': tipaySha256,
  none: noSignature,
};
