import { RefundkitError } from './refundkit-error.js';

/** One failed rule: where (`reqBody.reqOrderInfo.refundAmount`), which rule (`maximum`), why. */
export interface ValidationIssue {
  /** Dotted path of the field, `[n]` for array items; `""` for the message itself. */
  readonly path: string;
  /** The schema keyword that failed (`required`, `maxLength`, `pattern`, `encoding`, ...). */
  readonly rule: string;
  /** A human sentence naming the field and the rule. */
  readonly message: string;
}

/**
 * Input broke the contract. Thrown before anything is sent for a request; for a response it is
 * wrapped in a `ResponseError`.
 *
 * @example
 * try { await client.refund(body) } catch (e) {
 *   if (e instanceof ValidationError) console.log(e.issues.map((i) => i.path)); // ['refundAmount']
 * }
 */
export class ValidationError extends RefundkitError {
  readonly issues: readonly ValidationIssue[];
  /** The contract message that was checked, e.g. `refund.request`. */
  readonly messageName: string;

  constructor(messageName: string, issues: readonly ValidationIssue[]) {
    const summary = issues.map((i) => i.message).join('; ');
    super('validation_failed', `${messageName} is invalid: ${summary}`);
    this.messageName = messageName;
    this.issues = issues;
  }
}
