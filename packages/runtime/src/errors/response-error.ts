import { RefundkitError } from './refundkit-error.js';
import type { ValidationIssue } from './validation-error.js';

/**
 * The provider answered, but not in a shape the contract allows where it matters (missing
 * status, wrong type, unparseable body). The outcome of the refund is unknown.
 */
export class ResponseError extends RefundkitError {
  readonly rawBody: string;
  readonly issues: readonly ValidationIssue[];

  constructor(message: string, rawBody: string, issues: readonly ValidationIssue[] = [], options?: { cause?: unknown }) {
    super('response_invalid', message, options);
    this.rawBody = rawBody;
    this.issues = issues;
  }
}
