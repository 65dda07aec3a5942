import { RefundkitError } from './refundkit-error.js';

/**
 * A provider message whose signature did not verify. Its content is untrusted and is never
 * reported as a success; `rawBody` is kept for investigation.
 */
export class SignatureError extends RefundkitError {
  readonly rawBody: string | undefined;

  constructor(message: string, rawBody?: string) {
    super('signature_invalid', message);
    this.rawBody = rawBody;
  }
}
