/**
 * The root of refundkit's error family: every error refundkit throws on purpose is one of these,
 * so callers can tell "refundkit refused" from a bug with one `instanceof`.
 *
 * Messages never carry secrets: keys, app keys and secret codes are not passed to any error.
 */
export class RefundkitError extends Error {
  /** A stable, machine-readable code, e.g. `validation_failed`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
